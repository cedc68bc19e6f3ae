//! The softmax_ce entry of key.json: the exponents and the logits they stand for, and
//! every answer a grader checks, as numbers and as the exact fractions the sheet shows.

use serde::Serialize;

use super::{Params, Solution};
use crate::problems::kind::AnswersOf;
use crate::exact::Rational;
use crate::problems::{KeyCsv, Vector};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &[],
    answers: &["p", "loss", "grad_z"],
};

/// The key's `params`: everything needed to recompute every answer.
#[derive(Serialize)]
pub struct KeyParams {
    /// The exponents e (the logits in units of ln b), as the spec writes them.
    logits: Vec<i64>,
    ln_base: u32,
    y: usize,
    /// The logits themselves, ln b · e.
    z: Vector,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    p: Vector,
    /// p as fractions ("4/15").
    p_exact: Option<Vec<String>>,
    loss: f64,
    /// The loss as the logarithm of a fraction ("ln(15/8)").
    loss_exact: Option<String>,
    grad_z: Vector,
    /// ∂L/∂z as fractions.
    grad_z_exact: Option<Vec<String>>,
    /// ∂L/∂e = ln b · ∂L/∂z.
    grad_e: Vector,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            logits: p.logits.clone(),
            ln_base: p.ln_base,
            y: p.y,
            z: Vector(p.z()),
        }
    }
}

fn strings(values: &[Rational]) -> Vec<String> {
    values.iter().map(Rational::to_string).collect()
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(p: &Params, s: &Solution) -> Self {
        Answers {
            p: Vector(s.p.clone()),
            p_exact: s.p_exact.as_deref().map(strings),
            loss: s.loss,
            loss_exact: s
                .p_exact
                .as_ref()
                .map(|q| format!("ln({})", Rational::ONE / q[p.y])),
            grad_z: Vector(s.grad_z.clone()),
            grad_z_exact: s.grad_z_exact(p.y).as_deref().map(strings),
            grad_e: Vector(s.grad_e.clone()),
        }
    }
}
