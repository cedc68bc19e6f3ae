//! The 2022 answers recomputed a second way, without examgen's engine: plain `f64` loops
//! for the batchnorm MLP (and finite differences of the whole loss), exact rationals for
//! the conv1d gradient and the retrieval AP, a bank-account simulation for the RNN and
//! the textbook formula for recurrent parameter counts. Each is compared with the key of
//! the 2022 spec and, where a single example could hide a mistake, with the key of a
//! variant spec parsed inline.

// Index loops on purpose: the hand computation reads like the formulas it checks.
#![allow(clippy::needless_range_loop)]

use serde_json::Value;
use std::cmp::Ordering;
use std::f64::consts::LN_2;
use std::fmt;

use super::common::{
    answers, assert_close, assert_mat_close, assert_vec_close, inline_key, mat_f64, num, problem,
    vec_f64, TOL,
};

/// The answers of the one problem of an inline spec (`problem` is its YAML list item).
fn inline_answers(problem_yaml: &str) -> Value {
    inline_key(problem_yaml)["answers"].clone()
}

// ---------------------------------------------------------------------------------------
// Exact rationals (i64 numerator and denominator, always reduced, denominator > 0).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rat {
    n: i64,
    d: i64,
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

impl Rat {
    fn new(n: i64, d: i64) -> Rat {
        assert!(d != 0, "zero denominator");
        let g = gcd(n, d).max(1);
        let s = if d < 0 { -1 } else { 1 };
        Rat {
            n: s * n / g,
            d: s * d / g,
        }
    }

    fn int(n: i64) -> Rat {
        Rat::new(n, 1)
    }

    /// A float with a short binary expansion (the spec's integers and halves), exactly.
    fn dyadic(x: f64) -> Rat {
        let mut d = 1i64;
        while (x * d as f64).fract() != 0.0 {
            d *= 2;
            assert!(d <= 1 << 20, "{x} is not a short dyadic rational");
        }
        Rat::new((x * d as f64) as i64, d)
    }

    fn to_f64(self) -> f64 {
        self.n as f64 / self.d as f64
    }

    fn abs(self) -> Rat {
        Rat::new(self.n.abs(), self.d)
    }

    fn add(self, o: Rat) -> Rat {
        Rat::new(self.n * o.d + o.n * self.d, self.d * o.d)
    }

    fn sub(self, o: Rat) -> Rat {
        self.add(Rat::new(-o.n, o.d))
    }

    fn mul(self, o: Rat) -> Rat {
        Rat::new(self.n * o.n, self.d * o.d)
    }

    fn div(self, o: Rat) -> Rat {
        Rat::new(self.n * o.d, self.d * o.n)
    }

    fn cmp(self, o: Rat) -> Ordering {
        (self.n * o.d).cmp(&(o.n * self.d))
    }
}

impl fmt::Display for Rat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.n, self.d)
    }
}

#[test]
fn rationals_reduce_and_compare() {
    assert_eq!(Rat::new(6, -9), Rat::new(-2, 3));
    assert_eq!(Rat::dyadic(-0.5), Rat::new(-1, 2));
    assert_eq!(Rat::new(1, 3).add(Rat::new(1, 6)), Rat::new(1, 2));
    assert_eq!(Rat::new(1, 3).cmp(Rat::new(1, 4)), Ordering::Greater);
    assert_eq!(Rat::new(29, 36).to_string(), "29/36");
}

// ---------------------------------------------------------------------------------------
// Problem 1: FC → batchnorm (no affine) → ReLU → FC → sigmoid, mean BCE, one SGD step.

#[derive(Clone, Debug)]
struct Mlp {
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    w1: Vec<Vec<f64>>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: f64,
    lr: f64,
}

struct Forward {
    h1: Vec<Vec<f64>>,
    mu: Vec<f64>,
    var: Vec<f64>,
    sigma: Vec<f64>,
    h_hat: Vec<Vec<f64>>,
    h2: Vec<Vec<f64>>,
    s: Vec<f64>,
    p: Vec<f64>,
    loss: f64,
}

struct Grads {
    w1: Vec<Vec<f64>>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: f64,
}

impl Mlp {
    fn from_params(params: &Value) -> Mlp {
        Mlp {
            x: mat_f64(&params["X"], "X"),
            y: vec_f64(&params["y"], "y"),
            w1: mat_f64(&params["W1"], "W1"),
            b1: vec_f64(&params["b1"], "b1"),
            w2: mat_f64(&params["W2"], "W2")[0].clone(),
            b2: vec_f64(&params["b2"], "b2")[0],
            lr: num(&params["lr"], "lr"),
        }
    }

    fn forward(&self) -> Forward {
        let n = self.x.len();
        let h = self.w1.len();
        let mut h1 = vec![vec![0.0; h]; n];
        for i in 0..n {
            for j in 0..h {
                h1[i][j] = self.b1[j];
                for (k, xk) in self.x[i].iter().enumerate() {
                    h1[i][j] += self.w1[j][k] * xk;
                }
            }
        }
        let mut mu = vec![0.0; h];
        let mut var = vec![0.0; h];
        for j in 0..h {
            mu[j] = (0..n).map(|i| h1[i][j]).sum::<f64>() / n as f64;
            var[j] = (0..n).map(|i| (h1[i][j] - mu[j]).powi(2)).sum::<f64>() / n as f64;
        }
        let sigma: Vec<f64> = var.iter().map(|v| v.sqrt()).collect();
        let h_hat: Vec<Vec<f64>> = h1
            .iter()
            .map(|r| (0..h).map(|j| (r[j] - mu[j]) / sigma[j]).collect())
            .collect();
        let h2: Vec<Vec<f64>> = h_hat
            .iter()
            .map(|r| r.iter().map(|&v| v.max(0.0)).collect())
            .collect();
        let s: Vec<f64> = h2
            .iter()
            .map(|r| r.iter().zip(&self.w2).map(|(a, w)| a * w).sum::<f64>() + self.b2)
            .collect();
        let p: Vec<f64> = s.iter().map(|v| 1.0 / (1.0 + (-v).exp())).collect();
        let loss = p
            .iter()
            .zip(&self.y)
            .map(|(p, y)| -(y * p.ln() + (1.0 - y) * (1.0 - p).ln()))
            .sum::<f64>()
            / n as f64;
        Forward {
            h1,
            mu,
            var,
            sigma,
            h_hat,
            h2,
            s,
            p,
            loss,
        }
    }

    /// The chain rule example by example, μ and σ constants, gradients averaged.
    fn grads_stats_constant(&self, f: &Forward) -> Grads {
        let n = self.x.len();
        let h = self.w1.len();
        let d = self.x[0].len();
        let mut g = Grads {
            w1: vec![vec![0.0; d]; h],
            b1: vec![0.0; h],
            w2: vec![0.0; h],
            b2: 0.0,
        };
        for i in 0..n {
            let ds = f.p[i] - self.y[i];
            g.b2 += ds / n as f64;
            for j in 0..h {
                g.w2[j] += ds * f.h2[i][j] / n as f64;
                let dh2 = ds * self.w2[j];
                let dh_hat = if f.h_hat[i][j] > 0.0 { dh2 } else { 0.0 };
                let dh1 = dh_hat / f.sigma[j];
                g.b1[j] += dh1 / n as f64;
                for k in 0..d {
                    g.w1[j][k] += dh1 * self.x[i][k] / n as f64;
                }
            }
        }
        g
    }

    fn step(&self, g: &Grads) -> Mlp {
        let mut m = self.clone();
        for (row, grow) in m.w1.iter_mut().zip(&g.w1) {
            for (w, gw) in row.iter_mut().zip(grow) {
                *w -= self.lr * gw;
            }
        }
        for (b, gb) in m.b1.iter_mut().zip(&g.b1) {
            *b -= self.lr * gb;
        }
        for (w, gw) in m.w2.iter_mut().zip(&g.w2) {
            *w -= self.lr * gw;
        }
        m.b2 -= self.lr * g.b2;
        m
    }

    /// Central differences of the mean loss, statistics recomputed at every point.
    fn numeric_grads(&self, eps: f64) -> Grads {
        let diff =
            |plus: Mlp, minus: Mlp| (plus.forward().loss - minus.forward().loss) / (2.0 * eps);
        let h = self.w1.len();
        let d = self.x[0].len();
        let mut g = Grads {
            w1: vec![vec![0.0; d]; h],
            b1: vec![0.0; h],
            w2: vec![0.0; h],
            b2: 0.0,
        };
        for j in 0..h {
            for k in 0..d {
                let (mut p, mut m) = (self.clone(), self.clone());
                p.w1[j][k] += eps;
                m.w1[j][k] -= eps;
                g.w1[j][k] = diff(p, m);
            }
            let (mut p, mut m) = (self.clone(), self.clone());
            p.b1[j] += eps;
            m.b1[j] -= eps;
            g.b1[j] = diff(p, m);
            let (mut p, mut m) = (self.clone(), self.clone());
            p.w2[j] += eps;
            m.w2[j] -= eps;
            g.w2[j] = diff(p, m);
        }
        let (mut p, mut m) = (self.clone(), self.clone());
        p.b2 += eps;
        m.b2 -= eps;
        g.b2 = diff(p, m);
        g
    }
}

/// Every batchnorm-MLP answer of a key against the independent computation.
fn check_mlp_key(params: &Value, a: &Value) {
    let m = Mlp::from_params(params);
    let f = m.forward();
    let g = m.grads_stats_constant(&f);
    let next = m.step(&g);
    assert_mat_close(&mat_f64(&a["h1"], "h1"), &f.h1, TOL, "h1");
    assert_vec_close(&vec_f64(&a["mu"], "mu"), &f.mu, TOL, "mu");
    assert_vec_close(&vec_f64(&a["var"], "var"), &f.var, TOL, "var");
    assert_vec_close(&vec_f64(&a["sigma"], "sigma"), &f.sigma, TOL, "sigma");
    assert_mat_close(&mat_f64(&a["h_hat"], "h_hat"), &f.h_hat, TOL, "h_hat");
    assert_vec_close(&vec_f64(&a["s"], "s"), &f.s, TOL, "s");
    assert_vec_close(&vec_f64(&a["p"], "p"), &f.p, TOL, "p");
    assert_close(num(&a["loss"], "loss"), f.loss, TOL, "loss");
    assert_mat_close(&mat_f64(&a["grad_W1"], "grad_W1"), &g.w1, TOL, "grad_W1");
    assert_vec_close(&vec_f64(&a["grad_b1"], "grad_b1"), &g.b1, TOL, "grad_b1");
    assert_vec_close(&mat_f64(&a["grad_W2"], "grad_W2")[0], &g.w2, TOL, "grad_W2");
    assert_vec_close(&vec_f64(&a["grad_b2"], "grad_b2"), &[g.b2], TOL, "grad_b2");
    assert_mat_close(&mat_f64(&a["W1"], "W1"), &next.w1, TOL, "updated W1");
    assert_vec_close(&vec_f64(&a["b1"], "b1"), &next.b1, TOL, "updated b1");
    assert_vec_close(&mat_f64(&a["W2"], "W2")[0], &next.w2, TOL, "updated W2");
    assert_vec_close(&vec_f64(&a["b2"], "b2"), &[next.b2], TOL, "updated b2");
}

/// A three-example batch with a non-identity W1: no value is a round number, and no
/// normalized activation is near the ReLU kink (checked below).
const MLP_VARIANT: &str = "  - batchnorm_mlp:
      X: [[1, 2], [-1, 0.5], [2, -1]]
      y: [1, 0, 1]
      W1: [[1, -0.5], [0.5, 1]]
      b1: [0.1, -0.2]
      W2: [[0.7, -1.2]]
      b2: [0.3]
      lr: 0.5
";

fn mlp_variant(mode: &str) -> (Value, Value) {
    let key = inline_key(&format!("{MLP_VARIANT}      batchnorm_backward: {mode}\n"));
    (key["params"].clone(), key["answers"].clone())
}

#[test]
fn batchnorm_mlp_2022_by_hand_coded_chain_rule() {
    let p = problem(super::common::key_2022(), "batchnorm_mlp");
    check_mlp_key(&p["params"], &p["answers"]);
}

#[test]
fn batchnorm_mlp_variant_by_hand_coded_chain_rule() {
    let (params, a) = mlp_variant("stats_constant");
    let f = Mlp::from_params(&params).forward();
    let nearest_kink = f
        .h_hat
        .iter()
        .flatten()
        .fold(f64::INFINITY, |m, v| m.min(v.abs()));
    assert!(nearest_kink > 1e-3, "the variant sits on a ReLU kink");
    check_mlp_key(&params, &a);
}

/// With statistics recomputed, finite differences give the full gradient; the key of a
/// `batchnorm_backward: full` spec must match them.
#[test]
fn batchnorm_full_backward_matches_finite_differences() {
    let (params, full) = mlp_variant("full");
    let m = Mlp::from_params(&params);
    let num_g = m.numeric_grads(1e-5);
    let tol = 1e-7;
    assert_mat_close(
        &mat_f64(&full["grad_W1"], "grad_W1"),
        &num_g.w1,
        tol,
        "full grad_W1",
    );
    assert_vec_close(
        &vec_f64(&full["grad_b1"], "grad_b1"),
        &num_g.b1,
        tol,
        "full grad_b1",
    );
    assert_vec_close(
        &mat_f64(&full["grad_W2"], "grad_W2")[0],
        &num_g.w2,
        tol,
        "full grad_W2",
    );
    assert_vec_close(
        &vec_f64(&full["grad_b2"], "grad_b2"),
        &[num_g.b2],
        tol,
        "full grad_b2",
    );

    // The check has teeth: the stats-constant gradient differs from the full one here.
    let (_, constant) = mlp_variant("stats_constant");
    let c = mat_f64(&constant["grad_W1"], "grad_W1");
    let biggest = c
        .iter()
        .flatten()
        .zip(num_g.w1.iter().flatten())
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(biggest > 1e-2, "stats-constant and full gradients coincide");
}

/// For the seed's two-example batch, ĥ = ±1 whatever W1 and b1 are, so the full gradient
/// with respect to them is 0 — unlike the stats-constant gradient of the exam.
#[test]
fn batchnorm_full_backward_of_the_seed_batch_is_zero_for_layer_one() {
    let seed = "  - batchnorm_mlp:
      X: [[1, 1], [-1, 3]]
      y: [1, 1]
      W1: [[1, 0], [0, 1]]
      b1: [0, 0]
      W2: [[1, 1]]
      b2: [-1]
      batchnorm_backward: full
";
    let a = inline_answers(seed);
    let m = Mlp::from_params(&problem(super::common::key_2022(), "batchnorm_mlp")["params"]);
    let num_g = m.numeric_grads(1e-5);
    assert_mat_close(
        &num_g.w1,
        &[vec![0.0; 2], vec![0.0; 2]],
        1e-8,
        "numeric grad_W1",
    );
    assert_mat_close(
        &mat_f64(&a["grad_W1"], "grad_W1"),
        &num_g.w1,
        1e-8,
        "full grad_W1",
    );
    assert_vec_close(
        &vec_f64(&a["grad_b1"], "grad_b1"),
        &num_g.b1,
        1e-8,
        "full grad_b1",
    );
    assert_vec_close(
        &mat_f64(&a["grad_W2"], "grad_W2")[0],
        &num_g.w2,
        1e-8,
        "full grad_W2",
    );
}

// ---------------------------------------------------------------------------------------
// Problem 3: the conv1d gradient in exact arithmetic, as coefficients of ln 2.

/// Forward and backward with rationals; returns (p, grad coefficients of ln(base)).
fn conv1d_exact(params: &Value) -> (Vec<Rat>, Vec<Vec<Rat>>) {
    let ints = |v: &Value, what: &str| -> Vec<Rat> {
        vec_f64(v, what).into_iter().map(Rat::dyadic).collect()
    };
    let x = ints(&params["x"], "x");
    let kernels: Vec<Vec<Rat>> = params["kernels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| ints(k, "kernels"))
        .collect();
    let w2: Vec<Vec<Rat>> = params["W2_units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| ints(r, "W2_units"))
        .collect();
    let b2 = ints(&params["b2_units"], "b2_units");
    let base = params["ln_base"].as_i64().unwrap();
    let y = params["y"].as_u64().unwrap() as usize;

    let m = kernels[0].len();
    let len = x.len() - m + 1;
    // Valid cross-correlation, ReLU, mean.
    let h1: Vec<Vec<Rat>> = kernels
        .iter()
        .map(|k| {
            (0..len)
                .map(|t| (0..m).fold(Rat::int(0), |acc, j| acc.add(x[t + j].mul(k[j]))))
                .collect()
        })
        .collect();
    let pooled: Vec<Rat> = h1
        .iter()
        .map(|row| {
            row.iter()
                .fold(Rat::int(0), |acc, v| {
                    acc.add(if v.n > 0 { *v } else { Rat::int(0) })
                })
                .div(Rat::int(len as i64))
        })
        .collect();
    // s = ln(base) · e with e integer, so softmax(s)_i = base^e_i / Σ base^e_j exactly.
    let e: Vec<Rat> = w2
        .iter()
        .zip(&b2)
        .map(|(row, b)| {
            row.iter()
                .zip(&pooled)
                .fold(*b, |acc, (w, h)| acc.add(w.mul(*h)))
        })
        .collect();
    assert!(
        e.iter().all(|v| v.d == 1),
        "logits {e:?} are not integer multiples of ln base"
    );
    let emin = e.iter().map(|v| v.n).min().unwrap();
    let weights: Vec<i64> = e.iter().map(|v| base.pow((v.n - emin) as u32)).collect();
    let total: i64 = weights.iter().sum();
    let p: Vec<Rat> = weights.iter().map(|&w| Rat::new(w, total)).collect();
    // ∂L/∂s = p − onehot(y) (rational); ∂L/∂h3 = ln(base) · W2_unitsᵀ ∂L/∂s.
    let ds: Vec<Rat> = p
        .iter()
        .enumerate()
        .map(|(i, &pi)| if i == y { pi.sub(Rat::int(1)) } else { pi })
        .collect();
    let grads = (0..kernels.len())
        .map(|k| {
            let d_pooled = w2
                .iter()
                .zip(&ds)
                .fold(Rat::int(0), |acc, (row, d)| acc.add(row[k].mul(*d)));
            let dh2 = d_pooled.div(Rat::int(len as i64));
            let dh1: Vec<Rat> = h1[k]
                .iter()
                .map(|v| if v.n > 0 { dh2 } else { Rat::int(0) })
                .collect();
            (0..m)
                .map(|j| (0..len).fold(Rat::int(0), |acc, t| acc.add(x[t + j].mul(dh1[t]))))
                .collect()
        })
        .collect();
    (p, grads)
}

#[test]
fn conv1d_gradient_in_exact_arithmetic() {
    let pr = problem(super::common::key_2022(), "conv1d");
    let (p, grads) = conv1d_exact(&pr["params"]);
    assert_eq!(p, [Rat::new(1, 3), Rat::new(2, 3)]);
    let hand = [[6, -1, 3], [-5, -1, -3]].map(|row| row.map(|v| Rat::new(v, 9)));
    assert_eq!(
        grads,
        hand.map(|r| r.to_vec()).to_vec(),
        "the seed's ln2/9 · [6, −1, 3], −ln2/9 · [5, 1, 3]"
    );
    let a = &pr["answers"];
    let p_f: Vec<f64> = p.iter().map(|r| r.to_f64()).collect();
    assert_vec_close(&vec_f64(&a["p"], "p"), &p_f, TOL, "p");
    assert_close(num(&a["loss"], "loss"), -p_f[1].ln(), TOL, "loss");
    let want: Vec<Vec<f64>> = grads
        .iter()
        .map(|row| row.iter().map(|c| c.to_f64() * LN_2).collect())
        .collect();
    assert_mat_close(
        &mat_f64(&a["grad_kernels"], "grad_kernels"),
        &want,
        TOL,
        "grad_kernels",
    );
}

#[test]
fn conv1d_variant_gradient_in_exact_arithmetic() {
    // Three kernels, three classes, a non-diagonal W2: pooled [2, 1, 2], logits
    // e = [4, 0, 3] (units of ln 2), so p = [16, 1, 8] / 25.
    let yaml = "  - conv1d:
      x: [3, -2, 1, 4, 0, -1]
      kernels:
        - [1, -1]
        - [0, 1]
        - [1, 1]
      ln_base: 2
      W2: [[1, 0, 1], [0, 1, -1], [1, 1, 0]]
      b2: [0, 1, 0]
      y: 2
";
    let key = inline_key(yaml);
    let (p, grads) = conv1d_exact(&key["params"]);
    assert_eq!(p, [Rat::new(16, 25), Rat::new(1, 25), Rat::new(8, 25)]);
    let p_f: Vec<f64> = p.iter().map(|r| r.to_f64()).collect();
    assert_vec_close(&vec_f64(&key["answers"]["p"], "p"), &p_f, TOL, "p");
    let want: Vec<Vec<f64>> = grads
        .iter()
        .map(|row| row.iter().map(|c| c.to_f64() * LN_2).collect())
        .collect();
    assert!(
        want.iter().flatten().any(|v| v.abs() > 1e-3),
        "a trivial variant"
    );
    assert_mat_close(
        &mat_f64(&key["answers"]["grad_kernels"], "grad_kernels"),
        &want,
        TOL,
        "grad_kernels",
    );
}

// ---------------------------------------------------------------------------------------
// Problem 2: retrieval AP from scratch, exactly.

struct Retrieval {
    sims: Vec<Rat>,
    ranking: Vec<usize>,
    precision: Vec<Rat>,
    recall: Vec<Rat>,
    ap: Rat,
}

fn retrieval_exact(params: &Value) -> Retrieval {
    let x = mat_f64(&params["X"], "X");
    let q = vec_f64(&params["query"], "query");
    let labels: Vec<i64> = params["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    let label = params["query_label"].as_i64().unwrap();
    assert_eq!(params["similarity"], "inverse_l1");
    let sims: Vec<Rat> = x
        .iter()
        .map(|row| {
            let d = row.iter().zip(&q).fold(Rat::int(0), |acc, (a, b)| {
                acc.add(Rat::dyadic(*a).sub(Rat::dyadic(*b)).abs())
            });
            Rat::int(1).div(d)
        })
        .collect();
    let mut ranking: Vec<usize> = (0..x.len()).collect();
    ranking.sort_by(|&a, &b| sims[b].cmp(sims[a]));
    let relevant_total = labels.iter().filter(|&&l| l == label).count() as i64;
    let (mut tp, mut fp) = (0i64, 0i64);
    let (mut precision, mut recall) = (Vec::new(), Vec::new());
    let mut ap = Rat::int(0);
    let mut previous_recall = Rat::int(0);
    for &i in &ranking {
        if labels[i] == label {
            tp += 1;
        } else {
            fp += 1;
        }
        let p = Rat::new(tp, tp + fp);
        let r = Rat::new(tp, relevant_total);
        ap = ap.add(r.sub(previous_recall).mul(p));
        previous_recall = r;
        precision.push(p);
        recall.push(r);
    }
    Retrieval {
        sims,
        ranking,
        precision,
        recall,
        ap,
    }
}

fn check_retrieval_key(params: &Value, a: &Value) -> Retrieval {
    let r = retrieval_exact(params);
    let f = |v: &[Rat]| v.iter().map(|x| x.to_f64()).collect::<Vec<f64>>();
    assert_vec_close(
        &vec_f64(&a["similarities"], "similarities"),
        &f(&r.sims),
        TOL,
        "similarities",
    );
    assert_eq!(a["ranking"], serde_json::json!(r.ranking), "ranking");
    assert_vec_close(
        &vec_f64(&a["precision"], "precision"),
        &f(&r.precision),
        TOL,
        "precision",
    );
    assert_vec_close(
        &vec_f64(&a["recall"], "recall"),
        &f(&r.recall),
        TOL,
        "recall",
    );
    assert_close(num(&a["ap"], "ap"), r.ap.to_f64(), TOL, "ap");
    assert_eq!(a["ap_fraction"], r.ap.to_string(), "ap_fraction");
    r
}

#[test]
fn retrieval_2022_from_scratch() {
    let pr = problem(super::common::key_2022(), "retrieval_ap");
    let r = check_retrieval_key(&pr["params"], &pr["answers"]);
    assert_eq!(r.ap, Rat::new(29, 36));
}

#[test]
fn retrieval_variant_from_scratch() {
    // Distances [1.5, 1, 2.5, 4, 3.5]; the nearest item is irrelevant, so P starts at 0.
    let yaml = "  - retrieval_ap:
      X: [[0, 0.5], [2, 1], [1, 3.5], [-1, -1], [4, 0.5]]
      y: [2, 1, 2, 2, 1]
      query: [1, 1]
      query_label: 2
";
    let key = inline_key(yaml);
    let r = check_retrieval_key(&key["params"], &key["answers"]);
    // By hand: 1/3 · 1/2 + 1/3 · 2/3 + 1/3 · 3/5 = 53/90.
    assert_eq!(r.ap, Rat::new(53, 90));
    assert_eq!(r.ranking, [1, 0, 2, 4, 3]);
}

// ---------------------------------------------------------------------------------------
// Problem 5: the bank account, simulated; the parameter count by formula.

/// The account as a bookkeeper would track it: [available, overdraft, flag] per step.
fn simulate_account(h0: &[f64], xs: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let (mut available, overdraft) = (h0[0], h0[1]);
    xs.iter()
        .map(|t| {
            available += t[0] - t[1];
            vec![available, overdraft, (available - overdraft).max(0.0)]
        })
        .collect()
}

/// The designed RNN run with plain loops: h ← ReLU(W_hh h + W_xh x + b_h).
fn run_design(a: &Value, h0: &[f64], xs: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let w_hh = mat_f64(&a["W_hh"], "W_hh");
    let w_xh = mat_f64(&a["W_xh"], "W_xh");
    let b_h = vec_f64(&a["b_h"], "b_h");
    let mut h = h0.to_vec();
    xs.iter()
        .map(|x| {
            h = (0..h.len())
                .map(|i| {
                    let z = (0..h.len()).map(|j| w_hh[i][j] * h[j]).sum::<f64>()
                        + (0..x.len()).map(|j| w_xh[i][j] * x[j]).sum::<f64>()
                        + b_h[i];
                    z.max(0.0)
                })
                .collect();
            h.clone()
        })
        .collect()
}

#[test]
fn rnn_2022_is_the_bank_account() {
    let pr = problem(super::common::key_2022(), "rnn_account");
    let h0 = vec_f64(&pr["params"]["h0"], "h0");
    let xs = mat_f64(&pr["params"]["xs"], "xs");
    let want = simulate_account(&h0, &xs);
    assert_mat_close(&mat_f64(&pr["answers"]["hs"], "hs"), &want, TOL, "hs");
    assert_mat_close(
        &run_design(&pr["answers"], &h0, &xs),
        &want,
        TOL,
        "the design",
    );
}

#[test]
fn rnn_variant_goes_into_minus_and_back() {
    let yaml = "  - rnn_account:
      h0: [3000, 1000, 2000]
      xs: [[0, 2500], [300, 0], [5000, 100], [0, 4000]]
      stack:
        cell: lstm
        layers: 2
        bias: 1
";
    let a = inline_answers(yaml);
    let h0 = [3000.0, 1000.0, 2000.0];
    let xs = vec![
        vec![0.0, 2500.0],
        vec![300.0, 0.0],
        vec![5000.0, 100.0],
        vec![0.0, 4000.0],
    ];
    let want = simulate_account(&h0, &xs);
    assert_eq!(want[0], [500.0, 1000.0, 0.0], "the hand simulation itself");
    assert_mat_close(&mat_f64(&a["hs"], "hs"), &want, TOL, "hs");
    assert_mat_close(&run_design(&a, &h0, &xs), &want, TOL, "the design");
}

/// Σ over layers and directions of gates · ((I_l + H)·H + bias·H), I_l = I for the
/// first layer and (directions · H) above it.
fn recurrent_params(
    gates: usize,
    layers: usize,
    i: usize,
    h: usize,
    bidir: bool,
    bias: usize,
) -> usize {
    let dirs = if bidir { 2 } else { 1 };
    (0..layers)
        .map(|l| {
            let input = if l == 0 { i } else { dirs * h };
            dirs * gates * ((input + h) * h + bias * h)
        })
        .sum()
}

#[test]
fn recurrent_parameter_counts_by_formula() {
    // The 2022 question: 2-layer LSTM, input 2, hidden 3, one bias per gate.
    assert_eq!(recurrent_params(4, 2, 2, 3, false, 1), 156);
    let a = answers("rnn_account");
    assert_eq!(a["stack_params"].as_u64(), Some(156));

    let cases: [(&str, usize, usize, usize, usize, bool, usize); 5] = [
        ("lstm", 4, 2, 2, 3, false, 2),
        ("gru", 3, 2, 10, 20, true, 2),
        ("rnn", 1, 1, 10, 20, false, 2),
        ("gru", 3, 3, 4, 5, false, 1),
        ("lstm", 4, 2, 3, 4, true, 1),
    ];
    for (cell, gates, layers, input, hidden, bidir, bias) in cases {
        let yaml = format!(
            "  - rnn_account:
      h0: [10000, 5000, 765]
      xs: [[1000, 0]]
      stack:
        cell: {cell}
        layers: {layers}
        input_size: {input}
        hidden_size: {hidden}
        bidirectional: {bidir}
        bias: {bias}
"
        );
        let a = inline_answers(&yaml);
        let want = recurrent_params(gates, layers, input, hidden, bidir, bias);
        assert_eq!(
            a["stack_params"].as_u64(),
            Some(want as u64),
            "{cell} layers={layers} I={input} H={hidden} bidirectional={bidir} bias={bias}"
        );
    }
    // PyTorch's own counts for two of them: nn.LSTM(2, 3, num_layers=2) has 180,
    // nn.GRU(10, 20, num_layers=2, bidirectional=True) has 11280.
    assert_eq!(recurrent_params(4, 2, 2, 3, false, 2), 180);
    assert_eq!(recurrent_params(3, 2, 10, 20, true, 2), 11280);
}
