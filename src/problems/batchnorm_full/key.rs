//! The batchnorm_full entry of key.json: the batch, γ, β, the upstream gradient, the
//! momentum and the running statistics before the step (with ε, which is 0), and every
//! answer a grader checks, as numbers and ∂L/∂X also as the exact fractions the sheet
//! shows.

use serde::Serialize;

use super::solve::EPS;
use super::{Params, Solution};
use crate::exact::{Rational, MAX_DEN};
use crate::problems::kind::AnswersOf;
use crate::problems::{KeyCsv, Rows, Vector};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &[],
    answers: &[
        "mu",
        "var",
        "grad_gamma",
        "grad_beta",
        "grad_x",
        "running_mean",
        "running_var",
    ],
};

/// The key's `params`: everything needed to recompute every answer.
#[derive(Serialize)]
pub struct KeyParams {
    /// (N, d), one example per row.
    x: Rows,
    gamma: Vector,
    beta: Vector,
    /// ∂L/∂Y, (N, d).
    grad_y: Rows,
    momentum: f64,
    running_mean: Vector,
    running_var: Vector,
    eps: f64,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    mu: Vector,
    /// The biased variance, the one that normalises.
    var: Vector,
    sigma: Vector,
    x_hat: Rows,
    y: Rows,
    grad_gamma: Vector,
    grad_beta: Vector,
    grad_x: Rows,
    /// ∂L/∂X as fractions ("-5/27").
    grad_x_exact: Vec<Vec<String>>,
    /// N/(N − 1)·σ², what running_var takes.
    var_unbiased: Vector,
    running_mean: Vector,
    running_var: Vector,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            x: Rows(p.x.clone()),
            gamma: Vector(p.gamma.clone()),
            beta: Vector(p.beta.clone()),
            grad_y: Rows(p.grad_y.clone()),
            momentum: p.momentum,
            running_mean: Vector(p.running_mean.clone()),
            running_var: Vector(p.running_var.clone()),
            eps: EPS,
        }
    }
}

/// A value as the fraction the sheet prints, or "?" for one that is not exact (a variant
/// the constraints refuse).
fn fraction(v: f64) -> String {
    Rational::recognize(v, MAX_DEN).map_or_else(|| "?".to_string(), |r| r.to_string())
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(_p: &Params, s: &Solution) -> Self {
        Answers {
            mu: Vector(s.stats.mean.clone()),
            var: Vector(s.stats.var.clone()),
            sigma: Vector(s.stats.std.clone()),
            x_hat: Rows(s.x_hat.clone()),
            y: Rows(s.y.clone()),
            grad_gamma: Vector(s.grad_gamma.clone()),
            grad_beta: Vector(s.grad_beta.clone()),
            grad_x: Rows(s.grad_x.clone()),
            grad_x_exact: s
                .grad_x
                .rows()
                .into_iter()
                .map(|r| r.iter().map(|&v| fraction(v)).collect())
                .collect(),
            var_unbiased: Vector(s.var_unbiased.clone()),
            running_mean: Vector(s.running_mean.clone()),
            running_var: Vector(s.running_var.clone()),
        }
    }
}
