//! Helpers shared by the test modules: the 2022 spec and its rendering, key access,
//! float comparisons, scratch directories and the skip-or-fail rule for external tools.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use examgen::run::{render_spec, Rendered};
use serde_json::Value;

/// The tolerance for comparing key values with hand-worked ones.
pub const TOL: f64 = 1e-12;

/// The crate root (integration tests may run from any directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `variants/du1-2022.yaml`, the spec that reproduces the seed exam.
pub fn spec_2022() -> PathBuf {
    root().join("variants/du1-2022.yaml")
}

/// The 2022 exam rendered once through the library.
pub fn rendered_2022() -> &'static Rendered {
    static RENDERED: OnceLock<Rendered> = OnceLock::new();
    RENDERED.get_or_init(|| render_spec(&spec_2022()).expect("the 2022 spec renders"))
}

/// The 2022 answer key, parsed.
pub fn key_2022() -> &'static Value {
    static KEY: OnceLock<Value> = OnceLock::new();
    KEY.get_or_init(|| {
        serde_json::from_str(&rendered_2022().key_json).expect("key.json is valid JSON")
    })
}

/// The one problem of `kind` in a key.
pub fn problem<'a>(key: &'a Value, kind: &str) -> &'a Value {
    let problems = key["problems"].as_array().expect("key has a problems list");
    let found: Vec<&Value> = problems.iter().filter(|p| p["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "expected one {kind} problem in the key");
    found[0]
}

/// The `answers` of the one problem of `kind` in the 2022 key.
pub fn answers(kind: &str) -> &'static Value {
    &problem(key_2022(), kind)["answers"]
}

pub fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, got {v}"))
}

pub fn vec_f64(v: &Value, what: &str) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what}: expected a list, got {v}"))
        .iter()
        .map(|x| num(x, what))
        .collect()
}

pub fn mat_f64(v: &Value, what: &str) -> Vec<Vec<f64>> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what}: expected a list of rows, got {v}"))
        .iter()
        .map(|r| vec_f64(r, what))
        .collect()
}

/// `|got − want| ≤ tol · max(1, |want|)`.
pub fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        got.is_finite() && (got - want).abs() <= tol * want.abs().max(1.0),
        "{what}: got {got:e}, want {want:e} (tolerance {tol:e})"
    );
}

pub fn assert_vec_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: got {got:?}, want {want:?} (lengths differ)"
    );
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_close(
            *g,
            *w,
            tol,
            &format!("{what}[{i}] (got {got:?}, want {want:?})"),
        );
    }
}

pub fn assert_mat_close(got: &[Vec<f64>], want: &[Vec<f64>], tol: f64, what: &str) {
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: got {got:?}, want {want:?} (row counts differ)"
    );
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_vec_close(g, w, tol, &format!("{what}[{i}]"));
    }
}

/// A key entry compared with a hand-worked vector.
pub fn check_vec(answers: &Value, field: &str, want: &[f64]) {
    assert_vec_close(&vec_f64(&answers[field], field), want, TOL, field);
}

/// A key entry compared with a hand-worked matrix.
pub fn check_mat(answers: &Value, field: &str, want: &[&[f64]]) {
    let want: Vec<Vec<f64>> = want.iter().map(|r| r.to_vec()).collect();
    assert_mat_close(&mat_f64(&answers[field], field), &want, TOL, field);
}

/// A scratch directory of its own per process and test (tests run in parallel),
/// removed when dropped.
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    pub fn new(test: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("examgen-test-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create the scratch directory");
        Scratch { path }
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Writes a file into the scratch directory and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, text).expect("write a scratch file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Whether this is a CI run (`CI=true`), where a missing tool fails instead of skipping.
pub fn is_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Panics under CI, otherwise prints a skip notice straight to stderr (libtest captures
/// `eprintln!` of passing tests, and a skip nobody sees looks like a pass).
pub fn skip_or_fail(test: &str, why: &str) {
    if is_ci() {
        panic!("{test}: {why}; this is required when CI=true");
    }
    let _ = writeln!(std::io::stderr(), "skipping {test}: {why}");
}

/// Whether `program` can be found on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| is_executable(&dir.join(program)))
    })
}

fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The spec header used by the hand-written test specs (lines 1–4; problems start on 5).
pub const HEADER: &str = "course: Test\nexam: Test exam\nlanguage: hr\nproblems:\n";

/// Parses a spec made of [`HEADER`] and one problem (a YAML list item).
pub fn parse_inline(problem_yaml: &str) -> examgen::exam::ExamSpec {
    let text = format!("{HEADER}{problem_yaml}");
    examgen::exam::parse(&text, Path::new("inline.yaml"))
        .unwrap_or_else(|e| panic!("the inline spec is valid: {e}\n{text}"))
}

/// The solved problems of a spec, drawn as `render_spec` draws them (seed 0, student
/// key 0, salt 0).
pub fn solve_spec(spec: &examgen::exam::ExamSpec) -> Vec<examgen::problems::Solved> {
    examgen::class::draw_variant(spec, 0, 0, 0).expect("the spec's problems can be drawn")
}

/// The key entry (`kind`, `params`, `answers`) of a one-problem inline spec.
pub fn inline_key(problem_yaml: &str) -> Value {
    let spec = parse_inline(problem_yaml);
    let solved = solve_spec(&spec);
    assert_eq!(solved.len(), 1);
    solved[0].key()
}

/// Runs the examgen binary.
pub fn examgen(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(args)
        .output()
        .expect("examgen runs")
}

/// Runs the examgen binary, which must succeed; returns its stderr (the warnings).
pub fn ok(args: &[&str]) -> String {
    let out = examgen(args);
    assert!(
        out.status.success(),
        "examgen {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A file of an output directory.
pub fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

/// The key.json of an output directory.
pub fn key(dir: &Path) -> Value {
    serde_json::from_slice(&read(dir, "key.json")).expect("key.json is JSON")
}

/// The integer denominator of every `\frac{..}{d}` in a LaTeX text (`\frac{\ln 2}{9}`
/// gives 9; a denominator that is not a plain integer is skipped): what the hand-work
/// checks of the stress tests read off a rendered sheet, independently of the formatter's
/// own bookkeeping.
pub fn frac_denominators(tex: &str) -> Vec<u64> {
    let mut found = Vec::new();
    let mut rest = tex;
    while let Some(at) = rest.find(r"\frac{") {
        rest = &rest[at + r"\frac{".len()..];
        // The numerator is a balanced group (it may hold another \frac, found next).
        let mut depth = 1;
        let numerator_end = rest.char_indices().find_map(|(i, c)| {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i + 1)
        });
        let Some(end) = numerator_end else { break };
        let denominator = rest[end..]
            .strip_prefix('{')
            .and_then(|group| group.split_once('}'))
            .and_then(|(d, _)| d.trim().parse::<u64>().ok());
        found.extend(denominator);
    }
    found
}

#[test]
fn frac_denominators_reads_plain_and_ln_fractions() {
    assert_eq!(
        frac_denominators(
            r"p = \frac{1}{3}, \frac{2\ln 2}{9} [1, 2], \frac{\frac{1}{2}}{x}, \frac{7}{ 65 }"
        ),
        vec![3, 9, 2, 65],
        "the fraction over x is skipped, the one in its numerator is not"
    );
    assert!(frac_denominators(r"\frac{1}{|1 - 3|}").is_empty());
}
