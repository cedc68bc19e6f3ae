//! Pools: a slot of the sheet filled, per student, by one of several problems. The
//! choice is drawn from the student's stream (so a code regenerates it), distinct
//! variants and the sharing warning count over the pool, and key.csv names the kind a
//! student got.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::common::{examgen, key, ok, read, root, Scratch, HEADER};

/// A two-slot exam: a pool of two kinds, then a plain problem.
const POOL_SPEC: &str = "  - pool:
      - softmax_ce:
          points: 10
          draw: {}
      - conv1d:
          points: 10
          draw: {}
  - softmax_ce:
      draw: {}
";

fn class_csv(dir: &Scratch) -> std::path::PathBuf {
    let text = std::fs::read_to_string(root().join("variants/class-example.csv")).unwrap();
    dir.write("class.csv", &text)
}

#[test]
fn each_student_gets_one_member_and_the_code_regenerates_it() {
    let dir = Scratch::new("pool-class");
    let spec = dir.write("pool.yaml", &format!("{HEADER}{POOL_SPEC}"));
    let csv = class_csv(&dir);
    let out = dir.join("out");
    let spec_arg = spec.to_str().unwrap();
    ok(&[
        "generate",
        "--spec",
        spec_arg,
        "--students",
        csv.to_str().unwrap(),
        "--seed",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    let key = key(&out);
    let students = key["students"].as_array().expect("students");
    assert_eq!(students.len(), 12);
    let mut kinds = BTreeMap::new();
    for s in students {
        let problems = s["problems"].as_array().unwrap();
        *kinds
            .entry(problems[0]["kind"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
        assert_eq!(problems[0]["points"], 10);
        assert_eq!(problems[1]["kind"], "softmax_ce");
    }
    // 12 students and a uniform choice: both members appear (fails with probability
    // 2^-11 for a given seed; the seed is fixed, so the test is deterministic).
    assert_eq!(kinds.len(), 2, "{kinds:?}");

    // key.csv names the kind of the pool's problem in its columns.
    let csv_text = String::from_utf8(read(&out, "key.csv")).unwrap();
    let header = csv_text.lines().next().unwrap();
    assert!(header.contains("P1.softmax_ce.loss"), "{header}");
    assert!(header.contains("P1.conv1d."), "{header}");
    assert!(header.contains("P2.loss"), "{header}");

    // Regenerating from a code, with and without the class list at hand, rebuilds the
    // student's own member and numbers.
    for s in students.iter().take(4) {
        let id = s["id"].as_str().unwrap();
        let code = s["variant_code"].as_str().unwrap();
        let again = dir.join(&format!("re-{id}"));
        ok(&[
            "regenerate",
            "--spec",
            spec_arg,
            code,
            "--students",
            csv.to_str().unwrap(),
            "--out",
            again.to_str().unwrap(),
        ]);
        for suffix in ["exam.tex", "solutions.tex"] {
            let name = format!("{id}-{suffix}");
            assert_eq!(read(&again, &name), read(&out, &name), "{name}");
        }
    }
}

#[test]
fn sharing_is_counted_over_the_pool() {
    let dir = Scratch::new("pool-sharing");
    // Two pinned problems: the pool has exactly two variants, too few for 12 students.
    let spec = dir.write(
        "pool.yaml",
        &format!(
            "{HEADER}  - pool:\n      - softmax_ce: {{logits: [1, 0], ln_base: 2, y: 0}}\n      - softmax_ce: {{logits: [2, 0], ln_base: 2, y: 1}}\n"
        ),
    );
    let csv = class_csv(&dir);
    let out = dir.join("out");
    let run = examgen(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--students",
        csv.to_str().unwrap(),
        "--seed",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("problem 1 (pool: softmax_ce | softmax_ce) has about 2 distinct variants for 12 students"),
        "{stderr}"
    );
    let params: HashSet<String> = key(&out)["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["problems"][0]["params"].to_string())
        .collect();
    assert_eq!(params.len(), 2);
}

#[test]
fn check_describes_the_pool_and_each_member() {
    let dir = Scratch::new("pool-check");
    let spec = dir.write("pool.yaml", &format!("{HEADER}{POOL_SPEC}"));
    let run = examgen(&["check", "--spec", spec.to_str().unwrap(), "--samples", "40"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = String::from_utf8_lossy(&run.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no line starting {needle:?} in\n{text}"))
    };
    let pool = at("problem 1 (pool: softmax_ce | conv1d):");
    let first = at("  member 1 (softmax_ce):");
    let second = at("  member 2 (conv1d):");
    let next = at("problem 2 (softmax_ce):");
    assert!(pool < first && first < second && second < next, "{text}");
    // Distinct variants are counted for the slot, constraints per member.
    assert!(
        lines[pool..first]
            .iter()
            .any(|l| l.starts_with("  distinct variants:")),
        "{text}"
    );
    assert!(
        lines[first..second]
            .iter()
            .any(|l| l.starts_with("    constraint logits_not_all_equal:")),
        "{text}"
    );
    assert!(
        lines[second..next]
            .iter()
            .any(|l| l.starts_with("    constraint nontrivial_kernels:")),
        "{text}"
    );
}

/// The pool's choice comes first in the slot's stream: the member's numbers are what the
/// member alone draws from the rest of that stream.
#[test]
fn the_choice_is_the_first_draw_of_the_slot() {
    let spec = examgen::exam::parse(
        &format!("{HEADER}{POOL_SPEC}"),
        std::path::Path::new("p.yaml"),
    )
    .expect("valid");
    let slot = &spec.slots[0];
    for student in 0..30 {
        let mut rng = examgen::draw::problem_rng(9, student, 0, 0);
        let choice = examgen::draw::index(&mut rng, 2);
        let by_member = slot.members()[choice].draw(&mut rng).unwrap();
        let by_slot = slot
            .draw(&mut examgen::draw::problem_rng(9, student, 0, 0), 1)
            .unwrap();
        let key: Value = by_slot.key();
        assert_eq!(key, by_member.key(), "student {student}");
    }
}
