//! The backprop_graph entry of key.json: the network, the loss and the target, and every
//! value the sheet's table and gradients show.

use serde::Serialize;

use super::{Loss, Params, Solution};
use crate::problems::kind::AnswersOf;
use crate::problems::{KeyCsv, Rows, Vector};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &["loss"],
    answers: &["loss", "dL_dW1", "dL_db1", "dL_dW2", "dL_db2", "dL_dx"],
};

/// The key's `params`: everything needed to recompute every answer.
#[derive(Serialize)]
pub struct KeyParams {
    loss: Loss,
    x: Vector,
    #[serde(rename = "W1")]
    w1: Rows,
    b1: Vector,
    #[serde(rename = "W2")]
    w2: Rows,
    b2: Vector,
    /// The target (`mse`) or the correct class, 0-based (`hinge`).
    y: i64,
}

/// The key's `answers`: the table's forward values and upstream gradients, then the
/// parameter gradients.
#[derive(Serialize)]
pub struct Answers {
    z: Vector,
    h: Vector,
    s: Vector,
    /// The hinge loss's margins s_j − s_y + 1 (0 at y), or the squared error's s − y.
    margins: Vector,
    #[serde(rename = "loss")]
    value: f64,
    #[serde(rename = "dL_ds")]
    grad_s: Vector,
    #[serde(rename = "dL_dh")]
    grad_h: Vector,
    #[serde(rename = "dL_dz")]
    grad_z: Vector,
    #[serde(rename = "dL_dW1")]
    grad_w1: Rows,
    #[serde(rename = "dL_db1")]
    grad_b1: Vector,
    #[serde(rename = "dL_dW2")]
    grad_w2: Rows,
    #[serde(rename = "dL_db2")]
    grad_b2: Vector,
    #[serde(rename = "dL_dx")]
    grad_x: Vector,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            loss: p.loss,
            x: Vector(p.x.clone()),
            w1: Rows(p.w1.clone()),
            b1: Vector(p.b1.clone()),
            w2: Rows(p.w2.clone()),
            b2: Vector(p.b2.clone()),
            y: p.y,
        }
    }
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(_: &Params, s: &Solution) -> Self {
        Answers {
            z: Vector(s.z.clone()),
            h: Vector(s.h.clone()),
            s: Vector(s.s.clone()),
            margins: Vector(s.margins.clone()),
            value: s.loss,
            grad_s: Vector(s.grad_s.clone()),
            grad_h: Vector(s.grad_h.clone()),
            grad_z: Vector(s.grad_z.clone()),
            grad_w1: Rows(s.grad_w1.clone()),
            grad_b1: Vector(s.grad_b1.clone()),
            grad_w2: Rows(s.grad_w2.clone()),
            grad_b2: Vector(s.grad_b2.clone()),
            grad_x: Vector(s.grad_x.clone()),
        }
    }
}
