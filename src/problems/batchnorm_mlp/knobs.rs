//! The knobs of a `draw:` section after defaults, checked against the pins: the sizes
//! and ranges every drawn part must have, refused up front when no variant could meet them.

use super::integer::centred_columns;
use super::spec::{Draw, LabelPattern, Labels, Pinned, Settings};
use crate::engine::batchnorm::BatchnormBackward;
use crate::spec::knobs::{one_of, range, rows_within, size_in, within};
use crate::spec::{rules, FieldError};

/// Largest sizes a knob may ask for: the sheet writes every example and matrix out.
const MAX_BATCH: usize = 8;
const MAX_INPUTS: usize = 4;
const MAX_HIDDEN: usize = 4;
const MAX_SIGMA: i64 = 6;
/// Largest odds k of a logit ±ln k: p = k/(k+1) still has a small denominator.
const MAX_ODDS: i64 = 9;
pub(super) const MAX_DECIMALS: u32 = 6;

/// Two sizes that must agree: the second pinned field against the first.
fn agree(field: &str, got: usize, want: usize, why: &str) -> Result<(), FieldError> {
    if got == want {
        Ok(())
    } else {
        Err(FieldError::new(field, format!("has {got} {why}")))
    }
}

/// The knobs after defaults and pins: the sizes every drawn part must have.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    pub(super) batch: usize,
    pub(super) inputs: usize,
    pub(super) hidden: usize,
    pub(super) labels: Labels,
    pub(super) x_range: (i64, i64),
    pub(super) w1_range: (i64, i64),
    pub(super) b1_range: (i64, i64),
    pub(super) w2_range: (i64, i64),
    pub(super) b2_range: (i64, i64),
    pub(super) sigmas: Vec<i64>,
    /// The odds k of the shared logit ±ln k (1: s = 0).
    pub(super) odds: Vec<i64>,
    /// For each σ of `sigmas` that a batch can have: the centred integer columns (sorted
    /// multisets) with that biased σ.
    pub(super) columns: Vec<(i64, Vec<Vec<i64>>)>,
}

/// The knobs of a `draw:` section checked against the pins.
pub(super) fn knobs(
    draw: &Draw,
    pinned: &Pinned,
    settings: &Settings,
) -> Result<Knobs, FieldError> {
    let batch_pin = pinned
        .x
        .as_ref()
        .map(|x| (x.nrows(), "X"))
        .or(pinned.y.as_ref().map(|y| (y.len(), "y")));
    if let (Some(x), Some(y)) = (&pinned.x, &pinned.y) {
        agree(
            "y",
            y.len(),
            x.nrows(),
            "labels but X has a different number of rows",
        )?;
    }
    let batch = size_in(batch_pin, draw.batch, "draw.batch", 2, (2, MAX_BATCH))?;
    let inputs_pin = pinned
        .x
        .as_ref()
        .map(|x| (x.ncols(), "X"))
        .or(pinned.w1.as_ref().map(|w| (w.ncols(), "W1")));
    let inputs = size_in(inputs_pin, draw.inputs, "draw.inputs", 2, (1, MAX_INPUTS))?;
    let hidden_pin = pinned
        .w1
        .as_ref()
        .map(|w| (w.nrows(), "W1"))
        .or(pinned.b1.as_ref().map(|b| (b.len(), "b1")))
        .or(pinned.w2.as_ref().map(|w| (w.ncols(), "W2")));
    let hidden = size_in(hidden_pin, draw.hidden, "draw.hidden", 2, (1, MAX_HIDDEN))?;

    let labels = match (&draw.labels, &pinned.y) {
        (Some(Labels::List(list)), Some(y)) if y.to_vec() != *list => {
            return Err(FieldError::new(
                "draw.labels",
                "differs from the pinned `y`; change or remove one",
            ))
        }
        (Some(Labels::Pattern(_)), Some(_)) => {
            return Err(FieldError::new(
                "draw.labels",
                "the labels are pinned by `y`; remove one of them",
            ))
        }
        (Some(labels), _) => labels.clone(),
        (None, _) => Labels::Pattern(LabelPattern::Ones),
    };
    if let Labels::List(list) = &labels {
        rules::length("draw.labels", list, batch, "one label per example")?;
        if let Some(i) = list.iter().position(|&v| v != 0.0 && v != 1.0) {
            return Err(FieldError::new(
                format!("draw.labels[{i}]"),
                "a label must be 0 or 1",
            ));
        }
    }

    let x_range = range(draw.x_range, "draw.x_range", (-1, 3))?;
    let w1_range = range(draw.w1_range, "draw.w1_range", (-1, 1))?;
    let b1_range = range(draw.b1_range, "draw.b1_range", (-1, 1))?;
    let w2_range = range(draw.w2_range, "draw.w2_range", (-2, 2))?;
    let b2_range = range(draw.b2_range, "draw.b2_range", (-3, 3))?;
    if let Some(x) = &pinned.x {
        rows_within("X", x.rows(), draw.x_range, "draw.x_range")?;
    }
    if let Some(w1) = &pinned.w1 {
        rows_within("W1", w1.rows(), draw.w1_range, "draw.w1_range")?;
    }
    if let Some(b1) = &pinned.b1 {
        within("b1", b1, draw.b1_range, "draw.b1_range")?;
    }
    if let Some(w2) = &pinned.w2 {
        rows_within("W2", w2.rows(), draw.w2_range, "draw.w2_range")?;
    }
    if let Some(b2) = &pinned.b2 {
        within("b2", b2, draw.b2_range, "draw.b2_range")?;
    }

    let sigmas = one_of(&draw.sigmas, "draw.sigmas", &[1, 2], |s| {
        if (1..=MAX_SIGMA).contains(s) {
            Ok(())
        } else {
            Err(format!("a batch σ must be an integer from 1 to {MAX_SIGMA}"))
        }
    })?;
    let odds = one_of(&draw.odds, "draw.odds", &[1, 2], |k| {
        if (1..=MAX_ODDS).contains(k) {
            Ok(())
        } else {
            Err(format!(
                "the odds of a logit ln k must be an integer from 1 to {MAX_ODDS}"
            ))
        }
    })?;
    if draw.odds.is_some() && settings.sigmoid_decimals.is_some() {
        return Err(FieldError::new(
            "draw.odds",
            "with sigmoid_decimals the logits are not chosen; remove one of them",
        ));
    }
    if let (Some(b2), Some(list)) = (&pinned.b2, &draw.odds) {
        if !list.contains(&1) {
            return Err(FieldError::new(
                "draw.odds",
                format!(
                    "b2 is pinned to {}, so the logit has no ln k part and needs the odds 1 \
                     (s = 0); add 1 or remove b2",
                    b2[0]
                ),
            ));
        }
    }
    // Every exact update is W − lr·(a fraction), so a learning rate with a large
    // denominator puts it into every update: no drawn variant could keep the budget.
    let budget = <super::BatchnormMlp as crate::problems::Kind>::BUDGET.max_denominator;
    let lr_den = crate::exact::Rational::recognize(settings.lr, crate::exact::MAX_DEN)
        .map_or(i64::MAX, |r| r.den());
    if settings.sigmoid_decimals.is_none() && lr_den.unsigned_abs() > budget {
        return Err(FieldError::new(
            "lr",
            format!(
                "{} puts a denominator of {} into every update, beyond the hand-work \
                 budget of drawn variants (denominators up to {budget}); use a learning \
                 rate such as 1, 2 or 0.5, give sigmoid_decimals, or pin every parameter \
                 and remove `draw:`",
                settings.lr,
                if lr_den == i64::MAX { "over 5040".to_string() } else { lr_den.to_string() }
            ),
        ));
    }
    let columns: Vec<(i64, Vec<Vec<i64>>)> = sigmas
        .iter()
        .map(|&s| (s, centred_columns(batch, s, settings.eps)))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    if pinned.x.is_none() && columns.is_empty() {
        return Err(FieldError::new(
            "draw.sigmas",
            format!(
                "no batch of {batch} integers has a biased σ in {sigmas:?} (with eps = {}); \
                 a batch of 2 or 4 has σ = 1 and 2",
                settings.eps
            ),
        ));
    }
    if settings.backward == BatchnormBackward::Full && batch == 2 {
        return Err(FieldError::new(
            "batchnorm_backward",
            "with a batch of 2 the normalized values are always ±1, so the full gradient to W1 \
             and b1 is 0 and the step would not change them; use a batch of 4 or stats_constant",
        ));
    }
    Ok(Knobs {
        batch,
        inputs,
        hidden,
        labels,
        x_range,
        w1_range,
        b1_range,
        w2_range,
        b2_range,
        sigmas,
        odds,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{field_error, sampler};

    #[test]
    fn min_above_max_is_an_error_on_the_range() {
        let e = field_error("draw:\n  x_range: [3, -1]\n");
        assert_eq!(e.field, "draw.x_range");
        assert!(e.message.contains("greater than max"), "{e:?}");
        assert_eq!(
            field_error("draw:\n  w2_range: [1, 0]\n").field,
            "draw.w2_range"
        );
    }

    #[test]
    fn pins_that_contradict_the_knobs_are_errors() {
        let e = field_error("X: [[1, 1], [-1, 3]]\ndraw:\n  batch: 4\n");
        assert_eq!(e.field, "draw.batch");
        assert!(e.message.contains("pinned `X`"), "{e:?}");
        assert_eq!(
            field_error("W1: [[1, 0, 0], [0, 1, 0]]\ndraw:\n  inputs: 2\n").field,
            "draw.inputs"
        );
        assert_eq!(
            field_error("b1: [0, 0, 0]\ndraw:\n  hidden: 2\n").field,
            "draw.hidden"
        );
        // The exact entry, in the words every kind uses.
        let e = field_error("X: [[1, 1], [-1, 3]]\ndraw:\n  x_range: [0, 3]\n");
        assert_eq!(e.field, "X[1][0]");
        assert_eq!(
            e.message,
            "is -1 but draw.x_range is [0, 3]; change or remove one"
        );
        assert_eq!(
            field_error("y: [1, 0]\ndraw:\n  labels: [1, 1]\n").field,
            "draw.labels"
        );
        assert_eq!(
            field_error("draw:\n  labels: [1, 1, 0]\n").field,
            "draw.labels"
        );
        assert_eq!(
            field_error("W1: [[1, 0], [0, 1]]\nW2: [[1, 1, 1]]\ndraw: {}\n").field,
            "W2"
        );
    }

    #[test]
    fn impossible_knobs_are_refused_up_front() {
        // No three integers have an integer biased σ.
        let e = field_error("draw:\n  batch: 3\n");
        assert_eq!(e.field, "draw.sigmas");
        assert_eq!(
            field_error("draw:\n  sigmas: [0]\n").field,
            "draw.sigmas[0]"
        );
        let e = field_error("batchnorm_backward: full\ndraw: {}\n");
        assert_eq!(e.field, "batchnorm_backward");
        assert!(sampler("batchnorm_backward: full\ndraw:\n  batch: 4\n").is_ok());
        assert_eq!(
            field_error("sigmoid_decimals: 0\ndraw: {}\n").field,
            "sigmoid_decimals"
        );
        assert_eq!(field_error("draw:\n  odds: [0]\n").field, "draw.odds[0]");
        assert_eq!(field_error("draw:\n  odds: [10]\n").field, "draw.odds[0]");
        assert_eq!(
            field_error("sigmoid_decimals: 3\ndraw:\n  odds: [2]\n").field,
            "draw.odds"
        );
        assert_eq!(
            field_error("b2: [-1]\ndraw:\n  odds: [2, 3]\n").field,
            "draw.odds"
        );
        assert!(sampler("b2: [-1]\ndraw:\n  odds: [1, 2]\n").is_ok());
        // A learning rate whose denominator no drawn update could keep within the budget.
        let e = field_error("lr: 0.002\ndraw: {}\n");
        assert_eq!(e.field, "lr");
        assert!(e.message.contains("denominator of 500"), "{e:?}");
        assert!(sampler("lr: 0.5\ndraw: {}\n").is_ok());
        assert!(sampler("lr: 0.002\nsigmoid_decimals: 3\ndraw: {}\n").is_ok());
    }
}
