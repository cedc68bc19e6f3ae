//! Problem 3: 1-D convolution (valid, stride 1, several kernels, no bias) → ReLU →
//! global average pooling → FC → softmax, with the gradient of the cross-entropy with
//! respect to the kernels.
//!
//! Shapes: x (n), kernels (c, m), conv outputs h1 (c, n − m + 1), pooled h3 (c),
//! W2 (k, c), b2 (k), logits s (k). W2 and b2 are integer multiples of ln(base) so that
//! the softmax probabilities are rationals (p_i ∝ base^{e_i}) and the gradients are
//! rational multiples of ln(base): the sheet can show every value exactly.

use ndarray::{Array1, Array2};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{array1, array2, rows_json, vec_json};
use crate::draw::{broken, Constraint, DrawError, VariantRng};
use crate::engine::conv1d::{conv1d_backward_kernels, conv1d_forward};
use crate::engine::linear::{linear_backward, linear_forward};
use crate::engine::loss::{cross_entropy, cross_entropy_grad_logits};
use crate::engine::pooling::{global_avg_pool, global_avg_pool_backward};
use crate::engine::relu::{relu, relu_backward, relu_mask};
use crate::engine::softmax::softmax;
use crate::spec::{rules, FieldError, Points};

pub const KIND: &str = "conv1d";

/// The problem as written in a spec.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// The input signal.
    pub x: Vec<f64>,
    /// The kernels, one per row, all of the same length.
    pub kernels: Vec<Vec<f64>>,
    /// W2 and b2 are given as integers in units of ln(ln_base).
    pub ln_base: u32,
    /// FC weights (classes × kernels), in units of ln(ln_base).
    pub W2: Vec<Vec<f64>>,
    /// FC bias (one per class), in units of ln(ln_base).
    pub b2: Vec<f64>,
    /// The true class, 0-based.
    pub y: usize,
}

/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub x: Array1<f64>,
    pub kernels: Array2<f64>,
    pub ln_base: u32,
    /// W2 and b2 in units of ln(ln_base), as written in the spec.
    pub w2_units: Array2<f64>,
    pub b2_units: Array1<f64>,
    pub y: usize,
}

impl Params {
    /// The actual FC weights, ln(base) · W2_units.
    pub fn w2(&self) -> Array2<f64> {
        &self.w2_units * f64::from(self.ln_base).ln()
    }

    /// The actual FC bias.
    pub fn b2(&self) -> Array1<f64> {
        &self.b2_units * f64::from(self.ln_base).ln()
    }
}

impl Spec {
    /// The sampler of this problem; for now every parameter is pinned.
    pub fn sampler(self) -> Result<Sampler, FieldError> {
        Ok(Sampler {
            fixed: self.check()?,
        })
    }

    fn check(self) -> Result<Params, FieldError> {
        rules::finite("x", &self.x)?;
        let (c, m) = rules::matrix("kernels", &self.kernels)?;
        if m > self.x.len() {
            return Err(FieldError::new(
                "kernels",
                format!(
                    "kernels of length {m} do not fit an input of length {} without padding",
                    self.x.len()
                ),
            ));
        }
        if self.ln_base < 2 {
            return Err(FieldError::new(
                "ln_base",
                "must be an integer of at least 2",
            ));
        }
        let (k, c2) = rules::matrix("W2", &self.W2)?;
        if c2 != c {
            return Err(FieldError::new(
                "W2",
                format!("needs one column per kernel ({c}), has {c2}"),
            ));
        }
        if k < 2 {
            return Err(FieldError::new("W2", "needs at least two rows (classes)"));
        }
        for (i, row) in self.W2.iter().enumerate() {
            rules::integers(&format!("W2[{i}]"), row)?;
        }
        rules::length("b2", &self.b2, k, "one bias per class (row of W2)")?;
        rules::integers("b2", &self.b2)?;
        if self.y >= k {
            return Err(FieldError::new(
                "y",
                format!("the class must be 0..{} (0-based, W2 has {k} rows)", k - 1),
            ));
        }
        Ok(Params {
            points: self.points,
            x: array1(&self.x),
            kernels: array2(&self.kernels),
            ln_base: self.ln_base,
            w2_units: array2(&self.W2),
            b2_units: array1(&self.b2),
            y: self.y,
        })
    }
}

/// Every intermediate of the worked solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Conv outputs, one row per kernel.
    pub h1: Array2<f64>,
    pub h2: Array2<f64>,
    pub pooled: Array1<f64>,
    pub s: Array1<f64>,
    pub p: Array1<f64>,
    pub loss: f64,
    /// ∂L/∂s = p − onehot(y).
    pub ds: Array1<f64>,
    /// ∂L/∂h3 = ∂L/∂s · W2.
    pub d_pooled: Array1<f64>,
    /// ∂L/∂h2 (one row per kernel), the ReLU mask, ∂L/∂h1.
    pub dh2: Array2<f64>,
    pub relu_mask: Array2<f64>,
    pub dh1: Array2<f64>,
    /// ∂L/∂w_k = x ⋆ ∂L/∂h1_k, one row per kernel.
    pub grad_kernels: Array2<f64>,
}

pub fn solve(p: &Params) -> Solution {
    let h1 = conv1d_forward(&p.x, &p.kernels);
    let h2 = relu(&h1);
    let pooled = global_avg_pool(&h2);
    let w2 = p.w2();
    let s = linear_forward(&pooled.clone().insert_axis(ndarray::Axis(0)), &w2, &p.b2())
        .row(0)
        .to_owned();
    let prob = softmax(&s);
    let loss = cross_entropy(&prob, p.y);
    let ds = cross_entropy_grad_logits(&prob, p.y);
    let fc = linear_backward(
        &pooled.clone().insert_axis(ndarray::Axis(0)),
        &w2,
        &ds.clone().insert_axis(ndarray::Axis(0)),
    );
    let d_pooled = fc.dx.row(0).to_owned();
    let dh2 = global_avg_pool_backward(&d_pooled, h2.ncols());
    let dh1 = relu_backward(&h1, &dh2);
    let grad_kernels = conv1d_backward_kernels(&p.x, &dh1);
    Solution {
        relu_mask: relu_mask(&h1),
        h1,
        h2,
        pooled,
        s,
        p: prob,
        loss,
        ds,
        d_pooled,
        dh2,
        dh1,
        grad_kernels,
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
        "x": vec_json(&p.x),
        "kernels": rows_json(&p.kernels),
        "W2": rows_json(&p.w2()),
        "b2": vec_json(&p.b2()),
        "ln_base": p.ln_base,
        "W2_units": rows_json(&p.w2_units),
        "b2_units": vec_json(&p.b2_units),
        "y": p.y,
    });
    let answers = json!({
        "h": rows_json(&s.h1),
        "relu": rows_json(&s.h2),
        "pooled": vec_json(&s.pooled),
        "s": vec_json(&s.s),
        "p": vec_json(&s.p),
        "loss": s.loss,
        "grad_s": vec_json(&s.ds),
        "grad_kernels": rows_json(&s.grad_kernels),
    });
    (params, answers)
}
