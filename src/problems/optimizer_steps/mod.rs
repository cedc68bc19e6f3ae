//! A few steps of one optimiser by hand: SGD with momentum, Nesterov, Adam with bias
//! correction, or AdamW (with the one-step comparison to L2 regularisation inside Adam),
//! on a small separable objective whose gradient is known in closed form.
//!
//! The objective depends on the optimiser so that every value stays exact:
//! - SGD with momentum and Nesterov minimise f(w) = ½ Σ_i a_i (w_i − c_i)², whose gradient
//!   a_i (w_i − c_i) changes with every step (rational updates of rational values);
//! - Adam and AdamW minimise f(w) = Σ_i a_i |w_i − c_i|, whose gradient a_i·sign(w_i − c_i)
//!   has a constant magnitude, so v_t = (1 − β₂^t) a_i², v̂_t = a_i² and √v̂_t = a_i are
//!   exact, and with ε = 0 each step is η·m̂_t/a_i, a fraction. The sign of the gradient
//!   still turns when w crosses c, which is what makes Adam's momentum visible.
//!
//! Shapes: every vector has one entry per parameter (1 or 2); the solution keeps, per step
//! t = 1..T, g_t = ∇f(w_{t−1}), the optimiser's state and w_t.
//!
//! The algorithms are PyTorch's, as its documentation writes them (torch.optim.SGD,
//! https://pytorch.org/docs/2.0/generated/torch.optim.SGD.html: b_t ← μ b_{t−1} + g_t
//! with b_1 = g_1 and dampening 0, the update w_t ← w_{t−1} − η b_t, with Nesterov
//! w_t ← w_{t−1} − η (g_t + μ b_t); torch.optim.Adam and torch.optim.AdamW,
//! https://pytorch.org/docs/1.10/generated/torch.optim.AdamW.html: m_t, v_t from
//! m_0 = v_0 = 0, m̂_t = m_t/(1 − β₁^t), v̂_t = v_t/(1 − β₂^t), the step
//! η m̂_t/(√v̂_t + ε) with ε outside the root; Adam's weight decay is added to the gradient,
//! g_t ← g_t + λ w_{t−1}, AdamW's decays the weight, w ← w_{t−1} − ηλ w_{t−1}, before the
//! step). The sheet prints each of these forms, and names the other momentum form
//! v ← μ v − η g, w ← w + v, which gives the same iterates for a constant η.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: the optimiser, then up to [`OPTIMIZER_TRIES`] times the number of
//! parameters n, the steps T, c, w₀ (for Adam's optimisers within 2 of c, so that the
//! iterate can cross it) and a (each entry by entry), η, and the optimiser's
//! hyperparameters (μ; or β₁, β₂ and for AdamW λ), until they keep every constraint; so
//! each optimiser keeps its share of the draw whatever its rejection rate.
//!
//! The kind is split by stage: [`Spec`] and its checks in `spec`, the [`Sampler`] in
//! `sampler`, the [`CONSTRAINTS`] in `constraints`, the optimisers in `engine`, `solve`,
//! the key entry in `key` and the sheet's views in `render`.

mod carry;
mod constraints;
pub mod engine;
mod key;
pub mod render;
mod sampler;
mod solve;
mod spec;

use ndarray::Array1;
use serde::{Deserialize, Serialize};

use crate::spec::Points;

pub use constraints::CONSTRAINTS;
pub use engine::{L2Comparison, Step};
pub use key::KEY_CSV;
pub use sampler::Sampler;
pub use spec::{Draw, Spec};

pub const KIND: &str = "optimizer_steps";

/// How many draws of the other parameters one drawn optimiser gets before the candidate
/// is given up (and the optimiser drawn again).
pub const OPTIMIZER_TRIES: usize = 25;

/// The optimizer_steps kind.
pub struct OptimizerSteps;

impl crate::problems::Kind for OptimizerSteps {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // Three steps of two parameters by hand: fractions in 32nds at most (η = 1/4 with
    // μ = 1/2 halves twice a step), or Adam's 1 − β^t in 4ths to 64ths and m̂ in 3rds,
    // 7ths and 37ths; numerators below 40, and no more distinct fractions than about one
    // per cell of the table of steps.
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 64,
        max_integer: 40,
        max_fractions: 16,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: None,
        partly_pinned: (
            "      optimizer: adam\n      w0: [1, -2]\n      draw: {steps_range: [2, 2]}\n",
            &[("optimizer", "\"adam\""), ("w0", "[1, -2]"), ("steps", "2")],
        ),
        broken: (
            "      optimizer: adam\n      w0: [1]\n      c: [0]\n      a: [1]\n      steps: 2\n      lr: 1\n      beta1: 0.5\n      beta2: 0.5\n",
            "never_at_the_kink",
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

    /// The optimiser is drawn once, then the rest until the variant keeps every
    /// constraint (at most [`OPTIMIZER_TRIES`] times): some optimisers are refused far more
    /// often than others (Adam's need a sign change, Nesterov's fractions grow faster), and
    /// redrawing the optimiser with them would leave SGD with most of the class.
    fn candidate(
        plan: &Sampler,
        rng: &mut crate::draw::VariantRng,
    ) -> crate::draw::Candidate<Params, Solution> {
        use crate::problems::kind::Variant as _;
        let name = plan.optimizer(rng);
        let constraints = crate::problems::kind::all_constraints::<Self>(plan);
        let mut failed = None;
        for _ in 0..OPTIMIZER_TRIES {
            let params = plan.candidate(name, rng);
            // The one constraint on the parameters alone, before the (costlier) solve:
            // impossible knobs then fail in seconds rather than a minute.
            if !constraints::starts_away(&params) {
                failed = Some(&CONSTRAINTS[0]);
                continue;
            }
            let solution = params.solve();
            match constraints.iter().find(|c| !(c.holds)(&params, &solution)) {
                None => return Ok(params),
                Some(c) => failed = Some(*c),
            }
        }
        Err(failed.expect("at least one try"))
    }

    fn constraints(_plan: &Sampler) -> Vec<crate::draw::Rejection<Params, Solution>> {
        crate::draw::all(CONSTRAINTS)
    }
}

/// Which optimiser the problem runs, as a spec spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerName {
    SgdMomentum,
    Nesterov,
    Adam,
    Adamw,
}

impl OptimizerName {
    pub const ALL: [OptimizerName; 4] = [
        OptimizerName::SgdMomentum,
        OptimizerName::Nesterov,
        OptimizerName::Adam,
        OptimizerName::Adamw,
    ];

    /// Whether the optimiser is one of Adam's (the objective is then Σ a|w − c|).
    pub fn is_adam(self) -> bool {
        matches!(self, OptimizerName::Adam | OptimizerName::Adamw)
    }
}

/// The optimiser with its hyperparameters (besides η).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Optimizer {
    /// PyTorch's heavy ball: b_t = μ b_{t−1} + g_t, w_t = w_{t−1} − η b_t.
    SgdMomentum { momentum: f64 },
    /// PyTorch's Nesterov: b_t as above, w_t = w_{t−1} − η (g_t + μ b_t).
    Nesterov { momentum: f64 },
    Adam { beta1: f64, beta2: f64 },
    /// Adam with decoupled weight decay λ.
    AdamW {
        beta1: f64,
        beta2: f64,
        weight_decay: f64,
    },
}

impl Optimizer {
    pub fn name(&self) -> OptimizerName {
        match self {
            Optimizer::SgdMomentum { .. } => OptimizerName::SgdMomentum,
            Optimizer::Nesterov { .. } => OptimizerName::Nesterov,
            Optimizer::Adam { .. } => OptimizerName::Adam,
            Optimizer::AdamW { .. } => OptimizerName::Adamw,
        }
    }
}

/// One variant's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub optimizer: Optimizer,
    /// The starting point w₀ (integers).
    pub w0: Vec<i64>,
    /// The minimiser c of the objective (integers).
    pub c: Vec<i64>,
    /// The positive weights a of the objective's terms.
    pub a: Vec<i64>,
    /// The number of steps T.
    pub steps: usize,
    /// The learning rate η.
    pub lr: f64,
}

impl Params {
    pub fn w0(&self) -> Array1<f64> {
        self.w0.iter().map(|&v| v as f64).collect()
    }
}

/// Every value the worked solution shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Steps t = 1..T.
    pub steps: Vec<Step>,
    /// f(w_t) for t = 0..T.
    pub objective: Vec<f64>,
    /// AdamW only: its first step next to Adam with L2 regularisation.
    pub l2: Option<L2Comparison>,
}

impl Solution {
    /// w_T, the answer.
    pub fn last(&self) -> &Array1<f64> {
        &self.steps.last().expect("at least one step").w
    }
}

/// Spec fixtures shared by the tests of the checks and of the draws.
#[cfg(test)]
mod fixtures {
    use super::Sampler;
    use crate::spec::FieldError;

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<super::OptimizerSteps>(yaml)
    }

    /// A fully pinned momentum variant worked by hand in `engine`'s tests.
    pub(super) const PINNED: &str = "optimizer: sgd_momentum\nw0: [2]\nc: [0]\na: [1]\n\
                                     steps: 2\nlr: 0.5\nmomentum: 0.5\n";

    /// A fully pinned AdamW variant.
    pub(super) const PINNED_ADAMW: &str = "optimizer: adamw\nw0: [1, -1]\nc: [0, 1]\n\
                                           a: [2, 1]\nsteps: 3\nlr: 0.75\nbeta1: 0.5\n\
                                           beta2: 0.5\nweight_decay: 0.5\n";
}
