//! One step of an LSTM or a GRU cell (PyTorch's equations), with every gate exact.
//!
//! The input and the previous hidden state are integer multiples of ln b
//! (x = ln b · e_x, h_{t−1} = ln b · e_h), the weights are integers and the biases integer
//! multiples of ln b, so every gate pre-activation is n · ln b with an integer n, and
//!
//! ```text
//! σ(n ln b) = bⁿ / (bⁿ + 1),        tanh(n ln b) = (b²ⁿ − 1) / (b²ⁿ + 1)
//! ```
//!
//! are fractions. The GRU's candidate n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) has
//! the pre-activation (k + r·m) ln b with a fractional r; the constraint
//! `exact_candidate` keeps k + r·m a multiple of ½, where tanh(½·j ln b) = (bʲ − 1)/(bʲ + 1)
//! is again a fraction. So the LSTM's c_t is a fraction and the GRU's
//! h_t = (1 − z) ⊙ n + z ⊙ h_{t−1} is a fraction plus a fraction times ln b, both exact.
//!
//! The LSTM's h_t = o ⊙ tanh(c_t) is the one value that is not exact: tanh of a nonzero
//! fraction is transcendental. The sheet shows it as the exact product o · tanh(c_t) and
//! its value to four decimals (0 exactly when c_t = 0), and says so.
//!
//! The gradient asked is ∂L/∂x_t for L = Σ_j c_t[j] (LSTM; the tanh of h_t would make it
//! inexact) or L = Σ_j h_t[j] (GRU), plus ∂c_t/∂c_{t−1} = diag(f) for the LSTM. The gate
//! design part asks which limit values of the gates keep x_{t′} until step t.
//!
//! Randomized variants: the order of the draws is part of the random-stream contract:
//! cell, H, D, ln_base, e_x, e_h, c_{t−1} (LSTM), W_ih, W_hh, bias, b_hn (GRU); pinned
//! parameters are kept and take nothing from the stream. A candidate that breaks a
//! constraint is redrawn as a whole.
//!
//! The kind is split by stage: the spec and its checks in `spec`, the sampler in
//! `sampler`, the constraints in `constraints`, the cell's forward and backward pass in
//! `cell`, `solve`, the key entry in `key` and the sheet's views in `render`.

mod carry;
mod cell;
mod constraints;
mod key;
pub mod render;
mod sampler;
mod solve;
mod spec;

pub use crate::engine::param_count::Cell;
use crate::spec::Points;

pub use constraints::{CONSTRAINTS, MAX_PREACTIVATION};
pub use key::KEY_CSV;
pub use sampler::Sampler;
pub use spec::{Draw, Spec};

pub const KIND: &str = "gated_step";

/// The gated_step kind.
pub struct GatedStep;

impl crate::problems::Kind for GatedStep {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // Gates in thirds and fifths (σ(±ln 2), tanh(ln 2) = 3/5) make c_t a fraction in
    // fifteenths; the gradient multiplies σ′ = σ(1 − σ) by a gate value once more
    // (2/9 · 3/5, 2/3 · 16/25). The default draw's 90th percentile is a denominator of
    // 180 and numerators of 76; the limits cut its long tail (17² from tanh(2 ln 2),
    // sums of three such products) and keep every product a two-digit one.
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 225,
        max_integer: 120,
        max_fractions: 16,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: None,
        partly_pinned: (
            "      cell: gru\n      x: [1, -1]\n      draw: {hidden_range: [1, 1]}\n",
            &[("cell", "\"gru\""), ("x", "[1, -1]")],
        ),
        broken: (
            "      cell: lstm\n      ln_base: 2\n      x: [1]\n      h: [0]\n      c: [1]\n      \
             w_ih: [[3], [0], [0], [0]]\n      w_hh: [[0], [0], [0], [0]]\n      bias: [0, 0, 1, 0]\n",
            "preactivations_small",
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

/// The gates of a cell in PyTorch's order: (i, f, g, o) for the LSTM, (r, z, n) for the
/// GRU; the rows of `w_ih`, `w_hh` and `bias` are stacked in this order.
pub fn gate_names(cell: Cell) -> &'static [&'static str] {
    match cell {
        Cell::Gru => &["r", "z", "n"],
        _ => &["i", "f", "g", "o"],
    }
}

/// Whether gate `gate` of `cell` is squashed by tanh (LSTM's g, GRU's n) rather than σ.
pub fn is_tanh_gate(cell: Cell, gate: usize) -> bool {
    matches!((cell, gate), (Cell::Lstm, 2) | (Cell::Gru, 2))
}

/// A value a + c · ln b as its two parts (a, c), both exact fractions in f64.
pub type LnParts = (f64, f64);

/// Whether an engine value is 0 up to round-off (f·c + i·g can cancel to −5.6e−17): the
/// sheet then prints h_t = o · tanh(0) as an exact 0.
pub fn is_zero(v: f64) -> bool {
    v.abs() < 1e-12
}

/// One variant's parameters. Vectors in units of ln b hold the integers e (the value is
/// e · ln b).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    /// LSTM or GRU.
    pub cell: Cell,
    pub ln_base: u32,
    /// x_t in units of ln b (D entries).
    pub x: Vec<i64>,
    /// h_{t−1} in units of ln b (H entries).
    pub h: Vec<i64>,
    /// c_{t−1} (LSTM only, H integers; empty for the GRU).
    pub c: Vec<i64>,
    /// PyTorch's weight_ih_l0: the gates' input weights stacked (G·H × D).
    pub w_ih: Vec<Vec<i64>>,
    /// PyTorch's weight_hh_l0 (G·H × H).
    pub w_hh: Vec<Vec<i64>>,
    /// b_ih + b_hh in units of ln b (G·H); for the GRU's n rows only b_in.
    pub bias: Vec<i64>,
    /// The GRU's b_hn in units of ln b (H; empty for the LSTM): it stays inside r ⊙ (·).
    pub b_hn: Vec<i64>,
}

impl Params {
    pub fn hidden(&self) -> usize {
        self.h.len()
    }

    pub fn input(&self) -> usize {
        self.x.len()
    }

    pub fn ln_b(&self) -> f64 {
        f64::from(self.ln_base).ln()
    }

    /// Rows `gate·H ..` of a stacked matrix: one gate's block.
    pub fn block<'a>(&self, stacked: &'a [Vec<i64>], gate: usize) -> &'a [Vec<i64>] {
        let h = self.hidden();
        &stacked[gate * h..(gate + 1) * h]
    }

    /// One gate's bias entries (units of ln b).
    pub fn gate_bias(&self, gate: usize) -> &[i64] {
        let h = self.hidden();
        &self.bias[gate * h..(gate + 1) * h]
    }
}

/// Every value the worked solution shows; per-gate arrays are indexed [gate][unit].
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// The cell's forward and backward pass, in f64.
    pub step: cell::Step,
    /// W_{i·} e_x per gate (integers): the input part of each pre-activation.
    pub input_part: Vec<Vec<i64>>,
    /// W_{h·} e_h per gate (integers): the hidden part.
    pub hidden_part: Vec<Vec<i64>>,
    /// Each pre-activation in units of ln b (for the GRU's n, k + r·m).
    pub pre_units: Vec<Vec<f64>>,
    /// GRU: h_t = rational + coef · ln b, per unit (rational, coef); LSTM: empty.
    pub h_parts: Vec<LnParts>,
    /// ∂L/∂a per gate and unit as (rational, coef of ln b) (the LSTM's coefs are 0).
    pub grad_pre_parts: Vec<Vec<LnParts>>,
    /// ∂L/∂x = rational + coef · ln b, per input (the LSTM's coef is 0).
    pub grad_x_parts: Vec<LnParts>,
}

/// Spec fixtures shared by the unit tests.
#[cfg(test)]
mod fixtures {
    use super::Sampler;
    use crate::spec::FieldError;

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<super::GatedStep>(yaml)
    }

    /// A pinned LSTM step worked by hand: a_i = ln 2, a_f = 0, a_g = ln 2, a_o = −ln 2,
    /// so i = 2/3, f = 1/2, g = 3/5, o = 1/3 and c_t = 1/2 · 1 + 2/3 · 3/5 = 9/10.
    pub(super) const LSTM: &str = "cell: lstm\nln_base: 2\nx: [1]\nh: [1]\nc: [1]\n\
        w_ih: [[1], [0], [1], [-1]]\nw_hh: [[0], [-1], [1], [0]]\nbias: [0, 1, -1, 0]\n";

    /// A pinned GRU step: r = σ(0) = 1/2, z = σ(ln 2) = 2/3, k = 1, m = −1, so
    /// a_n = (1 − 1/2) ln 2 and n = tanh(½ ln 2) = 1/3; h_t = 1/3 · 1/3 + 2/3 · ln 2.
    pub(super) const GRU: &str = "cell: gru\nln_base: 2\nx: [1]\nh: [1]\n\
        w_ih: [[1], [1], [1]]\nw_hh: [[0], [0], [-1]]\nbias: [-1, 0, 0]\nb_hn: [0]\n";
}
