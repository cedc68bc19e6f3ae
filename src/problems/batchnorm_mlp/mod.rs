//! Problem 1: one SGD step of FC → batchnorm (no affine) → ReLU → FC → sigmoid with
//! binary cross-entropy on a small minibatch.
//!
//! Shapes: X is (n, d) with examples as rows, W1 (h, d), b1 (h), W2 (1, h), b2 (1).
//! The loss is the mean BCE over the minibatch; batch statistics are biased (divide by
//! n). As in the 2022 exam, the backward pass is done per example (each row of the
//! batch gradients is the gradient of that example's loss when the statistics are
//! treated as constants) and the update uses the mean of the per-example gradients.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]), constructively where it can be. The order of the draws is
//! part of the random-stream contract: W1 (row by row, uniform in `w1_range`), b1; then X:
//! when it has at least as many features as there are hidden units, for each hidden unit
//! a batch σ (from `sigmas`) and a centred column of h1 (a multiset of integers with that
//! biased σ, shuffled), then the features beyond the first h (uniform), and last the first
//! h features, solved from the centred columns through the h × h block of W1 and shifted
//! by a uniform offset into `x_range` (a candidate whose block has no integer solution is
//! rejected); with fewer features X is uniform. Then y (`labels`), and last W2 and b2:
//! with the exact sigmoid uniformly among all W2 in `w2_range` for which every example has
//! the same W2·h2 and −W2·h2 is an integer in `b2_range`, then the odds k (uniform in
//! `odds`) and for k > 1 a sign (uniform): b2 = −W2·h2 ± ln k, so every example has the
//! logit s = ±ln k and p = k/(k+1) or 1/(k+1) exactly (k = 1: s = 0, p = 1/2, as in
//! 2022); otherwise uniform in their ranges. A candidate that breaks a constraint is
//! rejected as a whole. The variants of a class thus differ in p, the loss and ∂L/∂s, not
//! only in the numbers before the sigmoid.
//!
//! The files, in the order of the pipeline: `spec.rs` reads the spec and checks its pins,
//! `knobs.rs` checks a `draw:` section against them, `sampler.rs` (the kind's `Kind`
//! impl) draws candidates under the properties in `constraints.rs` (with the exact
//! integer arithmetic of `integer.rs`), `solve.rs` works the step out and `key.rs` writes
//! the answer-key entry.

use ndarray::{Array1, Array2};

use crate::engine::batchnorm::BatchnormBackward;
use crate::exact::LnMultiple;
use crate::spec::Points;

mod carry;
mod constraints;
mod integer;
mod key;
mod knobs;
pub mod render;
mod sampler;
mod solve;
mod spec;
#[cfg(test)]
mod testing;

pub use constraints::CONSTRAINTS;
pub use integer::centred_columns;
pub use key::KEY_CSV;
pub use sampler::Sampler;
pub use solve::{ExampleBackward, Solution};
pub use spec::{Draw, LabelPattern, Labels, Spec};

pub const KIND: &str = "batchnorm_mlp";

/// The batchnorm_mlp kind.
pub struct BatchnormMlp;


/// What a spec with a `draw:` section promises for each of its variants, pinned parts
/// included. A spec without one is its author's: only well-posedness is checked, and the
/// sheet still refuses to print a value it cannot show exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct Promise {
    /// The allowed batch standard deviations (positive integers).
    pub sigmas: Vec<i64>,
    /// The allowed odds k of the shared logit ±ln k (1: s = 0).
    pub odds: Vec<i64>,
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
    /// The whole bias, its ln part included (what the engine computes with).
    pub b2: Array1<f64>,
    /// The part of b2 that is ±ln k (None: b2 is an integer, as every pinned b2). The
    /// sheet writes b2 and the logits with it exactly: b2 = (b2 − ln part) + ln part.
    pub b2_ln: Option<LnMultiple>,
    pub lr: f64,
    pub eps: f64,
    pub backward: BatchnormBackward,
    /// p is shown rounded to this many decimals (None: exactly).
    pub sigmoid_decimals: Option<u32>,
    /// Present when the spec has a `draw:` section.
    pub promise: Option<Promise>,
}
