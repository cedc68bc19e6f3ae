//! `generate --pdf --print`: the class's sheets in one PDF per kind of sheet,
//! `print/exams.pdf` and `print/solutions.pdf`, for a duplex printer.
//!
//! Each print document is a small LaTeX file that includes the sheets' PDFs, already
//! compiled for the class, with `pdfpages` (texlive-latex-recommended), in class-list
//! order, and adds a blank page after every sheet that ends on an odd page: each student
//! then starts on an odd page, on a fresh sheet of paper. Nothing is typeset a second
//! time, and the name, id and variant code stay on every page because they are in the
//! sheets' own headers and footers. The documents go through the same staging and
//! commit as every other file, so they are in the manifest and a later run without
//! `--print` removes them.

use askama::Template;

use super::files::{Staging, BUILD_DIR};
use super::pdf;
use crate::error::Result;

/// The print documents' directory, inside the output directory.
pub const PRINT_DIR: &str = "print";

/// Each print document and the suffix of the sheets it collects (a class run names a
/// student's sheets `<stem>-exam` and `<stem>-solutions`).
const DOCUMENTS: [(&str, &str); 2] = [("exams", "-exam"), ("solutions", "-solutions")];

/// The number of print documents (for the count of documents in a failure report).
pub const COUNT: usize = DOCUMENTS.len();

#[derive(Template)]
#[template(path = "print.tex")]
struct PrintDocument<'a> {
    /// Sheet stems, relative to the output directory, in print order.
    sheets: &'a [&'a str],
}

/// The print document of `sheets` (stems of PDFs in the output directory, in order).
fn document(sheets: &[&str]) -> String {
    // A stem is a file id (letters, digits, `-`, `.`, `_`) or a variant code: nothing
    // that LaTeX reads specially in a file name, so it is written as it is.
    debug_assert!(sheets.iter().all(|s| s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))));
    let mut text = PrintDocument { sheets }
        .render()
        .expect("the print template has no fallible parts");
    text.push('\n');
    text
}

/// Stages `print/exams.tex` and `print/solutions.tex` over a class run's sheet stems
/// (in class-list order); gives the files their compilation will add, for
/// [`Staging::check_ahead`].
pub fn stage(staging: &mut Staging, stems: &[String]) -> Result<Vec<String>> {
    let mut to_come = Vec::new();
    for (name, suffix) in DOCUMENTS {
        let sheets: Vec<&str> = stems
            .iter()
            .map(String::as_str)
            .filter(|s| s.ends_with(suffix))
            .collect();
        staging.write(
            &format!("{PRINT_DIR}/{name}.tex"),
            document(&sheets).as_bytes(),
        )?;
        to_come.push(format!("{PRINT_DIR}/{name}.pdf"));
        to_come.push(format!("{PRINT_DIR}/{BUILD_DIR}/{name}.log"));
    }
    Ok(to_come)
}

/// Compiles the staged print documents once every sheet's PDF is there, and registers
/// the PDFs and logs LaTeX made. Gives the documents that did not compile.
pub fn compile(staging: &mut Staging, jobs: usize) -> Result<pdf::Compiled> {
    let dir = staging.dir().join(PRINT_DIR);
    let names: Vec<String> = DOCUMENTS.iter().map(|(n, _)| n.to_string()).collect();
    let compiled = pdf::compile_all(&dir, &names, jobs, None)?;
    for name in &names {
        for made in [
            format!("{PRINT_DIR}/{name}.pdf"),
            format!("{PRINT_DIR}/{BUILD_DIR}/{name}.log"),
        ] {
            if staging.dir().join(&made).exists() {
                staging.adopt(&made);
            }
        }
    }
    Ok(compiled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sheet_is_included_in_order_and_followed_by_a_page_break_to_an_odd_page() {
        let text = document(&["0036512007-exam", "0036512001-exam"]);
        let later = text.find("{../0036512001-exam.pdf}").unwrap();
        let first = text.find("{../0036512007-exam.pdf}").unwrap();
        assert!(first < later, "{text}");
        assert_eq!(text.matches("\\includepdf[pages=-]").count(), 2, "{text}");
        assert_eq!(
            text.lines().filter(|l| *l == "\\cleardoublepage").count(),
            2
        );
        assert!(text.contains("twoside"), "{text}");
        assert!(text.contains("\\pdftrailerid{}"), "{text}");
    }
}
