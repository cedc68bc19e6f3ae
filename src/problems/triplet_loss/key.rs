//! The triplet_loss entry of key.json: the points, the loss and its margin, and every
//! answer a grader checks, as numbers and as the exact fractions the sheet shows.

use serde::Serialize;

use super::{Hinge, Loss, Params, Point, Solution};
use crate::exact::{Rational, MAX_DEN};
use crate::problems::kind::AnswersOf;
use crate::problems::{KeyCsv, Vector};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &["loss"],
    answers: &[
        "loss_value",
        "grad_anchor",
        "grad_positive",
        "grad_negative",
        "predicted",
    ],
};

/// The key's `params`: everything needed to recompute every answer.
#[derive(Serialize)]
pub struct KeyParams {
    loss: Loss,
    anchor: Point,
    positive: Point,
    negative: Point,
    margin: i64,
    /// The support points of each class.
    support: Vec<Vec<Point>>,
    query: Point,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    d_ap: f64,
    d_an: f64,
    /// The argument of the max, and whether it is positive.
    hinge: f64,
    hinge_state: Hinge,
    loss_value: f64,
    grad_anchor: Vector,
    grad_positive: Vector,
    grad_negative: Vector,
    /// The gradients as fractions ("-14/65").
    grad_exact: GradExact,
    /// The class means, one per class, and as fractions.
    means: Vec<Vector>,
    means_exact: Option<Vec<Vec<String>>>,
    /// ‖q − μ_c‖², one per class, and as fractions.
    sq_distances: Vector,
    sq_distances_exact: Option<Vec<String>>,
    predicted: usize,
}

/// ∂L/∂a, ∂L/∂p, ∂L/∂n as fractions.
#[derive(Serialize)]
struct GradExact {
    anchor: Option<Vec<String>>,
    positive: Option<Vec<String>>,
    negative: Option<Vec<String>>,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            loss: p.loss,
            anchor: p.anchor,
            positive: p.positive,
            negative: p.negative,
            margin: p.margin,
            support: p.support.clone(),
            query: p.query,
        }
    }
}

/// The values as fractions, when each is one.
fn fractions<'a>(values: impl IntoIterator<Item = &'a f64>) -> Option<Vec<String>> {
    values
        .into_iter()
        .map(|&x| Rational::recognize(x, MAX_DEN).map(|r| r.to_string()))
        .collect()
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(_p: &Params, s: &Solution) -> Self {
        Answers {
            d_ap: s.d_ap,
            d_an: s.d_an,
            hinge: s.hinge,
            hinge_state: s.hinge_state(),
            loss_value: s.loss,
            grad_anchor: Vector(s.grad_anchor.clone()),
            grad_positive: Vector(s.grad_positive.clone()),
            grad_negative: Vector(s.grad_negative.clone()),
            grad_exact: GradExact {
                anchor: fractions(&s.grad_anchor),
                positive: fractions(&s.grad_positive),
                negative: fractions(&s.grad_negative),
            },
            means: s.means.iter().cloned().map(Vector).collect(),
            means_exact: s.means.iter().map(fractions).collect(),
            sq_distances: Vector(s.sq_distances.iter().copied().collect()),
            sq_distances_exact: fractions(&s.sq_distances),
            predicted: s.predicted,
        }
    }
}
