//! The figures of `moodle.xml` as PNG images: Moodle shows no TikZ, and an imported
//! question carries its images inside the XML. All figures of a run are set in one
//! pdflatex document, one page each, cut to the figure as the shared figures of
//! `render::figure` are, and `pdftoppm` turns the pages into PNGs: one LaTeX run for
//! the whole class instead of one per figure.

use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};
use crate::render::figure::Figure;

/// Resolution of the images: the plots' 0.6 pt lines stay sharp on a screen.
const DPI: &str = "150";

/// The PNG bytes of each figure, in the order given; `work` is a scratch directory
/// (created, and removed afterwards).
pub fn render_png(figures: &[Figure], work: &Path) -> Result<Vec<Vec<u8>>> {
    if figures.is_empty() {
        return Ok(Vec::new());
    }
    let result = render_in(figures, work);
    let _ = std::fs::remove_dir_all(work);
    result
}

fn render_in(figures: &[Figure], work: &Path) -> Result<Vec<Vec<u8>>> {
    std::fs::create_dir_all(work).map_err(|source| Error::Write {
        path: work.to_path_buf(),
        source,
    })?;
    let tex = work.join("figures.tex");
    std::fs::write(&tex, document(figures)).map_err(|source| Error::Write {
        path: tex.clone(),
        source,
    })?;
    run(
        Command::new("pdflatex")
            .args([
                "-no-shell-escape",
                "-interaction=nonstopmode",
                "-halt-on-error",
                "figures.tex",
            ])
            .current_dir(work),
        "pdflatex",
        work,
    )?;
    run(
        Command::new("pdftoppm")
            .args(["-png", "-r", DPI, "figures.pdf", "page"])
            .current_dir(work),
        "pdftoppm",
        work,
    )?;
    // pdftoppm pads the page numbers to the width of the last one: page-01.png, …
    let mut pages: Vec<(usize, std::path::PathBuf)> = std::fs::read_dir(work)
        .map_err(|source| Error::Write {
            path: work.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?.strip_prefix("page-")?.to_string();
            (p.extension()? == "png").then_some((stem.parse().ok()?, p))
        })
        .collect();
    pages.sort();
    if pages.len() != figures.len() {
        return Err(Error::Moodle {
            message: format!(
                "pdftoppm made {} images of {} figures; is poppler-utils complete?",
                pages.len(),
                figures.len()
            ),
        });
    }
    pages
        .into_iter()
        .map(|(_, p)| std::fs::read(&p).map_err(|source| Error::Read { path: p, source }))
        .collect()
}

/// One page per figure, exactly the figure's size (as `templates/figure.tex`).
fn document(figures: &[Figure]) -> String {
    let mut doc = String::from(
        "\\documentclass[11pt]{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n\
         \\usepackage{lmodern}\n\\usepackage{amsmath,amssymb}\n\\usepackage{pgfplots}\n\
         \\pgfplotsset{compat=1.18}\n\\begin{document}\n",
    );
    for figure in figures {
        doc.push_str(&format!(
            "\\setbox0=\\hbox{{{}}}\n\\pdfpagewidth=\\wd0\n\\pdfpageheight=\\dimexpr\\ht0+\\dp0\\relax\n\
             \\pdfhorigin=0pt\n\\pdfvorigin=0pt\n\\shipout\\box0\n",
            figure.tikz
        ));
    }
    doc.push_str("\\end{document}\n");
    doc
}

/// Runs a tool; a missing tool or a failure is an error that says what to do.
fn run(command: &mut Command, tool: &str, work: &Path) -> Result<()> {
    let output = command.output().map_err(|e| Error::Moodle {
        message: if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "--moodle draws the figures with {tool}, which is not installed; install it \
                 (Debian/Ubuntu: sudo apt-get install texlive-latex-base texlive-pictures \
                 poppler-utils), or leave out --moodle"
            )
        } else {
            format!("cannot run {tool}: {e}")
        },
    })?;
    if output.status.success() {
        return Ok(());
    }
    let log = std::fs::read_to_string(work.join("figures.log")).unwrap_or_default();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first_error = log
        .lines()
        .find(|l| l.starts_with('!'))
        .or_else(|| stderr.lines().next())
        .unwrap_or("")
        .to_string();
    Err(Error::Moodle {
        message: format!("{tool} failed on the figures: {first_error}"),
    })
}
