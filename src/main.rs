//! The `examgen` binary: parse the command line, call the library, map errors to exit codes
//! (how output and exit codes are handled: [`examgen::run::console`]).

use std::process::ExitCode;

use clap::Parser;
use examgen::run::console;

fn main() -> ExitCode {
    let cli = match examgen::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return console::usage(&e),
    };
    // Without the handler Ctrl-C would leave LaTeX jobs and a staging directory behind.
    if let Err(e) = examgen::export::interrupt::install() {
        console::warn(&format!("cannot handle Ctrl-C: {e}"));
    }
    match examgen::run::run_with(cli, &mut |w| console::warn(w)) {
        Ok(report) => console::finish(&report),
        Err(e) => console::error(&e),
    }
}
