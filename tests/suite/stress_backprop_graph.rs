//! backprop_graph variants checked without examgen's engine: the forward pass, the loss
//! (squared error or multiclass hinge) and every gradient recomputed from the key's
//! parameters with plain loops, every gradient also by central differences of that
//! recomputed loss, and the constraints and the hand-work budget recomputed. The CI test
//! draws 3,000 variants; `a_hundred_thousand_variants` is the heavy run
//! (`cargo test --test tests stress_backprop_graph -- --ignored --nocapture`).

use examgen::problems::Solved;
use serde_json::Value;

use super::common::{mat_f64, num, vec_f64};
use super::random_support::{check_golden_params, one_problem, stress_counted};

const DEFAULT: &str = "  - backprop_graph:\n      draw: {}\n";
const WIDE: &str = "  - backprop_graph:\n      draw: {classes: 4, x_range: [-3, 3], weight_range: [-3, 3], bias_range: [-2, 2]}\n";
/// The kind's budget: the largest integer (or numerator) any printed value may have.
const MAX_INTEGER: f64 = 50.0;

/// A variant's parameters, read from its key.
struct Net {
    hinge: bool,
    x: Vec<f64>,
    w1: Vec<Vec<f64>>,
    b1: Vec<f64>,
    w2: Vec<Vec<f64>>,
    b2: Vec<f64>,
    y: f64,
}

impl Net {
    fn of(params: &Value) -> Net {
        Net {
            hinge: params["loss"] == "hinge",
            x: vec_f64(&params["x"], "x"),
            w1: mat_f64(&params["W1"], "W1"),
            b1: vec_f64(&params["b1"], "b1"),
            w2: mat_f64(&params["W2"], "W2"),
            b2: vec_f64(&params["b2"], "b2"),
            y: num(&params["y"], "y"),
        }
    }

    /// z, h and s, with loops.
    fn forward(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let z: Vec<f64> = (0..2)
            .map(|i| self.w1[i][0] * self.x[0] + self.w1[i][1] * self.x[1] + self.b1[i])
            .collect();
        let h: Vec<f64> = z.iter().map(|&v| v.max(0.0)).collect();
        let s: Vec<f64> = (0..self.w2.len())
            .map(|j| self.w2[j][0] * h[0] + self.w2[j][1] * h[1] + self.b2[j])
            .collect();
        (z, h, s)
    }

    fn loss(&self) -> f64 {
        let (_, _, s) = self.forward();
        if self.hinge {
            let y = self.y as usize;
            (0..s.len())
                .filter(|&j| j != y)
                .map(|j| (s[j] - s[y] + 1.0).max(0.0))
                .sum()
        } else {
            0.5 * (s[0] - self.y).powi(2)
        }
    }

    /// ∂L/∂s by cases, then the chain rule written out entry by entry.
    fn gradients(&self) -> Grads {
        let (z, h, s) = self.forward();
        let k = s.len();
        let mut gs = vec![0.0; k];
        if self.hinge {
            let y = self.y as usize;
            for j in (0..k).filter(|&j| j != y) {
                if s[j] - s[y] + 1.0 > 0.0 {
                    gs[j] += 1.0;
                    gs[y] -= 1.0;
                }
            }
        } else {
            gs[0] = s[0] - self.y;
        }
        let gh: Vec<f64> = (0..2)
            .map(|i| (0..k).map(|j| self.w2[j][i] * gs[j]).sum())
            .collect();
        let gz: Vec<f64> = (0..2)
            .map(|i| if z[i] > 0.0 { gh[i] } else { 0.0 })
            .collect();
        Grads {
            w2: (0..k).map(|j| vec![gs[j] * h[0], gs[j] * h[1]]).collect(),
            b2: gs.clone(),
            w1: (0..2)
                .map(|i| vec![gz[i] * self.x[0], gz[i] * self.x[1]])
                .collect(),
            b1: gz.clone(),
            x: (0..2)
                .map(|c| (0..2).map(|i| self.w1[i][c] * gz[i]).sum())
                .collect(),
            s: gs,
            h: gh,
            z: gz,
        }
    }
}

struct Grads {
    s: Vec<f64>,
    h: Vec<f64>,
    z: Vec<f64>,
    w1: Vec<Vec<f64>>,
    b1: Vec<f64>,
    w2: Vec<Vec<f64>>,
    b2: Vec<f64>,
    x: Vec<f64>,
}

/// Central differences of the recomputed loss in every entry that `entry` selects.
fn finite_difference(net: &Net, n: usize, entry: impl Fn(&mut Net, usize) -> &mut f64) -> Vec<f64> {
    let eps = 1e-6;
    (0..n)
        .map(|i| {
            let mut up = clone(net);
            *entry(&mut up, i) += eps;
            let mut down = clone(net);
            *entry(&mut down, i) -= eps;
            (up.loss() - down.loss()) / (2.0 * eps)
        })
        .collect()
}

fn clone(n: &Net) -> Net {
    Net {
        hinge: n.hinge,
        x: n.x.clone(),
        w1: n.w1.clone(),
        b1: n.b1.clone(),
        w2: n.w2.clone(),
        b2: n.b2.clone(),
        y: n.y,
    }
}

fn flat(m: &[Vec<f64>]) -> Vec<f64> {
    m.iter().flatten().copied().collect()
}

fn same(got: &[f64], want: &[f64], what: &str) -> Result<(), String> {
    if got.len() != want.len() || got.iter().zip(want).any(|(a, b)| (a - b).abs() > 1e-6) {
        return Err(format!(
            "{what}: the key has {got:?}, the recomputation {want:?}"
        ));
    }
    Ok(())
}

/// Checks one variant; `drawn_first_layer` says whether the routing rule applies.
fn check_variant(solved: &Solved, drawn_first_layer: bool) -> Result<(), String> {
    let key = solved.key();
    let (params, a) = (&key["params"], &key["answers"]);
    let net = Net::of(params);
    let (z, h, s) = net.forward();
    let g = net.gradients();
    same(&vec_f64(&a["z"], "z"), &z, "z")?;
    same(&vec_f64(&a["h"], "h"), &h, "h")?;
    same(&vec_f64(&a["s"], "s"), &s, "s")?;
    same(&[num(&a["loss"], "loss")], &[net.loss()], "loss")?;
    same(&vec_f64(&a["dL_ds"], "dL_ds"), &g.s, "dL/ds")?;
    same(&vec_f64(&a["dL_dh"], "dL_dh"), &g.h, "dL/dh")?;
    same(&vec_f64(&a["dL_dz"], "dL_dz"), &g.z, "dL/dz")?;
    same(
        &flat(&mat_f64(&a["dL_dW1"], "dL_dW1")),
        &flat(&g.w1),
        "dL/dW1",
    )?;
    same(&vec_f64(&a["dL_db1"], "dL_db1"), &g.b1, "dL/db1")?;
    same(
        &flat(&mat_f64(&a["dL_dW2"], "dL_dW2")),
        &flat(&g.w2),
        "dL/dW2",
    )?;
    same(&vec_f64(&a["dL_db2"], "dL_db2"), &g.b2, "dL/db2")?;
    same(&vec_f64(&a["dL_dx"], "dL_dx"), &g.x, "dL/dx")?;

    // Finite differences of the recomputed loss (exact away from the kinks, which the
    // constraints keep every variant away from).
    let k = net.w2.len();
    same(
        &finite_difference(&net, 4, |n, i| &mut n.w1[i / 2][i % 2]),
        &flat(&g.w1),
        "FD dL/dW1",
    )?;
    same(
        &finite_difference(&net, 2, |n, i| &mut n.b1[i]),
        &g.b1,
        "FD dL/db1",
    )?;
    same(
        &finite_difference(&net, 2 * k, |n, i| &mut n.w2[i / 2][i % 2]),
        &flat(&g.w2),
        "FD dL/dW2",
    )?;
    same(
        &finite_difference(&net, k, |n, i| &mut n.b2[i]),
        &g.b2,
        "FD dL/db2",
    )?;
    same(
        &finite_difference(&net, 2, |n, i| &mut n.x[i]),
        &g.x,
        "FD dL/dx",
    )?;

    // The constraints.
    if z.contains(&0.0) {
        return Err("a hidden pre-activation is 0".into());
    }
    if net.loss() == 0.0 || g.w1.iter().flatten().all(|&v| v == 0.0) {
        return Err("no gradient reaches W1".into());
    }
    if drawn_first_layer && z.iter().filter(|&&v| v > 0.0).count() != 1 {
        return Err(format!("not exactly one active hidden unit: z = {z:?}"));
    }
    if net.hinge {
        let y = net.y as usize;
        let margins: Vec<f64> = (0..k)
            .filter(|&j| j != y)
            .map(|j| s[j] - s[y] + 1.0)
            .collect();
        if margins.contains(&0.0) {
            return Err(format!("a margin is on the hinge's kink: {margins:?}"));
        }
        let active = margins.iter().filter(|&&m| m > 0.0).count();
        if k >= 3 && (active == 0 || active == margins.len()) {
            return Err(format!("margins not mixed: {margins:?}"));
        }
    }
    // The budget: integers (L a half at most) up to MAX_INTEGER.
    let values = [
        z,
        h,
        s,
        vec![net.loss()],
        g.s,
        g.h,
        g.z,
        flat(&g.w1),
        flat(&g.w2),
        g.x,
    ]
    .concat();
    if let Some(v) = values
        .iter()
        .find(|v| v.abs() > MAX_INTEGER || (2.0 * *v).fract() != 0.0)
    {
        return Err(format!("{v} is beyond the hand-work budget"));
    }
    Ok(())
}

fn run(item: &str, count: usize, label: &str) -> usize {
    stress_counted(label, item, count, 10, |_, solved, block| {
        if let Some(block) = block {
            // The sheet states the conventions.
            if !block.question.contains(r"\mathrm{ReLU}'(0) = 0") {
                return Err("the sheet does not state ReLU′(0) = 0".into());
            }
        }
        check_variant(solved, true)
    })
    .distinct
}

#[test]
fn default_variants_are_right_and_at_least_500_distinct() {
    let distinct = run(DEFAULT, 3_000, "backprop_graph default");
    assert!(
        distinct >= 500,
        "only {distinct} distinct variants in 3,000 draws"
    );
}

#[test]
fn wide_knobs() {
    run(WIDE, 500, "backprop_graph wide");
}

/// 100,000 default and 20,000 wide variants:
/// `cargo test --test tests stress_backprop_graph -- --ignored --nocapture`.
#[test]
#[ignore]
fn a_hundred_thousand_variants() {
    let distinct = run(DEFAULT, 100_000, "backprop_graph default, heavy");
    eprintln!("backprop_graph default: {distinct} distinct of 100,000");
    run(WIDE, 20_000, "backprop_graph wide, heavy");
}

#[test]
fn the_checker_catches_a_wrong_gradient() {
    let solved = one_problem(DEFAULT)
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .unwrap();
    assert_eq!(check_variant(&solved, true), Ok(()));
    let Solved::BackpropGraph(p, mut s) = solved else {
        panic!("a backprop_graph variant")
    };
    s.grad_w1[[0, 0]] += 1.0;
    s.grad_w1[[1, 0]] += 1.0;
    let err = check_variant(&Solved::BackpropGraph(p, s), true).unwrap_err();
    assert!(err.contains("dL/dW1"), "{err}");
}

/// A pinned variant with both units active and numbers beyond the budget is accepted (a
/// lecturer's choice) but fails the drawn variants' checks.
#[test]
fn the_checker_catches_routing_and_budget() {
    let solved = one_problem(
        "  - backprop_graph:\n      loss: mse\n      x: [3, 3]\n      W1: [[3, 3], [2, 2]]\n      b1: [1, 1]\n      W2: [[3, 3]]\n      b2: [1]\n      y: 0\n",
    )
    .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
    .expect("pinned variants are not held to the budget");
    let err = check_variant(&solved, true).unwrap_err();
    assert!(err.contains("active hidden unit"), "{err}");
    let err = check_variant(&solved, false).unwrap_err();
    assert!(err.contains("hand-work budget"), "{err}");
}

#[test]
fn golden_first_variants() {
    check_golden_params("backprop_graph", DEFAULT);
}
