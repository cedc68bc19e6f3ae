//! Problem 1: one SGD step of FC → batchnorm (no affine) → ReLU → FC → sigmoid with
//! binary cross-entropy on a small minibatch.
//!
//! Shapes: X is (n, d) with examples as rows, W1 (h, d), b1 (h), W2 (1, h), b2 (1).
//! The loss is the mean BCE over the minibatch; batch statistics are biased (divide by
//! n). As in the 2022 exam, the backward pass is done per example (each row of the
//! batch gradients is the gradient of that example's loss when the statistics are
//! treated as constants) and the update uses the mean of the per-example gradients.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]), constructively where it can be. The order of the draws is
//! part of the random-stream contract: W1 (row by row, uniform in `w1_range`), b1; then X:
//! when it has at least as many features as there are hidden units, for each hidden unit
//! a batch σ (from `sigmas`) and a centred column of h1 (a multiset of integers with that
//! biased σ, shuffled), then the features beyond the first h (uniform), and last the first
//! h features, solved from the centred columns through the h × h block of W1 and shifted
//! by a uniform offset into `x_range` (a candidate whose block has no integer solution is
//! rejected); with fewer features X is uniform. Then y (`labels`), and last W2 and b2:
//! with the exact sigmoid uniformly among all W2 in `w2_range` for which every example has
//! the same W2·h2 and b2 = −W2·h2 is an integer in `b2_range` (so s = 0 and p = 1/2),
//! otherwise uniform in their ranges. A candidate that breaks a constraint is rejected as
//! a whole.

use ndarray::{Array1, Array2, Axis};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{array1, array2, rows_json, vec_json};
use crate::draw::{
    all, broken, chance, draw_until, int_in, pick, shuffle, uniform, Candidate, Constraint,
    DrawError, VariantRng,
};
use crate::engine::batchnorm::{
    batchnorm_backward, batchnorm_forward, BatchStats, BatchnormBackward,
};
use crate::engine::linear::{linear_backward, linear_forward};
use crate::engine::loss::{bce_grad_logit, binary_cross_entropy};
use crate::engine::relu::{relu, relu_mask};
use crate::engine::sgd::sgd_step;
use crate::engine::sigmoid::sigmoid_array;
use crate::spec::knobs::{rows_within, within};
use crate::spec::rules::{missing, range, size};
use crate::spec::{rules, FieldError, Points};

pub const KIND: &str = "batchnorm_mlp";

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
    /// Absent: the sigmoid values are exact (drawn variants have s = 0, p = 1/2). A
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
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// Examples in the minibatch (default 2).
    #[serde(default)]
    pub batch: Option<usize>,
    /// Features of an example (default 2).
    #[serde(default)]
    pub inputs: Option<usize>,
    /// Hidden units (default 2).
    #[serde(default)]
    pub hidden: Option<usize>,
    /// The labels: `ones` (default, as in 2022), `drawn` (each 0 or 1 with equal
    /// chance) or a list such as `[1, 0]`.
    #[serde(default)]
    pub labels: Option<Labels>,
    /// Entries of X (default [-1, 3]).
    #[serde(default)]
    pub x_range: Option<[i64; 2]>,
    /// Entries of W1 (default [-1, 1]).
    #[serde(default)]
    pub w1_range: Option<[i64; 2]>,
    /// Entries of b1 (default [-1, 1]).
    #[serde(default)]
    pub b1_range: Option<[i64; 2]>,
    /// Entries of W2 (default [-2, 2]).
    #[serde(default)]
    pub w2_range: Option<[i64; 2]>,
    /// b2 (default [-3, 3]); with the exact sigmoid b2 = −W2·h2 must fall in it.
    #[serde(default)]
    pub b2_range: Option<[i64; 2]>,
    /// The batch standard deviations σ a hidden unit may have (default [1, 2]).
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub sigmas: Option<Vec<i64>>,
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

/// What a spec with a `draw:` section promises for each of its variants, pinned parts
/// included. A spec without one is its author's: only well-posedness is checked, and the
/// sheet still refuses to print a value it cannot show exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct Promise {
    /// The allowed batch standard deviations (positive integers).
    pub sigmas: Vec<i64>,
}

/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub x: Array2<f64>,
    pub y: Array1<f64>,
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    pub w2: Array2<f64>,
    pub b2: Array1<f64>,
    pub lr: f64,
    pub eps: f64,
    pub backward: BatchnormBackward,
    /// p is shown rounded to this many decimals (None: exactly).
    pub sigmoid_decimals: Option<u32>,
    /// Present when the spec has a `draw:` section.
    pub promise: Option<Promise>,
}

/// Largest sizes a knob may ask for: the sheet writes every example and matrix out.
const MAX_BATCH: usize = 8;
const MAX_INPUTS: usize = 4;
const MAX_HIDDEN: usize = 4;
const MAX_SIGMA: i64 = 6;
const MAX_DECIMALS: u32 = 6;

/// Two sizes that must agree: the second pinned field against the first.
fn agree(field: &str, got: usize, want: usize, why: &str) -> Result<(), FieldError> {
    if got == want {
        Ok(())
    } else {
        Err(FieldError::new(field, format!("has {got} {why}")))
    }
}

/// The settings that are never drawn.
#[derive(Clone, Debug, PartialEq)]
struct Settings {
    points: Points,
    lr: f64,
    eps: f64,
    backward: BatchnormBackward,
    sigmoid_decimals: Option<u32>,
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
struct Pinned {
    x: Option<Array2<f64>>,
    y: Option<Array1<f64>>,
    w1: Option<Array2<f64>>,
    b1: Option<Array1<f64>>,
    w2: Option<Array2<f64>>,
    b2: Option<Array1<f64>>,
}

/// The knobs after defaults and pins: the sizes every drawn part must have.
#[derive(Clone, Debug, PartialEq)]
struct Knobs {
    batch: usize,
    inputs: usize,
    hidden: usize,
    labels: Labels,
    x_range: (i64, i64),
    w1_range: (i64, i64),
    b1_range: (i64, i64),
    w2_range: (i64, i64),
    b2_range: (i64, i64),
    sigmas: Vec<i64>,
    /// For each σ of `sigmas` that a batch can have: the centred integer columns (sorted
    /// multisets) with that biased σ.
    columns: Vec<(i64, Vec<Vec<i64>>)>,
}

impl Spec {
    /// The sampler of this problem: pinned parameters are checked here, once.
    pub fn sampler(self) -> Result<Sampler, FieldError> {
        if self.draw.is_none() {
            let pins = [
                ("X", self.X.is_some()),
                ("y", self.y.is_some()),
                ("W1", self.W1.is_some()),
                ("b1", self.b1.is_some()),
                ("W2", self.W2.is_some()),
                ("b2", self.b2.is_some()),
            ];
            if let Some((field, _)) = pins.iter().find(|(_, pinned)| !pinned) {
                return Err(missing(field));
            }
        }
        let settings = self.settings()?;
        let pinned = self.pinned()?;
        let knobs = match &self.draw {
            Some(draw) => Some(knobs(draw, &pinned, &settings)?),
            None => None,
        };
        Ok(Sampler {
            settings,
            pinned,
            knobs,
        })
    }

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

/// The knobs of a `draw:` section checked against the pins.
fn knobs(draw: &Draw, pinned: &Pinned, settings: &Settings) -> Result<Knobs, FieldError> {
    let capped = |value: usize, pinned: bool, field: &str, min: usize, max: usize| {
        if !pinned && !(min..=max).contains(&value) {
            Err(FieldError::new(field, format!("must be {min} to {max}")))
        } else {
            Ok(value)
        }
    };
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
    let batch = size(batch_pin, draw.batch, "draw.batch", 2)?;
    let batch = capped(batch, batch_pin.is_some(), "draw.batch", 2, MAX_BATCH)?;
    let inputs_pin = pinned
        .x
        .as_ref()
        .map(|x| (x.ncols(), "X"))
        .or(pinned.w1.as_ref().map(|w| (w.ncols(), "W1")));
    let inputs = size(inputs_pin, draw.inputs, "draw.inputs", 2)?;
    let inputs = capped(inputs, inputs_pin.is_some(), "draw.inputs", 1, MAX_INPUTS)?;
    let hidden_pin = pinned
        .w1
        .as_ref()
        .map(|w| (w.nrows(), "W1"))
        .or(pinned.b1.as_ref().map(|b| (b.len(), "b1")))
        .or(pinned.w2.as_ref().map(|w| (w.ncols(), "W2")));
    let hidden = size(hidden_pin, draw.hidden, "draw.hidden", 2)?;
    let hidden = capped(hidden, hidden_pin.is_some(), "draw.hidden", 1, MAX_HIDDEN)?;

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

    let sigmas = draw.sigmas.clone().unwrap_or_else(|| vec![1, 2]);
    if sigmas.is_empty() {
        return Err(FieldError::new("draw.sigmas", "must name at least one σ"));
    }
    if let Some(i) = sigmas.iter().position(|s| !(1..=MAX_SIGMA).contains(s)) {
        return Err(FieldError::new(
            format!("draw.sigmas[{i}]"),
            format!("a batch σ must be an integer from 1 to {MAX_SIGMA}"),
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
        columns,
    })
}

/// Every sorted list of `n` integers that sums to 0 and whose biased variance plus `eps`
/// is σ²: the centred columns of h1 a hidden unit with batch deviation σ can have.
pub fn centred_columns(n: usize, sigma: i64, eps: f64) -> Vec<Vec<i64>> {
    let target = n as f64 * (sigma as f64 * sigma as f64 - eps);
    if target <= 0.0 || (target - target.round()).abs() > 1e-9 {
        return Vec::new();
    }
    let target = target.round() as i64;
    let bound = (target as f64).sqrt().floor() as i64;
    let mut out = Vec::new();
    let mut column = Vec::with_capacity(n);
    extend_column(n, -bound, bound, 0, target, &mut column, &mut out);
    out
}

/// Appends values ≥ `min` to `column` until it has `n` entries summing to 0 with squares
/// summing to `target`.
fn extend_column(
    n: usize,
    min: i64,
    bound: i64,
    sum: i64,
    squares: i64,
    column: &mut Vec<i64>,
    out: &mut Vec<Vec<i64>>,
) {
    let left = (n - column.len()) as i64;
    if left == 0 {
        if sum == 0 && squares == 0 {
            out.push(column.clone());
        }
        return;
    }
    // The remaining entries are each ≥ min and ≤ bound and must bring the sum back to 0.
    let need = -sum;
    if need < left * min || need > left * bound || need * need > left * squares {
        return;
    }
    for v in min..=bound {
        if v * v > squares {
            continue;
        }
        column.push(v);
        extend_column(n, v, bound, sum + v, squares - v * v, column, out);
        column.pop();
    }
}

/// Determinant of a small integer matrix (cofactor expansion along the first row).
fn det(m: &[Vec<i64>]) -> i64 {
    match m.len() {
        0 => 1,
        1 => m[0][0],
        n => (0..n)
            .map(|j| {
                let sign = if j % 2 == 0 { 1 } else { -1 };
                sign * m[0][j] * det(&minor(m, 0, j))
            })
            .sum(),
    }
}

fn minor(m: &[Vec<i64>], row: usize, col: usize) -> Vec<Vec<i64>> {
    m.iter()
        .enumerate()
        .filter(|(i, _)| *i != row)
        .map(|(_, r)| {
            r.iter()
                .enumerate()
                .filter(|(j, _)| *j != col)
                .map(|(_, &v)| v)
                .collect()
        })
        .collect()
}

/// adj(A), so that A · adj(A) = det(A) · I.
fn adjugate(m: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let n = m.len();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    let sign = if (i + j) % 2 == 0 { 1 } else { -1 };
                    sign * det(&minor(m, j, i))
                })
                .collect()
        })
        .collect()
}

/// The backward pass of one example, as the sheet shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleBackward {
    /// ∂L/∂s = p − y.
    pub ds: f64,
    /// ∂L/∂W2 (a row of h), ∂L/∂b2.
    pub dw2: Array1<f64>,
    pub db2: f64,
    /// ∂L/∂h2 = ds · W2.
    pub dh2: Array1<f64>,
    /// The ReLU derivative at ĥ1 (1 where ĥ1 > 0).
    pub relu_mask: Array1<f64>,
    /// ∂L/∂ĥ1.
    pub dh_hat: Array1<f64>,
    /// ∂L/∂h1.
    pub dh1: Array1<f64>,
    /// ∂L/∂W1 (h, d) and ∂L/∂b1.
    pub dw1: Array2<f64>,
    pub db1: Array1<f64>,
}

/// Every intermediate of the worked solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// h1 = W1 x + b1, one row per example.
    pub h1: Array2<f64>,
    pub stats: BatchStats,
    /// (h1 − μ)², one row per example (the terms of the biased variance).
    pub sq_dev: Array2<f64>,
    pub h_hat: Array2<f64>,
    pub h2: Array2<f64>,
    /// Logits and probabilities, one per example.
    pub s: Array1<f64>,
    pub p: Array1<f64>,
    /// Per-example BCE and their mean (the loss before the step).
    pub losses: Array1<f64>,
    pub loss: f64,
    pub backward: Vec<ExampleBackward>,
    /// Mean gradients over the minibatch.
    pub grad_w1: Array2<f64>,
    pub grad_b1: Array1<f64>,
    pub grad_w2: Array2<f64>,
    pub grad_b2: Array1<f64>,
    /// Parameters after one SGD step.
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    pub w2: Array2<f64>,
    pub b2: Array1<f64>,
}

pub fn solve(p: &Params) -> Solution {
    let n = p.x.nrows();
    let h1 = linear_forward(&p.x, &p.w1, &p.b1);
    let (h_hat, stats) = batchnorm_forward(&h1, p.eps);
    let sq_dev = (&h1 - &stats.mean).mapv(|v| v * v);
    let h2 = relu(&h_hat);
    let s2 = linear_forward(&h2, &p.w2, &p.b2);
    let s = s2.column(0).to_owned();
    let prob = sigmoid_array(&s);
    let losses = Array1::from_shape_fn(n, |i| binary_cross_entropy(prob[i], p.y[i]));
    let loss = losses.mean().unwrap_or(0.0);

    // Per-example chain down to ĥ1: each example's loss depends only on its own row.
    let ds = Array1::from_shape_fn(n, |i| bce_grad_logit(prob[i], p.y[i]));
    let ds2 = ds.clone().insert_axis(Axis(1));
    let mut dh_hat = Array2::zeros(h_hat.raw_dim());
    let mut top = Vec::with_capacity(n);
    for i in 0..n {
        let row = |a: &Array2<f64>| a.row(i).to_owned().insert_axis(Axis(0));
        let g2 = linear_backward(&row(&h2), &p.w2, &row(&ds2));
        let mask = relu_mask(&h_hat.row(i).to_owned());
        let dhh = &g2.dx.row(0) * &mask;
        dh_hat.row_mut(i).assign(&dhh);
        top.push((g2, mask, dhh));
    }
    let dh1 = batchnorm_backward(&h1, &stats, &dh_hat, p.backward);

    let mut backward = Vec::with_capacity(n);
    for (i, (g2, mask, dhh)) in top.into_iter().enumerate() {
        let row = |a: &Array2<f64>| a.row(i).to_owned().insert_axis(Axis(0));
        let g1 = linear_backward(&row(&p.x), &p.w1, &row(&dh1));
        backward.push(ExampleBackward {
            ds: ds[i],
            dw2: g2.dw.row(0).to_owned(),
            db2: g2.db[0],
            dh2: g2.dx.row(0).to_owned(),
            relu_mask: mask,
            dh_hat: dhh,
            dh1: dh1.row(i).to_owned(),
            dw1: g1.dw,
            db1: g1.db,
        });
    }

    let nf = n as f64;
    let grad_w1 = backward
        .iter()
        .fold(Array2::zeros(p.w1.raw_dim()), |a, b| a + &b.dw1)
        / nf;
    let grad_b1 = backward
        .iter()
        .fold(Array1::zeros(p.b1.len()), |a, b| a + &b.db1)
        / nf;
    let grad_w2 = backward
        .iter()
        .fold(Array1::zeros(p.w2.ncols()), |a, b| a + &b.dw2)
        .insert_axis(Axis(0))
        / nf;
    let grad_b2 = Array1::from_elem(1, backward.iter().map(|b| b.db2).sum::<f64>() / nf);

    Solution {
        w1: sgd_step(&p.w1, &grad_w1, p.lr),
        b1: sgd_step(&p.b1, &grad_b1, p.lr),
        w2: sgd_step(&p.w2, &grad_w2, p.lr),
        b2: sgd_step(&p.b2, &grad_b2, p.lr),
        h1,
        stats,
        sq_dev,
        h_hat,
        h2,
        s,
        p: prob,
        losses,
        loss,
        backward,
        grad_w1,
        grad_b1,
        grad_w2,
        grad_b2,
    }
}

/// Draws this problem's parameters (pinned ones are kept) under [`CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    settings: Settings,
    pinned: Pinned,
    /// None when the spec has no `draw:` section (then every parameter is pinned).
    knobs: Option<Knobs>,
}

/// Above this many W2 vectors in `w2_range`, the exact-sigmoid head is drawn by rejection
/// instead of by listing every vector that works.
const MAX_HEADS: usize = 4096;

/// Tolerance for "equal" and "integer" on values built from small integers.
const TOL: f64 = 1e-9;

const VARIANCE_NONZERO: Constraint<Params, Solution> = Constraint {
    name: "variance_nonzero",
    description: "every hidden unit has a non-zero batch variance",
    holds: |_, s| s.stats.var.iter().all(|&v| v > TOL),
};

const SIGMA_IN_SET: Constraint<Params, Solution> = Constraint {
    name: "sigma_in_set",
    description: "every batch σ is an integer from draw.sigmas (default 1 and 2), so the \
                  normalized values are exact",
    holds: |p, s| {
        p.promise
            .as_ref()
            .is_none_or(|promise| s.stats.std.iter().all(|&v| in_set(v, &promise.sigmas)))
    },
};

const SIGMOID_EXACT: Constraint<Params, Solution> = Constraint {
    name: "sigmoid_exact",
    description: "unless sigmoid_decimals is given, every logit is 0, so p = 1/2 exactly",
    holds: |p, s| {
        p.promise.is_none() || p.sigmoid_decimals.is_some() || s.s.iter().all(|v| v.abs() < TOL)
    },
};

/// Why a candidate, or a part of one, was given up.
type Rejection = crate::draw::Rejection<Params, Solution>;

/// The properties every variant of this problem has. The last three are promises of a
/// spec with a `draw:` section (see [`Promise`]); a spec without one is checked for the
/// first three only.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    VARIANCE_NONZERO,
    Constraint {
        name: "relu_mask_mixed",
        description: "the ReLU mask over the batch is neither all on nor all off",
        holds: |_, s| s.h_hat.iter().any(|&v| v > 0.0) && s.h_hat.iter().any(|&v| v <= 0.0),
    },
    Constraint {
        name: "no_relu_kink",
        description: "no normalized value is exactly 0, so nobody needs the convention for \
                      the ReLU derivative at 0",
        holds: |_, s| s.h_hat.iter().all(|v| v.abs() > TOL),
    },
    SIGMA_IN_SET,
    SIGMOID_EXACT,
    Constraint {
        name: "w1_changes",
        description: "some entry of the W1 gradient is non-zero, so the step changes W1",
        holds: |p, s| p.promise.is_none() || s.grad_w1.iter().any(|v| v.abs() > TOL),
    },
    Constraint {
        name: crate::draw::PRINTED_EXACT,
        description:
            "every value the solution prints as exact is a fraction with denominator at most \
                      5040 (or such a multiple of ln b), checked with the sheet's own formatting",
        holds: |p, s| {
            crate::render::batchnorm_mlp::question(p).is_ok()
                && crate::render::batchnorm_mlp::solution(p, s).is_ok()
        },
    },
];

/// Whether `sigma` is (within round-off) one of the integers in `set`.
fn in_set(sigma: f64, set: &[i64]) -> bool {
    let r = sigma.round();
    (sigma - r).abs() < TOL && set.contains(&(r as i64))
}

fn uniform_matrix(rng: &mut VariantRng, rows: usize, cols: usize, r: (i64, i64)) -> Array2<f64> {
    let values: Vec<f64> = (0..rows * cols).map(|_| uniform(rng, r)).collect();
    Array2::from_shape_vec((rows, cols), values).expect("rows · cols values")
}

fn uniform_vector(rng: &mut VariantRng, len: usize, r: (i64, i64)) -> Array1<f64> {
    Array1::from_shape_fn(len, |_| uniform(rng, r))
}

/// The matrix as integers, if every entry is one.
fn integers(a: &Array2<f64>) -> Option<Vec<Vec<i64>>> {
    a.rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .map(|&v| (v.fract() == 0.0 && v.abs() < 1e6).then_some(v as i64))
                .collect()
        })
        .collect()
}

impl Sampler {
    /// Whether every parameter is pinned (the draw then ignores the generator).
    pub fn is_fixed(&self) -> bool {
        self.fixed().is_some()
    }

    fn promise(&self) -> Option<Promise> {
        self.knobs.as_ref().map(|k| Promise {
            sigmas: k.sigmas.clone(),
        })
    }

    fn params(
        &self,
        x: Array2<f64>,
        y: Array1<f64>,
        (w1, b1): (Array2<f64>, Array1<f64>),
        (w2, b2): (Array2<f64>, Array1<f64>),
    ) -> Params {
        let s = &self.settings;
        Params {
            points: s.points,
            x,
            y,
            w1,
            b1,
            w2,
            b2,
            lr: s.lr,
            eps: s.eps,
            backward: s.backward,
            sigmoid_decimals: s.sigmoid_decimals,
            promise: self.promise(),
        }
    }

    fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        Some(self.params(
            p.x.clone()?,
            p.y.clone()?,
            (p.w1.clone()?, p.b1.clone()?),
            (p.w2.clone()?, p.b2.clone()?),
        ))
    }

    /// Every constraint that can reject a candidate of this sampler (or break a pinned
    /// variant): what `examgen check` lists.
    pub fn constraints(&self) -> Vec<Rejection> {
        all(CONSTRAINTS)
    }

    /// One variant: parameters, their solution, and how many candidates it took.
    pub fn draw(&self, rng: &mut VariantRng) -> Result<(Params, Solution, usize), DrawError> {
        if let Some(fixed) = self.fixed() {
            let solution = solve(&fixed);
            return match broken(&fixed, &solution, &self.constraints()).first() {
                Some(&constraint) => Err(DrawError {
                    constraint,
                    tries: 1,
                }),
                None => Ok((fixed, solution, 1)),
            };
        }
        draw_until(rng, |rng| self.candidate(rng), solve, &self.constraints())
    }

    fn candidate(&self, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let k = self
            .knobs
            .as_ref()
            .expect("a sampler that draws has a draw: section");
        let p = &self.pinned;
        let w1 = match &p.w1 {
            Some(w1) => w1.clone(),
            None => uniform_matrix(rng, k.hidden, k.inputs, k.w1_range),
        };
        let b1 = match &p.b1 {
            Some(b1) => b1.clone(),
            None => uniform_vector(rng, k.hidden, k.b1_range),
        };
        let x = match (&p.x, integers(&w1)) {
            (Some(x), _) => x.clone(),
            (None, Some(w1)) if k.hidden <= k.inputs => self.construct_x(rng, &w1)?,
            (None, _) => uniform_matrix(rng, k.batch, k.inputs, k.x_range),
        };
        let h1 = linear_forward(&x, &w1, &b1);
        let (h_hat, stats) = batchnorm_forward(&h1, self.settings.eps);
        if stats.var.iter().any(|&v| v <= TOL) {
            return Err(&VARIANCE_NONZERO);
        }
        if !stats.std.iter().all(|&s| in_set(s, &k.sigmas)) {
            return Err(&SIGMA_IN_SET);
        }
        let y = match (&p.y, &k.labels) {
            (Some(y), _) => y.clone(),
            (None, Labels::List(list)) => array1(list),
            (None, Labels::Pattern(LabelPattern::Ones)) => Array1::ones(k.batch),
            (None, Labels::Pattern(LabelPattern::Drawn)) => {
                Array1::from_shape_fn(k.batch, |_| if chance(rng, 1, 2) { 1.0 } else { 0.0 })
            }
        };
        let head = self.draw_head(rng, &relu(&h_hat))?;
        Ok(self.params(x, y, (w1, b1), head))
    }

    /// X whose h1 = X W1ᵀ + b1 has drawn centred columns with drawn σ's (needs at least
    /// as many features as hidden units; the first h features are solved for).
    fn construct_x(&self, rng: &mut VariantRng, w1: &[Vec<i64>]) -> Result<Array2<f64>, Rejection> {
        let k = self.knobs.as_ref().expect("drawing");
        let (n, d, h) = (k.batch, k.inputs, k.hidden);
        let mut centred = vec![vec![0i64; h]; n];
        for j in 0..h {
            let (_, columns) = pick(rng, &k.columns);
            let mut column = pick(rng, columns).clone();
            shuffle(rng, &mut column);
            for (row, v) in centred.iter_mut().zip(column) {
                row[j] = v;
            }
        }
        let extra: Vec<Vec<i64>> = (0..n)
            .map(|_| {
                (h..d)
                    .map(|_| int_in(rng, k.x_range.0, k.x_range.1))
                    .collect()
            })
            .collect();
        let block: Vec<Vec<i64>> = w1.iter().map(|r| r[..h].to_vec()).collect();
        let det = det(&block);
        if det == 0 {
            return Err(&SIGMA_IN_SET);
        }
        let adj = adjugate(&block);
        let ni = n as i64;
        // Q = N·C − (N·X_b − ΣX_b)·B^T is N times the centred part the first h features
        // must produce; M = Q·adj(A)^T is N·det(A) times their centred values.
        let sums: Vec<i64> = (0..d - h)
            .map(|m| extra.iter().map(|r| r[m]).sum())
            .collect();
        let q: Vec<Vec<i64>> = (0..n)
            .map(|i| {
                (0..h)
                    .map(|j| {
                        let from_extra: i64 = (0..d - h)
                            .map(|m| (ni * extra[i][m] - sums[m]) * w1[j][h + m])
                            .sum();
                        ni * centred[i][j] - from_extra
                    })
                    .collect()
            })
            .collect();
        let scale = ni * det;
        let mut x = Array2::zeros((n, d));
        for c in 0..h {
            let m: Vec<i64> = (0..n)
                .map(|i| (0..h).map(|j| q[i][j] * adj[c][j]).sum())
                .collect();
            if m.iter().any(|&v| (v - m[0]) % scale != 0) {
                return Err(&SIGMA_IN_SET);
            }
            let offsets: Vec<i64> = m.iter().map(|&v| (v - m[0]) / scale).collect();
            let lo = k.x_range.0 - offsets.iter().min().expect("n ≥ 2");
            let hi = k.x_range.1 - offsets.iter().max().expect("n ≥ 2");
            if lo > hi {
                return Err(&SIGMA_IN_SET);
            }
            let t = int_in(rng, lo, hi);
            for (i, o) in offsets.iter().enumerate() {
                x[[i, c]] = (t + o) as f64;
            }
        }
        for (i, row) in extra.iter().enumerate() {
            for (m, &v) in row.iter().enumerate() {
                x[[i, h + m]] = v as f64;
            }
        }
        Ok(x)
    }

    /// W2 and b2: with the exact sigmoid, one of the heads that give every example s = 0.
    fn draw_head(
        &self,
        rng: &mut VariantRng,
        h2: &Array2<f64>,
    ) -> Result<(Array2<f64>, Array1<f64>), Rejection> {
        let k = self.knobs.as_ref().expect("drawing");
        let p = &self.pinned;
        if self.settings.sigmoid_decimals.is_some() {
            let w2 = match &p.w2 {
                Some(w2) => w2.clone(),
                None => uniform_matrix(rng, 1, k.hidden, k.w2_range),
            };
            let b2 = match &p.b2 {
                Some(b2) => b2.clone(),
                None => uniform_vector(rng, 1, k.b2_range),
            };
            return Ok((w2, b2));
        }
        let (lo, hi) = k.w2_range;
        let width = (hi - lo + 1) as usize;
        let heads: Vec<Array1<f64>> = match &p.w2 {
            Some(w2) => vec![w2.row(0).to_owned()],
            None if width
                .checked_pow(k.hidden as u32)
                .is_some_and(|c| c <= MAX_HEADS) =>
            {
                every_vector(k.hidden, (lo, hi))
                    .into_iter()
                    .filter(|w| w.iter().any(|&v| v != 0.0))
                    .collect()
            }
            None => vec![uniform_vector(rng, k.hidden, k.w2_range)],
        };
        let valid: Vec<(Array1<f64>, f64)> = heads
            .into_iter()
            .filter_map(|w| {
                let logits = h2.dot(&w);
                let first = logits[0];
                if logits.iter().any(|v| (v - first).abs() > TOL) {
                    return None;
                }
                let b = -first;
                match &p.b2 {
                    Some(b2) => ((b - b2[0]).abs() < TOL).then_some((w, b2[0])),
                    None => {
                        let r = b.round();
                        let ok = (b - r).abs() < TOL
                            && (k.b2_range.0..=k.b2_range.1).contains(&(r as i64));
                        ok.then_some((w, r + 0.0))
                    }
                }
            })
            .collect();
        if valid.is_empty() {
            return Err(&SIGMOID_EXACT);
        }
        let (w, b) = pick(rng, &valid).clone();
        Ok((w.insert_axis(Axis(0)), Array1::from_elem(1, b)))
    }
}

/// Every vector of `len` integers in `lo..=hi`, in lexicographic order.
fn every_vector(len: usize, (lo, hi): (i64, i64)) -> Vec<Array1<f64>> {
    let mut out = vec![Vec::with_capacity(len)];
    for _ in 0..len {
        out = out
            .into_iter()
            .flat_map(|prefix: Vec<f64>| {
                (lo..=hi).map(move |v| {
                    let mut next = prefix.clone();
                    next.push(v as f64);
                    next
                })
            })
            .collect();
    }
    out.into_iter().map(Array1::from).collect()
}

/// The key entry: (params, answers).
pub fn key(p: &Params, s: &Solution) -> (Value, Value) {
    let mut params = json!({
        "X": rows_json(&p.x),
        "y": vec_json(&p.y),
        "W1": rows_json(&p.w1),
        "b1": vec_json(&p.b1),
        "W2": rows_json(&p.w2),
        "b2": vec_json(&p.b2),
        "lr": p.lr,
        "eps": p.eps,
        "batchnorm_backward": p.backward,
    });
    if let Some(d) = p.sigmoid_decimals {
        params["sigmoid_decimals"] = json!(d);
    }
    let answers = json!({
        "h1": rows_json(&s.h1),
        "mu": vec_json(&s.stats.mean),
        "var": vec_json(&s.stats.var),
        "sigma": vec_json(&s.stats.std),
        "h_hat": rows_json(&s.h_hat),
        "s": vec_json(&s.s),
        "p": vec_json(&s.p),
        "loss": s.loss,
        "grad_W1": rows_json(&s.grad_w1),
        "grad_b1": vec_json(&s.grad_b1),
        "grad_W2": rows_json(&s.grad_w2),
        "grad_b2": vec_json(&s.grad_b2),
        "W1": rows_json(&s.w1),
        "b1": vec_json(&s.b1),
        "W2": rows_json(&s.w2),
        "b2": vec_json(&s.b2),
    });
    (params, answers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::problem_rng;

    const EXAM_2022: &str = "X: [[1, 1], [-1, 3]]
y: [1, 1]
W1: [[1, 0], [0, 1]]
b1: [0, 0]
W2: [[1, 1]]
b2: [-1]
";

    fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        serde_yaml::from_str::<Spec>(yaml)
            .expect("the test spec parses")
            .sampler()
    }

    fn field_error(yaml: &str) -> FieldError {
        sampler(yaml).expect_err("the spec is refused")
    }

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
    }

    #[test]
    fn centred_columns_have_the_asked_sigma() {
        assert_eq!(centred_columns(2, 1, 0.0), vec![vec![-1, 1]]);
        assert_eq!(centred_columns(2, 2, 0.0), vec![vec![-2, 2]]);
        assert!(centred_columns(3, 1, 0.0).is_empty());
        assert!(centred_columns(3, 2, 0.0).is_empty());
        let four = centred_columns(4, 3, 0.0);
        assert!(four.contains(&vec![-3, -1, -1, 5]), "{four:?}");
        for c in four {
            assert_eq!(c.iter().sum::<i64>(), 0);
            assert_eq!(c.iter().map(|v| v * v).sum::<i64>(), 36);
        }
    }

    #[test]
    fn adjugate_inverts_up_to_the_determinant() {
        let a = vec![vec![2, 1, 0], vec![1, 3, -1], vec![0, 1, 1]];
        let d = det(&a);
        assert_eq!(d, 2 * 4 - 1);
        let adj = adjugate(&a);
        for (i, row) in a.iter().enumerate() {
            for j in 0..3 {
                let v: i64 = row.iter().zip(&adj).map(|(x, r)| x * r[j]).sum();
                assert_eq!(v, if i == j { d } else { 0 });
            }
        }
        assert_eq!(adjugate(&[vec![5]]), vec![vec![1]]);
    }

    #[test]
    fn the_2022_exam_keeps_every_promise() {
        let s = sampler(EXAM_2022).expect("valid");
        assert!(s.is_fixed());
        let (mut p, sol, tries) = s.draw(&mut problem_rng(0, 0, 0, 0)).expect("draws");
        assert_eq!(tries, 1);
        // Vacuous without draw:, so check it with the default promise too.
        p.promise = Some(Promise { sigmas: vec![1, 2] });
        assert_eq!(broken(&p, &sol, &all(CONSTRAINTS)), Vec::<&str>::new());
        // And pinned in full under a draw: section, which checks every promise.
        let pinned = sampler(&format!("{EXAM_2022}draw: {{}}\n")).expect("valid");
        assert!(pinned.is_fixed());
        assert_eq!(
            pinned.draw(&mut problem_rng(1, 2, 3, 0)).expect("draws").2,
            1
        );
    }

    #[test]
    fn a_pinned_variant_that_breaks_a_promise_is_a_draw_error() {
        let yaml = EXAM_2022.replace("b2: [-1]", "b2: [0]");
        let s = sampler(&format!("{yaml}draw: {{}}\n")).expect("valid");
        let e = s.draw(&mut problem_rng(0, 0, 0, 0)).expect_err("s = 1");
        assert_eq!(
            e,
            DrawError {
                constraint: "sigmoid_exact",
                tries: 1
            }
        );
        // Without draw: the author vouches for the numbers (the commands' loader still
        // refuses the sheet's irrational p, naming it).
        assert!(sampler(&yaml)
            .expect("valid")
            .draw(&mut problem_rng(0, 0, 0, 0))
            .is_ok());
    }

    #[test]
    fn drawn_variants_keep_pins_and_the_promises() {
        let s = sampler("W1: [[1, 0], [0, 1]]\ndraw:\n  labels: drawn\n").expect("valid");
        assert!(!s.is_fixed());
        for student in 0..50 {
            let (p, sol, _) = s.draw(&mut problem_rng(3, student, 0, 0)).expect("draws");
            assert_eq!(p.w1, ndarray::array![[1.0, 0.0], [0.0, 1.0]]);
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            assert!(sol.s.iter().all(|v| v.abs() < 1e-12));
        }
        let wide = sampler("draw:\n  batch: 4\n  inputs: 3\n  hidden: 2\n  sigmas: [1, 2, 3]\n")
            .expect("valid");
        for student in 0..50 {
            let (p, sol, _) = wide
                .draw(&mut problem_rng(4, student, 0, 0))
                .expect("draws");
            assert_eq!(p.x.dim(), (4, 3));
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
        }
    }
}
