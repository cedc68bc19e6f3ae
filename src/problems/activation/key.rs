//! The activation entry of key.json: the function (with its constant), n, the numeric
//! part's x and g, and the answers a grader checks.

use serde::Serialize;

use super::numpy::layer_class;
use super::{Params, Solution};
use crate::engine::activation::Activation;
use crate::problems::kind::AnswersOf;

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: crate::problems::KeyCsv = crate::problems::KeyCsv {
    params: &["function"],
    answers: &["value_at_0", "derivative_at_0", "input_gradient"],
};

/// The key's `params`.
#[derive(Serialize)]
pub struct KeyParams {
    function: &'static str,
    n: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    alpha: Option<f64>,
    /// Softplus's and SiLU's β, when not 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    beta: Option<f64>,
    /// Hard tanh's [min, max].
    #[serde(skip_serializing_if = "Option::is_none")]
    bounds: Option<[f64; 2]>,
    /// The numeric part's input, as floats and exactly (`ln 3`, `-1/2 ln 2`, `3/2`).
    #[serde(skip_serializing_if = "Option::is_none")]
    x: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x_exact: Option<Vec<String>>,
    /// The numeric part's upstream gradient dL/dy.
    #[serde(skip_serializing_if = "Option::is_none")]
    upstream: Option<Vec<i64>>,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    code: String,
    derivative_at_0: f64,
    value_at_0: f64,
    /// f(x), f′(x) (the Jacobian's diagonal at x) and dL/dx, as floats.
    #[serde(skip_serializing_if = "Option::is_none")]
    y: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jacobian_diagonal: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_gradient: Option<Vec<f64>>,
    /// The same three exactly, as the sheet prints them (in plain text).
    #[serde(skip_serializing_if = "Option::is_none")]
    exact: Option<ExactAnswers>,
}

#[derive(Serialize)]
struct ExactAnswers {
    y: Vec<String>,
    jacobian_diagonal: Vec<String>,
    input_gradient: Vec<String>,
}

fn texts<T: ToString>(values: &[T]) -> Vec<String> {
    values.iter().map(T::to_string).collect()
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        let numeric = p.numeric.as_ref();
        KeyParams {
            function: p.activation.name(),
            n: p.n,
            alpha: match p.activation {
                Activation::Elu { alpha } | Activation::LeakyRelu { alpha } => Some(alpha),
                _ => None,
            },
            beta: match p.activation {
                Activation::Softplus { beta } | Activation::Silu { beta } if beta != 1.0 => {
                    Some(beta)
                }
                _ => None,
            },
            bounds: match p.activation {
                Activation::HardTanh { min, max } => Some([min, max]),
                _ => None,
            },
            x: numeric.map(|n| n.x.iter().map(|x| x.to_f64()).collect()),
            x_exact: numeric.map(|n| texts(&n.x)),
            upstream: numeric.map(|n| n.upstream.clone()),
        }
    }
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(p: &Params, s: &Solution) -> Self {
        let numeric = s.numeric.as_ref();
        Answers {
            code: layer_class(&p.activation),
            derivative_at_0: p.activation.derivative(0.0),
            value_at_0: p.activation.forward(0.0),
            y: numeric.map(|n| n.floats[0].clone()),
            jacobian_diagonal: numeric.map(|n| n.floats[1].clone()),
            input_gradient: numeric.map(|n| n.floats[2].clone()),
            exact: numeric.map(|n| ExactAnswers {
                y: texts(&n.y),
                jacobian_diagonal: texts(&n.derivative),
                input_gradient: texts(&n.input_gradient),
            }),
        }
    }
}
