//! The commands, as library calls: the raw command line becomes a validated
//! configuration here, and each command turns its configuration into files and a report.
//!
//! Everything is drawn, solved and rendered before the first file is touched, so a spec
//! error, a class-list error or an inexact value leaves any earlier output intact.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::class::{count_variants, draw_variant, file_stems, seat, Seat, MAX_COUNT};
use crate::class_list::{self, Student};
use crate::cli::{Cli, Commands, OutputArgs};
use crate::error::{Error, Result};
use crate::export::commit::Mode;
use crate::export::files::Staging;
use crate::export::{key, key_csv, pdf};
use crate::render::figure::{Figure, FIGURES_DIR};
use crate::render::sheet::{render_sheets, StudentLine};
use crate::spec::{self, ExamSpec};
use crate::variant::{student_hash, CodeError, VariantCode, MAX_SEED};

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

/// The rendered output of one exam, before anything is written.
pub struct Rendered {
    pub exam_tex: String,
    pub solutions_tex: String,
    pub key_json: String,
    /// Shared figures, written to `figures/<name>.tex`.
    pub figures: Vec<Figure>,
}

/// Reads, solves and renders a spec as one exam (seed 0) without writing anything; a
/// render failure is returned as the renderer reports it (the commands use `load_spec`).
pub fn render_spec(spec_path: &Path) -> Result<Rendered> {
    let spec = spec::load(spec_path)?;
    render_single(&spec, 0)
}

/// Reads a spec and renders one variant of it (seed 0, the first student) without
/// writing anything, so that every command refuses, when it reads the spec, what would
/// otherwise fail only while sheets are rendered: a value the sheet cannot show exactly.
/// The error names the spec file and the problem's line, as the spec's own checks do.
fn load_spec(path: &Path) -> Result<ExamSpec> {
    let spec = spec::load(path)?;
    let probe = draw_variant(&spec, 0, 0, 0).and_then(|solved| render_sheets(&spec, &solved, None));
    match probe {
        Err(e) => Err(in_spec(path, e, "")),
        Ok(_) => Ok(spec),
    }
}

/// A problem's draw or render failure as a spec error: the spec file, the problem's line
/// and field path, and what failed (`context` says which variant, if not the first).
fn in_spec(path: &Path, e: Error, context: &str) -> Error {
    let (index, kind) = match &e {
        Error::NotExact { index, kind, .. }
        | Error::Template { index, kind, .. }
        | Error::Draw { index, kind, .. } => (*index, *kind),
        _ => return e,
    };
    if index == 0 {
        return e;
    }
    let field = format!("problems[{}].{kind}", index - 1);
    let source = std::fs::read_to_string(path).unwrap_or_default();
    Error::SpecInvalid {
        path: path.to_path_buf(),
        line: spec::locate::line_of(&source, &field),
        message: format!(
            "{context}{}; change the pinned values or the ranges so that every value is exact",
            match e {
                Error::NotExact { source, .. } => source.to_string(),
                Error::Draw { source, .. } => source.to_string(),
                other => other.to_string(),
            }
        ),
        field,
    }
}

/// Renders `samples` drawn variants of every problem that is not pinned (a pinned one
/// was rendered by `load_spec`), as a class run would. The kinds' constraints already
/// keep every variant printable; this is the defence in depth that makes `check` refuse
/// whatever `generate` would fail on, with the spec file and the problem's line.
fn render_samples(spec: &ExamSpec, path: &Path, samples: usize) -> Result<()> {
    for (i, problem) in spec.problems.iter().enumerate() {
        if problem.is_fixed() {
            continue;
        }
        for j in 0..samples {
            // The probe keys of `count_variants`: never a student's.
            let mut rng = crate::draw::problem_rng(u64::MAX, (1 << 40) + j as u64, i, 0);
            let rendered = problem
                .draw(&mut rng)
                .map_err(|source| Error::Draw {
                    index: i + 1,
                    kind: problem.kind(),
                    source,
                })
                .and_then(|solved| crate::render::sheet::render_problem(i + 1, &solved));
            if let Err(e) = rendered {
                return Err(in_spec(path, e, &format!("sampled variant {}: ", j + 1)));
            }
        }
    }
    Ok(())
}

fn render_single(spec: &ExamSpec, seed: u64) -> Result<Rendered> {
    let solved = draw_variant(spec, seed, 0, 0)?;
    let sheets = render_sheets(spec, &solved, None)?;
    Ok(Rendered {
        exam_tex: sheets.exam,
        solutions_tex: sheets.solutions,
        key_json: key::to_text(&key::exam_key(spec, &solved)),
        figures: sheets.figures,
    })
}

/// One student's rendered files and key entry.
struct StudentFiles {
    stem: String,
    figures: Vec<Figure>,
    exam: String,
    solutions: String,
    key: Value,
    cells: Vec<(String, String)>,
}

fn render_seat(spec: &ExamSpec, seat: &Seat) -> Result<StudentFiles> {
    let solved = draw_variant(
        spec,
        seat.code.seed,
        seat.code.student_key(),
        seat.code.salt,
    )?;
    let line = StudentLine {
        name: seat.student.as_ref().map(|s| s.name.clone()),
        id: seat.student.as_ref().map(|s| s.id.clone()),
        code: seat.code.to_string(),
    };
    let sheets = render_sheets(spec, &solved, Some(&line)).map_err(|source| Error::Seat {
        spec: spec.path.clone(),
        who: match &line.id {
            Some(id) => format!("student {id} (code {})", line.code),
            None => format!("variant {}", line.code),
        },
        source: Box::new(source),
    })?;
    let keys: Vec<Value> = solved.iter().map(|s| s.key()).collect();
    let cells = key_csv::answer_cells(&keys);
    Ok(StudentFiles {
        stem: seat.file_stem.clone(),
        figures: sheets.figures,
        exam: sheets.exam,
        solutions: sheets.solutions,
        key: json!({
            "id": line.id,
            "name": line.name,
            "variant_code": line.code,
            "problems": keys,
        }),
        cells,
    })
}

/// Compiles the staged documents (with `--pdf`), moves everything into the output
/// directory, and reports TeX problems with the final paths.
fn publish(
    mut staging: Staging,
    stems: &[String],
    figures: &Figures,
    out: &Output,
    report: &mut Report,
) -> Result<()> {
    let mut failures = Vec::new();
    let mut missing = None;
    if out.pdf {
        // What the commit would refuse (a link, a directory in the way) is refused now,
        // not after every document has compiled: the PDFs and logs LaTeX may make count.
        let figure_files = figures.stems.iter().flat_map(|s| {
            [
                format!("{FIGURES_DIR}/{s}.pdf"),
                format!("{FIGURES_DIR}/{}/{s}.log", crate::export::files::BUILD_DIR),
            ]
        });
        let sheet_files = stems.iter().flat_map(|s| {
            [
                format!("{s}.pdf"),
                format!("{}/{s}.log", crate::export::files::BUILD_DIR),
            ]
        });
        staging.check_ahead(&figure_files.chain(sheet_files).collect::<Vec<_>>())?;
        // Shared figures first, once each; the sheets then include their PDFs.
        let base = staging.dir().to_path_buf();
        let progress = pdf::progress_wanted();
        let runs = [
            (
                base.join(FIGURES_DIR),
                figures.stems.clone(),
                format!("{FIGURES_DIR}/"),
            ),
            (base, stems.to_vec(), String::new()),
        ];
        for (dir, names, prefix) in runs {
            if names.is_empty() || missing.is_some() {
                continue;
            }
            match pdf::compile_all(&dir, &names, out.jobs, progress) {
                Ok(f) => failures.extend(f),
                Err(e) => missing = Some(e),
            }
            for stem in &names {
                let name = format!("{prefix}{stem}.pdf");
                if staging.dir().join(&name).exists() {
                    staging.adopt(&name);
                }
            }
        }
    }
    let dir = staging.out().to_path_buf();
    let staged = staging.dir().to_path_buf();
    report.written.extend(staging.commit()?);
    if let Some(e) = missing {
        return Err(match e {
            Error::TexMissing { .. } => Error::TexMissing {
                message: format!(
                    "latexmk was not found on PATH, so no PDF was made; the .tex files are in {}.\n  \
                     Install TeX Live, e.g. `sudo apt-get install {}`, and run again with --pdf.",
                    dir.display(),
                    pdf::TEX_PACKAGES
                ),
            },
            other => other,
        });
    }
    if !failures.is_empty() {
        // Paths in the staging directory become the same paths in the output directory.
        let relocate = |p: &Path| match p.strip_prefix(&staged) {
            Ok(rest) => dir.join(rest),
            Err(_) => p.to_path_buf(),
        };
        return Err(Error::TexFailures {
            total: stems.len() + figures.stems.len(),
            failures: failures
                .into_iter()
                .map(|f| crate::error::TexFailure {
                    path: relocate(&f.path),
                    log: relocate(&f.log),
                    first_error: f.first_error,
                })
                .collect(),
        });
    }
    Ok(())
}

/// `examgen generate`.
pub fn generate(config: &GenerateConfig) -> Result<Report> {
    let spec = load_spec(&config.spec)?;
    let mut report = Report::default();
    let students: Vec<Option<Student>> = match &config.class {
        Class::Single => {
            let rendered = render_single(&spec, config.seed)?;
            let mut staging =
                Staging::begin(&config.output.dir, config.output.force, Mode::Replace)?;
            staging.write("exam.tex", rendered.exam_tex.as_bytes())?;
            staging.write("solutions.tex", rendered.solutions_tex.as_bytes())?;
            staging.write("key.json", rendered.key_json.as_bytes())?;
            let mut figures = Figures::default();
            figures.write(&mut staging, &rendered.figures)?;
            let stems = ["exam".to_string(), "solutions".to_string()];
            publish(staging, &stems, &figures, &config.output, &mut report)?;
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
    let (seats, warnings) = seat(&spec, config.seed, students, &anonymous, config.output.jobs)?;
    report.warnings = warnings.into_iter().map(|w| w.0).collect();
    // Names with characters pdflatex cannot set still compile, with placeholders; say whose.
    report.warnings.extend(
        seats
            .iter()
            .filter_map(|s| s.student.as_ref()?.unsettable_warning()),
    );

    // Students are rendered and written one at a time, so memory does not grow with the
    // class; everything goes to the staging directory until the last file is complete.
    let mut staging = Staging::begin(&config.output.dir, config.output.force, Mode::Replace)?;
    let mut key_json = ClassKeyWriter::begin(&mut staging, &spec, config.seed)?;
    let mut key_rows = key_csv::Writer::begin(&mut staging)?;
    let mut stems = Vec::with_capacity(2 * seats.len());
    let mut figures = Figures::default();
    for chunk in seats.chunks(RENDER_CHUNK) {
        let rendered = render_parallel(&spec, chunk, config.output.jobs)?;
        for (seat, files) in chunk.iter().zip(rendered) {
            let exam = format!("{}-exam", files.stem);
            let solutions = format!("{}-solutions", files.stem);
            staging.write(&format!("{exam}.tex"), files.exam.as_bytes())?;
            staging.write(&format!("{solutions}.tex"), files.solutions.as_bytes())?;
            figures.write(&mut staging, &files.figures)?;
            stems.push(exam);
            stems.push(solutions);
            key_json.student(&files.key)?;
            let (id, name) = seat
                .student
                .as_ref()
                .map_or((String::new(), String::new()), |s| {
                    (s.id.clone(), s.name.clone())
                });
            key_rows.row(&key_csv::Row {
                id,
                name,
                code: seat.code.to_string(),
                cells: files.cells,
            })?;
        }
    }
    key_json.finish()?;
    key_rows.finish(&mut staging)?;
    publish(staging, &stems, &figures, &config.output, &mut report)?;
    Ok(report)
}

/// The shared figures of a run: each written once.
#[derive(Default)]
struct Figures {
    written: std::collections::HashSet<String>,
    stems: Vec<String>,
}

impl Figures {
    /// Writes the figures not written yet.
    fn write(&mut self, staging: &mut Staging, figures: &[Figure]) -> Result<()> {
        for figure in figures {
            if self.written.insert(figure.name.clone()) {
                staging.write(&figure.path(), figure.document().as_bytes())?;
                self.stems.push(figure.name.clone());
            }
        }
        Ok(())
    }
}

/// Students rendered together before their files are written, in class-list order.
const RENDER_CHUNK: usize = 64;

/// Renders a few students on `threads` threads; the result is in the order of `seats`,
/// so the output does not depend on the number of threads.
fn render_parallel(spec: &ExamSpec, seats: &[Seat], threads: usize) -> Result<Vec<StudentFiles>> {
    crate::parallel::map_in_order(seats, threads, "rendering the sheets", |s| {
        render_seat(spec, s)
    })
}

/// `key.json` of a class, written student by student.
struct ClassKeyWriter {
    file: std::io::BufWriter<std::fs::File>,
    path: PathBuf,
    first: bool,
}

impl ClassKeyWriter {
    fn begin(staging: &mut Staging, spec: &ExamSpec, seed: u64) -> Result<ClassKeyWriter> {
        let (file, path) = staging.create("key.json")?;
        let mut writer = ClassKeyWriter {
            file: std::io::BufWriter::new(file),
            path,
            first: true,
        };
        let header = json!({
            "format": key::KEY_FORMAT,
            "course": spec.course,
            "exam": spec.exam,
            "date": spec.date,
            "language": spec.language,
            "seed": seed,
        });
        let mut text = serde_json::to_string_pretty(&header).expect("a JSON value serializes");
        text.truncate(text.len() - 2); // drop "\n}" to append the students
        text.push_str(",\n  \"students\": [");
        writer.put(&text)?;
        Ok(writer)
    }

    fn put(&mut self, text: &str) -> Result<()> {
        use std::io::Write;
        self.file
            .write_all(text.as_bytes())
            .map_err(|source| Error::Write {
                path: self.path.clone(),
                source,
            })
    }

    /// One student's entry, on one line.
    fn student(&mut self, entry: &Value) -> Result<()> {
        let sep = if self.first { "\n    " } else { ",\n    " };
        self.first = false;
        self.put(&format!("{sep}{entry}"))
    }

    fn finish(mut self) -> Result<()> {
        use std::io::Write;
        self.put("\n  ]\n}\n")?;
        self.file.flush().map_err(|source| Error::Write {
            path: self.path.clone(),
            source,
        })
    }
}

/// `examgen regenerate`.
pub fn regenerate(config: &RegenerateConfig) -> Result<Report> {
    let spec = load_spec(&config.spec)?;
    let code_error = |source| Error::Code {
        code: config.code.clone(),
        source,
    };
    let code = VariantCode::parse(&config.code, spec.hash).map_err(code_error)?;
    let seat = match &config.students {
        None => Seat {
            student: None,
            code,
            file_stem: code.to_string(),
        },
        Some(path) => {
            // The code carries 50 bits of the student's hash: the student is the one whose
            // hash they are, whoever else is on the list, and the variant is the code's own
            // salt, so the sheet printed with this code comes back. The file name is the
            // class run's (it depends on the list's ids only).
            let mut students = class_list::load(path)?.students;
            let fitting: Vec<usize> = (0..students.len())
                .filter(|&s| code.fits(student_hash(code.seed, &students[s].id)))
                .collect();
            let list = path.display().to_string();
            let s = match fitting[..] {
                [s] => s,
                [] => return Err(code_error(CodeError::NotInClass(list))),
                _ => {
                    let ids = fitting.iter().map(|&s| format!("`{}`", students[s].id));
                    let ids = ids.collect::<Vec<_>>().join(", ");
                    return Err(code_error(CodeError::Ambiguous(list, ids)));
                }
            };
            let ids: Vec<Option<&str>> = students.iter().map(|st| Some(st.id.as_str())).collect();
            let file_stem = file_stems(&ids, |_| String::new(), &mut Vec::new())?.swap_remove(s);
            Seat {
                student: Some(students.swap_remove(s)),
                code,
                file_stem,
            }
        }
    };
    let files = render_seat(&spec, &seat)?;
    let mut report = Report::default();
    // Adds one student's sheets to the directory; the rest of a class stays.
    let mut staging = Staging::begin(&config.output.dir, config.output.force, Mode::Add)?;
    let stems = [
        format!("{}-exam", files.stem),
        format!("{}-solutions", files.stem),
    ];
    for (stem, text) in stems.iter().zip([&files.exam, &files.solutions]) {
        staging.write(&format!("{stem}.tex"), text.as_bytes())?;
    }
    let mut figures = Figures::default();
    figures.write(&mut staging, &files.figures)?;
    publish(staging, &stems, &figures, &config.output, &mut report)?;
    Ok(report)
}

/// `examgen check`.
pub fn check(config: &CheckConfig) -> Result<Report> {
    let spec = load_spec(&config.spec)?;
    render_samples(&spec, &config.spec, config.samples)?;
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
