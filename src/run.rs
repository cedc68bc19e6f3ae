//! The commands, as library calls: the raw command line becomes a validated
//! configuration here, and each command turns its configuration into files and a report.
//!
//! Everything is drawn, solved and rendered before the first file is touched, so a spec
//! error, a class-list error or an inexact value leaves any earlier output intact.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::class::{count_variants, draw_variant, seat, Seat};
use crate::class_list::{self, file_id, Student};
use crate::cli::{Cli, Commands, OutputArgs};
use crate::error::{Error, Result};
use crate::export::{files, key, key_csv, pdf};
use crate::render::sheet::{render_sheets, StudentLine};
use crate::spec::{self, ExamSpec};
use crate::variant::{student_key, VariantCode, MAX_SEED};

/// Where and how to write.
#[derive(Clone, Debug)]
pub struct Output {
    pub dir: PathBuf,
    pub pdf: bool,
    pub force: bool,
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

fn output(args: OutputArgs) -> Output {
    Output {
        dir: args.out,
        pdf: args.pdf,
        force: args.force,
    }
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
                (None, Some(n)) => Class::Count(n),
                (None, None) => Class::Single,
            };
            generate(&GenerateConfig {
                spec: args.spec,
                class,
                seed: args.seed,
                output: output(args.output),
            })
        }
        Commands::Regenerate(args) => regenerate(&RegenerateConfig {
            spec: args.spec,
            code: args.code,
            students: args.students,
            output: output(args.output),
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

/// The rendered output of one exam, before anything is written.
pub struct Rendered {
    pub exam_tex: String,
    pub solutions_tex: String,
    pub key_json: String,
}

/// Reads, solves and renders a spec as one exam (seed 0) without writing anything.
pub fn render_spec(spec_path: &Path) -> Result<Rendered> {
    let spec = spec::load(spec_path)?;
    render_single(&spec, 0)
}

fn render_single(spec: &ExamSpec, seed: u64) -> Result<Rendered> {
    let solved = draw_variant(spec, seed, 0, 0)?;
    let sheets = render_sheets(spec, &solved, None)?;
    Ok(Rendered {
        exam_tex: sheets.exam,
        solutions_tex: sheets.solutions,
        key_json: key::to_text(&key::exam_key(spec, &solved)),
    })
}

/// One student's rendered files and key entry.
struct StudentFiles {
    stem: String,
    exam: String,
    solutions: String,
    key: Value,
    cells: Vec<(String, String)>,
}

fn render_seat(spec: &ExamSpec, seat: &Seat) -> Result<StudentFiles> {
    let solved = draw_variant(spec, seat.code.seed, seat.code.student_key, seat.code.salt)?;
    let line = StudentLine {
        name: seat.student.as_ref().map(|s| s.name.clone()),
        id: seat.student.as_ref().map(|s| s.id.clone()),
        code: seat.code.to_string(),
    };
    let sheets = render_sheets(spec, &solved, Some(&line))?;
    Ok(StudentFiles {
        stem: seat.file_stem.clone(),
        exam: sheets.exam,
        solutions: sheets.solutions,
        key: json!({
            "id": line.id,
            "name": line.name,
            "variant_code": line.code,
            "problems": solved.iter().map(|s| s.key()).collect::<Vec<_>>(),
        }),
        cells: key_csv::answer_cells(&solved),
    })
}

/// Writes (name, text) pairs into the output directory, then compiles the .tex ones.
fn write_all(out: &Output, texts: Vec<(String, String)>, report: &mut Report) -> Result<()> {
    files::prepare_dir(&out.dir, out.force)?;
    for (name, text) in &texts {
        let path = out.dir.join(name);
        files::write_atomic(&path, text.as_bytes())?;
        report.written.push(path);
    }
    if out.pdf {
        for (name, _) in &texts {
            if let Some(stem) = name.strip_suffix(".tex") {
                report.written.push(pdf::compile(&out.dir, stem)?);
            }
        }
    }
    Ok(())
}

/// `examgen generate`.
pub fn generate(config: &GenerateConfig) -> Result<Report> {
    let spec = spec::load(&config.spec)?;
    let mut report = Report::default();
    let students: Vec<Option<Student>> = match &config.class {
        Class::Single => {
            let rendered = render_single(&spec, config.seed)?;
            let texts = vec![
                ("exam.tex".to_string(), rendered.exam_tex),
                ("solutions.tex".to_string(), rendered.solutions_tex),
                ("key.json".to_string(), rendered.key_json),
            ];
            write_all(&config.output, texts, &mut report)?;
            return Ok(report);
        }
        Class::Students(path) => class_list::load(path)?
            .students
            .into_iter()
            .map(Some)
            .collect(),
        Class::Count(n) => vec![None; *n],
    };
    let anonymous: Vec<String> = (1..=students.len()).map(|k| format!("#{k}")).collect();
    let (seats, warnings) = seat(&spec, config.seed, students, &anonymous)?;
    report.warnings = warnings.into_iter().map(|w| w.0).collect();

    let rendered = seats
        .iter()
        .map(|s| render_seat(&spec, s))
        .collect::<Result<Vec<_>>>()?;
    let mut texts = Vec::with_capacity(2 * rendered.len() + 2);
    let mut rows = Vec::with_capacity(rendered.len());
    let mut keys = Vec::with_capacity(rendered.len());
    for (files, seat) in rendered.into_iter().zip(&seats) {
        texts.push((format!("{}-exam.tex", files.stem), files.exam));
        texts.push((format!("{}-solutions.tex", files.stem), files.solutions));
        let (id, name) = seat
            .student
            .as_ref()
            .map_or((String::new(), String::new()), |s| {
                (s.id.clone(), s.name.clone())
            });
        rows.push(key_csv::Row {
            id,
            name,
            code: seat.code.to_string(),
            cells: files.cells,
        });
        keys.push(files.key);
    }
    let class_key = json!({
        "format": key::KEY_FORMAT,
        "course": spec.course,
        "exam": spec.exam,
        "date": spec.date,
        "language": spec.language,
        "seed": config.seed,
        "students": keys,
    });
    texts.push(("key.json".into(), key::to_text(&class_key)));
    texts.push(("key.csv".into(), key_csv::to_text(&rows)));
    write_all(&config.output, texts, &mut report)?;
    Ok(report)
}

/// `examgen regenerate`.
pub fn regenerate(config: &RegenerateConfig) -> Result<Report> {
    let spec = spec::load(&config.spec)?;
    let code = VariantCode::parse(&config.code, spec.tag).map_err(|source| Error::Code {
        code: config.code.clone(),
        source,
    })?;
    let student = match &config.students {
        None => None,
        Some(path) => {
            let list = class_list::load(path)?;
            let found = list
                .students
                .into_iter()
                .find(|s| student_key(code.seed, &s.id) == code.student_key);
            match found {
                Some(s) => Some(s),
                None => {
                    return Err(Error::Code {
                        code: config.code.clone(),
                        source: crate::variant::CodeError::NotInClass(path.display().to_string()),
                    })
                }
            }
        }
    };
    let file_stem = match &student {
        Some(s) => file_id(&s.id),
        None => code.to_string(),
    };
    let files = render_seat(
        &spec,
        &Seat {
            student,
            code,
            file_stem,
        },
    )?;
    let mut report = Report::default();
    let texts = vec![
        (format!("{}-exam.tex", files.stem), files.exam),
        (format!("{}-solutions.tex", files.stem), files.solutions),
    ];
    write_all(&config.output, texts, &mut report)?;
    Ok(report)
}

/// `examgen check`.
pub fn check(config: &CheckConfig) -> Result<Report> {
    let spec = spec::load(&config.spec)?;
    let mut report = Report::default();
    report.lines.push(format!(
        "{}: {} problems",
        config.spec.display(),
        spec.problems.len()
    ));
    for (i, problem) in spec.problems.iter().enumerate() {
        report
            .lines
            .push(format!("problem {} ({}):", i + 1, problem.kind()));
        if problem.is_fixed() {
            report.lines.push("  fully pinned: 1 variant".to_string());
        } else {
            let count = count_variants(&spec, i, config.samples)?;
            report.lines.push(format!(
                "  acceptance rate: {:.1}% ({:.2} candidates per variant)",
                100.0 / count.tries_per_variant,
                count.tries_per_variant
            ));
            report.lines.push(format!(
                "  distinct variants: {} ({} distinct in {} draws)",
                count.describe(),
                count.distinct,
                count.samples
            ));
        }
        for (name, description) in problem.constraints() {
            report
                .lines
                .push(format!("  constraint {name}: {description}"));
        }
    }
    Ok(report)
}
