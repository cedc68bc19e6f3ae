//! Problem 4: an element-wise activation — sketch f and f′, the (diagonal) Jacobian for
//! an n-dimensional input, and a numpy class implementing the course's lab-2 `Layer`
//! interface.
//!
//! The plot's points are sampled from the engine's f and f′, so the figure on the sheet
//! is the same function the key and the numpy test use.
//!
//! Randomized variants: with a `draw:` section the function is drawn uniformly from
//! `functions`, then (ELU, leaky ReLU) its α uniformly from the function's α values, then
//! n from `n_range`; pinned parameters are kept. The default space has 11 variants: five
//! functions without a constant, three ELU and three leaky ReLU α values, n = 4.

mod key;
pub mod numpy;
pub mod plot;
pub mod render;
pub mod tex;

use serde::{Deserialize, Serialize};

use crate::draw::{
    all, int_in, pick, Candidate, Constraint, VariantRng,
};
use crate::engine::activation::Activation;
use crate::spec::knobs::{missing, one_of, pinned_in, range, value_within};
use crate::spec::{FieldError, Points};

pub const KIND: &str = "activation";

/// The activation's name in a spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Function {
    Softplus,
    Sigmoid,
    Tanh,
    Elu,
    LeakyRelu,
    Silu,
    Softsign,
}

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
    /// The functions to draw from, uniformly (default: all seven).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub functions: Option<Vec<Function>>,
    /// The α values of ELU, drawn uniformly (default [0.5, 1, 2]).
    #[serde(deserialize_with = "crate::spec::number::numbers")]
    pub elu_alphas: Option<Vec<f64>>,
    /// The α values of leaky ReLU (default [0.01, 0.1, 0.2]).
    #[serde(deserialize_with = "crate::spec::number::numbers")]
    pub leaky_relu_alphas: Option<Vec<f64>>,
    /// The Jacobian size n, `[min, max]` (default [4, 4]).
    pub n_range: Option<[usize; 2]>,
}

/// Every member of the family, in the order of [`ALL_KINDS`].
pub const ALL_FUNCTIONS: [Function; 7] = [
    Function::Softplus,
    Function::Sigmoid,
    Function::Tanh,
    Function::Elu,
    Function::LeakyRelu,
    Function::Silu,
    Function::Softsign,
];

const DEFAULT_ELU_ALPHAS: [f64; 3] = [0.5, 1.0, 2.0];
const DEFAULT_LEAKY_RELU_ALPHAS: [f64; 3] = [0.01, 0.1, 0.2];

/// The largest Jacobian the sheet writes out in full.
const MAX_N: usize = 8;

impl Function {
    fn takes_alpha(self) -> bool {
        matches!(self, Function::Elu | Function::LeakyRelu)
    }

    /// The member for `alpha` (ignored by the functions without a constant).
    fn with_alpha(self, alpha: f64) -> Activation {
        match self {
            Function::Softplus => Activation::Softplus,
            Function::Sigmoid => Activation::Sigmoid,
            Function::Tanh => Activation::Tanh,
            Function::Elu => Activation::Elu { alpha },
            Function::LeakyRelu => Activation::LeakyRelu { alpha },
            Function::Silu => Activation::Silu,
            Function::Softsign => Activation::Softsign,
        }
    }

    fn name(self) -> &'static str {
        self.with_alpha(1.0).name()
    }
}

/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub activation: Activation,
    pub n: usize,
}

/// One function the sampler may draw, with the α values it may take (empty for the
/// functions without a constant).
#[derive(Clone, Debug, PartialEq)]
struct Choice {
    function: Function,
    alphas: Vec<f64>,
}

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        if spec.draw.is_none() && spec.function.is_none() {
            return Err(missing("function"));
        }
        let draw = spec.draw.clone().unwrap_or_default();
        if let Some(alpha) = spec.alpha {
            if !alpha.is_finite() || alpha <= 0.0 {
                return Err(FieldError::new(
                    "alpha",
                    format!("must be finite and > 0, got {alpha}"),
                ));
            }
        }

        // The functions to choose from, and their α values.
        let functions = one_of(&draw.functions, "draw.functions", &ALL_FUNCTIONS, |_| Ok(()))?;
        let elu_alphas = alpha_set(
            &draw.elu_alphas,
            "draw.elu_alphas",
            &DEFAULT_ELU_ALPHAS,
            |a| Activation::Elu { alpha: a },
        )?;
        let leaky_alphas = alpha_set(
            &draw.leaky_relu_alphas,
            "draw.leaky_relu_alphas",
            &DEFAULT_LEAKY_RELU_ALPHAS,
            |a| Activation::LeakyRelu { alpha: a },
        )?;
        pinned_in(spec.function, "function", &draw.functions, "draw.functions")?;
        let candidates: Vec<Function> = match spec.function {
            Some(f) => vec![f],
            None => functions,
        };
        let mut choices = Vec::new();
        for function in candidates {
            let (set, explicit) = match function {
                Function::Elu => (&elu_alphas, draw.elu_alphas.is_some()),
                Function::LeakyRelu => (&leaky_alphas, draw.leaky_relu_alphas.is_some()),
                _ => {
                    // A pinned α leaves only the functions that take one.
                    if spec.alpha.is_none() {
                        choices.push(Choice {
                            function,
                            alphas: Vec::new(),
                        });
                    }
                    continue;
                }
            };
            let alphas = match spec.alpha {
                None => set.clone(),
                Some(alpha) => {
                    let valid = function.with_alpha(alpha).validate().is_ok();
                    if valid && (!explicit || set.contains(&alpha)) {
                        vec![alpha]
                    } else {
                        continue;
                    }
                }
            };
            choices.push(Choice { function, alphas });
        }
        if choices.is_empty() {
            return Err(match (spec.function, spec.alpha) {
                (Some(f), Some(_)) if !f.takes_alpha() => {
                    FieldError::new("alpha", "only elu and leaky_relu take alpha; remove it")
                }
                (Some(f), Some(alpha)) => match f.with_alpha(alpha).validate() {
                    Err(message) => FieldError::new("alpha", message),
                    Ok(()) => FieldError::new(
                        "alpha",
                        format!(
                            "is {alpha} but the draw's α values for {} do not list it; \
                             change or remove one",
                            f.name()
                        ),
                    ),
                },
                _ => FieldError::new(
                    "alpha",
                    "no function in draw.functions takes this alpha; remove it or \
                     allow elu or leaky_relu",
                ),
            });
        }
        if spec.draw.is_none() && choices[0].function.takes_alpha() && spec.alpha.is_none() {
            return Err(FieldError::new(
                "alpha",
                "this activation needs its constant, e.g. `alpha: 0.1`",
            ));
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
        })
    }
}

/// A knob of α values, checked with the engine's rule, or the default set.
fn alpha_set(
    knob: &Option<Vec<f64>>,
    field: &str,
    default: &[f64],
    member: fn(f64) -> Activation,
) -> Result<Vec<f64>, FieldError> {
    one_of(knob, field, default, |&alpha| member(alpha).validate())
}

/// Why n is bounded.
fn jacobian_fits() -> String {
    format!("the Jacobian is written out in full, so n must be 1 to {MAX_N}")
}

/// The sampled curves of f and f′ on the plot's domain.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// (x, f(x), f′(x)) at evenly spaced points of [-PLOT_RANGE, PLOT_RANGE] and at every
    /// jump of f or f′ between them ([`plot::samples`]).
    pub samples: Vec<(f64, f64, f64)>,
}

/// Half-width of the plotted domain.
pub const PLOT_RANGE: f64 = 4.0;
/// Number of plotted intervals.
const PLOT_STEPS: usize = 64;

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let samples = plot::samples(&self.activation);
        Solution { samples }
    }
}

/// Draws this problem's parameters (pinned ones are kept) under [`CONSTRAINTS`].
///
/// The draw is constructive and always accepted. Stream order: the function (uniform
/// over the allowed functions, unless pinned), then its α (uniform over the function's α
/// values, only for elu and leaky_relu and only if there is a choice), then n (uniform
/// in `n_range`, unless pinned).
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    points: Points,
    choices: Vec<Choice>,
    /// Pinned (or, without `draw:`, defaulted) Jacobian size.
    n: Option<usize>,
    n_range: (usize, usize),
}

/// Why a candidate, or a part of one, was given up.
type Rejection = crate::draw::Rejection<Params, Solution>;

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "alpha_in_domain",
        description: "ELU's α is positive, leaky ReLU's α is in (0, 1)",
        holds: |p, _| p.activation.validate().is_ok(),
    },
    Constraint {
        name: "jacobian_fits_the_sheet",
        description: "the Jacobian is n × n with 1 ≤ n ≤ 8, written out in full",
        holds: |p, _| (1..=MAX_N).contains(&p.n),
    },
    Constraint {
        name: "finite_plot",
        description: "f and f′ are finite at every plotted point",
        holds: |_, s| {
            s.samples
                .iter()
                .all(|&(x, f, df)| x.is_finite() && f.is_finite() && df.is_finite())
        },
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<ActivationKind>),
];

impl Sampler {
    /// The number of distinct variants this sampler can produce.
    pub fn variant_count(&self) -> usize {
        let functions: usize = self.choices.iter().map(|c| c.alphas.len().max(1)).sum();
        let sizes = if self.n.is_some() {
            1
        } else {
            self.n_range.1 - self.n_range.0 + 1
        };
        functions * sizes
    }
}


/// The activation kind.
pub struct ActivationKind;

pub use key::KEY_CSV;

impl crate::problems::Kind for ActivationKind {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // Not yet a budget: every variant the kind draws today meets it (the fairness work
    // of issue 9 tightens it).
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget::UNLIMITED;
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: Some("      function: softplus\n      n: 4\n"),
        partly_pinned: (
            "      n: 3\n      draw: {}\n",
            &[("n", "3")],
        ),
        broken: (
            "      function: softplus\n      n: 9\n",
            "n must be 1 to 8",
        ),
    };
    type Spec = Spec;
    type Plan = Sampler;
    type Params = Params;
    type Solution = Solution;
    type KeyParams = key::KeyParams;
    type Answers = key::Answers;
    type Question = render::Question;
    type Worked = render::SolutionSheet;

    fn is_fixed(plan: &Sampler) -> bool {
        plan.n.is_some() && plan.choices.len() == 1 && plan.choices[0].alphas.len() <= 1
    }

    fn pinned(plan: &Sampler) -> Option<Params> {
        // A pinned activation is its only candidate, and drawing it takes nothing from
        // the stream.
        let mut unused = crate::draw::problem_rng(0, 0, 0, 0);
        Self::is_fixed(plan).then(|| {
            Self::candidate(plan, &mut unused)
                .expect("a pinned activation is complete")
        })
    }

    /// Draws nothing when there is nothing to choose (the fixed case uses this too).
    fn candidate(plan: &Sampler, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let choice = if plan.choices.len() == 1 {
            &plan.choices[0]
        } else {
            pick(rng, &plan.choices)
        };
        let alpha = match choice.alphas.len() {
            0 => 1.0,
            1 => choice.alphas[0],
            _ => *pick(rng, &choice.alphas),
        };
        let n = match plan.n {
            Some(n) => n,
            None => int_in(rng, plan.n_range.0 as i64, plan.n_range.1 as i64) as usize,
        };
        Ok(Params {
            points: plan.points,
            activation: choice.function.with_alpha(alpha),
            n,
        })
    }

    fn constraints(_plan: &Sampler) -> Vec<Rejection> {
        all(CONSTRAINTS)
    }
}

#[cfg(test)]
mod tests {
    use super::ActivationKind as K;
    use crate::problems::Kind as _;
    use super::*;
    use crate::draw::broken;
    use crate::draw::problem_rng;

    fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<crate::problems::activation::ActivationKind>(yaml)
    }

    fn field_of(yaml: &str) -> String {
        sampler(yaml).expect_err("a spec error").field
    }

    #[test]
    fn the_2022_variant_is_fixed() {
        let s = sampler("function: softplus\nn: 4\n").unwrap();
        assert!(K::is_fixed(&s));
        let (p, _, tries) = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap();
        assert_eq!((p.activation, p.n, tries), (Activation::Softplus, 4, 1));
        // n keeps its documented default without `draw:`.
        assert!(K::is_fixed(&sampler("function: tanh\n").unwrap()));
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let e = sampler("n: 4\n").unwrap_err();
        assert_eq!(e.field, "function");
        assert!(e.message.contains("add a `draw:` section"), "{}", e.message);
        assert_eq!(field_of("function: elu\n"), "alpha");
    }

    #[test]
    fn a_range_with_min_above_max_is_an_error() {
        assert_eq!(field_of("draw: {n_range: [5, 3]}\n"), "draw.n_range");
        assert_eq!(field_of("draw: {n_range: [0, 3]}\n"), "draw.n_range");
    }

    #[test]
    fn pins_inconsistent_with_knobs_are_errors() {
        assert_eq!(
            field_of("function: tanh\ndraw: {functions: [sigmoid]}\n"),
            "function"
        );
        assert_eq!(field_of("n: 6\ndraw: {n_range: [2, 4]}\n"), "n");
        assert_eq!(
            field_of("function: elu\nalpha: 3\ndraw: {elu_alphas: [1]}\n"),
            "alpha"
        );
        assert_eq!(
            field_of("alpha: 0.5\ndraw: {functions: [tanh, silu]}\n"),
            "alpha"
        );
        assert_eq!(field_of("function: tanh\nalpha: 0.5\ndraw: {}\n"), "alpha");
        assert_eq!(
            field_of("draw: {leaky_relu_alphas: [0.1, 1.5]}\n"),
            "draw.leaky_relu_alphas[1]"
        );
        assert_eq!(field_of("draw: {functions: []}\n"), "draw.functions");
    }

    #[test]
    fn a_pinned_alpha_leaves_the_functions_that_take_it() {
        // 1.5 is a valid ELU α but not a leaky ReLU one.
        let s = sampler("alpha: 1.5\nn: 4\ndraw: {}\n").unwrap();
        assert!(K::is_fixed(&s));
        let (p, _, _) = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap();
        assert_eq!(p.activation, Activation::Elu { alpha: 1.5 });
        let s = sampler("alpha: 0.1\ndraw: {}\n").unwrap();
        assert_eq!(s.variant_count(), 2);
    }

    #[test]
    fn the_default_draw_has_eleven_variants_and_reaches_them_all() {
        let s = sampler("draw: {}\n").unwrap();
        assert!(!K::is_fixed(&s));
        assert_eq!(s.variant_count(), 11);
        let mut seen = Vec::new();
        for student in 0..400 {
            let (p, sol, tries) = K::draw(&s, &mut problem_rng(9, student, 0, 0)).unwrap();
            assert_eq!(tries, 1);
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            if !seen.contains(&p.activation) {
                seen.push(p.activation);
            }
        }
        assert_eq!(seen.len(), 11, "{seen:?}");
    }
}
