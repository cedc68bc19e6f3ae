//! The `examgen` binary: help texts, spec errors that name the file and the line, and
//! the rules for the output directory (refused when non-empty unless --force; left
//! untouched by a failing run).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::common::{spec_2022, Scratch, HEADER};

fn examgen(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(args)
        .output()
        .expect("run examgen")
}

fn generate(spec: &Path, out: &Path, force: bool) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "generate".as_ref(),
        "--spec".as_ref(),
        spec.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    if force {
        args.push("--force".as_ref());
    }
    examgen(&args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `generate` on a spec and expects exit code 1 with a message naming the file.
fn expect_spec_error(test: &str, spec_text: &str) -> String {
    let dir = Scratch::new(test);
    let spec = dir.write("bad-spec.yaml", spec_text);
    let out = dir.join("out");
    let o = generate(&spec, &out, false);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "exit code; stderr:\n{err}");
    assert!(err.starts_with("examgen: error: "), "{err}");
    assert!(
        err.contains(&format!("{}:", spec.display())),
        "stderr does not name the spec file:\n{err}"
    );
    assert!(!out.exists(), "a failed run created the output directory");
    err
}

#[test]
fn help_mentions_the_generate_command() {
    let o = examgen(&["--help".as_ref()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("generate"), "{text}");
    assert!(text.contains("Usage:"), "{text}");
}

#[test]
fn generate_help_mentions_every_option() {
    let o = examgen(&["generate".as_ref(), "--help".as_ref()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for option in ["--spec", "--out", "--pdf", "--force"] {
        assert!(
            text.contains(option),
            "generate --help lacks {option}:\n{text}"
        );
    }
}

#[test]
fn missing_required_option_is_a_usage_error() {
    let o = examgen(&["generate".as_ref()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--spec"), "{}", stderr(&o));
}

#[test]
fn unknown_top_level_field_names_its_line() {
    let err = expect_spec_error(
        "cli-unknown-field",
        "course: Test\nexam: Test exam\nlanguage: hr\ndate: today\nseed: 3\nproblems: []\n",
    );
    assert!(
        err.contains(":5:"),
        "the unknown field is on line 5:\n{err}"
    );
    assert!(err.contains("unknown field `seed`"), "{err}");
}

#[test]
fn unknown_field_inside_a_problem_names_its_line() {
    let spec =
        format!("{HEADER}  - activation:\n      function: softplus\n      learning_rate: 3\n");
    let err = expect_spec_error("cli-unknown-problem-field", &spec);
    assert!(
        err.contains(":7:"),
        "the unknown field is on line 7:\n{err}"
    );
    assert!(err.contains("learning_rate"), "{err}");
}

#[test]
fn unknown_problem_kind_lists_the_kinds() {
    let spec = format!("{HEADER}  - softmax_thing:\n      n: 4\n");
    let err = expect_spec_error("cli-unknown-kind", &spec);
    assert!(err.contains(":5:"), "the kind is on line 5:\n{err}");
    assert!(err.contains("softmax_thing"), "{err}");
    for kind in [
        "batchnorm_mlp",
        "retrieval_ap",
        "conv1d",
        "activation",
        "rnn_account",
    ] {
        assert!(
            err.contains(kind),
            "the message does not list {kind}:\n{err}"
        );
    }
}

#[test]
fn empty_problem_list_is_refused() {
    let err = expect_spec_error(
        "cli-empty-problems",
        &HEADER.replace("problems:\n", "problems: []\n"),
    );
    assert!(err.contains(":4: problems:"), "{err}");
    assert!(err.contains("no problems"), "{err}");
}

#[test]
fn wrong_w1_shape_names_the_field_and_its_line() {
    let spec = format!(
        "{HEADER}  - batchnorm_mlp:
      X: [[1, 1], [-1, 3]]
      y: [1, 1]
      # W1 needs 2 columns, one per feature
      W1: [[1, 0, 0], [0, 1, 0]]
      b1: [0, 0]
      W2: [[1, 1]]
      b2: [-1]
"
    );
    let err = expect_spec_error("cli-w1-shape", &spec);
    assert!(
        err.contains(":9: problems[0].batchnorm_mlp.W1:"),
        "W1 is on line 9:\n{err}"
    );
    assert!(err.contains("3 columns"), "{err}");
}

#[test]
fn missing_spec_file_is_reported() {
    let dir = Scratch::new("cli-missing-spec");
    let spec = dir.join("nope.yaml");
    let o = generate(&spec, &dir.join("out"), false);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("nope.yaml: cannot read the file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn generate_writes_the_three_files() {
    let dir = Scratch::new("cli-generate");
    let out = dir.join("out");
    let o = generate(&spec_2022(), &out, false);
    assert!(o.status.success(), "{}", stderr(&o));
    for name in ["exam.tex", "solutions.tex", "key.json"] {
        let written = std::fs::read_to_string(out.join(name)).expect("written");
        assert!(!written.is_empty(), "{name} is empty");
        assert!(stdout(&o).contains(&format!("wrote {}", out.join(name).display())));
    }
    let rendered = super::common::rendered_2022();
    assert_eq!(
        std::fs::read_to_string(out.join("key.json")).unwrap(),
        rendered.key_json,
        "the CLI writes what render_spec returns"
    );
    assert!(!out.join("exam.pdf").exists(), "a PDF without --pdf");
}

#[test]
fn non_empty_output_directory_needs_force() {
    let dir = Scratch::new("cli-force");
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();

    let o = generate(&spec_2022(), &out, false);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&out.display().to_string()),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(
        !out.join("exam.tex").exists(),
        "wrote into a refused directory"
    );

    let o = generate(&spec_2022(), &out, true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("exam.tex").exists());
    assert!(out.join("key.json").exists());
    // --force replaces examgen's files only.
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn failing_spec_leaves_existing_output_untouched() {
    let dir = Scratch::new("cli-untouched");
    let out = dir.join("out");
    let o = generate(&spec_2022(), &out, false);
    assert!(o.status.success(), "{}", stderr(&o));
    let before: Vec<(String, Vec<u8>)> = ["exam.tex", "solutions.tex", "key.json"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(out.join(n)).unwrap()))
        .collect();

    // A spec error, and a spec that is valid but cannot be shown exactly (σ = √14/3):
    // both fail before any file is touched, even with --force.
    let bad_yaml = dir.write("bad.yaml", &format!("{HEADER}  - conv1d: 3\n"));
    let inexact = dir.write(
        "inexact.yaml",
        &format!(
            "{HEADER}  - batchnorm_mlp:
      X: [[0, 0], [1, 1], [3, 3]]
      y: [1, 0, 1]
      W1: [[1, 0], [0, 1]]
      b1: [0, 0]
      W2: [[1, 1]]
      b2: [-1]
"
        ),
    );
    for spec in [&bad_yaml, &inexact] {
        let o = generate(spec, &out, true);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        for (name, bytes) in &before {
            assert_eq!(
                &std::fs::read(out.join(name)).unwrap(),
                bytes,
                "{name} changed after a failed run with {}",
                spec.display()
            );
        }
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                ".examgen-manifest",
                "exam.tex",
                "figures",
                "key.json",
                "solutions.tex"
            ]
        );
    }
}

// ---------------------------------------------------------------------------------------
// Exit codes, closed pipes, the order of the output and the closing summary

/// `examgen <args>` with its standard streams as given, run to its end.
fn examgen_with(args: &[&str], stdout: Stdio, stderr: Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(args)
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("run examgen")
}

/// Runs examgen with the read end of its standard output closed before it prints
/// anything, as `examgen … | head -1` or `| true` do: the pipe is a normal end.
fn run_into_a_closed_stdout(args: &[&str]) -> Output {
    let mut child = examgen_with(args, Stdio::piped(), Stdio::piped());
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for examgen")
}

#[test]
fn a_reader_that_closes_the_pipe_early_is_a_normal_end() {
    let spec = spec_2022();
    let spec = spec.to_str().unwrap();
    let o = run_into_a_closed_stdout(&["check", "--spec", spec, "--samples", "10"]);
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(0), "check | head -1; stderr:\n{err}");

    let dir = Scratch::new("cli-closed-stdout");
    let out = dir.join("out");
    let o = run_into_a_closed_stdout(&[
        "generate",
        "--spec",
        spec,
        "--count",
        "20",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(0), "generate | true; stderr:\n{err}");
    // The listing is lost, not the files: they are installed before it is printed.
    assert!(out.join("key.csv").exists() && out.join("key.json").exists());
}

#[test]
fn a_closed_stderr_is_no_panic_and_keeps_the_exit_code() {
    let dir = Scratch::new("cli-closed-stderr");
    let spec = spec_2022();
    let spec = spec.to_str().unwrap();
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    // A run that warns (every problem of the 2022 spec is pinned) and one that fails.
    for (args, code) in [
        (
            vec!["generate", "--spec", spec, "--count", "3", "--out", out],
            0,
        ),
        (
            vec!["generate", "--spec", spec, "--count", "0", "--out", out],
            1,
        ),
        (vec!["generate", "--spek", spec], 1),
    ] {
        let mut child = examgen_with(&args, Stdio::piped(), Stdio::piped());
        drop(child.stderr.take());
        let o = child.wait_with_output().expect("wait for examgen");
        // 101 would be a panic, whose message cannot be seen here.
        assert_eq!(o.status.code(), Some(code), "{args:?}");
    }
}

#[test]
fn help_and_version_print_to_stdout_and_exit_0_even_into_a_closed_pipe() {
    for args in [&["--help"][..], &["--version"], &["check", "--help"]] {
        let o = examgen(&args.iter().map(|a| a.as_ref()).collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("examgen"), "{args:?}: {}", stdout(&o));
        let o = run_into_a_closed_stdout(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

#[test]
fn usage_errors_exit_1_as_every_error_does() {
    // Clap's own default is 2; the README promises 1 for every error. The other usage
    // errors are case folders in tests/bad_input/usage-*; a case there needs arguments.
    let o = examgen(&[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("examgen: error: no command given\n"),
        "{err}"
    );
    assert!(err.contains("Usage: examgen <COMMAND>"), "{err}");
    assert!(o.stdout.is_empty(), "{}", stdout(&o));

    let o = examgen(&["check".as_ref(), "--samples=-3".as_ref()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.starts_with("examgen: error: "), "{err}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_stdout_that_cannot_be_written_is_an_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let spec = spec_2022();
    let child = examgen_with(
        &["check", "--spec", spec.to_str().unwrap(), "--samples", "10"],
        Stdio::from(full),
        Stdio::piped(),
    );
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("examgen: error: cannot write to standard output: "),
        "{err}"
    );
}

/// The shipped example class list, the one the README's quick start uses.
fn class_example() -> std::path::PathBuf {
    super::common::root().join("variants/class-example.csv")
}

/// The last line of stdout, split into what the summary says.
fn summary_of(o: &Output) -> String {
    let text = stdout(o);
    let last = text.lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("done: "), "no summary line:\n{text}");
    last
}

#[test]
fn a_class_run_ends_with_a_one_line_summary() {
    let dir = Scratch::new("cli-summary");
    let out = dir.join("class");
    let o = examgen(&[
        "generate".as_ref(),
        "--spec".as_ref(),
        spec_2022().as_os_str(),
        "--students".as_ref(),
        class_example().as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let line = summary_of(&o);
    let students = std::fs::read_to_string(class_example())
        .unwrap()
        .lines()
        .count()
        - 1;
    // Each student's two sheets, the shared figures, key.json and key.csv.
    let files = walk(&out)
        .iter()
        .filter(|p| !p.to_string_lossy().contains("/.")) // not the bookkeeping
        .count();
    let prefix = format!(
        "done: {students} students, {files} files written to {} (no PDFs: add --pdf) in ",
        out.display()
    );
    assert!(line.starts_with(&prefix), "{line}\nwant: {prefix}…");
    let seconds = line[prefix.len()..].strip_suffix(" s").expect("… s");
    assert!(seconds.parse::<f64>().is_ok_and(|s| s >= 0.0), "{line}");
    // The listing names the first files, and not all of them.
    assert!(stdout(&o).contains("... and "), "{}", stdout(&o));

    // Anonymous variants are counted as variants; one exam as one exam.
    let o = examgen(&[
        "generate".as_ref(),
        "--spec".as_ref(),
        spec_2022().as_os_str(),
        "--count".as_ref(),
        "3".as_ref(),
        "--out".as_ref(),
        dir.join("count").as_os_str(),
    ]);
    assert!(summary_of(&o).starts_with("done: 3 variants, 9 files written to "));
    let o = generate(&spec_2022(), &dir.join("one"), false);
    assert!(summary_of(&o).starts_with("done: 1 exam, 4 files written to "));
}

/// Every file under `dir`, recursively.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn count_warnings_speak_of_variants_not_students() {
    let dir = Scratch::new("cli-count-words");
    let o = examgen(&[
        "generate".as_ref(),
        "--spec".as_ref(),
        spec_2022().as_os_str(),
        "--count".as_ref(),
        "3".as_ref(),
        "--out".as_ref(),
        dir.join("out").as_os_str(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "problem 1 (batchnorm_mlp) is fully pinned, so all 3 variants get the same numbers"
        ),
        "{err}"
    );
    assert!(!err.contains("student"), "{err}");
}

#[test]
fn the_sharing_warning_comes_before_the_pdf_compile() {
    let dir = Scratch::new("cli-warning-order");
    // A pdflatex that copies examgen's stderr, as it is when it is first called,
    // and fails (a failed compile is enough: the question is only what came first).
    let bin = dir.join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let latexmk = bin.join("pdflatex");
    std::fs::write(
        &latexmk,
        "#!/bin/sh\n[ -e \"$SEEN\" ] || cp \"$STDERR_FILE\" \"$SEEN\"\nexit 12\n",
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&latexmk, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let stderr_file = dir.join("stderr.txt");
    let seen = dir.join("seen-by-pdflatex.txt");
    let o = Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(["generate", "--count", "2", "--pdf", "--jobs", "1", "--spec"])
        .arg(spec_2022())
        .arg("--out")
        .arg(dir.join("out"))
        .env("PATH", path)
        .env("STDERR_FILE", &stderr_file)
        .env("SEEN", &seen)
        .stderr(std::fs::File::create(&stderr_file).unwrap())
        .output()
        .expect("run examgen");
    let err = std::fs::read_to_string(&stderr_file).unwrap();
    assert_eq!(o.status.code(), Some(1), "the fake pdflatex fails:\n{err}");
    let warning = "examgen: warning: problem 1 (batchnorm_mlp) is fully pinned";
    assert!(err.contains(warning), "{err}");
    let seen = std::fs::read_to_string(&seen).expect("pdflatex ran");
    assert!(
        seen.contains(warning),
        "the warning came after the PDF compile had started; stderr then:\n{seen}"
    );
}

#[test]
fn the_readme_quick_start_runs_as_written() {
    // The `cargo run --release -- …` lines of "The two commands", run through the binary
    // from the crate root (so every relative path in them must exist in the repository),
    // into a scratch directory and without --pdf (the PDF tests are in pdf.rs).
    let readme = std::fs::read_to_string(super::common::root().join("README.md")).unwrap();
    let section = readme
        .split("\n## The two commands\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("the README has a section `The two commands`");
    let dir = Scratch::new("cli-readme");
    let mut ran = 0;
    for line in section.lines() {
        let Some(args) = line.strip_prefix("cargo run --release -- ") else {
            continue;
        };
        let mut args: Vec<String> = args.split_whitespace().map(str::to_string).collect();
        args.retain(|a| a != "--pdf");
        let out = args.iter().position(|a| a == "--out").expect("--out") + 1;
        args[out] = dir.join(&args[out]).display().to_string();
        let o = Command::new(env!("CARGO_BIN_EXE_examgen"))
            .args(&args)
            .current_dir(super::common::root())
            .output()
            .expect("run examgen");
        assert_eq!(o.status.code(), Some(0), "{line}\n{}", stderr(&o));
        summary_of(&o);
        ran += 1;
    }
    assert!(
        ran >= 2,
        "the quick start has the 2022 exam and a class run"
    );
}
