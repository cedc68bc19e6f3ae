//! What the binary prints and the exit code it ends with: a command's results on standard
//! output, its warnings and errors on standard error.
//!
//! Standard output is often a pipe to a reader that stops early (`examgen check | head -1`,
//! `examgen generate … | true`). A closed pipe is a normal end, as in ripgrep (which exits
//! 0 on `EPIPE` without a word): every file is written before the first line is printed,
//! so nothing is lost but the rest of the listing, and a script under `set -o pipefail`
//! does not fail because its reader had seen enough. coreutils instead die of `SIGPIPE`
//! (status 141), which that script would count as a failure. Any other write failure (a
//! full disk behind `> listing.txt`) is an error, exit code 1. A failure to write to
//! standard error is ignored: there is no one left to tell. So nothing here uses
//! `println!`/`eprintln!`, which panic on a closed pipe.
//!
//! Every error exits with 1, clap's usage errors included (clap's own default is 2), and
//! starts with `examgen: error: `; `--help` and `--version` print to standard output and
//! exit 0.

use std::fmt::Display;
use std::io::{self, ErrorKind, Write};
use std::process::ExitCode;

use super::Report;
#[cfg(doc)]
use super::Written;

/// A warning on standard error, as soon as it is known.
pub fn warn(text: &str) {
    let _ = writeln!(io::stderr().lock(), "examgen: warning: {text}");
}

/// An error on standard error; the exit code of every error.
pub fn error(e: &dyn Display) -> ExitCode {
    let _ = writeln!(io::stderr().lock(), "examgen: error: {e}");
    ExitCode::from(1)
}

/// What clap says when it does not return a command line: `--help` and `--version` on
/// standard output with exit code 0, a usage error as an examgen error (exit code 1).
pub fn usage(e: &clap::Error) -> ExitCode {
    if !e.use_stderr() {
        // A reader that stops early (`examgen --help | head -1`) is not an error.
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    // Plain text: clap's error without its styling, under examgen's own prefix.
    let text = e.render().to_string();
    let text = match e.kind() {
        // `examgen` alone: the help, after the one line that says what is wrong.
        clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            format!("no command given\n\n{text}")
        }
        _ => text.strip_prefix("error: ").unwrap_or(&text).to_string(),
    };
    let _ = write!(io::stderr().lock(), "examgen: error: {text}");
    ExitCode::from(1)
}

/// Prints a successful command's report on standard output and gives the exit code:
/// 0, also when the reader closed the pipe; 1 when standard output cannot be written.
pub fn finish(report: &Report) -> ExitCode {
    let result = print_report(&mut io::stdout().lock(), report);
    exit_code(result)
}

/// The exit code after printing: a closed pipe is a normal end.
pub fn exit_code(result: io::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => error(&format!("cannot write to standard output: {e}")),
    }
}

/// The report's lines, the files written (the first [`Written::LISTED`], the rest
/// counted) and the closing summary.
pub fn print_report(out: &mut impl Write, report: &Report) -> io::Result<()> {
    for line in &report.lines {
        writeln!(out, "{line}")?;
    }
    for path in &report.written.first {
        writeln!(out, "wrote {}", path.display())?;
    }
    let more = report.written.count - report.written.first.len();
    if more > 0 {
        writeln!(out, "... and {more} more files")?;
    }
    if let Some(line) = report.summary_line() {
        writeln!(out, "{line}")?;
    }
    // Buffered text that cannot be written is an error here, not a panic when dropped.
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{Summary, Written};
    use std::path::PathBuf;
    use std::time::Duration;

    /// A writer whose reader has gone after `room` bytes.
    struct ClosedAfter {
        room: usize,
        kind: ErrorKind,
    }

    impl Write for ClosedAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::from(self.kind));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn class_report() -> Report {
        Report {
            written: (0..30).fold(Written::default(), |mut w, i| {
                w.push(PathBuf::from(format!("out/{i}.tex")));
                w
            }),
            summary: Some(Summary {
                made: "15 students".into(),
                dir: PathBuf::from("out"),
                pdfs: None,
                elapsed: Duration::from_millis(1500),
            }),
            ..Report::default()
        }
    }

    #[test]
    fn a_listing_lists_twelve_files_counts_the_rest_and_ends_with_the_summary() {
        let mut text = Vec::new();
        print_report(&mut text, &class_report()).unwrap();
        let text = String::from_utf8(text).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), Written::LISTED + 2, "{text}");
        assert_eq!(lines[0], "wrote out/0.tex");
        assert_eq!(lines[Written::LISTED], "... and 18 more files");
        assert_eq!(
            lines[Written::LISTED + 1],
            "done: 15 students, 30 files written to out (no PDFs: add --pdf) in 1.5 s"
        );
    }

    #[test]
    fn a_closed_pipe_is_a_normal_end_and_a_full_disk_an_error() {
        let closed = ClosedAfter {
            room: 10,
            kind: ErrorKind::BrokenPipe,
        };
        let result = print_report(&mut io::LineWriter::new(closed), &class_report());
        assert_eq!(
            result.as_ref().map_err(|e| e.kind()),
            Err(ErrorKind::BrokenPipe)
        );
        assert_eq!(exit_code(result), ExitCode::SUCCESS);

        let full = ClosedAfter {
            room: 10,
            kind: ErrorKind::StorageFull,
        };
        let result = print_report(&mut io::LineWriter::new(full), &class_report());
        assert_eq!(exit_code(result), ExitCode::from(1));
    }
}
