//! Backpropagation through time in a small ReLU RNN: three steps of
//! h⁽ᵗ⁾ = ReLU(W_hh h⁽ᵗ⁻¹⁾ + W_xh x⁽ᵗ⁾ + b_h) from a given h⁽⁰⁾, a loss on the last state
//! only (L = ½‖h⁽³⁾ − y‖² or L = vᵀh⁽³⁾), and everything backwards: ∂L/∂h⁽ᵗ⁾, the
//! per-step contributions to ∂L/∂W_hh, ∂L/∂W_xh (and ∂L/∂b_h) and their sums over time,
//! ∂L/∂h⁽⁰⁾, and the product of Jacobians ∂h⁽³⁾/∂h⁽⁰⁾ = D₃W_hh D₂W_hh D₁W_hh with the
//! question whether it vanishes or explodes over many steps.
//!
//! Shapes: hidden size H ∈ {1, 2}, input size 1 (so W_xh is (H, 1), written as a
//! vector), W_hh (H, H), h⁽⁰⁾, b_h, y, v (H), three inputs x⁽¹⁾..x⁽³⁾. Weights are
//! integers or simple fractions (½, 2), so every value on the sheet is an exact
//! fraction with a small denominator. W_hh is triangular, so its eigenvalues are its
//! diagonal and the spectral radius ρ = max |w_ii| decides: ρ < 1 vanishes, ρ > 1
//! explodes (when every unit stays active; an inactive ReLU only zeroes a row).
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: H (from `hidden_sizes`), the diagonal of W_hh (from `recurrent_diagonal`,
//! in order), for H = 2 which triangle holds the off-diagonal entry and that entry
//! (`weight_range`), W_xh (`weight_range`), whether there is a bias (from
//! `biases`) and b_h (`bias_range`), h⁽⁰⁾ (`state_range`), x⁽¹⁾..x⁽³⁾ (`input_range`),
//! the loss (from `losses`) and its y or v (`target_range`). A candidate that breaks a
//! constraint is rejected as a whole.
//!
//! The kind is split by stage: [`Spec`] and its checks in `spec`, the [`Sampler`] in
//! `sampler`, the constraints in `constraints`, the forward and backward passes in
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

pub use constraints::{CONSTRAINTS, SOME_RELU_INACTIVE};
pub use key::KEY_CSV;
pub use sampler::Sampler;
pub use solve::Regime;
pub use spec::{Draw, Spec};

pub const KIND: &str = "bptt_rnn";

/// The number of time steps: fixed, as the course's BPTT exercise has it.
pub const STEPS: usize = 3;

/// The bptt_rnn kind.
pub struct BpttRnn;

impl crate::problems::Kind for BpttRnn {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // Halves over three steps give eighths; with the ½ weight in the squared loss,
    // sixteenths are the most a sheet may ask. Integers stay near what two-digit mental
    // arithmetic handles, and the distinct fractions a 2×2 sheet shows stay a dozen.
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 16,
        max_integer: 40,
        max_fractions: 12,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: None,
        partly_pinned: (
            "      w_hh: [[0.5, 0], [1, 2]]\n      loss: linear\n      draw: {}\n",
            &[("w_hh", "[[0.5, 0.0], [1.0, 2.0]]"), ("loss", "\"linear\"")],
        ),
        broken: (
            "      w_hh: [[0.5]]\n      w_xh: [1]\n      bias: false\n      h0: [2]\n      \
             x: [-1, 2, 4]\n      loss: linear\n      v: [1]\n",
            "no_zero_preactivation",
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

    fn constraints(plan: &Sampler) -> Vec<crate::draw::Rejection<Params, Solution>> {
        let mut list = crate::draw::all(CONSTRAINTS);
        if plan.requires_inactive() {
            list.push(&SOME_RELU_INACTIVE);
        }
        list
    }
}

/// The loss on the last state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// L = ½‖h⁽³⁾ − y‖².
    Squared,
    /// L = vᵀh⁽³⁾.
    Linear,
}

impl Loss {
    /// The name of the loss's vector in a spec and the key: y or v.
    pub fn target_name(self) -> &'static str {
        match self {
            Loss::Squared => "y",
            Loss::Linear => "v",
        }
    }
}

/// One variant's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    /// (H, H), triangular.
    pub w_hh: Array2<f64>,
    /// (H): the one column of W_xh (the input has size 1).
    pub w_xh: Array1<f64>,
    /// (H), or None: no bias at all.
    pub b: Option<Array1<f64>>,
    /// (H).
    pub h0: Array1<f64>,
    /// x⁽¹⁾..x⁽³⁾, scalars.
    pub x: Vec<f64>,
    pub loss: Loss,
    /// y for the squared loss, v for the linear one (H).
    pub target: Array1<f64>,
}

impl Params {
    pub fn hidden(&self) -> usize {
        self.h0.len()
    }

    /// b_h, or zeros when there is no bias.
    pub fn bias_or_zero(&self) -> Array1<f64> {
        self.b.clone().unwrap_or_else(|| Array1::zeros(self.hidden()))
    }
}

/// Every value the worked solution shows. Row t of a (T, H) array belongs to step t + 1;
/// `grad_h` has T + 1 rows, row t being ∂L/∂h⁽ᵗ⁾ (row 0 is ∂L/∂h⁽⁰⁾).
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// a⁽ᵗ⁾ = W_hh h⁽ᵗ⁻¹⁾ + W_xh x⁽ᵗ⁾ + b_h, (T, H).
    pub pre: Array2<f64>,
    /// h⁽ᵗ⁾, (T, H).
    pub h: Array2<f64>,
    /// ReLU′(a⁽ᵗ⁾) (0 at 0), (T, H).
    pub relu_grad: Array2<f64>,
    pub loss: f64,
    /// ∂L/∂h⁽ᵗ⁾ for t = 0..T, (T + 1, H).
    pub grad_h: Array2<f64>,
    /// δ⁽ᵗ⁾ = ∂L/∂a⁽ᵗ⁾, (T, H).
    pub delta: Array2<f64>,
    /// δ⁽ᵗ⁾ h⁽ᵗ⁻¹⁾ᵀ per step, each (H, H).
    pub w_hh_terms: Vec<Array2<f64>>,
    /// δ⁽ᵗ⁾ x⁽ᵗ⁾ per step, (T, H).
    pub w_xh_terms: Array2<f64>,
    pub grad_w_hh: Array2<f64>,
    pub grad_w_xh: Array1<f64>,
    /// Σ δ⁽ᵗ⁾, None without a bias.
    pub grad_b: Option<Array1<f64>>,
    /// D_t W_hh per step, each (H, H).
    pub step_jacobians: Vec<Array2<f64>>,
    /// ∂h⁽ᵗ⁾/∂h⁽⁰⁾ for t = 1..T (the last is the answer), each (H, H).
    pub jacobians: Vec<Array2<f64>>,
    /// max |w_ii|: the spectral radius of a triangular W_hh.
    pub spectral_radius: f64,
}

impl Solution {
    /// ∂L/∂h⁽⁰⁾.
    pub fn grad_h0(&self) -> Array1<f64> {
        self.grad_h.row(0).to_owned()
    }

    /// ∂h⁽³⁾/∂h⁽⁰⁾.
    pub fn jacobian(&self) -> &Array2<f64> {
        self.jacobians.last().expect("three steps")
    }
}

/// Spec fixtures shared by the tests of the checks, the draws and the sheet.
#[cfg(test)]
mod fixtures {
    use super::Sampler;
    use crate::spec::FieldError;

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<super::BpttRnn>(yaml)
    }

    /// A fully pinned scalar variant worked by hand in `solve`'s tests: w = ½, u = 1,
    /// b = −1, h⁽⁰⁾ = 2, x = [2, −1, 3]; a = [2, −1, 2], h = [2, 0, 2]; L = ½(2 − 1)².
    pub(super) const SCALAR: &str = "w_hh: [[0.5]]\nw_xh: [1]\nb: [-1]\nh0: [2]\n\
                                     x: [2, -1, 3]\nloss: squared\ny: [1]\n";

    /// A fully pinned 2×2 variant (lower-triangular W_hh, no bias).
    pub(super) const PAIR: &str = "w_hh: [[0.5, 0], [1, 2]]\nw_xh: [1, -1]\nbias: false\n\
                                   h0: [2, 1]\nx: [2, 1, -1]\nloss: linear\nv: [1, 2]\n";
}
