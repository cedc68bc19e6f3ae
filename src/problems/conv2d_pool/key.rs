//! The conv2d_pool entry of key.json: every parameter (the geometry included) and every
//! answer a grader checks, 0-based, matrices as arrays of rows, channels as arrays of
//! matrices.

use serde::Serialize;

use super::{Params, Solution};
use crate::problems::kind::AnswersOf;
use crate::problems::{KeyCsv, Rows};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &[],
    answers: &["pooled", "grad_kernel", "grad_bias", "grad_image"],
};

fn channels(m: &[ndarray::Array2<f64>]) -> Vec<Rows> {
    m.iter().map(|c| Rows(c.clone())).collect()
}

/// The key's `params`: everything needed to recompute every answer.
#[derive(Serialize)]
pub struct KeyParams {
    image: Vec<Rows>,
    kernel: Vec<Rows>,
    bias: f64,
    stride: usize,
    padding: usize,
    pool_size: usize,
    pool_stride: usize,
    /// G = ∂L/∂M.
    upstream: Rows,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    /// Z = X ⋆ K + b.
    z: Rows,
    /// ReLU(Z).
    relu: Rows,
    pooled: Rows,
    /// Per pooling window (row-major), the [row, column] of its maximum in Z.
    argmax: Vec<[usize; 2]>,
    /// L = Σ G ⊙ M.
    loss: f64,
    grad_z: Rows,
    grad_kernel: Vec<Rows>,
    grad_bias: f64,
    grad_image: Vec<Rows>,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            image: channels(&p.image),
            kernel: channels(&p.kernel),
            bias: p.bias,
            stride: p.stride,
            padding: p.padding,
            pool_size: p.pool,
            pool_stride: p.pool_stride,
            upstream: Rows(p.upstream.clone()),
        }
    }
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(_: &Params, s: &Solution) -> Self {
        Answers {
            z: Rows(s.z.clone()),
            relu: Rows(s.a.clone()),
            pooled: Rows(s.pooled.clone()),
            argmax: s.windows.iter().map(|w| [w.argmax.0, w.argmax.1]).collect(),
            loss: s.loss,
            grad_z: Rows(s.grad_z.clone()),
            grad_kernel: channels(&s.grad_kernel),
            grad_bias: s.grad_bias,
            grad_image: channels(&s.grad_image),
        }
    }
}
