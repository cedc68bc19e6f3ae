//! The `examgen` binary: parse the command line, call the library, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = examgen::cli::Cli::parse();
    match examgen::run::run(cli) {
        Ok(report) => {
            for path in &report.written {
                println!("wrote {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("examgen: error: {e}");
            ExitCode::from(1)
        }
    }
}
