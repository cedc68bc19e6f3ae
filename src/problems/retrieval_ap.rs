//! Problem 2: image retrieval with metric embeddings — similarities, the ranking, the
//! precision/recall table at every cut-off, the PR curve and the average precision.
//!
//! Shapes: the database X is (n, d) with one embedding per row, labels y (n), the query
//! (d). AP = Σ_n (R_n − R_{n−1}) P_n over the cut-offs n = 1..N (R_0 = 0). The engine
//! computes it in floats; `solve` also computes it exactly from the TP/FP counts, and the
//! two must agree.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: the similarity (from `similarities`), the query (coordinates uniform on the
//! grid of `coordinates` in `coordinate_range`), the database rows in order (the same),
//! the query label (uniform in `label_range`, or among the labels of a pinned y that
//! leave at least two relevant and one irrelevant item), then y: the number of relevant
//! items (uniform from 2 to n − 1), which items they are (a shuffle), and the label of
//! each irrelevant item (uniform among the other labels). A candidate that breaks a
//! constraint is rejected as a whole.

use ndarray::{Array1, Array2};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{array1, array2, rows_json, vec_json};
use crate::draw::{
    all, broken, draw_until, int_in, pick, shuffle, Candidate, Constraint, DrawError, VariantRng,
};
use crate::engine::retrieval::{
    average_precision, has_ties, pr_table, rank_descending, similarities, PrPoint, Similarity,
};
use crate::exact::Rational;
use crate::spec::knobs::{rows_within, within};
use crate::spec::rules::{missing, range, size};
use crate::spec::{rules, FieldError, Points};

pub const KIND: &str = "retrieval_ap";

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section X, y, query and query_label must be (`similarity` defaults to `inverse_l1`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// The database embeddings, one per row.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub X: Option<Vec<Vec<f64>>>,
    /// The database identities (class labels), one per row of X.
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub y: Option<Vec<i64>>,
    /// The query's embedding.
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub query: Option<Vec<f64>>,
    /// The query's identity; items with this label are the relevant ones.
    #[serde(default, deserialize_with = "crate::spec::number::integer")]
    pub query_label: Option<i64>,
    /// Without `draw:` the default is `inverse_l1`; with it, unpinned, it is drawn from
    /// `draw.similarities`.
    #[serde(default)]
    pub similarity: Option<Similarity>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant; each one optional, the defaults are the 2022
/// exam's sizes and value ranges. Ranges are `[min, max]`, inclusive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// Database size (default 4).
    #[serde(default)]
    pub items: Option<usize>,
    /// Embedding dimension (default 2).
    #[serde(default)]
    pub dim: Option<usize>,
    /// `half_integer` (default, as in 2022) or `integer`.
    #[serde(default)]
    pub coordinates: Option<Coordinates>,
    /// Every coordinate lies in this range (default [-1, 4]).
    #[serde(default)]
    pub coordinate_range: Option<[i64; 2]>,
    /// Identities are drawn from this range (default [0, 1]).
    #[serde(default)]
    pub label_range: Option<[i64; 2]>,
    /// The similarities to draw from (default [inverse_l1]); only those that keep every
    /// value exact on the grid: inverse_l1 and inverse_l2_squared.
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub similarities: Option<Vec<Similarity>>,
}

/// The grid the drawn coordinates lie on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coordinates {
    Integer,
    HalfInteger,
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

/// Largest sizes a knob may ask for: the sheet lists every item and every cut-off.
const MAX_ITEMS: usize = 10;
const MAX_DIM: usize = 4;

/// Whether drawn coordinates keep this similarity exact.
fn exact_on_grid(sim: Similarity) -> bool {
    matches!(sim, Similarity::InverseL1 | Similarity::InverseL2Squared)
}

fn not_drawable(sim: Similarity) -> String {
    let name = serde_json::to_value(sim).map_or_else(|_| format!("{sim:?}"), |v| v.to_string());
    format!(
        "{name} is not exact for drawn coordinates (square roots); draw with inverse_l1 or \
         inverse_l2_squared, or pin X and the query"
    )
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
struct Pinned {
    x: Option<Array2<f64>>,
    y: Option<Vec<i64>>,
    query: Option<Array1<f64>>,
    query_label: Option<i64>,
    similarity: Option<Similarity>,
}

/// The knobs after defaults and pins.
#[derive(Clone, Debug, PartialEq)]
struct Knobs {
    items: usize,
    dim: usize,
    /// Coordinates are multiples of 1/`per_unit` in `coordinate_range`.
    per_unit: i64,
    coordinate_range: (i64, i64),
    label_range: (i64, i64),
    similarities: Vec<Similarity>,
}

impl Spec {
    /// The sampler of this problem: pinned parameters are checked here, once.
    pub fn sampler(self) -> Result<Sampler, FieldError> {
        if self.draw.is_none() {
            let pins = [
                ("X", self.X.is_some()),
                ("y", self.y.is_some()),
                ("query", self.query.is_some()),
                ("query_label", self.query_label.is_some()),
            ];
            if let Some((field, _)) = pins.iter().find(|(_, pinned)| !pinned) {
                return Err(missing(field));
            }
        }
        let pinned = self.pinned()?;
        let knobs = match &self.draw {
            Some(draw) => Some(knobs(draw, &pinned)?),
            None => None,
        };
        let sampler = Sampler {
            points: self.points,
            pinned,
            knobs,
        };
        if let Some(fixed) = sampler.fixed() {
            check_fixed(&fixed)?;
        }
        Ok(sampler)
    }

    /// Each pinned field on its own and against the other pins.
    fn pinned(&self) -> Result<Pinned, FieldError> {
        let x_shape = match &self.X {
            Some(x) => Some(rules::matrix("X", x)?),
            None => None,
        };
        if let (Some(y), Some((n, _))) = (&self.y, x_shape) {
            if y.len() != n {
                return Err(FieldError::new(
                    "y",
                    format!(
                        "has {} labels but X has {n} rows; give one label per row",
                        y.len()
                    ),
                ));
            }
        }
        if let Some(q) = &self.query {
            match x_shape {
                Some((_, d)) => {
                    rules::length("query", q, d, "the query has the embeddings' dimension")?
                }
                None => rules::finite("query", q)?,
            }
            if q.is_empty() {
                return Err(FieldError::new("query", "must have at least one entry"));
            }
        }
        if let (Some(y), Some(label)) = (&self.y, self.query_label) {
            if !y.contains(&label) {
                return Err(FieldError::new(
                    "query_label",
                    format!("no database item has label {label}, so recall and AP are undefined"),
                ));
            }
        }
        Ok(Pinned {
            x: self.X.as_deref().map(array2),
            y: self.y.clone(),
            query: self.query.as_deref().map(array1),
            query_label: self.query_label,
            similarity: self.similarity,
        })
    }
}

/// The checks a fully pinned problem had before constraints existed, with their messages.
fn check_fixed(p: &Params) -> Result<(), FieldError> {
    let sims = similarities(p.similarity, &p.x, p.query.view());
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
    Ok(())
}

/// The knobs of a `draw:` section checked against the pins.
fn knobs(draw: &Draw, pinned: &Pinned) -> Result<Knobs, FieldError> {
    let items_pin = pinned
        .x
        .as_ref()
        .map(|x| (x.nrows(), "X"))
        .or(pinned.y.as_ref().map(|y| (y.len(), "y")));
    let items = size(items_pin, draw.items, "draw.items", 4)?;
    if items < 3 || (items_pin.is_none() && items > MAX_ITEMS) {
        let field = items_pin.map_or("draw.items", |(_, f)| f);
        return Err(FieldError::new(
            field,
            format!(
                "a drawn variant needs 3 to {MAX_ITEMS} database items (two relevant, one not)"
            ),
        ));
    }
    let dim_pin = pinned
        .x
        .as_ref()
        .map(|x| (x.ncols(), "X"))
        .or(pinned.query.as_ref().map(|q| (q.len(), "query")));
    let dim = size(dim_pin, draw.dim, "draw.dim", 2)?;
    if dim_pin.is_none() && !(1..=MAX_DIM).contains(&dim) {
        return Err(FieldError::new(
            "draw.dim",
            format!("must be 1 to {MAX_DIM}"),
        ));
    }
    let per_unit = match draw.coordinates.unwrap_or(Coordinates::HalfInteger) {
        Coordinates::Integer => 1,
        Coordinates::HalfInteger => 2,
    };
    let coordinate_range = range(draw.coordinate_range, "draw.coordinate_range", (-1, 4))?;
    if let Some(x) = &pinned.x {
        rows_within(
            "X",
            x.rows(),
            draw.coordinate_range,
            "draw.coordinate_range",
        )?;
    }
    if let Some(q) = &pinned.query {
        within("query", q, draw.coordinate_range, "draw.coordinate_range")?;
    }
    let label_range = range(draw.label_range, "draw.label_range", (0, 1))?;
    if label_range.0 == label_range.1 && pinned.y.is_none() {
        return Err(FieldError::new(
            "draw.label_range",
            "needs at least two identities, or no item could be irrelevant",
        ));
    }
    let similarities = draw
        .similarities
        .clone()
        .unwrap_or_else(|| vec![Similarity::InverseL1]);
    if similarities.is_empty() {
        return Err(FieldError::new(
            "draw.similarities",
            "must name at least one similarity",
        ));
    }
    if let Some(i) = similarities.iter().position(|&s| !exact_on_grid(s)) {
        return Err(FieldError::new(
            format!("draw.similarities[{i}]"),
            not_drawable(similarities[i]),
        ));
    }
    if let Some(sim) = pinned.similarity {
        let all_pinned = pinned.x.is_some() && pinned.query.is_some();
        if !exact_on_grid(sim) && !all_pinned {
            return Err(FieldError::new("similarity", not_drawable(sim)));
        }
        if draw.similarities.is_some() {
            return Err(FieldError::new(
                "draw.similarities",
                "the similarity is pinned by `similarity`; remove one of them",
            ));
        }
    }
    Ok(Knobs {
        items,
        dim,
        per_unit,
        coordinate_range,
        label_range,
        similarities,
    })
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
    points: Points,
    pinned: Pinned,
    /// None when the spec has no `draw:` section (then every parameter is pinned).
    knobs: Option<Knobs>,
}

/// The largest denominator a similarity may have to count as exact.
const MAX_SIMILARITY_DENOMINATOR: i64 = crate::render::latex::MAX_DEN;

const TWO_RELEVANT: Constraint<Params, Solution> = Constraint {
    name: "two_relevant",
    description: "at least two database items share the query's label",
    holds: |_, s| s.relevant.iter().filter(|&&r| r).count() >= 2,
};

/// Why a candidate, or a part of one, was given up.
type Rejection = crate::draw::Rejection<Params, Solution>;

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "distinct_distances",
        description: "no item equals the query and no two items are equally similar to it, \
                      so the ranking is unambiguous",
        holds: |_, s| {
            s.similarities.iter().all(|v| v.is_finite()) && !has_ties(&s.similarities, 1e-12)
        },
    },
    TWO_RELEVANT,
    Constraint {
        name: "one_irrelevant",
        description: "at least one database item has another label",
        holds: |_, s| s.relevant.iter().any(|&r| !r),
    },
    Constraint {
        name: "ap_below_one",
        description: "some irrelevant item ranks above a relevant one, so AP < 1",
        holds: |_, s| s.ap_exact != Rational::ONE,
    },
    Constraint {
        name: "similarities_exact",
        description: "every similarity is a fraction (denominator at most 5040) equal to its \
                      exact value from the coordinates, so none is printed rounded or as 0",
        holds: |p, s| {
            (0..p.x.nrows()).all(|k| {
                Rational::recognize(s.similarities[k], MAX_SIMILARITY_DENOMINATOR)
                    .is_some_and(|shown| shows_exactly(p, k, shown))
            })
        },
    },
    Constraint {
        name: crate::draw::PRINTED_EXACT,
        description:
            "every value the solution prints as exact is a fraction with denominator at most \
                      5040 (or such a multiple of ln b), checked with the sheet's own formatting",
        holds: |p, s| {
            crate::render::retrieval_ap::question(p).is_ok()
                && crate::render::retrieval_ap::solution(p, s).is_ok()
        },
    },
];

/// Whether `shown` is exactly the similarity of item `k`, computed in rationals from the
/// coordinates (spec numbers and drawn coordinates are exact fractions). The float
/// recognition alone takes anything within 1e-9 for 0: with coordinates near 10⁶ every
/// inverse similarity would print as 0 while the ranking used the true values. The
/// square-root similarities are checked through their squares. A coordinate that is not
/// a small fraction, or arithmetic that leaves i64, counts as not exact.
fn shows_exactly(p: &Params, k: usize, shown: Rational) -> bool {
    let exact_sum = |term: &dyn Fn(Rational, Rational) -> Option<Rational>| {
        p.query
            .iter()
            .zip(p.x.row(k).iter())
            .try_fold(Rational::ZERO, |sum, (&q, &x)| {
                let q = Rational::exactly(q, MAX_SIMILARITY_DENOMINATOR)?;
                let x = Rational::exactly(x, MAX_SIMILARITY_DENOMINATOR)?;
                sum.checked_add(term(q, x)?)
            })
    };
    let squared_distance = || {
        exact_sum(&|q, x| {
            let d = q.checked_sub(x)?;
            d.checked_mul(d)
        })
    };
    let square = |r: Rational| r.checked_mul(r);
    let holds = || -> Option<bool> {
        Some(match p.similarity {
            Similarity::InverseL1 => {
                let distance = exact_sum(&|q, x| Some(q.checked_sub(x)?.abs()))?;
                shown.checked_mul(distance)? == Rational::ONE
            }
            Similarity::InverseL2Squared => {
                shown.checked_mul(squared_distance()?)? == Rational::ONE
            }
            Similarity::NegativeL2 => shown.signum() <= 0 && square(shown)? == squared_distance()?,
            Similarity::Cosine => {
                let dot = exact_sum(&|q, x| q.checked_mul(x))?;
                let q_norm = exact_sum(&|q, _| q.checked_mul(q))?;
                let x_norm = exact_sum(&|_, x| x.checked_mul(x))?;
                shown.signum() == dot.signum()
                    && square(shown)?.checked_mul(q_norm)?.checked_mul(x_norm)? == square(dot)?
            }
        })
    };
    holds().unwrap_or(false)
}

/// A coordinate on the grid: a multiple of 1/`per_unit` in `range`.
fn coordinate(rng: &mut VariantRng, per_unit: i64, (lo, hi): (i64, i64)) -> f64 {
    int_in(rng, lo * per_unit, hi * per_unit) as f64 / per_unit as f64
}

impl Sampler {
    /// Whether every parameter is pinned (the draw then ignores the generator).
    pub fn is_fixed(&self) -> bool {
        self.fixed().is_some()
    }

    fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        let similarity = match (&self.knobs, p.similarity) {
            (_, Some(s)) => s,
            (None, None) => Similarity::InverseL1,
            (Some(k), None) if k.similarities.len() == 1 => k.similarities[0],
            (Some(_), None) => return None,
        };
        Some(Params {
            points: self.points,
            x: p.x.clone()?,
            y: p.y.clone()?,
            query: p.query.clone()?,
            query_label: p.query_label?,
            similarity,
        })
    }

    /// Every constraint that can reject a candidate of this sampler (or break a pinned
    /// variant): what `examgen check` lists.
    pub fn constraints(&self) -> Vec<Rejection> {
        all(CONSTRAINTS)
    }

    /// One variant: parameters, their solution, and how many candidates it took.
    pub fn draw(&self, rng: &mut VariantRng) -> Result<(Params, Solution, usize), DrawError> {
        if let Some(fixed) = self.fixed() {
            let solution = solve(&fixed);
            return match broken(&fixed, &solution, &self.constraints()).first() {
                Some(&constraint) => Err(DrawError {
                    constraint,
                    tries: 1,
                }),
                None => Ok((fixed, solution, 1)),
            };
        }
        draw_until(rng, |rng| self.candidate(rng), solve, &self.constraints())
    }

    fn candidate(&self, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let k = self
            .knobs
            .as_ref()
            .expect("a sampler that draws has a draw: section");
        let p = &self.pinned;
        let similarity = match p.similarity {
            Some(s) => s,
            None => *pick(rng, &k.similarities),
        };
        let query = match &p.query {
            Some(q) => q.clone(),
            None => {
                Array1::from_shape_fn(k.dim, |_| coordinate(rng, k.per_unit, k.coordinate_range))
            }
        };
        let x = match &p.x {
            Some(x) => x.clone(),
            None => {
                let values: Vec<f64> = (0..k.items * k.dim)
                    .map(|_| coordinate(rng, k.per_unit, k.coordinate_range))
                    .collect();
                Array2::from_shape_vec((k.items, k.dim), values).expect("items · dim values")
            }
        };
        let (query_label, y) = match (p.query_label, &p.y) {
            (Some(label), Some(y)) => (label, y.clone()),
            (None, Some(y)) => (query_label_for(rng, y)?, y.clone()),
            (label, None) => {
                let (lo, hi) = k.label_range;
                let label = label.unwrap_or_else(|| int_in(rng, lo, hi));
                (label, self.labels(rng, label))
            }
        };
        Ok(Params {
            points: self.points,
            x,
            y,
            query,
            query_label,
            similarity,
        })
    }

    /// Database labels with 2..n−1 items relevant to `query_label`.
    fn labels(&self, rng: &mut VariantRng, query_label: i64) -> Vec<i64> {
        let k = self.knobs.as_ref().expect("drawing");
        let n = k.items;
        let relevant = int_in(rng, 2, n as i64 - 1) as usize;
        let mut order: Vec<usize> = (0..n).collect();
        shuffle(rng, &mut order);
        // Never empty: the label range has at least two identities.
        let others: Vec<i64> = (k.label_range.0..=k.label_range.1)
            .filter(|&l| l != query_label)
            .collect();
        let mut y = vec![query_label; n];
        for &i in &order[relevant..] {
            y[i] = *pick(rng, &others);
        }
        y
    }
}

/// A query label for pinned database labels: one held by at least two items but not all.
fn query_label_for(rng: &mut VariantRng, y: &[i64]) -> Result<i64, Rejection> {
    let mut labels: Vec<i64> = y.to_vec();
    labels.sort_unstable();
    labels.dedup();
    let usable: Vec<i64> = labels
        .into_iter()
        .filter(|l| {
            let count = y.iter().filter(|v| *v == l).count();
            count >= 2 && count < y.len()
        })
        .collect();
    if usable.is_empty() {
        return Err(&TWO_RELEVANT);
    }
    Ok(*pick(rng, &usable))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::problem_rng;

    const EXAM_2022: &str = "X: [[1, 0], [3, -1], [-0.5, 0.5], [1, 4]]
y: [1, 1, 0, 1]
query: [1, 1]
query_label: 1
similarity: inverse_l1
";

    fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        serde_yaml::from_str::<Spec>(yaml)
            .expect("the test spec parses")
            .sampler()
    }

    fn field_error(yaml: &str) -> FieldError {
        sampler(yaml).expect_err("the spec is refused")
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let e = field_error(&EXAM_2022.replace("query: [1, 1]\n", ""));
        assert_eq!(e.field, "query");
        assert!(
            e.message.contains("pin it or add a `draw:` section"),
            "{e:?}"
        );
        // similarity has a default, as before.
        assert!(sampler(&EXAM_2022.replace("similarity: inverse_l1\n", "")).is_ok());
    }

    #[test]
    fn min_above_max_is_an_error_on_the_range() {
        let e = field_error("draw:\n  coordinate_range: [4, -1]\n");
        assert_eq!(e.field, "draw.coordinate_range");
        assert!(e.message.contains("greater than max"), "{e:?}");
        assert_eq!(
            field_error("draw:\n  label_range: [2, 1]\n").field,
            "draw.label_range"
        );
    }

    #[test]
    fn pins_that_contradict_the_knobs_are_errors() {
        let e = field_error("X: [[1, 0], [3, -1], [2, 2]]\ndraw:\n  items: 4\n");
        assert_eq!(e.field, "draw.items");
        assert!(e.message.contains("pinned `X`"), "{e:?}");
        assert_eq!(
            field_error("query: [1, 1, 1]\ndraw:\n  dim: 2\n").field,
            "draw.dim"
        );
        // The exact entry, in the words every kind uses.
        let e = field_error("query: [9, 1]\ndraw:\n  coordinate_range: [0, 4]\n");
        assert_eq!(e.field, "query[0]");
        assert_eq!(
            e.message,
            "is 9 but draw.coordinate_range is [0, 4]; change or remove one"
        );
        assert_eq!(
            field_error("similarity: inverse_l1\ndraw:\n  similarities: [inverse_l1]\n").field,
            "draw.similarities"
        );
        assert_eq!(field_error("y: [1, 0]\ndraw: {}\n").field, "y");
    }

    #[test]
    fn inexact_similarities_are_not_drawn() {
        let e = field_error("draw:\n  similarities: [inverse_l1, cosine]\n");
        assert_eq!(e.field, "draw.similarities[1]");
        assert!(e.message.contains("cosine"), "{e:?}");
        assert_eq!(
            field_error("similarity: negative_l2\ndraw: {}\n").field,
            "similarity"
        );
        assert_eq!(
            field_error("draw:\n  label_range: [1, 1]\n").field,
            "draw.label_range"
        );
    }

    #[test]
    fn the_2022_exam_satisfies_every_constraint() {
        for yaml in [EXAM_2022.to_string(), format!("{EXAM_2022}draw: {{}}\n")] {
            let s = sampler(&yaml).expect("valid");
            assert!(s.is_fixed());
            let (p, sol, tries) = s.draw(&mut problem_rng(5, 6, 7, 0)).expect("draws");
            assert_eq!(tries, 1);
            assert_eq!(sol.ap_exact, Rational::new(29, 36));
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
        }
    }

    #[test]
    fn a_pinned_variant_that_breaks_a_constraint_is_a_draw_error() {
        // Both relevant items rank first: AP = 1.
        let yaml =
            "X: [[1, 0], [3, -1], [-0.5, 0.5]]\ny: [1, 0, 1]\nquery: [1, 1]\nquery_label: 1\n";
        let e = sampler(yaml)
            .expect("valid")
            .draw(&mut problem_rng(0, 0, 0, 0))
            .expect_err("AP = 1");
        assert_eq!(
            e,
            DrawError {
                constraint: "ap_below_one",
                tries: 1
            }
        );
    }

    #[test]
    fn drawn_variants_keep_pins_and_constraints() {
        let s = sampler("query: [1, 1]\ndraw:\n  similarities: [inverse_l1, inverse_l2_squared]\n")
            .expect("valid");
        assert!(!s.is_fixed());
        for student in 0..100 {
            let (p, sol, _) = s.draw(&mut problem_rng(9, student, 1, 0)).expect("draws");
            assert_eq!(p.query, ndarray::array![1.0, 1.0]);
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            assert!(p.x.iter().all(|v| (v * 2.0).fract() == 0.0));
        }
        let labelled =
            sampler("y: [3, 3, 5, 3, 5]\ndraw:\n  coordinates: integer\n").expect("valid");
        for student in 0..100 {
            let (p, sol, _) = labelled
                .draw(&mut problem_rng(9, student, 1, 0))
                .expect("draws");
            assert!(p.query_label == 3 || p.query_label == 5);
            assert!(p.x.iter().all(|v| v.fract() == 0.0));
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
        }
    }
}
