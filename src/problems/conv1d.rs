//! Problem 3: 1-D convolution (valid, stride 1, several kernels, no bias) → ReLU →
//! global average pooling → FC → softmax, with the gradient of the cross-entropy with
//! respect to the kernels.
//!
//! Shapes: x (n), kernels (c, m), conv outputs h1 (c, n − m + 1), pooled h3 (c),
//! W2 (k, c), b2 (k), logits s (k). W2 and b2 are integer multiples of ln(base) so that
//! the softmax probabilities are rationals (p_i ∝ base^{e_i}) and the gradients are
//! rational multiples of ln(base): the sheet can show every value exactly.
//!
//! Randomized variants: with a `draw:` section every parameter that is not pinned is
//! drawn (knobs in [`Draw`]). The order of the draws is part of the random-stream
//! contract: x (entries uniform in `x_range`); each kernel in turn (entries uniform in
//! `kernel_range`, redrawn until its feature map is clean: no conv output exactly 0, at
//! least one positive, a ReLU'd sum divisible by its length, different from the earlier
//! kernels, and for the last kernel a negative output if none came before); `ln_base`
//! (from `ln_bases`); `y` (uniform class); then W2 row by row and b2 (uniform in their
//! ranges, redrawn until the probabilities are readable and every kernel gets a
//! gradient). A candidate that still breaks a constraint is rejected as a whole.

use ndarray::{Array1, Array2, Axis};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{array1, array2, rows_json, vec_json};
use crate::draw::{
    all, broken, draw_until, index, pick, uniform, Candidate, Constraint, DrawError, VariantRng,
};
use crate::engine::conv1d::{conv1d_backward_kernels, conv1d_forward, cross_correlate_valid};
use crate::engine::linear::{linear_backward, linear_forward};
use crate::engine::loss::{cross_entropy, cross_entropy_grad_logits};
use crate::engine::pooling::{global_avg_pool, global_avg_pool_backward};
use crate::engine::relu::{relu, relu_backward, relu_mask};
use crate::engine::softmax::softmax;
use crate::exact::Rational;
use crate::spec::knobs::{rows_within, within};
use crate::spec::rules::{missing, range, size};
use crate::spec::{rules, FieldError, Points};

pub const KIND: &str = "conv1d";

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of them must be.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// The input signal.
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub x: Option<Vec<f64>>,
    /// The kernels, one per row, all of the same length.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub kernels: Option<Vec<Vec<f64>>>,
    /// W2 and b2 are given as integers in units of ln(ln_base).
    #[serde(default)]
    pub ln_base: Option<u32>,
    /// FC weights (classes × kernels), in units of ln(ln_base).
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub W2: Option<Vec<Vec<f64>>>,
    /// FC bias (one per class), in units of ln(ln_base).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub b2: Option<Vec<f64>>,
    /// The true class, 0-based.
    #[serde(default)]
    pub y: Option<usize>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant; each one optional, the defaults are the 2022 exam's
/// sizes and value ranges. Ranges are `[min, max]`, inclusive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// Length of x (default 5).
    #[serde(default)]
    pub input_length: Option<usize>,
    /// Length of every kernel (default 3).
    #[serde(default)]
    pub kernel_size: Option<usize>,
    /// Number of kernels (default 2).
    #[serde(default)]
    pub kernel_count: Option<usize>,
    /// Number of classes (default 2).
    #[serde(default)]
    pub classes: Option<usize>,
    /// Entries of x (default [-2, 4]).
    #[serde(default)]
    pub x_range: Option<[i64; 2]>,
    /// Entries of the kernels (default [-1, 1]).
    #[serde(default)]
    pub kernel_range: Option<[i64; 2]>,
    /// The bases b of the ln(b) unit of W2 and b2 (default [2]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub ln_bases: Option<Vec<u32>>,
    /// Entries of W2 in units of ln(b) (default [-1, 1]).
    #[serde(default)]
    pub w2_range: Option<[i64; 2]>,
    /// Entries of b2 in units of ln(b) (default [-1, 1]).
    #[serde(default)]
    pub b2_range: Option<[i64; 2]>,
}

/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub x: Array1<f64>,
    pub kernels: Array2<f64>,
    pub ln_base: u32,
    /// W2 and b2 in units of ln(ln_base), as written in the spec.
    pub w2_units: Array2<f64>,
    pub b2_units: Array1<f64>,
    pub y: usize,
}

impl Params {
    /// The actual FC weights, ln(base) · W2_units.
    pub fn w2(&self) -> Array2<f64> {
        &self.w2_units * f64::from(self.ln_base).ln()
    }

    /// The actual FC bias.
    pub fn b2(&self) -> Array1<f64> {
        &self.b2_units * f64::from(self.ln_base).ln()
    }
}

/// Largest sizes a knob may ask for: the sheet writes every vector out.
const MAX_INPUT_LENGTH: usize = 16;
const MAX_KERNELS: usize = 6;
const MAX_CLASSES: usize = 6;

/// The knobs after defaults and pins: the sizes every drawn part must have.
#[derive(Clone, Debug, PartialEq)]
struct Knobs {
    input_length: usize,
    kernel_size: usize,
    kernel_count: usize,
    classes: usize,
    x_range: (i64, i64),
    kernel_range: (i64, i64),
    ln_bases: Vec<u32>,
    w2_range: (i64, i64),
    b2_range: (i64, i64),
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
struct Pinned {
    x: Option<Array1<f64>>,
    kernels: Option<Array2<f64>>,
    ln_base: Option<u32>,
    w2_units: Option<Array2<f64>>,
    b2_units: Option<Array1<f64>>,
    y: Option<usize>,
}

impl Spec {
    /// The sampler of this problem: pinned parameters are checked here, once.
    pub fn sampler(self) -> Result<Sampler, FieldError> {
        if self.draw.is_none() {
            let pins = [
                ("x", self.x.is_some()),
                ("kernels", self.kernels.is_some()),
                ("ln_base", self.ln_base.is_some()),
                ("W2", self.W2.is_some()),
                ("b2", self.b2.is_some()),
                ("y", self.y.is_some()),
            ];
            if let Some((field, _)) = pins.iter().find(|(_, pinned)| !pinned) {
                return Err(missing(field));
            }
        }
        let draw = self.draw.clone().unwrap_or_default();

        // Each pinned field on its own.
        if let Some(x) = &self.x {
            rules::finite("x", x)?;
            if x.is_empty() {
                return Err(FieldError::new("x", "must have at least one entry"));
            }
        }
        let kernels_shape = match &self.kernels {
            Some(k) => Some(rules::matrix("kernels", k)?),
            None => None,
        };
        if let Some(base) = self.ln_base {
            if base < 2 {
                return Err(FieldError::new(
                    "ln_base",
                    "must be an integer of at least 2",
                ));
            }
        }
        let w2_shape = match &self.W2 {
            Some(w) => {
                let shape = rules::matrix("W2", w)?;
                for (i, row) in w.iter().enumerate() {
                    rules::integers(&format!("W2[{i}]"), row)?;
                }
                Some(shape)
            }
            None => None,
        };
        if let Some(b) = &self.b2 {
            rules::finite("b2", b)?;
            rules::integers("b2", b)?;
        }

        // Sizes: pins agree with each other, then with the knobs.
        let input_length = size(
            self.x.as_ref().map(|x| (x.len(), "x")),
            draw.input_length,
            "draw.input_length",
            5,
        )?;
        let kernel_size = size(
            kernels_shape.map(|(_, m)| (m, "kernels")),
            draw.kernel_size,
            "draw.kernel_size",
            3,
        )?;
        if let (Some((c, _)), Some((_, c2))) = (kernels_shape, w2_shape) {
            if c2 != c {
                return Err(FieldError::new(
                    "W2",
                    format!("needs one column per kernel ({c}), has {c2}"),
                ));
            }
        }
        let kernel_count = size(
            kernels_shape
                .map(|(c, _)| (c, "kernels"))
                .or(w2_shape.map(|(_, c)| (c, "W2"))),
            draw.kernel_count,
            "draw.kernel_count",
            2,
        )?;
        if let (Some((k, _)), Some(b)) = (w2_shape, &self.b2) {
            rules::length("b2", b, k, "one bias per class (row of W2)")?;
        }
        let classes = size(
            w2_shape
                .map(|(k, _)| (k, "W2"))
                .or(self.b2.as_ref().map(|b| (b.len(), "b2"))),
            draw.classes,
            "draw.classes",
            2,
        )?;

        if input_length == 0 || (self.x.is_none() && input_length > MAX_INPUT_LENGTH) {
            return Err(FieldError::new(
                "draw.input_length",
                format!("must be 1 to {MAX_INPUT_LENGTH}"),
            ));
        }
        if kernel_size > input_length || kernel_size == 0 {
            let field = if self.kernels.is_some() {
                "kernels"
            } else {
                "draw.kernel_size"
            };
            return Err(FieldError::new(
                field,
                format!(
                    "kernels of length {kernel_size} do not fit an input of length \
                     {input_length} without padding"
                ),
            ));
        }
        if kernel_count == 0 || (kernels_shape.is_none() && kernel_count > MAX_KERNELS) {
            return Err(FieldError::new(
                "draw.kernel_count",
                format!("must be 1 to {MAX_KERNELS}"),
            ));
        }
        if classes < 2 {
            let (field, message) = if self.W2.is_some() {
                ("W2", "needs at least two rows (classes)")
            } else if self.b2.is_some() {
                ("b2", "needs at least two entries (classes)")
            } else {
                ("draw.classes", "needs at least two classes")
            };
            return Err(FieldError::new(field, message));
        }
        if self.W2.is_none() && self.b2.is_none() && classes > MAX_CLASSES {
            return Err(FieldError::new(
                "draw.classes",
                format!("must be 2 to {MAX_CLASSES}"),
            ));
        }
        if let Some(y) = self.y {
            if y >= classes {
                return Err(FieldError::new(
                    "y",
                    format!(
                        "the class must be 0..{} (0-based, there are {classes} classes)",
                        classes - 1
                    ),
                ));
            }
        }

        // Ranges and sets, and the pins that must lie in them when they are given.
        let x_range = range(draw.x_range, "draw.x_range", (-2, 4))?;
        let kernel_range = range(draw.kernel_range, "draw.kernel_range", (-1, 1))?;
        let w2_range = range(draw.w2_range, "draw.w2_range", (-1, 1))?;
        let b2_range = range(draw.b2_range, "draw.b2_range", (-1, 1))?;
        let ln_bases = draw.ln_bases.clone().unwrap_or_else(|| vec![2]);
        if ln_bases.is_empty() {
            return Err(FieldError::new("draw.ln_bases", "needs at least one base"));
        }
        if let Some(i) = ln_bases.iter().position(|&b| b < 2) {
            return Err(FieldError::new(
                format!("draw.ln_bases[{i}]"),
                "must be an integer of at least 2",
            ));
        }
        if let Some(x) = &self.x {
            within("x", x, draw.x_range, "draw.x_range")?;
        }
        if let Some(kernels) = &self.kernels {
            rows_within("kernels", kernels, draw.kernel_range, "draw.kernel_range")?;
        }
        if let Some(w2) = &self.W2 {
            rows_within("W2", w2, draw.w2_range, "draw.w2_range")?;
        }
        if let Some(b) = &self.b2 {
            within("b2", b, draw.b2_range, "draw.b2_range")?;
        }
        if let (Some(base), Some(allowed)) = (self.ln_base, &draw.ln_bases) {
            if !allowed.contains(&base) {
                return Err(FieldError::new(
                    "ln_base",
                    format!("is {base} but draw.ln_bases is {allowed:?}; change or remove one"),
                ));
            }
        }

        Ok(Sampler {
            points: self.points,
            pinned: Pinned {
                x: self.x.as_deref().map(array1),
                kernels: self.kernels.as_deref().map(array2),
                ln_base: self.ln_base,
                w2_units: self.W2.as_deref().map(array2),
                b2_units: self.b2.as_deref().map(array1),
                y: self.y,
            },
            knobs: Knobs {
                input_length,
                kernel_size,
                kernel_count,
                classes,
                x_range,
                kernel_range,
                ln_bases,
                w2_range,
                b2_range,
            },
        })
    }
}
/// Every intermediate of the worked solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Conv outputs, one row per kernel.
    pub h1: Array2<f64>,
    pub h2: Array2<f64>,
    pub pooled: Array1<f64>,
    pub s: Array1<f64>,
    pub p: Array1<f64>,
    pub loss: f64,
    /// ∂L/∂s = p − onehot(y).
    pub ds: Array1<f64>,
    /// ∂L/∂h3 = ∂L/∂s · W2.
    pub d_pooled: Array1<f64>,
    /// ∂L/∂h2 (one row per kernel), the ReLU mask, ∂L/∂h1.
    pub dh2: Array2<f64>,
    pub relu_mask: Array2<f64>,
    pub dh1: Array2<f64>,
    /// ∂L/∂w_k = x ⋆ ∂L/∂h1_k, one row per kernel.
    pub grad_kernels: Array2<f64>,
}

pub fn solve(p: &Params) -> Solution {
    let h1 = conv1d_forward(&p.x, &p.kernels);
    let h2 = relu(&h1);
    let pooled = global_avg_pool(&h2);
    let w2 = p.w2();
    let s = linear_forward(&pooled.clone().insert_axis(Axis(0)), &w2, &p.b2())
        .row(0)
        .to_owned();
    let prob = softmax(&s);
    let loss = cross_entropy(&prob, p.y);
    let ds = cross_entropy_grad_logits(&prob, p.y);
    let fc = linear_backward(
        &pooled.clone().insert_axis(Axis(0)),
        &w2,
        &ds.clone().insert_axis(Axis(0)),
    );
    let d_pooled = fc.dx.row(0).to_owned();
    let dh2 = global_avg_pool_backward(&d_pooled, h2.ncols());
    let dh1 = relu_backward(&h1, &dh2);
    let grad_kernels = conv1d_backward_kernels(&p.x, &dh1);
    Solution {
        relu_mask: relu_mask(&h1),
        h1,
        h2,
        pooled,
        s,
        p: prob,
        loss,
        ds,
        d_pooled,
        dh2,
        dh1,
        grad_kernels,
    }
}

/// Draws this problem's parameters (pinned ones are kept) under [`CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    points: Points,
    pinned: Pinned,
    knobs: Knobs,
}

/// The largest denominator a softmax probability may have (after reduction), so that the
/// fractions stay readable by hand.
pub const MAX_PROBABILITY_DENOMINATOR: i64 = 100;

/// How often one kernel, or the FC layer, is redrawn before the candidate is given up.
const PART_TRIES: usize = 100;

const RELU_CHANGES_SOMETHING: Constraint<Params, Solution> = Constraint {
    name: "relu_changes_something",
    description: "at least one conv output is negative, so the ReLU changes it",
    holds: |_, s| s.h1.iter().any(|&v| v < 0.0),
};

const NO_DEAD_FEATURE_MAP: Constraint<Params, Solution> = Constraint {
    name: "no_dead_feature_map",
    description: "every feature map has a positive value after the ReLU",
    holds: |_, s| s.h2.rows().into_iter().all(|r| r.iter().any(|&v| v > 0.0)),
};

const INTEGER_POOLED: Constraint<Params, Solution> = Constraint {
    name: "integer_pooled",
    description: "every pooled average is an integer (the ReLU'd sum is divisible by its length)",
    holds: |_, s| s.pooled.iter().all(|v| v.fract() == 0.0),
};

const READABLE_PROBABILITIES: Constraint<Params, Solution> = Constraint {
    name: "readable_probabilities",
    description: "the logits are integer multiples of ln b, so the softmax probabilities are \
                  fractions, each with a denominator of at most 100",
    holds: |p, s| {
        exponents(&p.w2_units, &p.b2_units, &s.pooled)
            .and_then(|e| exact_probabilities(&e, p.ln_base))
            .is_some_and(|probs| readable(&probs))
    },
};

const KERNEL_GRADIENTS_NONZERO: Constraint<Params, Solution> = Constraint {
    name: "kernel_gradients_nonzero",
    description: "every kernel gets a non-zero gradient",
    holds: |_, s| {
        s.grad_kernels
            .rows()
            .into_iter()
            .all(|r| r.iter().any(|v| v.abs() > 1e-9))
    },
};

const DISTINCT_KERNELS: Constraint<Params, Solution> = Constraint {
    name: "distinct_kernels",
    description: "no two kernels are equal",
    holds: |p, _| {
        let rows: Vec<_> = p.kernels.rows().into_iter().collect();
        rows.iter()
            .enumerate()
            .all(|(i, a)| rows[..i].iter().all(|b| a != b))
    },
};

/// Drawn kernels avoid a conv output of exactly 0, so that nobody has to know the
/// convention relu'(0) = 0; pinned kernels may sit on the kink.
const NO_RELU_KINK: Constraint<Params, Solution> = Constraint::while_drawing(
    "no_relu_kink",
    "no drawn kernel gives a conv output of exactly 0, so nobody needs the convention for \
     the ReLU derivative at 0; pinned kernels may",
);

/// Why a candidate, or a part of one, was given up.
type Rejection = crate::draw::Rejection<Params, Solution>;

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "integer_inputs",
        description: "x and the kernels are integers, so every conv output is an integer",
        holds: |p, _| p.x.iter().chain(p.kernels.iter()).all(|v| v.fract() == 0.0),
    },
    NO_RELU_KINK,
    RELU_CHANGES_SOMETHING,
    NO_DEAD_FEATURE_MAP,
    INTEGER_POOLED,
    READABLE_PROBABILITIES,
    KERNEL_GRADIENTS_NONZERO,
    DISTINCT_KERNELS,
    Constraint {
        name: crate::draw::PRINTED_EXACT,
        description:
            "every value the solution prints as exact is a fraction with denominator at most \
                      5040 (or such a multiple of ln b), checked with the sheet's own formatting",
        holds: |p, s| {
            crate::render::conv1d::question(p).is_ok()
                && crate::render::conv1d::solution(p, s).is_ok()
        },
    },
];

/// The logit exponents e_i = Σ_c W2_ic·h3_c + b2_i (the logits are e_i·ln b), when every
/// term is an integer.
fn exponents(
    w2_units: &Array2<f64>,
    b2_units: &Array1<f64>,
    pooled: &Array1<f64>,
) -> Option<Vec<i64>> {
    let integer = |v: f64| (v.fract() == 0.0 && v.abs() < 1e15).then_some(v as i64);
    let h3: Vec<i64> = pooled.iter().map(|&v| integer(v)).collect::<Option<_>>()?;
    w2_units
        .rows()
        .into_iter()
        .zip(b2_units)
        .map(|(row, &b)| {
            let mut e = integer(b)?;
            for (&w, &h) in row.iter().zip(&h3) {
                e = e.checked_add(integer(w)?.checked_mul(h)?)?;
            }
            Some(e)
        })
        .collect()
}

/// p_i = b^{e_i} / Σ_j b^{e_j} as exact fractions; `None` if a power does not fit an i64.
fn exact_probabilities(e: &[i64], base: u32) -> Option<Vec<Rational>> {
    let min = *e.iter().min()?;
    let powers: Vec<i64> = e
        .iter()
        .map(|&ei| i64::from(base).checked_pow(u32::try_from(ei - min).ok()?))
        .collect::<Option<_>>()?;
    let total = powers.iter().try_fold(0i64, |acc, &p| acc.checked_add(p))?;
    Some(powers.iter().map(|&p| Rational::new(p, total)).collect())
}

fn readable(p: &[Rational]) -> bool {
    p.iter().all(|r| r.den() <= MAX_PROBABILITY_DENOMINATOR)
}

/// ∂L/∂h3 in units of ln b, exactly: Σ_i (p_i − [i = y])·W2_ic for every kernel c.
fn pooled_gradient(p: &[Rational], y: usize, w2_units: &Array2<f64>) -> Vec<Rational> {
    (0..w2_units.ncols())
        .map(|c| {
            p.iter()
                .enumerate()
                .map(|(i, &pi)| {
                    let onehot = if i == y {
                        Rational::ONE
                    } else {
                        Rational::ZERO
                    };
                    (pi - onehot) * Rational::from_int(w2_units[[i, c]] as i64)
                })
                .sum()
        })
        .collect()
}

/// Why one feature map (conv outputs of one kernel) is not clean enough for the sheet.
fn feature_map_fault(h: &Array1<f64>, need_negative: bool) -> Option<Rejection> {
    if h.iter().any(|&v| v == 0.0) {
        Some(&NO_RELU_KINK)
    } else if !h.iter().any(|&v| v > 0.0) {
        Some(&NO_DEAD_FEATURE_MAP)
    } else if need_negative && !h.iter().any(|&v| v < 0.0) {
        Some(&RELU_CHANGES_SOMETHING)
    } else if h.iter().map(|&v| v.max(0.0)).sum::<f64>() % h.len() as f64 != 0.0 {
        Some(&INTEGER_POOLED)
    } else {
        None
    }
}

impl Sampler {
    /// Whether every parameter is pinned (the draw then ignores the generator).
    pub fn is_fixed(&self) -> bool {
        self.fixed().is_some()
    }

    fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        Some(Params {
            points: self.points,
            x: p.x.clone()?,
            kernels: p.kernels.clone()?,
            ln_base: p.ln_base?,
            w2_units: p.w2_units.clone()?,
            b2_units: p.b2_units.clone()?,
            y: p.y?,
        })
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
        let k = &self.knobs;
        let x = match &self.pinned.x {
            Some(x) => x.clone(),
            None => Array1::from_shape_fn(k.input_length, |_| uniform(rng, k.x_range)),
        };
        let kernels = match &self.pinned.kernels {
            Some(w) => w.clone(),
            None => self.draw_kernels(rng, &x)?,
        };
        let ln_base = match self.pinned.ln_base {
            Some(b) => b,
            None => *pick(rng, &k.ln_bases),
        };
        let y = match self.pinned.y {
            Some(y) => y,
            None => index(rng, k.classes),
        };
        let pooled = global_avg_pool(&relu(&conv1d_forward(&x, &kernels)));
        let (w2_units, b2_units) = self.draw_head(rng, &pooled, ln_base, y)?;
        Ok(Params {
            points: self.points,
            x,
            kernels,
            ln_base,
            w2_units,
            b2_units,
            y,
        })
    }

    /// Every kernel, each redrawn until its feature map is clean.
    fn draw_kernels(
        &self,
        rng: &mut VariantRng,
        x: &Array1<f64>,
    ) -> Result<Array2<f64>, Rejection> {
        let k = &self.knobs;
        let mut kernels = Array2::zeros((k.kernel_count, k.kernel_size));
        let mut negative_seen = false;
        for c in 0..k.kernel_count {
            let last = c + 1 == k.kernel_count;
            let mut fault = &NO_DEAD_FEATURE_MAP;
            let mut accepted = None;
            for _ in 0..PART_TRIES {
                let w = Array1::from_shape_fn(k.kernel_size, |_| uniform(rng, k.kernel_range));
                let h = cross_correlate_valid(x, &w);
                let duplicate = kernels.rows().into_iter().take(c).any(|r| r == w);
                match feature_map_fault(&h, last && !negative_seen) {
                    Some(f) => fault = f,
                    None if duplicate => fault = &DISTINCT_KERNELS,
                    None => {
                        negative_seen |= h.iter().any(|&v| v < 0.0);
                        accepted = Some(w);
                        break;
                    }
                }
            }
            kernels.row_mut(c).assign(&accepted.ok_or(fault)?);
        }
        Ok(kernels)
    }

    /// W2 and b2 (the unpinned ones), redrawn until the probabilities are readable and
    /// every kernel gets a gradient.
    fn draw_head(
        &self,
        rng: &mut VariantRng,
        pooled: &Array1<f64>,
        ln_base: u32,
        y: usize,
    ) -> Result<(Array2<f64>, Array1<f64>), Rejection> {
        let k = &self.knobs;
        let shape = (k.classes, k.kernel_count);
        if let (Some(w), Some(b)) = (&self.pinned.w2_units, &self.pinned.b2_units) {
            return Ok((w.clone(), b.clone()));
        }
        let mut fault = &READABLE_PROBABILITIES;
        for _ in 0..PART_TRIES {
            let w2 = match &self.pinned.w2_units {
                Some(w) => w.clone(),
                None => Array2::from_shape_fn(shape, |_| uniform(rng, k.w2_range)),
            };
            let b2 = match &self.pinned.b2_units {
                Some(b) => b.clone(),
                None => Array1::from_shape_fn(k.classes, |_| uniform(rng, k.b2_range)),
            };
            let Some(probs) = exponents(&w2, &b2, pooled)
                .and_then(|e| exact_probabilities(&e, ln_base))
                .filter(|p| readable(p))
            else {
                fault = &READABLE_PROBABILITIES;
                continue;
            };
            if pooled_gradient(&probs, y, &w2)
                .iter()
                .any(Rational::is_zero)
            {
                fault = &KERNEL_GRADIENTS_NONZERO;
                continue;
            }
            return Ok((w2, b2));
        }
        Err(fault)
    }
}

/// The key entry: (params, answers).
pub fn key(p: &Params, s: &Solution) -> (Value, Value) {
    let params = json!({
        "x": vec_json(&p.x),
        "kernels": rows_json(&p.kernels),
        "W2": rows_json(&p.w2()),
        "b2": vec_json(&p.b2()),
        "ln_base": p.ln_base,
        "W2_units": rows_json(&p.w2_units),
        "b2_units": vec_json(&p.b2_units),
        "y": p.y,
    });
    let answers = json!({
        "h": rows_json(&s.h1),
        "relu": rows_json(&s.h2),
        "pooled": vec_json(&s.pooled),
        "s": vec_json(&s.s),
        "p": vec_json(&s.p),
        "loss": s.loss,
        "grad_s": vec_json(&s.ds),
        "grad_kernels": rows_json(&s.grad_kernels),
    });
    (params, answers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::problem_rng;

    fn spec(yaml: &str) -> Spec {
        serde_yaml::from_str(yaml).expect("valid YAML")
    }

    fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        spec(yaml).sampler()
    }

    fn field_of(yaml: &str) -> String {
        sampler(yaml).expect_err("a spec error").field
    }

    const Y2022: &str = "x: [4, -1, 2, 0, 1]
kernels: [[1, 0, -1], [1, 1, -1]]
ln_base: 2
W2: [[1, 0], [0, 1]]
b2: [0, 1]
y: 1
";

    #[test]
    fn the_2022_variant_is_fixed_and_meets_every_constraint() {
        let s = sampler(Y2022).unwrap();
        assert!(s.is_fixed());
        let (p, sol, tries) = s.draw(&mut problem_rng(1, 2, 3, 0)).unwrap();
        assert_eq!(tries, 1);
        assert_eq!(broken(&p, &sol, &all(CONSTRAINTS)), Vec::<&str>::new());
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let yaml = Y2022.replace("y: 1\n", "");
        let e = sampler(&yaml).unwrap_err();
        assert_eq!(e.field, "y");
        assert!(e.message.contains("add a `draw:` section"), "{}", e.message);
        assert_eq!(field_of("x: [1, 2, 3]\n"), "kernels");
    }

    #[test]
    fn a_range_with_min_above_max_is_an_error() {
        assert_eq!(field_of("draw: {x_range: [3, -1]}\n"), "draw.x_range");
        assert_eq!(field_of("draw: {w2_range: [1, 0]}\n"), "draw.w2_range");
    }

    #[test]
    fn pins_inconsistent_with_knobs_are_errors() {
        assert_eq!(
            field_of("x: [1, 2, 3, 4]\ndraw: {input_length: 5}\n"),
            "draw.input_length"
        );
        assert_eq!(
            field_of("kernels: [[1, 0], [0, 1]]\ndraw: {kernel_count: 3}\n"),
            "draw.kernel_count"
        );
        assert_eq!(
            field_of("W2: [[1, 0, 1], [0, 1, 0]]\ndraw: {kernel_count: 2}\n"),
            "draw.kernel_count"
        );
        assert_eq!(field_of("x: [1, 2, 9]\ndraw: {x_range: [0, 4]}\n"), "x[2]");
        assert_eq!(field_of("ln_base: 3\ndraw: {ln_bases: [2]}\n"), "ln_base");
        assert_eq!(field_of("y: 2\ndraw: {}\n"), "y");
        assert_eq!(
            field_of("draw: {input_length: 3, kernel_size: 4}\n"),
            "draw.kernel_size"
        );
        assert_eq!(field_of("draw: {classes: 1}\n"), "draw.classes");
        assert_eq!(field_of("draw: {ln_bases: [2, 1]}\n"), "draw.ln_bases[1]");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        assert!(!s.is_fixed());
        assert_eq!(s.knobs.input_length, 5);
        assert_eq!(s.knobs.ln_bases, vec![2]);
    }

    #[test]
    fn pinned_parameters_are_kept_and_the_rest_drawn() {
        let s = sampler("x: [4, -1, 2, 0, 1]\ny: 0\ndraw: {ln_bases: [3]}\n").unwrap();
        assert!(!s.is_fixed());
        for student in 0..50 {
            let (p, sol, _) = s.draw(&mut problem_rng(3, student, 0, 0)).unwrap();
            assert_eq!(p.x.to_vec(), vec![4.0, -1.0, 2.0, 0.0, 1.0]);
            assert_eq!(p.y, 0);
            assert_eq!(p.ln_base, 3);
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
        }
    }

    #[test]
    fn a_broken_fixed_variant_names_the_constraint() {
        let yaml = Y2022.replace("[1, 1, -1]]", "[0, 1, 0]]");
        let err = sampler(&yaml)
            .unwrap()
            .draw(&mut problem_rng(0, 0, 0, 0))
            .unwrap_err();
        assert_eq!(err.constraint, "integer_pooled");
        assert_eq!(err.tries, 1);
    }

    #[test]
    fn probabilities_are_exact_powers() {
        let p = exact_probabilities(&[1, 2], 2).unwrap();
        assert_eq!(p, vec![Rational::new(1, 3), Rational::new(2, 3)]);
        let p = exact_probabilities(&[0, 0, 2], 3).unwrap();
        assert_eq!(p[2], Rational::new(9, 11));
        assert!(exact_probabilities(&[0, 80], 3).is_none());
        assert!(!readable(&exact_probabilities(&[0, 7], 2).unwrap()));
    }
}
