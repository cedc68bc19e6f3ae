//! The raw command line (clap derive). Nothing outside [`crate::run`] looks at it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Randomized, per-student deep-learning exams with worked solutions that are always right.
///
/// examgen reads an exam spec (YAML), draws each student's variant of every problem,
/// solves it with one numeric engine and writes the exam sheet, the solution sheet
/// (LaTeX, and PDF with --pdf) and a machine-readable answer key. Every sheet carries a
/// variant code from which `examgen regenerate` rebuilds it.
#[derive(Debug, Parser)]
#[command(name = "examgen", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Write exams, worked solutions and the answer key for a spec.
    ///
    /// Without --students or --count: one exam, <OUT>/exam.tex, <OUT>/solutions.tex and
    /// <OUT>/key.json. With --students class.csv: for every student <ID>-exam.tex and
    /// <ID>-solutions.tex (name, id and variant code on every page), plus key.json and
    /// key.csv for the class. With --count N: N anonymous variants named by their codes.
    /// With --pdf every .tex is also compiled by pdflatex, one pass each from a preamble
    /// preloaded once per run (no shell escape; EXAMGEN_PRELOAD=0 loads it in every sheet).
    Generate(GenerateArgs),

    /// Rebuild one student's exam and solution sheet from the variant code on the sheet.
    ///
    /// Gives the same problems and numbers as the class run; with the same --students
    /// list the files are byte-for-byte the class run's (the name is printed too).
    Regenerate(RegenerateArgs),

    /// Grade a class's typed-in answers against the key, with error carried forward.
    ///
    /// ANSWERS is a CSV with a column `id` (or `variant_code` for --count variants) and
    /// the answer sheet's boxes as columns (answers-template.csv from `generate
    /// --answer-sheet` has them all): decimals with a point or a comma, or fractions like
    /// 29/36; an empty cell is a blank answer. An answer that is wrong against the key but
    /// right given the student's own earlier answers earns the spec's `grading:
    /// {ecf_credit}` (default: full). Writes <OUT>/grades.csv, <OUT>/feedback/<ID>.txt
    /// per student, <OUT>/item-analysis.csv and item-analysis.tex (and .pdf with --pdf).
    Grade(GradeArgs),

    /// Report, per problem, the constraints, how often a drawn candidate is accepted and
    /// an estimate of the number of distinct variants.
    Check(CheckArgs),
}

#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// The output directory; created if missing.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Also compile the PDFs (needs pdflatex from TeX Live; latexmk for a document that asks
    /// for a second pass).
    #[arg(long)]
    pub pdf: bool,

    /// Also write the solution slides (beamer): slides.tex, or <ID>-slides.tex per
    /// student; compiled too with --pdf.
    #[arg(long)]
    pub slides: bool,

    /// Add an answer sheet to every exam: a last page with one box per value to grade
    /// (final answers and the intermediate checkpoints), and write answers-template.csv
    /// (for the TAs to fill in, then `examgen grade`) and answers-key.csv (the key's
    /// values in the same layout).
    #[arg(long)]
    pub answer_sheet: bool,

    /// Write into an existing, non-empty output directory, replacing examgen's files there.
    #[arg(long)]
    pub force: bool,

    /// Parallel work: rendering, and LaTeX runs with --pdf (default: all cores). The
    /// output does not depend on it. On a terminal a bar shows the PDFs' progress.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("class").args(["students", "count"]).multiple(true)))]
pub struct GenerateArgs {
    /// The exam spec, e.g. variants/du1-2022.yaml (format: see the README).
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,

    /// Class list (CSV with a header row and at least the columns `id` and `name`).
    #[arg(long, value_name = "CSV", conflicts_with = "count")]
    pub students: Option<PathBuf>,

    /// Number of anonymous variants to make (instead of a class list).
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,

    /// Exam seed, 0 to 1048575: the same spec, seed and student give the same variant.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,

    /// Also write moodle.xml: a Moodle question bank with one category per problem and one
    /// cloze question per variant (figures drawn with pdflatex and pdftoppm).
    #[arg(long)]
    pub moodle: bool,
    /// Also write print/exams.pdf and print/solutions.pdf: every sheet of the class in
    /// class-list order, each student starting on an odd page, for a duplex printer.
    /// Needs --pdf and --students or --count.
    #[arg(long, requires = "pdf", requires = "class")]
    pub print: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, clap::Args)]
pub struct RegenerateArgs {
    /// The exam spec the code was made with.
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,

    /// The variant code printed on the sheet, e.g. 0A1B-2C3D-4E5F-6G7H-8J9K-MN0P (case,
    /// dashes and spaces do not matter).
    #[arg(value_name = "CODE")]
    pub code: String,

    /// The class list of the original run, to print the student's name and id.
    #[arg(long, value_name = "CSV")]
    pub students: Option<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, clap::Args)]
pub struct GradeArgs {
    /// The exam spec the key was made with.
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,

    /// The key.json of the class (from `examgen generate`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,

    /// The typed-in answers: one row per student (see above).
    #[arg(long, value_name = "CSV")]
    pub answers: PathBuf,

    /// The output directory; created if missing.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Write grades.csv with semicolons and decimal commas, as a spreadsheet in a
    /// decimal-comma locale (e.g. Croatian) opens it.
    #[arg(long)]
    pub decimal_comma: bool,

    /// Also compile item-analysis.pdf (needs pdflatex from TeX Live).
    #[arg(long)]
    pub pdf: bool,

    /// Write into an existing, non-empty output directory, replacing examgen's files there.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The exam spec to check.
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,

    /// How many variants to draw per problem for the estimates.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub samples: usize,
}
