//! `generate --pdf --print` with a real latexmk, read back with poppler's pdfinfo and
//! pdftotext: `print/exams.pdf` and `print/solutions.pdf` hold every student's own sheet,
//! page for page, in class-list order, each starting on an odd page, with a blank page
//! only after a sheet of an odd number of pages; rebuilding gives the same bytes, and a
//! later run without `--print` removes them. Without the tools the tests skip with a
//! notice, except under `CI=true`, where they fail.

use std::path::Path;
use std::process::Command;

use super::common::{examgen, ok, on_path, read, root, skip_or_fail, Scratch};
use super::integrity_output::fake_pdflatex;
use super::pdf::log_complaints;

/// Whether latexmk and poppler are there; otherwise skip (or fail under CI).
fn tools_present(test: &str) -> bool {
    for (tool, why) in [
        ("latexmk", "install TeX Live: latexmk and pdflatex"),
        ("pdfinfo", "install poppler-utils"),
        ("pdftotext", "install poppler-utils"),
    ] {
        if !on_path(tool) {
            skip_or_fail(test, &format!("{tool} is not on PATH ({why})"));
            return false;
        }
    }
    true
}

/// The page count pdfinfo reports.
fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo runs");
    assert!(out.status.success(), "pdfinfo {}", pdf.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gives no page count for {}", pdf.display()))
}

/// The text of every page, in order (pdftotext ends each page with a form feed). In the
/// order of the page's content stream (`-raw`), which an included page keeps: the layout
/// modes regroup the text by position, which the inclusion may shift by a fraction of a
/// point.
fn page_texts(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    let text = String::from_utf8(out.stdout).expect("pdftotext writes UTF-8");
    let mut texts: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    // The text after the last form feed is not a page.
    texts.pop();
    assert_eq!(texts.len(), pages(pdf), "{}", pdf.display());
    texts
}

/// Checks a print document against the sheets it must hold, given as (the student's id,
/// the sheet's PDF) in class-list order; gives the number of blank pages it has.
fn check_print(print: &Path, sheets: &[(String, std::path::PathBuf)]) -> usize {
    let printed = page_texts(print);
    let mut page = 1;
    let mut blanks = 0;
    for (id, sheet) in sheets {
        assert!(
            page % 2 == 1,
            "{}: {id}'s sheet starts on page {page}, an even page",
            print.display()
        );
        let own = page_texts(sheet);
        for (k, text) in own.iter().enumerate() {
            let at = page + k;
            assert!(
                at <= printed.len(),
                "{} ends before page {} of {}",
                print.display(),
                k + 1,
                sheet.display()
            );
            assert_eq!(
                &printed[at - 1],
                text,
                "{} page {at} is not page {} of {}",
                print.display(),
                k + 1,
                sheet.display()
            );
            assert!(
                text.contains(&format!("({id})")),
                "page {} of {} does not name {id}",
                k + 1,
                sheet.display()
            );
        }
        page += own.len();
        if own.len() % 2 == 1 {
            assert!(
                printed.get(page - 1).is_some_and(|t| t.trim().is_empty()),
                "{} page {page}, after {id}'s sheet of {} pages, is not blank",
                print.display(),
                own.len()
            );
            page += 1;
            blanks += 1;
        }
    }
    assert_eq!(
        printed.len(),
        page - 1,
        "{} has pages after the last sheet",
        print.display()
    );
    blanks
}

/// The acceptance test of `--print`: the last six students of the example class in
/// reverse order, so that class-list order is not the order of the ids or of the files
/// (six, not twelve, to keep the test fast: the sheets of both parities are among them).
#[test]
fn print_pdfs_hold_each_students_own_sheet_from_an_odd_page_in_class_list_order() {
    let test = "print_pdf::class_list_order";
    if !tools_present(test) {
        return;
    }
    let dir = Scratch::new("print-class");
    let example = std::fs::read_to_string(root().join("variants/class-example.csv")).unwrap();
    let mut lines: Vec<&str> = example.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    lines.truncate(6);
    let csv = dir.write("class.csv", &format!("{header}\n{}\n", lines.join("\n")));
    let ids: Vec<String> = lines
        .iter()
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    let out = dir.join("out");
    let spec = root().join("variants/du1-random.yaml");
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--students",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--pdf",
        "--print",
    ]);
    let mut parities = Vec::new();
    for (print, suffix) in [("exams", "exam"), ("solutions", "solutions")] {
        // The ids of the example class are plain digits: they are the file names.
        let sheets: Vec<_> = ids
            .iter()
            .map(|id| (id.clone(), out.join(format!("{id}-{suffix}.pdf"))))
            .collect();
        parities.extend(sheets.iter().map(|(_, s)| pages(s) % 2));
        check_print(&out.join(format!("print/{print}.pdf")), &sheets);
        let log =
            String::from_utf8_lossy(&read(&out, &format!("print/.build/{print}.log"))).into_owned();
        let complaints = log_complaints(&log);
        assert!(complaints.is_empty(), "print/{print}.log: {complaints:?}");
    }
    // Otherwise the blank pages, or their absence, would not have been tested.
    assert!(
        parities.contains(&0) && parities.contains(&1),
        "the class needs sheets of an odd and of an even number of pages; pick other students"
    );
    let manifest = String::from_utf8(read(&out, ".examgen-manifest")).unwrap();
    for name in ["print/exams.pdf", "print/solutions.pdf"] {
        assert!(
            manifest.lines().any(|l| l == name),
            "{name} not in the manifest"
        );
    }
}

/// Two runs give the same bytes; a later run without --print removes the print files,
/// and their directory, and the manifest no longer lists them.
#[test]
fn print_pdfs_are_reproducible_and_removed_by_a_run_without_print() {
    let test = "print_pdf::reproducible";
    if !tools_present(test) {
        return;
    }
    let dir = Scratch::new("print-reproducible");
    let spec = root().join("variants/du1-2022.yaml");
    let (first, second) = (dir.join("first"), dir.join("second"));
    for out in [&first, &second] {
        ok(&[
            "generate",
            "--spec",
            spec.to_str().unwrap(),
            "--count",
            "2",
            "--out",
            out.to_str().unwrap(),
            "--pdf",
            "--print",
        ]);
    }
    for name in ["print/exams.pdf", "print/solutions.pdf"] {
        let a = read(&first, name);
        assert!(a.starts_with(b"%PDF"), "{name}");
        assert!(a == read(&second, name), "{name} differs between two runs");
    }
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--count",
        "2",
        "--out",
        first.to_str().unwrap(),
        "--force",
    ]);
    assert!(!first.join("print").exists(), "print/ is left behind");
    let manifest = String::from_utf8(read(&first, ".examgen-manifest")).unwrap();
    assert!(!manifest.contains("print/"), "{manifest}");
}

/// `--print` needs `--pdf` and a class: a usage error, exit code 1, nothing written.
#[test]
fn print_without_pdf_or_without_a_class_is_a_usage_error() {
    let dir = Scratch::new("print-usage");
    let out = dir.join("out");
    let spec = root().join("variants/du1-2022.yaml");
    let base = [
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--print",
    ];
    for (extra, missing) in [
        (&["--count", "2"][..], "--pdf"),
        (&["--pdf"][..], "<--students <CSV>|--count <N>>"),
    ] {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let run = examgen(&args);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr
                .starts_with("examgen: error: the following required arguments were not provided")
                && stderr.contains(missing),
            "{args:?}: {stderr}"
        );
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}

/// With a pdflatex that fails where told (no real TeX: this is about the files): a sheet
/// that does not compile leaves no print PDF, not even the earlier run's, only the print
/// documents' `.tex`; a print document that does not compile is reported like a sheet,
/// and the other one is installed.
#[test]
fn a_failed_sheet_or_print_document_leaves_no_print_pdf_of_it() {
    let dir = Scratch::new("print-failure");
    let path = fake_pdflatex(&dir);
    let out = dir.join("out");
    let spec = root().join("variants/du1-2022.yaml");
    let run = |fail: &str, calls: &Path| {
        Command::new(env!("CARGO_BIN_EXE_examgen"))
            .args(["generate", "--spec"])
            .arg(&spec)
            .args(["--count", "2", "--pdf", "--print", "--force", "--out"])
            .arg(&out)
            .env("PATH", &path)
            .env("FAKE_TEX_FAIL", fail)
            .env("FAKE_TEX_CALLS", calls)
            .output()
            .expect("examgen runs")
    };
    let calls = dir.join("calls-ok");
    let o = run("none", &calls);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let compiled = std::fs::read_to_string(&calls).unwrap();
    assert!(
        compiled.ends_with("exams.tex\nsolutions.tex\n")
            || compiled.ends_with("solutions.tex\nexams.tex\n"),
        "the print documents come after the sheets:\n{compiled}"
    );
    assert!(out.join("print/exams.pdf").exists() && out.join("print/solutions.pdf").exists());

    // One sheet fails: the print documents are not compiled, and the earlier ones go.
    let calls = dir.join("calls-sheet");
    let o = run("-solutions", &calls);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("-solutions.tex"), "{err}");
    let compiled = std::fs::read_to_string(&calls).unwrap();
    assert!(
        !compiled
            .lines()
            .any(|l| l == "exams.tex" || l == "solutions.tex"),
        "{compiled}"
    );
    for name in ["exams", "solutions"] {
        assert!(
            !out.join(format!("print/{name}.pdf")).exists(),
            "{name}.pdf stayed"
        );
        assert!(out.join(format!("print/{name}.tex")).exists(), "{name}.tex");
    }

    // The print document of the exams fails: named, with its log; the other is there.
    let o = run("exams", &dir.join("calls-print"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let tex = out.join("print/exams.tex").display().to_string();
    let log = out.join("print/.build/exams.log").display().to_string();
    assert!(err.contains(&tex) && err.contains(&log), "{err}");
    assert!(err.contains("1 of "), "{err}");
    assert!(Path::new(&log).exists(), "{log}");
    assert!(!out.join("print/exams.pdf").exists());
    assert!(out.join("print/solutions.pdf").exists());
}
