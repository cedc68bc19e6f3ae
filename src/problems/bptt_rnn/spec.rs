//! The spec side of the bptt_rnn problem: the serde types as written in a YAML spec (pins
//! and `draw:` knobs) and their checks into a [`Sampler`], so that every error names the
//! field to change before anything is drawn.

use serde::Deserialize;

use super::sampler::{Knobs, Pinned, Sampler};
use super::{Loss, STEPS};
use crate::spec::knobs::{every_pinned, one_of, pinned_in, range, spelled, within};
use crate::spec::rules::{length, matrix};
use crate::spec::{FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of them must be (`bias: false` pins "no bias", a pinned `b` a bias).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// W_hh, (H, H), triangular.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub w_hh: Option<Vec<Vec<f64>>>,
    /// The one column of W_xh, (H).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub w_xh: Option<Vec<f64>>,
    /// Whether the cell has a bias b_h.
    #[serde(default)]
    pub bias: Option<bool>,
    /// b_h, (H); implies `bias: true`.
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub b: Option<Vec<f64>>,
    /// h⁽⁰⁾, (H).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub h0: Option<Vec<f64>>,
    /// The inputs x⁽¹⁾, x⁽²⁾, x⁽³⁾ (input size 1).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub x: Option<Vec<f64>>,
    /// `squared` (L = ½‖h⁽³⁾ − y‖²) or `linear` (L = vᵀh⁽³⁾).
    #[serde(default)]
    pub loss: Option<Loss>,
    /// The target of the squared loss, (H).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub y: Option<Vec<f64>>,
    /// The weights of the linear loss, (H).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub v: Option<Vec<f64>>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant, each optional. Ranges are `[min, max]`, inclusive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// The hidden sizes H to draw from (default [1, 2]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub hidden_sizes: Option<Vec<usize>>,
    /// The values of W_hh's diagonal (default [-2, -0.5, 0.5, 2]).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub recurrent_diagonal: Option<Vec<f64>>,
    /// W_xh and W_hh's off-diagonal entry (default [-2, 2]).
    #[serde(default)]
    pub weight_range: Option<[i64; 2]>,
    /// b_h (default [-2, 2]).
    #[serde(default)]
    pub bias_range: Option<[i64; 2]>,
    /// h⁽⁰⁾ (default [0, 2]: a state a ReLU could have produced).
    #[serde(default)]
    pub state_range: Option<[i64; 2]>,
    /// x⁽¹⁾..x⁽³⁾ (default [-2, 2]).
    #[serde(default)]
    pub input_range: Option<[i64; 2]>,
    /// y or v (default [-2, 2]).
    #[serde(default)]
    pub target_range: Option<[i64; 2]>,
    /// The losses to draw from (default [squared, linear]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub losses: Option<Vec<Loss>>,
    /// With or without a bias (default [true, false]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub biases: Option<Vec<bool>>,
    /// Keep only variants where some ReLU is inactive at some step, so the routing of
    /// the gradient matters (default true).
    #[serde(default)]
    pub require_inactive: Option<bool>,
}

/// The hidden sizes a sheet works by hand.
pub const HIDDEN_SIZES: [usize; 2] = [1, 2];

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        let bias_pin = bias_pin(&spec)?;
        if spec.draw.is_none() {
            let target_pinned = match spec.loss {
                Some(Loss::Squared) => spec.y.is_some(),
                Some(Loss::Linear) => spec.v.is_some(),
                None => true,
            };
            every_pinned(&[
                ("w_hh", spec.w_hh.is_some()),
                ("w_xh", spec.w_xh.is_some()),
                ("b", bias_pin.is_some()),
                ("h0", spec.h0.is_some()),
                ("x", spec.x.is_some()),
                ("loss", spec.loss.is_some()),
                (spec.loss.map_or("y", Loss::target_name), target_pinned),
            ])?;
        }
        let draw = spec.draw.clone().unwrap_or_default();
        let hidden = hidden_sizes(&spec, &draw)?;
        if let Some(x) = &spec.x {
            length("x", x, STEPS, "one input per time step")?;
        }
        check_targets(&spec)?;
        check_pins_within_knobs(&spec, &draw)?;
        let recurrent_diagonal = one_of(
            &draw.recurrent_diagonal,
            "draw.recurrent_diagonal",
            &[-2.0, -0.5, 0.5, 2.0],
            |&w| {
                (w != 0.0)
                    .then_some(())
                    .ok_or_else(|| "must not be 0: a zero weight cuts the recurrence".into())
            },
        )?;
        if let (Some(w), Some(_)) = (&spec.w_hh, &draw.recurrent_diagonal) {
            for (i, row) in w.iter().enumerate() {
                pinned_in(
                    Some(row[i]),
                    &format!("w_hh[{i}][{i}]"),
                    &Some(recurrent_diagonal.clone()),
                    "draw.recurrent_diagonal",
                )?;
            }
        }
        let losses = one_of(&draw.losses, "draw.losses", &[Loss::Squared, Loss::Linear], |_| {
            Ok(())
        })?;
        pinned_in(spec.loss, "loss", &draw.losses, "draw.losses")?;
        let biases = one_of(&draw.biases, "draw.biases", &[true, false], |_| Ok(()))?;
        match (spec.bias, &spec.b) {
            (Some(_), _) => pinned_in(spec.bias, "bias", &draw.biases, "draw.biases")?,
            (None, Some(_)) => pinned_in(Some(true), "b", &draw.biases, "draw.biases")?,
            (None, None) => {}
        }
        let to_array = |v: &Option<Vec<f64>>| v.as_deref().map(super::super::array1);
        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                w_hh: spec.w_hh.as_deref().map(super::super::array2),
                w_xh: to_array(&spec.w_xh),
                bias: bias_pin,
                b: to_array(&spec.b),
                h0: to_array(&spec.h0),
                x: spec.x.clone(),
                loss: spec.loss,
                y: to_array(&spec.y),
                v: to_array(&spec.v),
            },
            knobs: Knobs {
                hidden,
                recurrent_diagonal,
                weight_range: range(draw.weight_range, "draw.weight_range", (-2, 2))?,
                bias_range: range(draw.bias_range, "draw.bias_range", (-2, 2))?,
                state_range: range(draw.state_range, "draw.state_range", (0, 2))?,
                input_range: range(draw.input_range, "draw.input_range", (-2, 2))?,
                target_range: range(draw.target_range, "draw.target_range", (-2, 2))?,
                losses,
                biases,
                require_inactive: spec.draw.is_some() && draw.require_inactive.unwrap_or(true),
            },
        })
    }
}

/// Whether the spec pins a bias: `bias:` says so, a pinned `b` means one; `bias: false`
/// with a `b` contradicts itself.
fn bias_pin(spec: &Spec) -> Result<Option<bool>, FieldError> {
    match (spec.bias, &spec.b) {
        (Some(false), Some(_)) => Err(FieldError::new(
            "b",
            "is given but bias is false; remove one",
        )),
        (Some(bias), _) => Ok(Some(bias)),
        (None, b) => Ok(b.as_ref().map(|_| true)),
    }
}

/// The hidden sizes a variant may have: fixed by the first pinned (H)-sized field, which
/// every other one must agree with, else the knob; H is 1 or 2.
fn hidden_sizes(spec: &Spec, draw: &Draw) -> Result<Vec<usize>, FieldError> {
    let knob = one_of(&draw.hidden_sizes, "draw.hidden_sizes", &HIDDEN_SIZES, |h| {
        HIDDEN_SIZES
            .contains(h)
            .then_some(())
            .ok_or_else(|| "must be 1 or 2: the sheet works every unit by hand".into())
    })?;
    let mut fixed: Option<(usize, &str)> = None;
    if let Some(w) = &spec.w_hh {
        let (rows, cols) = matrix("w_hh", w)?;
        if rows != cols {
            return Err(FieldError::new(
                "w_hh",
                format!("is {rows}×{cols} but must be square (H×H)"),
            ));
        }
        fixed = Some((rows, "w_hh"));
    }
    let vectors = [
        ("w_xh", &spec.w_xh),
        ("b", &spec.b),
        ("h0", &spec.h0),
        ("y", &spec.y),
        ("v", &spec.v),
    ];
    for (field, values) in vectors {
        let Some(values) = values else { continue };
        match fixed {
            Some((h, by)) => length(field, values, h, &format!("H = {h}, as `{by}` says"))?,
            None => fixed = Some((values.len(), field)),
        }
    }
    let Some((h, field)) = fixed else {
        return Ok(knob);
    };
    if !HIDDEN_SIZES.contains(&h) {
        return Err(FieldError::new(
            field,
            format!("has size {h} but H must be 1 or 2: the sheet works every unit by hand"),
        ));
    }
    if draw.hidden_sizes.is_some() && !knob.contains(&h) {
        let listed: Vec<String> = knob.iter().map(spelled).collect();
        return Err(FieldError::new(
            field,
            format!(
                "makes H = {h} but draw.hidden_sizes is [{}]; change or remove one",
                listed.join(", ")
            ),
        ));
    }
    Ok(vec![h])
}

/// y belongs to the squared loss, v to the linear one: a pinned loss takes only its own.
fn check_targets(spec: &Spec) -> Result<(), FieldError> {
    let stray = match spec.loss {
        Some(Loss::Squared) => spec.v.as_ref().map(|_| ("v", "squared", "y")),
        Some(Loss::Linear) => spec.y.as_ref().map(|_| ("y", "linear", "v")),
        None => None,
    };
    match stray {
        Some((field, loss, own)) => Err(FieldError::new(
            field,
            format!("is given but loss is {loss}, which uses {own}; remove one"),
        )),
        None => Ok(()),
    }
}

/// Every pinned entry lies in the knob that would draw it (when the knob is given).
fn check_pins_within_knobs(spec: &Spec, draw: &Draw) -> Result<(), FieldError> {
    let pins = [
        ("w_xh", &spec.w_xh, draw.weight_range, "draw.weight_range"),
        ("b", &spec.b, draw.bias_range, "draw.bias_range"),
        ("h0", &spec.h0, draw.state_range, "draw.state_range"),
        ("x", &spec.x, draw.input_range, "draw.input_range"),
        ("y", &spec.y, draw.target_range, "draw.target_range"),
        ("v", &spec.v, draw.target_range, "draw.target_range"),
    ];
    for (field, values, knob, knob_field) in pins {
        if let Some(values) = values {
            within(field, values, knob, knob_field)?;
        }
    }
    if let Some(w) = &spec.w_hh {
        for (i, row) in w.iter().enumerate() {
            for (j, &entry) in row.iter().enumerate().filter(|&(j, _)| j != i) {
                within(
                    &format!("w_hh[{i}][{j}]"),
                    &[entry],
                    draw.weight_range,
                    "draw.weight_range",
                )
                .map_err(|e| FieldError::new(format!("w_hh[{i}][{j}]"), e.message))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PAIR, SCALAR};

    fn error_of(yaml: &str) -> (String, String) {
        let e = sampler(yaml).expect_err("a spec error");
        (e.field, e.message)
    }

    fn field_of(yaml: &str) -> String {
        error_of(yaml).0
    }

    #[test]
    fn pinned_fixtures_are_fixed() {
        assert!(sampler(SCALAR).unwrap().fixed().is_some());
        let pair = sampler(PAIR).unwrap().fixed().unwrap();
        assert_eq!((pair.hidden(), pair.b.is_none()), (2, true));
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let (field, message) = error_of(&SCALAR.replace("h0: [2]\n", ""));
        assert_eq!(field, "h0");
        assert!(message.contains("add a `draw:` section"), "{message}");
        assert_eq!(field_of(&SCALAR.replace("b: [-1]\n", "")), "b");
        assert_eq!(field_of(&SCALAR.replace("y: [1]\n", "")), "y");
        assert_eq!(field_of(&PAIR.replace("v: [1, 2]\n", "")), "v");
        assert_eq!(field_of(&PAIR.replace("loss: linear\n", "")), "loss");
    }

    #[test]
    fn shapes_are_checked_and_name_the_field() {
        let (field, message) = error_of(&PAIR.replace("h0: [2, 1]", "h0: [2]"));
        assert_eq!(field, "h0");
        assert!(message.contains("as `w_hh` says"), "{message}");
        assert_eq!(field_of(&SCALAR.replace("x: [2, -1, 3]", "x: [2, -1]")), "x");
        assert_eq!(field_of("w_hh: [[1, 0]]\ndraw: {}\n"), "w_hh");
        assert_eq!(field_of("w_hh: [[1, 0], [2]]\ndraw: {}\n"), "w_hh[1]");
        assert_eq!(field_of("h0: [1, 1, 1]\ndraw: {}\n"), "h0");
        let (field, message) = error_of("h0: [1, 1]\ndraw: {hidden_sizes: [1]}\n");
        assert_eq!(field, "h0");
        assert!(message.ends_with("draw.hidden_sizes is [1]; change or remove one"), "{message}");
        assert_eq!(field_of("draw: {hidden_sizes: [3]}\n"), "draw.hidden_sizes[0]");
    }

    #[test]
    fn bias_and_targets_contradicting_each_other_are_named() {
        let (field, message) = error_of(&SCALAR.replace("b: [-1]", "b: [-1]\nbias: false"));
        assert_eq!(field, "b");
        assert!(message.contains("bias is false"), "{message}");
        assert_eq!(field_of(&SCALAR.replace("y: [1]", "y: [1]\nv: [1]")), "v");
        assert_eq!(field_of(&PAIR.replace("v: [1, 2]", "v: [1, 2]\ny: [0, 0]")), "y");
        assert_eq!(field_of("b: [1]\ndraw: {biases: [false]}\n"), "b");
        assert_eq!(field_of("bias: true\ndraw: {biases: [false]}\n"), "bias");
        assert_eq!(field_of("loss: linear\ndraw: {losses: [squared]}\n"), "loss");
    }

    #[test]
    fn a_pin_outside_its_knob_names_the_entry_in_the_shared_wording() {
        let (field, message) = error_of("x: [1, 5, 0]\ndraw: {input_range: [-2, 2]}\n");
        assert_eq!(field, "x[1]");
        assert_eq!(message, "is 5 but draw.input_range is [-2, 2]; change or remove one");
        let (field, _) = error_of("w_hh: [[2, 0], [3, 2]]\ndraw: {weight_range: [-2, 2]}\n");
        assert_eq!(field, "w_hh[1][0]");
        let (field, message) =
            error_of("w_hh: [[2, 0], [1, 3]]\ndraw: {recurrent_diagonal: [0.5, 2]}\n");
        assert_eq!(field, "w_hh[1][1]");
        assert!(message.contains("draw.recurrent_diagonal is [0.5, 2.0]"), "{message}");
        assert_eq!(field_of("draw: {recurrent_diagonal: [0.5, 0]}\n"), "draw.recurrent_diagonal[1]");
        assert_eq!(field_of("draw: {state_range: [2, 0]}\n"), "draw.state_range");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        assert_eq!(s.knobs.hidden, vec![1, 2]);
        assert_eq!(s.knobs.recurrent_diagonal, vec![-2.0, -0.5, 0.5, 2.0]);
        assert_eq!(s.knobs.state_range, (0, 2));
        assert!(s.knobs.require_inactive);
        assert!(!sampler(SCALAR).unwrap().knobs.require_inactive);
    }
}
