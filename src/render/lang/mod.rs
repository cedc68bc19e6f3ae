//! The words a sheet prints that depend on a number or a choice (plurals, grammatical
//! cases, counted nouns), one implementation per language.
//!
//! Fixed sentences live in the templates (`templates/<language>/`); what is left here are
//! the phrases whose form the Rust side decides, such as "5 bodova" against "2 boda". The
//! per-kind render code asks [`Words`] for them, so a new language is one file beside
//! [`hr`] plus its templates, and no kind holds language-specific strings.

mod en;
mod hr;

use crate::engine::param_count::{Cell, RecurrentStack};
use crate::engine::retrieval::Similarity;
use crate::spec::Language;

/// The language-dependent phrases of the sheets.
pub trait Words: Sync {
    /// The language these are the words of (which picks the kinds' templates).
    fn language(&self) -> Language;

    /// The sheets' own words: headings, the name box, the babel language.
    fn sheet(&self) -> &'static SheetWords;

    /// A problem's points in the section title: "5 bodova".
    fn points(&self, points: u32) -> String;

    /// "to d decimals", as in "round the sigmoid outputs ___": "na 3 decimale".
    fn to_decimals(&self, decimals: u32) -> String;

    /// The conv1d layer's kernels, after "with": "četiri jezgre".
    fn kernels(&self, count: usize) -> String;

    /// The recurrent network a stack describes, after "with" ("s ___"):
    /// "dvoslojnom dvosmjernom LSTM mrežom". `cell` is the cell's name (RNN, LSTM, GRU).
    fn recurrent_stack(&self, stack: &RecurrentStack, cell: &str) -> String;

    /// The input and hidden sizes of that network, after its description: the seed's
    /// wording when they are the seed's (2 and 3), else the two numbers.
    fn recurrent_sizes(&self, input: usize, hidden: usize) -> String;

    /// The bias convention, after "assume": one or two bias vectors per gate of a gated
    /// `cell` (LSTM, GRU), per layer and direction of a plain RNN, which has no gates
    /// (LaTeX).
    fn bias_vectors(&self, per_gate: usize, cell: Cell) -> &'static str;

    /// The words of a case distinction in math, `1 \text{ if } x > 0, \text{ otherwise } 0`:
    /// ("ako", "inače").
    fn cases(&self) -> (&'static str, &'static str);

    /// The names of a CNN's layers, as a table of layers lists them.
    fn layers(&self) -> &'static LayerWords;

    /// The words of `examgen grade`'s feedback files (plain text).
    fn feedback(&self) -> &'static FeedbackWords;
    /// The words of `grade`'s item analysis.
    fn analysis(&self) -> &'static AnalysisWords;

    /// Python code with its comments in this language: the kinds write their checking
    /// code with Croatian comments (the 2022 key's), which another language translates.
    fn code(&self, code: String) -> String;

    /// The dimension of the embeddings, as an adjective: "dvodimenzionalna".
    fn dimensional(&self, dims: usize) -> String;

    /// The similarity measure in words: (as the object of "we use ___", as the subject of
    /// "the similarity is ___").
    fn similarity(&self, sim: Similarity) -> (&'static str, &'static str);
}

/// The fixed words of the exam and the solution sheet around the problems (LaTeX text,
/// printed as is).
#[derive(Debug)]
pub struct SheetWords {
    /// The `babel` option: hyphenation and the words LaTeX itself prints.
    pub babel: &'static str,
    /// A problem's heading, before its number: "Zadatak".
    pub problem: &'static str,
    /// The heading of a worked solution: "Rješenje".
    pub solution: &'static str,
    /// After the exam's title on the solution sheet: "rješenja".
    pub solutions: &'static str,
    /// The name box's rows: the student's name, the student's id, the variant code.
    pub name: &'static str,
    pub id: &'static str,
    pub code: &'static str,
    /// Before the variant code in the page footer: "kod".
    pub footer_code: &'static str,
    /// The answer sheet's heading (`generate --answer-sheet`).
    pub answer_sheet: &'static str,
    /// The page left empty so that the answer sheet starts a sheet of paper.
    pub blank_page: &'static str,
    /// What the answer sheet tells the student about the boxes.
    pub answer_note: &'static str,
}

/// The sentences of a student's feedback file (`examgen grade`), plain text; `{v}`,
/// `{key}` and `{carried}` stand for the typed value, the key's and the one that follows
/// from the student's earlier answers.
#[derive(Debug)]
pub struct FeedbackWords {
    /// Before a problem's number: "Problem".
    pub problem: &'static str,
    /// Between the points earned and the points possible: "of" (with "points" after).
    pub of: &'static str,
    pub points: &'static str,
    /// Before the variant code.
    pub variant: &'static str,
    pub blank: &'static str,
    /// Every box of a problem blank.
    pub problem_blank: &'static str,
    pub carried: &'static str,
    pub wrong: &'static str,
    /// Wrong, and not what follows from the earlier answers either.
    pub wrong_carried: &'static str,
    pub absent: &'static str,
    pub total: &'static str,
    /// The decimal mark of the numbers in the file.
    pub decimal_comma: bool,
}

/// The item analysis of `examgen grade --pdf` (LaTeX text).
#[derive(Debug)]
pub struct AnalysisWords {
    /// After the exam's title: "item analysis".
    pub heading: &'static str,
    /// "Students graded: {graded} of {students}; absent: {absent}."
    pub graded: &'static str,
    /// "Mean: {mean} of {max} points; median: {median}."
    pub mean: &'static str,
    pub distribution: &'static str,
    /// The axes of the score distribution.
    pub points_axis: &'static str,
    pub students_axis: &'static str,
    /// "Bins of {bin} points: [a, b) holds scores from a up to b, the last one b too."
    pub bins: &'static str,
    pub per_problem: &'static str,
    /// The per-problem table's head: problem, mean, maximum.
    pub problem_head: [&'static str; 3],
    pub per_checkpoint: &'static str,
    /// How a checkpoint's entries make one verdict.
    pub rule: &'static str,
    /// The per-checkpoint table's head.
    pub checkpoint_head: [&'static str; 7],
    pub decimal_comma: bool,
}

/// The names of the layers of a convolutional network, and what the worked solution says
/// of a layer that keeps its input's shape.
#[derive(Debug)]
pub struct LayerWords {
    pub convolution: &'static str,
    pub max_pool: &'static str,
    pub avg_pool: &'static str,
    pub batchnorm: &'static str,
    pub flatten: &'static str,
    pub fully_connected: &'static str,
    /// After a fully connected layer's output count: "izlaza".
    pub outputs: &'static str,
    pub shape_kept: &'static str,
}

/// The phrases of a spec's `language`.
pub fn words(language: Language) -> &'static dyn Words {
    match language {
        Language::Hr => &hr::Croatian,
        Language::En => &en::English,
    }
}

/// Some language's phrases, for tests that look at a kind's numbers and not its words
/// (numbers are formatted the same in every language). Draws build their views in the
/// spec's language (`problems::kind::drawing_in`), as they are kept for rendering.
pub fn any() -> &'static dyn Words {
    &hr::Croatian
}
