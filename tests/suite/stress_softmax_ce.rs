//! Randomized softmax_ce variants, each checked against an independent recomputation:
//! the softmax and the loss in f64 straight from the logits, the fractions
//! b^{e_i − m} / Σ b^{e_j − m} in integers, the gradient by central finite differences of
//! that loss (with respect to z and to e), the knobs and the constraints; a sample is
//! rendered. Also: the count of distinct variants of the default draw, pins kept, the
//! golden first variants.
//!
//! The always-run tests draw 3,000 variants (2 s in debug); the heavy one 150,000 (about
//! a minute: `cargo test --test tests stress_softmax_ce -- --ignored --nocapture`).

use std::collections::HashSet;
use std::path::Path;

use examgen::problems::{Problem, Solved};
use examgen::slot::Slot;
use serde_json::Value;

use super::common::{num, vec_f64, HEADER};
use super::random_support::{check_golden_params, draw_many, one_problem, stress_counted};

const DEFAULT: &str = "  - softmax_ce:\n      draw: {}\n";

/// Two to six classes, wider exponents, base 3 next to base 2.
const WIDE: &str = "  - softmax_ce:
      draw:
        classes_range: [2, 6]
        logit_range: [-3, 3]
        ln_bases: [2, 3]
";

/// The knobs a variant must respect, as the test reads them.
struct Knobs {
    classes: (usize, usize),
    logits: (i64, i64),
    bases: &'static [u32],
}

const DEFAULT_KNOBS: Knobs = Knobs {
    classes: (3, 5),
    logits: (-2, 2),
    bases: &[2],
};

/// The kind's hand-work budget, as this test reads it: the largest denominator and the
/// largest numerator of the fractions p, ∂L/∂z and the loss's ln(Σ/b^{e_y − m}) show.
const MAX_DENOMINATOR: i128 = 24;
const MAX_NUMERATOR: i128 = 24;

const WIDE_KNOBS: Knobs = Knobs {
    classes: (2, 6),
    logits: (-3, 3),
    bases: &[2, 3],
};

/// The loss −ln softmax(z)_y in f64, by log-sum-exp.
fn loss_of(z: &[f64], y: usize) -> f64 {
    let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
    max + sum.ln() - z[y]
}

/// softmax(z) in f64.
fn softmax(z: &[f64]) -> Vec<f64> {
    let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

/// `n/d` reduced, as the key writes it ("3/7", "-1/2", "0", "1").
fn fraction(n: i128, d: i128) -> String {
    let g = gcd(n, d);
    let (n, d) = (n / g, d / g);
    if d == 1 {
        n.to_string()
    } else {
        format!("{n}/{d}")
    }
}

/// Central differences of `f` at `x`, entry by entry.
fn numeric_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let step = 1e-6;
    (0..x.len())
        .map(|i| {
            let (mut plus, mut minus) = (x.to_vec(), x.to_vec());
            plus[i] += step;
            minus[i] -= step;
            (f(&plus) - f(&minus)) / (2.0 * step)
        })
        .collect()
}

fn strings(v: &Value, what: &str) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is an array"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

fn check_variant(i: usize, solved: &Solved, knobs: &Knobs) {
    let key = solved.key();
    let (pr, a) = (&key["params"], &key["answers"]);
    let what = |s: &str| format!("variant {i}: {s} ({pr})");
    let e: Vec<i64> = pr["logits"]
        .as_array()
        .expect("logits")
        .iter()
        .map(|v| v.as_i64().expect("integer logits"))
        .collect();
    let base = pr["ln_base"].as_u64().expect("ln_base") as u32;
    let y = pr["y"].as_u64().expect("y") as usize;
    let ln_b = f64::from(base).ln();

    // The knobs.
    let k = e.len();
    assert!(
        (knobs.classes.0..=knobs.classes.1).contains(&k),
        "{}",
        what("K")
    );
    assert!(
        e.iter()
            .all(|v| (knobs.logits.0..=knobs.logits.1).contains(v)),
        "{}",
        what("logit range")
    );
    assert!(knobs.bases.contains(&base), "{}", what("ln_base"));
    assert!(y < k, "{}", what("y"));
    let z: Vec<f64> = e.iter().map(|&v| v as f64 * ln_b).collect();
    assert_eq!(vec_f64(&pr["z"], "z"), z, "{}", what("z = ln b · e"));

    // The constraints, recomputed.
    assert!(e.iter().any(|&v| v != e[0]), "{}", what("equal logits"));

    // p and L in f64, from z alone.
    let p = softmax(&z);
    let loss = loss_of(&z, y);
    for (got, want) in vec_f64(&a["p"], "p").iter().zip(&p) {
        assert!((got - want).abs() < 1e-12, "{}", what("p"));
    }
    assert!(
        (num(&a["loss"], "loss") - loss).abs() < 1e-12 * loss.max(1.0),
        "{}",
        what("loss")
    );

    // The fractions, in integers: p_i = b^{e_i − m} / Σ_j b^{e_j − m}.
    let m = *e.iter().min().expect("a logit");
    let powers: Vec<i128> = e
        .iter()
        .map(|&v| i128::from(base).pow((v - m) as u32))
        .collect();
    let total: i128 = powers.iter().sum();
    let p_exact: Vec<String> = powers.iter().map(|&n| fraction(n, total)).collect();
    assert_eq!(strings(&a["p_exact"], "p_exact"), p_exact, "{}", what("p"));
    for &n in &powers {
        assert!(
            total / gcd(n, total) <= 64,
            "{}",
            what("a denominator above 64")
        );
    }
    let grad_exact: Vec<String> = powers
        .iter()
        .enumerate()
        .map(|(j, &n)| fraction(if j == y { n - total } else { n }, total))
        .collect();
    assert_eq!(
        strings(&a["grad_z_exact"], "grad_z_exact"),
        grad_exact,
        "{}",
        what("∂L/∂z as fractions")
    );
    assert_eq!(
        a["loss_exact"].as_str(),
        Some(format!("ln({})", fraction(total, powers[y])).as_str()),
        "{}",
        what("L as ln of a fraction")
    );
    assert!(
        ((total as f64 / powers[y] as f64).ln() - loss).abs() < 1e-12 * loss.max(1.0),
        "{}",
        what("ln of the fraction is not the loss")
    );

    // The hand-work budget, on the reduced fractions.
    let loss_fraction = (total, powers[y]);
    let shown = powers
        .iter()
        .enumerate()
        .flat_map(|(j, &n)| [(n, total), (if j == y { n - total } else { n }, total)])
        .chain([loss_fraction]);
    for (n, d) in shown {
        let g = gcd(n, d);
        assert!(
            (n / g).abs() <= MAX_NUMERATOR && (d / g).abs() <= MAX_DENOMINATOR,
            "{}",
            what(&format!("{n}/{d} is beyond the hand-work budget"))
        );
    }

    // The gradients against central differences of the loss above.
    let grad_z = vec_f64(&a["grad_z"], "grad_z");
    let grad_e = vec_f64(&a["grad_e"], "grad_e");
    let numeric_z = numeric_gradient(|z| loss_of(z, y), &z);
    let e_f64: Vec<f64> = e.iter().map(|&v| v as f64).collect();
    let numeric_e = numeric_gradient(
        |e| loss_of(&e.iter().map(|v| v * ln_b).collect::<Vec<_>>(), y),
        &e_f64,
    );
    for j in 0..k {
        assert!(
            (grad_z[j] - numeric_z[j]).abs() < 1e-7,
            "{}",
            what(&format!(
                "∂L/∂z[{j}] = {}, finite difference {}",
                grad_z[j], numeric_z[j]
            ))
        );
        assert!(
            (grad_e[j] - numeric_e[j]).abs() < 1e-7,
            "{}",
            what(&format!(
                "∂L/∂e[{j}] = {}, finite difference {}",
                grad_e[j], numeric_e[j]
            ))
        );
    }
    assert!(
        grad_z.iter().sum::<f64>().abs() < 1e-12,
        "{}",
        what("Σ ∂L/∂z ≠ 0")
    );
}

/// Draws `count` variants, checks each, renders every fifth; returns the number of
/// distinct variants.
fn stress(item: &str, knobs: &Knobs, count: usize, label: &str) -> usize {
    stress_counted(label, item, count, 5, |i, solved, _| {
        check_variant(i, solved, knobs);
        Ok(())
    })
    .distinct
}

#[test]
fn default_variants_are_right_and_at_least_500_distinct() {
    let distinct = stress(DEFAULT, &DEFAULT_KNOBS, 2_000, "softmax_ce default");
    assert!(
        distinct >= 500,
        "only {distinct} distinct variants in 2,000 draws"
    );
}

#[test]
fn wide_knobs() {
    stress(WIDE, &WIDE_KNOBS, 1_000, "softmax_ce wide");
}

/// 100,000 default and 50,000 wide variants (about a minute in debug):
/// `cargo test --test tests stress_softmax_ce -- --ignored --nocapture`.
#[test]
#[ignore]
fn a_hundred_and_fifty_thousand_variants() {
    let distinct = stress(
        DEFAULT,
        &DEFAULT_KNOBS,
        100_000,
        "softmax_ce default, heavy",
    );
    assert!(distinct >= 500);
    stress(WIDE, &WIDE_KNOBS, 50_000, "softmax_ce wide, heavy");
}

#[test]
fn the_checker_catches_a_wrong_gradient() {
    let problem = one_problem(DEFAULT);
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .unwrap();
    let Solved::SoftmaxCe(p, mut s) = solved else {
        panic!("a softmax_ce variant")
    };
    s.grad_z[0] += 0.01;
    let tampered = Solved::SoftmaxCe(p, s);
    let caught = std::panic::catch_unwind(|| check_variant(0, &tampered, &DEFAULT_KNOBS));
    assert!(
        caught.is_err(),
        "a wrong gradient passed the finite-difference check"
    );
}

/// The budget check has teeth: the lecture's logits in units of ln 3 (p in 40ths),
/// pinned so that the kind accepts them, are beyond it.
#[test]
fn the_checker_catches_a_variant_beyond_the_budget() {
    let problem =
        one_problem("  - softmax_ce:\n      logits: [1, -1, 0, 2]\n      ln_base: 3\n      y: 3\n");
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .expect("a pinned variant is not held to the budget");
    let knobs = Knobs {
        classes: (4, 4),
        logits: (-1, 2),
        bases: &[3],
    };
    let caught = std::panic::catch_unwind(|| check_variant(0, &solved, &knobs));
    let message = caught
        .expect_err("p in 40ths passed the budget check")
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("beyond the hand-work budget"), "{message}");
}

#[test]
fn golden_first_variants() {
    check_golden_params("softmax_ce", DEFAULT);
}

#[test]
fn every_pinned_parameter_is_kept() {
    // With b = 3 too: 9 + 1 + 3 + 9 = 22 stays within the budget (the lecture's
    // [1, -1, 0, 2] would need 40ths).
    let item = "  - softmax_ce:\n      logits: [1, -1, 0, 1]\n      y: 3\n      draw: {ln_bases: [2, 3]}\n";
    let problem = one_problem(item);
    let mut bases = HashSet::new();
    draw_many(&problem, 200, |i, solved| {
        let params = &solved.key()["params"];
        assert_eq!(
            params["logits"],
            serde_json::json!([1, -1, 0, 1]),
            "variant {i}"
        );
        assert_eq!(params["y"], 3, "variant {i}");
        bases.insert(params["ln_base"].as_u64());
        let knobs = Knobs {
            classes: (4, 4),
            logits: (-1, 2),
            bases: &[2, 3],
        };
        check_variant(i, solved, &knobs);
    });
    assert_eq!(bases.len(), 2, "both bases are drawn");
}

/// Ranges no candidate can satisfy are a spec error naming the constraint, and a pinned
/// variant that breaks one is refused when the spec is read.
#[test]
fn impossible_or_broken_specs_name_the_constraint() {
    let parse = |item: &str| {
        examgen::exam::parse(&format!("{HEADER}{item}"), Path::new("s.yaml"))
            .map(|spec| spec.slots.len())
    };
    let err = parse("  - softmax_ce:\n      draw: {logit_range: [0, 0]}\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the constraint `logits_not_all_equal` ("),
        "{err}"
    );
    let err = parse("  - softmax_ce:\n      logits: [6, 0]\n      ln_base: 2\n      y: 1\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("readable_probabilities"), "{err}");
    assert_eq!(
        parse("  - softmax_ce:\n      logits: [5, 0]\n      ln_base: 2\n      y: 1\n").ok(),
        Some(1)
    );
}

/// The committed example spec reads, and its variants keep the checks above.
#[test]
fn the_committed_example_draws_checked_variants() {
    let spec = examgen::exam::load(&super::common::root().join("variants/softmax_ce.yaml"))
        .expect("variants/softmax_ce.yaml");
    let problems: Vec<&Problem> = spec.slots.iter().filter_map(Slot::problem).collect();
    assert!(problems[0].is_fixed() && !problems[1].is_fixed());
    let knobs = [
        Knobs {
            classes: (4, 4),
            logits: (-1, 2),
            bases: &[2],
        },
        Knobs {
            classes: (4, 5),
            logits: (-2, 2),
            bases: &[2, 3],
        },
    ];
    for (problem, knobs) in problems.into_iter().zip(&knobs) {
        draw_many(problem, 100, |i, solved| check_variant(i, solved, knobs));
    }
}
