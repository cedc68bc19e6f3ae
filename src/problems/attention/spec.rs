//! The spec side of the attention problem: the serde types as written in a YAML spec
//! (pins and `draw:` knobs) and their checks into a [`Sampler`], so that every error
//! names the field to change before anything is drawn.

use serde::{Deserialize, Deserializer};

use super::sampler::{Knobs, Pinned, Sampler};
use super::Concept;
use crate::spec::knobs::{
    every_pinned, ln_base_pin, ln_bases, one_of, pinned_in, range, rows_within,
};
use crate::spec::limits::MAX_ENTRIES;
use crate::spec::number::{bounded, Int};
use crate::spec::{FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of them must be.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// The queries, one per row (n × d_k), integers.
    #[serde(default, rename = "Q", deserialize_with = "integer_matrix")]
    pub q: Option<Vec<Vec<i64>>>,
    /// The keys in units of ln b, one per row (n × d_k): K = ln b · K̃.
    #[serde(default, rename = "K", deserialize_with = "integer_matrix")]
    pub k: Option<Vec<Vec<i64>>>,
    /// The values, one per row (n × d_v), integers.
    #[serde(default, rename = "V", deserialize_with = "integer_matrix")]
    pub v: Option<Vec<Vec<i64>>>,
    /// The upstream gradient ∂L/∂O (n × d_v), integers.
    #[serde(default, rename = "G", deserialize_with = "integer_matrix")]
    pub g: Option<Vec<Vec<i64>>>,
    /// The b of the ln b unit of K.
    #[serde(default)]
    pub ln_base: Option<u32>,
    /// Whether the causal mask is applied.
    #[serde(default)]
    pub causal: Option<bool>,
    /// The conceptual sub-question.
    #[serde(default)]
    pub concept: Option<Concept>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant, each optional. Ranges are `[min, max]`, inclusive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// The sequence length n (default [3, 3]; 2 to 4).
    #[serde(default)]
    pub seq_range: Option<[usize; 2]>,
    /// The key dimensions d_k drawn from (default [1, 4]; each 1 or 4).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub key_dims: Option<Vec<usize>>,
    /// The value dimension d_v (default [1, 2]; 1 to 3).
    #[serde(default)]
    pub value_dim_range: Option<[usize; 2]>,
    /// The entries of Q (default [-1, 1]).
    #[serde(default)]
    pub q_range: Option<[i64; 2]>,
    /// The entries of K in units of ln b (default [-1, 1]).
    #[serde(default)]
    pub k_range: Option<[i64; 2]>,
    /// The entries of V (default [-2, 2]).
    #[serde(default)]
    pub v_range: Option<[i64; 2]>,
    /// The entries of G (default [-1, 1]).
    #[serde(default)]
    pub g_range: Option<[i64; 2]>,
    /// The bases b of the ln b unit (default [2]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub ln_bases: Option<Vec<u32>>,
    /// Whether the causal mask is applied (default [false, true]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub causal: Option<Vec<bool>>,
    /// The conceptual sub-questions drawn from (default all three; `mask` is asked only
    /// of a masked variant).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub concepts: Option<Vec<Concept>>,
}

/// The sequence lengths a sheet writes out (n × n scores and weights).
pub const SEQ_LENGTHS: (usize, usize) = (2, 4);
/// The key dimensions: √d_k must be a whole number for the scores to stay multiples
/// of ln b, and d_k = 9 would be too long a dot product to do by hand.
pub const KEY_DIMS: [usize; 2] = [1, 4];
/// The value dimensions a sheet writes out.
pub const VALUE_DIMS: (usize, usize) = (1, 3);

/// A matrix of integers (at most [`MAX_ENTRIES`] rows of at most as many entries, each
/// within the bound of every number), for `deserialize_with`.
fn integer_matrix<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Vec<i64>>>, D::Error> {
    struct IntRow(Vec<i64>);
    impl<'de> Deserialize<'de> for IntRow {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let v: Vec<Int> = bounded(d, MAX_ENTRIES)?;
            Ok(IntRow(v.into_iter().map(|n| n.0).collect()))
        }
    }
    struct Rows(Vec<Vec<i64>>);
    impl<'de> Deserialize<'de> for Rows {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let rows: Vec<IntRow> = bounded(d, MAX_ENTRIES)?;
            Ok(Rows(rows.into_iter().map(|r| r.0).collect()))
        }
    }
    Ok(Option::<Rows>::deserialize(d)?.map(|r| r.0))
}

/// The shape of a pinned matrix: (rows, columns); rectangular with at least one entry.
fn shape(field: &str, rows: &[Vec<i64>]) -> Result<(usize, usize), FieldError> {
    let Some(first) = rows.first() else {
        return Err(FieldError::new(field, "must have at least one row"));
    };
    if first.is_empty() {
        return Err(FieldError::new(
            format!("{field}[0]"),
            "must have at least one column",
        ));
    }
    if let Some(i) = rows.iter().position(|r| r.len() != first.len()) {
        return Err(FieldError::new(
            format!("{field}[{i}]"),
            format!(
                "has {} entries but row 0 has {}; every row needs the same length",
                rows[i].len(),
                first.len()
            ),
        ));
    }
    Ok((rows.len(), first.len()))
}

/// One dimension several pinned matrices fix: they must agree, and it must lie in
/// `allowed`; returns the pinned value (if any).
fn pinned_dim(
    pins: &[(&str, Option<usize>)],
    what: &str,
    allowed: impl Fn(usize) -> bool,
    allowed_text: &str,
) -> Result<Option<usize>, FieldError> {
    let mut found: Option<(&str, usize)> = None;
    for &(field, dim) in pins {
        let Some(d) = dim else { continue };
        if !allowed(d) {
            return Err(FieldError::new(
                field,
                format!("has {what} {d} but it must be {allowed_text}"),
            ));
        }
        match found {
            Some((first, f)) if f != d => {
                return Err(FieldError::new(
                    field,
                    format!("has {what} {d} but {first} has {f}; they must agree"),
                ))
            }
            None => found = Some((field, d)),
            _ => {}
        }
    }
    Ok(found.map(|(_, d)| d))
}

/// A size range knob (`[min, max]` within `bounds`), or the size a pin fixes (which the
/// knob, when given, must allow).
fn size_range(
    pinned: Option<(usize, &str)>,
    knob: Option<[usize; 2]>,
    knob_field: &str,
    default: (usize, usize),
    (min, max): (usize, usize),
    what: &str,
) -> Result<(usize, usize), FieldError> {
    let (lo, hi) = range(knob, knob_field, default)?;
    if lo < min || hi > max {
        return Err(FieldError::new(
            knob_field,
            format!("must lie within [{min}, {max}]: the sheet writes every entry out"),
        ));
    }
    match pinned {
        Some((n, field)) if knob.is_some() && !(lo..=hi).contains(&n) => Err(FieldError::new(
            field,
            format!("has {what} {n} but {knob_field} is [{lo}, {hi}]; change or remove one"),
        )),
        Some((n, _)) => Ok((n, n)),
        None => Ok((lo, hi)),
    }
}

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        if spec.draw.is_none() {
            every_pinned(&[
                ("Q", spec.q.is_some()),
                ("K", spec.k.is_some()),
                ("V", spec.v.is_some()),
                ("G", spec.g.is_some()),
                ("ln_base", spec.ln_base.is_some()),
                ("causal", spec.causal.is_some()),
                ("concept", spec.concept.is_some()),
            ])?;
        }
        let draw = spec.draw.clone().unwrap_or_default();
        let shapes = [("Q", &spec.q), ("K", &spec.k), ("V", &spec.v), ("G", &spec.g)]
            .into_iter()
            .map(|(field, m)| Ok((field, m.as_deref().map(|m| shape(field, m)).transpose()?)))
            .collect::<Result<Vec<_>, FieldError>>()?;
        let dim = |fields: &[&str], pick: fn((usize, usize)) -> usize| -> Vec<(&str, Option<usize>)> {
            shapes
                .iter()
                .filter(|(f, _)| fields.contains(f))
                .map(|&(f, s)| (f, s.map(pick)))
                .collect()
        };
        let (lo, hi) = SEQ_LENGTHS;
        let n = pinned_dim(
            &dim(&["Q", "K", "V", "G"], |s| s.0),
            "rows",
            |n| (lo..=hi).contains(&n),
            &format!("{lo} to {hi} (one row per position)"),
        )?;
        let d_k = pinned_dim(
            &dim(&["Q", "K"], |s| s.1),
            "columns",
            |d| KEY_DIMS.contains(&d),
            "1 or 4 (d_k, so that √d_k is a whole number)",
        )?;
        let (lo, hi) = VALUE_DIMS;
        let d_v = pinned_dim(
            &dim(&["V", "G"], |s| s.1),
            "columns",
            |d| (lo..=hi).contains(&d),
            &format!("{lo} to {hi} (d_v)"),
        )?;
        let first_pinned = |fields: &[&'static str]| {
            fields
                .iter()
                .copied()
                .find(|f| shapes.iter().any(|(g, s)| g == f && s.is_some()))
                .unwrap_or("Q")
        };
        let seq = size_range(
            n.map(|n| (n, first_pinned(&["Q", "K", "V", "G"]))),
            draw.seq_range,
            "draw.seq_range",
            (3, 3),
            SEQ_LENGTHS,
            "rows",
        )?;
        let value_dims = size_range(
            d_v.map(|d| (d, first_pinned(&["V", "G"]))),
            draw.value_dim_range,
            "draw.value_dim_range",
            (1, 2),
            VALUE_DIMS,
            "columns",
        )?;
        let key_dims = one_of(&draw.key_dims, "draw.key_dims", &KEY_DIMS, |d| {
            if KEY_DIMS.contains(d) {
                Ok(())
            } else {
                Err("must be 1 or 4 (d_k, so that √d_k is a whole number)".into())
            }
        })?;
        let key_dims = match d_k {
            Some(d) => {
                if draw.key_dims.is_some() && !key_dims.contains(&d) {
                    let listed: Vec<String> = key_dims.iter().map(usize::to_string).collect();
                    return Err(FieldError::new(
                        first_pinned(&["Q", "K"]),
                        format!(
                            "has columns {d} but draw.key_dims is [{}]; change or remove one",
                            listed.join(", ")
                        ),
                    ));
                }
                vec![d]
            }
            None => key_dims,
        };
        let entry_range = |knob, field, default, pinned: &Option<Vec<Vec<i64>>>, name| {
            let r = range(knob, field, default)?;
            if let Some(rows) = pinned {
                rows_within(name, super::floats(rows).iter(), knob, field)?;
            }
            Ok::<_, FieldError>(r)
        };
        let q_range = entry_range(draw.q_range, "draw.q_range", (-1, 1), &spec.q, "Q")?;
        let k_range = entry_range(draw.k_range, "draw.k_range", (-1, 1), &spec.k, "K")?;
        let v_range = entry_range(draw.v_range, "draw.v_range", (-2, 2), &spec.v, "V")?;
        let g_range = entry_range(draw.g_range, "draw.g_range", (-1, 1), &spec.g, "G")?;
        let ln_bases = ln_bases(&draw.ln_bases)?;
        if let Some(base) = spec.ln_base {
            ln_base_pin(base, &draw.ln_bases)?;
        }
        let causal = one_of(&draw.causal, "draw.causal", &[false, true], |_| Ok(()))?;
        pinned_in(spec.causal, "causal", &draw.causal, "draw.causal")?;
        let concepts = one_of(
            &draw.concepts,
            "draw.concepts",
            &[Concept::Scaling, Concept::Mask, Concept::Strongest],
            |_| Ok(()),
        )?;
        pinned_in(spec.concept, "concept", &draw.concepts, "draw.concepts")?;
        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                q: spec.q,
                k: spec.k,
                v: spec.v,
                g: spec.g,
                ln_base: spec.ln_base,
                causal: spec.causal,
                concept: spec.concept,
            },
            knobs: Knobs {
                seq,
                key_dims,
                value_dims,
                q_range,
                k_range,
                v_range,
                g_range,
                ln_bases,
                causal,
                concepts,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};

    fn error_of(yaml: &str) -> (String, String) {
        let e = sampler(yaml).expect_err("a spec error");
        (e.field, e.message)
    }

    fn field_of(yaml: &str) -> String {
        error_of(yaml).0
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let (field, message) = error_of(&PINNED.replace("concept: scaling\n", ""));
        assert_eq!(field, "concept");
        assert!(message.contains("add a `draw:` section"), "{message}");
        assert_eq!(field_of("causal: true\n"), "Q");
        assert_eq!(field_of(&PINNED.replace("ln_base: 2\n", "")), "ln_base");
    }

    #[test]
    fn shapes_must_agree_and_stay_small() {
        let (field, message) = error_of("K: [[1], [0]]\nQ: [[1], [0], [1]]\ndraw: {}\n");
        assert_eq!(field, "K");
        assert_eq!(message, "has rows 2 but Q has 3; they must agree");
        let (field, message) = error_of("Q: [[1, 0], [0, 1]]\ndraw: {}\n");
        assert_eq!(field, "Q");
        assert!(message.contains("must be 1 or 4"), "{message}");
        assert_eq!(field_of("V: [[1], [0], [1], [1], [0]]\ndraw: {}\n"), "V");
        assert_eq!(field_of("G: [[1, 0, 0, 1]]\ndraw: {}\n"), "G");
        assert_eq!(field_of("V: [[1], [0, 1]]\ndraw: {}\n"), "V[1]");
        assert_eq!(field_of("V: []\ndraw: {}\n"), "V");
        assert_eq!(field_of("G: [[1], [0]]\nV: [[1, 1], [0, 1]]\ndraw: {}\n"), "G");
    }

    #[test]
    fn a_pin_outside_its_knob_names_the_entry_in_the_shared_wording() {
        let (field, message) = error_of("V: [[1], [5]]\ndraw: {v_range: [-2, 2]}\n");
        assert_eq!(field, "V[1][0]");
        assert_eq!(message, "is 5 but draw.v_range is [-2, 2]; change or remove one");
        let (field, message) = error_of("Q: [[1], [0]]\ndraw: {seq_range: [3, 4]}\n");
        assert_eq!(field, "Q");
        assert_eq!(
            message,
            "has rows 2 but draw.seq_range is [3, 4]; change or remove one"
        );
        let (field, message) = error_of("K: [[1], [0]]\ndraw: {key_dims: [4]}\n");
        assert_eq!(field, "K");
        assert_eq!(
            message,
            "has columns 1 but draw.key_dims is [4]; change or remove one"
        );
        let (field, message) = error_of("causal: true\ndraw: {causal: [false]}\n");
        assert_eq!(field, "causal");
        assert_eq!(message, "is true but draw.causal is [false]; change or remove one");
        let (field, message) = error_of("concept: mask\ndraw: {concepts: [scaling]}\n");
        assert_eq!(field, "concept");
        assert!(message.starts_with("is mask but draw.concepts"), "{message}");
        assert_eq!(field_of("ln_base: 3\ndraw: {ln_bases: [2]}\n"), "ln_base");
    }

    #[test]
    fn knobs_are_checked() {
        assert_eq!(field_of("draw: {seq_range: [1, 3]}\n"), "draw.seq_range");
        assert_eq!(field_of("draw: {seq_range: [3, 5]}\n"), "draw.seq_range");
        assert_eq!(field_of("draw: {seq_range: [3, 2]}\n"), "draw.seq_range");
        assert_eq!(field_of("draw: {value_dim_range: [0, 2]}\n"), "draw.value_dim_range");
        assert_eq!(field_of("draw: {key_dims: [1, 2]}\n"), "draw.key_dims[1]");
        assert_eq!(field_of("draw: {key_dims: []}\n"), "draw.key_dims");
        assert_eq!(field_of("draw: {q_range: [1, -1]}\n"), "draw.q_range");
        assert_eq!(field_of("draw: {causal: []}\n"), "draw.causal");
        assert_eq!(field_of("draw: {ln_bases: [1]}\n"), "draw.ln_bases[0]");
    }

    #[test]
    fn a_fractional_or_unknown_entry_is_refused_while_read() {
        let err = serde_yaml::from_str::<super::Spec>("Q: [[1, 0.5]]\n").unwrap_err();
        assert!(err.to_string().starts_with("Q[0][1]: "), "{err}");
        let err = serde_yaml::from_str::<super::Spec>("concept: why\n").unwrap_err();
        assert!(err.to_string().contains("scaling"), "{err}");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        assert_eq!(s.knobs.seq, (3, 3));
        assert_eq!(s.knobs.key_dims, vec![1, 4]);
        assert_eq!(s.knobs.value_dims, (1, 2));
        assert_eq!(s.knobs.causal, vec![false, true]);
        assert_eq!(s.knobs.concepts.len(), 3);
        assert!(sampler(PINNED).unwrap().fixed().is_some());
    }
}
