//! Helpers of the randomized-variant tests (`stress_*`): a one-problem spec parsed from
//! YAML text, the draws over many seeds and students, the harness every kind's stress
//! test runs ([`stress`]: its own checker does the checking), and the golden files of the
//! first variants (`tests/golden/random/<kind>.json`, rewritten with `UPDATE_GOLDEN=1`).

use std::collections::HashSet;
use std::path::Path;

use examgen::draw::problem_rng;
use examgen::problems::{Problem, Solved};
use examgen::render::sheet::Block;
use examgen::spec::Language;
use serde_json::Value;

use super::common::{root, HEADER};

/// The one problem of a spec made of [`HEADER`] and `item` (a YAML list item).
pub fn one_problem(item: &str) -> Problem {
    let text = format!("{HEADER}{item}");
    let spec = examgen::exam::parse(&text, Path::new("stress.yaml"))
        .unwrap_or_else(|e| panic!("the stress spec is valid: {e}\n{text}"));
    assert_eq!(spec.slots.len(), 1);
    spec.slots[0]
        .problem()
        .expect("one problem, not a pool")
        .clone()
}

/// Draws `count` variants at position 0 over varied seeds and students; calls `check`
/// with the variant's number and returns the acceptance rate (variants / candidates).
pub fn draw_many(problem: &Problem, count: usize, mut check: impl FnMut(usize, &Solved)) -> f64 {
    let mut candidates = 0usize;
    for i in 0..count {
        let seed = (i / 100) as u64 * 7919 + 11;
        let student = (i % 100) as u64;
        let mut rng = problem_rng(seed, student, 0, 0);
        let (solved, tries) = problem
            .draw_counted(&mut rng)
            .unwrap_or_else(|e| panic!("variant {i} (seed {seed}, student {student}): {e}"));
        candidates += tries;
        check(i, &solved);
    }
    count as f64 / candidates as f64
}

/// The harness of every kind's stress test: `count` variants of the one (randomized)
/// problem of `item` ([`draw_many`]), each given to the kind's own independent `check`
/// with, for every `render_every`-th variant, its rendered sheet block (a render failure
/// fails the run); a check error fails the run naming the variant and its key. Reports
/// the acceptance rate and how many variants are distinct (by fingerprint) under `label`,
/// fails a run whose variants are all the same, and returns the acceptance rate.
pub fn stress(
    label: &str,
    item: &str,
    count: usize,
    render_every: usize,
    check: impl FnMut(usize, &Solved, Option<&Block>) -> Result<(), String>,
) -> f64 {
    stress_counted(label, item, count, render_every, check).rate
}

/// What [`stress_counted`] measured.
pub struct Stressed {
    /// Variants per candidate drawn.
    pub rate: f64,
    /// Distinct variants (by fingerprint).
    pub distinct: usize,
}

/// [`stress`], also returning the number of distinct variants.
pub fn stress_counted(
    label: &str,
    item: &str,
    count: usize,
    render_every: usize,
    mut check: impl FnMut(usize, &Solved, Option<&Block>) -> Result<(), String>,
) -> Stressed {
    let problem = one_problem(item);
    assert!(!problem.is_fixed(), "{label}: the stress spec draws");
    let mut fingerprints = HashSet::new();
    let rate = draw_many(&problem, count, |i, solved| {
        fingerprints.insert(solved.fingerprint());
        let block = i.is_multiple_of(render_every).then(|| {
            solved.render(Language::Hr, 1).unwrap_or_else(|e| {
                panic!("{label} variant {i} does not render: {e}\n{}", solved.key())
            })
        });
        if let Err(e) = check(i, solved, block.as_ref()) {
            panic!("{label} variant {i}: {e}\n{}", solved.key());
        }
    });
    let distinct = fingerprints.len();
    report(label, rate, &format!("({distinct} distinct of {count})"));
    assert!(
        count < 2 || distinct > 1,
        "{label}: all {count} variants are the same"
    );
    Stressed { rate, distinct }
}

/// `key()["params"]` of the variants of seed 7, students 0, 1 and 2, position 0, compared
/// with `tests/golden/random/<kind>.json` (rewritten under `UPDATE_GOLDEN=1`).
pub fn check_golden_params(kind: &str, item: &str) {
    let problem = one_problem(item);
    let params: Vec<Value> = (0..3)
        .map(|student| {
            let solved = problem
                .draw(&mut problem_rng(7, student, 0, 0))
                .expect("the default draw succeeds");
            solved.key()["params"].clone()
        })
        .collect();
    let text = serde_json::to_string_pretty(&Value::from(params)).expect("JSON") + "\n";
    let path = root().join(format!("tests/golden/random/{kind}.json"));
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create the folder");
        std::fs::write(&path, &text).expect("write the golden file");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    assert_eq!(
        text, want,
        "the first {kind} variants of seed 7 changed (the random stream is a public \
         contract); if intended, rerun with UPDATE_GOLDEN=1"
    );
}

/// An acceptance rate on stderr (visible with `--nocapture`).
pub fn report(what: &str, rate: f64, extra: &str) {
    eprintln!("{what}: acceptance {:.1}% {extra}", 100.0 * rate);
}

#[test]
#[should_panic(expected = "all 20 variants are the same")]
fn a_stress_run_whose_variants_are_all_the_same_fails() {
    // Drawn, but only one variant can come out.
    let item =
        "  - activation:\n      function: sigmoid\n      draw: {n_range: [3, 3], numeric: false}\n";
    stress("one variant", item, 20, 5, |_, _, _| Ok(()));
}

#[test]
#[should_panic(expected = "activation variant 0: the kind's checker says no")]
fn a_stress_run_fails_on_the_kinds_checker() {
    let item = "  - activation:\n      draw: {}\n";
    stress("activation", item, 20, 5, |_, _, _| {
        Err("the kind's checker says no".into())
    });
}

#[test]
fn a_stress_run_renders_every_nth_variant() {
    let item = "  - activation:\n      draw: {}\n";
    let mut rendered = Vec::new();
    stress("activation", item, 12, 5, |i, _, sheet| {
        if let Some(block) = sheet {
            assert!(!block.question.is_empty());
            rendered.push(i);
        }
        Ok(())
    });
    assert_eq!(rendered, [0, 5, 10]);
}
