//! The batchnorm_mlp entry of key.json: the parameters and every answer a grader checks
//! (forward values, gradients, updated weights).

use serde::Serialize;

use super::{Params, Solution};
use crate::problems::kind::AnswersOf;
use crate::engine::batchnorm::BatchnormBackward;
use crate::problems::{KeyCsv, Rows, Vector};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &[],
    answers: &["loss", "W1", "b1", "W2", "b2"],
};

/// The key's `params`.
#[derive(Serialize)]
pub struct KeyParams {
    #[serde(rename = "X")]
    x: Rows,
    y: Vector,
    #[serde(rename = "W1")]
    w1: Rows,
    b1: Vector,
    #[serde(rename = "W2")]
    w2: Rows,
    /// The whole bias, its ln part included.
    b2: Vector,
    /// The ln part of b2, c·ln(base), when it has one (then every logit is c·ln(base)).
    #[serde(skip_serializing_if = "Option::is_none")]
    b2_ln: Option<LnTerm>,
    lr: f64,
    eps: f64,
    batchnorm_backward: BatchnormBackward,
    #[serde(skip_serializing_if = "Option::is_none")]
    sigmoid_decimals: Option<u32>,
}

/// c·ln(base) with an integer c (the drawn ln parts are ±ln k).
#[derive(Serialize)]
struct LnTerm {
    coef: i64,
    base: u32,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    h1: Rows,
    mu: Vector,
    var: Vector,
    sigma: Vector,
    h_hat: Rows,
    s: Vector,
    p: Vector,
    loss: f64,
    #[serde(rename = "grad_W1")]
    grad_w1: Rows,
    grad_b1: Vector,
    #[serde(rename = "grad_W2")]
    grad_w2: Rows,
    grad_b2: Vector,
    #[serde(rename = "W1")]
    w1: Rows,
    b1: Vector,
    #[serde(rename = "W2")]
    w2: Rows,
    b2: Vector,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            x: Rows(p.x.clone()),
            y: Vector(p.y.clone()),
            w1: Rows(p.w1.clone()),
            b1: Vector(p.b1.clone()),
            w2: Rows(p.w2.clone()),
            b2: Vector(p.b2.clone()),
            b2_ln: p.b2_ln.map(|l| LnTerm {
                coef: l.coef.num(),
                base: l.base,
            }),
            lr: p.lr,
            eps: p.eps,
            batchnorm_backward: p.backward,
            sigmoid_decimals: p.sigmoid_decimals,
        }
    }
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(_p: &Params, s: &Solution) -> Self {
        Answers {
            h1: Rows(s.h1.clone()),
            mu: Vector(s.stats.mean.clone()),
            var: Vector(s.stats.var.clone()),
            sigma: Vector(s.stats.std.clone()),
            h_hat: Rows(s.h_hat.clone()),
            s: Vector(s.s.clone()),
            p: Vector(s.p.clone()),
            loss: s.loss,
            grad_w1: Rows(s.grad_w1.clone()),
            grad_b1: Vector(s.grad_b1.clone()),
            grad_w2: Rows(s.grad_w2.clone()),
            grad_b2: Vector(s.grad_b2.clone()),
            w1: Rows(s.w1.clone()),
            b1: Vector(s.b1.clone()),
            w2: Rows(s.w2.clone()),
            b2: Vector(s.b2.clone()),
        }
    }
}
