//! A preloaded preamble: the part of the sheets' preamble that every sheet of a run shares
//! (the packages, the fonts, the settings) is compiled once into a LaTeX format
//! (`pdflatex -ini … \dump`) in `.build/`, and every sheet starts from that format instead
//! of loading the same packages again: one pass of a solution sheet drops from about
//! 0.65 s to 0.4 s, an exam sheet from 0.45 s to 0.2 s (the format costs about 0.9 s, once).
//! The format is then stored uncompressed ([`loosen`]), which takes about another 0.1 s
//! off every document.
//!
//! A sheet marks where its shared part ends with two lines (see `templates/preamble.tex`):
//!
//! ```tex
//! \expandafter\def\csname examgenendofsharedpreamble\endcsname{}
//! \examgenendofsharedpreamble
//! ```
//!
//! Compiled on its own, the first line defines the mark as nothing and the second does
//! nothing, so every `.tex` stays a complete document. The format is the shared part
//! followed by a `\documentclass` that skips everything up to the mark: started from the
//! format, a sheet's own copy of the shared part is read past, not run again.
//!
//! The format's name is a hash of the shared part and of the TeX installation (the
//! engine's version and the `pdflatex.fmt` it starts from), so a format is never used for
//! another preamble or another TeX. It is made per run in the run's staging directory, so
//! nothing stale survives a run either. If it cannot be made, every sheet is compiled from
//! its own preamble as before, and the run says so once.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use super::files::BUILD_DIR;
use super::interrupt;
use crate::variant::fnv1a64;

/// The mark that ends the shared part of a preamble.
pub const MARK: &str = "\\examgenendofsharedpreamble";

/// The last line of the shared part: defines the mark (as nothing).
pub const MARK_DEFINITION: &str =
    "\\expandafter\\def\\csname examgenendofsharedpreamble\\endcsname{}";

/// `EXAMGEN_PRELOAD=0` compiles every sheet from its own preamble (no format).
pub const SWITCH: &str = "EXAMGEN_PRELOAD";

/// The fewest documents that make a format worth its cost: making it takes about as long
/// as four sheets' package loading, so a single exam (two documents) does without.
pub const MIN_SHARING: usize = 4;

/// The shared part of a document: everything up to and including the line
/// [`MARK_DEFINITION`], when the line after it is [`MARK`]; `None` for documents without
/// the mark (figures, slides, the print documents).
pub fn shared_part(tex: &str) -> Option<&str> {
    let at = tex.find(&format!("\n{MARK_DEFINITION}\n{MARK}\n"))?;
    Some(&tex[..at + 1 + MARK_DEFINITION.len() + 1])
}

/// The input that makes the format: the shared part, a `\documentclass` that skips a
/// sheet's copy of it, and `\dump`.
pub fn format_source(shared: &str) -> String {
    format!("{shared}\\long\\def\\documentclass#1{MARK}{{}}\n\\dump\n")
}

/// Which format each document starts from, and what to tell the user.
#[derive(Debug, Default)]
pub struct Preloaded {
    /// Per document (in the order given), the format's name in `.build/`, or `None`.
    pub formats: Vec<Option<String>>,
    /// Why no format could be made (the run goes on without one).
    pub note: Option<String>,
}

/// Makes the formats that the documents `<dir>/<stem>.tex` share, in `<dir>/.build/`.
/// Never fails: a document whose format cannot be made is compiled without one.
/// `building` is called before the first format is made (it takes about a second).
pub fn prepare(dir: &Path, stems: &[String], building: impl FnOnce()) -> Preloaded {
    let mut preloaded = Preloaded {
        formats: vec![None; stems.len()],
        note: None,
    };
    if std::env::var(SWITCH).is_ok_and(|v| v == "0") {
        return preloaded;
    }
    // The shared part of each document, grouped: one format per distinct part.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, stem) in stems.iter().enumerate() {
        let Ok(tex) = std::fs::read_to_string(dir.join(format!("{stem}.tex"))) else {
            continue;
        };
        if let Some(shared) = shared_part(&tex) {
            groups.entry(shared.to_string()).or_default().push(i);
        }
    }
    groups.retain(|_, members| members.len() >= MIN_SHARING);
    if groups.is_empty() {
        return preloaded;
    }
    let Some(installation) = tex_installation() else {
        // No pdflatex to ask: the compile itself says what to install.
        return preloaded;
    };
    building();
    for (shared, members) in groups {
        let name = format_name(&installation, &shared);
        match dump(dir, &name, &shared) {
            Ok(()) => {
                for i in members {
                    preloaded.formats[i] = Some(name.clone());
                }
            }
            Err(why) => {
                preloaded.note.get_or_insert(format!(
                    "the shared LaTeX preamble could not be preloaded ({why}; see {}), so every \
                     sheet loads its packages itself: the PDFs are the same, only slower",
                    dir.join(BUILD_DIR).join(format!("{name}.log")).display()
                ));
            }
        }
    }
    preloaded
}

/// The format's name: a hash of the TeX installation and the shared part, so a format is
/// never used for another preamble or another TeX.
pub fn format_name(installation: &str, shared: &str) -> String {
    format!(
        "preamble-{:016x}",
        fnv1a64(format!("{installation}\n{shared}").as_bytes())
    )
}

/// The TeX installation a format belongs to: the engine's version and the size and
/// modification time of the `pdflatex.fmt` it is made from (a TeX Live update remakes it).
fn tex_installation() -> Option<String> {
    let version = Command::new("pdflatex")
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let mut id = String::from_utf8_lossy(&version.stdout).into_owned();
    if let Ok(found) = Command::new("kpsewhich")
        .args(["-engine=pdftex", "pdflatex.fmt"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
    {
        let path = String::from_utf8_lossy(&found.stdout).trim().to_string();
        if let Ok(meta) = std::fs::metadata(&path) {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            id.push_str(&format!("\n{path} {} {modified}", meta.len()));
        }
    }
    Some(id)
}

/// Dumps `<dir>/.build/<name>.fmt` from the shared part.
fn dump(dir: &Path, name: &str, shared: &str) -> Result<(), String> {
    let build = dir.join(BUILD_DIR);
    std::fs::create_dir_all(&build).map_err(|e| e.to_string())?;
    let source = Path::new(BUILD_DIR).join(format!("{name}.tex"));
    std::fs::write(dir.join(&source), format_source(shared)).map_err(|e| e.to_string())?;
    let mut command = Command::new("pdflatex");
    command
        .current_dir(dir)
        .arg("-ini")
        .arg(format!("-jobname={name}"))
        .args([
            "-no-shell-escape",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-file-line-error",
        ])
        .arg(format!("-output-directory={BUILD_DIR}"))
        .arg("&pdflatex")
        .arg(&source)
        .env("SOURCE_DATE_EPOCH", "0")
        .env("FORCE_SOURCE_DATE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let status =
        interrupt::run(&mut command).map_err(|e| format!("pdflatex -ini did not run: {e}"))?;
    if status.success() && build.join(format!("{name}.fmt")).is_file() {
        loosen(&build, name);
        Ok(())
    } else {
        Err("pdflatex -ini failed".into())
    }
}

/// Stores the format `<build>/<name>.fmt` uncompressed, when that loads.
///
/// pdfTeX writes its formats through zlib, and inflating the 20 MB of a LaTeX format
/// costs every document about 0.1 s of CPU, a third of an exam sheet's compile. The
/// engine reads its format with zlib's `gzread`, which reads a file that is not
/// compressed as it is, so the same format stored inflated loads in a fraction of the
/// time and gives the same PDFs. The inflated copy replaces the format only after
/// pdflatex has started from it once; otherwise the compressed one stays.
fn loosen(build: &Path, name: &str) {
    let format = build.join(format!("{name}.fmt"));
    let loose_name = format!("{name}-loose");
    let loose = build.join(format!("{loose_name}.fmt"));
    let inflated = (|| -> std::io::Result<bool> {
        let mut compressed = std::io::BufReader::new(std::fs::File::open(&format)?);
        if !std::io::BufRead::fill_buf(&mut compressed)?.starts_with(&GZIP_MAGIC) {
            return Ok(false);
        }
        let mut out = std::io::BufWriter::new(std::fs::File::create(&loose)?);
        std::io::copy(
            &mut flate2::bufread::MultiGzDecoder::new(compressed),
            &mut out,
        )?;
        std::io::Write::flush(&mut out)?;
        Ok(true)
    })();
    let replaced = matches!(inflated, Ok(true))
        && starts(build, &loose_name)
        && std::fs::rename(&loose, &format).is_ok();
    if !replaced {
        let _ = std::fs::remove_file(&loose);
    }
}

/// The first bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Whether pdflatex starts from the format `<build>/<name>.fmt` and stops cleanly.
fn starts(build: &Path, name: &str) -> bool {
    let mut command = Command::new("pdflatex");
    command
        .current_dir(build)
        .arg(format!("-fmt={name}"))
        .arg(format!("-jobname={name}"))
        .args(["-no-shell-escape", "-interaction=batchmode"])
        .arg("\\csname @@end\\endcsname")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let started = interrupt::run(&mut command);
    let _ = std::fs::remove_file(build.join(format!("{name}.log")));
    started.is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHEET: &str = "\\documentclass{article}\n\\usepackage{amsmath}\n\
        \\expandafter\\def\\csname examgenendofsharedpreamble\\endcsname{}\n\
        \\examgenendofsharedpreamble\n\\lhead{Ana}\n\\begin{document}\nx\n\\end{document}\n";

    #[test]
    fn the_shared_part_ends_with_the_marks_definition() {
        let shared = shared_part(SHEET).unwrap();
        assert!(shared.starts_with("\\documentclass{article}\n"));
        assert!(
            shared.ends_with(&format!("{MARK_DEFINITION}\n")),
            "{shared}"
        );
        assert!(!shared.contains("Ana"));
    }

    #[test]
    fn a_document_without_the_mark_has_no_shared_part() {
        assert_eq!(
            shared_part("\\documentclass{beamer}\n\\begin{document}\n"),
            None
        );
        // The definition alone, without the mark after it, is not enough.
        let half = SHEET.replace(&format!("{MARK}\n\\lhead"), "\\lhead");
        assert_eq!(shared_part(&half), None);
    }

    #[test]
    fn the_formats_name_changes_with_the_preamble_and_with_tex() {
        let shared = shared_part(SHEET).unwrap();
        let name = format_name("pdfTeX 3.141592653-2.6-1.40.24", shared);
        assert!(
            name.starts_with("preamble-") && name.len() == 9 + 16,
            "{name}"
        );
        assert_eq!(name, format_name("pdfTeX 3.141592653-2.6-1.40.24", shared));
        let other = shared.replace("amsmath", "amssymb");
        assert_ne!(name, format_name("pdfTeX 3.141592653-2.6-1.40.24", &other));
        assert_ne!(name, format_name("pdfTeX 3.141592653-2.6-1.40.25", shared));
    }

    #[test]
    fn the_format_skips_to_the_mark_and_dumps() {
        let source = format_source(shared_part(SHEET).unwrap());
        assert!(source.contains("\\long\\def\\documentclass#1\\examgenendofsharedpreamble{}"));
        assert!(source.ends_with("\\dump\n"));
    }
}
