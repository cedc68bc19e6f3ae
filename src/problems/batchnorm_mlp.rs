//! Problem 1: one SGD step of FC → batchnorm (no affine) → ReLU → FC → sigmoid with
//! binary cross-entropy on a small minibatch.
//!
//! Shapes: X is (n, d) with examples as rows, W1 (h, d), b1 (h), W2 (1, h), b2 (1).
//! The loss is the mean BCE over the minibatch; batch statistics are biased (divide by
//! n). As in the 2022 exam, the backward pass is done per example (each row of the
//! batch gradients is the gradient of that example's loss when the statistics are
//! treated as constants) and the update uses the mean of the per-example gradients.

use ndarray::{Array1, Array2, Axis};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{array1, array2, rows_json, vec_json};
use crate::draw::{broken, Constraint, DrawError, VariantRng};
use crate::engine::batchnorm::{
    batchnorm_backward, batchnorm_forward, BatchStats, BatchnormBackward,
};
use crate::engine::linear::{linear_backward, linear_forward};
use crate::engine::loss::{bce_grad_logit, binary_cross_entropy};
use crate::engine::relu::{relu, relu_mask};
use crate::engine::sgd::sgd_step;
use crate::engine::sigmoid::sigmoid_array;
use crate::spec::{rules, FieldError, Points};

pub const KIND: &str = "batchnorm_mlp";

/// The problem as written in a spec.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// Minibatch, one example per row.
    pub X: Vec<Vec<f64>>,
    /// Labels, 0 or 1, one per example.
    pub y: Vec<f64>,
    pub W1: Vec<Vec<f64>>,
    pub b1: Vec<f64>,
    /// The second layer's weights as a one-row matrix.
    pub W2: Vec<Vec<f64>>,
    /// The second layer's bias as a one-entry list.
    pub b2: Vec<f64>,
    #[serde(default = "one")]
    pub lr: f64,
    /// Added to the variance under the square root; the exam uses 0.
    #[serde(default)]
    pub eps: f64,
    /// How the backward pass treats the batch statistics.
    #[serde(default = "stats_constant")]
    pub batchnorm_backward: BatchnormBackward,
}

fn one() -> f64 {
    1.0
}

fn stats_constant() -> BatchnormBackward {
    BatchnormBackward::StatsConstant
}

/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub x: Array2<f64>,
    pub y: Array1<f64>,
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    pub w2: Array2<f64>,
    pub b2: Array1<f64>,
    pub lr: f64,
    pub eps: f64,
    pub backward: BatchnormBackward,
}

impl Spec {
    /// The sampler of this problem; for now every parameter is pinned.
    pub fn sampler(self) -> Result<Sampler, FieldError> {
        Ok(Sampler {
            fixed: self.check()?,
        })
    }

    fn check(self) -> Result<Params, FieldError> {
        let (n, d) = rules::matrix("X", &self.X)?;
        if n < 2 {
            return Err(FieldError::new(
                "X",
                "a minibatch for batch normalization needs at least two examples",
            ));
        }
        rules::length("y", &self.y, n, "one label per row of X")?;
        if let Some(i) = self.y.iter().position(|&v| v != 0.0 && v != 1.0) {
            return Err(FieldError::new(format!("y[{i}]"), "a label must be 0 or 1"));
        }
        let (h, d1) = rules::matrix("W1", &self.W1)?;
        if d1 != d {
            return Err(FieldError::new(
                "W1",
                format!("has {d1} columns but the examples in X have {d} features"),
            ));
        }
        rules::length("b1", &self.b1, h, "one bias per row of W1")?;
        let (o, h2) = rules::matrix("W2", &self.W2)?;
        if o != 1 || h2 != h {
            return Err(FieldError::new(
                "W2",
                format!("must be one row of {h} weights (W1 has {h} rows), e.g. [[1, 1]]"),
            ));
        }
        rules::length("b2", &self.b2, 1, "the output is one logit")?;
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(FieldError::new("lr", "the learning rate must be positive"));
        }
        if !(self.eps.is_finite() && self.eps >= 0.0) {
            return Err(FieldError::new("eps", "must be zero or positive"));
        }
        let x = array2(&self.X);
        let w1 = array2(&self.W1);
        let b1 = array1(&self.b1);
        let h1 = linear_forward(&x, &w1, &b1);
        let (_, stats) = batchnorm_forward(&h1, self.eps);
        if let Some(j) = stats.std.iter().position(|&s| s == 0.0) {
            return Err(FieldError::new(
                "X",
                format!(
                    "hidden unit {} has the same value for every example, so its batch variance is 0 \
                     and normalization divides by zero; change X or W1 (or set eps > 0)",
                    j + 1
                ),
            ));
        }
        Ok(Params {
            points: self.points,
            x,
            y: array1(&self.y),
            w1,
            b1,
            w2: array2(&self.W2),
            b2: array1(&self.b2),
            lr: self.lr,
            eps: self.eps,
            backward: self.batchnorm_backward,
        })
    }
}

/// The backward pass of one example, as the sheet shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleBackward {
    /// ∂L/∂s = p − y.
    pub ds: f64,
    /// ∂L/∂W2 (a row of h), ∂L/∂b2.
    pub dw2: Array1<f64>,
    pub db2: f64,
    /// ∂L/∂h2 = ds · W2.
    pub dh2: Array1<f64>,
    /// The ReLU derivative at ĥ1 (1 where ĥ1 > 0).
    pub relu_mask: Array1<f64>,
    /// ∂L/∂ĥ1.
    pub dh_hat: Array1<f64>,
    /// ∂L/∂h1.
    pub dh1: Array1<f64>,
    /// ∂L/∂W1 (h, d) and ∂L/∂b1.
    pub dw1: Array2<f64>,
    pub db1: Array1<f64>,
}

/// Every intermediate of the worked solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// h1 = W1 x + b1, one row per example.
    pub h1: Array2<f64>,
    pub stats: BatchStats,
    /// (h1 − μ)², one row per example (the terms of the biased variance).
    pub sq_dev: Array2<f64>,
    pub h_hat: Array2<f64>,
    pub h2: Array2<f64>,
    /// Logits and probabilities, one per example.
    pub s: Array1<f64>,
    pub p: Array1<f64>,
    /// Per-example BCE and their mean (the loss before the step).
    pub losses: Array1<f64>,
    pub loss: f64,
    pub backward: Vec<ExampleBackward>,
    /// Mean gradients over the minibatch.
    pub grad_w1: Array2<f64>,
    pub grad_b1: Array1<f64>,
    pub grad_w2: Array2<f64>,
    pub grad_b2: Array1<f64>,
    /// Parameters after one SGD step.
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    pub w2: Array2<f64>,
    pub b2: Array1<f64>,
}

pub fn solve(p: &Params) -> Solution {
    let n = p.x.nrows();
    let h1 = linear_forward(&p.x, &p.w1, &p.b1);
    let (h_hat, stats) = batchnorm_forward(&h1, p.eps);
    let sq_dev = (&h1 - &stats.mean).mapv(|v| v * v);
    let h2 = relu(&h_hat);
    let s2 = linear_forward(&h2, &p.w2, &p.b2);
    let s = s2.column(0).to_owned();
    let prob = sigmoid_array(&s);
    let losses = Array1::from_shape_fn(n, |i| binary_cross_entropy(prob[i], p.y[i]));
    let loss = losses.mean().unwrap_or(0.0);

    // Per-example chain down to ĥ1: each example's loss depends only on its own row.
    let ds = Array1::from_shape_fn(n, |i| bce_grad_logit(prob[i], p.y[i]));
    let ds2 = ds.clone().insert_axis(Axis(1));
    let mut dh_hat = Array2::zeros(h_hat.raw_dim());
    let mut top = Vec::with_capacity(n);
    for i in 0..n {
        let row = |a: &Array2<f64>| a.row(i).to_owned().insert_axis(Axis(0));
        let g2 = linear_backward(&row(&h2), &p.w2, &row(&ds2));
        let mask = relu_mask(&h_hat.row(i).to_owned());
        let dhh = &g2.dx.row(0) * &mask;
        dh_hat.row_mut(i).assign(&dhh);
        top.push((g2, mask, dhh));
    }
    let dh1 = batchnorm_backward(&h1, &stats, &dh_hat, p.backward);

    let mut backward = Vec::with_capacity(n);
    for (i, (g2, mask, dhh)) in top.into_iter().enumerate() {
        let row = |a: &Array2<f64>| a.row(i).to_owned().insert_axis(Axis(0));
        let g1 = linear_backward(&row(&p.x), &p.w1, &row(&dh1));
        backward.push(ExampleBackward {
            ds: ds[i],
            dw2: g2.dw.row(0).to_owned(),
            db2: g2.db[0],
            dh2: g2.dx.row(0).to_owned(),
            relu_mask: mask,
            dh_hat: dhh,
            dh1: dh1.row(i).to_owned(),
            dw1: g1.dw,
            db1: g1.db,
        });
    }

    let nf = n as f64;
    let grad_w1 = backward
        .iter()
        .fold(Array2::zeros(p.w1.raw_dim()), |a, b| a + &b.dw1)
        / nf;
    let grad_b1 = backward
        .iter()
        .fold(Array1::zeros(p.b1.len()), |a, b| a + &b.db1)
        / nf;
    let grad_w2 = backward
        .iter()
        .fold(Array1::zeros(p.w2.ncols()), |a, b| a + &b.dw2)
        .insert_axis(Axis(0))
        / nf;
    let grad_b2 = Array1::from_elem(1, backward.iter().map(|b| b.db2).sum::<f64>() / nf);

    Solution {
        w1: sgd_step(&p.w1, &grad_w1, p.lr),
        b1: sgd_step(&p.b1, &grad_b1, p.lr),
        w2: sgd_step(&p.w2, &grad_w2, p.lr),
        b2: sgd_step(&p.b2, &grad_b2, p.lr),
        h1,
        stats,
        sq_dev,
        h_hat,
        h2,
        s,
        p: prob,
        losses,
        loss,
        backward,
        grad_w1,
        grad_b1,
        grad_w2,
        grad_b2,
    }
}

/// Draws this problem's parameters (pinned ones are kept) under [`CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    fixed: Params,
}

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[];

impl Sampler {
    /// Whether every parameter is pinned (the draw then ignores the generator).
    pub fn is_fixed(&self) -> bool {
        true
    }

    /// One variant: parameters, their solution, and how many candidates it took.
    pub fn draw(&self, _rng: &mut VariantRng) -> Result<(Params, Solution, usize), DrawError> {
        let solution = solve(&self.fixed);
        match broken(&self.fixed, &solution, CONSTRAINTS).first() {
            Some(&constraint) => Err(DrawError {
                constraint,
                tries: 1,
            }),
            None => Ok((self.fixed.clone(), solution, 1)),
        }
    }
}

/// The key entry: (params, answers).
pub fn key(p: &Params, s: &Solution) -> (Value, Value) {
    let params = json!({
        "X": rows_json(&p.x),
        "y": vec_json(&p.y),
        "W1": rows_json(&p.w1),
        "b1": vec_json(&p.b1),
        "W2": rows_json(&p.w2),
        "b2": vec_json(&p.b2),
        "lr": p.lr,
        "eps": p.eps,
        "batchnorm_backward": p.backward,
    });
    let answers = json!({
        "h1": rows_json(&s.h1),
        "mu": vec_json(&s.stats.mean),
        "var": vec_json(&s.stats.var),
        "sigma": vec_json(&s.stats.std),
        "h_hat": rows_json(&s.h_hat),
        "s": vec_json(&s.s),
        "p": vec_json(&s.p),
        "loss": s.loss,
        "grad_W1": rows_json(&s.grad_w1),
        "grad_b1": vec_json(&s.grad_b1),
        "grad_W2": rows_json(&s.grad_w2),
        "grad_b2": vec_json(&s.grad_b2),
        "W1": rows_json(&s.w1),
        "b1": vec_json(&s.b1),
        "W2": rows_json(&s.w2),
        "b2": vec_json(&s.b2),
    });
    (params, answers)
}
