//! `moodle.xml` (`generate --moodle`): the exam as a Moodle question bank, so that a
//! Moodle quiz can hand each student a variant and grade the final answers.
//!
//! The layout is the one R/exams' `exams2moodle` writes: one question category per
//! problem of the exam (`$course$/<course>/<exam>/P<n> <kind>`), holding one cloze
//! (multianswer) question per variant — per student of the class, or per `--count`
//! variant — named by the student's id and variant code, so that a quiz slot takes "a
//! random question from category" and staff find any student's variant by name. The
//! question text is the problem's (math left to Moodle's MathJax filter, text-mode LaTeX
//! made HTML by [`html`]), followed by one numerical blank per final answer ([`cloze`]);
//! the worked solution is the general feedback; figures travel inside the file as
//! base64 PNGs ([`figures`]).
//!
//! Variants are written one at a time to a scratch file per problem in the staging
//! directory, so memory does not grow with the class; the figures, shared by many
//! variants, are drawn once at the end, and `finish` assembles the file.

pub mod cloze;
pub mod figures;
pub mod html;

use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use base64::Engine;

use super::files::Staging;
use crate::error::{Error, Result};
use crate::exam::ExamSpec;
use crate::problems::Solved;
use crate::render::figure::Figure;
use crate::spec::Language;
use cloze::Blank;

/// The file `--moodle` writes, beside the key.
pub const FILE: &str = "moodle.xml";

/// Marks the place of a figure's `<file>` element in a scratch file until the figures
/// are drawn.
const FILE_MARK: &str = "<!--examgen-file ";

/// Whose variant a question is.
pub struct Who<'a> {
    pub id: Option<&'a str>,
    /// The variant code; None for the one exam of a run without a class.
    pub code: Option<&'a str>,
}

/// Writes `moodle.xml` one variant at a time.
pub struct Writer {
    course: String,
    exam: String,
    language: Language,
    /// Per problem: its category name and its scratch file.
    problems: Vec<(String, PathBuf, BufWriter<std::fs::File>)>,
    figures: Vec<Figure>,
    /// Problems whose points are fewer than their blanks, for one warning each.
    misfits: Vec<String>,
}

impl Writer {
    pub fn begin(staging: &mut Staging, spec: &ExamSpec) -> Result<Writer> {
        let mut problems = Vec::with_capacity(spec.slots.len());
        for (i, slot) in spec.slots.iter().enumerate() {
            let path = staging.dir().join(format!(".moodle-{}.xml", i + 1));
            let file = std::fs::File::create(&path).map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
            let category = format!("P{} {}", i + 1, slot.label());
            problems.push((category, path, BufWriter::new(file)));
        }
        Ok(Writer {
            course: spec.course.clone(),
            exam: spec.exam.clone(),
            language: spec.language,
            problems,
            figures: Vec::new(),
            misfits: Vec::new(),
        })
    }

    /// Adds one variant: a question in each problem's category.
    pub fn variant(&mut self, spec: &ExamSpec, who: &Who, solved: &[Solved]) -> Result<()> {
        for (i, problem) in solved.iter().enumerate() {
            let block = problem.render(spec.language, i + 1)?;
            let question = html::convert(&block.question);
            let solution = html::convert(&block.solution);
            let answers = cloze::answers(problem, &problem.key());
            let points = problem.points();
            if !cloze::weights_fit(points, answers.len()) {
                let warning = format!(
                    "moodle.xml: problem {} ({}) has {} answer blanks but {} points; each blank \
                     weighs 1, so set the quiz slot's maximum mark to {} (Moodle scales the \
                     question's mark to it)",
                    i + 1,
                    problem.kind(),
                    answers.len(),
                    points.unwrap_or(0),
                    points.unwrap_or(0)
                );
                if !self.misfits.contains(&warning) {
                    self.misfits.push(warning);
                }
            }
            let weights = cloze::weights(points, answers.len());
            let blanks: Vec<Blank> = answers
                .into_iter()
                .zip(weights)
                .map(|((label, value), weight)| Blank {
                    label,
                    value,
                    tolerance: spec.moodle.of_slot(i),
                    weight,
                })
                .collect();
            for figure in question.figures.iter().chain(&solution.figures) {
                if !self.figures.contains(figure) {
                    self.figures.push(figure.clone());
                }
            }
            let name = question_name(i, problem.kind(), who);
            let text = question_text(&question.html, &block.points, &blanks, self.language);
            let xml = question_xml(&name, &text, &question.figures, &solution);
            let (_, path, out) = &mut self.problems[i];
            out.write_all(xml.as_bytes())
                .map_err(|source| Error::Write {
                    path: path.clone(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Draws the figures, writes `moodle.xml` into the staging directory and returns the
    /// warnings (problems whose blanks outnumber their points).
    pub fn finish(self, staging: &mut Staging) -> Result<Vec<String>> {
        let pngs = figures::render_png(&self.figures, &staging.dir().join(".moodle-figures"))?;
        let files: HashMap<&str, String> = self
            .figures
            .iter()
            .zip(&pngs)
            .map(|(f, png)| {
                let data = base64::engine::general_purpose::STANDARD.encode(png);
                let element = format!(
                    "<file name=\"{}.png\" path=\"/\" encoding=\"base64\">{data}</file>",
                    f.name
                );
                (f.name.as_str(), element)
            })
            .collect();
        let (file, path) = staging.create(FILE)?;
        let write_error = |source| Error::Write {
            path: path.clone(),
            source,
        };
        let mut out = BufWriter::new(file);
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>").map_err(write_error)?;
        for (category, scratch, mut pending) in self.problems {
            pending.flush().map_err(|source| Error::Write {
                path: scratch.clone(),
                source,
            })?;
            drop(pending);
            let path = format!(
                "$course$/{}/{}/{}",
                category_part(&self.course),
                category_part(&self.exam),
                category_part(&category)
            );
            writeln!(
                out,
                "  <question type=\"category\">\n    <category><text>{}</text></category>\n  </question>",
                xml_text(&path)
            )
            .map_err(write_error)?;
            let read_error = |source| Error::Read {
                path: scratch.clone(),
                source,
            };
            let input = std::fs::File::open(&scratch).map_err(read_error)?;
            for line in std::io::BufReader::new(input).lines() {
                let line = line.map_err(read_error)?;
                let figure = line
                    .trim()
                    .strip_prefix(FILE_MARK)
                    .and_then(|rest| rest.strip_suffix("-->"));
                match figure.and_then(|name| files.get(name)) {
                    Some(element) => writeln!(out, "      {element}"),
                    None => writeln!(out, "{line}"),
                }
                .map_err(write_error)?;
            }
            let _ = std::fs::remove_file(&scratch);
        }
        writeln!(out, "</quiz>").map_err(write_error)?;
        out.flush().map_err(write_error)?;
        Ok(self.misfits)
    }
}

/// `P1 batchnorm_mlp · 0036512345 · J97X-…`: the problem, the student's id and the code.
fn question_name(index: usize, kind: &str, who: &Who) -> String {
    let mut name = format!("P{} {kind}", index + 1);
    for part in [who.id, who.code].into_iter().flatten() {
        name.push_str(" · ");
        name.push_str(part);
    }
    name
}

/// What the blanks' instructions say, in the sheets' language.
struct Words {
    answers: &'static str,
    decimal: &'static str,
    indices: &'static str,
}

fn words(language: Language) -> Words {
    match language {
        Language::Hr => Words {
            answers: "Konačni odgovori",
            decimal:
                "Upišite broj; decimalni zarez i decimalna točka jednako vrijede (0,25 ili 0.25), \
                      a razlomak upišite kao decimalni broj. Priznaje se odstupanje do",
            indices: "indeksi u oznakama (i odgovori koji su indeksi) broje se od 0",
        },
        Language::En => Words {
            answers: "Final answers",
            decimal: "Enter a number; a decimal comma and a decimal point are both accepted (0,25 \
                      or 0.25), and a fraction is entered as a decimal number. Accepted within",
            indices: "indices in the labels (and answers that are indices) count from 0",
        },
    }
}

/// The question's HTML: the problem, then one line per blank.
fn question_text(question: &str, points: &str, blanks: &[Blank], language: Language) -> String {
    let words = words(language);
    let mut text = String::new();
    if !points.is_empty() {
        text.push_str(&format!("<p><em>({})</em></p>\n", html::escape(points)));
    }
    text.push_str(question);
    if blanks.is_empty() {
        return text;
    }
    let tolerance = blanks[0].tolerance;
    text.push_str(&format!(
        "\n<hr>\n<p><strong>{}</strong></p>\n<p>{} ±{tolerance}; {}.</p>\n<table>\n",
        words.answers, words.decimal, words.indices
    ));
    for blank in blanks {
        text.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td></tr>\n",
            html::escape(&blank.label),
            blank.cloze()
        ));
    }
    text.push_str("</table>");
    text
}

/// One `<question type="cloze">`, with a mark line where each figure's file goes.
fn question_xml(name: &str, text: &str, text_figures: &[Figure], solution: &html::Html) -> String {
    let marks = |figures: &[Figure]| -> String {
        figures
            .iter()
            .map(|f| format!("      {FILE_MARK}{}-->\n", f.name))
            .collect()
    };
    format!(
        "  <question type=\"cloze\">\n    <name><text>{}</text></name>\n    <questiontext format=\"html\">\n      <text>{}</text>\n{}    </questiontext>\n    <generalfeedback format=\"html\">\n      <text>{}</text>\n{}    </generalfeedback>\n    <penalty>0.3333333</penalty>\n    <hidden>0</hidden>\n  </question>\n",
        xml_text(name),
        cdata(text),
        marks(text_figures),
        cdata(&solution.html),
        marks(&solution.figures),
    )
}

/// Text as CDATA: a `]]>` inside is split over two sections.
fn cdata(text: &str) -> String {
    format!(
        "<![CDATA[{}]]>",
        xml_chars(text).replace("]]>", "]]]]><![CDATA[>")
    )
}

/// Text as XML character data.
fn xml_text(text: &str) -> String {
    xml_chars(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Without the characters XML 1.0 forbids (control characters a class list may hold).
fn xml_chars(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
        })
        .collect()
}

/// One level of a category path: Moodle reads `/` as the separator and `//` as a slash.
fn category_part(name: &str) -> String {
    name.replace('/', "//")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(xml_text("<a & b>\u{1}"), "&lt;a &amp; b&gt;");
        assert_eq!(category_part("DU 1/2"), "DU 1//2");
        let who = Who {
            id: Some("0036"),
            code: Some("ABCD"),
        };
        assert_eq!(question_name(0, "conv1d", &who), "P1 conv1d · 0036 · ABCD");
    }
}
