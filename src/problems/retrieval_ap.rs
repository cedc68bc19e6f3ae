//! Problem 2: image retrieval with metric embeddings — similarities, the ranking, the
//! precision/recall table at every cut-off, the PR curve and the average precision.
//!
//! Shapes: the database X is (n, d) with one embedding per row, labels y (n), the query
//! (d). AP = Σ_n (R_n − R_{n−1}) P_n over the cut-offs n = 1..N (R_0 = 0). The engine
//! computes it in floats; `solve` also computes it exactly from the TP/FP counts, and the
//! two must agree.

use ndarray::{Array1, Array2};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{array1, array2, rows_json, vec_json};
use crate::draw::{broken, Constraint, DrawError, VariantRng};
use crate::engine::retrieval::{
    average_precision, has_ties, pr_table, rank_descending, similarities, PrPoint, Similarity,
};
use crate::exact::Rational;
use crate::spec::{rules, FieldError, Points};

pub const KIND: &str = "retrieval_ap";

/// The problem as written in a spec.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// The database embeddings, one per row.
    pub X: Vec<Vec<f64>>,
    /// The database identities (class labels), one per row of X.
    pub y: Vec<i64>,
    /// The query's embedding.
    pub query: Vec<f64>,
    /// The query's identity; items with this label are the relevant ones.
    pub query_label: i64,
    #[serde(default = "inverse_l1")]
    pub similarity: Similarity,
}

fn inverse_l1() -> Similarity {
    Similarity::InverseL1
}

/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub x: Array2<f64>,
    pub y: Vec<i64>,
    pub query: Array1<f64>,
    pub query_label: i64,
    pub similarity: Similarity,
}

impl Spec {
    /// The sampler of this problem; for now every parameter is pinned.
    pub fn sampler(self) -> Result<Sampler, FieldError> {
        Ok(Sampler {
            fixed: self.check()?,
        })
    }

    fn check(self) -> Result<Params, FieldError> {
        let (n, d) = rules::matrix("X", &self.X)?;
        if self.y.len() != n {
            return Err(FieldError::new(
                "y",
                format!(
                    "has {} labels but X has {n} rows; give one label per row",
                    self.y.len()
                ),
            ));
        }
        rules::length(
            "query",
            &self.query,
            d,
            "the query has the embeddings' dimension",
        )?;
        let relevant = self.y.iter().filter(|&&l| l == self.query_label).count();
        if relevant == 0 {
            return Err(FieldError::new(
                "query_label",
                format!(
                    "no database item has label {}, so recall and AP are undefined",
                    self.query_label
                ),
            ));
        }
        let params = Params {
            points: self.points,
            x: array2(&self.X),
            y: self.y,
            query: array1(&self.query),
            query_label: self.query_label,
            similarity: self.similarity,
        };
        let sims = similarities(params.similarity, &params.x, params.query.view());
        if let Some(i) = sims.iter().position(|s| !s.is_finite()) {
            return Err(FieldError::new(
                format!("X[{i}]"),
                "equals the query, so the distance is 0 and the similarity is infinite",
            ));
        }
        if has_ties(&sims, 1e-12) {
            return Err(FieldError::new(
                "X",
                "two database items are equally similar to the query, so the ranking is ambiguous; \
                 move one of them",
            ));
        }
        Ok(params)
    }
}

/// A point of the precision-recall curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    pub recall: f64,
    pub precision: f64,
}

/// Every intermediate of the worked solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    pub similarities: Array1<f64>,
    /// Database indices, most similar first.
    pub ranking: Vec<usize>,
    /// Whether each database item is relevant to the query.
    pub relevant: Vec<bool>,
    /// One row per cut-off n = 1..N.
    pub table: Vec<PrPoint>,
    pub ap: f64,
    /// AP computed exactly from the counts (checked equal to `ap`).
    pub ap_exact: Rational,
    /// The PR curve as the seed draws it: one point per recall level (the best precision
    /// at that recall) and, when no cut-off has R = 0, the point (0, P at the smallest R).
    pub curve: Vec<CurvePoint>,
}

pub fn solve(p: &Params) -> Solution {
    let sims = similarities(p.similarity, &p.x, p.query.view());
    let ranking = rank_descending(&sims);
    let relevant: Vec<bool> = p.y.iter().map(|&l| l == p.query_label).collect();
    let table = pr_table(&ranking, &relevant);
    let ap = average_precision(&table);
    let ap_exact = exact_ap(&table);
    assert!(
        (ap - ap_exact.to_f64()).abs() < 1e-9,
        "engine AP {ap} disagrees with the exact AP {ap_exact}"
    );
    Solution {
        curve: pr_curve(&table),
        similarities: sims,
        ranking,
        relevant,
        table,
        ap,
        ap_exact,
    }
}

/// AP from the counts alone: Σ over cut-offs of ΔTP/(TP+FN) · TP/(TP+FP).
pub fn exact_ap(table: &[PrPoint]) -> Rational {
    let mut previous_tp = 0;
    let mut ap = Rational::ZERO;
    for point in table {
        let total_relevant = (point.tp + point.fn_) as i64;
        let delta_recall = Rational::new((point.tp - previous_tp) as i64, total_relevant);
        ap = ap + delta_recall * Rational::new(point.tp as i64, (point.tp + point.fp) as i64);
        previous_tp = point.tp;
    }
    ap
}

/// The seed's convention for the curve: the best precision at each recall level, and an
/// added R = 0 point with the precision of the smallest recall.
pub fn pr_curve(table: &[PrPoint]) -> Vec<CurvePoint> {
    let mut curve: Vec<CurvePoint> = Vec::new();
    for point in table {
        match curve.iter_mut().find(|c| c.recall == point.recall) {
            Some(c) => c.precision = c.precision.max(point.precision),
            None => curve.push(CurvePoint {
                recall: point.recall,
                precision: point.precision,
            }),
        }
    }
    curve.sort_by(|a, b| a.recall.total_cmp(&b.recall));
    if let Some(first) = curve.first().copied() {
        if first.recall > 0.0 {
            curve.insert(
                0,
                CurvePoint {
                    recall: 0.0,
                    precision: first.precision,
                },
            );
        }
    }
    curve
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
