//! Conv2d → ReLU → max-pool, forward and backward, on a small integer image: the
//! conv output Z = X ⋆ K + b (cross-correlation as in PyTorch, zero padding P, stride S),
//! A = ReLU(Z), the max-pooled M (Q × Q windows, stride S_p), and from a given upstream
//! gradient G = ∂L/∂M (so L = Σ G ⊙ M) the gradient routed through the pool (to each
//! window's maximum) and the ReLU, then ∂L/∂K, ∂L/∂b and ∂L/∂X.
//!
//! Shapes: X is C × H × W (C = 1 or 2 channels), K is C × K × K (one output channel),
//! b a scalar, Z and A O_h × O_w with O = (H + 2P − K)/S + 1, M and G
//! ((O − Q)/S_p + 1) per axis. Every division is exact (the spec refuses the others), every
//! value an integer, and no pooling window has two maxima, so the hand work is additions
//! and the gradient's route is unambiguous.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: the geometry (uniform over the geometries the knobs allow, listed when the
//! spec is read), then X (row-major, channel by channel), K, b and G, each entry uniform
//! in its range. A candidate that breaks a constraint is rejected as a whole.
//!
//! The kind is split by stage: [`Spec`] and its checks in `spec`, the geometry in
//! `shape`, the [`Sampler`] in `sampler`, the [`CONSTRAINTS`] in `constraints`, the layers
//! (forward and backward side by side) in `layers`, `solve` in `solve`, the key entry in
//! `key` and the sheet's views in `render`.

mod carry;
mod constraints;
mod key;
pub mod layers;
pub mod render;
mod sampler;
pub mod shape;
mod solve;
mod spec;

use ndarray::Array2;

use crate::spec::Points;

pub use constraints::CONSTRAINTS;
pub use key::KEY_CSV;
pub use sampler::Sampler;
pub use shape::Shape;
pub use spec::{Draw, Spec};

pub const KIND: &str = "conv2d_pool";

/// The conv2d_pool kind.
pub struct Conv2dPool;

impl crate::problems::Kind for Conv2dPool {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // Integers only. The largest are the conv outputs and the entries of ∂L/∂K (a sum of
    // four products g·x at the default sizes); 30 keeps each an addition of small
    // products done in the head.
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 1,
        max_integer: 30,
        max_fractions: 0,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: None,
        partly_pinned: (
            "      kernel: [[[1, -1], [2, 0]]]\n      bias: -1\n      draw: {}\n",
            &[("kernel", "[[[1.0, -1.0], [2.0, 0.0]]]"), ("bias", "-1.0")],
        ),
        broken: (
            "      image: [[[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], \
             [1, 1, 1, 1, 1]]]\n      kernel: [[[1, 0], [0, 1]]]\n      bias: 0\n      \
             upstream: [[1, 2], [3, 4]]\n",
            "no_ties_in_pooling",
        ),
    };
    type Spec = Spec;
    type Plan = Sampler;
    type Params = Params;
    type Solution = Solution;
    type KeyParams = key::KeyParams;
    type Answers = key::Answers;
    type Question = render::Question;
    type Worked = render::SolutionSheet;

    fn pinned(plan: &Sampler) -> Option<Params> {
        plan.fixed()
    }

    fn candidate(
        plan: &Sampler,
        rng: &mut crate::draw::VariantRng,
    ) -> crate::draw::Candidate<Params, Solution> {
        Ok(plan.candidate(rng))
    }

    fn constraints(_plan: &Sampler) -> Vec<crate::draw::Rejection<Params, Solution>> {
        crate::draw::all(CONSTRAINTS)
    }
}

/// One variant's parameters: integers throughout (held as f64 for the layers).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    /// X, one H × W matrix per input channel.
    pub image: Vec<Array2<f64>>,
    /// K, one K × K matrix per input channel (one output channel).
    pub kernel: Vec<Array2<f64>>,
    pub bias: f64,
    pub stride: usize,
    pub padding: usize,
    pub pool: usize,
    pub pool_stride: usize,
    /// G = ∂L/∂M, the shape of the pooled output.
    pub upstream: Array2<f64>,
}

impl Params {
    pub fn shape(&self) -> Shape {
        let (height, width) = self.image[0].dim();
        Shape {
            channels: self.image.len(),
            height,
            width,
            kernel: self.kernel[0].nrows(),
            stride: self.stride,
            padding: self.padding,
            pool: self.pool,
            pool_stride: self.pool_stride,
        }
    }
}

/// Every value the worked solution shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// X with P zeros on every side, per channel.
    pub padded: Vec<Array2<f64>>,
    /// Z = X ⋆ K + b.
    pub z: Array2<f64>,
    /// A = ReLU(Z).
    pub a: Array2<f64>,
    /// The pooling windows and where their maxima are.
    pub windows: Vec<layers::Window>,
    /// M = maxpool(A).
    pub pooled: Array2<f64>,
    /// L = Σ G ⊙ M.
    pub loss: f64,
    /// ∂L/∂A: G routed to each window's maximum.
    pub grad_a: Array2<f64>,
    /// ReLU′(Z), with ReLU′(0) = 0.
    pub relu_mask: Array2<f64>,
    /// ∂L/∂Z = ∂L/∂A ⊙ ReLU′(Z).
    pub grad_z: Array2<f64>,
    pub grad_kernel: Vec<Array2<f64>>,
    pub grad_bias: f64,
    /// ∂L/∂(padded X), per channel, before the padding is cut off.
    pub grad_padded: Vec<Array2<f64>>,
    pub grad_image: Vec<Array2<f64>>,
}

/// Spec fixtures shared by the tests of the checks, the draws and the sheet.
#[cfg(test)]
mod fixtures {
    use super::Sampler;
    use crate::spec::FieldError;

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<super::Conv2dPool>(yaml)
    }

    /// A fully pinned variant worked by hand: 5 × 5 image, 2 × 2 kernel, no padding,
    /// stride 1, 2 × 2 max-pool with stride 2.
    ///
    /// Z = [[1, 5, −2, 1], [6, 0, 6, 1], [−2, 5, 5, 1], [6, −1, 2, 7]]; the maxima of the
    /// four windows are 6 at (1, 0), 6 at (1, 2), 6 at (3, 0) and 7 at (3, 3) (0-based),
    /// so ∂L/∂K = [[7, 9], [−7, −3]], ∂L/∂b = 5.
    pub(super) const PINNED: &str = "image:\n  - [[1, 0, 2, -1, 0], [2, 1, 0, 3, -1], \
         [0, -1, 2, 1, 1], [3, 1, -1, 0, 3], [1, 0, 1, -2, 0]]\nkernel: [[[1, 2], [0, -1]]]\n\
         bias: 1\nupstream: [[2, -1], [1, 3]]\n";
}
