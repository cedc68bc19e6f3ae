//! The `examgen` binary: help texts, spec errors that name the file and the line, and
//! the rules for the output directory (refused when non-empty unless --force; left
//! untouched by a failing run).

use std::path::Path;
use std::process::{Command, Output};

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
