//! The commands, as library calls: validated configuration in, files and a report out.
//!
//! Everything is computed and rendered before the first file is touched, so a spec
//! error or an inexact value leaves any earlier output intact.

use std::path::PathBuf;

use crate::cli::{Cli, Commands};
use crate::error::Result;
use crate::export::{files, key, pdf};
use crate::problems::Solved;
use crate::render::sheet::render_sheets;
use crate::spec;

/// A validated `generate` request.
#[derive(Clone, Debug)]
pub struct GenerateConfig {
    pub spec: PathBuf,
    pub out: PathBuf,
    pub pdf: bool,
    pub force: bool,
}

/// What a command did, for the user.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub written: Vec<PathBuf>,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Report> {
    match cli.command {
        Commands::Generate(args) => generate(&GenerateConfig {
            spec: args.spec,
            out: args.out,
            pdf: args.pdf,
            force: args.force,
        }),
    }
}

/// The rendered output of one exam, before anything is written.
pub struct Rendered {
    pub exam_tex: String,
    pub solutions_tex: String,
    pub key_json: String,
}

/// Reads, solves and renders a spec without writing anything.
pub fn render_spec(spec_path: &std::path::Path) -> Result<Rendered> {
    let spec = spec::load(spec_path)?;
    let solved = draw_variant(&spec, 0, 0)?;
    let sheets = render_sheets(&spec, &solved)?;
    Ok(Rendered {
        exam_tex: sheets.exam,
        solutions_tex: sheets.solutions,
        key_json: key::to_text(&key::exam_key(&spec, &solved)),
    })
}

/// Draws and solves every problem of one variant (`student` is the student key).
pub fn draw_variant(spec: &spec::ExamSpec, seed: u64, student: u64) -> Result<Vec<Solved>> {
    spec.problems
        .iter()
        .enumerate()
        .map(|(i, problem)| {
            let mut rng = crate::draw::problem_rng(seed, student, i, 0);
            problem
                .draw(&mut rng)
                .map_err(|source| crate::error::Error::Draw {
                    index: i + 1,
                    kind: problem.kind(),
                    source,
                })
        })
        .collect()
}

/// `examgen generate`.
pub fn generate(config: &GenerateConfig) -> Result<Report> {
    let rendered = render_spec(&config.spec)?;
    files::prepare_dir(&config.out, config.force)?;
    let mut report = Report::default();
    for (name, text) in [
        ("exam.tex", &rendered.exam_tex),
        ("solutions.tex", &rendered.solutions_tex),
        ("key.json", &rendered.key_json),
    ] {
        let path = config.out.join(name);
        files::write_atomic(&path, text.as_bytes())?;
        report.written.push(path);
    }
    if config.pdf {
        for stem in ["exam", "solutions"] {
            report.written.push(pdf::compile(&config.out, stem)?);
        }
    }
    Ok(report)
}
