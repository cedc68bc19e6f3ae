//! The conv1d entry of key.json: the parameters (W2 and b2 both as values and in units
//! of ln b) and every answer a grader checks.

use serde_json::{json, Value};

use super::{Params, Solution};
use crate::problems::KeyCsv;
use crate::problems::{rows_json, vec_json};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &[],
    answers: &["p", "loss", "grad_kernels"],
};

/// The key entry: (params, answers).
pub fn key(p: &Params, s: &Solution) -> (Value, Value) {
    let params = json!({
        "x": vec_json(&p.x),
        "kernels": rows_json(&p.kernels),
        "W2": rows_json(&p.w2()),
        "b2": vec_json(&p.b2()),
        "ln_base": p.ln_base,
        "W2_units": rows_json(&p.w2_units),
        "b2_units": vec_json(&p.b2_units),
        "y": p.y,
    });
    let answers = json!({
        "h": rows_json(&s.h1),
        "relu": rows_json(&s.h2),
        "pooled": vec_json(&s.pooled),
        "s": vec_json(&s.s),
        "p": vec_json(&s.p),
        "loss": s.loss,
        "grad_s": vec_json(&s.ds),
        "grad_kernels": rows_json(&s.grad_kernels),
    });
    (params, answers)
}
