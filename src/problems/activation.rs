//! Problem 4: an element-wise activation — sketch f and f′, the (diagonal) Jacobian for
//! an n-dimensional input, and a numpy class implementing the course's lab-2 `Layer`
//! interface.
//!
//! The plot's points are sampled from the engine's f and f′, so the figure on the sheet
//! is the same function the key and the numpy test use.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::draw::{broken, Constraint, DrawError, VariantRng};
use crate::engine::activation::Activation;
use crate::render::numpy::layer_class;
use crate::spec::{FieldError, Points};

pub const KIND: &str = "activation";

/// The activation's name in a spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Function {
    Softplus,
    Sigmoid,
    Tanh,
    Elu,
    LeakyRelu,
    Silu,
    Softsign,
}

/// The problem as written in a spec.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    pub function: Function,
    /// The constant of ELU and leaky ReLU (and only of those).
    #[serde(default)]
    pub alpha: Option<f64>,
    /// The input dimension of the Jacobian.
    #[serde(default = "four")]
    pub n: usize,
}

fn four() -> usize {
    4
}

/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub activation: Activation,
    pub n: usize,
}

impl Spec {
    /// The sampler of this problem; for now every parameter is pinned.
    pub fn sampler(self) -> Result<Sampler, FieldError> {
        Ok(Sampler {
            fixed: self.check()?,
        })
    }

    fn check(self) -> Result<Params, FieldError> {
        let needs_alpha = matches!(self.function, Function::Elu | Function::LeakyRelu);
        let activation = match (self.function, self.alpha) {
            (Function::Elu, Some(alpha)) => Activation::Elu { alpha },
            (Function::LeakyRelu, Some(alpha)) => Activation::LeakyRelu { alpha },
            (_, None) if needs_alpha => {
                return Err(FieldError::new(
                    "alpha",
                    "this activation needs its constant, e.g. `alpha: 0.1`",
                ))
            }
            (_, Some(_)) => {
                return Err(FieldError::new(
                    "alpha",
                    "only elu and leaky_relu take alpha; remove it",
                ))
            }
            (Function::Softplus, None) => Activation::Softplus,
            (Function::Sigmoid, None) => Activation::Sigmoid,
            (Function::Tanh, None) => Activation::Tanh,
            (Function::Silu, None) => Activation::Silu,
            (Function::Softsign, None) => Activation::Softsign,
            (Function::Elu | Function::LeakyRelu, None) => unreachable!("handled above"),
        };
        activation
            .validate()
            .map_err(|message| FieldError::new("alpha", message))?;
        if !(1..=8).contains(&self.n) {
            return Err(FieldError::new(
                "n",
                "the Jacobian is written out in full, so n must be 1 to 8",
            ));
        }
        Ok(Params {
            points: self.points,
            activation,
            n: self.n,
        })
    }
}

/// The sampled curves of f and f′ on the plot's domain.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// (x, f(x), f′(x)) at evenly spaced points of [-PLOT_RANGE, PLOT_RANGE].
    pub samples: Vec<(f64, f64, f64)>,
}

/// Half-width of the plotted domain.
pub const PLOT_RANGE: f64 = 4.0;
/// Number of plotted intervals.
const PLOT_STEPS: usize = 64;

pub fn solve(p: &Params) -> Solution {
    let samples = (0..=PLOT_STEPS)
        .map(|i| {
            let x = -PLOT_RANGE + 2.0 * PLOT_RANGE * i as f64 / PLOT_STEPS as f64;
            (x, p.activation.forward(x), p.activation.derivative(x))
        })
        .collect();
    Solution { samples }
}

/// Draws this problem's parameters (pinned ones are kept) under [`CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    fixed: Params,
}

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[];

impl Sampler {
    /// Whether every parameter is pinned (the draw then ignores the generator).
    pub fn is_fixed(&self) -> bool {
        true
    }

    /// One variant: parameters, their solution, and how many candidates it took.
    pub fn draw(&self, _rng: &mut VariantRng) -> Result<(Params, Solution, usize), DrawError> {
        let solution = solve(&self.fixed);
        match broken(&self.fixed, &solution, CONSTRAINTS).first() {
            Some(&constraint) => Err(DrawError {
                constraint,
                tries: 1,
            }),
            None => Ok((self.fixed.clone(), solution, 1)),
        }
    }
}

/// The key entry: (params, answers).
pub fn key(p: &Params, _s: &Solution) -> (Value, Value) {
    let mut params = json!({
        "function": p.activation.name(),
        "n": p.n,
    });
    if let Activation::Elu { alpha } | Activation::LeakyRelu { alpha } = p.activation {
        params["alpha"] = json!(alpha);
    }
    let answers = json!({
        "code": layer_class(&p.activation),
        "derivative_at_0": p.activation.derivative(0.0),
        "value_at_0": p.activation.forward(0.0),
    });
    (params, answers)
}
