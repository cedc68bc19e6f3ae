//! The activation entry of key.json: the function (with its α) and n, and the answers a
//! grader checks.

use serde::Serialize;

use super::numpy::layer_class;
use super::{Params, Solution};
use crate::engine::activation::Activation;
use crate::problems::kind::AnswersOf;

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: crate::problems::KeyCsv = crate::problems::KeyCsv {
    params: &["function"],
    answers: &["value_at_0", "derivative_at_0"],
};

/// The key's `params`.
#[derive(Serialize)]
pub struct KeyParams {
    function: &'static str,
    n: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    alpha: Option<f64>,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    code: String,
    derivative_at_0: f64,
    value_at_0: f64,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            function: p.activation.name(),
            n: p.n,
            alpha: match p.activation {
                Activation::Elu { alpha } | Activation::LeakyRelu { alpha } => Some(alpha),
                _ => None,
            },
        }
    }
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(p: &Params, _s: &Solution) -> Self {
        Answers {
            code: layer_class(&p.activation),
            derivative_at_0: p.activation.derivative(0.0),
            value_at_0: p.activation.forward(0.0),
        }
    }
}
