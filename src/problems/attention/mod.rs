//! Scaled dot-product attention, one head: queries Q, keys K and values V, one per row
//! (PyTorch's `scaled_dot_product_attention` convention), the scores S = QKᵀ/√d_k, the
//! weights A = softmax(S) row by row (over the keys), optionally under a causal mask, the
//! output O = AV, and the gradient ∂L/∂V = AᵀG of the loss L = Σ G ⊙ O.
//!
//! Shapes: Q, K (n × d_k), V, G, O, ∂L/∂V (n × d_v), S and A (n × n). Q is integer and K
//! is written in units of ln b (K = ln b · K̃), and every entry of QK̃ᵀ is a multiple of
//! √d_k, so every score is an integer multiple of ln b: e^{S_ij} = b^{E_ij}, each row of
//! A is a fraction b^{E_ij} / Σ_j b^{E_ij} (a masked score is −∞ and its weight exactly
//! 0), and O and ∂L/∂V are fractions too. The sheet shows each of them exactly.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: n, d_k, d_v, Q, K̃, V, G, ln_base, causal, then the concept question. A
//! candidate that breaks a constraint is rejected as a whole.
//!
//! The kind is split by stage: [`Spec`] and its checks in `spec`, the [`Sampler`] in
//! `sampler`, the [`CONSTRAINTS`] in `constraints`, the forward and backward pass in
//! `solve`, the key entry in `key` and the sheet's views in `render`.

mod carry;
mod constraints;
mod key;
pub mod render;
mod sampler;
mod solve;
mod spec;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::exact::Rational;
use crate::spec::Points;

pub use constraints::{CONSTRAINTS, MAX_WEIGHT_DENOMINATOR};
pub use key::KEY_CSV;
pub use sampler::Sampler;
pub use spec::{Draw, Spec};

pub const KIND: &str = "attention";

/// The attention kind.
pub struct Attention;

impl crate::problems::Kind for Attention {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // Rows of three weights such as [4, 1, 2]/7, and O and ∂L/∂V as sums of such
    // fractions: a row sum (and the common denominator of two rows in ∂L/∂V) stays a
    // number one adds and multiplies by hand.
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 24,
        max_integer: 24,
        max_fractions: 16,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: None,
        partly_pinned: (
            "      V: [[1, 0], [0, 1], [1, 1]]\n      causal: true\n      draw: {}\n",
            &[("V", "[[1, 0], [0, 1], [1, 1]]"), ("causal", "true")],
        ),
        broken: (
            "      Q: [[1], [1]]\n      K: [[1], [1]]\n      V: [[1], [2]]\n      G: [[1], [0]]\n      ln_base: 2\n      causal: false\n      concept: scaling\n",
            "no_uniform_row",
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

/// The conceptual sub-question a variant asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Concept {
    /// Why the scores are divided by √d_k.
    Scaling,
    /// What the causal mask does to the first query (needs the mask).
    Mask,
    /// Which key each query attends to most.
    Strongest,
}

/// One variant's parameters (matrices as rows of integers).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    /// The queries, one per row (n × d_k).
    pub q: Vec<Vec<i64>>,
    /// The keys in units of ln b, one per row (n × d_k): K = ln b · K̃.
    pub k: Vec<Vec<i64>>,
    /// The values, one per row (n × d_v).
    pub v: Vec<Vec<i64>>,
    /// The upstream gradient G = ∂L/∂O of L = Σ G ⊙ O (n × d_v).
    pub g: Vec<Vec<i64>>,
    pub ln_base: u32,
    /// Whether query i sees only the keys j ≤ i.
    pub causal: bool,
    pub concept: Concept,
}

impl Params {
    /// The sequence length n.
    pub fn n(&self) -> usize {
        self.q.len()
    }

    /// The key dimension d_k.
    pub fn d_k(&self) -> usize {
        self.q.first().map_or(0, Vec::len)
    }

    /// √d_k, an integer (d_k is 1 or 4).
    pub fn sqrt_d_k(&self) -> i64 {
        (self.d_k() as f64).sqrt().round() as i64
    }

    /// Whether query i sees key j.
    pub fn visible(&self, i: usize, j: usize) -> bool {
        !self.causal || j <= i
    }

    /// The keys themselves, K = ln b · K̃.
    pub fn keys(&self) -> Array2<f64> {
        let ln_b = f64::from(self.ln_base).ln();
        crate::problems::array2(&floats(&self.k)).mapv(|x| x * ln_b)
    }
}

/// Integer rows as f64 rows.
pub(crate) fn floats(rows: &[Vec<i64>]) -> Vec<Vec<f64>> {
    rows.iter()
        .map(|r| r.iter().map(|&x| x as f64).collect())
        .collect()
}

/// Every value the worked solution shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// QK̃ᵀ, integers (n × n).
    pub qk: Vec<Vec<i64>>,
    /// The scores in units of ln b, E = QK̃ᵀ/√d_k; `None` where masked, or where the
    /// division leaves a remainder (a variant the constraints refuse).
    pub exponents: Vec<Vec<Option<i64>>>,
    /// The scores S = QKᵀ/√d_k (−∞ where masked).
    pub scores: Array2<f64>,
    /// The weights A = softmax(S) by rows, through the engine.
    pub weights: Array2<f64>,
    /// A exactly, row by row; `None` for a row whose powers do not fit an i64 or whose
    /// scores are not whole multiples of ln b.
    pub weights_exact: Vec<Option<Vec<Rational>>>,
    /// O = AV.
    pub output: Array2<f64>,
    /// ∂L/∂V = AᵀG.
    pub grad_v: Array2<f64>,
}

/// Spec fixtures shared by the tests of the checks and of the draws.
#[cfg(test)]
mod fixtures {
    use super::Sampler;
    use crate::spec::FieldError;

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<super::Attention>(yaml)
    }

    /// A fully pinned variant worked by hand (d_k = 4, so QK̃ᵀ is halved):
    /// QK̃ᵀ = [[2, 0, -2], [0, 2, 0], [0, -2, -2]], E = [[1, 0, -1], [0, 1, 0], [0, -1, -1]],
    /// so A = [[4, 2, 1]/7, [1, 2, 1]/4, [2, 1, 1]/4], O = [[5/7, 3/7], [1/2, 3/4],
    /// [3/4, 1/2]] and ∂L/∂V = [[4/7, 1/4], [2/7, 1/2], [1/7, 1/4]].
    pub(super) const PINNED: &str = "Q: [[1, 1, 1, 1], [1, -1, 1, -1], [-1, 1, 1, 1]]
K: [[1, 1, 0, 0], [1, 0, 0, -1], [0, 0, -1, -1]]
V: [[1, 0], [0, 1], [1, 1]]
G: [[1, 0], [0, 1], [0, 0]]
ln_base: 2
causal: false
concept: scaling
";
}
