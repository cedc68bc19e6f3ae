//! PDFs through a real LaTeX engine: latexmk driving pdflatex, never with shell escape.
//!
//! Each document is compiled in `<out>/.build/` and the PDF is renamed into `<out>` only
//! when LaTeX succeeded, so a failed run leaves no broken PDF beside the `.tex`. The
//! documents switch off PDF dates and trailer ids themselves; `SOURCE_DATE_EPOCH` is
//! also fixed, so the same `.tex` gives the same bytes.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::files::{move_into_place, BUILD_DIR};
use super::interrupt;
use crate::error::{Error, Result, TexFailure};

/// What to install when no TeX engine is found (Debian/Ubuntu package names).
pub const TEX_PACKAGES: &str =
    "texlive-latex-base texlive-latex-recommended texlive-pictures texlive-lang-european texlive-lang-cyrillic texlive-lang-greek latexmk";

/// The directory that holds LaTeX's auxiliary files and logs.
pub fn build_dir(out: &Path) -> PathBuf {
    out.join(BUILD_DIR)
}

/// Compiles `<out>/<stem>.tex` to `<out>/<stem>.pdf`.
pub fn compile(out: &Path, stem: &str) -> Result<PathBuf> {
    let build = build_dir(out);
    std::fs::create_dir_all(&build).map_err(|source| Error::Write {
        path: build.clone(),
        source,
    })?;
    let tex = format!("{stem}.tex");
    let mut command = Command::new("latexmk");
    command
        .current_dir(out)
        .args([
            "-pdf",
            "-norc",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-file-line-error",
            "-quiet",
            "-outdir=.build",
            // keep in step with BUILD_DIR
            "-pdflatex=pdflatex -no-shell-escape -interaction=nonstopmode -halt-on-error -file-line-error %O %S",
            &tex,
        ])
        .env("SOURCE_DATE_EPOCH", "0")
        .env("FORCE_SOURCE_DATE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // In a process group of its own, so that Ctrl-C can kill pdflatex with it.
    let status = interrupt::spawn(&mut command).and_then(|mut child| {
        let status = child.wait();
        interrupt::finished(&child);
        status
    });
    let status = match status {
        Ok(status) => status,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(Error::TexMissing {
                message: format!(
                    "latexmk was not found on PATH, so no PDF was made; the .tex files are in {}.\n  \
                     Install TeX Live, e.g. `sudo apt-get install {TEX_PACKAGES}`, and run again with --pdf.",
                    out.display()
                ),
            })
        }
        Err(source) => {
            return Err(Error::Write {
                path: out.join(&tex),
                source,
            })
        }
    };
    let log = build.join(format!("{stem}.log"));
    let built = build.join(format!("{stem}.pdf"));
    if !status.success() || !built.exists() {
        return Err(Error::TexFailed {
            path: out.join(&tex),
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

/// Compiles `<dir>/<stem>.tex` for every stem on `jobs` threads. A TeX failure of one
/// document does not stop the others; the failures are returned, in the order of
/// `stems`. A missing TeX engine stops everything at once (every document would fail).
/// With `progress`, a counter is shown on standard error.
pub fn compile_all(
    dir: &Path,
    stems: &[String],
    jobs: usize,
    progress: bool,
) -> Result<Vec<TexFailure>> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let missing: Mutex<Option<Error>> = Mutex::new(None);
    let failures: Mutex<Vec<(usize, TexFailure)>> = Mutex::new(Vec::new());
    let show = |k: usize| {
        if progress {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\rcompiling PDFs: {k}/{}", stems.len());
            let _ = err.flush();
        }
    };
    show(0);
    let spawned = std::thread::scope(|scope| -> std::io::Result<()> {
        for _ in 0..jobs.clamp(1, stems.len().max(1)) {
            let worker = || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= stems.len() || stop.load(Ordering::SeqCst) {
                    break;
                }
                match compile(dir, &stems[i]) {
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
                show(done.fetch_add(1, Ordering::SeqCst) + 1);
            };
            if let Err(e) = std::thread::Builder::new().spawn_scoped(scope, worker) {
                // The threads already running stop after their current document.
                stop.store(true, Ordering::SeqCst);
                return Err(e);
            }
        }
        Ok(())
    });
    if progress {
        let _ = writeln!(std::io::stderr());
    }
    if let Err(source) = spawned {
        return Err(Error::PdfThread { source });
    }
    if let Some(e) = missing.into_inner().expect("threads have ended") {
        return Err(e);
    }
    let mut failures = failures.into_inner().expect("threads have ended");
    failures.sort_by_key(|(i, _)| *i);
    Ok(failures.into_iter().map(|(_, f)| f).collect())
}

/// Whether a progress counter should be shown (standard error is a terminal).
pub fn progress_wanted() -> bool {
    std::io::stderr().is_terminal()
}
