//! The bptt_rnn entry of key.json: every parameter (with the conventions: loss on the
//! last state only, ReLU′(0) = 0, gradients as column vectors) and every answer a grader
//! checks, as numbers.

use serde::Serialize;

use super::{Loss, Params, Regime, Solution};
use crate::problems::kind::AnswersOf;
use crate::problems::{KeyCsv, Rows, Vector};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &["loss"],
    answers: &["loss_value", "grad_w_hh", "grad_w_xh", "grad_b", "grad_h0", "regime"],
};

/// The key's `params`: everything needed to recompute every answer.
#[derive(Serialize)]
pub struct KeyParams {
    w_hh: Rows,
    /// The one column of W_xh (input size 1).
    w_xh: Vector,
    /// b_h, or null: no bias.
    b: Option<Vector>,
    h0: Vector,
    x: Vec<f64>,
    /// On h⁽³⁾ only: `squared` ½‖h⁽³⁾ − y‖² or `linear` vᵀh⁽³⁾.
    loss: Loss,
    #[serde(skip_serializing_if = "Option::is_none")]
    y: Option<Vector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    v: Option<Vector>,
}

/// The key's `answers`. Row t of `pre`, `h`, `delta` is step t + 1; row t of `grad_h` is
/// ∂L/∂h⁽ᵗ⁾ from t = 0.
#[derive(Serialize)]
pub struct Answers {
    pre: Rows,
    h: Rows,
    loss_value: f64,
    grad_h: Rows,
    delta: Rows,
    grad_w_hh: Rows,
    grad_w_xh: Vector,
    /// Empty without a bias (so key.csv has no column for it there, rather than a
    /// blank one).
    grad_b: Vector,
    grad_h0: Vector,
    /// ∂h⁽³⁾/∂h⁽⁰⁾ (row = unit of h⁽³⁾).
    jacobian: Rows,
    spectral_radius: f64,
    regime: Regime,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        let target = |loss| (p.loss == loss).then(|| Vector(p.target.clone()));
        KeyParams {
            w_hh: Rows(p.w_hh.clone()),
            w_xh: Vector(p.w_xh.clone()),
            b: p.b.clone().map(Vector),
            h0: Vector(p.h0.clone()),
            x: p.x.clone(),
            loss: p.loss,
            y: target(Loss::Squared),
            v: target(Loss::Linear),
        }
    }
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(_p: &Params, s: &Solution) -> Self {
        Answers {
            pre: Rows(s.pre.clone()),
            h: Rows(s.h.clone()),
            loss_value: s.loss,
            grad_h: Rows(s.grad_h.clone()),
            delta: Rows(s.delta.clone()),
            grad_w_hh: Rows(s.grad_w_hh.clone()),
            grad_w_xh: Vector(s.grad_w_xh.clone()),
            grad_b: Vector(s.grad_b.clone().unwrap_or_else(|| ndarray::Array1::zeros(0))),
            grad_h0: Vector(s.grad_h0()),
            jacobian: Rows(s.jacobian().clone()),
            spectral_radius: s.spectral_radius,
            regime: Regime::of(s.spectral_radius),
        }
    }
}
