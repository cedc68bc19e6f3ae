//! Batch normalisation with its full backward pass: the statistics μ and σ² are
//! functions of the batch, so the gradient flows through them too. One BatchNorm layer
//! in training mode, a batch X of N ≥ 3 examples with d ∈ {1, 2} features, the affine
//! parameters γ, β, an upstream gradient G = ∂L/∂Y given as integers, ε = 0; the sheet
//! asks μ, σ² (biased, the one that normalises), σ, X̂, Y, ∂L/∂X, ∂L/∂γ, ∂L/∂β, PyTorch's
//! running statistics after the step (momentum stated, running_var updated with the
//! unbiased variance), and why with N = 2 the input gradient vanishes.
//!
//! Shapes: X, X̂, Y, G, ∂L/∂X are (N, d), one example per row; μ, σ², σ, γ, β, the
//! running statistics and ∂L/∂γ, ∂L/∂β are (d). Every feature's column is drawn as a
//! mean plus a deviation vector with Σd = 0 and Σd²/N = σ² for an integer σ, so X̂ = d/σ
//! and everything after it is an exact fraction.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: N (`batch_range`), d (`features_range`); per feature σ (uniform among the
//! values of `sigma_range` that have a deviation vector), the deviation vector (uniform
//! among all of them within `deviation_range`) and the mean (`mean_range`); then γ, β
//! (per feature), G (row by row), the momentum (`momentums`), the initial running mean
//! and running variance (per feature). A candidate that breaks a constraint is rejected
//! as a whole.
//!
//! The kind is split by stage: [`Spec`] and its checks in `spec`, the [`Sampler`] in
//! `sampler` (the deviation vectors in `deviations`), the [`CONSTRAINTS`] in
//! `constraints`, the solve in `solve`, the key entry in `key` and the sheet's views in
//! `render`.

mod carry;
mod constraints;
mod deviations;
mod key;
pub mod render;
mod sampler;
mod solve;
mod spec;

use ndarray::{Array1, Array2};

use crate::engine::batchnorm::BatchStats;
use crate::spec::Points;

pub use constraints::CONSTRAINTS;
pub use key::KEY_CSV;
pub use sampler::Sampler;
pub use spec::{Draw, Spec};

pub const KIND: &str = "batchnorm_full";

/// The batchnorm_full kind.
pub struct BatchnormFull;

impl crate::problems::Kind for BatchnormFull {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // One feature of four examples by hand (σ = 3): x̂ and y in thirds, ∂L/∂X in 27ths or
    // 54ths at most, the running variance in tenths. The default draw's median sheet has
    // 14 different fractions, denominators up to 18 and numerators up to 36; the caps
    // keep 57% of the candidates.
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 54,
        max_integer: 96,
        max_fractions: 16,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: None,
        partly_pinned: (
            "      x: [[1], [3], [3], [9]]\n      gamma: [2]\n      draw: {}\n",
            &[("x", "[[1.0], [3.0], [3.0], [9.0]]"), ("gamma", "[2.0]")],
        ),
        broken: (
            "      x: [[1], [3], [3], [9]]\n      gamma: [2]\n      beta: [0]\n      \
             grad_y: [[1], [1], [1], [1]]\n      momentum: 0.1\n      running_mean: [0]\n      \
             running_var: [1]\n",
            "gradient_not_projected_out",
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
    /// The batch, (N, d): one example per row.
    pub x: Array2<f64>,
    /// γ and β, (d).
    pub gamma: Array1<f64>,
    pub beta: Array1<f64>,
    /// The upstream gradient G = ∂L/∂Y, (N, d).
    pub grad_y: Array2<f64>,
    /// PyTorch's momentum m: running ← (1 − m)·running + m·batch statistic.
    pub momentum: f64,
    /// The running statistics before the step, (d).
    pub running_mean: Array1<f64>,
    pub running_var: Array1<f64>,
}

/// Every value the worked solution shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// μ, σ² (biased) and σ = √σ² (ε = 0), (d).
    pub stats: BatchStats,
    /// X̂ = (X − μ)/σ, (N, d).
    pub x_hat: Array2<f64>,
    /// Y = γ X̂ + β, (N, d).
    pub y: Array2<f64>,
    /// ∂L/∂X̂ = γ G, (N, d).
    pub grad_x_hat: Array2<f64>,
    /// ∂L/∂X through μ and σ², (N, d).
    pub grad_x: Array2<f64>,
    /// ∂L/∂γ = Σ_n G ⊙ X̂, ∂L/∂β = Σ_n G, (d).
    pub grad_gamma: Array1<f64>,
    pub grad_beta: Array1<f64>,
    /// N/(N − 1)·σ², what PyTorch puts into running_var, (d).
    pub var_unbiased: Array1<f64>,
    /// The running statistics after the step, (d).
    pub running_mean: Array1<f64>,
    pub running_var: Array1<f64>,
}

/// Spec fixtures shared by the tests of the checks and of the draws.
#[cfg(test)]
mod fixtures {
    use super::Sampler;
    use crate::spec::FieldError;

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<super::BatchnormFull>(yaml)
    }

    /// A fully pinned variant worked by hand in `solve`'s tests: x = 4 + (−3, −1, −1, 5),
    /// so μ = 4, σ² = 9, σ = 3.
    pub(super) const PINNED: &str = "x: [[1], [3], [3], [9]]\ngamma: [2]\nbeta: [1]\n\
        grad_y: [[1], [0], [-1], [2]]\nmomentum: 0.1\nrunning_mean: [0]\nrunning_var: [1]\n";
}
