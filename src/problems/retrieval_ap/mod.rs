//! Problem 2: image retrieval with metric embeddings — similarities, the ranking, the
//! precision/recall table at every cut-off, the PR curve and the average precision.
//!
//! Shapes: the database X is (n, d) with one embedding per row, labels y (n), the query
//! (d). AP = Σ_n (R_n − R_{n−1}) P_n over the cut-offs n = 1..N (R_0 = 0). The engine
//! computes it in floats; `solve` also computes it exactly from the TP/FP counts, and the
//! two must agree.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: the similarity (from `similarities`), the query (coordinates uniform on the
//! grid of `coordinates` in `coordinate_range`), the database rows in order (the same,
//! each row redrawn until its similarity is a fraction with a denominator of at most 10
//! and at least 1/30 from the earlier rows'),
//! the query label (uniform in `label_range`, or among the labels of a pinned y that
//! leave at least two relevant and one irrelevant item), then y: the number of relevant
//! items (uniform from 2 to n − 1), which items they are (a shuffle), and the label of
//! each irrelevant item (uniform among the other labels). A candidate that breaks a
//! constraint is rejected as a whole.
//!
//! The kind is split by stage: `spec.rs` checks what a spec pins and asks for,
//! `sampler.rs` draws the parameters (the kind's `Kind` impl), `constraints.rs` says what
//! every variant must satisfy, `solve.rs` runs the engine, and `key.rs` writes the
//! answer-key entry.

use ndarray::{Array1, Array2};

use crate::engine::retrieval::{PrPoint, Similarity};
use crate::exact::Rational;
use crate::spec::Points;

mod carry;
mod constraints;
mod key;
pub mod render;
mod sampler;
mod solve;
mod spec;

pub use constraints::CONSTRAINTS;
pub use key::KEY_CSV;
pub use sampler::Sampler;
pub use solve::{exact_ap, pr_curve};
pub use spec::{Coordinates, Draw, Spec};

pub const KIND: &str = "retrieval_ap";

/// The retrieval_ap kind.
pub struct RetrievalAp;


/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub x: Array2<f64>,
    pub y: Vec<i64>,
    pub query: Array1<f64>,
    pub query_label: i64,
    pub similarity: Similarity,
}

/// A point of the precision-recall curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    pub recall: f64,
    pub precision: f64,
}

/// Every intermediate of the worked solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    pub similarities: Array1<f64>,
    /// Database indices, most similar first.
    pub ranking: Vec<usize>,
    /// Whether each database item is relevant to the query.
    pub relevant: Vec<bool>,
    /// One row per cut-off n = 1..N.
    pub table: Vec<PrPoint>,
    pub ap: f64,
    /// AP computed exactly from the counts (checked equal to `ap`).
    pub ap_exact: Rational,
    /// The PR curve as the seed draws it: one point per recall level (the best precision
    /// at that recall) and, when no cut-off has R = 0, the point (0, P at the smallest R).
    pub curve: Vec<CurvePoint>,
}

/// What the tests of the spec checks and of the sampler both start from.
#[cfg(test)]
mod fixtures {
    use super::Sampler;
    use crate::spec::FieldError;

    pub(super) const EXAM_2022: &str = "X: [[1, 0], [3, -1], [-0.5, 0.5], [1, 4]]
y: [1, 1, 0, 1]
query: [1, 1]
query_label: 1
similarity: inverse_l1
";

    pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<crate::problems::retrieval_ap::RetrievalAp>(yaml)
    }
}
