//! Problem 4: an element-wise activation — sketch f and f′, the (diagonal) Jacobian for
//! an n-dimensional input, f, f′ and the backward pass at a drawn input (randomized
//! variants only), and a numpy class implementing the course's lab-2 `Layer` interface.
//!
//! The plot's points are sampled from the engine's f and f′, so the figure on the sheet
//! is the same function the key and the numpy test use; so are the numeric part's exact
//! values ([`numeric`]).
//!
//! Randomized variants: with a `draw:` section the function is drawn uniformly from
//! `functions`, then its constant (α, β or the bounds) uniformly from the function's
//! values, then n from `n_range`, then (unless `numeric: false`) the input x and the
//! upstream gradient g ([`numeric::draw`]); pinned parameters are kept. The 2022 exam's
//! problem (softplus, n = 4, no numeric part) is not among them: the default softplus β
//! is 2 or 3, and every drawn variant has a numeric part.

mod carry;
mod key;
pub mod numeric;
pub mod numpy;
mod numpy_en;
pub mod plot;
pub mod render;
mod spec;
pub mod tex;

use serde::{Deserialize, Serialize};

use crate::draw::{all, int_in, pick, Candidate, Constraint, VariantRng};
use crate::engine::activation::Activation;
use crate::render::measure::Budget;
use crate::spec::Points;
use numeric::{Numeric, NumericSolution};

pub use spec::{Draw, Spec};

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
    HardTanh,
}

/// Every member of the family, in the order of [`crate::engine::activation::ALL_KINDS`].
pub const ALL_FUNCTIONS: [Function; 8] = [
    Function::Softplus,
    Function::Sigmoid,
    Function::Tanh,
    Function::Elu,
    Function::LeakyRelu,
    Function::Silu,
    Function::Softsign,
    Function::HardTanh,
];

/// The largest Jacobian the sheet writes out in full.
const MAX_N: usize = 8;

/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub activation: Activation,
    pub n: usize,
    /// The numeric part's x and g (drawn variants only).
    pub numeric: Option<Numeric>,
}

/// One function the sampler may draw, with its members (one per value of its constant).
#[derive(Clone, Debug, PartialEq)]
struct Choice {
    function: Function,
    members: Vec<Activation>,
}

/// The sampled curves of f and f′ on the plot's domain, and the numeric part.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// (x, f(x), f′(x)) at evenly spaced points of [-PLOT_RANGE, PLOT_RANGE] and at every
    /// jump of f or f′ between them ([`plot::samples`]).
    pub samples: Vec<(f64, f64, f64)>,
    /// f, f′ and dL/dx at the drawn x; None without a numeric part, or when some value
    /// is not exact (the `numeric_part_exact` constraint then rejects the variant).
    pub numeric: Option<NumericSolution>,
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
        let p = self;
        let samples = plot::samples(&p.activation);
        Solution {
            samples,
            numeric: p
                .numeric
                .as_ref()
                .and_then(|n| numeric::solve(&p.activation, n)),
        }
    }
}

/// Draws this problem's parameters (pinned ones are kept) under [`CONSTRAINTS`].
///
/// Stream order: the function (uniform over the allowed functions, unless pinned), then
/// its member (uniform over its constant's values, only if there is a choice), then n
/// (uniform in `n_range`, unless pinned), then the numeric part ([`numeric::draw`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    points: Points,
    choices: Vec<Choice>,
    /// Pinned (or, without `draw:`, defaulted) Jacobian size.
    n: Option<usize>,
    n_range: (usize, usize),
    /// Whether variants get a numeric part (drawn variants, unless `numeric: false`).
    numeric: bool,
}

/// Why a candidate, or a part of one, was given up.
type Rejection = crate::draw::Rejection<Params, Solution>;

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "constant_in_domain",
        description: "ELU's α and every β are positive, leaky ReLU's α is in (0, 1), hard \
                      tanh's bounds have min < 0 < max",
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
    Constraint {
        name: "both_sides",
        description: "the numeric part's x has a negative and a positive entry (hard tanh: \
                      also one inside and one outside its bounds)",
        holds: |p, _| {
            p.numeric
                .as_ref()
                .is_none_or(|n| numeric::keeps_requirements(&p.activation, &n.x))
        },
    },
    Constraint {
        name: "numeric_part_exact",
        description: "f, f′ and dL/dx at the numeric part's x are exact, and equal to the \
                      engine's floats",
        holds: |p, s| match (&p.numeric, &s.numeric) {
            (None, _) => true,
            (Some(_), Some(s)) => numeric::agrees_with_engine(s),
            (Some(_), None) => false,
        },
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<ActivationKind>),
];

impl Sampler {
    /// The number of distinct variants this sampler can produce (every member's count
    /// of numeric parts that keep `both_sides`; the default space is within the budget
    /// throughout, so nothing else rejects).
    pub fn variant_count(&self) -> usize {
        let sizes: Vec<usize> = match self.n {
            Some(n) => vec![n],
            None => (self.n_range.0..=self.n_range.1).collect(),
        };
        let mut total = 0u128;
        for member in self.choices.iter().flat_map(|c| &c.members) {
            for &n in &sizes {
                total = total.saturating_add(if self.numeric {
                    numeric::count(member, n)
                } else {
                    1
                });
            }
        }
        usize::try_from(total).unwrap_or(usize::MAX)
    }
}

/// The activation kind.
pub struct ActivationKind;

pub use key::KEY_CSV;

impl crate::problems::Kind for ActivationKind {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // The most the default space asks for (measured over all of it by the test
    // `the_budget_admits_the_whole_default_space`): denominators up to 25 (σ′(ln 4) =
    // 4/25, tanh′(ln 2) = 16/25), numerators up to 48 (3·16/25), and at most 24
    // different fractions in a four-row table. The 2022 problem had no numbers at all;
    // the numeric part is the new per-student work, held to this.
    const BUDGET: Budget = Budget {
        max_denominator: BUDGET_DENOMINATOR,
        max_integer: BUDGET_INTEGER,
        max_fractions: BUDGET_FRACTIONS,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: Some("      function: softplus\n      n: 4\n"),
        partly_pinned: ("      n: 3\n      draw: {}\n", &[("n", "3")]),
        broken: ("      function: softplus\n      n: 9\n", "n must be 1 to 8"),
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
        plan.n.is_some()
            && !plan.numeric
            && plan.choices.len() == 1
            && plan.choices[0].members.len() == 1
    }

    fn pinned(plan: &Sampler) -> Option<Params> {
        // A pinned activation is its only candidate, and drawing it takes nothing from
        // the stream.
        let mut unused = crate::draw::problem_rng(0, 0, 0, 0);
        Self::is_fixed(plan).then(|| {
            Self::candidate(plan, &mut unused).expect("a pinned activation is complete")
        })
    }

    /// Draws nothing when there is nothing to choose (the fixed case uses this too).
    fn candidate(plan: &Sampler, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let choice = if plan.choices.len() == 1 {
            &plan.choices[0]
        } else {
            pick(rng, &plan.choices)
        };
        let activation = if choice.members.len() == 1 {
            choice.members[0]
        } else {
            *pick(rng, &choice.members)
        };
        let n = match plan.n {
            Some(n) => n,
            None => int_in(rng, plan.n_range.0 as i64, plan.n_range.1 as i64) as usize,
        };
        let numeric = plan
            .numeric
            .then(|| numeric::draw(rng, &activation, n));
        Ok(Params {
            points: plan.points,
            activation,
            n,
            numeric,
        })
    }

    fn constraints(_plan: &Sampler) -> Vec<Rejection> {
        all(CONSTRAINTS)
    }
}

const BUDGET_DENOMINATOR: u64 = 25;
const BUDGET_INTEGER: u64 = 48;
const BUDGET_FRACTIONS: usize = 24;

#[cfg(test)]
mod tests {
    use super::ActivationKind as K;
    use crate::problems::Kind as _;
    use super::*;
    use crate::draw::broken;
    use crate::draw::problem_rng;
    use crate::spec::FieldError;

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
        assert_eq!((p.activation, p.n, tries), (Activation::SOFTPLUS, 4, 1));
        assert_eq!(p.numeric, None);
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
        let s = sampler("alpha: 1.5\nn: 4\ndraw: {numeric: false}\n").unwrap();
        assert!(K::is_fixed(&s));
        let (p, _, _) = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap();
        assert_eq!(p.activation, Activation::Elu { alpha: 1.5 });
        let s = sampler("alpha: 0.1\ndraw: {numeric: false}\n").unwrap();
        assert_eq!(s.variant_count(), 2);
        let s = sampler("beta: 2\ndraw: {numeric: false}\n").unwrap();
        assert_eq!(s.variant_count(), 2, "softplus and swish with β = 2");
        assert_eq!(field_of("beta: 2\nalpha: 1\ndraw: {}\n"), "beta");
        assert_eq!(field_of("function: tanh\nbeta: 2\n"), "beta");
        assert_eq!(field_of("function: hard_tanh\nbounds: [1, 2]\n"), "bounds");
        assert_eq!(
            field_of("draw: {hard_tanh_bounds: [[-1, 1, 2]]}\n"),
            "draw.hard_tanh_bounds[0]"
        );
        assert_eq!(field_of("draw: {softplus_betas: [0]}\n"), "draw.softplus_betas[0]");
    }

    #[test]
    fn the_default_draw_has_room_for_a_class_and_reaches_every_member() {
        let s = sampler("draw: {}\n").unwrap();
        assert!(!K::is_fixed(&s));
        eprintln!("default variant count: {}", s.variant_count());
        assert!(s.variant_count() >= 500 * 20, "{}", s.variant_count());
        // Without the numeric part: 3 + 3 ELU + 3 leaky ReLU + 2 softplus + 2 SiLU + 4
        // hard tanh members.
        assert_eq!(sampler("draw: {numeric: false}\n").unwrap().variant_count(), 17);
        let reference = sampler("function: softplus\nn: 4\n").unwrap();
        let reference = K::pinned(&reference).unwrap();
        let mut members = Vec::new();
        let mut variants = std::collections::HashSet::new();
        for student in 0..600 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(9, student, 0, 0)).unwrap();
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            assert_ne!(p, reference);
            assert!(p.numeric.is_some() && sol.numeric.is_some());
            if !members.contains(&p.activation) {
                members.push(p.activation);
            }
            variants.insert(format!("{:?}", p));
        }
        assert_eq!(members.len(), 17, "{members:?}");
        assert!(!members.contains(&Activation::SOFTPLUS));
        assert!(variants.len() >= 595, "{} of 600", variants.len());
    }

    /// The budget is the most the default space asks for, so it rejects none of it (and
    /// `variant_count` stays exact). Every (member, point, g) row is measured on its own
    /// sheet; a table of four rows prints no fraction its rows do not, so the four
    /// rows with the most fractions bound any table's count.
    #[test]
    fn the_budget_admits_the_whole_default_space() {
        use crate::problems::kind::{hand_work, Variant as _};
        let s = sampler("draw: {}\n").unwrap();
        let (mut denominator, mut integer, mut fractions) = (0, 0, 0);
        for member in s.choices.iter().flat_map(|c| &c.members) {
            let mut per_point: Vec<usize> = numeric::points(member)
                .into_iter()
                .map(|x| {
                    let mut most = 0;
                    for g in numeric::UPSTREAM {
                        let p = Params {
                            points: Points::default(),
                            activation: *member,
                            n: 1,
                            numeric: Some(Numeric {
                                x: vec![x],
                                upstream: vec![g],
                            }),
                        };
                        let m = hand_work::<K>(&p, &p.solve()).expect("exact");
                        denominator = denominator.max(m.max_denominator);
                        integer = integer.max(m.max_integer);
                        most = most.max(m.fractions);
                    }
                    most
                })
                .collect();
            per_point.sort_unstable_by(|a, b| b.cmp(a));
            fractions = fractions.max(per_point.iter().take(4).sum::<usize>());
        }
        eprintln!("default space: denominator {denominator}, integer {integer}, fractions ≤ {fractions}");
        assert_eq!(denominator, BUDGET_DENOMINATOR);
        assert_eq!(integer, BUDGET_INTEGER);
        assert_eq!(fractions, BUDGET_FRACTIONS);
    }
}
