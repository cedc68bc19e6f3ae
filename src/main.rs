//! The `examgen` binary: parse the command line, call the library, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = examgen::cli::Cli::parse();
    match examgen::run::run(cli) {
        Ok(report) => {
            for line in &report.lines {
                println!("{line}");
            }
            for path in &report.written {
                println!("wrote {}", path.display());
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
