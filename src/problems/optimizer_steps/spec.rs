//! The spec side of the optimizer_steps problem: the serde types as written in a YAML
//! spec (pins and `draw:` knobs) and their checks into a [`Sampler`], so that every error
//! names the field to change before anything is drawn.

use serde::Deserialize;

use super::sampler::{Hyper, Knobs, Pinned, Sampler};
use super::OptimizerName;
use crate::spec::knobs::{every_pinned, one_of, pinned_in, range, value_within, within};
use crate::spec::{FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of them must be (the hyperparameters only of the pinned optimiser).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    #[serde(default)]
    pub optimizer: Option<OptimizerName>,
    /// The starting point w₀.
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub w0: Option<Vec<i64>>,
    /// The objective's minimiser c.
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub c: Option<Vec<i64>>,
    /// The objective's positive weights a.
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub a: Option<Vec<i64>>,
    /// The number of steps T.
    #[serde(default)]
    pub steps: Option<usize>,
    /// The learning rate η.
    #[serde(default, deserialize_with = "crate::spec::number::number")]
    pub lr: Option<f64>,
    /// μ of SGD with momentum and of Nesterov.
    #[serde(default, deserialize_with = "crate::spec::number::number")]
    pub momentum: Option<f64>,
    /// β₁ of Adam and AdamW.
    #[serde(default, deserialize_with = "crate::spec::number::number")]
    pub beta1: Option<f64>,
    /// β₂ of Adam and AdamW.
    #[serde(default, deserialize_with = "crate::spec::number::number")]
    pub beta2: Option<f64>,
    /// λ of AdamW.
    #[serde(default, deserialize_with = "crate::spec::number::number")]
    pub weight_decay: Option<f64>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant, each optional. Ranges are `[min, max]`, inclusive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// The optimisers drawn from (default all four).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub optimizers: Option<Vec<OptimizerName>>,
    /// The number of parameters n (default [1, 2]).
    #[serde(default)]
    pub dims_range: Option<[usize; 2]>,
    /// The number of steps T (default [2, 3]).
    #[serde(default)]
    pub steps_range: Option<[usize; 2]>,
    /// The entries of w₀ (default [-3, 3]).
    #[serde(default)]
    pub w0_range: Option<[i64; 2]>,
    /// The entries of c (default [-2, 2]).
    #[serde(default)]
    pub c_range: Option<[i64; 2]>,
    /// The entries of a (default [1, 2]).
    #[serde(default)]
    pub a_range: Option<[i64; 2]>,
    /// The learning rates (default [0.5, 0.25] for the momentum methods, [0.5, 1, 1.5]
    /// for Adam's).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub lrs: Option<Vec<f64>>,
    /// μ (default [0.5, 0.25, 0.75]).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub momenta: Option<Vec<f64>>,
    /// β₁ (default [0.5, 0.75]).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub beta1s: Option<Vec<f64>>,
    /// β₂ (default [0.5, 0.75]).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub beta2s: Option<Vec<f64>>,
    /// λ of AdamW (default [0.5, 0.25]).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub weight_decays: Option<Vec<f64>>,
}

/// The most parameters a sheet writes out (each step's table row holds n-vectors).
pub const MAX_DIMS: usize = 3;
/// The most steps a sheet works through.
pub const MAX_STEPS: usize = 4;

pub const MOMENTUM_LRS: [f64; 2] = [0.5, 0.25];
pub const ADAM_LRS: [f64; 3] = [0.5, 1.0, 1.5];

fn positive(v: &f64) -> Result<(), String> {
    if *v > 0.0 {
        Ok(())
    } else {
        Err(format!("is {v} but must be positive"))
    }
}

/// A decay rate (μ, β₁, β₂): in (0, 1), as PyTorch requires of β and as momentum needs to
/// forget.
fn rate(v: &f64) -> Result<(), String> {
    if *v > 0.0 && *v < 1.0 {
        Ok(())
    } else {
        Err(format!("is {v} but must lie strictly between 0 and 1"))
    }
}

/// A pinned hyperparameter: keeps its rule, lies in its knob, and belongs to the pinned
/// optimiser (if any).
fn hyper(
    field: &str,
    value: Option<f64>,
    knob: &Option<Vec<f64>>,
    rule: fn(&f64) -> Result<(), String>,
    default: &[f64],
    users: &[OptimizerName],
    optimizer: Option<OptimizerName>,
) -> Result<Hyper, FieldError> {
    let knob_field = format!("draw.{}", knob_name(field));
    let set = one_of(knob, &knob_field, default, rule)?;
    if let Some(v) = value {
        rule(&v).map_err(|m| FieldError::new(field, m))?;
        pinned_in(Some(v), field, knob, &knob_field)?;
        if let Some(name) = optimizer.filter(|o| !users.contains(o)) {
            return Err(FieldError::new(
                field,
                format!(
                    "is not used by {}; remove it",
                    crate::spec::knobs::spelled(&name)
                ),
            ));
        }
    }
    Ok(Hyper { pinned: value, set })
}

fn knob_name(field: &str) -> &'static str {
    match field {
        "lr" => "lrs",
        "momentum" => "momenta",
        "beta1" => "beta1s",
        "beta2" => "beta2s",
        _ => "weight_decays",
    }
}

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        use OptimizerName::*;
        if spec.draw.is_none() {
            let o = spec.optimizer;
            let uses = |names: &[OptimizerName]| o.is_none_or(|o| names.contains(&o));
            every_pinned(&[
                ("optimizer", o.is_some()),
                ("w0", spec.w0.is_some()),
                ("c", spec.c.is_some()),
                ("a", spec.a.is_some()),
                ("steps", spec.steps.is_some()),
                ("lr", spec.lr.is_some()),
                ("momentum", spec.momentum.is_some() || !uses(&[SgdMomentum, Nesterov])),
                ("beta1", spec.beta1.is_some() || !uses(&[Adam, Adamw])),
                ("beta2", spec.beta2.is_some() || !uses(&[Adam, Adamw])),
                ("weight_decay", spec.weight_decay.is_some() || !uses(&[Adamw])),
            ])?;
        }
        let draw = spec.draw.clone().unwrap_or_default();
        let optimizers = one_of(&draw.optimizers, "draw.optimizers", &OptimizerName::ALL, |_| {
            Ok(())
        })?;
        pinned_in(spec.optimizer, "optimizer", &draw.optimizers, "draw.optimizers")?;
        let dims = dims(&spec, &draw)?;
        let steps = range(draw.steps_range, "draw.steps_range", (2, 3))?;
        if steps.0 < 1 || steps.1 > MAX_STEPS {
            return Err(FieldError::new(
                "draw.steps_range",
                format!("must lie within [1, {MAX_STEPS}]: the sheet works every step"),
            ));
        }
        if let Some(t) = spec.steps {
            if !(1..=MAX_STEPS).contains(&t) {
                return Err(FieldError::new(
                    "steps",
                    format!("is {t} but must be 1 to {MAX_STEPS}"),
                ));
            }
            value_within("steps", t, draw.steps_range, "draw.steps_range")?;
        }
        let w0_range = range(draw.w0_range, "draw.w0_range", (-3, 3))?;
        let c_range = range(draw.c_range, "draw.c_range", (-2, 2))?;
        let a_range = range(draw.a_range, "draw.a_range", (1, 2))?;
        if a_range.0 < 1 {
            return Err(FieldError::new(
                "draw.a_range",
                "must be positive: a weighs each term of the objective",
            ));
        }
        for (field, pin, knob, knob_field) in [
            ("w0", &spec.w0, draw.w0_range, "draw.w0_range"),
            ("c", &spec.c, draw.c_range, "draw.c_range"),
            ("a", &spec.a, draw.a_range, "draw.a_range"),
        ] {
            if let Some(values) = pin {
                let as_f64: Vec<f64> = values.iter().map(|&v| v as f64).collect();
                within(field, &as_f64, knob, knob_field)?;
            }
        }
        if let Some(i) = spec.a.iter().flatten().position(|&v| v < 1) {
            return Err(FieldError::new(
                format!("a[{i}]"),
                "must be a positive integer: a weighs each term of the objective",
            ));
        }
        let o = spec.optimizer;
        let lr_default: &[f64] = match o {
            Some(name) if name.is_adam() => &ADAM_LRS,
            _ => &MOMENTUM_LRS,
        };
        let lr = hyper("lr", spec.lr, &draw.lrs, positive, lr_default, &OptimizerName::ALL, o)?;
        let momentum = hyper(
            "momentum",
            spec.momentum,
            &draw.momenta,
            rate,
            &[0.5, 0.25, 0.75],
            &[SgdMomentum, Nesterov],
            o,
        )?;
        let betas = [0.5, 0.75];
        let beta1 = hyper("beta1", spec.beta1, &draw.beta1s, rate, &betas, &[Adam, Adamw], o)?;
        let beta2 = hyper("beta2", spec.beta2, &draw.beta2s, rate, &betas, &[Adam, Adamw], o)?;
        let weight_decay = hyper(
            "weight_decay",
            spec.weight_decay,
            &draw.weight_decays,
            positive,
            &[0.5, 0.25],
            &[Adamw],
            o,
        )?;
        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                optimizer: spec.optimizer,
                w0: spec.w0,
                c: spec.c,
                a: spec.a,
                steps: spec.steps,
            },
            knobs: Knobs {
                optimizers,
                lrs_given: draw.lrs.is_some(),
                dims,
                steps,
                w0_range,
                c_range,
                a_range,
                lr,
                momentum,
                beta1,
                beta2,
                weight_decay,
            },
        })
    }
}

/// The range of n: the length of the pinned vectors (which must agree, and which a
/// `dims_range` knob must allow), else the knob, else [1, 2]; n is 1 to [`MAX_DIMS`].
fn dims(spec: &Spec, draw: &Draw) -> Result<(usize, usize), FieldError> {
    let knob = range(draw.dims_range, "draw.dims_range", (1, 2))?;
    let pins = [("w0", &spec.w0), ("c", &spec.c), ("a", &spec.a)];
    let mut fixed: Option<(usize, &str)> = None;
    for (field, pin) in pins {
        let Some(values) = pin else { continue };
        let n = values.len();
        if !(1..=MAX_DIMS).contains(&n) {
            return Err(FieldError::new(
                field,
                format!("has {n} entries but needs 1 to {MAX_DIMS} (one per parameter)"),
            ));
        }
        match fixed {
            Some((m, first)) if m != n => {
                return Err(FieldError::new(
                    field,
                    format!("has {n} entries but `{first}` has {m}; one entry per parameter"),
                ))
            }
            _ => fixed = Some((n, field)),
        }
    }
    if let Some((n, field)) = fixed {
        if let Some([lo, hi]) = draw.dims_range {
            if !(lo..=hi).contains(&n) {
                return Err(FieldError::new(
                    field,
                    format!(
                        "has {n} entries but draw.dims_range is [{lo}, {hi}]; change or remove one"
                    ),
                ));
            }
        }
        return Ok((n, n));
    }
    if knob.0 < 1 || knob.1 > MAX_DIMS {
        return Err(FieldError::new(
            "draw.dims_range",
            format!("must lie within [1, {MAX_DIMS}]: the sheet writes every parameter out"),
        ));
    }
    Ok(knob)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED, PINNED_ADAMW};

    fn error_of(yaml: &str) -> (String, String) {
        let e = sampler(yaml).expect_err("a spec error");
        (e.field, e.message)
    }

    fn field_of(yaml: &str) -> String {
        error_of(yaml).0
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let (field, message) = error_of(&PINNED.replace("momentum: 0.5\n", ""));
        assert_eq!(field, "momentum");
        assert!(message.contains("add a `draw:` section"), "{message}");
        assert_eq!(field_of(&PINNED_ADAMW.replace("weight_decay: 0.5\n", "")), "weight_decay");
        assert_eq!(field_of(&PINNED_ADAMW.replace("beta2: 0.5\n", "")), "beta2");
        assert_eq!(field_of(&PINNED.replace("lr: 0.5\n", "")), "lr");
        assert_eq!(field_of("w0: [1]\n"), "optimizer");
        assert!(sampler(PINNED).unwrap().fixed().is_some());
        assert!(sampler(PINNED_ADAMW).unwrap().fixed().is_some());
    }

    #[test]
    fn a_hyperparameter_of_another_optimizer_is_refused() {
        let (field, message) = error_of(&format!("{PINNED}beta1: 0.5\n"));
        assert_eq!(field, "beta1");
        assert_eq!(message, "is not used by sgd_momentum; remove it");
        assert_eq!(field_of(&format!("{PINNED_ADAMW}momentum: 0.5\n")), "momentum");
        assert_eq!(
            field_of("optimizer: adam\nweight_decay: 0.5\ndraw: {}\n"),
            "weight_decay"
        );
        // Unpinned optimiser: the pin is used whenever its optimiser is drawn.
        assert!(sampler("momentum: 0.5\nbeta1: 0.5\ndraw: {}\n").is_ok());
    }

    #[test]
    fn a_pin_outside_its_knob_names_the_entry_in_the_shared_wording() {
        let (field, message) = error_of("w0: [1, 9]\ndraw: {w0_range: [-3, 3]}\n");
        assert_eq!((field.as_str(), message.as_str()), ("w0[1]", "is 9 but draw.w0_range is [-3, 3]; change or remove one"));
        let (field, message) = error_of("lr: 0.75\ndraw: {lrs: [0.5]}\n");
        assert_eq!(field, "lr");
        assert_eq!(message, "is 0.75 but draw.lrs is [0.5]; change or remove one");
        let (field, message) = error_of("optimizer: adam\ndraw: {optimizers: [nesterov]}\n");
        assert_eq!(field, "optimizer");
        assert!(message.ends_with("change or remove one"), "{message}");
        assert_eq!(field_of("steps: 3\ndraw: {steps_range: [1, 2]}\n"), "steps");
    }

    #[test]
    fn sizes_ranges_and_rates_are_checked() {
        assert_eq!(field_of("w0: [1, 2]\nc: [0]\ndraw: {}\n"), "c");
        assert_eq!(field_of("w0: [1, 2, 3, 4]\ndraw: {}\n"), "w0");
        assert_eq!(field_of("w0: [1, 2]\ndraw: {dims_range: [1, 1]}\n"), "w0");
        assert_eq!(field_of("draw: {dims_range: [1, 4]}\n"), "draw.dims_range");
        assert_eq!(field_of("draw: {steps_range: [0, 2]}\n"), "draw.steps_range");
        assert_eq!(field_of("draw: {steps_range: [3, 2]}\n"), "draw.steps_range");
        assert_eq!(field_of("steps: 5\ndraw: {}\n"), "steps");
        assert_eq!(field_of("draw: {a_range: [0, 2]}\n"), "draw.a_range");
        assert_eq!(field_of("a: [1, 0]\ndraw: {}\n"), "a[1]");
        assert_eq!(field_of("draw: {momenta: [0.5, 1]}\n"), "draw.momenta[1]");
        assert_eq!(field_of("draw: {beta2s: []}\n"), "draw.beta2s");
        assert_eq!(field_of("draw: {lrs: [-0.5]}\n"), "draw.lrs[0]");
        assert_eq!(field_of("beta1: 1\ndraw: {}\n"), "beta1");
        assert_eq!(field_of("draw: {optimizers: []}\n"), "draw.optimizers");
    }

    #[test]
    fn an_unknown_optimizer_is_refused_while_read() {
        let err = serde_yaml::from_str::<super::Spec>("optimizer: rmsprop\n").unwrap_err();
        assert!(err.to_string().contains("rmsprop"), "{err}");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        assert_eq!(s.knobs.optimizers.len(), 4);
        assert_eq!((s.knobs.dims, s.knobs.steps), ((1, 2), (2, 3)));
        assert_eq!(s.knobs.beta1.set, vec![0.5, 0.75]);
        assert!(!s.knobs.lrs_given);
    }
}
