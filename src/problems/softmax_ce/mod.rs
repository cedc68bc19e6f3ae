//! Softmax and cross-entropy on their own: logits z ∈ R^K written as integer multiples of
//! ln b, the probabilities p = softmax(z), the loss L = −ln p_y and the gradient
//! ∂L/∂z = p − onehot(y), plus ∂L/∂e = ln b · ∂L/∂z for the exponents e = z / ln b.
//!
//! Shapes: logits (K), p (K), ∂L/∂z (K). Because e^{e_i ln b} = b^{e_i}, every
//! probability is a fraction b^{e_i} / Σ_j b^{e_j}, every gradient entry a fraction, and
//! the loss the logarithm of a fraction: the sheet shows each of them exactly.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: the number of classes K (uniform in `classes_range`), the exponents e
//! (uniform in `logit_range`, in order), `ln_base` (from `ln_bases`), then y (a uniform
//! class). A candidate that breaks a constraint is rejected as a whole.
//!
//! The kind is split by stage: [`Spec`] and its checks in `spec`, the [`Sampler`] in
//! `sampler`, the [`CONSTRAINTS`] in `constraints`, [`solve()`] in `solve`, the key entry
//! in `key` and the sheet's views in `render`.

mod carry;
mod constraints;
mod key;
pub mod render;
mod sampler;
mod solve;
mod spec;

use ndarray::Array1;

use crate::exact::Rational;
use crate::spec::Points;

pub use constraints::{CONSTRAINTS, MAX_PROBABILITY_DENOMINATOR};
pub use key::KEY_CSV;
pub use sampler::Sampler;

pub use spec::{Draw, Spec};

pub const KIND: &str = "softmax_ce";

/// The softmax_ce kind.
pub struct SoftmaxCe;

impl crate::problems::Kind for SoftmaxCe {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // Near the lecture's worked variant (p = [4, 1, 2, 8]/15: denominator 15, integers up
    // to 8, five fractions): the sum Σ b^{e_j − m} stays a small number added by hand.
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 24,
        max_integer: 24,
        max_fractions: 6,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: None,
        partly_pinned: (
            "      logits: [1, -1, 0, 2]\n      draw: {ln_bases: [2, 3]}\n",
            &[("logits", "[1, -1, 0, 2]")],
        ),
        broken: (
            "      logits: [1, 1, 1]\n      ln_base: 2\n      y: 0\n",
            "logits_not_all_equal",
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

/// One variant's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    /// The exponents e: the logits are z = ln(ln_base) · e.
    pub logits: Vec<i64>,
    pub ln_base: u32,
    /// The true class, 0-based.
    pub y: usize,
}

impl Params {
    /// The logits themselves, z = ln(ln_base) · e.
    pub fn z(&self) -> Array1<f64> {
        let ln_b = f64::from(self.ln_base).ln();
        self.logits.iter().map(|&e| e as f64 * ln_b).collect()
    }
}

/// Every value the worked solution shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// The engine's softmax of z.
    pub p: Array1<f64>,
    /// −ln p_y.
    pub loss: f64,
    /// ∂L/∂z = p − onehot(y).
    pub grad_z: Array1<f64>,
    /// ∂L/∂e = ln b · ∂L/∂z.
    pub grad_e: Array1<f64>,
    /// p as fractions b^{e_i} / Σ_j b^{e_j}; `None` when a power does not fit an i64 (a
    /// variant the constraints refuse).
    pub p_exact: Option<Vec<Rational>>,
}

impl Solution {
    /// ∂L/∂z exactly, from [`Solution::p_exact`].
    pub fn grad_z_exact(&self, y: usize) -> Option<Vec<Rational>> {
        let p = self.p_exact.as_ref()?;
        Some(
            p.iter()
                .enumerate()
                .map(|(i, &pi)| if i == y { pi - Rational::ONE } else { pi })
                .collect(),
        )
    }
}

/// Spec fixtures shared by the tests of the checks and of the draws.
#[cfg(test)]
mod fixtures {
    use super::Sampler;
    use crate::spec::FieldError;

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<crate::problems::softmax_ce::SoftmaxCe>(yaml)
    }

    /// A fully pinned variant: e = [1, -1, 0, 2] in units of ln 2, so b^{e−m} = [4, 1,
    /// 2, 8] and p = [4, 1, 2, 8]/15.
    pub(super) const PINNED: &str = "logits: [1, -1, 0, 2]\nln_base: 2\ny: 3\n";
}
