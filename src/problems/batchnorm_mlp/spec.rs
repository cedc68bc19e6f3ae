//! The problem as a spec writes it (serde types) and the checks on its pinned
//! parameters and settings, which turn it into a [`Sampler`]; the `draw:` knobs are
//! checked in `knobs.rs`.

use ndarray::{Array1, Array2};
use serde::Deserialize;

use super::knobs::{knobs, MAX_DECIMALS};
use super::sampler::Sampler;
use crate::engine::batchnorm::{batchnorm_forward, BatchnormBackward};
use crate::engine::linear::linear_forward;
use crate::problems::{array1, array2};
use crate::spec::knobs::every_pinned;
use crate::spec::{rules, FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of X, y, W1, b1, W2 and b2 must be.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// Minibatch, one example per row.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub X: Option<Vec<Vec<f64>>>,
    /// Labels, 0 or 1, one per example.
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub y: Option<Vec<f64>>,
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub W1: Option<Vec<Vec<f64>>>,
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub b1: Option<Vec<f64>>,
    /// The second layer's weights as a one-row matrix.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub W2: Option<Vec<Vec<f64>>>,
    /// The second layer's bias as a one-entry list.
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub b2: Option<Vec<f64>>,
    #[serde(
        default = "one",
        deserialize_with = "crate::spec::number::required_number"
    )]
    pub lr: f64,
    /// Added to the variance under the square root; the exam uses 0.
    #[serde(default, deserialize_with = "crate::spec::number::required_number")]
    pub eps: f64,
    /// How the backward pass treats the batch statistics.
    #[serde(default = "stats_constant")]
    pub batchnorm_backward: BatchnormBackward,
    /// Absent: the sigmoid values are exact (every drawn variant's examples share a logit
    /// s = 0 or ±ln k for k in `draw.odds`, so p is a fraction). A
    /// number d: the sheet gives p rounded to d decimals and every value that depends on
    /// it as an approximation to d decimals.
    #[serde(default)]
    pub sigmoid_decimals: Option<u32>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

fn one() -> f64 {
    1.0
}

fn stats_constant() -> BatchnormBackward {
    BatchnormBackward::StatsConstant
}

/// The knobs of a randomized variant; each one optional, the defaults are the 2022 exam's
/// sizes and value ranges. Ranges are `[min, max]`, inclusive, of integers.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Draw {
    /// Examples in the minibatch (default 2).
    pub batch: Option<usize>,
    /// Features of an example (default 2).
    pub inputs: Option<usize>,
    /// Hidden units (default 2).
    pub hidden: Option<usize>,
    /// The labels: `ones` (default, as in 2022), `drawn` (each 0 or 1 with equal
    /// chance) or a list such as `[1, 0]`.
    pub labels: Option<Labels>,
    /// Entries of X (default [-1, 3]).
    pub x_range: Option<[i64; 2]>,
    /// Entries of W1 (default [-1, 1]).
    pub w1_range: Option<[i64; 2]>,
    /// Entries of b1 (default [-1, 1]).
    pub b1_range: Option<[i64; 2]>,
    /// Entries of W2 (default [-2, 2]).
    pub w2_range: Option<[i64; 2]>,
    /// b2 (default [-3, 3]); with the exact sigmoid b2 = −W2·h2 must fall in it.
    pub b2_range: Option<[i64; 2]>,
    /// The batch standard deviations σ a hidden unit may have (default [1, 2]).
    #[serde(deserialize_with = "crate::spec::number::integers")]
    pub sigmas: Option<Vec<i64>>,
    /// With the exact sigmoid, the odds k of the shared logit s = ±ln k (default [1, 2]:
    /// s is 0, ln 2 or −ln 2, so p is 1/2, 2/3 or 1/3); 1 stands for s = 0.
    #[serde(deserialize_with = "crate::spec::number::integers")]
    pub odds: Option<Vec<i64>>,
}

/// How drawn labels are chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum Labels {
    Pattern(LabelPattern),
    /// These labels, one per example.
    List(Vec<f64>),
}

/// By hand rather than `untagged`: serde buffers an untagged value whole before trying
/// the variants, so a YAML alias bomb there would be expanded before any list limit.
impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IntoDeserializer, SeqAccess, Visitor};
        struct LabelsVisitor;
        impl<'de> Visitor<'de> for LabelsVisitor {
            type Value = Labels;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`ones`, `drawn` or a list of labels such as [1, 0]")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Labels, E> {
                LabelPattern::deserialize(v.into_deserializer()).map(Labels::Pattern)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Labels, A::Error> {
                let labels: Vec<crate::spec::number::Num> = crate::spec::number::BoundedSeq(
                    std::marker::PhantomData,
                    crate::spec::limits::MAX_ENTRIES,
                )
                .visit_seq(seq)?;
                Ok(Labels::List(labels.into_iter().map(|n| n.0).collect()))
            }
        }
        d.deserialize_any(LabelsVisitor)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelPattern {
    /// Every label 1, as in 2022.
    Ones,
    /// Each label 0 or 1 with equal chance.
    Drawn,
}

/// The settings that are never drawn.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Settings {
    pub(super) points: Points,
    pub(super) lr: f64,
    pub(super) eps: f64,
    pub(super) backward: BatchnormBackward,
    pub(super) sigmoid_decimals: Option<u32>,
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) x: Option<Array2<f64>>,
    pub(super) y: Option<Array1<f64>>,
    pub(super) w1: Option<Array2<f64>>,
    pub(super) b1: Option<Array1<f64>>,
    pub(super) w2: Option<Array2<f64>>,
    pub(super) b2: Option<Array1<f64>>,
}

impl Spec {

    fn settings(&self) -> Result<Settings, FieldError> {
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(FieldError::new("lr", "the learning rate must be positive"));
        }
        if !(self.eps.is_finite() && self.eps >= 0.0) {
            return Err(FieldError::new("eps", "must be zero or positive"));
        }
        if let Some(d) = self.sigmoid_decimals {
            if !(1..=MAX_DECIMALS).contains(&d) {
                return Err(FieldError::new(
                    "sigmoid_decimals",
                    format!("must be 1 to {MAX_DECIMALS}"),
                ));
            }
        }
        Ok(Settings {
            points: self.points,
            lr: self.lr,
            eps: self.eps,
            backward: self.batchnorm_backward,
            sigmoid_decimals: self.sigmoid_decimals,
        })
    }

    /// Each pinned field on its own and against the other pins.
    fn pinned(&self) -> Result<Pinned, FieldError> {
        let x_shape = match &self.X {
            Some(x) => {
                let (n, d) = rules::matrix("X", x)?;
                if n < 2 {
                    return Err(FieldError::new(
                        "X",
                        "a minibatch for batch normalization needs at least two examples",
                    ));
                }
                Some((n, d))
            }
            None => None,
        };
        if let Some(y) = &self.y {
            match x_shape {
                Some((n, _)) => rules::length("y", y, n, "one label per row of X")?,
                None => rules::finite("y", y)?,
            }
            if y.len() < 2 {
                return Err(FieldError::new(
                    "y",
                    "a minibatch for batch normalization needs at least two examples",
                ));
            }
            if let Some(i) = y.iter().position(|&v| v != 0.0 && v != 1.0) {
                return Err(FieldError::new(format!("y[{i}]"), "a label must be 0 or 1"));
            }
        }
        let w1_shape = match &self.W1 {
            Some(w1) => {
                let (h, d1) = rules::matrix("W1", w1)?;
                if let Some((_, d)) = x_shape {
                    if d1 != d {
                        return Err(FieldError::new(
                            "W1",
                            format!("has {d1} columns but the examples in X have {d} features"),
                        ));
                    }
                }
                Some((h, d1))
            }
            None => None,
        };
        if let Some(b1) = &self.b1 {
            match w1_shape {
                Some((h, _)) => rules::length("b1", b1, h, "one bias per row of W1")?,
                None => rules::finite("b1", b1)?,
            }
        }
        let hidden = w1_shape
            .map(|(h, _)| (h, "W1"))
            .or(self.b1.as_ref().map(|b| (b.len(), "b1")));
        if let Some(w2) = &self.W2 {
            let (o, h2) = rules::matrix("W2", w2)?;
            let ok = o == 1 && hidden.is_none_or(|(h, _)| h == h2);
            if !ok {
                let h = hidden.map_or(h2, |(h, _)| h);
                let why = match hidden {
                    Some((h, field)) => format!(" ({field} makes {h} hidden units)"),
                    None => String::new(),
                };
                return Err(FieldError::new(
                    "W2",
                    format!("must be one row of {h} weights{why}, e.g. [[1, 1]]"),
                ));
            }
        }
        if let Some(b2) = &self.b2 {
            rules::length("b2", b2, 1, "the output is one logit")?;
        }
        let pinned = Pinned {
            x: self.X.as_deref().map(array2),
            y: self.y.as_deref().map(array1),
            w1: self.W1.as_deref().map(array2),
            b1: self.b1.as_deref().map(array1),
            w2: self.W2.as_deref().map(array2),
            b2: self.b2.as_deref().map(array1),
        };
        if let (Some(x), Some(w1)) = (&pinned.x, &pinned.w1) {
            // b1 shifts a whole column, so it cannot change the variance.
            let h1 = linear_forward(x, w1, &Array1::zeros(w1.nrows()));
            let (_, stats) = batchnorm_forward(&h1, self.eps);
            if let Some(j) = stats.std.iter().position(|&s| s == 0.0) {
                return Err(FieldError::new(
                    "X",
                    format!(
                        "hidden unit {} has the same value for every example, so its batch variance is 0 \
                         and normalization divides by zero; change X or W1 (or set eps > 0)",
                        j + 1
                    ),
                ));
            }
        }
        Ok(pinned)
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
                ("W1", spec.W1.is_some()),
                ("b1", spec.b1.is_some()),
                ("W2", spec.W2.is_some()),
                ("b2", spec.b2.is_some()),
            ])?;
        }
        let settings = spec.settings()?;
        let pinned = spec.pinned()?;
        let knobs = match &spec.draw {
            Some(draw) => Some(knobs(draw, &pinned, &settings)?),
            None => None,
        };
        Ok(Sampler {
            settings,
            pinned,
            knobs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{field_error, sampler, EXAM_2022};

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let e = field_error(&EXAM_2022.replace("W1: [[1, 0], [0, 1]]\n", ""));
        assert_eq!(e.field, "W1");
        assert!(
            e.message.contains("pin it or add a `draw:` section"),
            "{e:?}"
        );
        assert!(sampler(&format!(
            "{}draw: {{}}\n",
            EXAM_2022.replace("W1: [[1, 0], [0, 1]]\n", "")
        ))
        .is_ok());
    }
}
