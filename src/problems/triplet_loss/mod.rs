//! Metric learning by hand (lab 4 of the course): the triplet loss (or the contrastive
//! loss) of one anchor a, positive p and negative n in the plane with its gradients, and
//! classification of a query q by its distance to class-mean embeddings.
//!
//! Shapes: every embedding is a point of R² with integer coordinates. The offsets p − a and
//! n − a have integer length (Pythagorean offsets such as (3, 4), (5, 12), (6, 8)), so the
//! Euclidean distances d(a, p), d(a, n) are integers, the loss an integer, and every
//! gradient entry a fraction whose denominator is a distance:
//!
//! - triplet: L = max(0, d(a,p) − d(a,n) + α), d Euclidean, **not** squared;
//!   ∂L/∂p = (p − a)/d(a,p), ∂L/∂n = −(n − a)/d(a,n), ∂L/∂a = −∂L/∂p − ∂L/∂n when the
//!   hinge is active, all zero when it is not;
//! - contrastive: L = d(a,p)² + max(0, m − d(a,n))² (the pair (a, p) similar, y = 1; the
//!   pair (a, n) dissimilar, y = 0; no factor ½); ∂L/∂p = 2(p − a),
//!   ∂L/∂n = −2(m − d(a,n))(n − a)/d(a,n) when active, ∂L/∂a = −∂L/∂p − ∂L/∂n.
//!
//! The argument of the max is a nonzero integer, so the hinge is at least 1 away from its
//! kink, where the gradient is not defined. The class means of 2–3 classes of 1–4 support
//! points each are fractions with the class size as denominator; the query goes to the
//! class of the nearest mean by squared Euclidean distance (the square root is monotone,
//! so the class is the same).
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: the loss, the anchor, the hinge state (unless the margin is pinned), the
//! offsets p − a and n − a, the margin, the number of classes, each class's size and points, then the query.
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

use ndarray::Array1;
use serde::{Deserialize, Serialize};

use crate::spec::Points;

pub use constraints::{CONSTRAINTS, MEAN_GAP};
pub use key::KEY_CSV;
pub use sampler::{pythagorean_offsets, Sampler};
pub use spec::{Draw, Spec};

pub const KIND: &str = "triplet_loss";

/// The triplet_loss kind.
pub struct TripletLoss;

/// A point of the plane with integer coordinates.
pub type Point = [i64; 2];

/// Which metric-learning loss the first part asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// max(0, d(a,p) − d(a,n) + α), d not squared.
    Triplet,
    /// d(a,p)² + max(0, m − d(a,n))².
    Contrastive,
}

/// Whether the argument of the loss's max is positive (the hinge passes the gradient).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hinge {
    Active,
    Inactive,
}

impl crate::problems::Kind for TripletLoss {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // Two distances of at most 13 and their lcm 65 (5 and 13) as the gradient of a; the
    // class means in halves and thirds, their squared distances in ninths; contrastive
    // squares up to 13² = 169 and sums of them.
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 65,
        max_integer: 400,
        max_fractions: 24,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: None,
        partly_pinned: (
            "      anchor: [1, -1]\n      margin: 4\n      draw: {}\n",
            &[("anchor", "[1, -1]"), ("margin", "4")],
        ),
        broken: (
            "      loss: triplet\n      anchor: [0, 0]\n      positive: [3, 4]\n      \
             negative: [6, 8]\n      margin: 5\n      support: [[[0, 0]], [[2, 2]]]\n      \
             query: [0, 1]\n",
            "hinge_clear",
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

/// One variant's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub loss: Loss,
    pub anchor: Point,
    pub positive: Point,
    pub negative: Point,
    /// α of the triplet loss, m of the contrastive loss.
    pub margin: i64,
    /// The support points of each class (class c is `support[c]`).
    pub support: Vec<Vec<Point>>,
    pub query: Point,
}

/// A point as an engine vector.
pub fn vector(p: Point) -> Array1<f64> {
    Array1::from(vec![p[0] as f64, p[1] as f64])
}

/// Every value the worked solution shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// d(a, p) and d(a, n), Euclidean (not squared).
    pub d_ap: f64,
    pub d_an: f64,
    /// The argument of the max: d(a,p) − d(a,n) + α (triplet) or m − d(a,n)
    /// (contrastive).
    pub hinge: f64,
    pub loss: f64,
    pub grad_anchor: Array1<f64>,
    pub grad_positive: Array1<f64>,
    pub grad_negative: Array1<f64>,
    /// The class means, one per class.
    pub means: Vec<Array1<f64>>,
    /// ‖q − μ_c‖², one per class.
    pub sq_distances: Vec<f64>,
    /// The class of the nearest mean.
    pub predicted: usize,
}

impl Solution {
    pub fn hinge_state(&self) -> Hinge {
        if self.hinge > 0.0 {
            Hinge::Active
        } else {
            Hinge::Inactive
        }
    }
}

/// Spec fixtures shared by the tests of the checks, the draws and the sheet.
#[cfg(test)]
mod fixtures {
    use super::Sampler;
    use crate::spec::FieldError;

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<super::TripletLoss>(yaml)
    }

    /// A fully pinned variant worked by hand: p − a = (3, 4), n − a = (5, 12), so
    /// d(a,p) = 5, d(a,n) = 13 and the hinge 5 − 13 + 10 = 2 is active; the means are
    /// (1, 1) and (4, 10/3), and q = (2, 2) is nearer to class 0 (2 against 4 + 16/9 = 52/9).
    pub(super) const PINNED: &str = "loss: triplet\nanchor: [1, -1]\npositive: [4, 3]\n\
                                     negative: [6, 11]\nmargin: 10\n\
                                     support: [[[0, 0], [2, 2]], [[3, 3], [4, 2], [5, 5]]]\n\
                                     query: [2, 2]\n";
}
