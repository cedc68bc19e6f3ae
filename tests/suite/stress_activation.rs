//! Randomized activation variants: 10,000 draws, each checked against an independent
//! implementation of the family (f and f′ on the plotted points, f′ against finite
//! differences of that f), the knobs and the constraints, and rendered; every member of
//! the family must come up; plus the golden parameters of the first variants.

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
        n_range: [1, 8]
";

/// f(x), written from the definitions, independently of the engine.
fn f(function: &str, alpha: f64, x: f64) -> f64 {
    let sigma = |v: f64| 1.0 / (1.0 + (-v).exp());
    match function {
        "softplus" => (1.0 + x.exp()).ln(),
        "sigmoid" => sigma(x),
        "tanh" => (x.exp() - (-x).exp()) / (x.exp() + (-x).exp()),
        "elu" if x >= 0.0 => x,
        "elu" => alpha * (x.exp() - 1.0),
        "leaky_relu" if x >= 0.0 => x,
        "leaky_relu" => alpha * x,
        "silu" => x * sigma(x),
        "softsign" => x / (1.0 + x.abs()),
        other => panic!("unknown function {other}"),
    }
}

/// Whether f′ has no two-sided derivative at 0 (a kink), for the given α.
fn kink_at_zero(function: &str, alpha: f64) -> bool {
    matches!(function, "leaky_relu") || (function == "elu" && alpha != 1.0)
}

fn check_variant(
    i: usize,
    solved: &Solved,
    functions: &[&str],
    elu: &[f64],
    leaky: &[f64],
    n: (usize, usize),
) -> String {
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

    let a = &key["answers"];
    assert!(
        (num(&a["value_at_0"], "value_at_0") - f(function, alpha, 0.0)).abs() < 1e-12,
        "{}",
        what("f(0)")
    );
    let h = 1e-6;
    let right = (f(function, alpha, h) - f(function, alpha, 0.0)) / h;
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
            (fx - f(function, alpha, x)).abs() < 1e-12,
            "{}",
            what(&format!("f({x})"))
        );
        let numeric = if x == 0.0 && kink_at_zero(function, alpha) {
            // The right-hand derivative is the convention at the kink.
            (f(function, alpha, h) - f(function, alpha, 0.0)) / h
        } else {
            (f(function, alpha, x + h) - f(function, alpha, x - h)) / (2.0 * h)
        };
        assert!(
            (numeric - dfx).abs() < 1e-6,
            "{}",
            what(&format!("f′({x}) = {dfx}, finite difference {numeric}"))
        );
    }
    match function {
        "elu" | "leaky_relu" => format!("{function}({alpha})"),
        _ => function.to_string(),
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
    ];
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    stress("activation default", DEFAULT, 8_000, 10, |i, solved, _| {
        let member = check_variant(i, solved, &all, &[0.5, 1.0, 2.0], &[0.01, 0.1, 0.2], (4, 4));
        *seen.entry(member).or_default() += 1;
        Ok(())
    });
    eprintln!("activation default: {seen:?}");
    // 5 functions without α + 3 ELU + 3 leaky ReLU.
    assert_eq!(seen.len(), 11, "{seen:?}");
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
            (1, 8),
        );
        sizes[solved.key()["params"]["n"].as_u64().unwrap() as usize] += 1;
        Ok(())
    });
    assert!(sizes[1..].iter().all(|&c| c > 0), "{sizes:?}");
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

#[test]
fn golden_first_variants() {
    check_golden_params("activation", DEFAULT);
}
