//! PDFs through the command line with a real latexmk: both sheets compile, are PDFs,
//! and compiling again gives the same bytes; a class compiles without LaTeX warnings or
//! overfull boxes, and its code listings copy out of the PDF as runnable code. Without latexmk the test skips with a
//! notice, except under `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::common::{ok, on_path, root, skip_or_fail, spec_2022, Scratch};

fn generate_pdf(out: &std::path::Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_examgen"))
        .arg("generate")
        .arg("--spec")
        .arg(spec_2022())
        .arg("--out")
        .arg(out)
        .arg("--pdf")
        .output()
        .expect("run examgen");
    assert!(
        output.status.success(),
        "examgen generate --pdf failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn both_sheets_compile_reproducibly() {
    let test = "pdf::both_sheets_compile_reproducibly";
    if !on_path("latexmk") {
        skip_or_fail(
            test,
            "latexmk is not on PATH (install TeX Live: latexmk and pdflatex)",
        );
        return;
    }
    let dir = Scratch::new("pdf-reproducible");
    let (first, second) = (dir.join("first"), dir.join("second"));
    generate_pdf(&first);
    generate_pdf(&second);
    for stem in ["exam", "solutions"] {
        let name = format!("{stem}.pdf");
        let a = std::fs::read(first.join(&name))
            .unwrap_or_else(|e| panic!("{name} was not written: {e}"));
        let b = std::fs::read(second.join(&name)).expect("second PDF");
        assert!(a.starts_with(b"%PDF"), "{name} does not start with %PDF");
        assert!(a.len() > 1000, "{name} is only {} bytes", a.len());
        assert!(a == b, "{name} differs between two compilations");
    }
}

/// The activation plot is a shared figure: compiled once into `figures/`, included by
/// the sheet, and the sheet still compiles on its own (drawing the plot itself) when the
/// figure's PDF is not there.
#[test]
fn shared_figures_are_compiled_once_and_sheets_compile_without_them() {
    let test = "pdf::shared_figures";
    if !on_path("latexmk") {
        skip_or_fail(
            test,
            "latexmk is not on PATH (install TeX Live: latexmk and pdflatex)",
        );
        return;
    }
    let dir = Scratch::new("pdf-figures");
    let out = dir.join("out");
    generate_pdf(&out);
    let figures: Vec<_> = std::fs::read_dir(out.join("figures"))
        .expect("figures/ was written")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    assert_eq!(figures.len(), 1, "{figures:?}");
    let solutions = std::fs::read_to_string(out.join("solutions.tex")).unwrap();
    let name = figures[0].trim_end_matches(".pdf");
    assert!(solutions.contains(&format!("\\examgenfigure{{{name}}}")));

    // The same sheet alone, in a directory without figures/: LaTeX draws the plot.
    let alone = dir.join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    std::fs::write(alone.join("solutions.tex"), &solutions).unwrap();
    let status = Command::new("latexmk")
        .current_dir(&alone)
        .args([
            "-pdf",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-quiet",
        ])
        .arg("solutions.tex")
        .output()
        .expect("latexmk runs");
    assert!(
        status.status.success(),
        "solutions.tex does not compile without figures/:\n{}",
        String::from_utf8_lossy(&status.stdout)
    );
    assert!(alone.join("solutions.pdf").exists());
}

/// A small class for the random exam: a Đ to search for, a 59-character name (which
/// once ran into the header's course title), and one long enough to wrap in the header.
const CLASS: &str = "id,name
0036500000,Đurđica Đurđević
0036500001,Katarina-Marija Đurđević-Šimunović Grgić-Radojčić Tomašević
0036500002,Anđela-Katarina Ćosić Blažević-Knežević Vuković-Matijević Grgić-Radojčić Perić-Šimunović Žagar
";

/// What a LaTeX log has to say that a lecturer would not want: every warning, and every
/// overfull box more than 1 pt too wide or too high (TeX reports the amount in points).
pub(super) fn log_complaints(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| {
            if line.contains("Warning") {
                return true;
            }
            let Some(rest) = line.strip_prefix("Overfull \\") else {
                return false;
            };
            let amount = rest
                .split_once('(')
                .and_then(|(_, r)| r.split_once("pt"))
                .and_then(|(n, _)| n.parse::<f64>().ok());
            amount.is_none_or(|pt| pt > 1.0)
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn log_complaints_are_warnings_and_overfull_boxes_over_a_point() {
    let log = "Package fancyhdr Warning: \\headheight is too small (12.0pt):\n\
               Overfull \\hbox (4.13405pt too wide) in paragraph at lines 83--84\n\
               Overfull \\hbox (0.5pt too wide) in paragraph at lines 1--2\n\
               Overfull \\vbox (12.0pt too high) has occurred while \\output is active\n\
               Underfull \\hbox (badness 10000) in paragraph at lines 5--6\n\
               (./exam.aux)\n";
    assert_eq!(
        log_complaints(log),
        [
            "Package fancyhdr Warning: \\headheight is too small (12.0pt):",
            "Overfull \\hbox (4.13405pt too wide) in paragraph at lines 83--84",
            "Overfull \\vbox (12.0pt too high) has occurred while \\output is active",
        ]
    );
}

/// Every `.log` of a `--pdf` output directory: the sheets' and the shared figures'.
pub(super) fn logs(out: &Path) -> Vec<PathBuf> {
    let mut logs = Vec::new();
    for dir in [out.join(".build"), out.join("figures").join(".build")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "log") {
                logs.push(path);
            }
        }
    }
    logs.sort();
    logs
}

fn pdftotext(pdf: &Path, layout: bool) -> String {
    let mut command = Command::new("pdftotext");
    if layout {
        command.arg("-layout");
    }
    let out = command.arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext {} failed", pdf.display());
    String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
}

/// The Python listings of a sheet's `.tex`, each as its lines.
fn listings(tex: &str) -> Vec<Vec<String>> {
    tex.split("\\begin{codelisting}[language=Python]\n")
        .skip(1)
        .map(|rest| {
            let body = rest
                .split("\\end{codelisting}")
                .next()
                .expect("a listing ends");
            body.trim_end()
                .lines()
                .map(|l| l.trim_end().to_string())
                .collect()
        })
        .collect()
}

/// The listing as `pdftotext -layout` gives it back: the lines from the listing's first
/// line on, with the page's left margin removed.
fn copied_listing(text: &str, listing: &[String]) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == listing[0].trim())
        .unwrap_or_else(|| panic!("the PDF text lacks the listing's line {:?}", listing[0]));
    let copied = &lines[start..(start + listing.len()).min(lines.len())];
    let margin = copied
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    copied
        .iter()
        .map(|l| l.get(margin..).unwrap_or("").trim_end().to_string())
        .collect()
}

/// Runs `code` in `python3`; the numpy `Layer` class gets a base class and a call of its
/// three methods, the PyTorch check runs when torch is installed and is compiled
/// otherwise.
fn run_python(dir: &Path, name: &str, code: &str) {
    let script = if let Some(class) = code
        .strip_prefix("class ")
        .and_then(|r| r.split_once("(Layer)"))
        .map(|(c, _)| c.to_string())
    {
        format!(
            "import numpy as np\n\nclass Layer:\n    pass\n\n{code}\n\
             layer = {class}()\n\
             x = np.linspace(-3.0, 3.0, 12).reshape(3, 4)\n\
             y = layer.forward(x)\n\
             dx = layer.backward_inputs(np.ones_like(x))\n\
             assert y.shape == x.shape and dx.shape == x.shape\n\
             assert layer.backward_params(None) is None\n"
        )
    } else {
        let has_torch = Command::new("python3")
            .args(["-c", "import torch"])
            .output()
            .is_ok_and(|o| o.status.success());
        if has_torch {
            code.to_string()
        } else {
            format!("compile({code:?}, {name:?}, \"exec\")\n")
        }
    };
    let path = dir.join(format!("{name}.py"));
    std::fs::write(&path, script).unwrap();
    let out = Command::new("python3")
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{name}: the listing copied out of the PDF does not run:\n{}\n{}",
        std::fs::read_to_string(&path).unwrap(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The acceptance, on a class small enough for CI: the 2022 exam and three
/// students of the random exam compile with no LaTeX warning and no overfull box over
/// 1 pt; a name with Đ is found in the PDF's text; every code listing copies out of the
/// PDF (`pdftotext -layout`) as exactly its source, and runs.
#[test]
fn class_sheets_compile_cleanly_and_their_code_copies_out() {
    let test = "pdf::class_sheets_compile_cleanly";
    for tool in ["latexmk", "pdftotext", "python3"] {
        if !on_path(tool) {
            skip_or_fail(test, &format!("{tool} is not on PATH"));
            return;
        }
    }
    let dir = Scratch::new("pdf-class");
    let class = dir.write("class.csv", CLASS);
    let random = dir.join("random");
    let spec = root().join("variants").join("du1-random.yaml");
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--students",
        class.to_str().unwrap(),
        "--seed",
        "3",
        "--out",
        random.to_str().unwrap(),
        "--pdf",
    ]);
    let exam_2022 = dir.join("2022");
    generate_pdf(&exam_2022);

    let mut complaints = Vec::new();
    for out in [&random, &exam_2022] {
        let logs = logs(out);
        assert!(logs.len() >= 2, "no LaTeX logs in {}", out.display());
        for log in logs {
            let text = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
            for c in log_complaints(&text) {
                complaints.push(format!("{}: {c}", log.display()));
            }
        }
    }
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));

    let first = random.join("0036500000-solutions.pdf");
    assert!(
        pdftotext(&first, false).contains("Đurđević"),
        "searching the PDF for Đurđević finds nothing"
    );

    let mut sheets = vec![exam_2022.join("solutions")];
    for id in ["0036500000", "0036500001", "0036500002"] {
        sheets.push(random.join(format!("{id}-solutions")));
    }
    let mut run = 0;
    for sheet in sheets {
        let tex = std::fs::read_to_string(sheet.with_extension("tex")).unwrap();
        let text = pdftotext(&sheet.with_extension("pdf"), true);
        for (i, listing) in listings(&tex).iter().enumerate() {
            assert_eq!(
                copied_listing(&text, listing),
                *listing,
                "{}: listing {i} copies out of the PDF differently",
                sheet.display()
            );
            run_python(
                dir.path.as_path(),
                &format!("listing{run}"),
                &listing.join("\n"),
            );
            run += 1;
        }
    }
    assert_eq!(run, 8, "each solution sheet has two listings");
}

/// A scratch directory `name` with wrappers for `pdflatex` and `latexmk` that log each
/// call (its arguments, one line, after `[compressed format] ` or `[inflated format] `
/// when it starts from a format) to `$TEX_CALLS` and then run the real program, and the
/// PATH that puts them first; None (`test` skipped, or failed under CI) without pdflatex.
fn logging_tex(test: &str, name: &str) -> Option<(Scratch, String)> {
    if !on_path("pdflatex") {
        skip_or_fail(test, "pdflatex is not on PATH (install TeX Live)");
        return None;
    }
    let dir = Scratch::new(name);
    let bin = dir.join("logging-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let real_path = std::env::var("PATH").unwrap_or_default();
    for tool in ["pdflatex", "latexmk"] {
        let script = bin.join(tool);
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\n\
                 state=\n\
                 for a; do case \"$a\" in -fmt=*)\n\
                   magic=$(head -c 2 \"${{a#-fmt=}}.fmt\" | od -An -tx1 | tr -d ' \\n')\n\
                   if [ \"$magic\" = 1f8b ]; then state='[compressed format] '; else state='[inflated format] '; fi;;\n\
                 esac; done\n\
                 printf '%s\\n' \"${{state}}{tool} $*\" >> \"$TEX_CALLS\"\n\
                 PATH='{real_path}' exec {tool} \"$@\"\n"
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{real_path}", bin.display());
    Some((dir, path))
}

/// Issue 13: every sheet is one pdflatex pass started from one preloaded preamble (one
/// `pdflatex -ini` per run), latexmk is not called, and the sheets' logs name the format.
#[test]
fn sheets_compile_in_one_pass_from_one_preloaded_preamble() {
    let test = "pdf::sheets_compile_in_one_pass_from_one_preloaded_preamble";
    let Some((dir, path)) = logging_tex(test, "pdf-one-pass") else {
        return;
    };
    let calls = dir.join("calls.txt");
    let out = dir.join("out");
    let spec = root().join("variants/du1-random.yaml");
    let o = Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(["generate", "--count", "3", "--pdf", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(&out)
        .env("PATH", &path)
        .env("TEX_CALLS", &calls)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        !err.contains("preloaded"),
        "no note when the format is made: {err}"
    );
    let calls = std::fs::read_to_string(&calls).unwrap();
    let lines: Vec<&str> = calls.lines().collect();
    let ini: Vec<&&str> = lines.iter().filter(|l| l.contains(" -ini ")).collect();
    assert_eq!(ini.len(), 1, "one format per run:\n{calls}");
    assert!(!calls.contains("latexmk"), "latexmk ran:\n{calls}");
    let sheets: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tex"))
        .collect();
    assert_eq!(sheets.len(), 6, "{sheets:?}");
    let format = ini[0]
        .split_whitespace()
        .find_map(|a| a.strip_prefix("-jobname="))
        .unwrap()
        .to_string();
    // The format is tried once inflated (it loads faster so) before any sheet starts.
    let probe = lines
        .iter()
        .position(|l| l.contains(&format!("-fmt={format}-loose ")));
    let first_sheet = lines
        .iter()
        .position(|l| sheets.iter().any(|s| l.ends_with(&format!(" {s}"))));
    assert!(
        probe.is_some_and(|p| first_sheet.is_some_and(|s| p < s)),
        "no start from the inflated format before the sheets:\n{calls}"
    );
    for sheet in &sheets {
        let passes: Vec<&&str> = lines
            .iter()
            .filter(|l| l.ends_with(&format!(" {sheet}")))
            .collect();
        assert_eq!(
            passes.len(),
            1,
            "{sheet} took {} passes:\n{calls}",
            passes.len()
        );
        assert!(
            passes[0].contains(&format!("-fmt=.build/{format}")),
            "{sheet} did not start from the format:\n{calls}"
        );
        assert!(
            passes[0].starts_with("[inflated format] "),
            "{sheet} did not start from the inflated format:\n{calls}"
        );
        let log = std::fs::read_to_string(out.join(".build").join(sheet.replace(".tex", ".log")))
            .unwrap();
        assert!(
            log.lines()
                .next()
                .is_some_and(|l| l.contains(&format!("preloaded format={format}"))),
            "{sheet}'s log: {}",
            log.lines().next().unwrap_or_default()
        );
        let pdf = out.join(sheet.replace(".tex", ".pdf"));
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    }
    // The format's own log is kept with the others; the format file is not.
    assert!(out.join(".build").join(format!("{format}.log")).exists());
    assert!(!out.join(".build").join(format!("{format}.fmt")).exists());
}

/// Issue 13: the pages are the same whether a sheet starts from the preloaded preamble or
/// loads its packages itself (`EXAMGEN_PRELOAD=0`): the same text on the same pages.
#[test]
fn the_preloaded_preamble_changes_nothing_on_the_page() {
    let test = "pdf::the_preloaded_preamble_changes_nothing_on_the_page";
    if !on_path("pdflatex") || !on_path("pdftotext") {
        skip_or_fail(test, "pdflatex or pdftotext is not on PATH");
        return;
    }
    let dir = Scratch::new("pdf-preload-same");
    let spec = root().join("variants/du1-random.yaml");
    let run = |name: &str, preload: &str| {
        let out = dir.join(name);
        let o = Command::new(env!("CARGO_BIN_EXE_examgen"))
            .args(["generate", "--count", "2", "--pdf", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(&out)
            .env("EXAMGEN_PRELOAD", preload)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let (with, without) = (run("with", "1"), run("without", "0"));
    let mut compared = 0;
    for entry in std::fs::read_dir(&with).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".pdf") {
            continue;
        }
        let a = pdftotext(&with.join(&name), true);
        let b = pdftotext(&without.join(&name), true);
        assert!(a.len() > 200, "{name}: {a}");
        assert_eq!(a, b, "{name} reads differently with the preloaded preamble");
        compared += 1;
    }
    assert_eq!(compared, 4);
    // Without the format, no sheet's log names one.
    for entry in std::fs::read_dir(without.join(".build")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("preloaded format=preamble-"),
            "{}",
            path.display()
        );
    }
}

/// Issue 13: on a terminal a PDF run shows a progress bar with the count, the rate and
/// the time left (run under `script`, which gives examgen a pseudo-terminal).
#[test]
fn a_pdf_run_on_a_terminal_shows_a_progress_bar() {
    let test = "pdf::a_pdf_run_on_a_terminal_shows_a_progress_bar";
    if !on_path("pdflatex") || !on_path("script") {
        skip_or_fail(test, "pdflatex or script (util-linux) is not on PATH");
        return;
    }
    let dir = Scratch::new("pdf-progress");
    let out = dir.join("out");
    let command = format!(
        "'{}' generate --count 2 --pdf --spec '{}' --out '{}'",
        env!("CARGO_BIN_EXE_examgen"),
        spec_2022().display(),
        out.display()
    );
    let o = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    let seen = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{seen}");
    assert!(seen.contains("compiling sheets ["), "{seen}");
    assert!(seen.contains("/4 "), "the count of 4 sheets: {seen}");
    assert!(seen.contains(" left"), "the time left: {seen}");
    assert!(seen.contains("done: 2 variants"), "{seen}");
}

/// Issue 13: a single exam (two documents) is not worth a format: both sheets load their
/// own preamble, and no format is made.
#[test]
fn a_single_exam_compiles_without_a_format() {
    let test = "pdf::a_single_exam_compiles_without_a_format";
    if !on_path("pdflatex") {
        skip_or_fail(test, "pdflatex is not on PATH (install TeX Live)");
        return;
    }
    let dir = Scratch::new("pdf-single-no-format");
    let out = dir.join("out");
    generate_pdf(&out);
    let logs: Vec<String> = std::fs::read_dir(out.join(".build"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(logs.contains(&"exam.log".to_string()), "{logs:?}");
    assert!(
        !logs.iter().any(|l| l.starts_with("preamble-")),
        "a format for two sheets: {logs:?}"
    );
    let log = std::fs::read_to_string(out.join(".build/exam.log")).unwrap();
    assert!(!log.contains("preloaded format=preamble-"));
}

/// Issue 13: the shared figures of a run (here 12 students' activation plots) also start
/// from a preloaded preamble of their own, and their PDFs are byte-identical to those
/// compiled from their own preamble (`EXAMGEN_PRELOAD=0`).
#[test]
fn figures_start_from_their_own_preloaded_preamble_and_are_unchanged_by_it() {
    let test = "pdf::figures_start_from_their_own_preloaded_preamble_and_are_unchanged_by_it";
    let Some((dir, path)) = logging_tex(test, "pdf-figure-format") else {
        return;
    };
    let spec = root().join("variants/du1-random.yaml");
    let run = |name: &str, preload: &str| {
        let out = dir.join(name);
        let calls = dir.join(&format!("{name}-calls.txt"));
        let o = Command::new(env!("CARGO_BIN_EXE_examgen"))
            .args(["generate", "--count", "12", "--pdf", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(&out)
            .env("PATH", &path)
            .env("TEX_CALLS", &calls)
            .env("EXAMGEN_PRELOAD", preload)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (out, std::fs::read_to_string(&calls).unwrap())
    };
    let ((with, calls), (without, _)) = (run("with", "1"), run("without", "0"));
    let figures: Vec<String> = std::fs::read_dir(with.join("figures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    assert!(figures.len() >= 4, "enough figures to share: {figures:?}");
    let ini = calls.lines().filter(|l| l.contains(" -ini ")).count();
    assert_eq!(
        ini, 2,
        "one format for the sheets, one for the figures:\n{calls}"
    );
    for figure in &figures {
        let tex = figure.replace(".pdf", ".tex");
        let passes: Vec<&str> = calls
            .lines()
            .filter(|l| l.ends_with(&format!(" {tex}")))
            .collect();
        assert_eq!(passes.len(), 1, "{tex}:\n{calls}");
        assert!(
            passes[0].contains("-fmt=.build/preamble-"),
            "{tex}:\n{calls}"
        );
        assert_eq!(
            std::fs::read(with.join("figures").join(figure)).unwrap(),
            std::fs::read(without.join("figures").join(figure)).unwrap(),
            "{figure} differs with the preloaded preamble"
        );
    }
}
