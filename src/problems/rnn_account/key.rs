//! The answer-key entry of this problem (key.json): its parameters and its answers.

use serde_json::{json, Value};

use super::{Params, Solution};
use crate::problems::KeyCsv;
use crate::problems::{rows_json, vec_json};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &[],
    answers: &["hs", "stack_params"],
};

/// The key entry: (params, answers).
pub fn key(p: &Params, s: &Solution) -> (Value, Value) {
    let params = json!({
        "h0": vec_json(&p.h0),
        "xs": rows_json(&p.xs),
        "stack": p.stack,
    });
    let answers = json!({
        "W_hh": rows_json(&s.w_hh),
        "W_xh": rows_json(&s.w_xh),
        "b_h": vec_json(&s.b_h),
        "hs": rows_json(&s.trace.hs),
        "stack_params": s.stack_params,
        "stack_layers": s.layers,
    });
    (params, answers)
}
