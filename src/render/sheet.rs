//! The two documents: the exam (questions only) and the solutions (each question with
//! its worked solution).

use askama::Template;

use super::escape::encodings_used;
use super::figure::Figure;
use super::lang::SheetWords;
use crate::error::{Error, Result};

/// One problem as placed on a sheet.
pub struct Block {
    pub number: usize,
    /// Shared figures the solution shows.
    pub figures: Vec<Figure>,
    /// "5 bodova" ([`super::lang::Words::points`]), or empty when the spec gives no points.
    pub points: String,
    pub question: String,
    pub solution: String,
}

/// Who a per-student sheet belongs to; printed on every page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudentLine {
    pub name: Option<String>,
    pub id: Option<String>,
    /// The variant code, `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX` (24 symbols, see [`crate::variant`]).
    pub code: String,
}

#[derive(Template)]
#[template(path = "exam.tex")]
pub struct ExamSheet<'a> {
    /// The sheet's fixed words, in the exam's language.
    pub words: &'a SheetWords,
    /// Font encodings besides T1 that the escaped text switches to (`T2A,LGR`).
    pub encodings: Option<&'a str>,
    pub student: Option<&'a StudentLine>,
    pub course: &'a str,
    pub exam: &'a str,
    pub date: Option<&'a str>,
    pub problems: &'a [Block],
    /// The answer sheet's boxes, with `generate --answer-sheet`.
    pub answer_sheet: Option<&'a AnswerSheet>,
}

/// The last page of an exam with `generate --answer-sheet`: one box per value the
/// student is asked for, grouped by problem and checkpoint.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnswerSheet {
    pub problems: Vec<AnswerProblem>,
}

/// One problem's boxes.
#[derive(Clone, Debug, PartialEq)]
pub struct AnswerProblem {
    pub number: usize,
    pub checkpoints: Vec<AnswerCheckpoint>,
}

/// One checkpoint's boxes, each labelled with its indices (`[0][1]`; empty for a
/// single value), in lines: one line per matrix row, a vector or a scalar on one line.
#[derive(Clone, Debug, PartialEq)]
pub struct AnswerCheckpoint {
    /// The answers file's name (`h`), typeset as code.
    pub name: String,
    /// The problem's symbol, LaTeX math (`\mathbf{h}`), when the kind gives one.
    pub symbol: Option<String>,
    /// A few words on the value (LaTeX text), when the kind gives them.
    pub note: Option<String>,
    pub lines: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "solutions.tex")]
pub struct SolutionsSheet<'a> {
    /// The sheet's fixed words, in the exam's language.
    pub words: &'a SheetWords,
    /// Font encodings besides T1 that the escaped text switches to (`T2A,LGR`).
    pub encodings: Option<&'a str>,
    pub student: Option<&'a StudentLine>,
    pub course: &'a str,
    pub exam: &'a str,
    pub date: Option<&'a str>,
    pub author: Option<&'a str>,
    pub problems: &'a [Block],
}

/// The two documents of one exam, and the shared figures they show.
pub struct Sheets {
    pub exam: String,
    pub solutions: String,
    pub figures: Vec<Figure>,
}

/// Renders a document, and again with the extra font encodings in the preamble when its
/// escaped text uses them: sheets without Cyrillic or Greek keep the plain T1 preamble
/// (and stay byte-identical to earlier runs), and the escaper alone decides which are
/// needed.
fn with_encodings(
    render: impl Fn(Option<&str>) -> askama::Result<String>,
) -> askama::Result<String> {
    let plain = render(None)?;
    let used = encodings_used(&plain);
    if used.is_empty() {
        return Ok(plain);
    }
    let names: Vec<&str> = used.iter().map(|e| e.name()).collect();
    render(Some(&names.join(",")))
}

/// The exam's titles, printed in the header.
pub struct Titles<'a> {
    pub course: &'a str,
    pub exam: &'a str,
    pub date: Option<&'a str>,
    pub author: Option<&'a str>,
    /// The sheet's fixed words, in the exam's language.
    pub words: &'static SheetWords,
}

/// Assembles the exam and the solution sheet from the problems' blocks.
pub fn assemble(
    titles: &Titles,
    blocks: Vec<Block>,
    student: Option<&StudentLine>,
    answer_sheet: Option<&AnswerSheet>,
) -> Result<Sheets> {
    let doc_error = |what: &'static str| {
        move |e: askama::Error| Error::Template {
            index: 0,
            kind: "exam",
            what,
            message: e.to_string(),
        }
    };
    let exam = with_encodings(|encodings| {
        ExamSheet {
            words: titles.words,
            encodings,
            student,
            course: titles.course,
            exam: titles.exam,
            date: titles.date,
            problems: &blocks,
            answer_sheet,
        }
        .render()
    })
    .map_err(doc_error("exam"))?;
    let solutions = with_encodings(|encodings| {
        SolutionsSheet {
            words: titles.words,
            encodings,
            student,
            course: titles.course,
            exam: titles.exam,
            date: titles.date,
            author: titles.author,
            problems: &blocks,
        }
        .render()
    })
    .map_err(doc_error("solutions"))?;
    // askama drops a template's final newline; text files end with one.
    Ok(Sheets {
        exam: exam + "\n",
        solutions: solutions + "\n",
        figures: blocks.into_iter().flat_map(|b| b.figures).collect(),
    })
}
