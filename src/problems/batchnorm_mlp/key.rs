//! The answer-key entry of one variant: its parameters and the answers, as JSON.

use serde_json::{json, Value};

use super::{Params, Solution};
use crate::problems::KeyCsv;
use crate::problems::{rows_json, vec_json};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &[],
    answers: &["loss", "W1", "b1", "W2", "b2"],
};

/// The key entry: (params, answers).
pub fn key(p: &Params, s: &Solution) -> (Value, Value) {
    let mut params = json!({
        "X": rows_json(&p.x),
        "y": vec_json(&p.y),
        "W1": rows_json(&p.w1),
        "b1": vec_json(&p.b1),
        "W2": rows_json(&p.w2),
        "b2": vec_json(&p.b2),
        "lr": p.lr,
        "eps": p.eps,
        "batchnorm_backward": p.backward,
    });
    if let Some(d) = p.sigmoid_decimals {
        params["sigmoid_decimals"] = json!(d);
    }
    let answers = json!({
        "h1": rows_json(&s.h1),
        "mu": vec_json(&s.stats.mean),
        "var": vec_json(&s.stats.var),
        "sigma": vec_json(&s.stats.std),
        "h_hat": rows_json(&s.h_hat),
        "s": vec_json(&s.s),
        "p": vec_json(&s.p),
        "loss": s.loss,
        "grad_W1": rows_json(&s.grad_w1),
        "grad_b1": vec_json(&s.grad_b1),
        "grad_W2": rows_json(&s.grad_w2),
        "grad_b2": vec_json(&s.grad_b2),
        "W1": rows_json(&s.w1),
        "b1": vec_json(&s.b1),
        "W2": rows_json(&s.w2),
        "b2": vec_json(&s.b2),
    });
    (params, answers)
}
