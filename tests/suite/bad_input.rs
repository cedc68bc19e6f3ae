//! Bad input, as course staff produce it the night before an exam: broken specs, class
//! lists straight from a spreadsheet, mistyped variant codes, unusable output directories,
//! a missing or failing TeX, and a run killed halfway.
//!
//! Every rejected input must give exit code 1 (clap's usage errors too), never a
//! panic, and a message starting `examgen: error:` that names the file, the line and the
//! field; the earlier output in the directory must stay byte for byte as it was, with no
//! new (temporary) files beside it. Inputs a spreadsheet writes must be accepted, and no
//! student id or name may escape the output directory or reach LaTeX unescaped.
//!
//! The rejected inputs are data: one folder per case in `tests/bad_input/` (its README
//! says the format), run by one harness; `UPDATE_EXPECTED=1` rewrites their expected
//! messages. What stays in Rust builds its input at run time (codes from a class run) or
//! needs more than one run or another environment.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use examgen::export::key_csv;
use serde_json::Value;

use super::common::{on_path, root, skip_or_fail, Scratch, HEADER};

// ---------------------------------------------------------------------------------------
// Running examgen and looking at what it left behind
// ---------------------------------------------------------------------------------------

fn examgen_cmd() -> Command {
    Command::new(env!("CARGO_BIN_EXE_examgen"))
}

fn run(args: &[String]) -> Output {
    examgen_cmd().args(args).output().expect("run examgen")
}

fn stderr_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn spec_2022() -> String {
    root().join("variants/du1-2022.yaml").display().to_string()
}

fn spec_random() -> String {
    root()
        .join("variants/du1-random.yaml")
        .display()
        .to_string()
}

/// What a directory holds: every entry below it (dot entries included, symlinks not
/// followed), by relative path; `None` for directories, the bytes for files.
type Tree = BTreeMap<PathBuf, Option<Vec<u8>>>;

fn tree(dir: &Path) -> Tree {
    fn walk(base: &Path, dir: &Path, out: &mut Tree) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.expect("read a directory entry");
            let path = entry.path();
            let rel = path.strip_prefix(base).unwrap().to_path_buf();
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                out.insert(rel, None);
                walk(base, &path, out);
            } else {
                out.insert(rel, Some(fs::read(&path).unwrap_or_default()));
            }
        }
    }
    let mut out = Tree::new();
    walk(dir, dir, &mut out);
    out
}

/// A readable difference between two trees ("" when equal).
fn tree_diff(before: &Tree, after: &Tree) -> String {
    let mut lines = Vec::new();
    for (path, old) in before {
        match after.get(path) {
            None => lines.push(format!("  removed: {}", path.display())),
            Some(new) if new != old => lines.push(format!("  changed: {}", path.display())),
            Some(_) => {}
        }
    }
    for path in after.keys() {
        if !before.contains_key(path) {
            lines.push(format!("  new: {}", path.display()));
        }
    }
    lines.join("\n")
}

/// examgen's bookkeeping at the top of an output directory: the manifest of the last
/// run, and the lock file a killed run leaves (the next run takes it over).
fn bookkeeping(name: &str) -> bool {
    name == ".examgen-manifest" || name == ".examgen.lock"
}

/// Earlier output of examgen (and the user's own notes) in `dir`: what a failing run
/// must leave exactly as it is.
fn earlier_output(dir: &Path) {
    fs::create_dir_all(dir.join(".build")).unwrap();
    for (name, text) in [
        ("exam.tex", "earlier exam\n\\end{document}\n"),
        ("solutions.tex", "earlier solutions\n\\end{document}\n"),
        ("key.json", "{\"earlier\": true}\n"),
        ("key.csv", "id,name,variant_code\r\n"),
        (
            "1-exam.tex",
            "earlier sheet of student 1\n\\end{document}\n",
        ),
        (
            "1-solutions.tex",
            "earlier solutions of student 1\n\\end{document}\n",
        ),
        ("notes.txt", "my own notes\n"),
        (".build/exam.log", "earlier log\n"),
    ] {
        fs::write(dir.join(name), text).unwrap();
    }
}

/// Whether a LaTeX document is complete: it ends with `\end{document}`. The final
/// newline is checked on its own (`written_tex_files_end_with_a_newline`), so that a
/// missing newline does not hide a truncated file here.
fn tex_complete(bytes: &[u8]) -> bool {
    bytes
        .strip_suffix(b"\n")
        .unwrap_or(bytes)
        .ends_with(b"\\end{document}")
}

/// Whether a file that examgen wrote is complete, judged by its kind; `None` when the
/// name says nothing about the kind.
fn complete(name: &str, bytes: &[u8]) -> Option<Result<(), String>> {
    if name.contains(".tex") {
        Some(if tex_complete(bytes) {
            Ok(())
        } else {
            Err(format!(
                "{name} does not end with \\end{{document}} ({} bytes)",
                bytes.len()
            ))
        })
    } else if name.contains("key.json") {
        Some(
            serde_json::from_slice::<Value>(bytes)
                .map(|_| ())
                .map_err(|e| format!("{name} is not JSON: {e}")),
        )
    } else if name.contains("key.csv") {
        Some(if bytes.ends_with(b"\n") {
            Ok(())
        } else {
            Err(format!("{name} does not end with a newline"))
        })
    } else {
        None
    }
}

/// The files at the top of an output directory that break the "no truncated file" rule:
/// every finished file must be complete; hidden (staging/temporary) entries may only be
/// directories or complete files.
fn truncated_files(dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return problems;
    };
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            if name == "figures" {
                // Shared figures: complete documents, like the sheets.
                problems.extend(truncated_files(&entry.path()));
            } else if !name.starts_with('.') {
                problems.push(format!("unexpected directory {name}"));
            }
            continue;
        }
        if bookkeeping(&name) {
            continue;
        }
        let bytes = fs::read(entry.path()).unwrap_or_default();
        match complete(&name, &bytes) {
            Some(Ok(())) => {}
            Some(Err(e)) => problems.push(e),
            None => problems.push(format!("unexpected file {name} ({} bytes)", bytes.len())),
        }
    }
    problems.sort();
    problems
}

// ---------------------------------------------------------------------------------------
// Rejected inputs: one folder per case under tests/bad_input/, one harness
// ---------------------------------------------------------------------------------------

/// The case folders (their format is in `tests/bad_input/README.md`).
fn case_folders() -> PathBuf {
    root().join("tests/bad_input")
}

/// Whether `UPDATE_EXPECTED=1` asks for the `expected` files to be rewritten.
fn updating_expected() -> bool {
    std::env::var("UPDATE_EXPECTED").as_deref() == Ok("1")
}

/// One rejected input. `{dir}` in the arguments is the case's scratch folder, which holds
/// `files` and `out/` with [`earlier_output`]; `{root}` is the crate root.
struct Case {
    name: String,
    files: Vec<(String, Vec<u8>)>,
    args: Vec<String>,
    /// `None` while `UPDATE_EXPECTED=1` writes it.
    expected: Option<Expected>,
}

/// What a rejection gives: the exit code (1 for every error, clap's usage errors
/// included) and the whole stderr, the scratch folder and the crate root written as `{dir}`
/// and `{root}`.
#[derive(Debug, PartialEq)]
struct Expected {
    code: i32,
    stderr: String,
}

impl Expected {
    /// An `expected` file: `exit: N` on its first line, then stderr byte for byte.
    fn parse(text: &str) -> Result<Expected, String> {
        let (first, stderr) = text.split_once('\n').unwrap_or((text, ""));
        let code = first
            .strip_prefix("exit: ")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("the first line is `{first}`, not `exit: N`"))?;
        Ok(Expected {
            code,
            stderr: stderr.to_string(),
        })
    }

    fn render(&self) -> String {
        format!("exit: {}\n{}", self.code, self.stderr)
    }
}

/// `{dir}` and `{root}` in a case's text, replaced by the paths.
fn expand(text: &str, dir: &Path) -> String {
    text.replace("{dir}", &dir.display().to_string())
        .replace("{root}", &root().display().to_string())
}

/// The paths in examgen's stderr, written back as `{dir}` and `{root}`.
fn placeholders(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "{dir}")
        .replace(&root().display().to_string(), "{root}")
}

/// The first line where the expected and the actual stderr differ.
fn first_difference(want: &str, got: &str) -> String {
    let (mut want_lines, mut got_lines) = (want.split('\n'), got.split('\n'));
    for line in 1.. {
        match (want_lines.next(), got_lines.next()) {
            (None, None) => break,
            (w, g) if w != g => {
                return format!(
                    "line {line} differs:\n    expected: {:?}\n    got:      {:?}",
                    w.unwrap_or("(end)"),
                    g.unwrap_or("(end)")
                )
            }
            _ => {}
        }
    }
    "the texts are equal".into()
}

/// Runs one case and judges it: what went wrong (empty when all is well), and what the run
/// gave. The rules hold for every case, whatever it expects: exit code 1, no panic,
/// stderr starting `examgen: error: `, and the scratch folder (the earlier output in `out/`
/// included) left exactly as it was.
fn run_case(c: &Case, update: bool) -> (Vec<String>, Expected) {
    let dir = Scratch::new(&format!("bad-{}", c.name));
    for (name, bytes) in &c.files {
        fs::write(dir.join(name), bytes).unwrap();
    }
    earlier_output(&dir.join("out"));
    let args: Vec<String> = c.args.iter().map(|a| expand(a, &dir.path)).collect();
    let before = tree(&dir.path);
    let o = run(&args);
    let got = Expected {
        code: o.status.code().unwrap_or(-1),
        stderr: placeholders(&stderr_of(&o), &dir.path),
    };
    let mut problems = Vec::new();
    if got.code != 1 {
        problems.push(format!(
            "exit code {:?}: a rejection exits with 1 (a usage error too)",
            o.status.code()
        ));
    }
    if got.stderr.contains("panicked") {
        problems.push("examgen panicked".into());
    }
    let prefix = "examgen: error: ";
    if !got.stderr.starts_with(prefix) {
        problems.push(format!("stderr does not start with `{prefix}`"));
    }
    let diff = tree_diff(&before, &tree(&dir.path));
    if !diff.is_empty() {
        problems.push(format!(
            "the run changed the files beside it (earlier output must stay untouched):\n{diff}"
        ));
    }
    // While the expected files are rewritten, the old expectation is not a problem.
    match c.expected.as_ref().filter(|_| !update) {
        Some(want) if want.code != got.code => {
            problems.push(format!("exit code {}, want {}", got.code, want.code));
        }
        Some(want) if want.stderr != got.stderr => problems.push(format!(
            "stderr is not the expected one; {}",
            first_difference(&want.stderr, &got.stderr)
        )),
        _ => {}
    }
    if !problems.is_empty() {
        problems = vec![format!(
            "{}: examgen {}\n  {}\n  stderr: {}",
            c.name,
            c.args.join(" "),
            problems.join("\n  "),
            got.stderr.trim_end().replace('\n', "\n          ")
        )];
    }
    (problems, got)
}

/// The arguments of a `cmd` file: one a line (an empty line is an empty argument), `#`
/// lines are comments.
fn parse_cmd(text: &str) -> Vec<String> {
    text.strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .filter(|line| !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The `{name}` placeholders of a text other than `{dir}` and `{root}`.
fn unknown_placeholders(text: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        rest = &rest[start + 1..];
        let Some(end) = rest.find('}') else { break };
        let name = &rest[..end];
        if !name.is_empty()
            && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && name != "dir"
            && name != "root"
        {
            unknown.push(format!("{{{name}}}"));
        }
    }
    unknown
}

/// Reads one case folder; the error says why it is not a usable case.
fn load_case(folder: &Path, update: bool) -> Result<Case, String> {
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    let mut cmd = None;
    let mut expected = None;
    let mut files = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(folder)
        .map_err(|e| format!("{name}: {e}"))?
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let file = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type().unwrap().is_file() {
            return Err(format!("{name}/{file}: a case folder holds files only"));
        }
        let bytes = fs::read(entry.path()).unwrap();
        match file.as_str() {
            "cmd" => cmd = Some(String::from_utf8(bytes).map_err(|e| format!("{name}/cmd: {e}"))?),
            "expected" => {
                let text = String::from_utf8(bytes).map_err(|e| format!("{name}/expected: {e}"))?;
                expected =
                    Some(Expected::parse(&text).map_err(|e| format!("{name}/expected: {e}"))?);
            }
            "out" => {
                return Err(format!(
                    "{name}/out: `out` is the earlier output the harness writes"
                ))
            }
            _ => files.push((file, bytes)),
        }
    }
    let cmd = cmd.ok_or_else(|| {
        format!("{name}: no `cmd` file: a stale case folder? Remove it, or give it a `cmd`")
    })?;
    let args = parse_cmd(&cmd);
    if args.is_empty() || args == [""] {
        return Err(format!("{name}/cmd: no arguments"));
    }
    let unknown = unknown_placeholders(&cmd);
    if !unknown.is_empty() {
        return Err(format!(
            "{name}/cmd: unknown placeholder {}; only {{dir}} and {{root}} exist",
            unknown.join(", ")
        ));
    }
    for (file, _) in &files {
        if !args.iter().any(|a| a.contains(&format!("{{dir}}/{file}"))) {
            return Err(format!(
                "{name}/{file}: not used: no argument in `cmd` names {{dir}}/{file}"
            ));
        }
    }
    if expected.is_none() && !update {
        return Err(format!(
            "{name}: no `expected` file; write it with `UPDATE_EXPECTED=1 cargo test --test tests bad_input` and review it"
        ));
    }
    Ok(Case {
        name,
        files,
        args,
        expected,
    })
}

/// `f` over `items` on a few threads, the results in order (each case runs a process and
/// mostly waits for it).
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(items.len()));
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                results.lock().unwrap().push((i, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// What running a folder of cases found.
struct Report {
    cases: usize,
    failures: Vec<String>,
    written: usize,
}

/// Runs every case folder in `folder`; with `update`, writes each case's `expected` from
/// its run (only when the run keeps the rules). A stray file, a folder that is not a
/// complete case and an input file no argument names are failures too.
fn run_case_folders(folder: &Path, update: bool) -> Report {
    let mut failures = Vec::new();
    let mut cases = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() {
            match load_case(&entry.path(), update) {
                Ok(case) => cases.push(case),
                Err(e) => failures.push(e),
            }
        } else if name != "README.md" && name != ".gitattributes" {
            failures.push(format!("{name}: a stray file; a case is a folder"));
        }
    }
    let mut written = 0;
    for (case, (problems, got)) in cases.iter().zip(par_map(&cases, |c| run_case(c, update))) {
        if update && problems.is_empty() && case.expected.as_ref() != Some(&got) {
            fs::write(folder.join(&case.name).join("expected"), got.render()).unwrap();
            written += 1;
        }
        if !(update && problems.is_empty()) {
            failures.extend(problems);
        }
    }
    Report {
        cases: cases.len(),
        failures,
        written,
    }
}

/// Runs Rust-built cases through the same harness; fails once, listing every case that
/// went wrong.
fn check_cases(cases: &[Case]) {
    let failures: Vec<String> = par_map(cases, |c| run_case(c, false))
        .into_iter()
        .flat_map(|(problems, _)| problems)
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Every folder in `tests/bad_input/`: bad specs, class lists, variant codes, output
/// directories and options. Each gives its exact message and exit code, and leaves the
/// earlier output as it was.
#[test]
fn every_bad_input_case_folder_is_rejected_as_expected() {
    let update = updating_expected();
    let report = run_case_folders(&case_folders(), update);
    if update && report.written > 0 {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!(
                "UPDATE_EXPECTED: rewrote {} expected files; review `git diff tests/bad_input`\n",
                report.written
            )
            .as_bytes(),
        );
    }
    assert!(report.cases >= 45, "only {} case folders", report.cases);
    assert!(
        report.failures.is_empty(),
        "{} of {} bad-input case folders failed (after an intended change of a message, \
         rewrite them with `UPDATE_EXPECTED=1 cargo test --test tests bad_input` and review \
         `git diff tests/bad_input`):\n\n{}",
        report.failures.len(),
        report.cases,
        report.failures.join("\n\n")
    );
}

/// The harness itself, on a folder of its own: it writes an expectation, passes it, and
/// fails on a wrong line number, a wrong exit code, a stale folder, an unused input file,
/// a stray file, an unknown placeholder and a run that is not a rejection.
#[test]
fn the_bad_input_harness_fails_on_wrong_expectations_and_stale_folders() {
    let scratch = Scratch::new("bad-harness-self-check");
    let folder = scratch.join("cases");
    let case = folder.join("selfcheck-missing_problems");
    fs::create_dir_all(&case).unwrap();
    fs::write(
        case.join("s.yaml"),
        "course: Test\nexam: Test exam\nlanguage: hr\n",
    )
    .unwrap();
    fs::write(
        case.join("cmd"),
        "# a spec without problems\ngenerate\n--spec\n{dir}/s.yaml\n--out\n{dir}/out\n--force\n",
    )
    .unwrap();

    let report = run_case_folders(&folder, false);
    assert_eq!(report.cases, 0);
    assert!(
        report.failures.len() == 1 && report.failures[0].contains("no `expected` file"),
        "{:?}",
        report.failures
    );

    let report = run_case_folders(&folder, true);
    assert_eq!(
        (report.cases, report.written),
        (1, 1),
        "{:?}",
        report.failures
    );
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let written = fs::read_to_string(case.join("expected")).unwrap();
    assert!(
        written.starts_with("exit: 1\nexamgen: error: {dir}/s.yaml:1:"),
        "{written}"
    );
    let report = run_case_folders(&folder, false);
    assert_eq!(report.cases, 1);
    assert!(report.failures.is_empty(), "{:?}", report.failures);

    let fails_with = |what: &str, want: &str| {
        let report = run_case_folders(&folder, false);
        assert!(
            report.failures.iter().any(|f| f.contains(want)),
            "{what}: the harness did not report `{want}`: {:?}",
            report.failures
        );
    };
    fs::write(
        case.join("expected"),
        written.replace("s.yaml:1:", "s.yaml:2:"),
    )
    .unwrap();
    fails_with("a wrong line", "line 1 differs");
    fs::write(case.join("expected"), written.replace("exit: 1", "exit: 2")).unwrap();
    fails_with("a wrong exit code", "exit code 1, want 2");
    fs::write(case.join("expected"), &written).unwrap();

    fs::write(case.join("class.csv"), "id,name\n1,Ana\n").unwrap();
    fails_with("an unused input", "class.csv: not used");
    fs::remove_file(case.join("class.csv")).unwrap();

    let stale = folder.join("selfcheck-stale");
    fs::create_dir_all(&stale).unwrap();
    fs::write(stale.join("expected"), &written).unwrap();
    fails_with("a folder without cmd", "selfcheck-stale: no `cmd` file");
    fs::write(stale.join("cmd"), "check\n--spec\n{spec}\n").unwrap();
    fails_with("an unknown placeholder", "unknown placeholder {spec}");
    fs::remove_dir_all(&stale).unwrap();

    fs::write(folder.join("notes.txt"), "").unwrap();
    fails_with("a stray file", "notes.txt: a stray file");
    fs::remove_file(folder.join("notes.txt")).unwrap();

    // A run that succeeds: exit 0, and it replaces the earlier output. Update mode must
    // not write an expectation for it.
    let accepted = folder.join("selfcheck-accepted");
    fs::create_dir_all(&accepted).unwrap();
    fs::write(
        accepted.join("cmd"),
        "generate\n--spec\n{root}/variants/du1-2022.yaml\n--out\n{dir}/out\n--force\n",
    )
    .unwrap();
    let report = run_case_folders(&folder, true);
    assert!(!accepted.join("expected").exists());
    let failure = report.failures.join("\n");
    for want in [
        "exit code Some(0)",
        "does not start with `examgen: error: `",
        "changed: out/exam.tex",
    ] {
        assert!(failure.contains(want), "lacks `{want}`: {failure}");
    }
    fs::remove_dir_all(&accepted).unwrap();
    assert!(run_case_folders(&folder, false).failures.is_empty());
}

/// Symbols of a code without dashes.
fn symbols(code: &str) -> Vec<char> {
    code.chars().filter(|&c| c != '-').collect()
}

/// `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX` from 24 symbols.
fn dashed(symbols: &[char]) -> String {
    symbols
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The code cases that need real codes, which only a class run gives: a checksum broken in
/// one symbol or by swapped neighbours of a valid code, and valid codes of another spec or
/// another class. (Malformed codes are folders: `tests/bad_input/code-*`.)
#[test]
fn mistyped_and_foreign_variant_codes_are_rejected() {
    let fixture = Scratch::new("bad-codes-fixture");
    let class = fixture.write(
        "class.csv",
        "id,name\n0036510001,Ana Kovačić\n0036510002,Ivo Horvat\n0036510003,Šime Jurić\n",
    );
    let stranger = fixture.write("stranger.csv", "id,name\n0036599999,Nobody Else\n");
    let class_code = |csv: &Path, seed: &str, out: &str| -> String {
        let out = fixture.join(out);
        let o = run(&[
            "generate".into(),
            "--spec".into(),
            spec_random(),
            "--students".into(),
            csv.display().to_string(),
            "--seed".into(),
            seed.into(),
            "--out".into(),
            out.display().to_string(),
        ]);
        assert!(o.status.success(), "fixture run: {}", stderr_of(&o));
        let key: Value = serde_json::from_slice(&fs::read(out.join("key.json")).unwrap()).unwrap();
        key["students"][0]["variant_code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let code = class_code(&class, "3", "class-run");
    let foreign = class_code(&stranger, "5", "stranger-run");

    let good = symbols(&code);
    assert_eq!(good.len(), 24, "{code}");
    let mut bad_check = good.clone();
    bad_check[23] = ALPHABET
        .chars()
        .find(|&c| c != good[23])
        .expect("another symbol");
    let swap_at = (6..20)
        .find(|&i| good[i] != good[i + 1])
        .expect("two different neighbours");
    let mut swapped = good.clone();
    swapped.swap(swap_at, swap_at + 1);

    let random = "{root}/variants/du1-random.yaml";
    let case = |name: &str, args: &[&str], stderr: String| Case {
        name: format!("code-{name}"),
        files: Vec::new(),
        args: args
            .iter()
            .map(|a| a.to_string())
            .chain(["--out", "{dir}/out", "--force"].map(String::from))
            .collect(),
        expected: Some(Expected { code: 1, stderr }),
    };
    const MISTYPED: &str =
        "the check symbols do not match: the code is mistyped (check each symbol)";
    let (bad_check, swapped) = (dashed(&bad_check), dashed(&swapped));
    let class = class.display().to_string();
    check_cases(&[
        case(
            "wrong_check_symbol",
            &["regenerate", "--spec", random, &bad_check],
            format!("examgen: error: variant code `{bad_check}`: {MISTYPED}\n"),
        ),
        case(
            "swapped_neighbours",
            &["regenerate", "--spec", random, &swapped],
            format!("examgen: error: variant code `{swapped}`: {MISTYPED}\n"),
        ),
        case(
            "code_of_another_spec",
            &[
                "regenerate",
                "--spec",
                "{root}/variants/du1-2022.yaml",
                &code,
            ],
            format!(
                "examgen: error: variant code `{code}`: this code belongs to another spec (or another version of this spec file)\n"
            ),
        ),
        case(
            "code_of_another_seed_and_class",
            &[
                "regenerate",
                "--spec",
                random,
                &foreign,
                "--students",
                &class,
            ],
            format!(
                "examgen: error: variant code `{foreign}`: no student of {class} has this code (was it made with another class list or seed?)\n"
            ),
        ),
    ]);
}

// ---------------------------------------------------------------------------------------
// Class lists that must be accepted
// ---------------------------------------------------------------------------------------

/// Ids that must never name a path: (id, name) pairs as a spreadsheet would hold them.
fn awkward_students(escape: &str) -> Vec<(String, String)> {
    // The longest name a class list may hold, no trailing blank (the reader trims fields).
    let limit = examgen::class_list::MAX_NAME_CHARS;
    let mut long_name: String = "Ćiro Šimunović-Đurđević "
        .repeat(30)
        .chars()
        .take(limit - 1)
        .collect();
    long_name.push('x');
    assert_eq!(long_name.chars().count(), limit);
    vec![
        ("0036512345", "Kovačić, Ana \"Anči\""),
        ("0036512346", "čćđšž ČĆĐŠŽ Željko Đurić"),
        ("a/b", "Ivo Horvat"),
        ("..", "Dot Dot"),
        (".hidden", "Hidden File"),
        ("../x", "Parent Path"),
        (escape, "Escape Attempt"),
        ("a b", "With Space"),
        ("-rf", "Leading Dash"),
        ("C:\\x", "Backslash Id"),
        ("latex", "& % $ # _ { } ~ ^ \\"),
        (
            "inj",
            "\\input{/etc/passwd} \\write18{touch /tmp/pwned} \\catcode`\\@=11",
        ),
        ("long", long_name.as_str()),
    ]
    .into_iter()
    .map(|(i, n)| (i.to_string(), n.to_string()))
    .collect()
}

/// One CSV field as a spreadsheet quotes it.
fn quoted(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[test]
fn spreadsheet_class_lists_with_awkward_ids_and_names_are_accepted_safely() {
    let dir = Scratch::new("bad-accepted");
    // The output directory is nested so that "beside it" and "its parent" are both
    // inside the scratch directory; one id tries to climb up to the temp directory.
    let work = dir.join("work");
    fs::create_dir_all(&work).unwrap();
    let escape_name = format!("examgen-escape-{}", std::process::id());
    let escape = format!("../../../{escape_name}");
    let students = awkward_students(&escape);

    // As Excel/LibreOffice save it: BOM, CRLF, quoted fields, an extra column; and the
    // same list with LF and no BOM.
    let mut crlf = String::from("\u{feff}id,name,email\r\n");
    let mut lf = String::from("name,id\n");
    for (k, (id, name)) in students.iter().enumerate() {
        crlf.push_str(&format!("{},{},s{k}@fer.hr\r\n", quoted(id), quoted(name)));
        lf.push_str(&format!("{},{}\n", quoted(name), quoted(id)));
    }
    let lists = [
        ("crlf-bom", dir.write("class-crlf.csv", &crlf)),
        ("lf", dir.write("class-lf.csv", &lf)),
    ];
    let temp_escape: Vec<PathBuf> = ["-exam.tex", "-solutions.tex"]
        .iter()
        .map(|s| std::env::temp_dir().join(format!("{escape_name}{s}")))
        .collect();

    let mut keys = Vec::new();
    for (label, csv) in &lists {
        let out = work.join(format!("out-{label}"));
        let beside_before = tree(&dir.path);
        let o = run(&[
            "generate".into(),
            "--spec".into(),
            spec_2022(),
            "--students".into(),
            csv.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ]);
        let err = stderr_of(&o);
        assert_eq!(o.status.code(), Some(0), "{label}: {err}");
        assert!(!err.contains("panicked"), "{err}");

        // Nothing new anywhere but inside the output directory.
        let mut beside_after = tree(&dir.path);
        beside_after.retain(|p, _| !p.starts_with(out.strip_prefix(&dir.path).unwrap()));
        assert_eq!(
            tree_diff(&beside_before, &beside_after),
            "",
            "{label}: files appeared outside the output directory"
        );
        for path in &temp_escape {
            assert!(!path.exists(), "{label}: {} was written", path.display());
        }

        // Only files, with safe names, two per student plus the keys.
        // Shared figures live in figures/ (checked like the sheets by the other tests).
        let mut inside = tree(&out);
        inside.retain(|p, _| !p.starts_with("figures") && !bookkeeping(&p.to_string_lossy()));
        let mut tex = 0;
        for (path, bytes) in &inside {
            let name = path.to_string_lossy();
            assert!(
                bytes.is_some(),
                "{label}: unexpected directory {name} in the output"
            );
            assert!(
                path.components().count() == 1
                    && !name.starts_with(['.', '-'])
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
                "{label}: unsafe file name {name:?}"
            );
            if name.ends_with(".tex") {
                tex += 1;
                let text = String::from_utf8(bytes.clone().unwrap()).unwrap();
                assert!(tex_complete(text.as_bytes()), "{name} is incomplete");
                for raw in ["\\input{/etc/passwd}", "\\write18{", "\\catcode`"] {
                    assert!(
                        !text.contains(raw),
                        "{label}: {name} holds the name's `{raw}` unescaped"
                    );
                }
            }
        }
        assert_eq!(tex, 2 * students.len(), "{label}: {:?}", inside.keys());
        assert_eq!(inside.len(), 2 * students.len() + 2, "{:?}", inside.keys());

        // key.json and key.csv keep the ids and names exactly, in class-list order.
        let key: Value = serde_json::from_slice(&fs::read(out.join("key.json")).unwrap())
            .expect("key.json is JSON");
        let listed: Vec<(String, String)> = key["students"]
            .as_array()
            .expect("a students list")
            .iter()
            .map(|s| {
                (
                    s["id"].as_str().unwrap().to_string(),
                    s["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            listed, students,
            "{label}: key.json changed an id or a name"
        );
        let mut reader = csv::Reader::from_path(out.join("key.csv")).expect("key.csv");
        let rows: Vec<(String, String)> = reader
            .records()
            .map(|r| {
                let r = r.expect("key.csv is CSV");
                (r[0].to_string(), r[1].to_string())
            })
            .collect();
        // Except that a cell a spreadsheet would run as a formula starts with `'`.
        let guarded: Vec<(String, String)> = students
            .iter()
            .map(|(id, name)| {
                (
                    key_csv::cell(id).into_owned(),
                    key_csv::cell(name).into_owned(),
                )
            })
            .collect();
        assert_eq!(rows, guarded, "{label}: key.csv changed an id or a name");
        keys.push(key);
    }
    assert_eq!(
        keys[0], keys[1],
        "the same class saved two ways gives the same key"
    );

    // `regenerate` names its files the same safe way, inside its own --out.
    let (class_out, csv) = (work.join("out-crlf-bom"), &lists[0].1);
    for (k, (id, _)) in students.iter().enumerate() {
        if !matches!(id.as_str(), "a/b" | ".." | "../x" | "-rf") && id != &escape {
            continue;
        }
        let code = keys[0]["students"][k]["variant_code"].as_str().unwrap();
        let re = work.join(format!("re-{k}"));
        let beside_before = tree(&dir.path);
        let o = run(&[
            "regenerate".into(),
            "--spec".into(),
            spec_2022(),
            code.into(),
            "--students".into(),
            csv.display().to_string(),
            "--out".into(),
            re.display().to_string(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "regenerate {id}: {}",
            stderr_of(&o)
        );
        let mut beside_after = tree(&dir.path);
        beside_after.retain(|p, _| !p.starts_with(re.strip_prefix(&dir.path).unwrap()));
        assert_eq!(
            tree_diff(&beside_before, &beside_after),
            "",
            "regenerate {id}: files appeared outside its output directory"
        );
        let mut inside = tree(&re);
        inside.retain(|p, _| !p.starts_with("figures") && !bookkeeping(&p.to_string_lossy()));
        assert_eq!(inside.len(), 2, "regenerate {id}: {:?}", inside.keys());
        for (path, bytes) in inside {
            assert_eq!(
                bytes,
                Some(fs::read(class_out.join(&path)).unwrap_or_default()),
                "regenerate {id}: {} differs from the class run's",
                path.display()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// PDFs: names print literally, a missing or failing TeX is reported
// ---------------------------------------------------------------------------------------

#[test]
fn latex_injection_in_names_prints_literally_in_the_pdf() {
    const TEST: &str = "bad_input::latex_injection_in_names_prints_literally_in_the_pdf";
    for tool in ["latexmk", "pdflatex", "pdftotext"] {
        if !on_path(tool) {
            skip_or_fail(TEST, &format!("{tool} is not on PATH"));
            return;
        }
    }
    let pwned = Path::new("/tmp/pwned");
    let pwned_before = pwned.exists();
    if pwned_before {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"note: /tmp/pwned exists already; its absence cannot be checked\n",
        );
    }
    let dir = Scratch::new("bad-injection-pdf");
    let injected = "\\input{/etc/passwd} \\write18{touch /tmp/pwned} \\catcode`\\@=11";
    let specials = "& % $ # _ { } ~ ^ \\";
    let csv = dir.write(
        "class.csv",
        &format!(
            "id,name\ninj,{}\nspecial,{} end\n",
            quoted(injected),
            quoted(specials)
        ),
    );
    let out = dir.join("out");
    let o = run(&[
        "generate".into(),
        "--spec".into(),
        spec_2022(),
        "--students".into(),
        csv.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--pdf".into(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr_of(&o));
    if !pwned_before {
        assert!(
            !pwned.exists(),
            "LaTeX ran \\write18: /tmp/pwned was created"
        );
    }
    let text = |pdf: &str| -> String {
        let path = out.join(pdf);
        assert!(path.exists(), "{pdf} was not made");
        let o = Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("run pdftotext");
        assert!(o.status.success(), "pdftotext {pdf}: {}", stderr_of(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    for sheet in ["exam", "solutions"] {
        let inj = text(&format!("inj-{sheet}.pdf"));
        for raw in [
            "\\input{/etc/passwd}",
            "\\write18{touch /tmp/pwned}",
            "\\catcode`\\@=11",
            injected,
        ] {
            assert!(
                inj.contains(raw),
                "inj-{sheet}.pdf does not show `{raw}`:\n{inj}"
            );
        }
        assert!(
            !inj.contains("root:x:0:0"),
            "inj-{sheet}.pdf shows /etc/passwd"
        );
        let special = text(&format!("special-{sheet}.pdf"));
        for raw in ["& % $ # _", "{ }", "~ ^ \\", &format!("{specials} end")] {
            assert!(
                special.contains(raw),
                "special-{sheet}.pdf does not show `{raw}`:\n{special}"
            );
        }
    }
}

/// A finished `.tex` is a text file: `\end{document}` and a final newline, so that a
/// complete file can be told from one cut off after `\end{document}` or in its last line.
#[test]
fn written_tex_files_end_with_a_newline() {
    let dir = Scratch::new("bad-final-newline");
    let out = dir.join("out");
    let o = run(&[
        "generate".into(),
        "--spec".into(),
        spec_2022(),
        "--out".into(),
        out.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr_of(&o));
    for name in ["exam.tex", "solutions.tex"] {
        let bytes = fs::read(out.join(name)).unwrap();
        let tail = String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(20)..]).into_owned();
        assert!(
            bytes.ends_with(b"\\end{document}\n"),
            "{name} ends with {tail:?}, not with \\end{{document}} and a newline"
        );
    }
}

/// A directory with nothing in it, to stand in for a PATH without TeX.
fn empty_path_dir(dir: &Scratch) -> PathBuf {
    let bin = dir.join("empty-bin");
    fs::create_dir_all(&bin).unwrap();
    bin
}

#[test]
fn pdf_without_tex_writes_the_tex_files_and_names_the_packages() {
    let dir = Scratch::new("bad-no-tex");
    let out = dir.join("out");
    let o = examgen_cmd()
        .args(["generate", "--spec", &spec_2022(), "--pdf", "--out"])
        .arg(&out)
        .env("PATH", empty_path_dir(&dir))
        .output()
        .expect("run examgen");
    let err = stderr_of(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.starts_with("examgen: error: "), "{err}");
    assert!(err.contains("pdflatex was not found on PATH"), "{err}");
    let packages = examgen::export::pdf::TEX_PACKAGES;
    assert!(packages.contains("texlive-latex-base"), "{packages}");
    for package in packages.split_whitespace() {
        assert!(err.contains(package), "the message lacks {package}:\n{err}");
    }
    for name in ["exam.tex", "solutions.tex"] {
        let bytes = fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(tex_complete(&bytes), "{name} is incomplete");
    }
    serde_json::from_slice::<Value>(&fs::read(out.join("key.json")).unwrap())
        .expect("key.json is written and complete");
    for (path, content) in tree(&out) {
        let name = path.to_string_lossy();
        assert!(!name.ends_with(".pdf"), "a PDF without TeX: {name}");
        assert!(
            !name.starts_with('.') || (name == ".build" && content.is_none()) || bookkeeping(&name),
            "a temporary entry was left behind: {name}"
        );
    }
}

#[test]
fn a_latex_failure_shows_its_first_error_and_keeps_the_tex() {
    let dir = Scratch::new("bad-tex-fails");
    let bin = dir.join("fake-bin");
    fs::create_dir_all(&bin).unwrap();
    // pdflatex as examgen calls it: in the directory of the .tex, `-output-directory=DIR`,
    // the .tex last. It answers --version, makes the preamble's format (-ini), and for a
    // sheet leaves a log with a LaTeX error and fails.
    let script = r#"#!/bin/sh
outdir=.
for a in "$@"; do
  case "$a" in
    --version) echo 'pdfTeX (fake)'; exit 0 ;;
    -output-directory=*) outdir="${a#-output-directory=}" ;;
    -jobname=*) job="${a#-jobname=}" ;;
    -ini) ini=1 ;;
  esac
  last="$a"
done
mkdir -p "$outdir"
if [ -n "$ini" ]; then echo fake > "$outdir/$job.fmt"; exit 0; fi
stem="${last%.tex}"
printf 'This is pdfTeX, Version 3.141592653\n(./%s.tex\n! Undefined control sequence.\n<recently read> \\foo \n\nl.42 \\foo\n\n?\n! Emergency stop.\n' "$stem" > "$outdir/$stem.log"
exit 12
"#;
    let pdflatex = bin.join("pdflatex");
    fs::write(&pdflatex, script).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&pdflatex, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let out = dir.join("out");
    let o = examgen_cmd()
        .args(["generate", "--spec", &spec_2022(), "--pdf", "--out"])
        .arg(&out)
        .env("PATH", path)
        .output()
        .expect("run examgen");
    let err = stderr_of(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.starts_with("examgen: error: "), "{err}");
    for want in [
        "exam.tex",
        "! Undefined control sequence.",
        "l.42 \\foo",
        "kept",
    ] {
        assert!(err.contains(want), "the message lacks `{want}`:\n{err}");
    }
    assert!(
        !err.contains("Emergency stop"),
        "the first error, not a later one:\n{err}"
    );
    for name in ["exam.tex", "solutions.tex"] {
        let bytes = fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name} is kept: {e}"));
        assert!(tex_complete(&bytes), "{name} is incomplete");
        let pdf = out.join(name.replace(".tex", ".pdf"));
        assert!(!pdf.exists(), "{} was made by a failed run", pdf.display());
    }
}

// ---------------------------------------------------------------------------------------
// A run killed halfway
// ---------------------------------------------------------------------------------------

fn class_400(dir: &Scratch) -> PathBuf {
    let mut text = String::from("id,name\n");
    for k in 0..400 {
        text.push_str(&format!(
            "00365{:05},Student {k} Kovačić\n",
            10_000 + 37 * k
        ));
    }
    dir.write("class.csv", &text)
}

enum Kill {
    After(Duration),
    /// As soon as the output directory holds this many `.tex` files (or after a timeout).
    WhenWritten(usize),
}

#[test]
fn a_killed_run_leaves_no_truncated_file_and_a_rerun_succeeds() {
    let dir = Scratch::new("bad-killed");
    let csv = class_400(&dir);
    let out = dir.join("out");
    let args = |force: bool| -> Vec<String> {
        let mut a = vec![
            "generate".to_string(),
            "--spec".into(),
            spec_random(),
            "--students".into(),
            csv.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ];
        if force {
            a.push("--force".into());
        }
        a
    };
    let tex_count = |dir: &Path| -> usize {
        fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".tex"))
                .count()
        })
    };
    let mut report = Vec::new();
    for (attempt, kill) in [
        Kill::After(Duration::from_millis(150)),
        Kill::After(Duration::from_millis(600)),
        Kill::WhenWritten(2),
    ]
    .into_iter()
    .enumerate()
    {
        let mut child = examgen_cmd()
            .args(args(true))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start examgen");
        let start = Instant::now();
        match kill {
            Kill::After(delay) => std::thread::sleep(delay),
            Kill::WhenWritten(n) => {
                while tex_count(&out) < n
                    && start.elapsed() < Duration::from_secs(120)
                    && child.try_wait().unwrap().is_none()
                {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let _ = child.wait();
        report.push(format!(
            "attempt {attempt}: killed after {:?}{}, {} .tex files in place",
            start.elapsed(),
            if finished {
                " (had already finished)"
            } else {
                ""
            },
            tex_count(&out)
        ));
        let problems = truncated_files(&out);
        assert!(
            problems.is_empty(),
            "after attempt {attempt} ({}) the output directory holds truncated files:\n  {}",
            report.last().unwrap(),
            problems.join("\n  ")
        );
    }
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("killed runs: {}\n", report.join("; ")).as_bytes(),
    );

    let o = run(&args(true));
    assert_eq!(o.status.code(), Some(0), "{}", stderr_of(&o));
    assert_eq!(tex_count(&out), 800);
    let problems = truncated_files(&out);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let key: Value = serde_json::from_slice(&fs::read(out.join("key.json")).unwrap()).unwrap();
    assert_eq!(key["students"].as_array().map(Vec::len), Some(400));
}

/// Writes `problems` under [`HEADER`] as `spec.yaml` in `dir`.
fn spec_file(dir: &Scratch, problems: &str) -> PathBuf {
    let path = dir.join("spec.yaml");
    fs::write(&path, format!("{HEADER}{problems}")).unwrap();
    path
}

/// The reviewer's spec: `check` passed it, and a class of 300 failed halfway with
/// "updated b1[1] = -0.000166… is not an exact rational" and no file or line. A drawn
/// variant's sheet now keeps the kind's hand-work budget, which no update W − lr·(…) with
/// such a learning rate can: the spec is refused up front, naming `lr` and its line.
#[test]
fn a_batchnorm_lr_that_makes_some_updates_inexact_is_refused_up_front() {
    let dir = Scratch::new("bad-input-lr-0002");
    for lr in ["0.002", "0.001", "0.003", "0.007"] {
        let spec = spec_file(
            &dir,
            &format!(
                "  - batchnorm_mlp:\n      lr: {lr}\n      draw: {{labels: ones, sigmas: [1,2,3], x_range: [-7,9], w1_range: [-3,3]}}\n"
            ),
        );
        let check = run(&[
            "check".into(),
            "--samples".into(),
            "300".into(),
            "--spec".into(),
            spec.display().to_string(),
        ]);
        assert_eq!(check.status.code(), Some(1), "{}", stderr_of(&check));
        let err = stderr_of(&check);
        assert!(
            err.contains("problems[0].batchnorm_mlp.lr") && err.contains("hand-work budget"),
            "{err}"
        );
    }
}
