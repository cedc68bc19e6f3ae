//! The commands, as library calls: the raw command line becomes a validated
//! configuration here, and each command (one file each) turns its configuration into
//! files and a report.
//!
//! Everything is drawn, solved and rendered before the first file is touched, so a spec
//! error, a class-list error or an inexact value leaves any earlier output intact.

mod check;
mod class_key;
mod generate;
mod load;
mod publish;
mod regenerate;
mod student;

use std::path::PathBuf;

use crate::class::MAX_COUNT;
use crate::cli::{Cli, Commands, OutputArgs};
use crate::error::{Error, Result};
use crate::variant::MAX_SEED;

pub use check::check;
pub use generate::generate;
pub use load::{render_spec, Rendered};
pub use regenerate::regenerate;

/// Where and how to write.
#[derive(Clone, Debug)]
pub struct Output {
    pub dir: PathBuf,
    pub pdf: bool,
    pub force: bool,
    /// Parallel LaTeX runs.
    pub jobs: usize,
}

/// Who the exams are for.
#[derive(Clone, Debug)]
pub enum Class {
    /// One exam, no student on the sheet.
    Single,
    /// A class list file.
    Students(PathBuf),
    /// N anonymous variants.
    Count(usize),
}

/// A validated `generate` request.
#[derive(Clone, Debug)]
pub struct GenerateConfig {
    pub spec: PathBuf,
    pub class: Class,
    pub seed: u64,
    pub output: Output,
}

/// A validated `regenerate` request.
#[derive(Clone, Debug)]
pub struct RegenerateConfig {
    pub spec: PathBuf,
    pub code: String,
    pub students: Option<PathBuf>,
    pub output: Output,
}

/// A validated `check` request.
#[derive(Clone, Debug)]
pub struct CheckConfig {
    pub spec: PathBuf,
    pub samples: usize,
}

/// What a command did, for the user.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub written: Vec<PathBuf>,
    pub warnings: Vec<String>,
    /// Lines to print (the `check` report).
    pub lines: Vec<String>,
}

fn output(args: OutputArgs) -> Result<Output> {
    let jobs = match args.jobs {
        Some(0) => return Err(Error::Usage("--jobs must be at least 1".into())),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    Ok(Output {
        dir: args.out,
        pdf: args.pdf,
        force: args.force,
        jobs,
    })
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Report> {
    match cli.command {
        Commands::Generate(args) => {
            if args.seed > MAX_SEED {
                return Err(Error::Usage(format!(
                    "--seed {} is too large: a variant code carries seeds 0 to {MAX_SEED}",
                    args.seed
                )));
            }
            let class = match (args.students, args.count) {
                (Some(path), _) => Class::Students(path),
                (None, Some(0)) => {
                    return Err(Error::Usage("--count must be at least 1".into()));
                }
                (None, Some(n)) if n > MAX_COUNT => {
                    return Err(Error::Usage(format!(
                        "--count {n} is too many: one run makes at most {MAX_COUNT} variants; make several runs with different --seed values"
                    )));
                }
                (None, Some(n)) => Class::Count(n),
                (None, None) => Class::Single,
            };
            generate(&GenerateConfig {
                spec: args.spec,
                class,
                seed: args.seed,
                output: output(args.output)?,
            })
        }
        Commands::Regenerate(args) => regenerate(&RegenerateConfig {
            spec: args.spec,
            code: args.code,
            students: args.students,
            output: output(args.output)?,
        }),
        Commands::Check(args) => {
            if args.samples == 0 {
                return Err(Error::Usage("--samples must be at least 1".into()));
            }
            check(&CheckConfig {
                spec: args.spec,
                samples: args.samples,
            })
        }
    }
}
