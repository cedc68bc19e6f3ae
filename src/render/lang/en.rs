//! English, in the terms of the standard English texts (Goodfellow et al., *Deep
//! Learning*; the PyTorch documentation): counted nouns take a singular for one and a
//! plural otherwise, and phrases after "with" take an article.

use super::{AnalysisWords, FeedbackWords, LayerWords, SheetWords, Words};
use crate::engine::param_count::{Cell, RecurrentStack};
use crate::engine::retrieval::Similarity;
use crate::spec::Language;

pub struct English;

/// `one` for 1, `many` for every other count.
fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Small counts as words, the way running text spells them.
fn number_word(n: usize) -> String {
    match n {
        1 => "one".into(),
        2 => "two".into(),
        3 => "three".into(),
        4 => "four".into(),
        5 => "five".into(),
        n => n.to_string(),
    }
}

/// The Croatian comments of the kinds' checking code, and their English.
const CODE_COMMENTS: &[(&str, &str)] = &[
    (
        "# multi_margin_loss dijeli zbroj s K, pa ga množimo s K",
        "# multi_margin_loss divides the sum by K, so we multiply it by K",
    ),
    (
        "# način učenja: statistike minigrupe, pomične se ažuriraju",
        "# training mode: minibatch statistics, the running ones are updated",
    ),
    ("# bez pomaka", "# no bias"),
];

impl Words for English {
    fn language(&self) -> Language {
        Language::En
    }

    fn sheet(&self) -> &'static SheetWords {
        &SheetWords {
            babel: "english",
            problem: "Problem",
            solution: "Solution",
            solutions: "solutions",
            name: "Name",
            id: "Student ID",
            code: "Variant code",
            footer_code: "code",
            answer_sheet: "Answer sheet",
            blank_page: "This page is intentionally left blank.",
            answer_note: "Write each value asked for in its box; an empty box earns no points. \
                          Decimals with a point or a comma (0.25 or 0,25) and fractions (29/36) \
                          are accepted; write a value with a logarithm, an exponential or a root \
                          as a decimal to 4 places (e.g. $-0.2310$). The indices above the boxes \
                          start at 0: \\texttt{[0][1]} is row 1, column 2. If an earlier \
                          intermediate result is wrong and a later one is computed correctly \
                          from it, the later one still earns credit.",
        }
    }

    fn points(&self, points: u32) -> String {
        format!("{points} {}", plural(points.into(), "point", "points"))
    }

    fn to_decimals(&self, d: u32) -> String {
        format!(
            "to {d} {}",
            plural(d.into(), "decimal place", "decimal places")
        )
    }

    fn kernels(&self, c: usize) -> String {
        format!(
            "{} {}",
            number_word(c),
            plural(c as u64, "kernel", "kernels")
        )
    }

    fn recurrent_stack(&self, s: &RecurrentStack, cell: &str) -> String {
        let layers = match s.layers {
            1 => "a single-layer".to_string(),
            n => format!("a {}-layer", number_word(n)),
        };
        let direction = if s.bidirectional {
            " bidirectional"
        } else {
            ""
        };
        format!("{layers}{direction} {cell} network")
    }

    fn recurrent_sizes(&self, input: usize, hidden: usize) -> String {
        if input == 2 && hidden == 3 {
            "whose input and hidden state have the same dimensionality".to_string()
        } else {
            format!("with input size {input} and hidden size {hidden}")
        }
    }

    fn bias_vectors(&self, per_gate: usize, cell: Cell) -> &'static str {
        // A plain RNN has no gates: its one weight block has one bias (or PyTorch's two).
        match (per_gate, cell) {
            (2, Cell::Rnn) => {
                "two bias vectors ($\\mathbf{b}_{ih}$ and $\\mathbf{b}_{hh}$, as in PyTorch)"
            }
            (2, _) => {
                "two bias vectors per gate ($\\mathbf{b}_{ih}$ and $\\mathbf{b}_{hh}$, as in PyTorch)"
            }
            (_, Cell::Rnn) => "one bias vector",
            _ => "one bias vector per gate",
        }
    }

    fn cases(&self) -> (&'static str, &'static str) {
        ("if", "otherwise")
    }

    fn feedback(&self) -> &'static FeedbackWords {
        &FeedbackWords {
            problem: "Problem",
            of: "of",
            points: "points",
            variant: "variant",
            blank: "left blank; the key has {key}",
            problem_blank: "every box left blank",
            carried: "{v} differs from the key's {key} but follows from your earlier answers: \
                      accepted as carried forward",
            wrong: "{v} is wrong: the key has {key}",
            wrong_carried: "{v} is wrong: the key has {key}, and from your earlier answers it \
                            would be {carried}",
            absent: "No answers were entered for this student (absent).",
            total: "Total",
            decimal_comma: false,
        }
    }

    fn analysis(&self) -> &'static AnalysisWords {
        &AnalysisWords {
            heading: "item analysis",
            graded: "Students graded: {graded} of {students}; absent: {absent}.",
            mean: "Mean: {mean} of {max} points; median: {median}.",
            distribution: "Score distribution",
            points_axis: "points",
            students_axis: "students",
            bins: "Bins of width {bin}: $[a, b)$ holds the scores from $a$ up to but not \
                   including $b$, the last one $b$ too.",
            per_problem: "Per problem",
            problem_head: ["problem", "mean", "maximum"],
            per_checkpoint: "Per checkpoint",
            rule: "Shares of the graded students by the outcome of each checkpoint (all its \
                   boxes together): correct if every box is correct, blank if every box is \
                   blank, wrong if any box is wrong, otherwise carried (right given their \
                   own earlier answers).",
            checkpoint_head: [
                "problem",
                "checkpoint",
                "boxes",
                "correct",
                "carried",
                "wrong",
                "blank",
            ],
            decimal_comma: false,
        }
    }

    fn layers(&self) -> &'static LayerWords {
        &LayerWords {
            convolution: "convolution",
            max_pool: "max pooling",
            avg_pool: "average pooling",
            batchnorm: "batch normalization (BatchNorm)",
            flatten: "flatten",
            fully_connected: "fully connected layer",
            outputs: "outputs",
            shape_kept: "the shape does not change",
        }
    }

    fn code(&self, code: String) -> String {
        CODE_COMMENTS
            .iter()
            .fold(code, |code, (hr, en)| code.replace(hr, en))
    }

    fn dimensional(&self, d: usize) -> String {
        format!("{}-dimensional", number_word(d))
    }

    fn similarity(&self, sim: Similarity) -> (&'static str, &'static str) {
        let words = match sim {
            Similarity::InverseL1 => "the reciprocal of the L1 distance between the embeddings",
            Similarity::InverseL2Squared => {
                "the reciprocal of the squared L2 distance between the embeddings"
            }
            Similarity::NegativeL2 => "the negative L2 distance between the embeddings",
            Similarity::Cosine => "the cosine similarity of the embeddings",
        };
        (words, words)
    }
}

#[cfg(test)]
mod tests {
    use super::{English, Words};
    use crate::engine::param_count::Cell;

    #[test]
    fn english_plurals() {
        let en = English;
        assert_eq!(en.points(1), "1 point");
        assert_eq!(en.points(5), "5 points");
        assert_eq!(en.to_decimals(1), "to 1 decimal place");
        assert_eq!(en.to_decimals(4), "to 4 decimal places");
        assert_eq!(en.kernels(1), "one kernel");
        assert_eq!(en.kernels(7), "7 kernels");
    }

    #[test]
    fn code_comments_are_translated() {
        let code = "x = 1  # bez pomaka\n".to_string();
        assert_eq!(English.code(code), "x = 1  # no bias\n");
    }

    #[test]
    fn a_plain_rnn_has_no_gates_to_bias() {
        let en = English;
        assert!(!en.bias_vectors(2, Cell::Rnn).contains("gate"));
        assert!(en.bias_vectors(1, Cell::Lstm).contains("per gate"));
    }
}
