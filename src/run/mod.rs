//! The commands, as library calls: the raw command line becomes a validated
//! configuration here, and each command (one file each) turns its configuration into
//! files and a report.
//!
//! Everything is drawn, solved and rendered before the first file is touched, so a spec
//! error, a class-list error or an inexact value leaves any earlier output intact.

mod check;
mod class_key;
pub mod console;
mod generate;
mod grade;
mod load;
mod publish;
mod regenerate;
mod spool;
mod student;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::class::MAX_COUNT;
use crate::cli::{Cli, Commands, OutputArgs};
use crate::error::{Error, Result};
use crate::variant::MAX_SEED;

pub use check::check;
pub use generate::generate;
pub use grade::grade;
pub use load::{render_spec, Rendered};
pub use regenerate::regenerate;

/// Where and how to write.
#[derive(Clone, Debug)]
pub struct Output {
    pub dir: PathBuf,
    pub pdf: bool,
    /// Also the solution slides (`--slides`).
    pub slides: bool,
    pub force: bool,
    /// Parallel LaTeX runs.
    pub jobs: usize,
    /// `generate --print`: also the class's print-ready PDFs (needs `pdf` and a class).
    pub print: bool,
    /// `--answer-sheet`: a last page of boxes on every exam (and, for a class, the
    /// answers-template.csv and answers-key.csv of `examgen grade`).
    pub answer_sheet: bool,
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
    /// Also write `moodle.xml`.
    pub moodle: bool,
}

/// A validated `regenerate` request.
#[derive(Clone, Debug)]
pub struct RegenerateConfig {
    pub spec: PathBuf,
    pub code: String,
    pub students: Option<PathBuf>,
    pub output: Output,
}

/// A validated `grade` request.
#[derive(Clone, Debug)]
pub struct GradeConfig {
    pub spec: PathBuf,
    pub key: PathBuf,
    pub answers: PathBuf,
    /// grades.csv with semicolons and decimal commas.
    pub decimal_comma: bool,
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
    pub written: Written,
    /// Also given, as each is known, to the `warn` of [`run_with`].
    pub warnings: Vec<String>,
    /// Lines to print (the `check` report).
    pub lines: Vec<String>,
    /// A writing command's closing line.
    pub summary: Option<Summary>,
}

/// The files a run installed: a class writes hundreds of thousands, so the first few
/// are kept by name (the console lists them) and the rest counted.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// The first [`Written::LISTED`] files, in the order they were installed.
    pub first: Vec<PathBuf>,
    /// How many files in all.
    pub count: usize,
}

impl Written {
    /// How many files are kept by name.
    pub const LISTED: usize = 12;

    /// Counts `path`, and keeps it while fewer than [`Written::LISTED`] are kept.
    pub fn push(&mut self, path: PathBuf) {
        if self.first.len() < Written::LISTED {
            self.first.push(path);
        }
        self.count += 1;
    }
}

/// What a writing command made, for the one line that ends its run.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Whose sheets: "25 students", "500 variants", "1 exam", "student 0036512345".
    pub made: String,
    /// The output directory as given.
    pub dir: PathBuf,
    /// Sheet PDFs made (figures not counted); `None` without `--pdf`.
    pub pdfs: Option<usize>,
    /// The whole command, from the parsed command line to the last file installed.
    pub elapsed: Duration,
}

impl Report {
    /// `done: 25 students, 53 files written to class (50 PDFs) in 41.2 s`.
    pub fn summary_line(&self) -> Option<String> {
        let s = self.summary.as_ref()?;
        let pdfs = match s.pdfs {
            None => "no PDFs: add --pdf".to_string(),
            Some(n) => plural(n, "PDF"),
        };
        Some(format!(
            "done: {}, {} written to {} ({pdfs}) in {:.1} s",
            s.made,
            plural(self.written.count, "file"),
            s.dir.display(),
            s.elapsed.as_secs_f64()
        ))
    }
}

/// `1 file`, `2 files`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
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
        slides: args.slides,
        force: args.force,
        jobs,
        print: false,
        answer_sheet: args.answer_sheet,
    })
}

/// Runs the parsed command line; the warnings are in the report.
pub fn run(cli: Cli) -> Result<Report> {
    run_with(cli, &mut |_| {})
}

/// Runs the parsed command line and gives each warning to `warn` as soon as it is known:
/// before the PDFs are compiled, and also when the run then fails.
pub fn run_with(cli: Cli, warn: &mut dyn FnMut(&str)) -> Result<Report> {
    let started = Instant::now();
    let mut report = command(cli, warn)?;
    if let Some(summary) = &mut report.summary {
        summary.elapsed = started.elapsed();
    }
    Ok(report)
}

fn command(cli: Cli, warn: &mut dyn FnMut(&str)) -> Result<Report> {
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
            let config = GenerateConfig {
                spec: args.spec,
                class,
                seed: args.seed,
                output: Output {
                    print: args.print,
                    ..output(args.output)?
                },
                moodle: args.moodle,
            };
            generate(&config, warn)
        }
        Commands::Regenerate(args) => {
            let config = RegenerateConfig {
                spec: args.spec,
                code: args.code,
                students: args.students,
                output: output(args.output)?,
            };
            regenerate(&config, warn)
        }
        Commands::Grade(args) => grade(
            &GradeConfig {
                spec: args.spec,
                key: args.key,
                answers: args.answers,
                decimal_comma: args.decimal_comma,
                output: Output {
                    dir: args.out,
                    pdf: args.pdf,
                    slides: false,
                    force: args.force,
                    jobs: 1,
                    print: false,
                    answer_sheet: false,
                },
            },
            warn,
        ),
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
