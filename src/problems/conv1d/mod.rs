//! Problem 3: 1-D convolution (valid, stride 1, several kernels, no bias) → ReLU →
//! global average pooling → FC → softmax, with the gradient of the cross-entropy with
//! respect to the kernels.
//!
//! Shapes: x (n), kernels (c, m), conv outputs h1 (c, n − m + 1), pooled h3 (c),
//! W2 (k, c), b2 (k), logits s (k). W2 and b2 are integer multiples of ln(base) so that
//! the softmax probabilities are rationals (p_i ∝ base^{e_i}) and the gradients are
//! rational multiples of ln(base): the sheet can show every value exactly.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: x (entries uniform in `x_range`); each kernel in turn (entries uniform in
//! `kernel_range`, redrawn until its feature map is clean: no conv output exactly 0, at
//! least one positive, a ReLU'd sum divisible by its length, different from the earlier
//! kernels, at least two non-zero entries, and for the last kernel a negative output if
//! none came before); `ln_base` (from `ln_bases`); `y` (uniform class); then W2 row by
//! row and b2 (uniform in their ranges, redrawn until the distinct logits are one unit
//! of ln b apart, the probabilities are readable and every kernel gets a gradient). A
//! candidate that still breaks a constraint (e.g. the hand-work budget) is rejected as a
//! whole.
//!
//! The module is split by stage: [`Spec`] and its validation in `spec`, the [`Sampler`]
//! and its draws (the kind's `Kind` impl) in `sampler`, the [`CONSTRAINTS`] in
//! `constraints`, the exact softmax arithmetic they share in `exact`, [`solve()`] in
//! `solve` and the key entry in `key`.

mod carry;
mod constraints;
mod exact;
mod key;
pub mod render;
mod sampler;
mod solve;
mod spec;

use ndarray::{Array1, Array2};

use crate::spec::Points;

pub use constraints::{CONSTRAINTS, MAX_PROBABILITY_DENOMINATOR};
pub use key::KEY_CSV;
pub use sampler::Sampler;

pub use spec::{Draw, Spec};

pub const KIND: &str = "conv1d";

/// The conv1d kind.
pub struct Conv1d;


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

/// Spec fixtures shared by the tests of the validation and of the draws.
#[cfg(test)]
mod fixtures {
    use super::{Sampler, Spec};
    use crate::spec::FieldError;

    fn spec(yaml: &str) -> Spec {
        serde_yaml::from_str(yaml).expect("valid YAML")
    }

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        Sampler::try_from(spec(yaml))
    }

    pub(super) const Y2022: &str = "x: [4, -1, 2, 0, 1]
kernels: [[1, 0, -1], [1, 1, -1]]
ln_base: 2
W2: [[1, 0], [0, 1]]
b2: [0, 1]
y: 1
";
}
