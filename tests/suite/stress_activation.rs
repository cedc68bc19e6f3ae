//! Randomized activation variants: 10,000 draws, each checked against an independent
//! implementation of the family (f and f′ on the plotted points, f′ against finite
//! differences of that f), the knobs and the constraints, and rendered; the numeric part
//! (y = f(x), the Jacobian's diagonal f′(x) and dL/dx = f′(x)·g) recomputed from the key's
//! x and g the same way, and its exact texts read back and compared; every member of the
//! family must come up; plus the golden parameters of the first variants.

use std::collections::BTreeMap;

use examgen::problems::Solved;

use super::common::num;
use super::random_support::{check_golden_params, one_problem, stress};

const DEFAULT: &str = "  - activation:\n      draw: {}\n";

const WIDE: &str = "  - activation:
      draw:
        functions: [elu, leaky_relu, silu]
        elu_alphas: [0.25, 3]
        leaky_relu_alphas: [0.05]
        silu_betas: [0.5]
        n_range: [2, 8]
";

/// A member's constants as the key gives them: α, β (default 1), hard tanh's bounds.
#[derive(Clone, Copy, Debug)]
struct Constants {
    alpha: f64,
    beta: f64,
    bounds: [f64; 2],
}

/// f(x), written from the definitions, independently of the engine.
fn f(function: &str, c: Constants, x: f64) -> f64 {
    let sigma = |v: f64| 1.0 / (1.0 + (-v).exp());
    let alpha = c.alpha;
    match function {
        "softplus" => (1.0 + (c.beta * x).exp()).ln() / c.beta,
        "sigmoid" => sigma(x),
        "tanh" => (x.exp() - (-x).exp()) / (x.exp() + (-x).exp()),
        "elu" if x >= 0.0 => x,
        "elu" => alpha * (x.exp() - 1.0),
        "leaky_relu" if x >= 0.0 => x,
        "leaky_relu" => alpha * x,
        "silu" => x * sigma(c.beta * x),
        "softsign" => x / (1.0 + x.abs()),
        "hard_tanh" => x.max(c.bounds[0]).min(c.bounds[1]),
        other => panic!("unknown function {other}"),
    }
}

/// Whether f′ has no two-sided derivative at 0 (a kink), for the given α.
fn kink_at_zero(function: &str, alpha: f64) -> bool {
    matches!(function, "leaky_relu") || (function == "elu" && alpha != 1.0)
}

/// Reads the key's exact text back: `3/4`, `-ln 3`, `1/2 ln 4/3`, `3/4 + 3/16 ln 3`.
fn exact_value(text: &str) -> f64 {
    let rational = |t: &str| -> f64 {
        match t.split_once('/') {
            Some((n, d)) => n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap(),
            None => t
                .parse()
                .unwrap_or_else(|_| panic!("not a number: {text:?}")),
        }
    };
    let Some((before, arg)) = text.rsplit_once("ln ") else {
        return rational(text);
    };
    let ln = rational(arg).ln();
    let before = before.trim_end();
    // "a + c" / "a - c" / "c" / "-" / "" before the logarithm.
    let (a, sign, c) = if let Some((a, c)) = before.split_once(" + ") {
        (rational(a), 1.0, c)
    } else if let Some((a, c)) = before.split_once(" - ") {
        (rational(a), -1.0, c)
    } else if let Some((a, _)) = before.strip_suffix(" +").map(|a| (a, ())) {
        (rational(a), 1.0, "")
    } else if let Some((a, _)) = before.strip_suffix(" -").map(|a| (a, ())) {
        (rational(a), -1.0, "")
    } else {
        (0.0, 1.0, before)
    };
    let coef = match c {
        "" => 1.0,
        "-" => -1.0,
        c => rational(c),
    };
    a + sign * coef * ln
}

/// The numeric part of a key: y = f(x), f′(x) and dL/dx = f′(x)·g recomputed from x and g
/// with the independent f and finite differences; the exact texts read back; x keeps the
/// `both_sides` constraint. The message says what is wrong.
fn check_numeric(function: &str, c: Constants, key: &serde_json::Value) -> Result<(), String> {
    let (pr, a) = (&key["params"], &key["answers"]);
    let floats = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .map(|a| a.iter().map(|x| x.as_f64().unwrap()).collect())
            .unwrap_or_default()
    };
    let texts = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .map(|a| a.iter().map(|t| exact_value(t.as_str().unwrap())).collect())
            .unwrap_or_default()
    };
    let x = floats(&pr["x"]);
    let g = floats(&pr["upstream"]);
    let n = pr["n"].as_u64().unwrap() as usize;
    if x.len() != n || g.len() != n {
        return Err(format!(
            "x and g have {} and {} entries, n = {n}",
            x.len(),
            g.len()
        ));
    }
    let close = |got: f64, want: f64, tol: f64| (got - want).abs() <= tol * want.abs().max(1.0);
    for (i, (xe, xf)) in texts(&pr["x_exact"]).iter().zip(&x).enumerate() {
        if !close(*xe, *xf, 1e-12) {
            return Err(format!("x_exact[{i}] reads {xe}, x is {xf}"));
        }
    }
    if !(x.iter().any(|&v| v < 0.0) && x.iter().any(|&v| v > 0.0)) {
        return Err("x lacks a negative or a positive entry".into());
    }
    if function == "hard_tanh" {
        let inside = |v: f64| c.bounds[0] < v && v < c.bounds[1];
        if !(x.iter().any(|&v| inside(v)) && x.iter().any(|&v| !inside(v))) {
            return Err("x lacks an entry inside or outside hard tanh's bounds".into());
        }
    }
    let h = 1e-6;
    let y: Vec<f64> = x.iter().map(|&v| f(function, c, v)).collect();
    let d: Vec<f64> = x
        .iter()
        .map(|&v| (f(function, c, v + h) - f(function, c, v - h)) / (2.0 * h))
        .collect();
    let dx: Vec<f64> = d.iter().zip(&g).map(|(d, g)| d * g).collect();
    for (name, want, tol) in [
        ("y", &y, 1e-12),
        ("jacobian_diagonal", &d, 1e-6),
        ("input_gradient", &dx, 1e-6),
    ] {
        let got = floats(&a[name]);
        let exact = texts(&a["exact"][name]);
        if got.len() != n || exact.len() != n {
            return Err(format!(
                "{name} has {} entries and {} exact ones",
                got.len(),
                exact.len()
            ));
        }
        for i in 0..n {
            if !close(got[i], want[i], tol) {
                return Err(format!(
                    "{name}[{i}] = {}, independently {}",
                    got[i], want[i]
                ));
            }
            if !close(exact[i], got[i], 1e-12) {
                return Err(format!(
                    "exact {name}[{i}] reads {}, the float is {}",
                    exact[i], got[i]
                ));
            }
        }
    }
    Ok(())
}

fn check_variant(
    i: usize,
    solved: &Solved,
    functions: &[&str],
    elu: &[f64],
    leaky: &[f64],
    n: (usize, usize),
) -> String {
    let c = constants(&solved.key()["params"]);
    let key = solved.key();
    let pr = &key["params"];
    let function = pr["function"].as_str().expect("function");
    let what = |s: &str| format!("variant {i}: {s} ({pr})");
    assert!(
        functions.contains(&function),
        "{}",
        what("function not allowed")
    );
    let alpha = match function {
        "elu" | "leaky_relu" => {
            let alpha = num(&pr["alpha"], "alpha");
            let set = if function == "elu" { elu } else { leaky };
            assert!(set.contains(&alpha), "{}", what("alpha not in its set"));
            assert!(
                alpha > 0.0 && (function == "elu" || alpha < 1.0),
                "{}",
                what("alpha")
            );
            alpha
        }
        _ => {
            assert!(
                pr.get("alpha").is_none(),
                "{}",
                what("alpha on a function without one")
            );
            1.0
        }
    };
    let size = pr["n"].as_u64().expect("n") as usize;
    assert!(
        (n.0..=n.1).contains(&size) && (1..=8).contains(&size),
        "{}",
        what("n")
    );

    let c = Constants { alpha, ..c };
    let a = &key["answers"];
    assert!(
        (num(&a["value_at_0"], "value_at_0") - f(function, c, 0.0)).abs() < 1e-12,
        "{}",
        what("f(0)")
    );
    let h = 1e-6;
    let right = (f(function, c, h) - f(function, c, 0.0)) / h;
    assert!(
        (num(&a["derivative_at_0"], "derivative_at_0") - right).abs() < 1e-5,
        "{}",
        what("f′(0) against the right-hand difference quotient")
    );
    assert!(a["code"]
        .as_str()
        .is_some_and(|c| c.contains("def backward_inputs(self, grads):")));

    let Solved::Activation(_, s) = solved else {
        panic!("an activation variant")
    };
    assert!(!s.samples.is_empty());
    for &(x, fx, dfx) in &s.samples {
        assert!(
            fx.is_finite() && dfx.is_finite(),
            "{}",
            what("a non-finite plot point")
        );
        assert!(
            (fx - f(function, c, x)).abs() < 1e-12,
            "{}",
            what(&format!("f({x})"))
        );
        if function == "hard_tanh" && c.bounds.contains(&x) {
            // No derivative at the bounds; the convention is 0 (checked in the engine).
            continue;
        }
        let numeric = if x == 0.0 && kink_at_zero(function, alpha) {
            // The right-hand derivative is the convention at the kink.
            (f(function, c, h) - f(function, c, 0.0)) / h
        } else {
            (f(function, c, x + h) - f(function, c, x - h)) / (2.0 * h)
        };
        assert!(
            (numeric - dfx).abs() < 1e-6,
            "{}",
            what(&format!("f′({x}) = {dfx}, finite difference {numeric}"))
        );
    }
    if let Err(e) = check_numeric(function, c, &key) {
        panic!("{}", what(&e));
    }
    match function {
        "elu" | "leaky_relu" => format!("{function}({alpha})"),
        "softplus" | "silu" => format!("{function}(β = {})", c.beta),
        "hard_tanh" => format!("{function}({:?})", c.bounds),
        _ => function.to_string(),
    }
}

fn constants(pr: &serde_json::Value) -> Constants {
    let bounds = pr["bounds"]
        .as_array()
        .map(|b| [b[0].as_f64().unwrap(), b[1].as_f64().unwrap()])
        .unwrap_or([-1.0, 1.0]);
    Constants {
        alpha: pr["alpha"].as_f64().unwrap_or(1.0),
        beta: pr["beta"].as_f64().unwrap_or(1.0),
        bounds,
    }
}

#[test]
fn ten_thousand_default_variants_cover_the_family() {
    let all = [
        "softplus",
        "sigmoid",
        "tanh",
        "elu",
        "leaky_relu",
        "silu",
        "softsign",
        "hard_tanh",
    ];
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut variants = std::collections::HashSet::new();
    stress("activation default", DEFAULT, 8_000, 10, |i, solved, _| {
        let member = check_variant(i, solved, &all, &[0.5, 1.0, 2.0], &[0.2, 0.25, 0.5], (4, 4));
        *seen.entry(member).or_default() += 1;
        let pr = &solved.key()["params"];
        // Never the 2022 problem: plain softplus without a numeric part.
        assert!(pr["x"].is_array(), "variant {i} has no numeric part");
        assert!(
            !(pr["function"] == "softplus" && pr.get("beta").is_none()),
            "variant {i}"
        );
        variants.insert(pr.to_string());
        Ok(())
    });
    eprintln!("activation default: {seen:?}");
    // 3 functions without a constant + 3 ELU + 3 leaky ReLU + 2 softplus + 2 SiLU + 4
    // hard tanh.
    assert_eq!(seen.len(), 17, "{seen:?}");
    // A class of 500 needs 500 different variants; 8,000 draws show nearly 8,000.
    assert!(
        variants.len() >= 7_900,
        "{} distinct of 8000",
        variants.len()
    );
}

#[test]
fn narrowed_knobs() {
    let mut sizes = [0usize; 9];
    stress("activation narrowed", WIDE, 2_000, 10, |i, solved, _| {
        check_variant(
            i,
            solved,
            &["elu", "leaky_relu", "silu"],
            &[0.25, 3.0],
            &[0.05],
            (2, 8),
        );
        sizes[solved.key()["params"]["n"].as_u64().unwrap() as usize] += 1;
        Ok(())
    });
    assert!(sizes[2..].iter().all(|&c| c > 0), "{sizes:?}");
}

#[test]
fn the_checker_catches_a_wrong_derivative() {
    let problem = one_problem("  - activation:\n      function: tanh\n      draw: {}\n");
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .unwrap();
    let Solved::Activation(p, mut s) = solved else {
        panic!("an activation variant")
    };
    s.samples[10].2 *= 1.001;
    let tampered = Solved::Activation(p, s);
    let caught = std::panic::catch_unwind(|| {
        check_variant(0, &tampered, &["tanh"], &[], &[], (4, 4));
    });
    assert!(
        caught.is_err(),
        "a wrong derivative passed the finite-difference check"
    );
}

/// The numeric checker is not vacuous: a wrong backward value is caught.
#[test]
fn the_checker_catches_a_wrong_backward_pass() {
    let problem = one_problem(DEFAULT);
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 2, 0, 0))
        .unwrap();
    let mut key = solved.key();
    let pr = key["params"].clone();
    let function = pr["function"].as_str().unwrap().to_string();
    assert_eq!(check_numeric(&function, constants(&pr), &key), Ok(()));
    let g = &mut key["answers"]["input_gradient"][1];
    *g = serde_json::json!(g.as_f64().unwrap() + 1e-3);
    assert!(check_numeric(&function, constants(&pr), &key).is_err());
    assert!((exact_value("3/4 + 3/16 ln 3") - (0.75 + 3.0 / 16.0 * 3f64.ln())).abs() < 1e-15);
    assert!((exact_value("-1/2 ln 4/3") + 0.5 * (4f64 / 3.0).ln()).abs() < 1e-15);
    assert!((exact_value("-3/2 - 3/8 ln 3") + 1.5 + 3.0 / 8.0 * 3f64.ln()).abs() < 1e-15);
    assert_eq!(exact_value("-ln 2"), -2f64.ln());
}

#[test]
fn golden_first_variants() {
    check_golden_params("activation", DEFAULT);
}
