//! The spec of a retrieval problem as written (serde types) and its validation into a
//! [`Sampler`]: each pin on its own and against the others, and the `draw:` knobs against
//! the pins, so every error names the field to change.

use ndarray::{Array1, Array2};
use serde::Deserialize;

use super::sampler::Sampler;
use super::Params;
use crate::engine::retrieval::{has_ties, similarities, Similarity};
use crate::problems::{array1, array2};
use crate::spec::knobs::{every_pinned, one_of, range, rows_within, size, size_in, within};
use crate::spec::{rules, FieldError, Points};

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
#[serde(default, deny_unknown_fields)]
pub struct Draw {
    /// Database size (default 4).
    pub items: Option<usize>,
    /// Embedding dimension (default 2).
    pub dim: Option<usize>,
    /// `half_integer` (default, as in 2022) or `integer`.
    pub coordinates: Option<Coordinates>,
    /// Every coordinate lies in this range (default [-1, 4]).
    pub coordinate_range: Option<[i64; 2]>,
    /// Identities are drawn from this range (default [0, 1]).
    pub label_range: Option<[i64; 2]>,
    /// The similarities to draw from (default [inverse_l1]); only those that keep every
    /// value exact on the grid: inverse_l1 and inverse_l2_squared.
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub similarities: Option<Vec<Similarity>>,
}

/// The grid the drawn coordinates lie on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coordinates {
    Integer,
    HalfInteger,
}

/// Largest sizes a knob may ask for: the sheet lists every item and every cut-off.
const MAX_ITEMS: usize = 10;
const MAX_DIM: usize = 4;

/// Whether drawn coordinates keep this similarity exact (not with square roots).
fn drawable(sim: Similarity) -> Result<(), String> {
    if matches!(sim, Similarity::InverseL1 | Similarity::InverseL2Squared) {
        return Ok(());
    }
    let name = serde_json::to_value(sim).map_or_else(|_| format!("{sim:?}"), |v| v.to_string());
    Err(format!(
        "{name} is not exact for drawn coordinates (square roots); draw with inverse_l1 or \
         inverse_l2_squared, or pin X and the query"
    ))
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) x: Option<Array2<f64>>,
    pub(super) y: Option<Vec<i64>>,
    pub(super) query: Option<Array1<f64>>,
    pub(super) query_label: Option<i64>,
    pub(super) similarity: Option<Similarity>,
}

/// The knobs after defaults and pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    pub(super) items: usize,
    pub(super) dim: usize,
    /// Coordinates are multiples of 1/`per_unit` in `coordinate_range`.
    pub(super) per_unit: i64,
    pub(super) coordinate_range: (i64, i64),
    pub(super) label_range: (i64, i64),
    pub(super) similarities: Vec<Similarity>,
}

impl Spec {

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

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        if spec.draw.is_none() {
            every_pinned(&[
                ("X", spec.X.is_some()),
                ("y", spec.y.is_some()),
                ("query", spec.query.is_some()),
                ("query_label", spec.query_label.is_some()),
            ])?;
        }
        let pinned = spec.pinned()?;
        let knobs = match &spec.draw {
            Some(draw) => Some(knobs(draw, &pinned)?),
            None => None,
        };
        let sampler = Sampler {
            points: spec.points,
            pinned,
            knobs,
        };
        if let Some(fixed) = <super::RetrievalAp as crate::problems::Kind>::pinned(&sampler) {
            check_fixed(&fixed)?;
        }
        Ok(sampler)
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
    let dim = size_in(dim_pin, draw.dim, "draw.dim", 2, (1, MAX_DIM))?;
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
    let similarities = one_of(
        &draw.similarities,
        "draw.similarities",
        &[Similarity::InverseL1],
        |&s| drawable(s),
    )?;
    if let Some(sim) = pinned.similarity {
        if pinned.x.is_none() || pinned.query.is_none() {
            drawable(sim).map_err(|message| FieldError::new("similarity", message))?;
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, EXAM_2022};
    use super::*;

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
}
