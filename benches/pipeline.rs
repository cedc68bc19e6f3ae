//! Benchmarks of the pipeline, std::time only (no harness):
//!
//! - `stages`: per problem kind of `variants/du1-random.yaml`, the mean time of one draw
//!   (sampler with rejection, each candidate solved), one solve (`problems::<kind>::solve`
//!   on drawn parameters), one render (`Solved::render`), and the
//!   per-student steps of a class run (seat fingerprints, both sheets, key, code).
//! - `e2e`: `examgen generate` (the library's `run::run`, TeX sheets + keys, no PDF) for
//!   classes of 1,000, 10,000 and 100,000 students, on disk (the temporary directory) and
//!   on tmpfs (`/dev/shm`), each in a child process (this binary started again) so that
//!   each run's peak RSS (VmHWM) is its own.
//! - `pdf`: `generate --pdf` for a class (`BENCH_PDF_STUDENTS`, default 40) on every core,
//!   with and without the preloaded preamble, against a bare single `pdflatex` pass per
//!   file on every core and `latexmk -pdf` one file after another, on the same files:
//!   wall time, the children's CPU time, and CPU per student.
//!
//! ```sh
//! cargo bench --bench pipeline                 # all three
//! BENCH=stages cargo bench --bench pipeline    # or e2e, pdf, or a comma list
//! BENCH_SECS=2 BENCH_CLASSES=1000,10000 cargo bench --bench pipeline
//! ```
//!
//! `BENCH_SECS` is the time spent per stage measurement (default 1 s); `BENCH_CLASSES`
//! the class sizes of `e2e` (default 1000,10000,100000), `BENCH_DIRS` where it writes
//! (default `disk,tmpfs`) and `BENCH_JOBS` its `--jobs` values (default `1,default`).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use examgen::class::{draw_variant, draw_variant_kept, fingerprint};
use examgen::draw::problem_rng;
use examgen::exam::render_sheets_kept;
use examgen::problems::Solved;
use examgen::render::sheet::StudentLine;
use examgen::slot::Slot;
use examgen::spec::Language;
use examgen::variant::{student_key, VariantCode};

/// The child-process entry: `BENCH_CHILD` holds `examgen` arguments separated by `\x1f`.
const CHILD_VAR: &str = "BENCH_CHILD";

fn main() {
    if let Ok(args) = std::env::var(CHILD_VAR) {
        child(&args);
        return;
    }
    let parts = std::env::var("BENCH").unwrap_or_else(|_| "stages,e2e,pdf".into());
    let wanted = |p: &str| parts.split(',').any(|x| x.trim() == p);
    machine();
    if wanted("stages") {
        stages();
    }
    if wanted("e2e") {
        e2e();
    }
    if wanted("pdf") {
        pdf();
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn random_spec() -> PathBuf {
    root().join("variants/du1-random.yaml")
}

fn budget() -> Duration {
    let secs = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(1.0);
    Duration::from_secs_f64(secs)
}

/// nproc, CPU model, memory: the numbers mean little without them.
fn machine() {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map_or("unknown", |l| l.trim_start_matches([' ', '\t', ':']));
    let mem = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .map_or("MemTotal: unknown".to_string(), |l| {
            l.split_whitespace().collect::<Vec<_>>().join(" ")
        });
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("machine: {cores} cores, {model}, {mem}");
}

/// Mean µs per call of `f` over at least `budget` (and at least 10 calls), cycling
/// through `0..n` as the call's argument.
fn time_per_call(n: usize, mut f: impl FnMut(usize)) -> (f64, usize) {
    let budget = budget();
    // Warm-up: caches, allocator, lazy statics.
    for i in 0..n.min(10) {
        f(i);
    }
    let start = Instant::now();
    let mut calls = 0usize;
    while calls < 10 || start.elapsed() < budget {
        for _ in 0..16 {
            f(calls % n);
            calls += 1;
        }
    }
    (start.elapsed().as_secs_f64() * 1e6 / calls as f64, calls)
}

fn stages() {
    let spec = examgen::exam::load(&random_spec()).expect("du1-random.yaml loads");
    const VARIANTS: usize = 512;
    println!("\n## stages (du1-random.yaml; mean µs per call, release build)\n");
    println!(
        "| problem | kind | draw µs | candidates/draw | solve µs | render µs | key json µs | calls (draw/solve/render) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut per_exam = [0.0f64; 4];
    for (i, problem) in spec.slots.iter().filter_map(Slot::problem).enumerate() {
        let draws: Vec<(Solved, usize)> = (0..VARIANTS)
            .map(|k| {
                problem
                    .draw_counted(&mut problem_rng(0, k as u64, i, 0))
                    .expect("the spec's problems draw")
            })
            .collect();
        let tries = draws.iter().map(|(_, t)| *t).sum::<usize>() as f64 / VARIANTS as f64;
        let (draw_us, draw_calls) = time_per_call(VARIANTS, |k| {
            black_box(problem.draw(&mut problem_rng(1, k as u64, i, 0)).ok());
        });
        let (solve_us, solve_calls) = time_per_call(VARIANTS, |k| {
            black_box(draws[k].0.solved_again());
        });
        let (render_us, render_calls) = time_per_call(VARIANTS, |k| {
            black_box(draws[k].0.render(Language::Hr, i + 1).expect("renders"));
        });
        let (key_us, _) = time_per_call(VARIANTS, |k| {
            let mut out = Vec::new();
            draws[k].0.write_key(&mut out);
            black_box(out);
        });
        for (sum, us) in per_exam
            .iter_mut()
            .zip([draw_us, solve_us, render_us, key_us])
        {
            *sum += us;
        }
        println!(
            "| {} | {} | {draw_us:.1} | {tries:.2} | {solve_us:.1} | {render_us:.1} | {key_us:.1} | {draw_calls}/{solve_calls}/{render_calls} |",
            i + 1,
            problem.kind()
        );
    }
    println!(
        "| all | five problems | {:.1} | | {:.1} | {:.1} | {:.1} | |",
        per_exam[0], per_exam[1], per_exam[2], per_exam[3]
    );

    // The steps a class run takes per student, as run::generate and class::seat do them.
    println!("\n### per student, as a class run does it (µs per student)\n");
    let ids: Vec<String> = (0..VARIANTS).map(|k| format!("00365{k:05}")).collect();
    let keys: Vec<u64> = ids.iter().map(|id| student_key(0, id)).collect();
    // With the views each draw built, which a class run renders from.
    let (variants, views): (Vec<Vec<Solved>>, Vec<_>) = keys
        .iter()
        .map(|&k| draw_variant_kept(&spec, 0, k, 0).expect("draws"))
        .unzip();
    let steps: Vec<(&str, f64)> = vec![
        (
            "draw_variant (5 problems; once per student, when it is seated)",
            time_per_call(VARIANTS, |k| {
                black_box(draw_variant(&spec, 0, keys[k], 0).expect("draws"));
            })
            .0,
        ),
        (
            "fingerprint x5 (key params → compact JSON → FNV, on the drawing threads)",
            time_per_call(VARIANTS, |k| {
                for s in &variants[k] {
                    black_box(fingerprint(s));
                }
            })
            .0,
        ),
        (
            "render_sheets (5 problems, exam + solutions; from the views the draw kept)",
            time_per_call(VARIANTS, |k| {
                let line = StudentLine {
                    name: Some("Kovačić, Ana".into()),
                    id: Some(ids[k].clone()),
                    code: VariantCode::new(
                        spec.hash,
                        0,
                        examgen::variant::student_hash(0, &ids[k]),
                        0,
                    )
                    .to_string(),
                };
                black_box(
                    render_sheets_kept(&spec, &variants[k], &views[k], Some(&line), false)
                        .expect("renders"),
                );
            })
            .0,
        ),
        (
            "key entries x5 (written from the key types) and key.csv's cells",
            time_per_call(VARIANTS, |k| {
                let mut out = Vec::new();
                let picked: Vec<_> = variants[k].iter().map(|s| s.write_key(&mut out)).collect();
                black_box(examgen::export::key_csv::answer_cells(
                    &spec.slots,
                    &variants[k],
                    &picked,
                ));
                black_box(out);
            })
            .0,
        ),
    ];
    for (what, us) in &steps {
        println!("- {what}: {us:.1} µs");
    }
    let total = steps[0].1 + steps[1].1 + steps[2].1 + steps[3].1;
    println!("- sum (draw + fingerprint + render + key): {total:.1} µs = {:.3} ms per student (target 0.15 ms)", total / 1000.0);
    for count_samples in [200usize, 4000] {
        let start = Instant::now();
        for i in 0..spec.slots.len() {
            black_box(examgen::class::count_variants(&spec, i, count_samples).expect("counts"));
        }
        println!(
            "- seat's variant-space estimate, once per run ({count_samples} samples x 5 problems): {:.1} ms",
            start.elapsed().as_secs_f64() * 1e3
        );
    }
}

/// A class list of `n` students with Croatian names, BOM and CRLF.
fn class_csv(n: usize) -> String {
    const FIRST: &[&str] = &["Ana", "Ivo", "Marija", "Željko", "Đurđa", "Ćiro", "Šime"];
    const LAST: &[&str] = &["Kovačić", "Horvat", "Babić", "Jurić", "Šarić", "Đurić"];
    let mut text = String::from("\u{feff}id,name,email\r\n");
    for k in 0..n {
        text.push_str(&format!(
            "{},\"{}, {}\",s{k}@fer.hr\r\n",
            36_500_000_000u64 + 37 * k as u64,
            LAST[k % LAST.len()],
            FIRST[k % FIRST.len()]
        ));
    }
    text
}

/// A scratch directory in the temporary directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    scratch_in(&std::env::temp_dir(), name)
}

/// A scratch directory in `base`, emptied first.
fn scratch_in(base: &Path, name: &str) -> PathBuf {
    let dir = base.join(format!("examgen-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

/// Runs `examgen` (the library's command line, in this process) and prints one
/// `RESULT` line: wall seconds of the command and this process's peak RSS.
fn child(args: &str) {
    let argv: Vec<&str> = std::iter::once("examgen")
        .chain(args.split('\x1f'))
        .collect();
    let cli = examgen::cli::Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{e}"));
    let start = Instant::now();
    let report = examgen::run::run(cli).unwrap_or_else(|e| panic!("examgen failed: {e}"));
    let secs = start.elapsed().as_secs_f64();
    println!(
        "RESULT secs={secs:.6} files={} vmhwm_kb={}",
        report.written.count,
        status_kb("VmHWM")
    );
}

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

struct ChildRun {
    secs: f64,
    wall: f64,
    files: usize,
    peak_kb: u64,
}

/// Runs `examgen <args>` through this bench binary in a child process.
fn run_child(args: &[String]) -> ChildRun {
    let exe = std::env::current_exe().expect("the bench binary's path");
    let start = Instant::now();
    let out = Command::new(exe)
        .env(CHILD_VAR, args.join("\x1f"))
        .stdin(Stdio::null())
        .output()
        .expect("the child runs");
    let wall = start.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "examgen {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .expect("the child reports");
    let field = |name: &str| -> f64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .expect("a RESULT field")
    };
    ChildRun {
        secs: field("secs"),
        wall,
        files: field("files") as usize,
        peak_kb: field("vmhwm_kb") as u64,
    }
}

/// Whether `examgen generate` takes `--jobs` (being added in parallel to this bench).
fn has_jobs() -> bool {
    let out = Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(["generate", "--help"])
        .output()
        .expect("examgen runs");
    String::from_utf8_lossy(&out.stdout).contains("--jobs")
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn e2e() {
    let list = |var: &str, default: &str| -> Vec<String> {
        std::env::var(var)
            .unwrap_or_else(|_| default.into())
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let classes: Vec<usize> = list("BENCH_CLASSES", "1000,10000,100000")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let jobs_options: Vec<Option<String>> = list("BENCH_JOBS", "1,default")
        .into_iter()
        .map(|j| (j != "default").then_some(j))
        .filter(|j| j.is_none() || has_jobs())
        .collect();
    let mut places: Vec<(String, PathBuf)> = Vec::new();
    for place in list("BENCH_DIRS", "disk,tmpfs") {
        match place.as_str() {
            "disk" => places.push((place, std::env::temp_dir())),
            "tmpfs" if Path::new("/dev/shm").is_dir() => {
                places.push((place, PathBuf::from("/dev/shm")))
            }
            other => println!("(no {other} here: skipped)"),
        }
    }
    println!("\n## e2e: generate du1-random.yaml for a class list, TeX sheets + key.json + key.csv, no PDF\n");
    println!("| students | where | jobs | seconds | ms per student | CPU ms per student | peak RSS MiB | output MiB | files |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for &n in &classes {
        for (place, base) in &places {
            let dir = scratch_in(base, &format!("e2e-{n}"));
            let csv = dir.join("class.csv");
            std::fs::write(&csv, class_csv(n)).expect("write the class list");
            for jobs in &jobs_options {
                let out = dir.join("out");
                let _ = std::fs::remove_dir_all(&out);
                let mut args: Vec<String> = [
                    "generate",
                    "--spec",
                    &random_spec().to_string_lossy(),
                    "--students",
                    &csv.to_string_lossy(),
                    "--out",
                    &out.to_string_lossy(),
                ]
                .map(str::to_string)
                .to_vec();
                if let Some(j) = jobs {
                    args.extend(["--jobs".to_string(), j.to_string()]);
                }
                let cpu = children_cpu();
                let run = run_child(&args);
                let cpu = children_cpu() - cpu;
                println!(
                    "| {n} | {place} | {} | {:.2} (process {:.2}) | {:.3} | {:.3} | {:.1} | {:.1} | {} |",
                    jobs.as_deref().unwrap_or("default"),
                    run.secs,
                    run.wall,
                    run.secs * 1e3 / n as f64,
                    cpu * 1e3 / n as f64,
                    run.peak_kb as f64 / 1024.0,
                    dir_bytes(&out) as f64 / (1024.0 * 1024.0),
                    run.files
                );
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// CPU seconds of this process's waited-for children (and theirs) so far, from
/// `/proc/self/stat` (utime + stime of the children, in clock ticks of 1/100 s).
fn children_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 of the whole line, 14 and 15 after ')'.
    let ticks: f64 = [13, 14]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

/// Wall and children's CPU seconds of `f`.
fn timed(f: impl FnOnce()) -> (f64, f64) {
    let (cpu, start) = (children_cpu(), Instant::now());
    f();
    (start.elapsed().as_secs_f64(), children_cpu() - cpu)
}

/// One bare pdflatex pass over each `<dir>/<stem>.tex`, `jobs` at a time.
fn bare_pdflatex(dir: &Path, stems: &[String], jobs: usize) {
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(stem) = stems.get(i) else { break };
                let status = Command::new("pdflatex")
                    .current_dir(dir)
                    .args([
                        "-interaction=batchmode",
                        "-halt-on-error",
                        &format!("{stem}.tex"),
                    ])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .expect("pdflatex runs");
                assert!(status.success(), "pdflatex {stem}.tex failed");
            });
        }
    });
}

/// A copy of the `.tex` files of `from` and `from/figures` in a new directory `to`.
fn copy_tex(from: &Path, to: &Path) {
    for sub in ["", "figures"] {
        std::fs::create_dir_all(to.join(sub)).expect("create the copy");
        for stem in tex_stems(&from.join(sub)) {
            let name = format!("{stem}.tex");
            std::fs::copy(from.join(sub).join(&name), to.join(sub).join(&name))
                .expect("copy a .tex file");
        }
    }
}

/// The stems of the `.tex` files in `dir`, sorted.
fn tex_stems(dir: &Path) -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| {
                    let name = e.ok()?.file_name().into_string().ok()?;
                    name.strip_suffix(".tex").map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    stems.sort();
    stems
}

/// Whole-class PDFs (issue 13): `generate --pdf` on every core against, on the same
/// files, one bare pdflatex pass per file on every core and latexmk one file after
/// another. `BENCH_PDF_STUDENTS` (default 40) students of `du1-random.yaml`.
fn pdf() {
    let students: usize = std::env::var("BENCH_PDF_STUDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "\n## pdf: {students} students of du1-random (5 problems), exam + solutions, {jobs} cores\n"
    );
    for tool in ["pdflatex", "latexmk"] {
        if Command::new(tool).arg("--version").output().is_err() {
            println!("{tool} not found: skipped");
            return;
        }
    }
    let dir = scratch("pdf");
    let csv = dir.join("class.csv");
    std::fs::write(&csv, class_csv(students)).expect("write the class list");
    let generate = |out: &Path, extra: &[&str]| {
        let _ = std::fs::remove_dir_all(out);
        let status = Command::new(env!("CARGO_BIN_EXE_examgen"))
            .args(["generate", "--spec"])
            .arg(random_spec())
            .arg("--students")
            .arg(&csv)
            .arg("--out")
            .arg(out)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("examgen runs");
        assert!(status.success(), "examgen generate {extra:?} failed");
    };
    let mut rows: Vec<(String, f64, f64)> = Vec::new();
    let tex_dir = dir.join("tex");
    let (wall, cpu) = timed(|| generate(&tex_dir, &[]));
    rows.push(("generate, no --pdf (TeX + key)".into(), wall, cpu));
    let jobs_text = jobs.to_string();
    let (wall, cpu) = timed(|| generate(&dir.join("pdf"), &["--pdf", "--jobs", &jobs_text]));
    rows.push((format!("examgen generate --pdf --jobs {jobs}"), wall, cpu));
    let examgen = (wall, cpu);
    // The same with the preamble not preloaded (EXAMGEN_PRELOAD=0): one pass per file.
    let (wall, cpu) = timed(|| {
        let out = dir.join("pdf-plain");
        let _ = std::fs::remove_dir_all(&out);
        let status = Command::new(env!("CARGO_BIN_EXE_examgen"))
            .args(["generate", "--pdf", "--jobs", &jobs_text, "--spec"])
            .arg(random_spec())
            .arg("--students")
            .arg(&csv)
            .arg("--out")
            .arg(&out)
            .env("EXAMGEN_PRELOAD", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("examgen runs");
        assert!(status.success());
    });
    rows.push((
        format!("examgen --pdf --jobs {jobs}, EXAMGEN_PRELOAD=0"),
        wall,
        cpu,
    ));
    // Bare pdflatex on copies of the same files: the shared figures first, then the
    // sheets.
    let bare_dir = dir.join("bare");
    copy_tex(&tex_dir, &bare_dir);
    let figures = bare_dir.join("figures");
    let (figure_stems, sheet_stems) = (tex_stems(&figures), tex_stems(&bare_dir));
    let (wall, cpu) = timed(|| {
        bare_pdflatex(&figures, &figure_stems, jobs);
        bare_pdflatex(&bare_dir, &sheet_stems, jobs);
    });
    rows.push((
        format!(
            "bare pdflatex, one pass per file, {jobs} at a time ({} files)",
            figure_stems.len() + sheet_stems.len()
        ),
        wall,
        cpu,
    ));
    let bare = (wall, cpu);
    let latexmk_dir = dir.join("latexmk");
    copy_tex(&tex_dir, &latexmk_dir);
    let latexmk_figures = latexmk_dir.join("figures");
    let (wall, cpu) = timed(|| {
        for (d, stems) in [
            (&latexmk_figures, &figure_stems),
            (&latexmk_dir, &sheet_stems),
        ] {
            for stem in stems.iter() {
                let status = Command::new("latexmk")
                    .current_dir(d)
                    .args([
                        "-pdf",
                        "-interaction=nonstopmode",
                        "-halt-on-error",
                        "-quiet",
                        &format!("{stem}.tex"),
                    ])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .expect("latexmk runs");
                assert!(status.success(), "latexmk {stem}.tex failed");
            }
        }
    });
    rows.push(("latexmk -pdf, one file after another".into(), wall, cpu));
    println!("| run | wall s | CPU s | CPU s per student | wall vs bare pass |");
    println!("|---|---|---|---|---|");
    for (what, wall, cpu) in &rows {
        println!(
            "| {what} | {wall:.2} | {cpu:.2} | {:.3} | {:.2}x |",
            cpu / students as f64,
            wall / bare.0
        );
    }
    println!(
        "\nexamgen --pdf: {:.3} s CPU per student (goal: at most 0.45 and at most the bare pass's {:.3}); wall {:.2}x the bare pass (goal: at most 1.1x)",
        examgen.1 / students as f64,
        bare.1 / students as f64,
        examgen.0 / bare.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}
