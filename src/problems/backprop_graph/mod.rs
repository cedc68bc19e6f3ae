//! Backpropagation through a small computational graph: a 2-2-K MLP
//! (z = W1 x + b1, h = ReLU(z), s = W2 h + b2) with a squared-error loss (K = 1,
//! L = ½(s − y)²) or the multiclass hinge loss (K = 2 to 4,
//! L = Σ_{j≠y} max(0, s_j − s_y + 1)), worked as a table of node values, local
//! gradients and upstream gradients ∂L/∂node, then the parameter gradients.
//!
//! Every parameter is an integer, so every value and every gradient on the sheet is an
//! integer (the squared error's L may be a half): the problem is about the graph and the
//! chain rule, not about arithmetic. The drawn variants route the gradient: exactly one
//! hidden unit is inactive, so a student must see that its row of W1 gets no gradient.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: the loss (from `losses`), x, W1 (row by row), b1, W2 (row by row), b2, then
//! y (a target in `target_range` for the squared error, a uniform class for the hinge
//! loss). A candidate that breaks a constraint is rejected as a whole.
//!
//! The kind is split by stage: [`Spec`] and its checks in `spec`, the [`Sampler`] in
//! `sampler`, the constraints in `constraints`, the forward and backward pass in
//! `solve`, the key entry in `key` and the sheet's views in `render`.

mod carry;
mod constraints;
mod key;
pub mod render;
mod sampler;
mod solve;
mod spec;

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::spec::Points;

pub use key::KEY_CSV;
pub use sampler::Sampler;
pub use spec::{Draw, Spec};

pub const KIND: &str = "backprop_graph";

/// The backprop_graph kind.
pub struct BackpropGraph;

impl crate::problems::Kind for BackpropGraph {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // Integers a student multiplies and adds in the head: the largest is the squared
    // error's L = e²/2 (e up to 10) or a first-layer gradient; no fractions but L's half.
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 2,
        max_integer: 50,
        max_fractions: 1,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: None,
        partly_pinned: (
            "      loss: hinge\n      x: [1, 2]\n      draw: {}\n",
            &[("x", "[1.0, 2.0]"), ("loss", "\"hinge\"")],
        ),
        broken: (
            "      loss: mse\n      x: [1, 1]\n      W1: [[1, -1], [2, 0]]\n      b1: [0, 1]\n      W2: [[1, 1]]\n      b2: [0]\n      y: 3\n",
            "no_relu_kink",
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
        plan.candidate(rng)
    }

    fn constraints(plan: &Sampler) -> Vec<crate::draw::Rejection<Params, Solution>> {
        constraints::of(plan)
    }
}

/// The loss on the scores s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// L = ½(s − y)² on one score, y a target value.
    Mse,
    /// L = Σ_{j≠y} max(0, s_j − s_y + 1), y the correct class.
    Hinge,
}

/// One variant's parameters (all integers, held as f64 for the engine).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub loss: Loss,
    /// The input, 2 entries.
    pub x: Array1<f64>,
    /// 2×2: row i holds hidden unit i's weights.
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    /// K×2: one row per score (K = 1 for the squared error).
    pub w2: Array2<f64>,
    pub b2: Array1<f64>,
    /// The target (squared error) or the correct class, 0-based (hinge).
    pub y: i64,
}

impl Params {
    /// The number of scores K.
    pub fn scores(&self) -> usize {
        self.w2.nrows()
    }
}

/// Every value the worked solution shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    pub z: Array1<f64>,
    /// ReLU′(z): 1 where the unit is active, 0 where not (and at 0).
    pub relu_grad: Array1<f64>,
    pub h: Array1<f64>,
    pub s: Array1<f64>,
    /// The hinge loss's margins s_j − s_y + 1 (0 at j = y); the squared error's one
    /// entry is the error s − y.
    pub margins: Array1<f64>,
    pub loss: f64,
    pub grad_s: Array1<f64>,
    pub grad_w2: Array2<f64>,
    pub grad_b2: Array1<f64>,
    pub grad_h: Array1<f64>,
    pub grad_z: Array1<f64>,
    pub grad_w1: Array2<f64>,
    pub grad_b1: Array1<f64>,
    pub grad_x: Array1<f64>,
}

/// Spec fixtures shared by the tests of the checks and of the draws.
#[cfg(test)]
mod fixtures {
    use super::Sampler;
    use crate::spec::FieldError;

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<super::BackpropGraph>(yaml)
    }

    /// A worked squared-error variant: z = [3, −1], h = [3, 0], s = 7, e = 4, L = 8.
    pub(super) const PINNED_MSE: &str = "loss: mse\nx: [1, 2]\nW1: [[1, 1], [1, -1]]\nb1: [0, 0]\nW2: [[2, 1]]\nb2: [1]\ny: 3\n";

    /// A worked hinge variant: z = [3, −1], h = [3, 0], s = [6, 4, −2], y = 1: margins
    /// [3, 0, −5] (j = y not counted), L = 3.
    pub(super) const PINNED_HINGE: &str = "loss: hinge\nx: [1, 2]\nW1: [[1, 1], [1, -1]]\nb1: [0, 0]\nW2: [[2, 0], [1, 1], [-1, 2]]\nb2: [0, 1, 1]\ny: 1\n";
}
