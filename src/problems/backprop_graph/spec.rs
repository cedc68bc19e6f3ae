//! The spec side of the backprop_graph problem: the serde types as written in a YAML spec
//! (pins and `draw:` knobs) and their checks into a [`Sampler`], so that every error
//! names the field to change before anything is drawn.

use serde::Deserialize;

use super::sampler::{Knobs, Pinned, Sampler};
use super::Loss;
use crate::spec::knobs::{every_pinned, one_of, pinned_in, range, rows_within, value_within, within};
use crate::spec::{FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of them must be.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// `mse` (one score, L = ½(s − y)²) or `hinge` (K scores, multiclass hinge).
    #[serde(default)]
    pub loss: Option<Loss>,
    /// The input, 2 integers.
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub x: Option<Vec<f64>>,
    /// 2×2 integers; row i is hidden unit i's weights.
    #[serde(default, rename = "W1", deserialize_with = "crate::spec::number::matrix")]
    pub w1: Option<Vec<Vec<f64>>>,
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub b1: Option<Vec<f64>>,
    /// K×2 integers: one row for `mse`, one per class for `hinge`.
    #[serde(default, rename = "W2", deserialize_with = "crate::spec::number::matrix")]
    pub w2: Option<Vec<Vec<f64>>>,
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub b2: Option<Vec<f64>>,
    /// The target (`mse`) or the correct class, 0-based (`hinge`).
    #[serde(default, deserialize_with = "crate::spec::number::integer")]
    pub y: Option<i64>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant, each optional. Ranges are `[min, max]`, inclusive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// The losses drawn from (default both, `[mse, hinge]`).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub losses: Option<Vec<Loss>>,
    /// The hinge loss's number of classes K (default 3; 2 to 4).
    #[serde(default)]
    pub classes: Option<usize>,
    /// x's entries (default [-2, 2]).
    #[serde(default)]
    pub x_range: Option<[i64; 2]>,
    /// W1's and W2's entries (default [-2, 2]).
    #[serde(default)]
    pub weight_range: Option<[i64; 2]>,
    /// b1's and b2's entries (default [-1, 1]).
    #[serde(default)]
    pub bias_range: Option<[i64; 2]>,
    /// The squared error's target y (default [-3, 3]).
    #[serde(default)]
    pub target_range: Option<[i64; 2]>,
}

/// The most classes the hinge loss's sheet writes out (a row of the table per margin).
pub const MAX_CLASSES: usize = 4;

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        if spec.draw.is_none() {
            every_pinned(&[
                ("loss", spec.loss.is_some()),
                ("x", spec.x.is_some()),
                ("W1", spec.w1.is_some()),
                ("b1", spec.b1.is_some()),
                ("W2", spec.w2.is_some()),
                ("b2", spec.b2.is_some()),
                ("y", spec.y.is_some()),
            ])?;
        }
        let draw = spec.draw.clone().unwrap_or_default();
        let losses = one_of(&draw.losses, "draw.losses", &[Loss::Mse, Loss::Hinge], |_| Ok(()))?;
        pinned_in(spec.loss, "loss", &draw.losses, "draw.losses")?;
        // W2, b2 and y mean different things under the two losses.
        let head_pinned = [("W2", spec.w2.is_some()), ("b2", spec.b2.is_some()), ("y", spec.y.is_some())];
        if let Some((field, _)) = head_pinned.iter().find(|(_, p)| *p) {
            if spec.loss.is_none() {
                return Err(FieldError::new(
                    *field,
                    "is pinned but `loss` is not; pin `loss` too (the head's shape and y's \
                     meaning depend on it)",
                ));
            }
        }
        let classes = draw.classes.unwrap_or(3);
        if !(2..=MAX_CLASSES).contains(&classes) {
            return Err(FieldError::new("draw.classes", format!("must be 2 to {MAX_CLASSES}")));
        }
        let x_range = range(draw.x_range, "draw.x_range", (-2, 2))?;
        let weight_range = range(draw.weight_range, "draw.weight_range", (-2, 2))?;
        let bias_range = range(draw.bias_range, "draw.bias_range", (-1, 1))?;
        let target_range = range(draw.target_range, "draw.target_range", (-3, 3))?;

        let x = vector(&spec.x, "x", 2, "the network has 2 inputs")?;
        within("x", spec.x.iter().flatten(), draw.x_range, "draw.x_range")?;
        let w1 = matrix(&spec.w1, "W1", 2, "one row per hidden unit (2)")?;
        if let Some(w) = &spec.w1 {
            rows_within("W1", w, draw.weight_range, "draw.weight_range")?;
        }
        let b1 = vector(&spec.b1, "b1", 2, "one per hidden unit (2)")?;
        within("b1", spec.b1.iter().flatten(), draw.bias_range, "draw.bias_range")?;
        let scores = match spec.loss {
            Some(Loss::Mse) => Some(1),
            Some(Loss::Hinge) => Some(spec.w2.as_ref().map_or(classes, Vec::len)),
            None => None,
        };
        let (w2, b2) = match scores {
            Some(k) => head(&spec, k, &draw)?,
            None => (None, None),
        };
        if let (Some(y), Some(loss)) = (spec.y, spec.loss) {
            match loss {
                Loss::Mse => value_within("y", y, draw.target_range, "draw.target_range")?,
                Loss::Hinge => {
                    let k = scores.unwrap_or(classes) as i64;
                    if !(0..k).contains(&y) {
                        return Err(FieldError::new(
                            "y",
                            format!("is {y} but the class must be 0..{} (0-based, {k} classes)", k - 1),
                        ));
                    }
                }
            }
        }
        if let (Some(w), Some(Loss::Hinge)) = (&spec.w2, spec.loss) {
            if draw.classes.is_some_and(|c| c != w.len()) {
                return Err(FieldError::new(
                    "draw.classes",
                    format!("is {classes} but the pinned `W2` makes it {}; change or remove one", w.len()),
                ));
            }
        }
        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                loss: spec.loss,
                x,
                w1,
                b1,
                w2,
                b2,
                y: spec.y,
            },
            knobs: Knobs {
                losses,
                classes,
                x_range,
                weight_range,
                bias_range,
                target_range,
            },
        })
    }
}

/// The pinned head (W2, b2) for K scores, checked.
#[allow(clippy::type_complexity)]
fn head(
    spec: &Spec,
    k: usize,
    draw: &Draw,
) -> Result<(Option<Vec<Vec<i64>>>, Option<Vec<i64>>), FieldError> {
    let why = if k == 1 { "one score for `mse`".to_string() } else { format!("one per class ({k})") };
    if spec.loss == Some(Loss::Hinge) && !(2..=MAX_CLASSES).contains(&k) {
        return Err(FieldError::new("W2", format!("has {k} rows but `hinge` needs 2 to {MAX_CLASSES} classes")));
    }
    let w2 = matrix(&spec.w2, "W2", k, &why)?;
    if let Some(w) = &spec.w2 {
        rows_within("W2", w, draw.weight_range, "draw.weight_range")?;
    }
    let b2 = vector(&spec.b2, "b2", k, &why)?;
    within("b2", spec.b2.iter().flatten(), draw.bias_range, "draw.bias_range")?;
    Ok((w2, b2))
}

/// A pinned integer vector of `len` entries.
fn vector(v: &Option<Vec<f64>>, field: &str, len: usize, why: &str) -> Result<Option<Vec<i64>>, FieldError> {
    let Some(v) = v else { return Ok(None) };
    if v.len() != len {
        return Err(FieldError::new(field, format!("has {} entries but needs {len}: {why}", v.len())));
    }
    integers(v, field).map(Some)
}

/// A pinned integer matrix of `rows` rows of 2.
fn matrix(m: &Option<Vec<Vec<f64>>>, field: &str, rows: usize, why: &str) -> Result<Option<Vec<Vec<i64>>>, FieldError> {
    let Some(m) = m else { return Ok(None) };
    if m.len() != rows {
        return Err(FieldError::new(field, format!("has {} rows but needs {rows}: {why}", m.len())));
    }
    m.iter()
        .enumerate()
        .map(|(i, row)| {
            let f = format!("{field}[{i}]");
            if row.len() != 2 {
                return Err(FieldError::new(f, format!("has {} entries but needs 2: the hidden layer has 2 units", row.len())));
            }
            integers(row, &f)
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn integers(v: &[f64], field: &str) -> Result<Vec<i64>, FieldError> {
    v.iter()
        .enumerate()
        .map(|(i, &x)| {
            if x.fract() == 0.0 {
                Ok(x as i64)
            } else {
                Err(FieldError::new(
                    format!("{field}[{i}]"),
                    format!("is {x} but must be an integer: every value on the sheet stays an integer"),
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED_HINGE, PINNED_MSE};

    fn error_of(yaml: &str) -> (String, String) {
        let e = sampler(yaml).expect_err("a spec error");
        (e.field, e.message)
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let (field, message) = error_of(&PINNED_MSE.replace("y: 3\n", ""));
        assert_eq!(field, "y");
        assert!(message.contains("add a `draw:` section"), "{message}");
        assert_eq!(error_of("x: [1, 2]\n").0, "loss");
    }

    #[test]
    fn shapes_and_integers_name_the_entry() {
        assert_eq!(error_of(&PINNED_MSE.replace("x: [1, 2]", "x: [1, 2, 3]")).0, "x");
        assert_eq!(error_of(&PINNED_MSE.replace("x: [1, 2]", "x: [1, 0.5]")).0, "x[1]");
        assert_eq!(error_of(&PINNED_MSE.replace("[[2, 1]]", "[[2, 1], [1, 1]]")).0, "W2");
        assert_eq!(error_of(&PINNED_MSE.replace("[[1, 1], [1, -1]]", "[[1, 1], [1]]")).0, "W1[1]");
        assert_eq!(error_of(&PINNED_HINGE.replace("y: 1", "y: 3")).0, "y");
        assert_eq!(error_of(&PINNED_HINGE.replace("b2: [0, 1, 1]", "b2: [0, 1]")).0, "b2");
    }

    #[test]
    fn knobs_and_pins_agree_in_the_shared_wording() {
        let (field, message) = error_of("x: [1, 5]\ndraw: {x_range: [-2, 2]}\n");
        assert_eq!(field, "x[1]");
        assert_eq!(message, "is 5 but draw.x_range is [-2, 2]; change or remove one");
        assert_eq!(error_of("loss: mse\ndraw: {losses: [hinge]}\n").0, "loss");
        assert_eq!(error_of("draw: {classes: 5}\n").0, "draw.classes");
        assert_eq!(error_of("draw: {losses: []}\n").0, "draw.losses");
        assert_eq!(error_of("draw: {weight_range: [2, -2]}\n").0, "draw.weight_range");
        let (field, message) = error_of("y: 2\ndraw: {}\n");
        assert_eq!(field, "y");
        assert!(message.contains("pin `loss` too"), "{message}");
        assert_eq!(error_of("loss: mse\ny: 9\ndraw: {target_range: [-3, 3]}\n").0, "y");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        assert_eq!(s.knobs.classes, 3);
        assert_eq!(s.knobs.x_range, (-2, 2));
        assert!(sampler(PINNED_MSE).unwrap().fixed().is_some());
        assert!(sampler(PINNED_HINGE).unwrap().fixed().is_some());
    }
}
