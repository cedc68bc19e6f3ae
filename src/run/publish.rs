//! The end of every writing command: compile the staged documents (with `--pdf`), then
//! install everything into the output directory all or nothing.

use std::path::Path;

use super::student::Figures;
use super::{Output, Report};
use crate::error::{Error, Result};
use crate::export::files::Staging;
use crate::export::pdf;
use crate::export::print;
use crate::render::figure::FIGURES_DIR;

/// Compiles the staged documents (with `--pdf`), moves everything into the output
/// directory, and reports TeX problems with the final paths. Gives the number of sheet
/// PDFs made (`None` without `--pdf`).
pub(super) fn publish(
    mut staging: Staging,
    stems: &[String],
    figures: &Figures,
    out: &Output,
    report: &mut Report,
    warn: &mut dyn FnMut(&str),
) -> Result<Option<usize>> {
    let mut failures = Vec::new();
    let mut missing = None;
    let mut sheet_pdfs = 0;
    let mut printed = 0;
    if out.pdf {
        // What the commit would refuse (a link, a directory in the way) is refused now,
        // not after every document has compiled: the PDFs and logs LaTeX may make count.
        let figure_files = figures.stems.iter().flat_map(|s| {
            [
                format!("{FIGURES_DIR}/{s}.pdf"),
                format!("{FIGURES_DIR}/{}/{s}.log", crate::export::files::BUILD_DIR),
            ]
        });
        let sheet_files = stems.iter().flat_map(|s| {
            [
                format!("{s}.pdf"),
                format!("{}/{s}.log", crate::export::files::BUILD_DIR),
            ]
        });
        let print_files = if out.print {
            print::stage(&mut staging, stems)?
        } else {
            Vec::new()
        };
        staging.check_ahead(
            &figure_files
                .chain(sheet_files)
                .chain(print_files)
                .collect::<Vec<_>>(),
        )?;
        // Shared figures first, once each; the sheets then include their PDFs.
        let base = staging.dir().to_path_buf();
        let progress = pdf::progress_wanted();
        let runs = [
            (
                base.join(FIGURES_DIR),
                figures.stems.clone(),
                format!("{FIGURES_DIR}/"),
                "figures",
            ),
            (base, stems.to_vec(), String::new(), "sheets"),
        ];
        let mut noted = false;
        let mut note = |n: Option<String>, report: &mut Report| {
            if let (Some(n), false) = (n, noted) {
                noted = true;
                warn(&n);
                report.warnings.push(n);
            }
        };
        for (dir, names, prefix, what) in runs {
            if names.is_empty() || missing.is_some() {
                continue;
            }
            match pdf::compile_all(&dir, &names, out.jobs, progress.then_some(what)) {
                Ok(c) => {
                    failures.extend(c.failures);
                    note(c.note, report);
                }
                Err(e) => missing = Some(e),
            }
            for stem in &names {
                let name = format!("{prefix}{stem}.pdf");
                if staging.dir().join(&name).exists() {
                    staging.adopt(&name);
                    sheet_pdfs += usize::from(prefix.is_empty());
                }
            }
        }
        // The print documents include the sheets' PDFs: only when every sheet compiled.
        if out.print && missing.is_none() && failures.is_empty() {
            printed = print::COUNT;
            match print::compile(&mut staging, out.jobs) {
                Ok(c) => {
                    failures.extend(c.failures);
                    note(c.note, report);
                }
                Err(e) => missing = Some(e),
            }
        }
    }
    let dir = staging.out().to_path_buf();
    let staged = staging.dir().to_path_buf();
    staging.commit(|path| report.written.push(path))?;
    if let Some(e) = missing {
        // The message names the output directory, not the staging directory.
        return Err(match e {
            Error::TexMissing { message } => Error::TexMissing {
                message: message
                    .replace(
                        &staged.join(FIGURES_DIR).display().to_string(),
                        &dir.display().to_string(),
                    )
                    .replace(&staged.display().to_string(), &dir.display().to_string()),
            },
            other => other,
        });
    }
    if !failures.is_empty() {
        // Paths in the staging directory become the same paths in the output directory.
        let relocate = |p: &Path| match p.strip_prefix(&staged) {
            Ok(rest) => dir.join(rest),
            Err(_) => p.to_path_buf(),
        };
        return Err(Error::TexFailures {
            total: stems.len() + figures.stems.len() + printed,
            failures: failures
                .into_iter()
                .map(|f| crate::error::TexFailure {
                    path: relocate(&f.path),
                    log: relocate(&f.log),
                    first_error: f.first_error,
                })
                .collect(),
        });
    }
    Ok(out.pdf.then_some(sheet_pdfs))
}
