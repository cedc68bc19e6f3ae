//! The solution slides (`--slides`): the solution sheet as a beamer presentation for the
//! review lecture after the exam, as the 2022 solutions were (the seed's "rješenje I …
//! XIII" are beamer's frame-break numbers).
//!
//! Nothing is written twice: each problem's frames are cut from the LaTeX its templates
//! already render for the sheet ([`Block`]): the question is one frame, and the solution
//! one frame per `\subsection*` heading ("Zadatak 3 – Unatražni prolaz"); a frame too long
//! for one slide breaks over several (`allowframebreaks`). The slides' preamble
//! (`templates/slides-preamble.tex`) makes the sheet's LaTeX fit a frame: displays lose
//! their numbers and are scaled down when wider than the frame, and so are tables and
//! plots; listings get `fragile` frames.

use askama::Template;

use super::escape::encodings_used;
use super::sheet::{Block, StudentLine, Titles};
use crate::error::{Error, Result};
use crate::render::lang::SheetWords;
use crate::spec::slides::AspectRatio;
use crate::spec::Language;

/// One frame (beamer may break it into several slides).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// LaTeX: the title as the sheet's heading writes it (math allowed).
    pub title: String,
    pub body: String,
    /// A listing needs a fragile frame (beamer reads its body verbatim).
    pub fragile: bool,
}

#[derive(Template)]
#[template(path = "slides.tex")]
struct SlidesDocument<'a> {
    encodings: Option<&'a str>,
    aspectratio: u32,
    /// `[croatian]`: babel's option, with its brackets.
    babel_option: &'a str,
    solutions_word: &'a str,
    student: Option<&'a StudentLine>,
    course: &'a str,
    exam: &'a str,
    date: Option<&'a str>,
    author: Option<&'a str>,
    frames: &'a [Frame],
}

/// The slides of one exam (or one student's variant) from the blocks of its sheet.
pub fn assemble(
    titles: &Titles,
    blocks: &[Block],
    student: Option<&StudentLine>,
    aspectratio: AspectRatio,
    language: Language,
) -> Result<String> {
    // The sheet's own words (headings, babel) in the exam's language.
    let words = crate::render::lang::words(language).sheet();
    let frames: Vec<Frame> = blocks.iter().flat_map(|b| frames(b, words)).collect();
    let render = |encodings: Option<&str>| {
        SlidesDocument {
            encodings,
            aspectratio: aspectratio.beamer(),
            babel_option: &format!("[{}]", words.babel),
            solutions_word: words.solutions,
            student,
            course: titles.course,
            exam: titles.exam,
            date: titles.date,
            author: titles.author,
            frames: &frames,
        }
        .render()
    };
    // As on the sheets: the extra font encodings only when the escaped text uses them.
    let text = render(None).and_then(|plain| {
        let used = encodings_used(&plain);
        if used.is_empty() {
            return Ok(plain);
        }
        let names: Vec<&str> = used.iter().map(|e| e.name()).collect();
        render(Some(&names.join(",")))
    });
    let text = text.map_err(|e| Error::Template {
        index: 0,
        kind: "exam",
        what: "slides",
        message: e.to_string(),
    })?;
    Ok(text + "\n")
}

/// A problem's frames: its question, then its solution cut at the `\subsection*`
/// headings (what comes before the first heading is the frame "Rješenje").
fn frames(block: &Block, words: &SheetWords) -> Vec<Frame> {
    let number = block.number;
    let heading = if block.points.is_empty() {
        format!("{} {number}", words.problem)
    } else {
        format!("{} {number} ({})", words.problem, block.points)
    };
    let mut out = vec![frame(heading, &block.question)];
    for (title, body) in sections(&block.solution) {
        let title = title.unwrap_or(words.solution);
        out.push(frame(
            format!("{} {number} -- {title}", words.problem),
            body,
        ));
    }
    out
}

fn frame(title: String, body: &str) -> Frame {
    Frame {
        title,
        body: fit_wide(body.trim()),
        fragile: body.contains("\\begin{codelisting}"),
    }
}

/// Tables and plots are set at their own width, which may exceed a frame's: each goes
/// into the preamble's `slidefit`, which scales it down when it does.
fn fit_wide(body: &str) -> String {
    let mut out = body.to_string();
    for env in ["tabular", "tikzpicture"] {
        out = out
            .replace(
                &format!("\\begin{{{env}}}"),
                &format!("\\begin{{slidefit}}\\begin{{{env}}}"),
            )
            .replace(
                &format!("\\end{{{env}}}"),
                &format!("\\end{{{env}}}\\end{{slidefit}}"),
            );
    }
    out
}

const HEADING: &str = "\\subsection*{";

/// The solution cut at its `\subsection*{…}` headings: (heading, text under it), the
/// first with no heading when text comes before the first one; empty parts are dropped.
fn sections(solution: &str) -> Vec<(Option<&str>, &str)> {
    let mut out = Vec::new();
    let mut title = None;
    let mut rest = solution;
    loop {
        let Some(at) = rest.find(HEADING) else {
            push_section(&mut out, title, rest);
            return out;
        };
        push_section(&mut out, title, &rest[..at]);
        let after = &rest[at + HEADING.len()..];
        let end = closing_brace(after).unwrap_or(after.len());
        title = Some(&after[..end]);
        rest = after.get(end + 1..).unwrap_or("");
    }
}

fn push_section<'a>(
    out: &mut Vec<(Option<&'a str>, &'a str)>,
    title: Option<&'a str>,
    text: &'a str,
) {
    if title.is_some() || !text.trim().is_empty() {
        out.push((title, text));
    }
}

/// The index of the `}` that closes a group whose `{` was just read.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solution_is_cut_at_its_headings() {
        let solution =
            "Uvod $x$.\n\\subsection*{Zašto je uz $N = 2$ \\{0\\}}\nA\n\\subsection*{Kod}\nB\n";
        let parts = sections(solution);
        assert_eq!(
            parts,
            [
                (None, "Uvod $x$.\n"),
                (Some("Zašto je uz $N = 2$ \\{0\\}"), "\nA\n"),
                (Some("Kod"), "\nB\n"),
            ]
        );
        assert_eq!(sections("\\subsection*{Samo}\nA"), [(Some("Samo"), "\nA")]);
    }

    #[test]
    fn frames_are_titled_by_problem_and_heading_and_listings_are_fragile() {
        let block = Block {
            number: 3,
            figures: vec![],
            points: "10 bodova".into(),
            question: "Q".into(),
            solution: "\\subsection*{Unaprijedni prolaz}\nA\n\\subsection*{Kod u torchu za provjeru}\n\\begin{codelisting}[language=Python]\nx\n\\end{codelisting}\n".into(),
        };
        let frames = frames(&block, crate::render::lang::words(Language::Hr).sheet());
        let titles: Vec<&str> = frames.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Zadatak 3 (10 bodova)",
                "Zadatak 3 -- Unaprijedni prolaz",
                "Zadatak 3 -- Kod u torchu za provjeru"
            ]
        );
        let fragile: Vec<bool> = frames.iter().map(|f| f.fragile).collect();
        assert_eq!(fragile, [false, false, true]);
    }

    #[test]
    fn tables_and_plots_are_fitted() {
        let body = fit_wide("\\begin{tabular}{ll}a\\end{tabular}");
        assert_eq!(
            body,
            "\\begin{slidefit}\\begin{tabular}{ll}a\\end{tabular}\\end{slidefit}"
        );
    }
}
