//! The two documents: the exam (questions only) and the solutions (each question with
//! its worked solution).

use askama::Template;

use super::escape::encodings_used;
use super::figure::Figure;
use super::lang;
use super::latex::FormatError;
use crate::error::{Error, Result};
use crate::problems::Solved;
use crate::spec::{ExamSpec, Language};

/// One problem as placed on a sheet.
pub struct Block {
    pub number: usize,
    /// Shared figures the solution shows.
    pub figures: Vec<Figure>,
    /// "5 bodova" ([`lang::Words::points`]), or empty when the spec gives no points.
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
    /// Font encodings besides T1 that the escaped text switches to (`T2A,LGR`).
    pub encodings: Option<&'a str>,
    pub student: Option<&'a StudentLine>,
    pub course: &'a str,
    pub exam: &'a str,
    pub date: Option<&'a str>,
    pub problems: &'a [Block],
}

#[derive(Template)]
#[template(path = "solutions.tex")]
pub struct SolutionsSheet<'a> {
    /// Font encodings besides T1 that the escaped text switches to (`T2A,LGR`).
    pub encodings: Option<&'a str>,
    pub student: Option<&'a StudentLine>,
    pub course: &'a str,
    pub exam: &'a str,
    pub date: Option<&'a str>,
    pub author: Option<&'a str>,
    pub problems: &'a [Block],
}

fn template_error(
    index: usize,
    kind: &'static str,
    what: &'static str,
) -> impl Fn(askama::Error) -> Error {
    move |e| Error::Template {
        index,
        kind,
        what,
        message: e.to_string(),
    }
}

/// The question and solution LaTeX of one solved problem (1-based `index` for messages),
/// in the sheets' `language`.
pub fn render_problem(language: Language, index: usize, solved: &Solved) -> Result<Block> {
    let words = lang::words(language);
    let kind = solved.kind();
    let exact = |source: FormatError| Error::NotExact {
        index,
        kind,
        source,
    };
    let q = template_error(index, kind, "question");
    let s = template_error(index, kind, "solution");
    let mut figures = Vec::new();
    let (question, solution) = match solved {
        Solved::BatchnormMlp(p, sol) => (
            super::batchnorm_mlp::question(p, words)
                .map_err(exact)?
                .render()
                .map_err(q)?,
            super::batchnorm_mlp::solution(p, sol, words)
                .map_err(exact)?
                .render()
                .map_err(s)?,
        ),
        Solved::RetrievalAp(p, sol) => (
            super::retrieval_ap::question(p, words)
                .map_err(exact)?
                .render()
                .map_err(q)?,
            super::retrieval_ap::solution(p, sol, words)
                .map_err(exact)?
                .render()
                .map_err(s)?,
        ),
        Solved::Conv1d(p, sol) => (
            super::conv1d::question(p, words)
                .map_err(exact)?
                .render()
                .map_err(q)?,
            super::conv1d::solution(p, sol)
                .map_err(exact)?
                .render()
                .map_err(s)?,
        ),
        Solved::Activation(p, sol) => {
            let sheet = super::activation::solution(p, sol);
            figures.push(sheet.figure.clone());
            (
                super::activation::question(p).render().map_err(q)?,
                sheet.render().map_err(s)?,
            )
        }
        Solved::RnnAccount(p, sol) => (
            super::rnn_account::question(p, words)
                .map_err(exact)?
                .render()
                .map_err(q)?,
            super::rnn_account::solution(p, sol, words)
                .map_err(exact)?
                .render()
                .map_err(s)?,
        ),
    };
    Ok(Block {
        number: index,
        figures,
        points: solved.points().map(|n| words.points(n)).unwrap_or_default(),
        question,
        solution,
    })
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

/// Renders the exam and the solution sheet.
pub fn render_sheets(
    spec: &ExamSpec,
    solved: &[Solved],
    student: Option<&StudentLine>,
) -> Result<Sheets> {
    let blocks = solved
        .iter()
        .enumerate()
        .map(|(i, s)| render_problem(spec.language, i + 1, s))
        .collect::<Result<Vec<_>>>()?;
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
            encodings,
            student,
            course: &spec.course,
            exam: &spec.exam,
            date: spec.date.as_deref(),
            problems: &blocks,
        }
        .render()
    })
    .map_err(doc_error("exam"))?;
    let solutions = with_encodings(|encodings| {
        SolutionsSheet {
            encodings,
            student,
            course: &spec.course,
            exam: &spec.exam,
            date: spec.date.as_deref(),
            author: spec.author.as_deref(),
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
