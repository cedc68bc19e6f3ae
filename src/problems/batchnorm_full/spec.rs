//! The spec side of the batchnorm_full problem: the serde types as written in a YAML
//! spec (pins and `draw:` knobs) and their checks into a [`Sampler`], so that every error
//! names the field to change before anything is drawn.

use serde::Deserialize;

use super::deviations::deviation_vectors;
use super::sampler::{Knobs, Pinned, Sampler};
use crate::problems::{array1, array2};
use crate::spec::knobs::{every_pinned, one_of, pinned_in, range, rows_within, value_within, within};
use crate::spec::{rules, FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of them must be.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// The batch, one example per row, one feature per column.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub x: Option<Vec<Vec<f64>>>,
    /// γ and β, one per feature.
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub gamma: Option<Vec<f64>>,
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub beta: Option<Vec<f64>>,
    /// The upstream gradient ∂L/∂Y, the shape of x.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub grad_y: Option<Vec<Vec<f64>>>,
    /// PyTorch's momentum m (running ← (1 − m)·running + m·batch).
    #[serde(default, deserialize_with = "crate::spec::number::number")]
    pub momentum: Option<f64>,
    /// The running statistics before the step, one per feature.
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub running_mean: Option<Vec<f64>>,
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub running_var: Option<Vec<f64>>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant, each optional. Ranges are `[min, max]`, inclusive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// N, the examples in the batch (default [4, 4]; 4 to 6).
    #[serde(default)]
    pub batch_range: Option<[usize; 2]>,
    /// d, the features (default [1, 1]; 1 or 2).
    #[serde(default)]
    pub features_range: Option<[usize; 2]>,
    /// σ of each feature, an integer (default [1, 3]).
    #[serde(default)]
    pub sigma_range: Option<[i64; 2]>,
    /// The deviations x − μ (default [-5, 5]).
    #[serde(default)]
    pub deviation_range: Option<[i64; 2]>,
    /// μ of each feature (default [-3, 3]).
    #[serde(default)]
    pub mean_range: Option<[i64; 2]>,
    /// γ (default [-2, 3]; 0 is never kept), β (default [-2, 2]).
    #[serde(default)]
    pub gamma_range: Option<[i64; 2]>,
    #[serde(default)]
    pub beta_range: Option<[i64; 2]>,
    /// The entries of ∂L/∂Y (default [-3, 3]).
    #[serde(default)]
    pub grad_range: Option<[i64; 2]>,
    /// The momenta m (default [0.1], PyTorch's default).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub momentums: Option<Vec<f64>>,
    /// The running statistics before the step (default [0, 0] and [1, 1]: a freshly
    /// constructed PyTorch layer).
    #[serde(default)]
    pub running_mean_range: Option<[i64; 2]>,
    #[serde(default)]
    pub running_var_range: Option<[i64; 2]>,
}

/// The batch sizes a sheet can have. Three examples never give a rational σ (with
/// Σd = 0, Σd² = 2(a² + ab + b²), which is never three times a square), and two give a
/// zero input gradient (the sheet asks why); six examples are written out by hand.
pub const BATCH: (usize, usize) = (4, 6);
/// The most features a sheet works through.
pub const MAX_FEATURES: usize = 2;
/// The largest σ and the widest deviation a draw may ask for (the deviation vectors are
/// enumerated once per plan).
pub const MAX_SIGMA: i64 = 4;
pub const MAX_DEVIATION: i64 = 8;

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        if spec.draw.is_none() {
            every_pinned(&[
                ("x", spec.x.is_some()),
                ("gamma", spec.gamma.is_some()),
                ("beta", spec.beta.is_some()),
                ("grad_y", spec.grad_y.is_some()),
                ("momentum", spec.momentum.is_some()),
                ("running_mean", spec.running_mean.is_some()),
                ("running_var", spec.running_var.is_some()),
            ])?;
        }
        let draw = spec.draw.clone().unwrap_or_default();
        let (batch, features) = sizes(&spec, &draw)?;
        let knobs = knobs(&spec, &draw, batch, features)?;
        check_pins(&spec, &draw)?;
        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                x: spec.x.as_deref().map(array2),
                gamma: spec.gamma.as_deref().map(array1),
                beta: spec.beta.as_deref().map(array1),
                grad_y: spec.grad_y.as_deref().map(array2),
                momentum: spec.momentum,
                running_mean: spec.running_mean.as_deref().map(array1),
                running_var: spec.running_var.as_deref().map(array1),
            },
            knobs,
        })
    }
}

/// The size every pinned source agrees on (the first one sets it), or None.
fn agreed(sources: &[(Option<usize>, &str, &str)]) -> Result<Option<usize>, FieldError> {
    let mut first: Option<(usize, &str)> = None;
    for &(size, field, unit) in sources {
        let Some(size) = size else { continue };
        match first {
            Some((n, by)) if n != size => {
                return Err(FieldError::new(
                    field,
                    format!("has {size} {unit} but `{by}` makes it {n}; change one"),
                ))
            }
            Some(_) => {}
            None => first = Some((size, field)),
        }
    }
    Ok(first.map(|(n, _)| n))
}

/// A size from the pins, else the knob, within `bounds`; a pin outside the knob is an
/// error on the pin, in the shared wording.
fn size_of(
    pinned: Option<usize>,
    (pin_field, unit): (&str, &str),
    knob: Option<[usize; 2]>,
    knob_field: &str,
    default: (usize, usize),
    (lo, hi): (usize, usize),
    why: &str,
) -> Result<(usize, usize), FieldError> {
    let knob_range = range(knob, knob_field, default)?;
    if let Some(n) = pinned {
        if !(lo..=hi).contains(&n) {
            return Err(FieldError::new(
                pin_field,
                format!("has {n} {unit} but needs {lo} to {hi}: {why}"),
            ));
        }
        value_within(pin_field, n, knob, knob_field)?;
        return Ok((n, n));
    }
    if knob_range.0 < lo || knob_range.1 > hi {
        return Err(FieldError::new(
            knob_field,
            format!("must lie within [{lo}, {hi}]: {why}"),
        ));
    }
    Ok(knob_range)
}

/// N and d from the pins and the knobs.
/// An inclusive `[min, max]` size.
type SizeRange = (usize, usize);

fn sizes(spec: &Spec, draw: &Draw) -> Result<(SizeRange, SizeRange), FieldError> {
    for (field, rows) in [("x", &spec.x), ("grad_y", &spec.grad_y)] {
        if let Some(rows) = rows {
            rules::matrix(field, rows)?;
        }
    }
    let len = |v: &Option<Vec<f64>>| v.as_ref().map(Vec::len);
    let rows = |m: &Option<Vec<Vec<f64>>>| m.as_ref().map(Vec::len);
    let cols = |m: &Option<Vec<Vec<f64>>>| m.as_ref().and_then(|r| r.first()).map(Vec::len);
    let n = agreed(&[
        (rows(&spec.x), "x", "rows"),
        (rows(&spec.grad_y), "grad_y", "rows"),
    ])?;
    let d = agreed(&[
        (cols(&spec.x), "x", "columns"),
        (cols(&spec.grad_y), "grad_y", "columns"),
        (len(&spec.gamma), "gamma", "entries"),
        (len(&spec.beta), "beta", "entries"),
        (len(&spec.running_mean), "running_mean", "entries"),
        (len(&spec.running_var), "running_var", "entries"),
    ])?;
    let n_field = if spec.x.is_some() { "x" } else { "grad_y" };
    let batch = size_of(
        n,
        (n_field, "rows"),
        draw.batch_range,
        "draw.batch_range",
        (4, 4),
        BATCH,
        "with 3 examples σ is never a fraction, with 2 the input gradient is zero, and \
         every example is written out",
    )?;
    let d_field = [
        ("x", spec.x.is_some(), "columns"),
        ("grad_y", spec.grad_y.is_some(), "columns"),
        ("gamma", spec.gamma.is_some(), "entries"),
        ("beta", spec.beta.is_some(), "entries"),
        ("running_mean", spec.running_mean.is_some(), "entries"),
        ("running_var", spec.running_var.is_some(), "entries"),
    ]
    .into_iter()
    .find_map(|(f, pinned, unit)| pinned.then_some((f, unit)))
    .unwrap_or(("draw.features_range", "entries"));
    let features = size_of(
        d,
        d_field,
        draw.features_range,
        "draw.features_range",
        (1, 1),
        (1, MAX_FEATURES),
        "the sheet works through every feature",
    )?;
    Ok((batch, features))
}

/// The knobs, and the deviation vectors of every N the draw may pick.
fn knobs(
    spec: &Spec,
    draw: &Draw,
    batch: (usize, usize),
    features: (usize, usize),
) -> Result<Knobs, FieldError> {
    let sigma_range = range(draw.sigma_range, "draw.sigma_range", (1, 3))?;
    if sigma_range.0 < 1 || sigma_range.1 > MAX_SIGMA {
        return Err(FieldError::new(
            "draw.sigma_range",
            format!("must lie within [1, {MAX_SIGMA}]"),
        ));
    }
    let deviation_range = range(draw.deviation_range, "draw.deviation_range", (-5, 5))?;
    if deviation_range.0 < -MAX_DEVIATION || deviation_range.1 > MAX_DEVIATION {
        return Err(FieldError::new(
            "draw.deviation_range",
            format!("must lie within [-{MAX_DEVIATION}, {MAX_DEVIATION}]"),
        ));
    }
    let mut columns = Vec::new();
    if spec.x.is_none() {
        for n in batch.0..=batch.1 {
            let of_n: Vec<(i64, Vec<Vec<i64>>)> = (sigma_range.0..=sigma_range.1)
                .map(|sigma| (sigma, deviation_vectors(n, sigma, deviation_range)))
                .filter(|(_, vectors)| !vectors.is_empty())
                .collect();
            if of_n.is_empty() {
                return Err(FieldError::new(
                    "draw.sigma_range",
                    format!(
                        "no {n} integer deviations within draw.deviation_range [{}, {}] have \
                         Σd = 0, an integer σ in [{}, {}] and an entry other than ±σ; widen \
                         one of them",
                        deviation_range.0, deviation_range.1, sigma_range.0, sigma_range.1
                    ),
                ));
            }
            columns.push(of_n);
        }
    }
    let momentums = one_of(&draw.momentums, "draw.momentums", &[0.1], |&m| {
        momentum_rule(m)
    })?;
    let running_var_range = range(draw.running_var_range, "draw.running_var_range", (1, 1))?;
    if running_var_range.0 < 0 {
        return Err(FieldError::new(
            "draw.running_var_range",
            "must not go below 0: a variance is never negative",
        ));
    }
    Ok(Knobs {
        batch,
        features,
        columns,
        mean_range: range(draw.mean_range, "draw.mean_range", (-3, 3))?,
        gamma_range: range(draw.gamma_range, "draw.gamma_range", (-2, 3))?,
        beta_range: range(draw.beta_range, "draw.beta_range", (-2, 2))?,
        grad_range: range(draw.grad_range, "draw.grad_range", (-3, 3))?,
        momentums,
        running_mean_range: range(draw.running_mean_range, "draw.running_mean_range", (0, 0))?,
        running_var_range,
    })
}

/// A momentum is in (0, 1].
fn momentum_rule(m: f64) -> Result<(), String> {
    if m > 0.0 && m <= 1.0 {
        Ok(())
    } else {
        Err(format!("is {m} but a momentum must be in (0, 1]"))
    }
}

/// A pinned vector, its knob and the knob's name.
type PinnedVector<'a> = (&'a str, &'a Option<Vec<f64>>, Option<[i64; 2]>, &'a str);

/// Pins of values: the momentum's and the variance's rules, and every pin within its
/// knob when the spec gives the knob.
fn check_pins(spec: &Spec, draw: &Draw) -> Result<(), FieldError> {
    for (field, v) in [
        ("gamma", &spec.gamma),
        ("beta", &spec.beta),
        ("running_mean", &spec.running_mean),
        ("running_var", &spec.running_var),
    ] {
        if let Some(v) = v {
            rules::finite(field, v)?;
        }
    }
    if let Some(m) = spec.momentum {
        momentum_rule(m).map_err(|message| FieldError::new("momentum", message))?;
        pinned_in(Some(m), "momentum", &draw.momentums, "draw.momentums")?;
    }
    if let Some(v) = &spec.running_var {
        if let Some(i) = v.iter().position(|&v| v < 0.0) {
            return Err(FieldError::new(
                format!("running_var[{i}]"),
                format!("is {} but a variance is never negative", v[i]),
            ));
        }
    }
    let pins: [PinnedVector; 4] = [
        ("gamma", &spec.gamma, draw.gamma_range, "draw.gamma_range"),
        ("beta", &spec.beta, draw.beta_range, "draw.beta_range"),
        (
            "running_mean",
            &spec.running_mean,
            draw.running_mean_range,
            "draw.running_mean_range",
        ),
        (
            "running_var",
            &spec.running_var,
            draw.running_var_range,
            "draw.running_var_range",
        ),
    ];
    for (field, values, knob, knob_field) in pins {
        if let Some(values) = values {
            within(field, values, knob, knob_field)?;
        }
    }
    if let Some(g) = &spec.grad_y {
        rows_within("grad_y", g, draw.grad_range, "draw.grad_range")?;
    }
    Ok(())
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
        let (field, message) = error_of(&PINNED.replace("momentum: 0.1\n", ""));
        assert_eq!(field, "momentum");
        assert!(message.contains("add a `draw:` section"), "{message}");
        assert_eq!(field_of("gamma: [1]\n"), "x");
        assert!(sampler(PINNED).unwrap().fixed().is_some());
    }

    #[test]
    fn sizes_must_agree_and_stay_within_the_sheet() {
        let (field, message) = error_of(&PINNED.replace("grad_y: [[1], [0], [-1], [2]]", "grad_y: [[1], [0], [-1]]"));
        assert_eq!(field, "grad_y");
        assert_eq!(message, "has 3 rows but `x` makes it 4; change one");
        assert_eq!(field_of(&PINNED.replace("beta: [1]", "beta: [1, 2]")), "beta");
        let (field, message) = error_of("x: [[1], [3]]\ndraw: {}\n");
        assert_eq!(field, "x");
        assert!(message.starts_with("has 2 rows but needs 4 to 6"), "{message}");
        assert_eq!(field_of("x: [[1], [2], [3]]\ndraw: {}\n"), "x");
        assert_eq!(field_of("gamma: [1, 2, 3]\ndraw: {}\n"), "gamma");
        assert_eq!(field_of("draw: {batch_range: [3, 4]}\n"), "draw.batch_range");
        assert_eq!(field_of("draw: {features_range: [1, 3]}\n"), "draw.features_range");
        assert_eq!(field_of("draw: {batch_range: [5, 4]}\n"), "draw.batch_range");
        let (field, message) = error_of("x: [[1], [3], [3], [9]]\ndraw: {batch_range: [5, 6]}\n");
        assert_eq!(field, "x");
        assert_eq!(message, "is 4 but draw.batch_range is [5, 6]; change or remove one");
        assert_eq!(field_of("x: [[1], [3, 1], [3], [9]]\ndraw: {}\n"), "x[1]");
    }

    #[test]
    fn knobs_are_checked() {
        assert_eq!(field_of("draw: {sigma_range: [0, 2]}\n"), "draw.sigma_range");
        assert_eq!(field_of("draw: {sigma_range: [1, 9]}\n"), "draw.sigma_range");
        assert_eq!(field_of("draw: {deviation_range: [-9, 5]}\n"), "draw.deviation_range");
        assert_eq!(field_of("draw: {momentums: []}\n"), "draw.momentums");
        assert_eq!(field_of("draw: {momentums: [0.1, 1.5]}\n"), "draw.momentums[1]");
        assert_eq!(field_of("draw: {running_var_range: [-1, 1]}\n"), "draw.running_var_range");
        // Five examples and σ = 1: no deviation vector at all.
        let (field, message) = error_of("draw: {batch_range: [5, 5], sigma_range: [1, 1]}\n");
        assert_eq!(field, "draw.sigma_range");
        assert!(message.contains("no 5 integer deviations"), "{message}");
    }

    #[test]
    fn pins_keep_their_rules_and_their_knobs() {
        let (field, message) = error_of(&PINNED.replace("momentum: 0.1", "momentum: 0"));
        assert_eq!(field, "momentum");
        assert!(message.contains("(0, 1]"), "{message}");
        let (field, message) = error_of("momentum: 0.5\ndraw: {momentums: [0.1, 0.2]}\n");
        assert_eq!(field, "momentum");
        assert_eq!(message, "is 0.5 but draw.momentums is [0.1, 0.2]; change or remove one");
        assert_eq!(field_of(&PINNED.replace("running_var: [1]", "running_var: [-1]")), "running_var[0]");
        let (field, message) = error_of("gamma: [5]\ndraw: {gamma_range: [1, 3]}\n");
        assert_eq!(field, "gamma[0]");
        assert_eq!(message, "is 5 but draw.gamma_range is [1, 3]; change or remove one");
        assert_eq!(field_of("grad_y: [[1], [9], [0], [0]]\ndraw: {grad_range: [-3, 3]}\n"), "grad_y[1][0]");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        assert_eq!((s.knobs.batch, s.knobs.features), ((4, 4), (1, 1)));
        assert_eq!(s.knobs.momentums, vec![0.1]);
        assert_eq!((s.knobs.running_mean_range, s.knobs.running_var_range), ((0, 0), (1, 1)));
        let sigmas: Vec<i64> = s.knobs.columns[0].iter().map(|(s, _)| *s).collect();
        // σ = 1 and 2 have only x̂ = ±1 with four examples.
        assert_eq!(sigmas, vec![3]);
    }
}
