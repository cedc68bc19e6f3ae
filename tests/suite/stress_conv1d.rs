//! Randomized conv1d variants: 10,000 draws, each checked against an independent
//! recomputation (forward pass, exact probabilities, the constraints, the knobs, the
//! fairness properties of issue 9 and the hand-work budget in exact integer arithmetic)
//! and a central finite-difference gradient of its own forward pass, and rendered (every
//! denominator a rendered sheet shows is read off it); plus the golden parameters of the
//! first variants.

use examgen::problems::Solved;
use examgen::render::sheet::Block;
use serde_json::Value;

use super::common::{frac_denominators, mat_f64, num, vec_f64};
use super::random_support::{self, check_golden_params, draw_many, one_problem};

const DEFAULT: &str = "  - conv1d:\n      draw: {}\n";

/// Larger sizes, base 3 next to base 2, wider ranges. (Three classes as well keep the
/// budget's five fractions about 1 time in 14; two keep it about 1 time in 5.)
const WIDE: &str = "  - conv1d:
      draw:
        input_length: 6
        kernel_size: 2
        kernel_count: 3
        classes: 2
        x_range: [-3, 3]
        kernel_range: [-2, 2]
        ln_bases: [2, 3]
        w2_range: [-1, 2]
        b2_range: [0, 1]
";

/// The kind's hand-work budget, as this test reads it (the largest denominator and the
/// largest integer a drawn sheet may show).
const MAX_DENOMINATOR: i128 = 27;
const MAX_INTEGER: f64 = 12.0;

/// The knobs a variant must respect, as the test reads them.
struct Knobs {
    n: usize,
    m: usize,
    c: usize,
    k: usize,
    x: (f64, f64),
    kernel: (f64, f64),
    bases: &'static [u32],
    w2: (f64, f64),
    b2: (f64, f64),
}

const DEFAULT_KNOBS: Knobs = Knobs {
    n: 5,
    m: 3,
    c: 2,
    k: 2,
    x: (-2.0, 4.0),
    kernel: (-1.0, 1.0),
    bases: &[2],
    w2: (-1.0, 1.0),
    b2: (-1.0, 1.0),
};

const WIDE_KNOBS: Knobs = Knobs {
    n: 6,
    m: 2,
    c: 3,
    k: 2,
    x: (-3.0, 3.0),
    kernel: (-2.0, 2.0),
    bases: &[2, 3],
    w2: (-1.0, 2.0),
    b2: (0.0, 1.0),
};

fn in_range(values: &[f64], (lo, hi): (f64, f64)) -> bool {
    values
        .iter()
        .all(|&v| v >= lo && v <= hi && v.fract() == 0.0)
}

/// The independent forward pass: conv (valid cross-correlation) → ReLU → mean → FC →
/// softmax → cross-entropy. Returns (conv outputs, pooled, p, loss).
fn forward(
    x: &[f64],
    kernels: &[Vec<f64>],
    w2: &[Vec<f64>],
    b2: &[f64],
    y: usize,
) -> (Vec<Vec<f64>>, Vec<f64>, Vec<f64>, f64) {
    let h: Vec<Vec<f64>> = kernels
        .iter()
        .map(|w| {
            (0..=x.len() - w.len())
                .map(|i| w.iter().enumerate().map(|(j, wj)| wj * x[i + j]).sum())
                .collect()
        })
        .collect();
    let pooled: Vec<f64> = h
        .iter()
        .map(|row| row.iter().map(|v: &f64| v.max(0.0)).sum::<f64>() / row.len() as f64)
        .collect();
    let s: Vec<f64> = w2
        .iter()
        .zip(b2)
        .map(|(row, b)| row.iter().zip(&pooled).map(|(w, h)| w * h).sum::<f64>() + b)
        .collect();
    let max = s.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let z: f64 = s.iter().map(|v| (v - max).exp()).sum();
    let p: Vec<f64> = s.iter().map(|v| (v - max).exp() / z).collect();
    let loss = -(s[y] - max - z.ln());
    (h, pooled, p, loss)
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

/// p_i = b^{e_i} / Σ_j b^{e_j} as reduced (numerator, denominator) pairs.
fn exact_p(e: &[i64], base: u32) -> Vec<(i128, i128)> {
    let min = *e.iter().min().unwrap();
    let powers: Vec<i128> = e
        .iter()
        .map(|&ei| i128::from(base).pow((ei - min) as u32))
        .collect();
    let total: i128 = powers.iter().sum();
    powers
        .iter()
        .map(|&p| {
            let g = gcd(p, total);
            (p / g, total / g)
        })
        .collect()
}

/// The reduced denominator of n/d.
fn denominator(n: i128, d: i128) -> i128 {
    d.abs() / gcd(n, d)
}

/// The fairness properties of a drawn variant and its hand-work budget, recomputed in
/// integers: no kernel only shifts x, the logits are one unit of ln b apart (e are the
/// exponents), and every denominator of the backward pass (p, ∂L/∂h3, ∂L/∂h2 = ∂L/∂h1
/// where the ReLU passes, the kernel gradients, all in units of ln b) and every integer
/// of the forward pass stays within the budget.
fn check_fairness(
    what: &dyn Fn(&str) -> String,
    (x, kernels, h): (&[f64], &[Vec<f64>], &[Vec<f64>]),
    w2_units: &[Vec<f64>],
    e: &[i64],
    (base, y): (u32, usize),
) {
    for k in kernels {
        let nonzero = k.iter().filter(|&&v| v != 0.0).count();
        assert!(
            nonzero >= k.len().min(2),
            "{}",
            what("a kernel that only shifts x")
        );
    }
    let mut levels = e.to_vec();
    levels.sort_unstable();
    levels.dedup();
    assert!(
        levels.len() >= 2 && levels.windows(2).all(|w| w[1] - w[0] == 1),
        "{}",
        what("logits not one unit of ln b apart")
    );
    let min = levels[0];
    let powers: Vec<i128> = e
        .iter()
        .map(|&v| i128::from(base).pow((v - min) as u32))
        .collect();
    let total: i128 = powers.iter().sum();
    let len = h[0].len() as i128;
    let mut denominators: Vec<i128> = powers.iter().map(|&p| denominator(p, total)).collect();
    for (c, row) in h.iter().enumerate() {
        // ∂L/∂h3_c · total = Σ_i (b^{e_i − m} − [i = y]·total) · W2_ic.
        let d_pooled: i128 = powers
            .iter()
            .enumerate()
            .map(|(i, &p)| (p - if i == y { total } else { 0 }) * w2_units[i][c] as i128)
            .sum();
        denominators.push(denominator(d_pooled, total));
        denominators.push(denominator(d_pooled, total * len));
        for j in 0..kernels[c].len() {
            let passed: i128 = row
                .iter()
                .enumerate()
                .filter(|(_, &v)| v > 0.0)
                .map(|(t, _)| x[t + j] as i128)
                .sum();
            denominators.push(denominator(d_pooled * passed, total * len));
        }
    }
    assert!(
        denominators.iter().all(|&d| d <= MAX_DENOMINATOR),
        "{}",
        what(&format!(
            "a denominator above {MAX_DENOMINATOR}: {denominators:?}"
        ))
    );
    let integers = x
        .iter()
        .chain(kernels.iter().flatten())
        .chain(h.iter().flatten());
    assert!(
        integers.map(|v| v.abs()).all(|v| v <= MAX_INTEGER),
        "{}",
        what("an integer above the budget")
    );
}

/// Every denominator the rendered sheet shows is within the budget.
fn check_sheet(what: &dyn Fn(&str) -> String, sheet: &Block) {
    let shown = frac_denominators(&format!("{}{}", sheet.question, sheet.solution));
    assert!(
        shown
            .iter()
            .all(|&d| i128::from(d as i64) <= MAX_DENOMINATOR),
        "{}",
        what(&format!(
            "the sheet shows a denominator above {MAX_DENOMINATOR}: {shown:?}"
        ))
    );
}

fn check_variant(i: usize, solved: &Solved, knobs: &Knobs) {
    let key = solved.key();
    let (pr, a) = (&key["params"], &key["answers"]);
    let what = |s: &str| format!("variant {i}: {s} ({pr})");
    let x = vec_f64(&pr["x"], "x");
    let kernels = mat_f64(&pr["kernels"], "kernels");
    let w2 = mat_f64(&pr["W2"], "W2");
    let b2 = vec_f64(&pr["b2"], "b2");
    let w2_units = mat_f64(&pr["W2_units"], "W2_units");
    let b2_units = vec_f64(&pr["b2_units"], "b2_units");
    let base = pr["ln_base"].as_u64().expect("ln_base") as u32;
    let y = pr["y"].as_u64().expect("y") as usize;

    // The knobs: sizes, ranges, sets.
    assert_eq!(x.len(), knobs.n, "{}", what("input length"));
    assert_eq!(kernels.len(), knobs.c, "{}", what("kernel count"));
    assert!(
        kernels.iter().all(|k| k.len() == knobs.m),
        "{}",
        what("kernel size")
    );
    assert_eq!(w2_units.len(), knobs.k, "{}", what("classes"));
    assert!(y < knobs.k, "{}", what("y"));
    assert!(knobs.bases.contains(&base), "{}", what("ln_base"));
    assert!(in_range(&x, knobs.x), "{}", what("x range"));
    assert!(
        kernels.iter().all(|k| in_range(k, knobs.kernel)),
        "{}",
        what("kernel range")
    );
    assert!(
        w2_units.iter().all(|r| in_range(r, knobs.w2)),
        "{}",
        what("W2 range")
    );
    assert!(in_range(&b2_units, knobs.b2), "{}", what("b2 range"));
    let ln_b = f64::from(base).ln();
    for (r, ru) in w2.iter().zip(&w2_units) {
        for (v, u) in r.iter().zip(ru) {
            assert!(
                (v - u * ln_b).abs() < 1e-12,
                "{}",
                what("W2 = ln b · W2_units")
            );
        }
    }

    // The forward pass, recomputed.
    let (h, pooled, p, loss) = forward(&x, &kernels, &w2, &b2, y);
    assert_eq!(mat_f64(&a["h"], "h"), h, "{}", what("conv outputs"));
    assert_eq!(
        vec_f64(&a["pooled"], "pooled"),
        pooled,
        "{}",
        what("pooled")
    );
    for (got, want) in vec_f64(&a["p"], "p").iter().zip(&p) {
        assert!((got - want).abs() < 1e-12, "{}", what("p"));
    }
    assert!(
        (num(&a["loss"], "loss") - loss).abs() < 1e-12,
        "{}",
        what("loss")
    );

    // The constraints, recomputed.
    assert!(
        h.iter().flatten().any(|&v| v < 0.0),
        "{}",
        what("the ReLU changes nothing")
    );
    assert!(
        h.iter().all(|row| row.iter().any(|&v| v > 0.0)),
        "{}",
        what("a dead feature map")
    );
    assert!(
        h.iter().flatten().all(|&v| v != 0.0),
        "{}",
        what("a conv output on the kink")
    );
    assert!(
        pooled.iter().all(|v| v.fract() == 0.0),
        "{}",
        what("a fractional average")
    );
    for (j, a_row) in kernels.iter().enumerate() {
        assert!(
            kernels[..j].iter().all(|b| b != a_row),
            "{}",
            what("equal kernels")
        );
    }
    let e: Vec<i64> = w2_units
        .iter()
        .zip(&b2_units)
        .map(|(row, b)| (row.iter().zip(&pooled).map(|(w, h)| w * h).sum::<f64>() + b) as i64)
        .collect();
    for ((num_, den), got) in exact_p(&e, base).iter().zip(&p) {
        assert!(
            *den <= 100,
            "{}",
            what("a probability denominator above 100")
        );
        assert!(
            (*num_ as f64 / *den as f64 - got).abs() < 1e-12,
            "{}",
            what("p is not b^e / Σ b^e")
        );
    }

    check_fairness(&what, (&x, &kernels, &h), &w2_units, &e, (base, y));

    // The kernel gradients against central differences of the forward pass above. No
    // conv output is 0 (checked above) and all are integers, so a step of 1e-6 never
    // crosses the ReLU's kink.
    let grads = mat_f64(&a["grad_kernels"], "grad_kernels");
    let step = 1e-6;
    for (c, row) in grads.iter().enumerate() {
        assert!(
            row.iter().any(|v| v.abs() > 1e-9),
            "{}",
            what("a zero kernel gradient")
        );
        for (j, &g) in row.iter().enumerate() {
            let mut plus = kernels.clone();
            plus[c][j] += step;
            let mut minus = kernels.clone();
            minus[c][j] -= step;
            let numeric = (forward(&x, &plus, &w2, &b2, y).3 - forward(&x, &minus, &w2, &b2, y).3)
                / (2.0 * step);
            assert!(
                (numeric - g).abs() < 1e-6 * g.abs().max(1.0),
                "{}",
                what(&format!(
                    "grad_kernels[{c}][{j}] = {g}, finite difference {numeric}"
                ))
            );
        }
    }
}

fn stress(item: &str, knobs: &Knobs, count: usize, label: &str) {
    random_support::stress(label, item, count, 5, |i, solved, sheet| {
        check_variant(i, solved, knobs);
        if let Some(sheet) = sheet {
            check_sheet(&|s: &str| format!("variant {i}: {s}"), sheet);
        }
        Ok(())
    });
}

#[test]
fn ten_thousand_default_variants() {
    stress(DEFAULT, &DEFAULT_KNOBS, 7_000, "conv1d default");
}

#[test]
fn wide_knobs() {
    stress(WIDE, &WIDE_KNOBS, 3_000, "conv1d wide");
}

#[test]
fn the_checker_catches_a_wrong_gradient() {
    // The independent checker must be able to fail: a variant with a tampered key.
    let problem = one_problem(DEFAULT);
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .unwrap();
    let Solved::Conv1d(p, mut s) = solved else {
        panic!("a conv1d variant")
    };
    s.grad_kernels[[0, 0]] += 0.01;
    let tampered = Solved::Conv1d(p, s);
    let caught = std::panic::catch_unwind(|| check_variant(0, &tampered, &DEFAULT_KNOBS));
    assert!(
        caught.is_err(),
        "a wrong gradient passed the finite-difference check"
    );
}

/// The fairness checks can fail: the 2022 variant passes them, a trivial kernel, logits
/// two units apart, a base whose p needs twelfths (∂L/∂h2 in 36ths) and a sheet showing
/// p = 1/65 do not.
#[test]
fn the_fairness_checker_has_teeth() {
    let x = [4.0, -1.0, 2.0, 0.0, 1.0];
    let kernels = [vec![1.0, 0.0, -1.0], vec![1.0, 1.0, -1.0]];
    let h = [vec![2.0, -1.0, 1.0], vec![1.0, 1.0, 1.0]];
    let identity = [vec![1.0, 0.0], vec![0.0, 1.0]];
    let what = |s: &str| s.to_string();
    let check = |kernels: &[Vec<f64>], e: &[i64], base: u32| {
        std::panic::catch_unwind(|| {
            check_fairness(&what, (&x, kernels, &h), &identity, e, (base, 1))
        })
        .map_err(|e| e.downcast_ref::<String>().cloned().unwrap_or_default())
    };
    assert_eq!(check(&kernels, &[1, 2], 2), Ok(()));
    let trivial = [vec![1.0, 0.0, 0.0], kernels[1].clone()];
    assert!(check(&trivial, &[1, 2], 2)
        .unwrap_err()
        .contains("only shifts x"));
    assert!(check(&kernels, &[0, 2], 2)
        .unwrap_err()
        .contains("one unit"));
    assert!(check(&kernels, &[1, 2], 11)
        .unwrap_err()
        .contains("denominator above 27"));
    let sheet = Block {
        number: 3,
        figures: Vec::new(),
        points: String::new(),
        question: String::new(),
        solution: r"\mathbf{p} = [\frac{1}{65}, \frac{64}{65}]".to_string(),
    };
    assert!(std::panic::catch_unwind(|| check_sheet(&what, &sheet)).is_err());
}

#[test]
fn golden_first_variants() {
    check_golden_params("conv1d", DEFAULT);
}

#[test]
fn every_pinned_parameter_is_kept() {
    let item = "  - conv1d:
      x: [4, -1, 2, 0, 1]
      W2: [[1, 0], [0, 1]]
      draw: {}
";
    let problem = one_problem(item);
    draw_many(&problem, 200, |i, solved| {
        let key = solved.key();
        assert_eq!(
            key["params"]["x"],
            Value::from(vec![4.0, -1.0, 2.0, 0.0, 1.0]),
            "variant {i}"
        );
        assert_eq!(
            key["params"]["W2_units"],
            serde_json::json!([[1.0, 0.0], [0.0, 1.0]])
        );
        check_variant(i, solved, &DEFAULT_KNOBS);
    });
}
