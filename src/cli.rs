//! The raw command line (clap derive). Nothing outside [`crate::run`] looks at it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Randomized, per-student deep-learning exams with worked solutions that are always right.
///
/// examgen reads an exam spec (YAML), solves every problem with one numeric engine and
/// writes the exam sheet, the solution sheet (LaTeX, and PDF with --pdf) and a
/// machine-readable answer key.
#[derive(Debug, Parser)]
#[command(name = "examgen", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Write the exam, its worked solutions and the answer key for a spec.
    ///
    /// Writes <OUT>/exam.tex (questions), <OUT>/solutions.tex (questions with worked
    /// solutions) and <OUT>/key.json (the answer key); with --pdf also exam.pdf and
    /// solutions.pdf, compiled by latexmk/pdflatex without shell escape.
    Generate(GenerateArgs),
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The exam spec, e.g. variants/du1-2022.yaml (format: see the README).
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,

    /// The output directory; created if missing.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Also compile exam.pdf and solutions.pdf (needs latexmk and pdflatex from TeX Live).
    #[arg(long)]
    pub pdf: bool,

    /// Write into an existing, non-empty output directory, replacing examgen's files there.
    #[arg(long)]
    pub force: bool,
}
