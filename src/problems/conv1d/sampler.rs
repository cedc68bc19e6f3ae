//! The sampler of the conv1d problem: the checked pins and knobs, and the draw of a
//! candidate in the order the random-stream contract fixes (x, each kernel, ln_base, y,
//! then the FC head), redrawing a kernel or the head until it is clean.
//!
//! The kind's [`Kind`] impl is here, because what is the kind's own in it is the draw;
//! its other methods name the file that does the work.

use ndarray::{Array1, Array2};

use super::constraints::{
    Rejection, CONSTRAINTS, DISTINCT_KERNELS, INTEGER_POOLED, KERNEL_GRADIENTS_NONZERO,
    NONTRIVIAL_KERNELS, NO_DEAD_FEATURE_MAP, NO_RELU_KINK, READABLE_PROBABILITIES,
    RELU_CHANGES_SOMETHING, UNIT_LOGIT_GAPS,
};
use super::exact::{exact_probabilities, exponents, pooled_gradient, readable, unit_gaps};
use super::{key, render, Conv1d, Params, Solution, Spec, KEY_CSV, KIND};
use crate::draw::{all, index, pick, uniform, Candidate, VariantRng};
use crate::engine::conv1d::{conv1d_forward, cross_correlate_valid};
use crate::engine::pooling::global_avg_pool;
use crate::engine::relu::relu;
use crate::exact::Rational;
use crate::problems::Kind;
use crate::spec::Points;

/// Draws this problem's parameters (pinned ones are kept) under [`CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) points: Points,
    pub(super) pinned: Pinned,
    pub(super) knobs: Knobs,
}

/// The knobs after defaults and pins: the sizes every drawn part must have.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    pub(super) input_length: usize,
    pub(super) kernel_size: usize,
    pub(super) kernel_count: usize,
    pub(super) classes: usize,
    pub(super) x_range: (i64, i64),
    pub(super) kernel_range: (i64, i64),
    pub(super) ln_bases: Vec<u32>,
    pub(super) w2_range: (i64, i64),
    pub(super) b2_range: (i64, i64),
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) x: Option<Array1<f64>>,
    pub(super) kernels: Option<Array2<f64>>,
    pub(super) ln_base: Option<u32>,
    pub(super) w2_units: Option<Array2<f64>>,
    pub(super) b2_units: Option<Array1<f64>>,
    pub(super) y: Option<usize>,
}

/// How often one kernel, or the FC layer, is redrawn before the candidate is given up.
const PART_TRIES: usize = 100;

/// Whether a drawn kernel is only a shift (and scale) of x: one non-zero entry, when it
/// has room for two.
fn trivial(w: &Array1<f64>) -> bool {
    w.iter().filter(|&&v| v != 0.0).count() < w.len().min(2)
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

/// The conv1d kind: the draw is written here, next to the [`Sampler`] it reads; the
/// spec check, the engine run, the key entry and the views are in their own files.
impl Kind for Conv1d {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // 2022 needed ninths (p = 1/3, 2/3 over a pooling length of 3), integers up to 4 and
    // three fractions. The default draw stays at ninths through `unit_logit_gaps`; the
    // budget allows thirds of that for larger knobs (a pooling length up to 9, or b = 3)
    // and no integer above the largest conv output the default ranges allow (3 · 4).
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 27,
        max_integer: 12,
        max_fractions: 5,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: Some("      x: [4, -1, 2, 0, 1]\n      kernels: [[1, 0, -1], [1, 1, -1]]\n      ln_base: 2\n      \
             W2: [[1, 0], [0, 1]]\n      b2: [0, 1]\n      y: 1\n"),
        partly_pinned: (
            "      x: [4, -1, 2, 0, 1]\n      draw: {}\n",
            &[("x", "[4, -1, 2, 0, 1]")],
        ),
        broken: (
            "      x: [4, -1, 2, 0, 1]\n      kernels: [[1, 0, -1], [1, 0, -1]]\n      ln_base: 2\n      \
             W2: [[1, 0], [0, 1]]\n      b2: [0, 1]\n      y: 1\n",
            "distinct_kernels",
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

    fn pinned(plan: &Sampler) -> Option<Params> {
        let p = &plan.pinned;
        Some(Params {
            points: plan.points,
            x: p.x.clone()?,
            kernels: p.kernels.clone()?,
            ln_base: p.ln_base?,
            w2_units: p.w2_units.clone()?,
            b2_units: p.b2_units.clone()?,
            y: p.y?,
        })
    }

    fn candidate(plan: &Sampler, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let k = &plan.knobs;
        let x = match &plan.pinned.x {
            Some(x) => x.clone(),
            None => Array1::from_shape_fn(k.input_length, |_| uniform(rng, k.x_range)),
        };
        let kernels = match &plan.pinned.kernels {
            Some(w) => w.clone(),
            None => plan.draw_kernels(rng, &x)?,
        };
        let ln_base = match plan.pinned.ln_base {
            Some(b) => b,
            None => *pick(rng, &k.ln_bases),
        };
        let y = match plan.pinned.y {
            Some(y) => y,
            None => index(rng, k.classes),
        };
        let pooled = global_avg_pool(&relu(&conv1d_forward(&x, &kernels)));
        let (w2_units, b2_units) = plan.draw_head(rng, &pooled, ln_base, y)?;
        Ok(Params {
            points: plan.points,
            x,
            kernels,
            ln_base,
            w2_units,
            b2_units,
            y,
        })
    }

    fn constraints(plan: &Sampler) -> Vec<Rejection> {
        let mut list = all(CONSTRAINTS);
        if !Self::is_fixed(plan) {
            list.push(&UNIT_LOGIT_GAPS);
        }
        list
    }
}

impl Sampler {
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
                    None if trivial(&w) => fault = &NONTRIVIAL_KERNELS,
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

    /// W2 and b2 (the unpinned ones), redrawn until the logits are one unit apart, the
    /// probabilities readable and every kernel gets a gradient.
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
            let Some(e) = exponents(&w2, &b2, pooled) else {
                fault = &READABLE_PROBABILITIES;
                continue;
            };
            if !unit_gaps(&e) {
                fault = &UNIT_LOGIT_GAPS;
                continue;
            }
            let Some(probs) = exact_probabilities(&e, ln_base)
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

#[cfg(test)]
mod tests {
    use super::super::Conv1d as K;
    use crate::problems::Kind as _;
    use super::super::fixtures::{sampler, Y2022};
    use super::super::CONSTRAINTS;
    use crate::draw::{all, broken, problem_rng};

    #[test]
    fn the_2022_variant_is_fixed_and_meets_every_constraint() {
        let s = sampler(Y2022).unwrap();
        assert!(K::is_fixed(&s));
        let (p, sol, tries) = K::draw(&s, &mut problem_rng(1, 2, 3, 0)).unwrap();
        assert_eq!(tries, 1);
        assert_eq!(broken(&p, &sol, &all(CONSTRAINTS)), Vec::<&str>::new());
    }

    #[test]
    fn pinned_parameters_are_kept_and_the_rest_drawn() {
        let s = sampler("x: [4, -1, 2, 0, 1]\ny: 0\ndraw: {ln_bases: [3]}\n").unwrap();
        assert!(!K::is_fixed(&s));
        for student in 0..50 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(3, student, 0, 0)).unwrap();
            assert_eq!(p.x.to_vec(), vec![4.0, -1.0, 2.0, 0.0, 1.0]);
            assert_eq!(p.y, 0);
            assert_eq!(p.ln_base, 3);
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
        }
    }

    #[test]
    fn drawn_variants_are_fair_and_the_fairness_constraints_bind_only_draws() {
        let names = |s: &super::Sampler| -> Vec<&str> {
            K::constraints(s).iter().map(|c| c.name).collect()
        };
        let fixed = sampler(Y2022).unwrap();
        assert!(!names(&fixed).contains(&"unit_logit_gaps"));
        let drawn = sampler("draw: {}\n").unwrap();
        assert!(names(&drawn).contains(&"unit_logit_gaps"));
        assert!(names(&drawn).contains(&"nontrivial_kernels"));
        for student in 0..100 {
            let (p, sol, _) = K::draw(&drawn, &mut problem_rng(4, student, 2, 0)).unwrap();
            assert!(broken(&p, &sol, &K::constraints(&drawn)).is_empty());
            for w in p.kernels.rows() {
                assert!(w.iter().filter(|&&v| v != 0.0).count() >= 2, "{p:?}");
            }
            // Two classes one unit of ln 2 apart: p is 1/3 and 2/3, as in 2022.
            let mut p_sorted = sol.p.to_vec();
            p_sorted.sort_by(f64::total_cmp);
            assert!((p_sorted[0] - 1.0 / 3.0).abs() < 1e-12, "{:?}", sol.p);
        }
    }

    #[test]
    fn a_pinned_head_that_cannot_give_unit_gaps_names_the_constraint() {
        // W2 = 2 I and equal biases: the logits are an even number of units apart.
        let s = sampler("W2: [[2, 0], [0, 2]]\nb2: [0, 0]\ndraw: {w2_range: [0, 2]}\n").unwrap();
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "unit_logit_gaps");
    }

    #[test]
    fn a_broken_fixed_variant_names_the_constraint() {
        let yaml = Y2022.replace("[1, 1, -1]]", "[0, 1, 0]]");
        let err = K::draw(&sampler(&yaml).unwrap(), &mut problem_rng(0, 0, 0, 0))
            .unwrap_err();
        assert_eq!(err.constraint, "integer_pooled");
        assert_eq!(err.tries, 1);
    }
}
