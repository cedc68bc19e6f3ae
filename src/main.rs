//! The `examgen` binary: parse the command line, call the library, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = examgen::cli::Cli::parse();
    // Without the handler Ctrl-C would leave LaTeX jobs and a staging directory behind.
    if let Err(e) = examgen::export::interrupt::install() {
        eprintln!("examgen: warning: cannot handle Ctrl-C: {e}");
    }
    match examgen::run::run(cli) {
        Ok(report) => {
            for line in &report.lines {
                println!("{line}");
            }
            // A class writes thousands of files: list a few, count the rest.
            const LISTED: usize = 12;
            for path in report.written.iter().take(LISTED) {
                println!("wrote {}", path.display());
            }
            if report.written.len() > LISTED {
                println!("... and {} more files", report.written.len() - LISTED);
            }
            for warning in &report.warnings {
                eprintln!("examgen: warning: {warning}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("examgen: error: {e}");
            ExitCode::from(1)
        }
    }
}
