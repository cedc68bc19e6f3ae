//! The two documents: the exam (questions only) and the solutions (each question with
//! its worked solution).

use askama::Template;

use super::escape::encodings_used;
use super::figure::Figure;
use super::latex::FormatError;
use crate::error::{Error, Result};
use crate::problems::Solved;
use crate::spec::ExamSpec;

/// One problem as placed on a sheet.
pub struct Block {
    pub number: usize,
    /// Shared figures the solution shows.
    pub figures: Vec<Figure>,
    /// "5 bodova", or empty when the spec gives no points.
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

/// "1 bod", "2 boda", "5 bodova", "21 bod" (Croatian plural of points).
pub fn points_hr(points: u32) -> String {
    let word = match (points % 10, points % 100) {
        (1, r) if r != 11 => "bod",
        (2..=4, r) if !(12..=14).contains(&r) => "boda",
        _ => "bodova",
    };
    format!("{points} {word}")
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

/// The question and solution LaTeX of one solved problem (1-based `index` for messages).
pub fn render_problem(index: usize, solved: &Solved) -> Result<Block> {
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
            super::batchnorm_mlp::question(p)
                .map_err(exact)?
                .render()
                .map_err(q)?,
            super::batchnorm_mlp::solution(p, sol)
                .map_err(exact)?
                .render()
                .map_err(s)?,
        ),
        Solved::RetrievalAp(p, sol) => (
            super::retrieval_ap::question(p)
                .map_err(exact)?
                .render()
                .map_err(q)?,
            super::retrieval_ap::solution(p, sol)
                .map_err(exact)?
                .render()
                .map_err(s)?,
        ),
        Solved::Conv1d(p, sol) => (
            super::conv1d::question(p)
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
            super::rnn_account::question(p)
                .map_err(exact)?
                .render()
                .map_err(q)?,
            super::rnn_account::solution(p, sol)
                .map_err(exact)?
                .render()
                .map_err(s)?,
        ),
    };
    Ok(Block {
        number: index,
        figures,
        points: solved.points().map(points_hr).unwrap_or_default(),
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
        .map(|(i, s)| render_problem(i + 1, s))
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

#[cfg(test)]
mod tests {
    use super::points_hr;

    #[test]
    fn croatian_plural_of_points() {
        assert_eq!(points_hr(1), "1 bod");
        assert_eq!(points_hr(2), "2 boda");
        assert_eq!(points_hr(4), "4 boda");
        assert_eq!(points_hr(5), "5 bodova");
        assert_eq!(points_hr(11), "11 bodova");
        assert_eq!(points_hr(12), "12 bodova");
        assert_eq!(points_hr(21), "21 bod");
        assert_eq!(points_hr(22), "22 boda");
    }
}
