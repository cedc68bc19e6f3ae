//! The answer sheet's checkpoints of every registered kind (looped over from the
//! registry): walked with nothing entered they are the key's answers; they hold every
//! numeric final answer of key.csv but the ones the kind declares open (graded by hand);
//! and the walk follows the student's values (a wrong entry changes what a later
//! checkpoint should be). The per-kind proofs of error carried forward, recomputed
//! independently, are in `ecf`.

use std::collections::HashMap;
use std::path::Path;

use examgen::draw::problem_rng;
use examgen::problems::{Problem, Solved, EXAMPLES, KINDS};
use serde_json::Value;

use super::common::HEADER;

/// How many default variants of each kind are walked.
const VARIANTS: u64 = 40;

/// The first problem of a one-problem spec with `body` as the kind's map.
fn problem(kind: &str, body: &str) -> Problem {
    let text = format!("{HEADER}  - {kind}:\n{body}");
    let spec = examgen::exam::parse(&text, Path::new("checkpoints.yaml"))
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
    spec.slots[0].problem().expect("not a pool").clone()
}

/// Default variants of every kind, and each kind's reference (pinned) variant.
pub fn variants_of(kind: &str, count: u64) -> Vec<Solved> {
    let drawn = problem(kind, "      draw: {}\n");
    let mut out: Vec<Solved> = (0..count)
        .map(|i| drawn.draw(&mut problem_rng(3, i, 0, 0)).expect("draws"))
        .collect();
    let reference = EXAMPLES
        .iter()
        .find(|(k, _)| *k == kind)
        .unwrap()
        .1
        .reference;
    if let Some(body) = reference {
        let pinned = problem(kind, body);
        out.push(pinned.draw(&mut problem_rng(0, 0, 0, 0)).expect("pinned"));
    }
    out
}

/// The numeric entries of a JSON value by label (`name[i][j]`).
pub fn flatten(prefix: &str, v: &Value, out: &mut HashMap<String, f64>) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), item, out);
            }
        }
        Value::Number(n) => {
            out.insert(prefix.to_string(), n.as_f64().unwrap());
        }
        _ => {}
    }
}

/// The key's answers of a variant by label.
pub fn key_answers(solved: &Solved) -> HashMap<String, f64> {
    let key = solved.key();
    let mut out = HashMap::new();
    for (name, v) in key["answers"].as_object().unwrap() {
        flatten(name, v, &mut out);
    }
    out
}

/// What is wrong with a kind's walk over its key (empty: nothing).
fn key_walk_problems(solved: &Solved, answers: &HashMap<String, f64>) -> Vec<String> {
    let mut problems = Vec::new();
    let walk = solved.carry(&|_| None);
    if walk.is_empty() {
        return vec!["the answer sheet has no checkpoint".into()];
    }
    let mut seen = std::collections::HashSet::new();
    for c in &walk {
        if !seen.insert(c.label.clone()) {
            problems.push(format!("{} is walked twice", c.label));
        }
        match answers.get(&c.label) {
            None => problems.push(format!("{} is not a numeric answer of the key", c.label)),
            Some(&k) if (k - c.expected).abs() > 1e-9 * (1.0 + k.abs()) => problems.push(format!(
                "{}: the walk gives {} but the key {k}",
                c.label, c.expected
            )),
            Some(_) => {}
        }
    }
    // The kind's declared exceptions: final answers the text leaves open, graded by hand.
    // Each must be a final answer of key.csv that the walk leaves out, so the list can
    // neither hide a checkpoint nor go stale.
    let by_hand: std::collections::HashSet<String> = solved.graded_by_hand().into_iter().collect();
    let is_final = |label: &str| {
        solved
            .key_csv()
            .answers
            .iter()
            .any(|field| label == *field || label.starts_with(&format!("{field}[")))
    };
    for label in &by_hand {
        if !answers.contains_key(label) || !is_final(label) {
            problems.push(format!(
                "{label} is graded by hand but no numeric final answer of key.csv"
            ));
        } else if seen.contains(label) {
            problems.push(format!("{label} is graded by hand but has a box"));
        }
    }
    for label in answers.keys().filter(|l| is_final(l)) {
        if !seen.contains(label) && !by_hand.contains(label) {
            problems.push(format!("the final answer {label} is not a checkpoint"));
        }
    }
    problems
}

#[test]
fn walked_with_nothing_entered_the_checkpoints_are_the_key() {
    let mut failures = Vec::new();
    for kind in KINDS {
        for (i, solved) in variants_of(kind, VARIANTS).iter().enumerate() {
            for p in key_walk_problems(solved, &key_answers(solved)) {
                failures.push(format!("{kind} variant {i}: {p}"));
            }
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether some checkpoint's entry, changed by one, changes what a later entry should be
/// (of another checkpoint, or a later row of its own, as rnn_account's next state): the
/// walk reads the student's values.
fn walk_follows_the_student(solved: &Solved) -> bool {
    let key = solved.carry(&|_| None);
    key.iter().any(|changed| {
        let entered = |label: &str| (label == changed.label).then_some(changed.expected + 1.0);
        let walk = solved.carry(&entered);
        walk.iter()
            .zip(&key)
            .any(|(w, k)| w.label != changed.label && (w.expected - k.expected).abs() > 1e-9)
    })
}

#[test]
fn the_walk_follows_the_students_own_values() {
    let lost: Vec<&str> = KINDS
        .iter()
        .copied()
        .filter(|kind| !walk_follows_the_student(&variants_of(kind, 1)[0]))
        .collect();
    assert!(
        lost.is_empty(),
        "no carried value depends on an entered one: {lost:?}"
    );
}

#[test]
fn the_checks_fail_on_a_tampered_walk() {
    // conv1d's walk with a wrong key value: the key comparison must notice.
    let solved = &variants_of("conv1d", 1)[0];
    let mut answers = key_answers(solved);
    let walk = solved.carry(&|_| None);
    assert!(key_walk_problems(solved, &answers).is_empty());
    *answers.get_mut(&walk[0].label).unwrap() += 0.5;
    let found = key_walk_problems(solved, &answers);
    assert!(found[0].contains(&walk[0].label), "{found:?}");
    // A final answer the walk leaves out is noticed too.
    answers.insert("grad_kernels[9][9]".into(), 1.0);
    let found = key_walk_problems(solved, &answers);
    assert!(
        found
            .iter()
            .any(|p| p.contains("grad_kernels[9][9] is not a checkpoint")),
        "{found:?}"
    );
    // A kind's hand-graded answers excuse only themselves: rnn_account's flags.
    let solved = &variants_of("rnn_account", 1)[0];
    let mut answers = key_answers(solved);
    assert!(key_walk_problems(solved, &answers).is_empty());
    answers.insert("hs[0][3]".into(), 1.0);
    answers.remove("hs[1][2]");
    let found = key_walk_problems(solved, &answers);
    assert!(
        found
            .iter()
            .any(|p| p.contains("hs[0][3] is not a checkpoint")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.contains("hs[1][2] is graded by hand but no numeric final answer")),
        "{found:?}"
    );
}
