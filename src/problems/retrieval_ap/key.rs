//! The retrieval_ap entry of key.json: the database, the query and every answer a grader
//! checks (similarities, ranking, the precision/recall table, AP).

use serde::Serialize;

use super::{Params, Solution};
use crate::problems::kind::AnswersOf;
use crate::engine::retrieval::Similarity;
use crate::problems::{KeyCsv, Rows, Vector};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &[],
    answers: &["ranking", "ap", "ap_fraction"],
};

/// The key's `params`.
#[derive(Serialize)]
pub struct KeyParams {
    #[serde(rename = "X")]
    x: Rows,
    y: Vec<i64>,
    query: Vector,
    query_label: i64,
    similarity: Similarity,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    similarities: Vector,
    ranking: Vec<usize>,
    relevant: Vec<bool>,
    tp: Vec<usize>,
    fp: Vec<usize>,
    #[serde(rename = "fn")]
    fn_: Vec<usize>,
    precision: Vec<f64>,
    recall: Vec<f64>,
    ap: f64,
    ap_fraction: String,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            x: Rows(p.x.clone()),
            y: p.y.clone(),
            query: Vector(p.query.clone()),
            query_label: p.query_label,
            similarity: p.similarity,
        }
    }
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(_p: &Params, s: &Solution) -> Self {
        Answers {
            similarities: Vector(s.similarities.clone()),
            ranking: s.ranking.clone(),
            relevant: s.relevant.clone(),
            tp: s.table.iter().map(|t| t.tp).collect(),
            fp: s.table.iter().map(|t| t.fp).collect(),
            fn_: s.table.iter().map(|t| t.fn_).collect(),
            precision: s.table.iter().map(|t| t.precision).collect(),
            recall: s.table.iter().map(|t| t.recall).collect(),
            ap: s.ap,
            ap_fraction: s.ap_exact.to_string(),
        }
    }
}
