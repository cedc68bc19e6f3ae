//! Element-wise activation functions: the family exam problem 4 draws from.
//!
//! Problem 4 asks for a sketch of f and f′, the Jacobian of f applied to a vector, and a
//! numpy layer; every number on that part of the sheet comes from here. Because f acts on
//! each component independently, ∂f(x)_i/∂x_j = f′(x_i)·δ_ij: the Jacobian is diagonal and
//! the backward pass is the element-wise product dy ⊙ f′(x).
//!
//! Members, with σ(x) = 1/(1 + e^{−x}):
//!
//! | member         | f(x)                            | f′(x)                       |
//! |----------------|---------------------------------|-----------------------------|
//! | softplus       | ln(1 + e^x)                     | σ(x)                        |
//! | sigmoid        | σ(x)                            | σ(x)·σ(−x) = σ(x)(1 − σ(x)) |
//! | tanh           | tanh x                          | 1 − tanh² x                 |
//! | elu (α)        | x if x ≥ 0, α(e^x − 1) if x < 0 | 1 if x ≥ 0, α·e^x if x < 0  |
//! | leaky_relu (α) | x if x ≥ 0, α·x if x < 0        | 1 if x ≥ 0, α if x < 0      |
//! | silu (β)       | x·σ(βx)                         | σ(βx)(1 + βx·σ(−βx))        |
//! | softsign       | x/(1 + \|x\|)                   | 1/(1 + \|x\|)²              |
//! | hard_tanh (a,b)| min(max(x, a), b)               | 1 if a < x < b, else 0      |
//!
//! Softplus (β) is ln(1 + e^{βx})/β with derivative σ(βx); β = 1 is the plain softplus
//! (the 2022 exam's), SiLU with β ≠ 1 is also called swish.
//!
//! Exact values ([`Activation::exact_at`]): at x = k·ln q (k an integer multiple of
//! 1/β) every e^{…} in the formulas is a rational power of q, so σ, tanh and the
//! exponentials are fractions, and f and f′ are rationals plus a rational multiple of one
//! logarithm ([`LnForm`]); the piecewise-linear members and softsign are exact at every
//! rational x. The sheet's numeric part prints these values.
//!
//! Kink convention: ELU (for α ≠ 1) and leaky ReLU are not differentiable at 0; there
//! [`Activation::derivative`] returns the right-hand derivative, 1. Hard tanh has kinks at
//! its bounds, where the derivative is 0 (PyTorch's `hardtanh_backward`: the gradient
//! passes only strictly inside the bounds). This matches the
//! `x >= 0` branch of the generated numpy code and the `x \geq 0` case of the LaTeX.
//!
//! Every formula is evaluated so that nothing overflows for large |x|: the exam's seed
//! solution used `log(exp(x) + 1)`, which is `inf` already at x ≈ 710.

use ndarray::{Array, Array1, Array2, Dimension, Zip};
use serde::{Deserialize, Serialize};

use crate::exact::{LnForm, Rational};

/// One member of the activation family, as written in the exam spec
/// (`{function: softplus}`, `{function: elu, alpha: 1.0}`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "function", rename_all = "snake_case")]
pub enum Activation {
    Softplus {
        #[serde(default = "one")]
        beta: f64,
    },
    Sigmoid,
    Tanh,
    Elu {
        alpha: f64,
    },
    LeakyRelu {
        alpha: f64,
    },
    Silu {
        #[serde(default = "one")]
        beta: f64,
    },
    Softsign,
    HardTanh {
        #[serde(default = "minus_one")]
        min: f64,
        #[serde(default = "one")]
        max: f64,
    },
}

fn one() -> f64 {
    1.0
}

fn minus_one() -> f64 {
    -1.0
}

/// The largest denominator a constant (α, β, a bound) may have for the exact values:
/// constants are written as short decimals or simple fractions.
const CONSTANT_DEN: i64 = 1000;

/// The spec names of all members, in declaration order; equal to [`Activation::name`].
pub const ALL_KINDS: &[&str] = &[
    "softplus",
    "sigmoid",
    "tanh",
    "elu",
    "leaky_relu",
    "silu",
    "softsign",
    "hard_tanh",
];

/// σ(x) without overflow: only e^{−|x|} ≤ 1 is ever computed, so the tail that would
/// overflow underflows to 0 instead, which is the correct limit.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

impl Activation {
    /// The member and its constants' bits: equal exactly when the members are the same
    /// (unlike `==`, which takes `-0.0` for `0.0`); a key for caches of its plot.
    pub fn bits(&self) -> (u8, [u64; 2]) {
        let b = f64::to_bits;
        match *self {
            Activation::Softplus { beta } => (0, [b(beta), 0]),
            Activation::Sigmoid => (1, [0, 0]),
            Activation::Tanh => (2, [0, 0]),
            Activation::Elu { alpha } => (3, [b(alpha), 0]),
            Activation::LeakyRelu { alpha } => (4, [b(alpha), 0]),
            Activation::Silu { beta } => (5, [b(beta), 0]),
            Activation::Softsign => (6, [0, 0]),
            Activation::HardTanh { min, max } => (7, [b(min), b(max)]),
        }
    }

    /// The plain softplus ln(1 + e^x) (β = 1), the 2022 exam's.
    pub const SOFTPLUS: Activation = Activation::Softplus { beta: 1.0 };
    /// The plain SiLU x·σ(x) (β = 1).
    pub const SILU: Activation = Activation::Silu { beta: 1.0 };

    /// The snake_case name used as the serde tag and in [`ALL_KINDS`].
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Softplus { .. } => "softplus",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Elu { .. } => "elu",
            Activation::LeakyRelu { .. } => "leaky_relu",
            Activation::Silu { .. } => "silu",
            Activation::Softsign => "softsign",
            Activation::HardTanh { .. } => "hard_tanh",
        }
    }

    /// f(x).
    pub fn forward(&self, x: f64) -> f64 {
        match *self {
            // ln(1 + e^z) = max(z, 0) + ln(1 + e^{−|z|}); the second term is in [0, ln 2].
            Activation::Softplus { beta } => {
                let z = beta * x;
                (z.max(0.0) + (-z.abs()).exp().ln_1p()) / beta
            }
            Activation::Sigmoid => sigmoid(x),
            Activation::Tanh => x.tanh(),
            // expm1 keeps relative accuracy for small negative x, where e^x − 1 cancels.
            Activation::Elu { alpha } => {
                if x >= 0.0 {
                    x
                } else {
                    alpha * x.exp_m1()
                }
            }
            Activation::LeakyRelu { alpha } => {
                if x >= 0.0 {
                    x
                } else {
                    alpha * x
                }
            }
            Activation::Silu { beta } => x * sigmoid(beta * x),
            Activation::Softsign => x / (1.0 + x.abs()),
            Activation::HardTanh { min, max } => x.clamp(min, max),
        }
    }

    /// f′(x); at the kink x = 0 of ELU and leaky ReLU this is the right-hand derivative, 1.
    pub fn derivative(&self, x: f64) -> f64 {
        match *self {
            Activation::Softplus { beta } => sigmoid(beta * x),
            // σ(x)·σ(−x) rather than σ(1 − σ): 1 − σ(x) cancels for large x, σ(−x) does not.
            Activation::Sigmoid => sigmoid(x) * sigmoid(-x),
            Activation::Tanh => {
                let t = x.tanh();
                1.0 - t * t
            }
            Activation::Elu { alpha } => {
                if x >= 0.0 {
                    1.0
                } else {
                    alpha * x.exp()
                }
            }
            Activation::LeakyRelu { alpha } => {
                if x >= 0.0 {
                    1.0
                } else {
                    alpha
                }
            }
            // d/dx x·σ(βx) = σ(βx) + βx·σ(βx)·σ(−βx).
            Activation::Silu { beta } => {
                let z = beta * x;
                sigmoid(z) * (1.0 + z * sigmoid(-z))
            }
            Activation::Softsign => {
                let d = 1.0 + x.abs();
                1.0 / (d * d)
            }
            Activation::HardTanh { min, max } => {
                if min < x && x < max {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// f(x) and f′(x) exactly, at a point where both are exact (see the module doc), with
    /// the same kink conventions as [`Activation::forward`] and
    /// [`Activation::derivative`]; None elsewhere, or when a constant is not a simple
    /// fraction.
    pub fn exact_at(&self, x: LnForm) -> Option<(LnForm, LnForm)> {
        let constant = |c: f64| Rational::exactly(c, CONSTANT_DEN);
        let rational = LnForm::rational;
        let one = Rational::ONE;
        // σ(z) for z = k·ln q: e^z = q^k.
        let sigma = |z: LnForm| z.exp().map(|e| e / (one + e));
        Some(match *self {
            Activation::Softplus { beta } => {
                let beta = constant(beta)?;
                let e = x.scale(beta).exp()?;
                (LnForm::ln(one / beta, one + e), rational(e / (one + e)))
            }
            Activation::Sigmoid => {
                let s = sigma(x)?;
                (rational(s), rational(s * (one - s)))
            }
            Activation::Tanh => {
                // tanh x = (e^{2x} − 1)/(e^{2x} + 1).
                let e = x.scale(Rational::from_int(2)).exp()?;
                let t = (e - one) / (e + one);
                (rational(t), rational(one - t * t))
            }
            Activation::Elu { alpha } => {
                let alpha = constant(alpha)?;
                if x.signum() >= 0 {
                    (x, rational(one))
                } else {
                    let e = x.exp()?;
                    (rational(alpha * (e - one)), rational(alpha * e))
                }
            }
            Activation::LeakyRelu { alpha } => {
                let alpha = constant(alpha)?;
                if x.signum() >= 0 {
                    (x, rational(one))
                } else {
                    (x.scale(alpha), rational(alpha))
                }
            }
            Activation::Silu { beta } => {
                let beta = constant(beta)?;
                let z = x.scale(beta);
                let s = sigma(z)?;
                // σ(z) + z·σ(z)(1 − σ(z)).
                (x.scale(s), z.scale(s * (one - s)).plus(s))
            }
            Activation::Softsign => {
                let r = x.as_rational()?;
                let d = one + r.abs();
                (rational(r / d), rational(one / (d * d)))
            }
            Activation::HardTanh { min, max } => {
                let (min, max) = (constant(min)?, constant(max)?);
                let r = x.as_rational()?;
                let inside = min < r && r < max;
                (
                    rational(r.clamp(min, max)),
                    rational(if inside { one } else { Rational::ZERO }),
                )
            }
        })
    }

    /// f applied to every element; the shape is kept.
    pub fn forward_array<D: Dimension>(&self, x: &Array<f64, D>) -> Array<f64, D> {
        x.mapv(|v| self.forward(v))
    }

    /// The backward pass dL/dx = dy ⊙ f′(x) for upstream gradient dy = dL/df(x).
    ///
    /// Panics if `x` and `dy` differ in shape: that is a bug in the caller, not data.
    pub fn backward_array<D: Dimension>(
        &self,
        x: &Array<f64, D>,
        dy: &Array<f64, D>,
    ) -> Array<f64, D> {
        Zip::from(x)
            .and(dy)
            .map_collect(|&xi, &gi| gi * self.derivative(xi))
    }

    /// The n×n Jacobian ∂f(x)/∂x, which is diag(f′(x_1), …, f′(x_n)).
    pub fn jacobian(&self, x: &Array1<f64>) -> Array2<f64> {
        Array2::from_diag(&x.mapv(|v| self.derivative(v)))
    }

    /// Checks the parameters a spec may get wrong: α must be finite and positive, and for
    /// leaky ReLU also below 1 (otherwise it is not "leaky": α = 1 is the identity); β
    /// finite and positive; hard tanh's bounds finite with min < 0 < max (so that it is
    /// the identity around 0, as tanh is).
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Activation::Softplus { beta } | Activation::Silu { beta } => {
                if beta.is_finite() && beta > 0.0 {
                    Ok(())
                } else {
                    Err(format!(
                        "{}: beta must be finite and > 0, got {beta}",
                        self.name()
                    ))
                }
            }
            Activation::HardTanh { min, max } => {
                if min.is_finite() && max.is_finite() && min < 0.0 && 0.0 < max {
                    Ok(())
                } else {
                    Err(format!(
                        "hard_tanh: the bounds must be finite with min < 0 < max, got [{min}, {max}]"
                    ))
                }
            }
            Activation::Elu { alpha } => {
                if alpha.is_finite() && alpha > 0.0 {
                    Ok(())
                } else {
                    Err(format!("elu: alpha must be finite and > 0, got {alpha}"))
                }
            }
            Activation::LeakyRelu { alpha } => {
                if alpha.is_finite() && alpha > 0.0 && alpha < 1.0 {
                    Ok(())
                } else {
                    Err(format!(
                        "leaky_relu: alpha must be finite and in (0, 1), got {alpha}"
                    ))
                }
            }
            Activation::Sigmoid | Activation::Tanh | Activation::Softsign => Ok(()),
        }
    }
}

/// Every member, the parameterised ones with several constants: the list the tests of
/// the engine, the formulas and the numpy classes loop over.
#[cfg(test)]
pub(crate) fn family() -> Vec<Activation> {
    vec![
        Activation::SOFTPLUS,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Elu { alpha: 0.1 },
        Activation::Elu { alpha: 1.0 },
        Activation::Elu { alpha: 1.7 },
        Activation::LeakyRelu { alpha: 0.01 },
        Activation::LeakyRelu { alpha: 0.1 },
        Activation::SILU,
        Activation::Softsign,
        Activation::Softplus { beta: 2.0 },
        Activation::Softplus { beta: 0.5 },
        Activation::Silu { beta: 2.0 },
        Activation::HardTanh {
            min: -1.0,
            max: 1.0,
        },
        Activation::HardTanh {
            min: -2.0,
            max: 0.5,
        },
    ]
}

#[cfg(test)]
#[path = "activation_tests.rs"]
mod tests;
