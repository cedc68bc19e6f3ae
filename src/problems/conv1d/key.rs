//! The conv1d entry of key.json: the parameters (W2 and b2 both as values and in units
//! of ln b) and every answer a grader checks.

use serde::Serialize;

use super::{Params, Solution};
use crate::problems::kind::AnswersOf;
use crate::problems::{KeyCsv, Rows, Vector};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &[],
    answers: &["p", "loss", "grad_kernels"],
};

/// The key's `params`.
#[derive(Serialize)]
pub struct KeyParams {
    x: Vector,
    kernels: Rows,
    #[serde(rename = "W2")]
    w2: Rows,
    b2: Vector,
    ln_base: u32,
    #[serde(rename = "W2_units")]
    w2_units: Rows,
    b2_units: Vector,
    y: usize,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    h: Rows,
    relu: Rows,
    pooled: Vector,
    s: Vector,
    p: Vector,
    loss: f64,
    grad_s: Vector,
    grad_kernels: Rows,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            x: Vector(p.x.clone()),
            kernels: Rows(p.kernels.clone()),
            w2: Rows(p.w2()),
            b2: Vector(p.b2()),
            ln_base: p.ln_base,
            w2_units: Rows(p.w2_units.clone()),
            b2_units: Vector(p.b2_units.clone()),
            y: p.y,
        }
    }
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(_p: &Params, s: &Solution) -> Self {
        Answers {
            h: Rows(s.h1.clone()),
            relu: Rows(s.h2.clone()),
            pooled: Vector(s.pooled.clone()),
            s: Vector(s.s.clone()),
            p: Vector(s.p.clone()),
            loss: s.loss,
            grad_s: Vector(s.ds.clone()),
            grad_kernels: Rows(s.grad_kernels.clone()),
        }
    }
}
