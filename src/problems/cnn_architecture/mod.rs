//! A CNN architecture table: a stack of 4–7 layers (convolution, max/avg pooling,
//! batch normalisation, ReLU, flatten, fully connected) on an input C×H×W. The student
//! fills a table with every layer's output shape and parameter count, the total, the
//! receptive field of one unit of the last convolution or pooling layer, and the
//! activation memory (values per example, or bytes of float32 for a batch).
//!
//! Shapes are per example (the batch dimension left out): a feature map C×H×W or, after
//! flatten, a vector of n features. A convolution or pooling layer maps a side H to
//! ⌊(H + 2P − K)/S⌋ + 1; the constraints keep every division exact and every side at
//! least 1, so the floor never matters. Everything is an integer, so the hand-work budget
//! is the largest integer the sheet prints.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: the input (from `inputs`), the stack (see [`sampler`]), the bias convention,
//! the memory unit, then the batch size (only when the unit is bytes).
//!
//! The kind is split by stage: [`Spec`] and its checks in `spec` (the rules a stack must
//! keep in `stack`), the [`Sampler`] in `sampler`, the [`CONSTRAINTS`] in `constraints`,
//! the table's arithmetic in `solve`, the key entry in `key` and the sheet in `render`.

mod carry;
mod constraints;
mod key;
mod layer;
pub mod render;
mod sampler;
mod solve;
mod spec;
mod stack;

use serde::{Deserialize, Serialize};

use crate::spec::Points;

pub use constraints::CONSTRAINTS;
pub use key::KEY_CSV;
pub use layer::Layer;
pub use sampler::Sampler;
pub use solve::{Row, Shape, Solution};
pub use spec::{Draw, Spec};

pub const KIND: &str = "cnn_architecture";

/// The cnn_architecture kind.
pub struct CnnArchitecture;

impl crate::problems::Kind for CnnArchitecture {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // No fractions at all; the work is multiplying sizes. The largest integer is a
    // parameter count like 1568·64 + 64 = 100,416 or a byte count 4·N·A: one
    // multiplication of a four-digit by a two-digit number, done by hand in a minute.
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 1,
        max_integer: 120_000,
        max_fractions: 0,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: None,
        partly_pinned: (
            "      input: [3, 32, 32]\n      bias: false\n      draw: {}\n",
            &[("input", "[3, 32, 32]"), ("bias", "false")],
        ),
        // (28 − 3)/2 is not whole: a stride that does not divide.
        broken: (
            "      input: [1, 28, 28]\n      layers:\n        - conv: {k: 3, stride: 2, out: 4}\n        - relu\n        - flatten\n        - fc: {out: 10}\n      bias: true\n      memory: values\n",
            "exact_division",
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

    fn constraints(_plan: &Sampler) -> Vec<crate::draw::Rejection<Params, Solution>> {
        crate::draw::all(CONSTRAINTS)
    }
}

/// What the activation-memory answer counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryUnit {
    /// The number of activation values of one example.
    Values,
    /// Bytes of float32 activations for a batch of `batch` examples.
    Bytes,
}

/// One variant's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    /// C, H, W of one example.
    pub input: [u32; 3],
    pub layers: Vec<Layer>,
    /// Whether convolutions and fully connected layers have a bias.
    pub bias: bool,
    pub memory: MemoryUnit,
    /// The batch size, when the memory is asked in bytes.
    pub batch: Option<u32>,
}

/// Spec fixtures shared by the tests of the checks, the draws and the sheet.
#[cfg(test)]
mod fixtures {
    use super::Sampler;
    use crate::spec::FieldError;

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<super::CnnArchitecture>(yaml)
    }

    /// A LeNet-like stack worked by hand: 3×32×32 → conv 3×3 p1 (8) → 8×32×32, BN,
    /// ReLU, max-pool 2 → 8×16×16, flatten → 2048, FC 10.
    /// Parameters: 3·3·3·8 + 8 = 224, 2·8 = 16, 2048·10 + 10 = 20,490; total 20,730.
    pub(super) const PINNED: &str = "input: [3, 32, 32]
layers:
  - conv: {k: 3, padding: 1, out: 8}
  - batchnorm
  - relu
  - maxpool: {k: 2}
  - flatten
  - fc: {out: 10}
bias: true
memory: values
";
}
