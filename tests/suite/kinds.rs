//! One test per property every problem kind must have, each looping over the registry
//! (`examgen::problems::KINDS` and `EXAMPLES`, generated from the registry's one line per
//! kind) — never over a hand-written list, so a kind registered later is covered the day
//! it is added:
//!
//! - golden first variants of its default draw: the key entries (parameters and answers)
//!   and the rendered question and solution, in `tests/golden/kinds/<kind>/`
//!   (`UPDATE_GOLDEN=1 cargo test --test tests suite::kinds::golden` writes them, and
//!   only them; a kind without them fails until they are written and reviewed);
//! - the pins of its `partly_pinned` example are kept by every variant;
//! - every key.csv column it declares is in its key entries;
//! - its `broken` example is rejected when the spec is read, naming the problem's line;
//! - its fingerprint is its identity: equal fingerprints, equal parameters, and back;
//! - `examgen check` lists its constraints, `printed_exact` among them.
//!
//! Each check is a function returning what is wrong (empty when nothing is), so the
//! failures of all kinds are reported at once, and so each check is shown to fail on a
//! tampered value (the `*_catches_*` tests at the end).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use examgen::draw::{problem_rng, PRINTED_EXACT};
use examgen::problems::kind::{Examples, KeyCsv};
use examgen::problems::{Problem, Solved, EXAMPLES, KINDS};
use serde_json::Value;

use super::common::{root, HEADER};

/// The spec's path in messages.
const SPEC: &str = "kinds.yaml";
/// The seed of the golden variants (the one `tests/golden/random/` uses).
const GOLDEN_SEED: u64 = 7;
/// How many first variants have golden key entries.
const GOLDEN_VARIANTS: u64 = 3;
/// How many of them have golden sheets too (a sheet is 3–10 kB; the keys already show
/// every variant's numbers).
const GOLDEN_SHEETS: usize = 1;
/// How many variants must keep the pins.
const PINNED_VARIANTS: u64 = 50;
/// How many variants the fingerprint and key.csv checks look at.
const IDENTITY_VARIANTS: u64 = 200;

/// The spec text of `kind` with the map `body` (lines indented by 6 spaces).
fn spec_text(kind: &str, body: &str) -> String {
    format!("{HEADER}  - {kind}:\n{body}")
}

/// The default draw's map.
const DEFAULT_DRAW: &str = "      draw: {}\n";

/// The one problem of a spec, or the error reading it gives.
fn read(kind: &str, body: &str) -> Result<Problem, String> {
    let text = spec_text(kind, body);
    let spec = examgen::exam::parse(&text, Path::new(SPEC)).map_err(|e| e.to_string())?;
    assert_eq!(spec.slots.len(), 1, "{text}");
    Ok(spec.slots[0]
        .problem()
        .expect("one problem, not a pool")
        .clone())
}

/// The one problem of a spec that must be valid.
fn problem(kind: &str, body: &str) -> Problem {
    read(kind, body).unwrap_or_else(|e| panic!("{kind}: the spec is valid, but: {e}"))
}

/// Variant `student` of the problem (seed `seed`, position 0, salt 0: what
/// `class::draw_variant` draws for a one-problem spec).
fn variant(problem: &Problem, seed: u64, student: u64) -> Solved {
    problem
        .draw(&mut problem_rng(seed, student, 0, 0))
        .unwrap_or_else(|e| {
            panic!(
                "{}: variant {student} of seed {seed} cannot be drawn: {e}",
                problem.kind()
            )
        })
}

/// The examples of a kind, found by name in the registry's list.
fn examples(kind: &str) -> Examples {
    EXAMPLES
        .iter()
        .find(|(name, _)| *name == kind)
        .map(|(_, e)| *e)
        .unwrap_or_else(|| panic!("{kind} is in KINDS but not in EXAMPLES"))
}

/// Fails with every kind's problems, each line prefixed with its kind.
fn report(what: &str, problems: Vec<(&str, Vec<String>)>) {
    let lines: Vec<String> = problems
        .into_iter()
        .flat_map(|(kind, ps)| ps.into_iter().map(move |p| format!("  {kind}: {p}")))
        .collect();
    assert!(lines.is_empty(), "{what}:\n{}", lines.join("\n"));
}

#[test]
fn every_kind_has_its_examples() {
    let named: Vec<&str> = EXAMPLES.iter().map(|(name, _)| *name).collect();
    assert_eq!(named, KINDS);
}

// --- Golden first variants --------------------------------------------------------------

fn golden_dir(kind: &str) -> PathBuf {
    root().join("tests/golden/kinds").join(kind)
}

fn updating() -> bool {
    std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1")
}

/// The golden files of a kind: the key entries of its first variants, and the rendered
/// question and solution of the first (its figures also by name: a hash of their code).
fn golden_files(kind: &str) -> Vec<(&'static str, String)> {
    let problem = problem(kind, DEFAULT_DRAW);
    let solved: Vec<Solved> = (0..GOLDEN_VARIANTS)
        .map(|student| variant(&problem, GOLDEN_SEED, student))
        .collect();
    let keys: Vec<Value> = solved.iter().map(Solved::key).collect();
    let key = serde_json::to_string_pretty(&keys).expect("JSON") + "\n";
    let mut tex = String::new();
    for (i, s) in solved.iter().take(GOLDEN_SHEETS).enumerate() {
        let block = s
            .render(examgen::spec::Language::Hr, 1)
            .unwrap_or_else(|e| panic!("{kind}: variant {i} does not render: {e}"));
        let figures: String = block
            .figures
            .iter()
            .map(|f| format!(" {}", f.name))
            .collect();
        tex += &format!(
            "% ---- variant {i} (seed {GOLDEN_SEED}, student {i}): question\n{}\n\
             % ---- variant {i}: solution; figures:{}\n{}\n",
            block.question.trim_end(),
            if figures.is_empty() {
                " none"
            } else {
                &figures
            },
            block.solution.trim_end()
        );
    }
    vec![("key.json", key), ("sheets.tex", tex)]
}

/// What differs between a golden file and what was made now.
fn golden_problems(path: &Path, made: &str, golden: Option<&str>) -> Vec<String> {
    let Some(golden) = golden else {
        return vec![format!(
            "{} is missing: run `UPDATE_GOLDEN=1 cargo test --test tests suite::kinds::golden` and review \
             the files it writes before committing them",
            path.display()
        )];
    };
    if made == golden {
        return Vec::new();
    }
    let line = made
        .lines()
        .zip(golden.lines())
        .position(|(m, g)| m != g)
        .map_or_else(
            || "one is a prefix of the other".to_string(),
            |i| {
                format!(
                    "line {}:\n    golden: {}\n    now:    {}",
                    i + 1,
                    golden.lines().nth(i).unwrap_or_default(),
                    made.lines().nth(i).unwrap_or_default()
                )
            },
        );
    vec![format!(
        "{} differs at {line}\n    if the change is intended, rerun with UPDATE_GOLDEN=1 and \
         review `git diff tests/golden/kinds`",
        path.display()
    )]
}

#[test]
fn golden_first_variants_of_every_default_draw() {
    let mut problems = Vec::new();
    for kind in KINDS {
        let mut found = Vec::new();
        for (name, made) in golden_files(kind) {
            let path = golden_dir(kind).join(name);
            if updating() {
                std::fs::create_dir_all(golden_dir(kind)).expect("create the golden folder");
                std::fs::write(&path, &made).expect("write the golden file");
                continue;
            }
            let golden = std::fs::read_to_string(&path).ok();
            found.extend(golden_problems(&path, &made, golden.as_deref()));
        }
        problems.push((*kind, found));
    }
    report("golden first variants", problems);
}

/// A golden folder whose kind was renamed or removed would be checked by nothing.
#[test]
fn every_golden_folder_is_a_registered_kind() {
    let dir = root().join("tests/golden/kinds");
    // Without the folder there is nothing stale (the golden test fails on its own).
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries {
        let name = entry.expect("a folder entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            KINDS.contains(&name.as_ref()),
            "{}/{name} is no registered kind's; remove it",
            dir.display()
        );
    }
}

// --- Pins kept --------------------------------------------------------------------------

/// Whether two JSON values are equal, numbers compared as f64 (the key writes `1.0`
/// where the example says `1`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same(a, b)))
        }
        _ => a == b,
    }
}

/// The pins a key entry's `params` does not keep.
fn pins_broken(params: &Value, pins: &[(&str, &str)]) -> Vec<String> {
    pins.iter()
        .filter_map(|(name, json)| {
            let want: Value = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("the pin {name} = {json} is not JSON: {e}"));
            match params.get(*name) {
                Some(got) if same(got, &want) => None,
                Some(got) => Some(format!("params.{name} is {got}, pinned {want}")),
                None => Some(format!("params has no `{name}` (pinned {want})")),
            }
        })
        .collect()
}

#[test]
fn every_kind_keeps_its_pins() {
    let mut problems = Vec::new();
    for kind in KINDS {
        let (body, pins) = examples(kind).partly_pinned;
        assert!(
            !pins.is_empty(),
            "{kind}: the partly pinned example pins nothing"
        );
        let problem = problem(kind, body);
        let mut found = Vec::new();
        if problem.is_fixed() {
            found.push("the partly pinned example pins everything: nothing is drawn".into());
        }
        for student in 0..PINNED_VARIANTS {
            let params = &variant(&problem, 3, student).key()["params"];
            found.extend(
                pins_broken(params, pins)
                    .into_iter()
                    .map(|p| format!("variant {student}: {p}")),
            );
        }
        found.truncate(5);
        problems.push((*kind, found));
    }
    report("pins not kept", problems);
}

// --- key.csv columns --------------------------------------------------------------------

/// The key.csv columns a key entry lacks.
fn missing_columns(key: &Value, csv: KeyCsv) -> Vec<String> {
    let missing = |section: &str, names: &[&str]| -> Vec<String> {
        names
            .iter()
            .filter(|name| key[section][**name].is_null())
            .map(|name| {
                format!("key.csv column `{name}` is not in the key's `{section}` (or is null)")
            })
            .collect()
    };
    let mut found = missing("params", csv.params);
    found.extend(missing("answers", csv.answers));
    found
}

#[test]
fn every_key_csv_column_is_in_the_key() {
    let mut problems = Vec::new();
    for kind in KINDS {
        let problem = problem(kind, DEFAULT_DRAW);
        let mut found = Vec::new();
        for student in 0..IDENTITY_VARIANTS / 4 {
            let solved = variant(&problem, 5, student);
            let csv = solved.key_csv();
            if csv.answers.is_empty() {
                found.push("declares no key.csv answer column".to_string());
            }
            found.extend(missing_columns(&solved.key(), csv));
        }
        found.dedup();
        problems.push((*kind, found));
    }
    report("key.csv columns missing from the key", problems);
}

// --- Broken example rejected when read --------------------------------------------------

/// What is wrong with the way a broken spec was (or was not) rejected: the error must
/// name the file and a line of the problem (its `- kind:` line or one of its fields),
/// and contain `phrase`.
fn rejection_problems(
    result: Result<Problem, String>,
    phrase: &str,
    lines: (usize, usize),
) -> Vec<String> {
    let err = match result {
        Ok(_) => return vec!["the broken example was accepted when the spec was read".into()],
        Err(e) => e,
    };
    let mut found = Vec::new();
    if !err.contains(phrase) {
        found.push(format!("the error does not say `{phrase}`: {err}"));
    }
    let line = err
        .strip_prefix(&format!("{SPEC}:"))
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse::<usize>().ok());
    match line {
        Some(n) if (lines.0..=lines.1).contains(&n) => {}
        _ => found.push(format!(
            "the error does not start with `{SPEC}:<line>:` for a line {} to {} of the problem: {err}",
            lines.0, lines.1
        )),
    }
    found
}

/// The lines of the one problem of [`spec_text`]: its `- kind:` line, then its map.
fn problem_lines(body: &str) -> (usize, usize) {
    let first = HEADER.lines().count() + 1;
    (first, first + body.lines().count())
}

#[test]
fn every_broken_example_is_rejected_when_read() {
    let mut problems = Vec::new();
    for kind in KINDS {
        let (body, phrase) = examples(kind).broken;
        problems.push((
            *kind,
            rejection_problems(read(kind, body), phrase, problem_lines(body)),
        ));
    }
    report("broken examples", problems);
}

/// A kind's reference (its 2022 problem) is a valid, fully pinned entry whose hand work
/// `check` can show, and the kind's default draw never produces it (the published
/// worked solution must not be a student's variant).
#[test]
fn every_reference_is_pinned_measured_and_never_drawn() {
    for kind in KINDS {
        let Some(body) = examples(kind).reference else {
            continue;
        };
        let reference = problem(kind, body);
        assert!(
            reference.is_fixed(),
            "{kind}: the reference pins everything"
        );
        assert!(
            reference.reference_hand_work().is_some(),
            "{kind}: check could not measure the reference"
        );
        let published = reference
            .draw(&mut problem_rng(0, 0, 0, 0))
            .expect("the reference is valid")
            .fingerprint();
        let drawn = problem(kind, "      draw: {}\n");
        for student in 0..200 {
            let v = drawn
                .draw(&mut problem_rng(7, student, 0, 0))
                .expect("the default draw draws");
            assert_ne!(
                v.fingerprint(),
                published,
                "{kind}: student {student}'s variant is the published problem"
            );
        }
    }
}

// --- Fingerprints -----------------------------------------------------------------------

/// One variant as the identity check sees it: its fingerprint, its key parameters, and
/// its parameters in full (the `Debug` of the solved variant: the solution is computed
/// from the parameters, so equal parameters print alike, and different ones do not).
struct Identity {
    fingerprint: u64,
    key_params: Value,
    params: String,
}

impl Identity {
    fn of(solved: &Solved) -> Identity {
        Identity {
            fingerprint: solved.fingerprint(),
            key_params: solved.key()["params"].clone(),
            params: format!("{solved:?}"),
        }
    }
}

/// Pairs of variants whose fingerprints say they are the same and are not, or say they
/// differ and do not.
fn identity_problems(variants: &[Identity]) -> Vec<String> {
    let mut found = Vec::new();
    let mut by_fingerprint: HashMap<u64, usize> = HashMap::new();
    let mut by_params: HashMap<&str, usize> = HashMap::new();
    for (i, v) in variants.iter().enumerate() {
        if let Some(&j) = by_fingerprint.get(&v.fingerprint) {
            let w = &variants[j];
            if w.key_params != v.key_params {
                found.push(format!(
                    "variants {j} and {i} share a fingerprint but not their key params ({} vs {})",
                    w.key_params, v.key_params
                ));
            }
            if w.params != v.params {
                found.push(format!(
                    "variants {j} and {i} share a fingerprint but are different variants: \
                     the key params ({}) leave out what tells them apart",
                    v.key_params
                ));
            }
        }
        if let Some(&j) = by_params.get(v.params.as_str()) {
            if variants[j].fingerprint != v.fingerprint {
                found.push(format!(
                    "variants {j} and {i} are the same variant with different fingerprints"
                ));
            }
        }
        by_fingerprint.entry(v.fingerprint).or_insert(i);
        by_params.entry(v.params.as_str()).or_insert(i);
    }
    found
}

#[test]
fn every_fingerprint_is_the_variant_identity() {
    let mut problems = Vec::new();
    for kind in KINDS {
        let problem = problem(kind, DEFAULT_DRAW);
        let variants: Vec<Identity> = (0..IDENTITY_VARIANTS)
            .map(|student| Identity::of(&variant(&problem, 11, student)))
            .collect();
        let mut found = identity_problems(&variants);
        // The same variant drawn again must hash alike too.
        let again = Identity::of(&variant(&problem, 11, 0));
        if again.fingerprint != variants[0].fingerprint {
            found.push("the same variant drawn twice has two fingerprints".into());
        }
        found.truncate(5);
        problems.push((*kind, found));
    }
    report("fingerprints", problems);
}

// --- Constraints listed by `check` ------------------------------------------------------

/// What is wrong with the constraints `check` lists for a problem.
fn constraint_problems(names: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    if !names.contains(&PRINTED_EXACT) {
        found.push(format!(
            "`{PRINTED_EXACT}` is not among its constraints {names:?}"
        ));
    }
    let mut sorted = names.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != names.len() {
        found.push(format!("a constraint is listed twice: {names:?}"));
    }
    found
}

#[test]
fn check_lists_printed_exact_for_every_kind() {
    let mut problems = Vec::new();
    for kind in KINDS {
        let names: Vec<&str> = problem(kind, DEFAULT_DRAW)
            .constraints()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        problems.push((*kind, constraint_problems(&names)));
    }
    report("constraints listed by `examgen check`", problems);
}

// --- Each check can fail ----------------------------------------------------------------

/// A real key entry of the first registered kind, to tamper with.
fn first_kind_variant() -> Solved {
    variant(&problem(KINDS[0], DEFAULT_DRAW), GOLDEN_SEED, 0)
}

#[test]
fn golden_check_catches_a_missing_or_changed_file() {
    let path = Path::new("tests/golden/kinds/new_kind/key.json");
    let missing = golden_problems(path, "[]\n", None);
    assert!(missing[0].contains("UPDATE_GOLDEN=1"), "{missing:?}");
    let changed = golden_problems(path, "a\nb\n", Some("a\nc\n"));
    assert!(changed[0].contains("line 2"), "{changed:?}");
    assert!(golden_problems(path, "a\n", Some("a\n")).is_empty());
}

#[test]
fn pins_check_catches_a_changed_or_missing_pin() {
    let params = serde_json::json!({"x": [1.0, -2.0], "lr": 1.0, "name": "relu"});
    assert!(pins_broken(
        &params,
        &[("x", "[1, -2]"), ("lr", "1"), ("name", "\"relu\"")]
    )
    .is_empty());
    assert_eq!(pins_broken(&params, &[("x", "[1, 2]")]).len(), 1);
    assert_eq!(pins_broken(&params, &[("lr", "2")]).len(), 1);
    assert_eq!(pins_broken(&params, &[("W2", "[[1, 1]]")]).len(), 1);
    assert_eq!(pins_broken(&params, &[("name", "\"elu\"")]).len(), 1);
}

#[test]
fn key_csv_check_catches_a_column_removed_from_the_key() {
    let solved = first_kind_variant();
    let csv = solved.key_csv();
    let key = solved.key();
    assert!(missing_columns(&key, csv).is_empty());
    let mut nulled = key.clone();
    nulled["answers"][csv.answers[0]] = Value::Null;
    assert_eq!(missing_columns(&nulled, csv).len(), 1);
    for (section, names) in [("params", csv.params), ("answers", csv.answers)] {
        for name in names {
            let mut tampered = key.clone();
            tampered[section]
                .as_object_mut()
                .expect("a map")
                .remove(*name);
            let found = missing_columns(&tampered, csv);
            assert_eq!(found.len(), 1, "{section}.{name}: {found:?}");
            assert!(found[0].contains(name), "{found:?}");
        }
    }
}

#[test]
fn rejection_check_catches_acceptance_a_wrong_phrase_or_line() {
    let accepted = rejection_problems(Ok(problem(KINDS[0], DEFAULT_DRAW)), "x", (5, 6));
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    let err = |text: &str| Err::<Problem, String>(text.to_string());
    assert!(rejection_problems(err("kinds.yaml:6: a: breaks `c`"), "`c`", (5, 6)).is_empty());
    assert_eq!(
        rejection_problems(err("kinds.yaml:6: a: breaks `c`"), "`d`", (5, 6)).len(),
        1
    );
    assert_eq!(
        rejection_problems(err("kinds.yaml:2: a: breaks `c`"), "`c`", (5, 6)).len(),
        1
    );
    assert_eq!(
        rejection_problems(err("breaks `c`"), "`c`", (5, 6)).len(),
        1
    );
}

#[test]
fn identity_check_catches_a_clash_and_a_split() {
    let v = |fingerprint, key: i32, params: &str| Identity {
        fingerprint,
        key_params: Value::from(key),
        params: params.to_string(),
    };
    assert!(identity_problems(&[v(1, 1, "a"), v(2, 2, "b"), v(1, 1, "a")]).is_empty());
    // Key params that leave out what tells two variants apart.
    assert_eq!(identity_problems(&[v(1, 1, "a"), v(1, 1, "b")]).len(), 1);
    // A hash collision of different key params.
    assert_eq!(identity_problems(&[v(1, 1, "a"), v(1, 2, "b")]).len(), 2);
    // The same variant hashed two ways.
    assert_eq!(identity_problems(&[v(1, 1, "a"), v(2, 1, "a")]).len(), 1);
}

#[test]
fn constraint_check_catches_a_missing_printed_exact() {
    assert!(constraint_problems(&["a", PRINTED_EXACT]).is_empty());
    assert_eq!(constraint_problems(&["a", "b"]).len(), 1);
    assert_eq!(constraint_problems(&[]).len(), 1);
    assert_eq!(constraint_problems(&["a", "a", PRINTED_EXACT]).len(), 1);
}
