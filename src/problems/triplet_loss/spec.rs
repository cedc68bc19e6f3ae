//! The spec side of the triplet_loss problem: the serde types as written in a YAML spec
//! (pins and `draw:` knobs) and their checks into a [`Sampler`], so that every error
//! names the field to change before anything is drawn.

use serde::{Deserialize, Deserializer};

use super::sampler::{pythagorean_offsets, Knobs, Pinned, Sampler};
use super::{Hinge, Loss, Point};
use crate::spec::knobs::{every_pinned, one_of, pinned_in, range, value_within};
use crate::spec::number::Int;
use crate::spec::{FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of them must be.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// `triplet` or `contrastive`.
    #[serde(default)]
    pub loss: Option<Loss>,
    /// The embeddings of the triplet: points of the plane, integer coordinates.
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub anchor: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub positive: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub negative: Option<Vec<i64>>,
    /// α (triplet) or m (contrastive): a whole number of at least 1.
    #[serde(default, deserialize_with = "crate::spec::number::integer")]
    pub margin: Option<i64>,
    /// The support points of each class: a list of classes, each a list of points.
    #[serde(default, deserialize_with = "support")]
    pub support: Option<SupportPins>,
    /// The point to classify by its distance to the class means.
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub query: Option<Vec<i64>>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant, each optional. Ranges are `[min, max]`, inclusive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// The losses drawn from (default [triplet]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub losses: Option<Vec<Loss>>,
    /// Whether the hinge is active or not, drawn with equal chances (default [active,
    /// inactive]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub hinge_states: Option<Vec<Hinge>>,
    /// The coordinates of the anchor, the support points and the query (default
    /// [-3, 3]).
    #[serde(default)]
    pub coordinate_range: Option<[i64; 2]>,
    /// The lengths of the offsets p − a and n − a (default [5, 13]).
    #[serde(default)]
    pub distance_range: Option<[i64; 2]>,
    /// The margin (default [1, 12]).
    #[serde(default)]
    pub margin_range: Option<[i64; 2]>,
    /// The number of classes (default [2, 3]).
    #[serde(default)]
    pub classes_range: Option<[i64; 2]>,
    /// The number of support points of a class (default [2, 3]).
    #[serde(default)]
    pub support_range: Option<[i64; 2]>,
}

/// The classes a sheet lists (2 to 3) and the support points of one class (1 to 4).
pub const CLASSES: (i64, i64) = (2, 3);
pub const SUPPORT: (i64, i64) = (1, 4);
/// The longest offset a drawn triplet may have: the sheet squares its coordinates.
pub const MAX_DISTANCE: i64 = 25;

/// Support points as a spec writes them: classes of points of coordinates.
pub type SupportPins = Vec<Vec<Vec<i64>>>;

/// `deserialize_with` for the support points: classes of points of integers, each list
/// bounded as every list of a spec is.
fn support<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SupportPins>, D::Error> {
    let classes: Option<Vec<Vec<Vec<Int>>>> = crate::spec::number::list(d)?;
    Ok(classes.map(|classes| {
        classes
            .into_iter()
            .map(|class| {
                class
                    .into_iter()
                    .map(|point| point.into_iter().map(|n| n.0).collect())
                    .collect()
            })
            .collect()
    }))
}

/// A pinned point: two coordinates.
fn point(field: &str, values: &[i64]) -> Result<Point, FieldError> {
    match values {
        [x, y] => Ok([*x, *y]),
        _ => Err(FieldError::new(
            field,
            format!(
                "has {} entries but needs 2: a point of the plane [x, y]",
                values.len()
            ),
        )),
    }
}

/// A pinned point whose coordinates lie in `draw.coordinate_range` (when it is given).
fn point_within(field: &str, values: &[i64], knob: Option<[i64; 2]>) -> Result<Point, FieldError> {
    let p = point(field, values)?;
    for (i, &v) in p.iter().enumerate() {
        value_within(&format!("{field}[{i}]"), v, knob, "draw.coordinate_range")?;
    }
    Ok(p)
}

/// A `[min, max]` knob whose ends must lie in `[lo, hi]`.
fn bounded_range(
    knob: Option<[i64; 2]>,
    field: &str,
    default: (i64, i64),
    (lo, hi): (i64, i64),
    why: &str,
) -> Result<(i64, i64), FieldError> {
    let r = range(knob, field, default)?;
    if r.0 < lo || r.1 > hi {
        return Err(FieldError::new(
            field,
            format!("must lie within [{lo}, {hi}]: {why}"),
        ));
    }
    Ok(r)
}

/// A count of a pinned list that must lie in `allowed` and in the knob (when given).
fn count_within(
    field: &str,
    n: usize,
    (lo, hi): (i64, i64),
    what: &str,
    knob: Option<[i64; 2]>,
    knob_field: &str,
) -> Result<(), FieldError> {
    let n = n as i64;
    if n < lo || n > hi {
        return Err(FieldError::new(
            field,
            format!("has {n} {what} but needs {lo} to {hi}"),
        ));
    }
    match knob {
        Some([a, b]) if n < a || n > b => Err(FieldError::new(
            field,
            format!("has {n} {what} but {knob_field} is [{a}, {b}]; change or remove one"),
        )),
        _ => Ok(()),
    }
}

/// The pinned support points, checked: 2–3 classes of 1–4 points each.
fn pinned_support(
    classes: &[Vec<Vec<i64>>],
    draw: &Draw,
) -> Result<Vec<Vec<Point>>, FieldError> {
    count_within(
        "support",
        classes.len(),
        CLASSES,
        "classes",
        draw.classes_range,
        "draw.classes_range",
    )?;
    classes
        .iter()
        .enumerate()
        .map(|(c, class)| {
            let field = format!("support[{c}]");
            count_within(
                &field,
                class.len(),
                SUPPORT,
                "points",
                draw.support_range,
                "draw.support_range",
            )?;
            class
                .iter()
                .enumerate()
                .map(|(i, p)| point_within(&format!("{field}[{i}]"), p, draw.coordinate_range))
                .collect()
        })
        .collect()
}

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        if spec.draw.is_none() {
            every_pinned(&[
                ("loss", spec.loss.is_some()),
                ("anchor", spec.anchor.is_some()),
                ("positive", spec.positive.is_some()),
                ("negative", spec.negative.is_some()),
                ("margin", spec.margin.is_some()),
                ("support", spec.support.is_some()),
                ("query", spec.query.is_some()),
            ])?;
        }
        let draw = spec.draw.clone().unwrap_or_default();
        let losses = one_of(&draw.losses, "draw.losses", &[Loss::Triplet], |_| Ok(()))?;
        pinned_in(spec.loss, "loss", &draw.losses, "draw.losses")?;
        // Active by default: an inactive hinge has all-zero gradients, much less work
        // than an active one for the same points (a lecturer may add `inactive`).
        let hinge_states = one_of(
            &draw.hinge_states,
            "draw.hinge_states",
            &[Hinge::Active],
            |_| Ok(()),
        )?;
        let coordinate_range = range(draw.coordinate_range, "draw.coordinate_range", (-3, 3))?;
        let distance_range = bounded_range(
            draw.distance_range,
            "draw.distance_range",
            (5, 13),
            (1, MAX_DISTANCE),
            "the sheet squares the coordinates of the offsets",
        )?;
        let offsets = pythagorean_offsets(distance_range);
        if offsets.is_empty() {
            return Err(FieldError::new(
                "draw.distance_range",
                format!(
                    "[{}, {}] holds the length of no offset with two nonzero integer \
                     coordinates (the shortest is (3, 4), of length 5)",
                    distance_range.0, distance_range.1
                ),
            ));
        }
        let margin_range = bounded_range(
            draw.margin_range,
            "draw.margin_range",
            (1, 12),
            (1, 2 * MAX_DISTANCE),
            "the margin is a whole number of at least 1",
        )?;
        let classes = bounded_range(
            draw.classes_range,
            "draw.classes_range",
            CLASSES,
            CLASSES,
            "the sheet lists every class",
        )?;
        let support_sizes = bounded_range(
            draw.support_range,
            "draw.support_range",
            (2, 3),
            SUPPORT,
            "the sheet adds up every support point",
        )?;
        let anchor = spec
            .anchor
            .as_deref()
            .map(|a| point_within("anchor", a, draw.coordinate_range))
            .transpose()?;
        let positive = spec
            .positive
            .as_deref()
            .map(|p| point("positive", p))
            .transpose()?;
        let negative = spec
            .negative
            .as_deref()
            .map(|n| point("negative", n))
            .transpose()?;
        let query = spec
            .query
            .as_deref()
            .map(|q| point_within("query", q, draw.coordinate_range))
            .transpose()?;
        if let Some(m) = spec.margin {
            if m < 1 {
                return Err(FieldError::new(
                    "margin",
                    format!("is {m} but must be a whole number of at least 1"),
                ));
            }
            value_within("margin", m, draw.margin_range, "draw.margin_range")?;
        }
        let support = spec
            .support
            .as_deref()
            .map(|s| pinned_support(s, &draw))
            .transpose()?;
        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                loss: spec.loss,
                anchor,
                positive,
                negative,
                margin: spec.margin,
                support,
                query,
            },
            knobs: Knobs {
                losses,
                hinge_states,
                coordinate_range,
                offsets,
                margin_range,
                classes: (classes.0 as usize, classes.1 as usize),
                support_sizes: (support_sizes.0 as usize, support_sizes.1 as usize),
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
        let (field, message) = error_of(&PINNED.replace("query: [2, 2]\n", ""));
        assert_eq!(field, "query");
        assert!(message.contains("add a `draw:` section"), "{message}");
        assert_eq!(field_of(&PINNED.replace("margin: 10\n", "")), "margin");
        assert_eq!(field_of(&PINNED.replace("loss: triplet\n", "")), "loss");
    }

    #[test]
    fn a_point_needs_two_coordinates() {
        let (field, message) = error_of(&PINNED.replace("anchor: [1, -1]", "anchor: [1, -1, 0]"));
        assert_eq!(field, "anchor");
        assert!(message.contains("has 3 entries but needs 2"), "{message}");
        assert_eq!(
            field_of(&PINNED.replace("[4, 2]", "[4]")),
            "support[1][1]"
        );
        assert_eq!(field_of(&PINNED.replace("query: [2, 2]", "query: [2]")), "query");
    }

    #[test]
    fn pins_outside_their_knobs_use_the_shared_wording() {
        let (field, message) =
            error_of("anchor: [1, 5]\ndraw: {coordinate_range: [-3, 3]}\n");
        assert_eq!(field, "anchor[1]");
        assert_eq!(
            message,
            "is 5 but draw.coordinate_range is [-3, 3]; change or remove one"
        );
        let (field, message) = error_of("margin: 20\ndraw: {margin_range: [1, 12]}\n");
        assert_eq!(field, "margin");
        assert!(message.ends_with("change or remove one"), "{message}");
        let (field, message) = error_of("loss: contrastive\ndraw: {losses: [triplet]}\n");
        assert_eq!(field, "loss");
        assert!(message.contains("draw.losses is [triplet]"), "{message}");
        let (field, message) =
            error_of("support: [[[0, 0]], [[1, 1]]]\ndraw: {support_range: [2, 3]}\n");
        assert_eq!(field, "support[0]");
        assert!(message.contains("draw.support_range is [2, 3]"), "{message}");
    }

    #[test]
    fn counts_margins_and_knobs_are_checked() {
        assert_eq!(field_of("support: [[[0, 0]]]\ndraw: {}\n"), "support");
        assert_eq!(
            field_of("support: [[[0, 0], [1, 1], [2, 2], [3, 3], [0, 1]], [[1, 1]]]\ndraw: {}\n"),
            "support[0]"
        );
        assert_eq!(field_of(&PINNED.replace("margin: 10", "margin: 0")), "margin");
        assert_eq!(field_of("draw: {distance_range: [1, 4]}\n"), "draw.distance_range");
        assert_eq!(field_of("draw: {distance_range: [5, 30]}\n"), "draw.distance_range");
        assert_eq!(field_of("draw: {margin_range: [0, 3]}\n"), "draw.margin_range");
        assert_eq!(field_of("draw: {classes_range: [2, 4]}\n"), "draw.classes_range");
        assert_eq!(field_of("draw: {support_range: [0, 2]}\n"), "draw.support_range");
        assert_eq!(field_of("draw: {coordinate_range: [3, -3]}\n"), "draw.coordinate_range");
        assert_eq!(field_of("draw: {losses: []}\n"), "draw.losses");
        assert_eq!(field_of("draw: {hinge_states: []}\n"), "draw.hinge_states");
    }

    #[test]
    fn a_fractional_or_unknown_value_is_refused_while_read() {
        let err = serde_yaml::from_str::<super::Spec>("anchor: [1, 0.5]\n").unwrap_err();
        assert!(err.to_string().starts_with("anchor[1]"), "{err}");
        let err = serde_yaml::from_str::<super::Spec>("loss: hinge\n").unwrap_err();
        assert!(err.to_string().contains("triplet"), "{err}");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        assert_eq!(s.knobs.coordinate_range, (-3, 3));
        assert_eq!(s.knobs.margin_range, (1, 12));
        assert_eq!(s.knobs.classes, (2, 3));
        assert_eq!(s.knobs.support_sizes, (2, 3));
        // (3, 4), (6, 8), (5, 12) and their sign changes and swaps: 3 · 8 offsets.
        assert_eq!(s.knobs.offsets.len(), 24);
        assert!(s.fixed().is_none());
        assert!(sampler(PINNED).unwrap().fixed().is_some());
    }
}
