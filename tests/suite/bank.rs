//! The problem bank on paper: every registered kind's drawn sheet compiles without a
//! LaTeX warning or an overfull box, and `variants/du1-bank.yaml` (an exam of pools)
//! compiles for a class, each pool giving its students different kinds. Without latexmk
//! the tests skip with a notice, except under `CI=true`, where they fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use examgen::problems::KINDS;

use super::common::{key, ok, on_path, root, skip_or_fail, Scratch, HEADER};
use super::pdf::{log_complaints, logs};

/// Every complaint in the LaTeX logs of a `--pdf` output directory.
fn complaints(out: &Path) -> Vec<String> {
    let logs = logs(out);
    assert!(logs.len() >= 2, "no LaTeX logs in {}", out.display());
    let mut found = Vec::new();
    for log in logs {
        let text = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
        for c in log_complaints(&text) {
            found.push(format!("{}: {c}", log.display()));
        }
    }
    found
}

#[test]
fn every_kind_compiles_cleanly() {
    if !on_path("latexmk") {
        skip_or_fail(
            "bank::every_kind_compiles_cleanly",
            "latexmk is not on PATH",
        );
        return;
    }
    let dir = Scratch::new("bank-every-kind");
    let problems: String = KINDS
        .iter()
        .map(|kind| format!("  - {kind}:\n      points: 10\n      draw: {{}}\n"))
        .collect();
    let spec = dir.write("every-kind.yaml", &format!("{HEADER}{problems}"));
    let out = dir.join("out");
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--count",
        "2",
        "--seed",
        "5",
        "--out",
        out.to_str().unwrap(),
        "--pdf",
    ]);
    let found = complaints(&out);
    assert!(found.is_empty(), "{}", found.join("\n"));
    let key = key(&out);
    let kinds: BTreeSet<&str> = key["students"][0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), KINDS.len(), "{kinds:?}");
}

#[test]
fn the_bank_exam_compiles_for_a_class_and_its_pools_vary() {
    if !on_path("latexmk") {
        skip_or_fail("bank::the_bank_exam", "latexmk is not on PATH");
        return;
    }
    let spec = root().join("variants/du1-bank.yaml");
    let bank = examgen::exam::load(&spec).expect("variants/du1-bank.yaml");
    assert!(
        bank.slots.iter().any(|s| s.is_pool()),
        "the bank exam has a pool"
    );
    let dir = Scratch::new("bank-class");
    let out = dir.join("out");
    let class = root().join("variants/class-example.csv");
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--students",
        class.to_str().unwrap(),
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
        "--pdf",
    ]);
    let found = complaints(&out);
    assert!(found.is_empty(), "{}", found.join("\n"));
    // Which kinds the class got in each place: a pool gives more than one.
    let key = key(&out);
    let mut kinds: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for student in key["students"].as_array().unwrap() {
        for (i, p) in student["problems"].as_array().unwrap().iter().enumerate() {
            kinds
                .entry(i)
                .or_default()
                .insert(p["kind"].as_str().unwrap().to_string());
        }
    }
    for (i, slot) in bank.slots.iter().enumerate() {
        if slot.is_pool() {
            assert!(
                kinds[&i].len() >= 2,
                "pool {} gave one kind to the class: {:?}",
                i + 1,
                kinds[&i]
            );
        }
    }
}
