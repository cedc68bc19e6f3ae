//! PDFs through a real LaTeX engine: pdflatex, one pass per document (latexmk only when a
//! document asks for more), never with shell escape.
//!
//! Each document is compiled in `<out>/.build/` and the PDF is renamed into `<out>` only
//! when LaTeX succeeded, so a failed run leaves no broken PDF beside the `.tex`. The
//! documents switch off PDF dates and trailer ids themselves; `SOURCE_DATE_EPOCH` is
//! also fixed, so the same `.tex` gives the same bytes.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::files::{move_into_place, BUILD_DIR};
use super::interrupt;
use super::tex_format;
use crate::error::{Error, Result, TexFailure};

/// What to install when no TeX engine is found (Debian/Ubuntu package names).
pub const TEX_PACKAGES: &str =
    "texlive-latex-base texlive-latex-recommended texlive-pictures texlive-lang-european texlive-lang-cyrillic texlive-lang-greek latexmk";

/// The directory that holds LaTeX's auxiliary files and logs.
pub fn build_dir(out: &Path) -> PathBuf {
    out.join(BUILD_DIR)
}

/// Compiles `<out>/<stem>.tex` to `<out>/<stem>.pdf`: one pdflatex pass, from the
/// preloaded preamble `format` (see [`super::tex_format`]) when there is one. A document
/// whose log asks for another pass (cross-references, which examgen's sheets do not have)
/// is compiled again by latexmk, which reruns pdflatex until the output is final.
pub fn compile(out: &Path, stem: &str, format: Option<&str>) -> Result<PathBuf> {
    let build = build_dir(out);
    std::fs::create_dir_all(&build).map_err(|source| Error::Write {
        path: build.clone(),
        source,
    })?;
    let tex = format!("{stem}.tex");
    let mut command = Command::new("pdflatex");
    command.current_dir(out);
    if let Some(format) = format {
        command.arg(format!("-fmt={BUILD_DIR}/{format}"));
    }
    command
        .args(PDFLATEX_OPTIONS)
        .arg(format!("-output-directory={BUILD_DIR}"))
        .arg(&tex);
    let status = run(&mut command, out, &tex, "pdflatex")?;
    let log = build.join(format!("{stem}.log"));
    if status.success() && asks_for_another_pass(&log) {
        let mut command = Command::new("latexmk");
        command.current_dir(out).args([
            "-pdf",
            "-norc",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-file-line-error",
            "-quiet",
            &format!("-outdir={BUILD_DIR}"),
            &format!("-pdflatex=pdflatex {} %O %S", PDFLATEX_OPTIONS.join(" ")),
            &tex,
        ]);
        let status = run(&mut command, out, &tex, "latexmk")?;
        return finish(out, stem, status.success());
    }
    finish(out, stem, status.success())
}

/// pdflatex's options for every document: never shell escape, stop at the first error.
const PDFLATEX_OPTIONS: [&str; 4] = [
    "-no-shell-escape",
    "-interaction=nonstopmode",
    "-halt-on-error",
    "-file-line-error",
];

/// Runs a LaTeX program with reproducible dates, in a process group of its own (so that
/// Ctrl-C can kill it and its children), with nothing on the terminal.
fn run(
    command: &mut Command,
    out: &Path,
    tex: &str,
    program: &str,
) -> Result<std::process::ExitStatus> {
    command
        .env("SOURCE_DATE_EPOCH", "0")
        .env("FORCE_SOURCE_DATE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let status = interrupt::run(command);
    match status {
        Ok(status) => Ok(status),
        Err(e) if e.kind() == ErrorKind::NotFound => Err(Error::TexMissing {
            message: missing_message(program, out),
        }),
        Err(source) => Err(Error::Write {
            path: out.join(tex),
            source,
        }),
    }
}

/// What to say when a TeX program is not on PATH.
pub fn missing_message(program: &str, out: &Path) -> String {
    format!(
        "{program} was not found on PATH, so no PDF was made; the .tex files are in {}.\n  \
         Install TeX Live, e.g. `sudo apt-get install {TEX_PACKAGES}`, and run again with --pdf.",
        out.display()
    )
}

/// Whether a LaTeX log asks for another pass: labels or references that changed, or
/// a package's "Rerun" request.
fn asks_for_another_pass(log: &Path) -> bool {
    let Ok(bytes) = std::fs::read(log) else {
        return false;
    };
    let text = String::from_utf8_lossy(&bytes);
    [
        "Rerun to get",
        "Rerun LaTeX",
        "rerun LaTeX",
        "Label(s) may have changed",
        "There were undefined references",
    ]
    .iter()
    .any(|phrase| text.contains(phrase))
}

/// After LaTeX: the PDF into place, or the failure with the log's first error.
fn finish(out: &Path, stem: &str, succeeded: bool) -> Result<PathBuf> {
    let build = build_dir(out);
    let log = build.join(format!("{stem}.log"));
    let built = build.join(format!("{stem}.pdf"));
    if !succeeded || !built.exists() {
        return Err(Error::TexFailed {
            path: out.join(format!("{stem}.tex")),
            first_error: first_error(&log),
            log,
        });
    }
    let pdf = out.join(format!("{stem}.pdf"));
    move_into_place(&built, &pdf)?;
    Ok(pdf)
}

/// The first error of a LaTeX log ("! ..." or "file:line: ...") with the line it points at.
pub fn first_error(log: &Path) -> String {
    let Ok(bytes) = std::fs::read(log) else {
        return "LaTeX did not write a log".into();
    };
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    let is_error = |l: &str| {
        l.starts_with("! ")
            || l.split(':')
                .nth(1)
                .is_some_and(|n| n.parse::<u32>().is_ok() && l.contains(".tex:"))
    };
    match lines.iter().position(|l| is_error(l)) {
        Some(i) => {
            let context = lines[i + 1..]
                .iter()
                .find(|l| l.starts_with("l."))
                .map(|l| format!(" ({})", l.trim()))
                .unwrap_or_default();
            format!("{}{context}", lines[i].trim())
        }
        None => "see the log".into(),
    }
}

/// What a batch of documents came to.
#[derive(Debug, Default)]
pub struct Compiled {
    /// The documents that did not compile, in the order of the stems.
    pub failures: Vec<TexFailure>,
    /// Something to tell the user once (the preamble could not be preloaded).
    pub note: Option<String>,
}

/// Compiles `<dir>/<stem>.tex` for every stem on `jobs` threads, the sheets that share a
/// preamble from one preloaded format. A TeX failure of one document does not stop the
/// others; a missing TeX engine stops everything at once (every document would fail).
/// With `progress` (`Some(what)`), a bar with the count, the rate and the time left is
/// shown on standard error while the documents compile.
pub fn compile_all(
    dir: &Path,
    stems: &[String],
    jobs: usize,
    progress: Option<&str>,
) -> Result<Compiled> {
    let bar = match progress {
        Some(what) if !stems.is_empty() => bar(what, stems.len()),
        _ => ProgressBar::hidden(),
    };
    let preloaded = tex_format::prepare(dir, stems, || bar.set_message("(preloading)"));
    bar.set_message("");
    bar.reset_eta();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let missing: Mutex<Option<Error>> = Mutex::new(None);
    let failures: Mutex<Vec<(usize, TexFailure)>> = Mutex::new(Vec::new());
    let spawned = std::thread::scope(|scope| -> std::io::Result<()> {
        for _ in 0..jobs.clamp(1, stems.len().max(1)) {
            let worker = || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= stems.len() || stop.load(Ordering::SeqCst) {
                    break;
                }
                match compile(dir, &stems[i], preloaded.formats[i].as_deref()) {
                    Ok(_) => {}
                    Err(Error::TexFailed {
                        path,
                        log,
                        first_error,
                    }) => failures.lock().expect("no thread panics holding it").push((
                        i,
                        TexFailure {
                            path,
                            log,
                            first_error,
                        },
                    )),
                    Err(other) => {
                        stop.store(true, Ordering::SeqCst);
                        missing
                            .lock()
                            .expect("no thread panics holding it")
                            .get_or_insert(other);
                    }
                }
                bar.inc(1);
            };
            if let Err(e) = std::thread::Builder::new().spawn_scoped(scope, worker) {
                // The threads already running stop after their current document.
                stop.store(true, Ordering::SeqCst);
                return Err(e);
            }
        }
        Ok(())
    });
    bar.finish_and_clear();
    if let Err(source) = spawned {
        return Err(Error::PdfThread { source });
    }
    if let Some(e) = missing.into_inner().expect("threads have ended") {
        return Err(e);
    }
    let mut failures = failures.into_inner().expect("threads have ended");
    failures.sort_by_key(|(i, _)| *i);
    Ok(Compiled {
        failures: failures.into_iter().map(|(_, f)| f).collect(),
        note: preloaded.note,
    })
}

/// The progress bar of a PDF run: `compiling sheets [=====>    ] 37/80 1.9/s 23s left`.
/// indicatif draws nothing when standard error is not a terminal.
fn bar(what: &str, total: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "compiling {prefix} [{bar:24.cyan/blue}] {pos}/{len} {per_sec} {eta} left {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(what.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(250));
    bar
}

/// Whether a progress counter should be shown (standard error is a terminal).
pub fn progress_wanted() -> bool {
    std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("examgen-pdf-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_log_that_asks_for_a_rerun_is_recognised() {
        let dir = scratch("rerun-log");
        let log = dir.join("a.log");
        for (text, rerun) in [
            ("LaTeX Warning: Label(s) may have changed. Rerun to get cross-references right.", true),
            ("Package rerunfilecheck Warning: File `a.out' has changed.\n(rerunfilecheck) Rerun to get outlines right", true),
            ("LaTeX Warning: There were undefined references.", true),
            ("Output written on .build/a.pdf (2 pages, 1234 bytes).", false),
        ] {
            std::fs::write(&log, text).unwrap();
            assert_eq!(asks_for_another_pass(&log), rerun, "{text}");
        }
        assert!(!asks_for_another_pass(&dir.join("missing.log")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A document with a cross-reference needs a second pass: the first pass's log asks
    /// for it and latexmk makes the final PDF. Needs TeX Live (skips without it, fails
    /// under CI=true).
    #[test]
    fn a_document_with_a_cross_reference_is_compiled_to_the_end() {
        let found = |tool: &str| {
            std::env::var_os("PATH")
                .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        };
        if !(found("pdflatex") && found("latexmk") && found("pdftotext")) {
            assert!(
                std::env::var("CI").is_err(),
                "pdflatex, latexmk and pdftotext are needed under CI"
            );
            eprintln!("skipped: TeX Live or poppler is not on PATH");
            return;
        }
        let dir = scratch("rerun");
        std::fs::write(
            dir.join("ref.tex"),
            "\\documentclass{article}\n\\pdfinfoomitdate=1 \\pdftrailerid{}\n\\begin{document}\n\
             See section~\\ref{s}.\n\\section{Here}\\label{s}\nText.\n\\end{document}\n",
        )
        .unwrap();
        let pdf = compile(&dir, "ref", None).unwrap();
        let text = Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("See section 1."), "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
