//! Randomized batchnorm_full variants, each checked against an independent
//! recomputation: the batch statistics, x̂, y and every gradient in f64 straight from the
//! key's parameters (the input gradient by the chain rule through ∂L/∂σ² and ∂L/∂μ, not
//! the engine's closed form), every gradient against central finite differences of
//! L = Σ g ⊙ y, PyTorch's running statistics, the knobs (each column a mean plus a
//! deviation vector with an integer σ), the constraints and the hand-work budget as this
//! test reads it; a sample is rendered. Also: the count of distinct variants of the
//! default draw, pins kept, and that the checker fails on a tampered gradient and on a
//! variant beyond the budget.
//!
//! The always-run tests draw 3,000 variants; the heavy one 20,000
//! (`cargo test --test tests stress_batchnorm_full -- --ignored --nocapture`).

use std::collections::HashSet;

use examgen::problems::Solved;
use serde_json::Value;

use super::common::{mat_f64, num, vec_f64};
use super::random_support::{draw_many, one_problem, stress};

const DEFAULT: &str = "  - batchnorm_full:\n      draw: {}\n";

/// Two features, four to six examples, σ up to 4, another momentum and drawn running
/// statistics.
const WIDE: &str = "  - batchnorm_full:
      draw:
        batch_range: [4, 6]
        features_range: [1, 2]
        sigma_range: [1, 4]
        deviation_range: [-7, 7]
        momentums: [0.1, 0.2, 0.5]
        running_mean_range: [-2, 2]
        running_var_range: [0, 3]
";

/// The knobs a variant must respect, as the test reads them.
struct Knobs {
    batch: (usize, usize),
    features: (usize, usize),
    sigma: (i64, i64),
    deviation: (i64, i64),
    mean: (i64, i64),
    gamma: (i64, i64),
    beta: (i64, i64),
    grad: (i64, i64),
    momentums: &'static [f64],
    running_mean: (i64, i64),
    running_var: (i64, i64),
}

const DEFAULT_KNOBS: Knobs = Knobs {
    batch: (4, 4),
    features: (1, 1),
    sigma: (1, 3),
    deviation: (-5, 5),
    mean: (-3, 3),
    gamma: (-2, 3),
    beta: (-2, 2),
    grad: (-3, 3),
    momentums: &[0.1],
    running_mean: (0, 0),
    running_var: (1, 1),
};

const WIDE_KNOBS: Knobs = Knobs {
    batch: (4, 6),
    features: (1, 2),
    sigma: (1, 4),
    deviation: (-7, 7),
    momentums: &[0.1, 0.2, 0.5],
    running_mean: (-2, 2),
    running_var: (0, 3),
    ..DEFAULT_KNOBS
};

/// The kind's hand-work budget as this test reads it, on the final answers.
const MAX_DENOMINATOR: i64 = 54;
const MAX_NUMERATOR: i64 = 96;

/// One feature's forward and backward, from scratch.
struct Column {
    mu: f64,
    var: f64,
    sigma: f64,
    x_hat: Vec<f64>,
    y: Vec<f64>,
    grad_gamma: f64,
    grad_beta: f64,
    grad_x: Vec<f64>,
}

/// The forward pass of one feature (biased variance, ε = 0).
fn forward(x: &[f64], gamma: f64, beta: f64) -> (f64, f64, Vec<f64>, Vec<f64>) {
    let n = x.len() as f64;
    let mu = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / n;
    let x_hat: Vec<f64> = x.iter().map(|v| (v - mu) / var.sqrt()).collect();
    let y = x_hat.iter().map(|h| gamma * h + beta).collect();
    (mu, var, x_hat, y)
}

/// The loss whose gradient ∂L/∂Y is g: L = Σ g ⊙ y.
fn loss(x: &[f64], gamma: f64, beta: f64, g: &[f64]) -> f64 {
    let (_, _, _, y) = forward(x, gamma, beta);
    y.iter().zip(g).map(|(y, g)| y * g).sum()
}

/// Backward by the chain rule through σ² and μ (Ioffe & Szegedy's algorithm, step by
/// step), not by the closed form the engine uses.
fn column(x: &[f64], gamma: f64, beta: f64, g: &[f64]) -> Column {
    let n = x.len() as f64;
    let (mu, var, x_hat, y) = forward(x, gamma, beta);
    let sigma = var.sqrt();
    let dx_hat: Vec<f64> = g.iter().map(|g| g * gamma).collect();
    let dvar: f64 =
        dx_hat.iter().zip(x).map(|(d, x)| d * (x - mu)).sum::<f64>() * -0.5 * var.powf(-1.5);
    let dmu: f64 = dx_hat.iter().map(|d| -d / sigma).sum::<f64>()
        + dvar * x.iter().map(|x| -2.0 * (x - mu)).sum::<f64>() / n;
    let grad_x = dx_hat
        .iter()
        .zip(x)
        .map(|(d, x)| d / sigma + dvar * 2.0 * (x - mu) / n + dmu / n)
        .collect();
    Column {
        mu,
        var,
        sigma,
        grad_gamma: g.iter().zip(&x_hat).map(|(g, h)| g * h).sum(),
        grad_beta: g.iter().sum(),
        x_hat,
        y,
        grad_x,
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

fn close(got: f64, want: f64, tol: f64, what: &str) -> Result<(), String> {
    if (got - want).abs() <= tol * want.abs().max(1.0) {
        Ok(())
    } else {
        Err(format!("{what}: {got} but the recomputation gives {want}"))
    }
}

/// `v` as a fraction p/q with q ≤ 1000 (by search), or None.
fn as_fraction(v: f64) -> Option<(i64, i64)> {
    (1..=1000i64).find_map(|q| {
        let p = (v * q as f64).round();
        ((v * q as f64 - p).abs() < 1e-9).then_some((p as i64, q))
    })
}

fn within(v: f64, (lo, hi): (i64, i64)) -> bool {
    v.fract() == 0.0 && (lo as f64..=hi as f64).contains(&v)
}

fn check_variant(solved: &Solved, knobs: &Knobs) -> Result<(), String> {
    let key = solved.key();
    let (pr, a) = (&key["params"], &key["answers"]);
    let x = mat_f64(&pr["x"], "x");
    let g = mat_f64(&pr["grad_y"], "grad_y");
    let gamma = vec_f64(&pr["gamma"], "gamma");
    let beta = vec_f64(&pr["beta"], "beta");
    let momentum = num(&pr["momentum"], "momentum");
    let rm0 = vec_f64(&pr["running_mean"], "running_mean");
    let rv0 = vec_f64(&pr["running_var"], "running_var");
    if num(&pr["eps"], "eps") != 0.0 {
        return Err("ε is not 0".into());
    }
    let (n, d) = (x.len(), x[0].len());
    if !(knobs.batch.0..=knobs.batch.1).contains(&n)
        || !(knobs.features.0..=knobs.features.1).contains(&d)
    {
        return Err(format!("N = {n}, d = {d} outside the knobs"));
    }
    if g.len() != n || g.iter().any(|r| r.len() != d) {
        return Err("grad_y is not the shape of x".into());
    }
    if !knobs.momentums.contains(&momentum) {
        return Err(format!("momentum {momentum} not among the knob's"));
    }
    let mut shown = Vec::new();
    for j in 0..d {
        let xc: Vec<f64> = x.iter().map(|r| r[j]).collect();
        let gc: Vec<f64> = g.iter().map(|r| r[j]).collect();
        let c = column(&xc, gamma[j], beta[j], &gc);

        // The knobs: a mean plus a deviation vector with an integer σ.
        let ok = within(c.mu, knobs.mean)
            && within(c.sigma, knobs.sigma)
            && xc.iter().all(|v| within(v - c.mu, knobs.deviation))
            && within(gamma[j], knobs.gamma)
            && gamma[j] != 0.0
            && within(beta[j], knobs.beta)
            && gc.iter().all(|&v| within(v, knobs.grad))
            && within(rm0[j], knobs.running_mean)
            && within(rv0[j], knobs.running_var);
        if !ok {
            return Err(format!(
                "feature {j} breaks a knob (μ {}, σ {})",
                c.mu, c.sigma
            ));
        }

        let at = |field: &str| vec_f64(&a[field], field)[j];
        let column_of =
            |field: &str| -> Vec<f64> { mat_f64(&a[field], field).iter().map(|r| r[j]).collect() };
        // Every gradient against finite differences of L = Σ g ⊙ y (first, so that a
        // wrong gradient is reported by them).
        let grad_x = column_of("grad_x");
        let numeric_x = numeric_gradient(|x| loss(x, gamma[j], beta[j], &gc), &xc);
        for (i, (got, fd)) in grad_x.iter().zip(&numeric_x).enumerate() {
            if (got - fd).abs() > 1e-6 {
                return Err(format!("∂L/∂x[{i}][{j}] = {got}, finite difference {fd}"));
            }
        }
        let numeric_gamma = numeric_gradient(|p| loss(&xc, p[0], beta[j], &gc), &[gamma[j]]);
        let numeric_beta = numeric_gradient(|p| loss(&xc, gamma[j], p[0], &gc), &[beta[j]]);
        if (at("grad_gamma") - numeric_gamma[0]).abs() > 1e-6
            || (at("grad_beta") - numeric_beta[0]).abs() > 1e-6
        {
            return Err(format!(
                "∂L/∂γ or ∂L/∂β of feature {j} against finite differences"
            ));
        }

        // The answers against the recomputation.
        close(at("mu"), c.mu, 1e-12, "μ")?;
        close(at("var"), c.var, 1e-12, "σ² (biased)")?;
        close(at("sigma"), c.sigma, 1e-12, "σ")?;
        close(at("grad_gamma"), c.grad_gamma, 1e-12, "∂L/∂γ")?;
        close(at("grad_beta"), c.grad_beta, 1e-12, "∂L/∂β")?;
        for (field, want) in [("x_hat", &c.x_hat), ("y", &c.y), ("grad_x", &c.grad_x)] {
            for (i, (got, want)) in column_of(field).iter().zip(want.iter()).enumerate() {
                close(*got, *want, 1e-10, &format!("{field}[{i}][{j}]"))?;
            }
        }
        let var_unbiased = xc.iter().map(|v| (v - c.mu).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        close(at("var_unbiased"), var_unbiased, 1e-12, "unbiased σ²")?;
        let rm = (1.0 - momentum) * rm0[j] + momentum * c.mu;
        let rv = (1.0 - momentum) * rv0[j] + momentum * var_unbiased;
        close(at("running_mean"), rm, 1e-12, "running_mean")?;
        close(at("running_var"), rv, 1e-12, "running_var")?;

        // The constraints: x̂ is not all ±1, the input gradient is not projected out
        // entirely, and it is orthogonal to 1 and x̂.
        if c.x_hat.iter().all(|h| (h.abs() - 1.0).abs() < 1e-9) {
            return Err(format!("x̂ of feature {j} is all ±1"));
        }
        if grad_x.iter().all(|v| v.abs() < 1e-9) {
            return Err(format!("∂L/∂x of feature {j} is zero"));
        }
        let along_one: f64 = grad_x.iter().sum();
        let along_x_hat: f64 = grad_x.iter().zip(&c.x_hat).map(|(a, b)| a * b).sum();
        if along_one.abs() > 1e-9 || along_x_hat.abs() > 1e-9 {
            return Err(format!("∂L/∂x of feature {j} is not orthogonal to 1 and x̂"));
        }
        shown.extend(c.x_hat.iter().chain(&c.y).chain(&grad_x).copied());
        shown.extend([c.grad_gamma, c.grad_beta, var_unbiased, rm, rv]);
    }

    // The hand-work budget, on the final answers.
    for v in shown {
        let (p, q) = as_fraction(v).ok_or_else(|| format!("{v} is not a fraction"))?;
        if p.abs() > MAX_NUMERATOR || q > MAX_DENOMINATOR {
            return Err(format!("{p}/{q} is beyond the hand-work budget"));
        }
    }
    Ok(())
}

/// `count` variants of `item`, each checked; returns the number of distinct ones.
fn run(label: &str, item: &str, knobs: &Knobs, count: usize) -> usize {
    let mut distinct = HashSet::new();
    stress(label, item, count, 10, |_, solved, _| {
        distinct.insert(solved.fingerprint());
        check_variant(solved, knobs)
    });
    distinct.len()
}

#[test]
fn default_variants_are_right_and_at_least_500_distinct() {
    let distinct = run("batchnorm_full default", DEFAULT, &DEFAULT_KNOBS, 2_000);
    assert!(
        distinct >= 500,
        "only {distinct} distinct variants in 2,000 draws"
    );
}

#[test]
fn wide_knobs() {
    run("batchnorm_full wide", WIDE, &WIDE_KNOBS, 1_000);
}

/// 15,000 default and 5,000 wide variants:
/// `cargo test --test tests stress_batchnorm_full -- --ignored --nocapture`.
#[test]
#[ignore]
fn twenty_thousand_variants() {
    let distinct = run(
        "batchnorm_full default, heavy",
        DEFAULT,
        &DEFAULT_KNOBS,
        15_000,
    );
    assert!(distinct >= 500);
    run("batchnorm_full wide, heavy", WIDE, &WIDE_KNOBS, 5_000);
}

#[test]
fn the_checker_catches_a_wrong_gradient_and_a_wrong_forward_value() {
    let problem = one_problem(DEFAULT);
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .unwrap();
    assert_eq!(check_variant(&solved, &DEFAULT_KNOBS), Ok(()));
    let Solved::BatchnormFull(p, mut s) = solved else {
        panic!("a batchnorm_full variant")
    };
    let mut wrong_x_hat = s.clone();
    wrong_x_hat.x_hat[(1, 0)] += 0.01;
    let err = check_variant(
        &Solved::BatchnormFull(p.clone(), wrong_x_hat),
        &DEFAULT_KNOBS,
    )
    .unwrap_err();
    assert!(err.starts_with("x_hat[1][0]"), "{err}");
    s.grad_x[(0, 0)] += 0.01;
    let err = check_variant(&Solved::BatchnormFull(p, s), &DEFAULT_KNOBS).unwrap_err();
    assert!(
        err.contains("∂L/∂x[0][0]") && err.contains("finite difference"),
        "{err}"
    );
}

/// The budget check has teeth: a pinned β of 60 gives y near 60 — fine for a lecturer's
/// own choice, beyond the budget of a drawn variant.
#[test]
fn the_checker_catches_a_variant_beyond_the_budget() {
    let item = "  - batchnorm_full:
      x: [[1], [3], [3], [9]]
      gamma: [3]
      beta: [95]
      grad_y: [[1], [0], [-1], [2]]
      momentum: 0.1
      running_mean: [0]
      running_var: [1]
";
    let solved = one_problem(item)
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .expect("a pinned variant is not held to the budget");
    let knobs = Knobs {
        beta: (95, 95),
        gamma: (3, 3),
        mean: (4, 4),
        ..DEFAULT_KNOBS
    };
    let err = check_variant(&solved, &knobs).unwrap_err();
    assert!(err.contains("beyond the hand-work budget"), "{err}");
}

#[test]
fn every_pinned_parameter_is_kept() {
    let item = "  - batchnorm_full:\n      x: [[1], [3], [3], [9]]\n      gamma: [2]\n      draw: {momentums: [0.1, 0.5]}\n";
    let mut momenta = HashSet::new();
    draw_many(&one_problem(item), 200, |i, solved| {
        let params = &solved.key()["params"];
        assert_eq!(
            params["x"],
            serde_json::json!([[1.0], [3.0], [3.0], [9.0]]),
            "variant {i}"
        );
        assert_eq!(params["gamma"], serde_json::json!([2.0]), "variant {i}");
        momenta.insert(params["momentum"].to_string());
        let knobs = Knobs {
            mean: (4, 4),
            momentums: &[0.1, 0.5],
            ..DEFAULT_KNOBS
        };
        check_variant(solved, &knobs).unwrap_or_else(|e| panic!("variant {i}: {e}"));
    });
    assert_eq!(momenta.len(), 2, "both momenta are drawn");
}

/// The committed example spec reads, and its variants keep the checks above.
#[test]
fn the_committed_example_draws_checked_variants() {
    let spec = examgen::exam::load(&super::common::root().join("variants/batchnorm_full.yaml"))
        .expect("variants/batchnorm_full.yaml");
    draw_many(spec.slots[0].problem().unwrap(), 100, |i, solved| {
        check_variant(solved, &DEFAULT_KNOBS).unwrap_or_else(|e| panic!("variant {i}: {e}"));
    });
}

/// A key entry's `params` is everything the checker reads (no answer needed).
#[test]
fn the_key_names_every_parameter() {
    let solved = one_problem(DEFAULT)
        .draw(&mut examgen::draw::problem_rng(2, 3, 0, 0))
        .unwrap();
    let key: Value = solved.key();
    for field in [
        "x",
        "gamma",
        "beta",
        "grad_y",
        "momentum",
        "running_mean",
        "running_var",
        "eps",
    ] {
        assert!(!key["params"][field].is_null(), "params.{field} is missing");
    }
}
