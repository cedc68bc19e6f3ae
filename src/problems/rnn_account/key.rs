//! The rnn_account entry of key.json: the inputs, the designed weights, the hidden
//! states and the stack's parameter count.

use serde::Serialize;

use super::{Params, Solution};
use crate::problems::kind::AnswersOf;
use crate::problems::{KeyCsv, Rows, Vector};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &[],
    answers: &["hs", "stack_params"],
};

/// The key's `params`.
#[derive(Serialize)]
pub struct KeyParams {
    h0: Vector,
    xs: Rows,
    stack: crate::engine::param_count::RecurrentStack,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    #[serde(rename = "W_hh")]
    w_hh: Rows,
    #[serde(rename = "W_xh")]
    w_xh: Rows,
    b_h: Vector,
    hs: Rows,
    stack_params: usize,
    stack_layers: Vec<crate::engine::param_count::LayerParams>,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            h0: Vector(p.h0.clone()),
            xs: Rows(p.xs.clone()),
            stack: p.stack,
        }
    }
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(_p: &Params, s: &Solution) -> Self {
        Answers {
            w_hh: Rows(s.w_hh.clone()),
            w_xh: Rows(s.w_xh.clone()),
            b_h: Vector(s.b_h.clone()),
            hs: Rows(s.trace.hs.clone()),
            stack_params: s.stack_params,
            stack_layers: s.layers.clone(),
        }
    }
}
