//! The spec side of the softmax_ce problem: the serde types as written in a YAML spec
//! (pins and `draw:` knobs) and their checks into a [`Sampler`], so that every error
//! names the field to change before anything is drawn.

use serde::Deserialize;

use super::sampler::{Knobs, Pinned, Sampler};
use crate::spec::knobs::{ln_base_pin, ln_bases, within};
use crate::spec::rules::{missing, range};
use crate::spec::{FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of them must be.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// The logits in units of ln(ln_base): integers e_i, the logits are e_i · ln b.
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub logits: Option<Vec<i64>>,
    /// The b of the ln b unit.
    #[serde(default)]
    pub ln_base: Option<u32>,
    /// The true class, 0-based.
    #[serde(default)]
    pub y: Option<usize>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant, each optional. Ranges are `[min, max]`, inclusive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// The number of classes K (default [3, 5]).
    #[serde(default)]
    pub classes_range: Option<[i64; 2]>,
    /// The logits in units of ln b (default [-2, 2]).
    #[serde(default)]
    pub logit_range: Option<[i64; 2]>,
    /// The bases b of the ln b unit (default [2]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub ln_bases: Option<Vec<u32>>,
}

/// The most classes a sheet writes out (a line of the solution holds two vectors of K
/// fractions).
pub const MAX_CLASSES: usize = 6;

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        if spec.draw.is_none() {
            let pins = [
                ("logits", spec.logits.is_some()),
                ("ln_base", spec.ln_base.is_some()),
                ("y", spec.y.is_some()),
            ];
            if let Some((field, _)) = pins.iter().find(|(_, pinned)| !pinned) {
                return Err(missing(field));
            }
        }
        let draw = spec.draw.clone().unwrap_or_default();
        let classes = classes(&spec, &draw)?;
        if let Some(y) = spec.y {
            check_y(y, classes, spec.logits.is_some())?;
        }
        let logit_range = range(draw.logit_range, "draw.logit_range", (-2, 2))?;
        if let Some(logits) = &spec.logits {
            let as_f64: Vec<f64> = logits.iter().map(|&e| e as f64).collect();
            within("logits", &as_f64, draw.logit_range, "draw.logit_range")?;
        }
        let ln_bases = ln_bases(&draw.ln_bases)?;
        if let Some(base) = spec.ln_base {
            ln_base_pin(base, &draw.ln_bases)?;
        }
        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                logits: spec.logits,
                ln_base: spec.ln_base,
                y: spec.y,
            },
            knobs: Knobs {
                classes,
                logit_range,
                ln_bases,
            },
        })
    }
}

/// The range of K: the pinned logits' length (which a `classes_range` knob must allow),
/// else the knob, else [3, 5]; K is 2 to [`MAX_CLASSES`].
fn classes(spec: &Spec, draw: &Draw) -> Result<(usize, usize), FieldError> {
    let knob = range(draw.classes_range, "draw.classes_range", (3, 5))?;
    let sizes = 2..=MAX_CLASSES as i64;
    if let Some(logits) = &spec.logits {
        let n = logits.len();
        if !sizes.contains(&(n as i64)) {
            return Err(FieldError::new(
                "logits",
                format!("has {n} entries but needs 2 to {MAX_CLASSES} (one per class)"),
            ));
        }
        if let Some([lo, hi]) = draw.classes_range {
            if !(lo..=hi).contains(&(n as i64)) {
                return Err(FieldError::new(
                    "logits",
                    format!(
                        "has {n} entries but draw.classes_range is [{lo}, {hi}]; change or \
                         remove one"
                    ),
                ));
            }
        }
        return Ok((n, n));
    }
    if !sizes.contains(&knob.0) || !sizes.contains(&knob.1) {
        return Err(FieldError::new(
            "draw.classes_range",
            format!("must lie within [2, {MAX_CLASSES}]: the sheet writes every class out"),
        ));
    }
    Ok((knob.0 as usize, knob.1 as usize))
}

/// A pinned class exists in every variant: below the fewest classes K can be.
fn check_y(y: usize, (fewest, _): (usize, usize), logits_pinned: bool) -> Result<(), FieldError> {
    if y < fewest {
        return Ok(());
    }
    let why = if logits_pinned {
        format!("there are {fewest} logits")
    } else {
        format!("draw.classes_range allows as few as {fewest} classes; change or remove one")
    };
    Err(FieldError::new(
        "y",
        format!("is {y} but the class must be 0..{} (0-based): {why}", fewest - 1),
    ))
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
        let (field, message) = error_of(&PINNED.replace("y: 3\n", ""));
        assert_eq!(field, "y");
        assert!(message.contains("add a `draw:` section"), "{message}");
        assert_eq!(field_of("y: 0\n"), "logits");
        assert_eq!(field_of("logits: [1, 0]\ny: 0\n"), "ln_base");
    }

    #[test]
    fn a_pin_outside_its_knob_names_the_entry_in_the_shared_wording() {
        let (field, message) = error_of("logits: [1, 0, 9]\ndraw: {logit_range: [-2, 2]}\n");
        assert_eq!(field, "logits[2]");
        assert_eq!(
            message,
            "is 9 but draw.logit_range is [-2, 2]; change or remove one"
        );
        let (field, message) = error_of("ln_base: 3\ndraw: {ln_bases: [2]}\n");
        assert_eq!(field, "ln_base");
        assert!(message.ends_with("change or remove one"), "{message}");
        let (field, message) = error_of("logits: [1, 0]\ndraw: {classes_range: [3, 5]}\n");
        assert_eq!(field, "logits");
        assert_eq!(
            message,
            "has 2 entries but draw.classes_range is [3, 5]; change or remove one"
        );
    }

    #[test]
    fn a_class_that_some_variant_lacks_is_an_error() {
        let (field, message) = error_of("y: 3\ndraw: {}\n");
        assert_eq!(field, "y");
        assert!(message.contains("as few as 3 classes"), "{message}");
        assert_eq!(field_of("logits: [1, 0]\ny: 2\nln_base: 2\n"), "y");
        assert!(sampler("y: 2\ndraw: {}\n").is_ok());
    }

    #[test]
    fn sizes_ranges_and_bases_are_checked() {
        assert_eq!(field_of("draw: {classes_range: [1, 3]}\n"), "draw.classes_range");
        assert_eq!(field_of("draw: {classes_range: [3, 7]}\n"), "draw.classes_range");
        assert_eq!(field_of("draw: {classes_range: [4, 3]}\n"), "draw.classes_range");
        assert_eq!(field_of("draw: {logit_range: [2, -2]}\n"), "draw.logit_range");
        assert_eq!(field_of("logits: [1]\ndraw: {}\n"), "logits");
        assert_eq!(field_of("logits: [1, 0, 0, 0, 0, 0, 0]\ndraw: {}\n"), "logits");
        assert_eq!(field_of("draw: {ln_bases: []}\n"), "draw.ln_bases");
        assert_eq!(field_of("draw: {ln_bases: [3, 1]}\n"), "draw.ln_bases[1]");
        assert_eq!(field_of(&PINNED.replace("ln_base: 2", "ln_base: 1")), "ln_base");
    }

    #[test]
    fn a_fractional_logit_is_refused_while_read() {
        let err = serde_yaml::from_str::<super::Spec>("logits: [1, 0.5]\n").unwrap_err();
        let err = err.to_string();
        assert!(err.starts_with("logits[1]: ") && err.contains("0.5"), "{err}");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        assert_eq!(s.knobs.classes, (3, 5));
        assert_eq!(s.knobs.logit_range, (-2, 2));
        assert_eq!(s.knobs.ln_bases, vec![2]);
        assert!(sampler(PINNED).unwrap().fixed().is_some());
    }
}
