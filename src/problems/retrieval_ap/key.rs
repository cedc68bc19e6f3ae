//! The answer-key entry of a retrieval variant: its parameters and every answer.

use serde_json::{json, Value};

use super::{Params, Solution};
use crate::problems::KeyCsv;
use crate::problems::{rows_json, vec_json};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &[],
    answers: &["ranking", "ap", "ap_fraction"],
};

/// The key entry: (params, answers).
pub fn key(p: &Params, s: &Solution) -> (Value, Value) {
    let params = json!({
        "X": rows_json(&p.x),
        "y": p.y,
        "query": vec_json(&p.query),
        "query_label": p.query_label,
        "similarity": p.similarity,
    });
    let answers = json!({
        "similarities": vec_json(&s.similarities),
        "ranking": s.ranking,
        "relevant": s.relevant,
        "tp": s.table.iter().map(|t| t.tp).collect::<Vec<_>>(),
        "fp": s.table.iter().map(|t| t.fp).collect::<Vec<_>>(),
        "fn": s.table.iter().map(|t| t.fn_).collect::<Vec<_>>(),
        "precision": s.table.iter().map(|t| t.precision).collect::<Vec<_>>(),
        "recall": s.table.iter().map(|t| t.recall).collect::<Vec<_>>(),
        "ap": s.ap,
        "ap_fraction": s.ap_exact.to_string(),
    });
    (params, answers)
}
