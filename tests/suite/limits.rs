//! Every limit of `src/spec/limits.rs` refuses a hostile spec quickly, when the spec is
//! read, with a message naming the file, the line and the field; and numbers a sheet would
//! misprint are refused the same way.
//!
//! Each hostile spec runs through the binary with a deadline: before the limits these
//! took gigabytes or minutes (the README's "Limits" section has the figures), so a
//! regression shows as a timeout rather than a hung suite.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::common::{root, Scratch};

const HEAD: &str = "course: a\nexam: b\nlanguage: hr\nproblems:\n";

/// Runs `examgen check` on `text`; returns stderr, after asserting exit code 1 within
/// the deadline.
fn refused(text: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let scratch = Scratch::new(&format!("limits-{}", NEXT.fetch_add(1, Ordering::Relaxed)));
    let spec = scratch.join("spec.yaml");
    fs::write(&spec, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(["check", "--spec"])
        .arg(&spec)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run examgen");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("examgen check ran for more than 10 s on a hostile spec");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("examgen: error: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// Asserts the message names `spec.yaml:<line>` and the field.
fn names(stderr: &str, line: usize, field: &str) {
    assert!(stderr.contains(&format!("spec.yaml:{line}:")), "{stderr}");
    assert!(stderr.contains(&format!("{field}: ")), "{stderr}");
}

#[test]
fn a_spec_file_over_one_mib_is_refused_unread() {
    let mut text = HEAD.to_string() + "  - activation:\n      draw: {}\n";
    while text.len() <= examgen::spec::limits::MAX_SPEC_BYTES {
        text.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    let e = refused(&text);
    assert!(e.contains("larger than 1048576 bytes"), "{e}");
}

#[test]
fn nesting_100000_levels_deep_is_refused_before_parsing() {
    let n = 100_000;
    let text = format!(
        "{HEAD}  - conv1d:\n      x: {}{}\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let e = refused(&text);
    assert!(e.contains("spec.yaml:6:"), "{e}");
    assert!(e.contains("nested more than 64 levels"), "{e}");
}

/// A `'` inside a plain value (`O'Brien`) used to open a "quote" that hid every later
/// bracket from the nesting check; 100,000 levels then took 39 s in the parser.
#[test]
fn an_apostrophe_in_a_plain_value_does_not_hide_deep_nesting() {
    let n = 100_000;
    let deep = format!("{}{}", "[".repeat(n), "]".repeat(n));
    for author in ["O'Brien", "O\"Brien", "it's"] {
        let text =
            format!("course: a\nexam: b\nauthor: {author}\nlanguage: hr\nproblems: {deep}\n");
        let e = refused(&text);
        assert!(e.contains("spec.yaml:5:"), "{e}");
    }
    // A quote in a comment opens nothing either.
    let text = format!("# don't\ncourse: a # it's\nexam: b\nlanguage: hr\nproblems: {deep}\n");
    assert!(refused(&text).contains("spec.yaml:5:"));
}

/// Whatever the nesting check makes of the text, the file's `[` and `{` are counted too,
/// with no notion of quotes: that total bounds the deepest nesting the parser can see.
#[test]
fn more_than_10000_brackets_anywhere_are_refused() {
    let brackets = "[".repeat(10_001);
    for text in [
        format!("{HEAD}  - activation:\n      draw: {{}}\n# {brackets}\n"),
        format!("author: '{brackets}'\n{HEAD}  - activation:\n      draw: {{}}\n"),
    ] {
        let e = refused(&text);
        assert!(e.contains("more than 10000 `[` and `{` characters"), "{e}");
    }
}

/// Brackets and quotes in a block scalar are text: such a spec is read.
#[test]
fn a_block_scalar_with_brackets_and_quotes_is_read() {
    let scratch = Scratch::new("limits-block-scalar");
    let spec = scratch.join("spec.yaml");
    let text = format!(
        "course: a\nexam: b\nauthor: |\n  O'Brien {}\n  \"x\nlanguage: hr\nproblems:\n  - activation:\n      draw: {{}}\n",
        "[".repeat(100)
    );
    fs::write(&spec, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(["check", "--samples", "5", "--spec"])
        .arg(&spec)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_alias_bomb_is_refused_before_it_expands() {
    // One list of 70,000 numbers, then repeated by alias until the file is 420 KB:
    // about 5·10⁹ numbers if expanded.
    let row = format!("[{}]", vec!["1"; 70_000].join(","));
    let mut text = format!("{HEAD}  - batchnorm_mlp:\n      draw: {{}}\n      X: [&r {row}");
    while text.len() < 420_000 {
        text.push_str(", *r");
    }
    text.push_str("]\n");
    let e = refused(&text);
    names(&e, 7, "problems[0].batchnorm_mlp.X[0]");
    assert!(e.contains("at most 32"), "{e}");
}

#[test]
fn an_alias_bomb_in_the_labels_knob_is_refused() {
    // `labels` is `ones`, `drawn` or a list: read without buffering the whole value.
    let row = format!("[{}]", vec!["1"; 70_000].join(","));
    let mut text = format!(
        "{HEAD}  - batchnorm_mlp:\n      X: &r [[1, 1], [1, 1]]\n      draw:\n        labels: [&s {row}"
    );
    while text.len() < 420_000 {
        text.push_str(", *s");
    }
    text.push_str("]\n");
    let e = refused(&text);
    assert!(e.contains("problems[0].batchnorm_mlp.draw.labels"), "{e}");
}

#[test]
fn more_than_50_problems_are_refused() {
    let text = HEAD.to_string() + &"  - activation:\n      draw: {}\n".repeat(51);
    let e = refused(&text);
    assert!(e.contains("problems: too many entries: at most 50"), "{e}");
}

#[test]
fn a_pinned_vector_of_10000_entries_is_refused() {
    let x = vec!["1"; 10_000].join(", ");
    let e = refused(&format!(
        "{HEAD}  - conv1d:\n      x: [{x}]\n      draw: {{}}\n"
    ));
    names(&e, 6, "problems[0].conv1d.x");
    assert!(e.contains("at most 32"), "{e}");
}

#[test]
fn a_label_range_of_two_billion_is_refused() {
    let e = refused(&format!(
        "{HEAD}  - retrieval_ap:\n      draw:\n        label_range: [-1000000000, 1000000000]\n"
    ));
    names(&e, 7, "problems[0].retrieval_ap.draw.label_range");
    assert!(e.contains("within ±10000"), "{e}");
}

#[test]
fn every_range_knob_is_bounded() {
    let knobs = [
        ("batchnorm_mlp", "x_range"),
        ("batchnorm_mlp", "w1_range"),
        ("batchnorm_mlp", "b1_range"),
        ("batchnorm_mlp", "w2_range"),
        ("batchnorm_mlp", "b2_range"),
        ("conv1d", "x_range"),
        ("conv1d", "kernel_range"),
        ("conv1d", "w2_range"),
        ("conv1d", "b2_range"),
        ("retrieval_ap", "coordinate_range"),
        ("rnn_account", "balance_range"),
        ("rnn_account", "deposit_range"),
    ];
    for (kind, knob) in knobs {
        // i64::MIN as an end overflowed `abs` (found by the spec fuzzer).
        for range in ["[0, 10001]", "[-9223372036854775808, 4]"] {
            let e = refused(&format!(
                "{HEAD}  - {kind}:\n      draw:\n        {knob}: {range}\n"
            ));
            names(&e, 7, &format!("problems[0].{kind}.draw.{knob}"));
        }
    }
}

#[test]
fn transactions_100000_are_refused() {
    let e = refused(&format!(
        "{HEAD}  - rnn_account:\n      draw:\n        transactions: 100000\n"
    ));
    names(&e, 7, "problems[0].rnn_account.draw.transactions");
    assert!(e.contains("must be 1 to 16"), "{e}");
}

#[test]
fn numbers_a_sheet_would_misprint_are_refused_with_field_and_line() {
    let cases = [
        // Printed "stopa učenja iznosi 0".
        ("  - batchnorm_mlp:\n      lr: 1e-10\n      draw: {}\n", 6, "problems[0].batchnorm_mlp.lr"),
        // Passed `check`, failed at render time without a file or line.
        ("  - batchnorm_mlp:\n      lr: 0.123456789\n      draw: {}\n", 6, "problems[0].batchnorm_mlp.lr"),
        // Printed as [1, 5], a tie the solution broke invisibly.
        (
            "  - retrieval_ap:\n      X: [[1, 5.0000000001], [1, 5], [0, 1], [2, 2]]\n      draw: {}\n",
            6,
            "problems[0].retrieval_ap.X[0][1]",
        ),
        // "2e17 + 1 = 2e17".
        (
            "  - rnn_account:\n      h0: [100000000000000000, 0, 1]\n      draw: {}\n",
            6,
            "problems[0].rnn_account.h0[0]",
        ),
        ("  - activation:\n      alpha: .nan\n      draw: {}\n", 6, "problems[0].activation.alpha"),
        ("  - retrieval_ap:\n      query_label: 100000000000000000\n      draw: {}\n", 6, "problems[0].retrieval_ap.query_label"),
    ];
    for (problem, line, field) in cases {
        let e = refused(&format!("{HEAD}{problem}"));
        names(&e, line, field);
    }
}

#[test]
fn exact_decimals_and_fractions_within_the_limits_are_read() {
    let text = format!(
        "{HEAD}  - batchnorm_mlp:\n      lr: 0.001\n      X: [[1, 1], [-1, 3]]\n      y: [1, 1]\n      W1: [[1, 0], [0, 1]]\n      b1: [0, 0]\n      W2: [[1, 1]]\n      b2: [-1]\n  - activation:\n      function: leaky_relu\n      alpha: 0.01\n      n: 4\n"
    );
    examgen::exam::parse(&text, Path::new("spec.yaml")).expect("exact small numbers are read");
}

#[test]
fn a_byte_order_mark_is_read_and_is_not_part_of_the_spec() {
    let plain = fs::read_to_string(root().join("variants/du1-random.yaml")).unwrap();
    let with_bom = format!("\u{feff}{plain}");
    let a = examgen::exam::parse(&plain, Path::new("a.yaml")).unwrap();
    let b = examgen::exam::parse(&with_bom, Path::new("b.yaml")).unwrap();
    // Codes made with one copy must regenerate with the other.
    assert_eq!(a.hash, b.hash);
}

#[test]
fn check_and_generate_refuse_the_same_specs_with_the_same_message() {
    let spec_2022 = fs::read_to_string(root().join("variants/du1-2022.yaml")).unwrap();
    let bad = [
        // A value of the solution the sheet cannot show exactly (σ = √(1 + 0.5)): before,
        // `check` passed and `generate` failed without naming the file.
        spec_2022.replace("      lr: 1\n", "      lr: 1\n      eps: 0.5\n"),
        // σ = √1.001 is within 3e-11 of 4003/4001: at a recognition tolerance of 1e-9 the
        // sheet printed that fraction (and p = 2001/4003) as exact; it must be refused.
        spec_2022.replace("      lr: 1\n", "      lr: 1\n      eps: 0.001\n"),
        format!("{HEAD}  - batchnorm_mlp:\n      lr: 0.123456789\n      draw: {{}}\n"),
        format!("{HEAD}  - batchnorm_mlp:\n      lr: 1e-10\n      draw: {{}}\n"),
        format!("{HEAD}  - rnn_account:\n      draw:\n        transactions: 100000\n"),
        format!("{HEAD}  - retrieval_ap:\n      draw:\n        label_range: [0, 20000]\n"),
    ];
    for (i, text) in bad.iter().enumerate() {
        let scratch = Scratch::new(&format!("limits-same-{i}"));
        let spec = scratch.join("spec.yaml");
        fs::write(&spec, text).unwrap();
        let run = |args: &[&str]| {
            let o = Command::new(env!("CARGO_BIN_EXE_examgen"))
                .args(args)
                .arg("--spec")
                .arg(&spec)
                .output()
                .expect("run examgen");
            (
                o.status.code(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        };
        let out = scratch.join("out");
        let check = run(&["check"]);
        let generate = run(&["generate", "--out", out.to_str().unwrap()]);
        assert_eq!(check.0, Some(1), "check accepted spec {i}: {}", check.1);
        assert_eq!(check, generate, "spec {i}");
        assert!(check.1.contains("spec.yaml:"), "{}", check.1);
        assert!(!out.join("key.json").exists(), "spec {i}");
    }
}
