//! Randomized optimizer_steps variants, each checked against an independent
//! recomputation: every optimiser run again from scratch in f64 from the key's
//! parameters (SGD with momentum and Nesterov in PyTorch's form, Adam and AdamW with bias
//! correction and ε = 0, Adam with L2 for AdamW's first step), every gradient against
//! central finite differences of the objective, the exact fractions and the hand-work
//! budget on every value the table shows, the knobs and the constraints; a sample is
//! rendered. Also: the count of distinct variants of the default draw, the share of each
//! optimiser, pins kept, the golden first variants, and that the checker can fail.
//!
//! The always-run tests draw 3,000 variants; the heavy one 20,000
//! (`cargo test --test tests stress_optimizer_steps -- --ignored --nocapture`).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use examgen::problems::Solved;
use serde_json::Value;

use super::common::{num, vec_f64, HEADER};
use super::random_support::{check_golden_params, draw_many, one_problem, stress};

const DEFAULT: &str = "  - optimizer_steps:\n      draw: {}\n";

/// Three parameters, four steps, wider ranges and decimal hyperparameters.
const WIDE: &str = "  - optimizer_steps:
      draw:
        dims_range: [1, 3]
        steps_range: [1, 4]
        w0_range: [-4, 4]
        c_range: [-3, 3]
        a_range: [1, 3]
        momenta: [0.5, 0.9]
        beta1s: [0.5, 0.9]
";

/// The kind's hand-work budget, as this test reads it (the sheet's table values).
const MAX_DENOMINATOR: i64 = 64;
const MAX_NUMERATOR: i64 = 40;

/// One step as recomputed here.
#[derive(Debug, Default)]
struct Step {
    g: Vec<f64>,
    first: Vec<f64>,
    second: Vec<f64>,
    m_hat: Vec<f64>,
    v_hat: Vec<f64>,
    direction: Vec<f64>,
    w: Vec<f64>,
}

fn ints(v: &Value, what: &str) -> Vec<i64> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is an array"))
        .iter()
        .map(|x| x.as_i64().expect("an integer"))
        .collect()
}

/// f(w): ½ Σ a (w − c)² or Σ a |w − c|.
fn objective(quadratic: bool, a: &[i64], c: &[i64], w: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..w.len() {
        let d = w[i] - c[i] as f64;
        total += if quadratic {
            0.5 * a[i] as f64 * d * d
        } else {
            a[i] as f64 * d.abs()
        };
    }
    total
}

/// ∇f(w) written out by hand.
fn gradient(quadratic: bool, a: &[i64], c: &[i64], w: &[f64]) -> Vec<f64> {
    (0..w.len())
        .map(|i| {
            let d = w[i] - c[i] as f64;
            if quadratic {
                a[i] as f64 * d
            } else if d > 0.0 {
                a[i] as f64
            } else if d < 0.0 {
                -(a[i] as f64)
            } else {
                0.0
            }
        })
        .collect()
}

/// Central differences of f at w.
fn numeric_gradient(f: impl Fn(&[f64]) -> f64, w: &[f64]) -> Vec<f64> {
    let h = 1e-6;
    (0..w.len())
        .map(|i| {
            let (mut plus, mut minus) = (w.to_vec(), w.to_vec());
            plus[i] += h;
            minus[i] -= h;
            (f(&plus) - f(&minus)) / (2.0 * h)
        })
        .collect()
}

/// The optimiser run from scratch (PyTorch's pseudocode, loop by loop).
fn run(pr: &Value) -> Vec<Step> {
    let name = pr["optimizer"].as_str().expect("optimizer");
    let (a, c) = (ints(&pr["a"], "a"), ints(&pr["c"], "c"));
    let mut w: Vec<f64> = ints(&pr["w0"], "w0").iter().map(|&v| v as f64).collect();
    let n = w.len();
    let lr = num(&pr["lr"], "lr");
    let quadratic = matches!(name, "sgd_momentum" | "nesterov");
    let mut b = vec![0.0; n];
    let mut m = vec![0.0; n];
    let mut v = vec![0.0; n];
    let mut steps = Vec::new();
    for t in 1..=pr["steps"].as_u64().expect("steps") as i32 {
        let g = gradient(quadratic, &a, &c, &w);
        let mut s = Step {
            g: g.clone(),
            ..Step::default()
        };
        if quadratic {
            let mu = num(&pr["momentum"], "momentum");
            for i in 0..n {
                b[i] = if t == 1 { g[i] } else { mu * b[i] + g[i] };
            }
            s.first = b.clone();
            s.direction = if name == "nesterov" {
                (0..n).map(|i| g[i] + mu * b[i]).collect()
            } else {
                b.clone()
            };
            s.w = (0..n).map(|i| w[i] - lr * s.direction[i]).collect();
        } else {
            let (b1, b2) = (num(&pr["beta1"], "beta1"), num(&pr["beta2"], "beta2"));
            let eps = num(&pr["eps"], "eps");
            assert_eq!(eps, 0.0);
            let decay = if name == "adamw" {
                num(&pr["weight_decay"], "weight_decay")
            } else {
                0.0
            };
            let start: Vec<f64> = w.iter().map(|&x| x - lr * decay * x).collect();
            for i in 0..n {
                m[i] = b1 * m[i] + (1.0 - b1) * g[i];
                v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
            }
            s.first = m.clone();
            s.second = v.clone();
            s.m_hat = m.iter().map(|x| x / (1.0 - b1.powi(t))).collect();
            s.v_hat = v.iter().map(|x| x / (1.0 - b2.powi(t))).collect();
            s.direction = (0..n)
                .map(|i| s.m_hat[i] / (s.v_hat[i].sqrt() + eps))
                .collect();
            s.w = (0..n).map(|i| start[i] - lr * s.direction[i]).collect();
        }
        w = s.w.clone();
        steps.push(s);
    }
    steps
}

/// `x` as a reduced fraction n/d with d ≤ 5040, found by trying each denominator.
fn fraction(x: f64) -> Option<(i64, i64)> {
    (1..=5040i64).find_map(|d| {
        let n = (x * d as f64).round();
        ((x * d as f64 - n).abs() < 1e-9).then_some((n as i64, d))
    })
}

fn close(got: &[f64], want: &[f64], what: &str) -> Result<(), String> {
    if got.len() != want.len()
        || got
            .iter()
            .zip(want)
            .any(|(x, y)| (x - y).abs() > 1e-12 * y.abs().max(1.0))
    {
        return Err(format!("{what}: the key has {got:?}, recomputed {want:?}"));
    }
    Ok(())
}

/// The knobs a variant must respect, as the test reads them.
struct Knobs {
    dims: (usize, usize),
    steps: (u64, u64),
    w0: (i64, i64),
    c: (i64, i64),
    a: (i64, i64),
}

const DEFAULT_KNOBS: Knobs = Knobs {
    dims: (1, 2),
    steps: (2, 3),
    w0: (-3, 3),
    c: (-2, 2),
    a: (1, 2),
};

const WIDE_KNOBS: Knobs = Knobs {
    dims: (1, 3),
    steps: (1, 4),
    w0: (-4, 4),
    c: (-3, 3),
    a: (1, 3),
};

fn check_variant(solved: &Solved, knobs: &Knobs, budget: bool) -> Result<(), String> {
    let key = solved.key();
    let (pr, ans) = (&key["params"], &key["answers"]);
    let name = pr["optimizer"].as_str().expect("optimizer");
    let (w0, c, a) = (
        ints(&pr["w0"], "w0"),
        ints(&pr["c"], "c"),
        ints(&pr["a"], "a"),
    );
    let quadratic = matches!(name, "sgd_momentum" | "nesterov");
    let adam = !quadratic;

    // The knobs.
    let n = w0.len();
    let inside = |v: &[i64], (lo, hi): (i64, i64)| v.iter().all(|x| (lo..=hi).contains(x));
    if !(knobs.dims.0..=knobs.dims.1).contains(&n)
        || c.len() != n
        || a.len() != n
        || !inside(&w0, knobs.w0)
        || !inside(&c, knobs.c)
        || !inside(&a, knobs.a)
        || !(knobs.steps.0..=knobs.steps.1).contains(&pr["steps"].as_u64().unwrap_or(0))
    {
        return Err("a parameter outside its knob".into());
    }
    let wanted = if quadratic { "quadratic" } else { "absolute" };
    if pr["objective"].as_str() != Some(wanted) {
        return Err(format!("{name} minimises the {wanted} objective"));
    }

    // Every step, recomputed.
    let steps = run(pr);
    let keyed = ans["steps"].as_array().expect("steps");
    if keyed.len() != steps.len() {
        return Err("the number of steps".into());
    }
    let mut w_prev: Vec<f64> = w0.iter().map(|&v| v as f64).collect();
    let mut shown: Vec<f64> = Vec::new();
    let mut signs_turn = false;
    for (t, (k, s)) in keyed.iter().zip(&steps).enumerate() {
        let at = |f: &str| format!("step {}: {f}", t + 1);
        close(&vec_f64(&k["g"], "g"), &s.g, &at("g"))?;
        close(&vec_f64(&k["first"], "first"), &s.first, &at("b_t / m_t"))?;
        close(
            &vec_f64(&k["direction"], "direction"),
            &s.direction,
            &at("direction"),
        )?;
        close(&vec_f64(&k["w"], "w"), &s.w, &at("w"))?;
        if adam {
            close(&vec_f64(&k["second"], "second"), &s.second, &at("v_t"))?;
            close(&vec_f64(&k["m_hat"], "m_hat"), &s.m_hat, &at("m_hat"))?;
            close(&vec_f64(&k["v_hat"], "v_hat"), &s.v_hat, &at("v_hat"))?;
            // The exact root: v̂ = a², whatever the signs.
            for i in 0..n {
                if (s.v_hat[i].sqrt() - a[i] as f64).abs() > 1e-12 {
                    return Err(at("sqrt(v_hat) is not a"));
                }
                if w_prev[i] == c[i] as f64 {
                    return Err(at("a gradient taken on the kink"));
                }
                signs_turn |= s.g[i].signum() != steps[0].g[i].signum();
            }
            shown.extend(s.second.iter().chain(&s.m_hat).chain(&s.v_hat));
        }
        // The gradient against finite differences of the objective.
        let numeric = numeric_gradient(|w| objective(quadratic, &a, &c, w), &w_prev);
        let g = vec_f64(&k["g"], "g");
        for i in 0..n {
            if (numeric[i] - g[i]).abs() > 1e-6 {
                return Err(at(&format!(
                    "g[{i}] = {}, finite difference {}",
                    g[i], numeric[i]
                )));
            }
        }
        shown.extend(s.g.iter().chain(&s.first).chain(&s.direction).chain(&s.w));
        w_prev = s.w.clone();
    }
    if adam && !signs_turn {
        return Err("no gradient entry turns its sign".into());
    }
    if w0.iter().zip(&c).any(|(w, c)| w == c) {
        return Err("w₀ starts on c".into());
    }

    // f(w_t) for every t.
    let mut ws = vec![w0.iter().map(|&v| v as f64).collect::<Vec<_>>()];
    ws.extend(steps.iter().map(|s| s.w.clone()));
    let f: Vec<f64> = ws.iter().map(|w| objective(quadratic, &a, &c, w)).collect();
    close(&vec_f64(&ans["objective"], "objective"), &f, "f(w_t)")?;

    // AdamW against Adam with L2: g̃ = g₁ + λ w₀, w₁ = w₀ − η sign(g̃).
    if name == "adamw" {
        let lambda = num(&pr["weight_decay"], "weight_decay");
        let lr = num(&pr["lr"], "lr");
        let g1 = gradient(false, &a, &c, &ws[0]);
        let mut l2 = Vec::new();
        for i in 0..n {
            let g = g1[i] + lambda * ws[0][i];
            if g == 0.0 {
                return Err("g₁ + λw₀ is 0".into());
            }
            l2.push(ws[0][i] - lr * g.signum());
        }
        close(&vec_f64(&ans["l2_w1"], "l2_w1"), &l2, "w₁ of Adam with L2")?;
        shown.extend(l2);
    } else if !ans["l2_w1"].is_null() {
        return Err("an L2 comparison for an optimiser other than AdamW".into());
    }

    // The exact answers and the hand-work budget.
    let last = &steps.last().expect("a step").w;
    let exact: Vec<String> = last
        .iter()
        .map(|&x| match fraction(x) {
            Some((n, 1)) => n.to_string(),
            Some((n, d)) => format!("{n}/{d}"),
            None => "not exact".into(),
        })
        .collect();
    let keyed_exact: Vec<String> = ans["w_final_exact"]
        .as_array()
        .ok_or("w_final_exact is missing")?
        .iter()
        .map(|s| s.as_str().unwrap_or("").to_string())
        .collect();
    if keyed_exact != exact {
        return Err(format!(
            "w_T exactly: key {keyed_exact:?}, recomputed {exact:?}"
        ));
    }
    for x in shown {
        let (n, d) = fraction(x).ok_or_else(|| format!("{x} is not an exact fraction"))?;
        if budget && (d > MAX_DENOMINATOR || n.abs() > MAX_NUMERATOR) {
            return Err(format!("{n}/{d} is beyond the hand-work budget"));
        }
    }
    Ok(())
}

fn histogram(item: &str, count: usize) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    draw_many(&one_problem(item), count, |_, solved| {
        let name = solved.key()["params"]["optimizer"].to_string();
        *seen.entry(name).or_insert(0) += 1;
    });
    seen
}

#[test]
fn default_variants_are_right_and_at_least_500_distinct() {
    let mut distinct = HashSet::new();
    stress(
        "optimizer_steps default",
        DEFAULT,
        2_000,
        10,
        |_, solved, _| {
            distinct.insert(solved.fingerprint());
            check_variant(solved, &DEFAULT_KNOBS, true)
        },
    );
    assert!(
        distinct.len() >= 500,
        "only {} distinct variants in 2,000 draws",
        distinct.len()
    );
}

#[test]
fn every_optimizer_gets_a_fair_share_of_the_default_draw() {
    let seen = histogram(DEFAULT, 800);
    eprintln!("optimizer_steps default, optimisers: {seen:?}");
    assert_eq!(seen.len(), 4, "{seen:?}");
    // A fair share is 200 each; the optimiser is drawn before any rejection.
    assert!(seen.values().all(|&k| k >= 150), "{seen:?}");
}

#[test]
fn wide_knobs() {
    stress("optimizer_steps wide", WIDE, 500, 10, |_, solved, _| {
        check_variant(solved, &WIDE_KNOBS, true)
    });
}

/// 15,000 default and 5,000 wide variants:
/// `cargo test --test tests stress_optimizer_steps -- --ignored --nocapture`.
#[test]
#[ignore]
fn twenty_thousand_variants() {
    let mut distinct = HashSet::new();
    stress(
        "optimizer_steps default, heavy",
        DEFAULT,
        15_000,
        25,
        |_, solved, _| {
            distinct.insert(solved.fingerprint());
            check_variant(solved, &DEFAULT_KNOBS, true)
        },
    );
    assert!(distinct.len() >= 500);
    stress(
        "optimizer_steps wide, heavy",
        WIDE,
        5_000,
        25,
        |_, solved, _| check_variant(solved, &WIDE_KNOBS, true),
    );
    eprintln!(
        "optimizer_steps default, optimisers over 5,000: {:?}",
        histogram(DEFAULT, 5_000)
    );
}

fn first_default(student: u64) -> Solved {
    one_problem(DEFAULT)
        .draw(&mut examgen::draw::problem_rng(1, student, 0, 0))
        .expect("a default variant")
}

#[test]
fn the_checker_catches_a_wrong_gradient_and_a_wrong_step() {
    let Solved::OptimizerSteps(p, s) = first_default(1) else {
        panic!("an optimizer_steps variant")
    };
    let mut wrong_g = s.clone();
    wrong_g.steps[0].g[0] += 0.01;
    let tampered = Solved::OptimizerSteps(p.clone(), wrong_g);
    let err = check_variant(&tampered, &DEFAULT_KNOBS, true).expect_err("a wrong gradient");
    assert!(err.contains("step 1: g"), "{err}");
    let mut wrong_w = s;
    let last = wrong_w.steps.len() - 1;
    wrong_w.steps[last].w[0] += 0.5;
    let tampered = Solved::OptimizerSteps(p, wrong_w);
    assert!(check_variant(&tampered, &DEFAULT_KNOBS, true).is_err());
}

/// The budget check has teeth: three momentum steps with η = 1/4 and μ = 3/4 from far
/// away, pinned so that the kind accepts them, are beyond it.
#[test]
fn the_checker_catches_a_variant_beyond_the_budget() {
    let item = "  - optimizer_steps:\n      optimizer: sgd_momentum\n      w0: [3]\n      c: [-2]\n      a: [2]\n      steps: 3\n      lr: 0.25\n      momentum: 0.75\n";
    let solved = one_problem(item)
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .expect("a pinned variant is not held to the budget");
    let err = check_variant(&solved, &DEFAULT_KNOBS, true).expect_err("beyond the budget");
    assert!(err.contains("beyond the hand-work budget"), "{err}");
    assert_eq!(check_variant(&solved, &DEFAULT_KNOBS, false), Ok(()));
}

#[test]
fn golden_first_variants() {
    check_golden_params("optimizer_steps", DEFAULT);
}

#[test]
fn every_pinned_parameter_is_kept() {
    let item = "  - optimizer_steps:\n      optimizer: adamw\n      w0: [2, -1]\n      beta1: 0.5\n      draw: {weight_decays: [0.5]}\n";
    let mut lrs = HashSet::new();
    draw_many(&one_problem(item), 200, |i, solved| {
        let pr = &solved.key()["params"];
        assert_eq!(pr["optimizer"], "adamw", "variant {i}");
        assert_eq!(pr["w0"], serde_json::json!([2, -1]), "variant {i}");
        assert_eq!(
            (pr["beta1"].as_f64(), pr["weight_decay"].as_f64()),
            (Some(0.5), Some(0.5))
        );
        lrs.insert(pr["lr"].to_string());
        check_variant(solved, &DEFAULT_KNOBS, true).unwrap_or_else(|e| panic!("variant {i}: {e}"));
    });
    assert!(lrs.len() >= 2, "η is drawn: {lrs:?}");
}

/// Ranges no candidate can satisfy are a spec error naming the constraint, and a pinned
/// variant that breaks one is refused when the spec is read.
#[test]
fn impossible_or_broken_specs_name_the_constraint() {
    let parse = |item: &str| {
        examgen::exam::parse(&format!("{HEADER}{item}"), Path::new("s.yaml"))
            .map(|spec| spec.slots.len())
    };
    let err = parse("  - optimizer_steps:\n      draw: {w0_range: [1, 1], c_range: [1, 1]}\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the constraint `starts_away_from_c` ("),
        "{err}"
    );
    let err = parse("  - optimizer_steps:\n      optimizer: adam\n      w0: [1]\n      c: [0]\n      a: [1]\n      steps: 2\n      lr: 1\n      beta1: 0.5\n      beta2: 0.5\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("never_at_the_kink"), "{err}");
}

/// The committed example spec reads, and its variants keep the checks above.
#[test]
fn the_committed_example_draws_checked_variants() {
    let spec = examgen::exam::load(&super::common::root().join("variants/optimizer_steps.yaml"))
        .expect("variants/optimizer_steps.yaml");
    assert!(!spec.slots[0].problem().unwrap().is_fixed());
    draw_many(spec.slots[0].problem().unwrap(), 100, |i, solved| {
        check_variant(solved, &DEFAULT_KNOBS, true).unwrap_or_else(|e| panic!("variant {i}: {e}"))
    });
}
