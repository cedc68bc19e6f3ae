//! Randomized bptt_rnn variants, each checked against an independent recomputation: the
//! three steps of the ReLU RNN unrolled in f64 from the key's parameters, the loss, the
//! backward pass written out again (∂L/∂h⁽ᵗ⁾, δ⁽ᵗ⁾, the per-step contributions and their
//! sums, ∂h⁽³⁾/∂h⁽⁰⁾), central finite differences of the loss with respect to every
//! entry of W_hh, W_xh, b_h and h⁽⁰⁾ (and of h⁽³⁾ for the Jacobian), the knobs, the
//! constraints and the hand-work budget; a sample is rendered. Also: the count of
//! distinct variants of the default draw, pins kept, broken specs.
//!
//! The always-run tests draw 2,500 variants; the heavy one 20,000
//! (`cargo test --test tests stress_bptt_rnn -- --ignored --nocapture`).

#![allow(
    clippy::needless_range_loop,
    reason = "the recomputation is written with indices, as the formulas are"
)]

use std::collections::HashSet;
use std::path::Path;

use examgen::problems::{Problem, Solved};
use examgen::slot::Slot;
use serde_json::Value;

use super::common::{num, vec_f64, HEADER};
use super::random_support::{draw_many, one_problem, stress_counted};

const DEFAULT: &str = "  - bptt_rnn:\n      draw: {}\n";

/// Wider ranges, thirds on the diagonal, no routing requirement.
const WIDE: &str = "  - bptt_rnn:
      draw:
        recurrent_diagonal: [-3, -1.5, 0.5, 3]
        weight_range: [-3, 3]
        bias_range: [-3, 3]
        state_range: [0, 3]
        input_range: [-3, 3]
        target_range: [-3, 3]
        require_inactive: false
";

const STEPS: usize = 3;

/// The knobs a variant must respect, as the test reads them.
struct Knobs {
    hidden: &'static [usize],
    diagonal: &'static [f64],
    weight: (f64, f64),
    bias: (f64, f64),
    state: (f64, f64),
    input: (f64, f64),
    target: (f64, f64),
    require_inactive: bool,
}

const DEFAULT_KNOBS: Knobs = Knobs {
    hidden: &[1, 2],
    diagonal: &[-2.0, -0.5, 0.5, 2.0],
    weight: (-2.0, 2.0),
    bias: (-2.0, 2.0),
    state: (0.0, 2.0),
    input: (-2.0, 2.0),
    target: (-2.0, 2.0),
    require_inactive: true,
};

const WIDE_KNOBS: Knobs = Knobs {
    hidden: &[1, 2],
    diagonal: &[-3.0, -1.5, 0.5, 3.0],
    weight: (-3.0, 3.0),
    bias: (-3.0, 3.0),
    state: (0.0, 3.0),
    input: (-3.0, 3.0),
    target: (-3.0, 3.0),
    require_inactive: false,
};

/// The kind's hand-work budget, as this test reads it: every value the sheet prints is a
/// fraction with a denominator of at most 16 and a numerator of at most 40.
const MAX_DENOMINATOR: i64 = 16;
const MAX_NUMERATOR: f64 = 40.0;

/// One variant's parameters, read from the key.
#[derive(Clone, Debug)]
struct Net {
    w: Vec<Vec<f64>>,
    u: Vec<f64>,
    b: Option<Vec<f64>>,
    h0: Vec<f64>,
    x: Vec<f64>,
    squared: bool,
    target: Vec<f64>,
}

/// The forward pass: pre-activations and states, one row per step.
fn forward(n: &Net) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let hidden = n.h0.len();
    let (mut pre, mut hs) = (Vec::new(), Vec::new());
    let mut h = n.h0.clone();
    for t in 0..STEPS {
        let mut a = vec![0.0; hidden];
        for i in 0..hidden {
            a[i] = n.u[i] * n.x[t] + n.b.as_ref().map_or(0.0, |b| b[i]);
            for j in 0..hidden {
                a[i] += n.w[i][j] * h[j];
            }
        }
        h = a.iter().map(|&v| if v > 0.0 { v } else { 0.0 }).collect();
        pre.push(a);
        hs.push(h.clone());
    }
    (pre, hs)
}

fn loss_of(n: &Net) -> f64 {
    let (_, hs) = forward(n);
    let last = &hs[STEPS - 1];
    if n.squared {
        last.iter()
            .zip(&n.target)
            .map(|(h, y)| 0.5 * (h - y) * (h - y))
            .sum()
    } else {
        last.iter().zip(&n.target).map(|(h, v)| h * v).sum()
    }
}

/// Central difference of `f` with respect to the parameter `set` writes.
fn numeric(n: &Net, set: impl Fn(&mut Net, f64), at: f64, f: impl Fn(&Net) -> f64) -> f64 {
    let step = 1e-6;
    let (mut plus, mut minus) = (n.clone(), n.clone());
    set(&mut plus, at + step);
    set(&mut minus, at - step);
    (f(&plus) - f(&minus)) / (2.0 * step)
}

fn rows(v: &Value, what: &str) -> Vec<Vec<f64>> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is an array of rows"))
        .iter()
        .map(|r| vec_f64(r, what))
        .collect()
}

fn net_of(pr: &Value) -> Net {
    let squared = pr["loss"] == "squared";
    Net {
        w: rows(&pr["w_hh"], "w_hh"),
        u: vec_f64(&pr["w_xh"], "w_xh"),
        b: (!pr["b"].is_null()).then(|| vec_f64(&pr["b"], "b")),
        h0: vec_f64(&pr["h0"], "h0"),
        x: vec_f64(&pr["x"], "x"),
        squared,
        target: vec_f64(&pr[if squared { "y" } else { "v" }], "y or v"),
    }
}

fn close(got: f64, want: f64, tolerance: f64) -> bool {
    (got - want).abs() <= tolerance * want.abs().max(1.0)
}

/// The hand-work budget on one printed value.
fn within_budget(v: f64) -> bool {
    (1..=MAX_DENOMINATOR).any(|d| {
        let scaled = v * d as f64;
        scaled.fract() == 0.0 && scaled.abs() <= MAX_NUMERATOR
    })
}

fn check_variant(i: usize, solved: &Solved, knobs: &Knobs) {
    let key = solved.key();
    let (pr, a) = (&key["params"], &key["answers"]);
    let what = |s: &str| format!("variant {i}: {s} ({pr})");
    let n = net_of(pr);
    let hidden = n.h0.len();

    // The knobs and the shapes.
    let within = |v: &f64, (lo, hi): (f64, f64)| (lo..=hi).contains(v);
    assert!(knobs.hidden.contains(&hidden), "{}", what("H"));
    assert_eq!(n.x.len(), STEPS, "{}", what("three inputs"));
    for r in 0..hidden {
        assert!(knobs.diagonal.contains(&n.w[r][r]), "{}", what("diagonal"));
        for c in (0..hidden).filter(|&c| c != r) {
            assert!(within(&n.w[r][c], knobs.weight), "{}", what("off-diagonal"));
        }
    }
    assert!(
        n.u.iter().all(|u| within(u, knobs.weight)),
        "{}",
        what("W_xh")
    );
    if let Some(b) = &n.b {
        assert!(b.iter().all(|v| within(v, knobs.bias)), "{}", what("b"));
    }
    assert!(
        n.h0.iter().all(|v| within(v, knobs.state)),
        "{}",
        what("h0")
    );
    assert!(n.x.iter().all(|v| within(v, knobs.input)), "{}", what("x"));
    assert!(
        n.target.iter().all(|v| within(v, knobs.target)),
        "{}",
        what("y/v")
    );

    // Forward and loss.
    let (pre, hs) = forward(&n);
    assert_eq!(rows(&a["pre"], "pre"), pre, "{}", what("pre-activations"));
    assert_eq!(rows(&a["h"], "h"), hs, "{}", what("states"));
    let loss = loss_of(&n);
    assert!(
        close(num(&a["loss_value"], "loss"), loss, 1e-12),
        "{}",
        what("loss")
    );

    // Backward, written out again.
    let active: Vec<Vec<f64>> = pre
        .iter()
        .map(|r| r.iter().map(|&v| if v > 0.0 { 1.0 } else { 0.0 }).collect())
        .collect();
    let last = &hs[STEPS - 1];
    let mut g: Vec<f64> = if n.squared {
        last.iter().zip(&n.target).map(|(h, y)| h - y).collect()
    } else {
        n.target.clone()
    };
    let mut grad_h = vec![g.clone()];
    let mut delta = vec![vec![0.0; hidden]; STEPS];
    for t in (0..STEPS).rev() {
        delta[t] = (0..hidden).map(|k| active[t][k] * g[k]).collect();
        g = (0..hidden)
            .map(|j| (0..hidden).map(|k| n.w[k][j] * delta[t][k]).sum())
            .collect();
        grad_h.insert(0, g.clone());
    }
    assert_eq!(rows(&a["grad_h"], "grad_h"), grad_h, "{}", what("∂L/∂h"));
    assert_eq!(rows(&a["delta"], "delta"), delta, "{}", what("δ"));
    let h_prev = |t: usize| {
        if t == 0 {
            n.h0.clone()
        } else {
            hs[t - 1].clone()
        }
    };
    let mut grad_w = vec![vec![0.0; hidden]; hidden];
    let mut grad_u = vec![0.0; hidden];
    let mut printed: Vec<f64> = Vec::new();
    for t in 0..STEPS {
        for r in 0..hidden {
            for c in 0..hidden {
                grad_w[r][c] += delta[t][r] * h_prev(t)[c];
                printed.push(delta[t][r] * h_prev(t)[c]);
            }
            grad_u[r] += delta[t][r] * n.x[t];
            printed.push(delta[t][r] * n.x[t]);
        }
    }
    let grad_b: Vec<f64> = (0..hidden)
        .map(|r| (0..STEPS).map(|t| delta[t][r]).sum())
        .collect();
    assert_eq!(
        rows(&a["grad_w_hh"], "grad_w_hh"),
        grad_w,
        "{}",
        what("∂L/∂W_hh")
    );
    assert_eq!(
        vec_f64(&a["grad_w_xh"], "grad_w_xh"),
        grad_u,
        "{}",
        what("∂L/∂W_xh")
    );
    let key_grad_b = vec_f64(&a["grad_b"], "grad_b");
    match &n.b {
        Some(_) => assert_eq!(key_grad_b, grad_b, "{}", what("∂L/∂b")),
        None => assert!(key_grad_b.is_empty(), "{}", what("∂L/∂b without a bias")),
    }
    assert_eq!(
        vec_f64(&a["grad_h0"], "grad_h0"),
        grad_h[0],
        "{}",
        what("∂L/∂h0")
    );

    // ∂h⁽³⁾/∂h⁽⁰⁾ = D₃W D₂W D₁W, and its partial products.
    let mut jacobian: Vec<Vec<f64>> = (0..hidden)
        .map(|r| {
            (0..hidden)
                .map(|c| if r == c { 1.0 } else { 0.0 })
                .collect()
        })
        .collect();
    for t in 0..STEPS {
        let step: Vec<Vec<f64>> = (0..hidden)
            .map(|r| (0..hidden).map(|c| active[t][r] * n.w[r][c]).collect())
            .collect();
        jacobian = (0..hidden)
            .map(|r| {
                (0..hidden)
                    .map(|c| (0..hidden).map(|k| step[r][k] * jacobian[k][c]).sum())
                    .collect()
            })
            .collect();
        printed.extend(step.iter().flatten());
    }
    // The sheet shows the step Jacobians and the whole product, not its partial products.
    printed.extend(jacobian.iter().flatten());
    assert_eq!(
        rows(&a["jacobian"], "jacobian"),
        jacobian,
        "{}",
        what("∂h3/∂h0")
    );

    // Finite differences: every gradient, and the Jacobian column by column.
    let tol = 1e-6;
    let check = |name: String, got: f64, set: &dyn Fn(&mut Net, f64), at: f64| {
        let want = numeric(&n, set, at, loss_of);
        assert!(
            close(got, want, tol),
            "{}",
            what(&format!("{name} = {got}, finite difference {want}"))
        );
    };
    for r in 0..hidden {
        for c in 0..hidden {
            check(
                format!("∂L/∂W_hh[{r}][{c}]"),
                grad_w[r][c],
                &|m, v| m.w[r][c] = v,
                n.w[r][c],
            );
        }
        check(
            format!("∂L/∂W_xh[{r}]"),
            grad_u[r],
            &|m, v| m.u[r] = v,
            n.u[r],
        );
        if let Some(b) = &n.b {
            let set = |m: &mut Net, v: f64| m.b.as_mut().expect("a bias")[r] = v;
            check(format!("∂L/∂b[{r}]"), key_grad_b[r], &set, b[r]);
        }
        check(
            format!("∂L/∂h0[{r}]"),
            grad_h[0][r],
            &|m, v| m.h0[r] = v,
            n.h0[r],
        );
        for c in 0..hidden {
            let want = numeric(
                &n,
                |m, v| m.h0[c] = v,
                n.h0[c],
                |m| forward(m).1[STEPS - 1][r],
            );
            assert!(
                close(jacobian[r][c], want, tol),
                "{}",
                what("Jacobian vs finite differences")
            );
        }
    }

    // The constraints and the regime.
    let radius = (0..hidden).map(|r| n.w[r][r].abs()).fold(0.0, f64::max);
    assert!(
        hidden == 1 || n.w[0][1] == 0.0 || n.w[1][0] == 0.0,
        "{}",
        what("triangular")
    );
    assert!(radius != 1.0, "{}", what("ρ = 1"));
    assert_eq!(num(&a["spectral_radius"], "ρ"), radius, "{}", what("ρ"));
    let regime = if radius < 1.0 {
        "vanishing"
    } else {
        "exploding"
    };
    assert_eq!(a["regime"], regime, "{}", what("regime"));
    assert!(n.u.iter().all(|&u| u != 0.0), "{}", what("W_xh has a 0"));
    assert!(
        pre.iter().flatten().all(|&v| v != 0.0),
        "{}",
        what("a zero pre-activation")
    );
    assert!(
        delta[STEPS - 1].iter().any(|&d| d != 0.0),
        "{}",
        what("no gradient into step 3")
    );
    assert!(
        hidden == 1 || grad_h[0].iter().any(|&g| g != 0.0),
        "{}",
        what("∂L/∂h0 = 0")
    );
    if knobs.require_inactive {
        assert!(
            active.iter().flatten().any(|&d| d == 0.0),
            "{}",
            what("every unit active")
        );
    }

    // The hand-work budget on every value the sheet prints.
    printed.extend(pre.iter().flatten());
    printed.extend(hs.iter().flatten());
    printed.extend(grad_h.iter().flatten());
    printed.extend(grad_w.iter().flatten());
    printed.extend(&grad_u);
    if n.b.is_some() {
        printed.extend(&grad_b);
    }
    printed.push(loss);
    for v in printed {
        assert!(
            within_budget(v),
            "{}",
            what(&format!("{v} is beyond the hand-work budget"))
        );
    }
}

/// Draws `count` variants, checks each, renders every tenth; returns the number of
/// distinct variants.
fn stress(item: &str, knobs: &Knobs, count: usize, label: &str) -> usize {
    stress_counted(label, item, count, 10, |i, solved, _| {
        check_variant(i, solved, knobs);
        Ok(())
    })
    .distinct
}

#[test]
fn default_variants_are_right_and_at_least_500_distinct() {
    let distinct = stress(DEFAULT, &DEFAULT_KNOBS, 2_000, "bptt_rnn default");
    assert!(
        distinct >= 500,
        "only {distinct} distinct variants in 2,000 draws"
    );
}

#[test]
fn wide_knobs() {
    stress(WIDE, &WIDE_KNOBS, 500, "bptt_rnn wide");
}

/// 15,000 default and 5,000 wide variants:
/// `cargo test --test tests stress_bptt_rnn -- --ignored --nocapture`.
#[test]
#[ignore]
fn twenty_thousand_variants() {
    let distinct = stress(DEFAULT, &DEFAULT_KNOBS, 15_000, "bptt_rnn default, heavy");
    assert!(distinct >= 500);
    stress(WIDE, &WIDE_KNOBS, 5_000, "bptt_rnn wide, heavy");
}

#[test]
fn the_checker_catches_a_wrong_gradient() {
    let problem = one_problem(DEFAULT);
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .unwrap();
    let Solved::BpttRnn(p, mut s) = solved else {
        panic!("a bptt_rnn variant")
    };
    s.grad_w_hh[[0, 0]] += 0.5;
    let tampered = Solved::BpttRnn(p, s);
    let caught = std::panic::catch_unwind(|| check_variant(0, &tampered, &DEFAULT_KNOBS));
    assert!(caught.is_err(), "a wrong ∂L/∂W_hh passed the check");
}

/// The budget check has teeth: doubling three times from h⁽⁰⁾ = 2 gives a⁽³⁾ = 58,
/// pinned so that the kind accepts it, beyond the budget.
#[test]
fn the_checker_catches_a_variant_beyond_the_budget() {
    let problem = one_problem(
        "  - bptt_rnn:\n      w_hh: [[2]]\n      w_xh: [2]\n      b: [2]\n      h0: [2]\n      \
         x: [2, 2, 2]\n      loss: linear\n      v: [1]\n",
    );
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .expect("a pinned variant is not held to the budget");
    let knobs = Knobs {
        hidden: &[1],
        diagonal: &[2.0],
        require_inactive: false,
        ..DEFAULT_KNOBS
    };
    let caught = std::panic::catch_unwind(|| check_variant(0, &solved, &knobs));
    let message = caught
        .expect_err("a⁽³⁾ = 58 passed the budget check")
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("beyond the hand-work budget"), "{message}");
}

#[test]
fn every_pinned_parameter_is_kept() {
    let item =
        "  - bptt_rnn:\n      w_hh: [[0.5, 0], [1, 2]]\n      loss: linear\n      draw: {}\n";
    let problem = one_problem(item);
    let mut biases = HashSet::new();
    draw_many(&problem, 200, |i, solved| {
        let params = &solved.key()["params"];
        assert_eq!(
            params["w_hh"],
            serde_json::json!([[0.5, 0.0], [1.0, 2.0]]),
            "variant {i}"
        );
        assert_eq!(params["loss"], "linear", "variant {i}");
        biases.insert(params["b"].is_null());
        let knobs = Knobs {
            hidden: &[2],
            diagonal: &[0.5, 2.0],
            ..DEFAULT_KNOBS
        };
        check_variant(i, solved, &knobs);
    });
    assert_eq!(biases.len(), 2, "with and without a bias are drawn");
}

/// Ranges no candidate can satisfy are a spec error naming the constraint, and a pinned
/// variant that breaks one is refused when the spec is read.
#[test]
fn impossible_or_broken_specs_name_the_constraint() {
    let parse = |item: &str| {
        examgen::exam::parse(&format!("{HEADER}{item}"), Path::new("s.yaml"))
            .map(|spec| spec.slots.len())
    };
    let err = parse("  - bptt_rnn:\n      draw: {recurrent_diagonal: [1, -1]}\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the constraint `spectral_radius_not_one` ("),
        "{err}"
    );
    let pinned = "  - bptt_rnn:\n      w_hh: [[0.5]]\n      w_xh: [1]\n      bias: false\n      \
                  h0: [2]\n      x: [-1, 2, 4]\n      loss: linear\n      v: [1]\n";
    let err = parse(pinned).unwrap_err().to_string();
    assert!(err.contains("no_zero_preactivation"), "{err}");
    assert_eq!(
        parse(&pinned.replace("x: [-1, 2, 4]", "x: [-2, 2, 4]")).ok(),
        Some(1)
    );
}

/// The committed example spec reads, and its variants keep the checks above.
#[test]
fn the_committed_example_draws_checked_variants() {
    let spec = examgen::exam::load(&super::common::root().join("variants/bptt_rnn.yaml"))
        .expect("variants/bptt_rnn.yaml");
    let problems: Vec<&Problem> = spec.slots.iter().filter_map(Slot::problem).collect();
    assert!(!problems[0].is_fixed());
    draw_many(problems[0], 100, |i, solved| {
        check_variant(i, solved, &DEFAULT_KNOBS)
    });
}
