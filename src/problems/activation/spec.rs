//! The activation problem as a spec writes it, and its check into a [`Sampler`].
//!
//! Three kinds of constant: α (elu, leaky_relu), β (softplus, silu) and the bounds
//! (hard_tanh). A pinned constant leaves only the functions that take it; without a
//! `draw:` section β defaults to 1 and the bounds to [−1, 1] (the plain functions), α
//! must be pinned.

use serde::Deserialize;

use super::{Choice, Function, Sampler, ALL_FUNCTIONS, MAX_N};
use crate::engine::activation::Activation;
use crate::spec::knobs::{missing, one_of, pinned_in, range, value_within};
use crate::spec::{FieldError, Points};

/// The problem as written in a spec: without a `draw:` section `function` (and `alpha`
/// for elu and leaky_relu) must be pinned; `n` defaults to 4.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    #[serde(default)]
    pub function: Option<Function>,
    /// The constant of ELU and leaky ReLU (and only of those).
    #[serde(default, deserialize_with = "crate::spec::number::number")]
    pub alpha: Option<f64>,
    /// The β of softplus and SiLU (default 1).
    #[serde(default, deserialize_with = "crate::spec::number::number")]
    pub beta: Option<f64>,
    /// Hard tanh's `[min, max]` (default [−1, 1]).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub bounds: Option<Vec<f64>>,
    /// The input dimension of the Jacobian (default 4 without `draw:`).
    #[serde(default)]
    pub n: Option<usize>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant; each one optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Draw {
    /// The functions to draw from, uniformly (default: all eight).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub functions: Option<Vec<Function>>,
    /// The α values of ELU, drawn uniformly (default [0.5, 1, 2]).
    #[serde(deserialize_with = "crate::spec::number::numbers")]
    pub elu_alphas: Option<Vec<f64>>,
    /// The α values of leaky ReLU (default [0.2, 0.25, 0.5]: slopes a plot shows).
    #[serde(deserialize_with = "crate::spec::number::numbers")]
    pub leaky_relu_alphas: Option<Vec<f64>>,
    /// The β values of softplus (default [2, 3]: never the 2022 exam's plain softplus).
    #[serde(deserialize_with = "crate::spec::number::numbers")]
    pub softplus_betas: Option<Vec<f64>>,
    /// The β values of SiLU (default [1, 2]; β ≠ 1 is printed as swish).
    #[serde(deserialize_with = "crate::spec::number::numbers")]
    pub silu_betas: Option<Vec<f64>>,
    /// Hard tanh's `[min, max]` pairs (default [[-1, 1], [-2, 2], [-1, 2], [-2, 1]]).
    #[serde(deserialize_with = "crate::spec::number::matrix")]
    pub hard_tanh_bounds: Option<Vec<Vec<f64>>>,
    /// The Jacobian size n, `[min, max]` (default [4, 4]).
    pub n_range: Option<[usize; 2]>,
    /// Whether the sheet asks for f, f′ and the backward pass at a drawn x (default
    /// true).
    pub numeric: Option<bool>,
}

const DEFAULT_ELU_ALPHAS: [f64; 3] = [0.5, 1.0, 2.0];
const DEFAULT_LEAKY_RELU_ALPHAS: [f64; 3] = [0.2, 0.25, 0.5];
const DEFAULT_SOFTPLUS_BETAS: [f64; 2] = [2.0, 3.0];
const DEFAULT_SILU_BETAS: [f64; 2] = [1.0, 2.0];
const DEFAULT_HARD_TANH_BOUNDS: [[f64; 2]; 4] =
    [[-1.0, 1.0], [-2.0, 2.0], [-1.0, 2.0], [-2.0, 1.0]];

/// Which constant a function takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Constant {
    Alpha,
    Beta,
    Bounds,
}

impl Constant {
    fn field(self) -> &'static str {
        match self {
            Constant::Alpha => "alpha",
            Constant::Beta => "beta",
            Constant::Bounds => "bounds",
        }
    }

    fn takers(self) -> &'static str {
        match self {
            Constant::Alpha => "elu and leaky_relu",
            Constant::Beta => "softplus and silu",
            Constant::Bounds => "hard_tanh",
        }
    }
}

impl Function {
    fn constant(self) -> Option<Constant> {
        match self {
            Function::Elu | Function::LeakyRelu => Some(Constant::Alpha),
            Function::Softplus | Function::Silu => Some(Constant::Beta),
            Function::HardTanh => Some(Constant::Bounds),
            Function::Sigmoid | Function::Tanh | Function::Softsign => None,
        }
    }

    /// The member for the constant's value (one number, two for the bounds; ignored by
    /// the functions without a constant).
    pub(super) fn member(self, value: &[f64]) -> Activation {
        let v = |i: usize| value.get(i).copied().unwrap_or(f64::NAN);
        match self {
            Function::Softplus => Activation::Softplus { beta: v(0) },
            Function::Sigmoid => Activation::Sigmoid,
            Function::Tanh => Activation::Tanh,
            Function::Elu => Activation::Elu { alpha: v(0) },
            Function::LeakyRelu => Activation::LeakyRelu { alpha: v(0) },
            Function::Silu => Activation::Silu { beta: v(0) },
            Function::Softsign => Activation::Softsign,
            Function::HardTanh => Activation::HardTanh {
                min: v(0),
                max: v(1),
            },
        }
    }

    fn name(self) -> &'static str {
        self.member(&[1.0, 1.0]).name()
    }
}

/// Each function's set of constant values, checked, with whether the spec gave it.
struct Sets {
    sets: Vec<(Function, Vec<Vec<f64>>, bool)>,
}

impl Sets {
    fn of(&self, f: Function) -> (&[Vec<f64>], bool) {
        self.sets
            .iter()
            .find(|(g, _, _)| *g == f)
            .map(|(_, s, explicit)| (s.as_slice(), *explicit))
            .unwrap_or((&[], false))
    }

    fn read(draw: &Draw) -> Result<Sets, FieldError> {
        let numbers = |knob: &Option<Vec<f64>>, field: &str, default: &[f64], f: Function| {
            let knob = knob
                .as_ref()
                .map(|v| v.iter().map(|&x| vec![x]).collect::<Vec<_>>());
            let default: Vec<Vec<f64>> = default.iter().map(|&x| vec![x]).collect();
            let set = one_of(&knob, field, &default, |v| f.member(v).validate())?;
            Ok::<_, FieldError>((f, set, knob.is_some()))
        };
        let bounds_default: Vec<Vec<f64>> =
            DEFAULT_HARD_TANH_BOUNDS.iter().map(|b| b.to_vec()).collect();
        let bounds = one_of(
            &draw.hard_tanh_bounds,
            "draw.hard_tanh_bounds",
            &bounds_default,
            |b| bounds_rule(b).and_then(|()| Function::HardTanh.member(b).validate()),
        )?;
        Ok(Sets {
            sets: vec![
                numbers(&draw.elu_alphas, "draw.elu_alphas", &DEFAULT_ELU_ALPHAS, Function::Elu)?,
                numbers(
                    &draw.leaky_relu_alphas,
                    "draw.leaky_relu_alphas",
                    &DEFAULT_LEAKY_RELU_ALPHAS,
                    Function::LeakyRelu,
                )?,
                numbers(
                    &draw.softplus_betas,
                    "draw.softplus_betas",
                    &DEFAULT_SOFTPLUS_BETAS,
                    Function::Softplus,
                )?,
                numbers(&draw.silu_betas, "draw.silu_betas", &DEFAULT_SILU_BETAS, Function::Silu)?,
                (
                    Function::HardTanh,
                    bounds,
                    draw.hard_tanh_bounds.is_some(),
                ),
            ],
        })
    }
}

fn bounds_rule(b: &[f64]) -> Result<(), String> {
    if b.len() == 2 {
        Ok(())
    } else {
        Err(format!("write the bounds as [min, max], got {} numbers", b.len()))
    }
}

/// The pinned constants, as (constant, value).
fn pins(spec: &Spec) -> Result<Vec<(Constant, Vec<f64>)>, FieldError> {
    let mut out = Vec::new();
    for (constant, value) in [(Constant::Alpha, spec.alpha), (Constant::Beta, spec.beta)] {
        if let Some(v) = value {
            if !v.is_finite() || v <= 0.0 {
                return Err(FieldError::new(
                    constant.field(),
                    format!("must be finite and > 0, got {v}"),
                ));
            }
            out.push((constant, vec![v]));
        }
    }
    if let Some(b) = &spec.bounds {
        bounds_rule(b)
            .and_then(|()| Function::HardTanh.member(b).validate())
            .map_err(|m| FieldError::new("bounds", m))?;
        out.push((Constant::Bounds, b.clone()));
    }
    Ok(out)
}

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        if spec.draw.is_none() && spec.function.is_none() {
            return Err(missing("function"));
        }
        let draw = spec.draw.clone().unwrap_or_default();
        let pinned = pins(&spec)?;
        let functions = one_of(&draw.functions, "draw.functions", &ALL_FUNCTIONS, |_| Ok(()))?;
        let sets = Sets::read(&draw)?;
        pinned_in(spec.function, "function", &draw.functions, "draw.functions")?;
        let candidates: Vec<Function> = match spec.function {
            Some(f) => vec![f],
            None => functions,
        };
        let mut choices = Vec::new();
        for function in candidates {
            // A pinned constant leaves only the functions that take it.
            if pinned.iter().any(|(c, _)| Some(*c) != function.constant()) {
                continue;
            }
            let Some(constant) = function.constant() else {
                choices.push(Choice {
                    function,
                    members: vec![function.member(&[])],
                });
                continue;
            };
            let (set, explicit) = sets.of(function);
            let members = match pinned.iter().find(|(c, _)| *c == constant) {
                Some((_, value)) => {
                    let valid = function.member(value).validate().is_ok();
                    if valid && (!explicit || set.contains(value)) {
                        vec![function.member(value)]
                    } else {
                        continue;
                    }
                }
                // The plain function without `draw:` (the 2022 softplus is β = 1).
                None if spec.draw.is_none() => match constant {
                    Constant::Alpha => {
                        return Err(FieldError::new(
                            "alpha",
                            "this activation needs its constant, e.g. `alpha: 0.1`",
                        ))
                    }
                    Constant::Beta => vec![function.member(&[1.0])],
                    Constant::Bounds => vec![function.member(&[-1.0, 1.0])],
                },
                None => set.iter().map(|v| function.member(v)).collect(),
            };
            choices.push(Choice { function, members });
        }
        if choices.is_empty() {
            return Err(no_function_fits(&spec, &pinned));
        }

        // The Jacobian size.
        let n_range = range(draw.n_range, "draw.n_range", (4, 4))?;
        if n_range.0 < 1 || n_range.1 > MAX_N {
            return Err(FieldError::new("draw.n_range", jacobian_fits()));
        }
        if let Some(n) = spec.n {
            if !(1..=MAX_N).contains(&n) {
                return Err(FieldError::new("n", jacobian_fits()));
            }
            value_within("n", n, draw.n_range, "draw.n_range")?;
        }
        let n = match (spec.n, &spec.draw) {
            (Some(n), _) => Some(n),
            (None, None) => Some(4),
            (None, Some(_)) => None,
        };
        Ok(Sampler {
            points: spec.points,
            choices,
            n,
            n_range,
            numeric: spec.draw.is_some() && draw.numeric.unwrap_or(true),
        })
    }
}

/// Why no function is left for the pinned constants.
fn no_function_fits(spec: &Spec, pinned: &[(Constant, Vec<f64>)]) -> FieldError {
    let Some((constant, value)) = pinned.first() else {
        return FieldError::new("function", "no function is left to draw");
    };
    let field = constant.field();
    if pinned.len() > 1 {
        return FieldError::new(
            pinned[1].0.field(),
            format!("no function takes both {field} and {}; keep one", pinned[1].0.field()),
        );
    }
    match spec.function {
        Some(f) if f.constant() != Some(*constant) => FieldError::new(
            field,
            format!("only {} take {field}; remove it", constant.takers()),
        ),
        Some(f) => match f.member(value).validate() {
            Err(message) => FieldError::new(field, message),
            Ok(()) => FieldError::new(
                field,
                format!(
                    "is {value:?} but the draw's values for {} do not list it; change or \
                     remove one",
                    f.name()
                ),
            ),
        },
        None => FieldError::new(
            field,
            format!(
                "no function in draw.functions takes this {field}; remove it or allow {}",
                constant.takers()
            ),
        ),
    }
}

/// Why n is bounded.
fn jacobian_fits() -> String {
    format!("the Jacobian is written out in full, so n must be 1 to {MAX_N}")
}
