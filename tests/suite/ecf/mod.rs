//! Error carried forward, proved kind by kind: a script with a wrong early checkpoint and
//! every later value recomputed from it — by an independent recomputation in the test
//! (plain loops over key.json's parameters, not examgen's engine or its walk) — earns
//! the carried-forward credit on every later answer that differs from the key, full
//! marks on the ones that do not, and nothing on the wrong one. The key itself scores
//! full marks, random noise nothing, blanks nothing. One module per kind; the harness
//! is here.

use std::collections::HashMap;

use examgen::grade::mark::{earned, entry_points, mark, Verdict};
use examgen::problems::Solved;
use serde_json::Value;

use super::checkpoints::{key_answers, variants_of};

mod activation;
mod attention;
mod backprop_graph;
mod batchnorm_full;
mod batchnorm_mlp;
mod bptt_rnn;
mod cnn_architecture;
pub mod conv1d;
mod conv2d_pool;
mod gated_step;
mod optimizer_steps;
mod retrieval_ap;
mod rnn_account;
mod softmax_ce;
mod triplet_loss;

/// The tolerance the ECF tests mark with (the spec's default).
const TOLERANCE: f64 = 0.01;

/// A number of key.json's params.
pub fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// A vector of key.json's params.
pub fn vector(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

/// A matrix of key.json's params (rows).
pub fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(vector).collect()
}

/// Puts a vector's entries under `name[i]`.
pub fn put_vector(out: &mut HashMap<String, f64>, name: &str, v: &[f64]) {
    for (i, x) in v.iter().enumerate() {
        out.insert(format!("{name}[{i}]"), *x);
    }
}

/// Puts a matrix's entries under `name[i][j]`.
pub fn put_matrix(out: &mut HashMap<String, f64>, name: &str, m: &[Vec<f64>]) {
    for (i, row) in m.iter().enumerate() {
        for (j, x) in row.iter().enumerate() {
            out.insert(format!("{name}[{i}][{j}]"), *x);
        }
    }
}

/// A kind's ECF case: for one variant (its key entry), the wrong entry a student wrote
/// (label, value) and every later checkpoint recomputed from it, by label.
pub type Case = fn(key: &Value) -> Option<(String, f64, HashMap<String, f64>)>;

/// Checks a kind's ECF case on its first `count` default variants (and its reference):
/// the script made of the key's values, the wrong one and the recomputed later ones.
pub fn check(kind: &str, count: u64, case: Case) {
    let mut carried_somewhere = false;
    let mut cases = 0;
    for (n, solved) in variants_of(kind, count).iter().enumerate() {
        check_key_noise_blank(kind, n, solved);
        let Some((wrong, value, later)) = case(&solved.key()) else {
            continue;
        };
        cases += 1;
        let key = key_answers(solved);
        let mut script = key.clone();
        script.insert(wrong.clone(), value);
        script.extend(later.iter().map(|(l, v)| (l.clone(), *v)));
        let marks = mark(solved, &|l: &str| script.get(l).copied(), TOLERANCE);
        assert!(
            marks.iter().any(|m| m.label == wrong),
            "{kind}: {wrong} is no checkpoint"
        );
        let points = entry_points(&marks, Some(10));
        let worth: f64 = points.iter().sum();
        assert!(
            (worth - 10.0).abs() < 1e-9,
            "{kind}: the boxes are worth {worth}, not 10"
        );
        let mut total = (0.0, 0.0, 0.0);
        for (m, p) in marks.iter().zip(&points) {
            let differs = (m.key - script[&m.label]).abs() > TOLERANCE;
            let want = if m.label == wrong {
                Verdict::Wrong
            } else if differs {
                assert!(
                    later.contains_key(&m.label),
                    "{kind} {n}: {} changed but is not later",
                    m.label
                );
                carried_somewhere = true;
                Verdict::Carried
            } else {
                Verdict::Correct
            };
            assert_eq!(
                m.verdict, want,
                "{kind} variant {n}: {} = {} (key {}, carried {}) after {wrong} = {value}",
                m.label, script[&m.label], m.key, m.carried
            );
            total.0 += earned(m.verdict, *p, 1.0);
            total.1 += earned(m.verdict, *p, 0.5);
            total.2 += *p;
        }
        let wrong_points: f64 = marks
            .iter()
            .zip(&points)
            .filter(|(m, _)| m.label == wrong)
            .map(|(_, p)| p)
            .sum();
        assert!(
            (total.0 - (total.2 - wrong_points)).abs() < 1e-9,
            "{kind}: full ECF credit"
        );
        assert!(total.1 < total.0, "{kind}: half ECF credit earns less");
    }
    assert!(cases > 0, "{kind}: no variant gave an ECF case");
    assert!(
        carried_somewhere,
        "{kind}: no later answer differed from the key"
    );
}

/// The key scores full marks, noise nothing, blanks nothing.
fn check_key_noise_blank(kind: &str, n: usize, solved: &Solved) {
    let key = key_answers(solved);
    let marks = mark(solved, &|l: &str| key.get(l).copied(), TOLERANCE);
    let bad: Vec<_> = marks
        .iter()
        .filter(|m| m.verdict != Verdict::Correct)
        .collect();
    assert!(bad.is_empty(), "{kind} {n}: the key's own values: {bad:?}");
    // Noise: far from the key and from anything carried (the carried values follow the
    // noise, so an entry equal to its carried value would be a coincidence). Each label
    // is shifted by its own amount: a shift shared by two labels would be carried through
    // any relation y = x + c between them (h = z where the ReLU is active, g = w − c).
    let noise = |l: &str| key.get(l).map(|k| k + 1000.5 + shift(l));
    let marks = mark(solved, &noise, TOLERANCE);
    let scored: Vec<_> = marks
        .iter()
        .filter(|m| m.verdict != Verdict::Wrong)
        .collect();
    assert!(scored.is_empty(), "{kind} {n}: noise scored: {scored:?}");
    let marks = mark(solved, &|_| None, TOLERANCE);
    assert!(
        marks.iter().all(|m| m.verdict == Verdict::Blank),
        "{kind} {n}: blanks"
    );
}

/// A label's own shift of the noise, in [0, 700): its FNV-1a hash, spread by an
/// irrational step so that sums of shifts with small integer weights miss each other too.
fn shift(label: &str) -> f64 {
    let hash = label.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % 990) as f64 * std::f64::consts::FRAC_1_SQRT_2
}

#[test]
fn the_harness_notices_a_wrong_carried_value() {
    // conv1d's case with one later value off: it must be marked wrong, so `check`'s
    // verdict assertion fails.
    let solved = &variants_of("conv1d", 1)[0];
    let (wrong, value, mut later) = conv1d::case(&solved.key()).expect("a case");
    let (label, v) = later
        .iter_mut()
        .find(|(l, _)| l.starts_with("loss"))
        .unwrap();
    *v += 0.3;
    let label = label.clone();
    let mut script = key_answers(solved);
    script.insert(wrong, value);
    script.extend(later);
    let marks = mark(solved, &|l: &str| script.get(l).copied(), TOLERANCE);
    let m = marks.iter().find(|m| m.label == label).unwrap();
    assert_eq!(m.verdict, Verdict::Wrong);
}
