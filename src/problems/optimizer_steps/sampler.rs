//! The sampler of the optimizer_steps problem: the checked pins and knobs, and the draw
//! of a candidate in the order the random-stream contract fixes (the optimiser; then n,
//! T, c, w₀, a, η and the optimiser's hyperparameters, redrawn for the same optimiser
//! until they keep the constraints, see [`super::OptimizerSteps`]).

use super::spec::{ADAM_LRS, MOMENTUM_LRS};
use super::{Optimizer, OptimizerName, Params};
use crate::draw::{int_in, pick, VariantRng};
use crate::spec::Points;

/// Draws this problem's parameters (pinned ones are kept) under
/// [`super::CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) points: Points,
    pub(super) pinned: Pinned,
    pub(super) knobs: Knobs,
}

/// A hyperparameter: its pin, or the set it is drawn from.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Hyper {
    pub(super) pinned: Option<f64>,
    pub(super) set: Vec<f64>,
}

impl Hyper {
    fn draw(&self, rng: &mut VariantRng) -> f64 {
        match self.pinned {
            Some(v) => v,
            None => *pick(rng, &self.set),
        }
    }
}

/// The knobs after defaults and pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    pub(super) optimizers: Vec<OptimizerName>,
    /// Whether `draw.lrs` was given; else η is drawn from its optimiser's default set.
    pub(super) lrs_given: bool,
    /// n, inclusive (both ends equal when a vector is pinned).
    pub(super) dims: (usize, usize),
    pub(super) steps: (usize, usize),
    pub(super) w0_range: (i64, i64),
    pub(super) c_range: (i64, i64),
    pub(super) a_range: (i64, i64),
    pub(super) lr: Hyper,
    pub(super) momentum: Hyper,
    pub(super) beta1: Hyper,
    pub(super) beta2: Hyper,
    pub(super) weight_decay: Hyper,
}

/// The parameters a spec pins (the hyperparameters' pins are in their [`Hyper`]).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) optimizer: Option<OptimizerName>,
    pub(super) w0: Option<Vec<i64>>,
    pub(super) c: Option<Vec<i64>>,
    pub(super) a: Option<Vec<i64>>,
    pub(super) steps: Option<usize>,
}

impl Sampler {
    /// The fully pinned variant, if every parameter is pinned.
    pub(super) fn fixed(&self) -> Option<Params> {
        let (p, k) = (&self.pinned, &self.knobs);
        let name = p.optimizer?;
        let optimizer = match name {
            OptimizerName::SgdMomentum => Optimizer::SgdMomentum {
                momentum: k.momentum.pinned?,
            },
            OptimizerName::Nesterov => Optimizer::Nesterov {
                momentum: k.momentum.pinned?,
            },
            OptimizerName::Adam => Optimizer::Adam {
                beta1: k.beta1.pinned?,
                beta2: k.beta2.pinned?,
            },
            OptimizerName::Adamw => Optimizer::AdamW {
                beta1: k.beta1.pinned?,
                beta2: k.beta2.pinned?,
                weight_decay: k.weight_decay.pinned?,
            },
        };
        Some(Params {
            points: self.points,
            optimizer,
            w0: p.w0.clone()?,
            c: p.c.clone()?,
            a: p.a.clone()?,
            steps: p.steps?,
            lr: k.lr.pinned?,
        })
    }

    /// The optimiser: pinned, or one of the knob's.
    pub(super) fn optimizer(&self, rng: &mut VariantRng) -> OptimizerName {
        match self.pinned.optimizer {
            Some(o) => o,
            None => *pick(rng, &self.knobs.optimizers),
        }
    }

    /// Every other parameter, for the optimiser `name`.
    pub(super) fn candidate(&self, name: OptimizerName, rng: &mut VariantRng) -> Params {
        let (p, k) = (&self.pinned, &self.knobs);
        let n = int_in(rng, k.dims.0 as i64, k.dims.1 as i64) as usize;
        let steps = match p.steps {
            Some(t) => t,
            None => int_in(rng, k.steps.0 as i64, k.steps.1 as i64) as usize,
        };
        let vector = |rng: &mut VariantRng, pin: &Option<Vec<i64>>, (lo, hi): (i64, i64)| match pin
        {
            Some(v) => v.clone(),
            None => (0..n).map(|_| int_in(rng, lo, hi)).collect::<Vec<_>>(),
        };
        let c = vector(rng, &p.c, k.c_range);
        let w0 = match &p.w0 {
            Some(v) => v.clone(),
            None => (0..n)
                .map(|i| {
                    let (lo, hi) = w0_range_for(name, c[i], k.w0_range);
                    int_in(rng, lo, hi)
                })
                .collect(),
        };
        let a = vector(rng, &p.a, k.a_range);
        let lr = match (k.lr.pinned, k.lrs_given) {
            (Some(v), _) => v,
            (None, true) => *pick(rng, &k.lr.set),
            (None, false) if name.is_adam() => *pick(rng, &ADAM_LRS),
            (None, false) => *pick(rng, &MOMENTUM_LRS),
        };
        let optimizer = match name {
            OptimizerName::SgdMomentum => Optimizer::SgdMomentum {
                momentum: k.momentum.draw(rng),
            },
            OptimizerName::Nesterov => Optimizer::Nesterov {
                momentum: k.momentum.draw(rng),
            },
            OptimizerName::Adam => Optimizer::Adam {
                beta1: k.beta1.draw(rng),
                beta2: k.beta2.draw(rng),
            },
            OptimizerName::Adamw => Optimizer::AdamW {
                beta1: k.beta1.draw(rng),
                beta2: k.beta2.draw(rng),
                weight_decay: k.weight_decay.draw(rng),
            },
        };
        Params {
            points: self.points,
            optimizer,
            w0,
            c,
            a,
            steps,
            lr,
        }
    }
}

/// How far from c Adam's w₀ is drawn: its steps are at most η ≤ 3/2 long, so a start
/// further away rarely crosses c within three steps (the `gradient_sign_turns`
/// constraint).
pub(super) const ADAM_REACH: i64 = 2;

/// The range w₀_i is drawn from: the knob's, and for Adam's optimisers only its part
/// within [`ADAM_REACH`] of c_i (the whole knob when that part is empty).
fn w0_range_for(name: OptimizerName, c: i64, (lo, hi): (i64, i64)) -> (i64, i64) {
    let near = (lo.max(c - ADAM_REACH), hi.min(c + ADAM_REACH));
    if name.is_adam() && near.0 <= near.1 {
        near
    } else {
        (lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED, PINNED_ADAMW};
    use super::super::OptimizerSteps as K;
    use super::super::{OptimizerName, CONSTRAINTS};
    use crate::draw::{all, broken, problem_rng};
    use crate::problems::Kind as _;

    #[test]
    fn a_pinned_variant_is_fixed_and_takes_one_try() {
        for yaml in [PINNED, PINNED_ADAMW] {
            let s = sampler(yaml).unwrap();
            let (p, sol, tries) = K::draw(&s, &mut problem_rng(1, 2, 3, 0)).unwrap();
            assert_eq!(tries, 1);
            assert_eq!(broken(&p, &sol, &all(CONSTRAINTS)), Vec::<&str>::new());
        }
    }

    #[test]
    fn pinned_parameters_are_kept_and_the_rest_drawn_within_the_knobs() {
        let s = sampler("optimizer: nesterov\nw0: [2, -1]\ndraw: {momenta: [0.5]}\n").unwrap();
        let mut steps = std::collections::BTreeSet::new();
        for student in 0..100 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(3, student, 0, 0)).unwrap();
            assert_eq!(p.optimizer.name(), OptimizerName::Nesterov);
            assert_eq!(p.w0, vec![2, -1]);
            assert!(p.c.iter().all(|v| (-2..=2).contains(v)), "{p:?}");
            assert!(p.a.iter().all(|v| (1..=2).contains(v)), "{p:?}");
            assert!([0.5, 0.25].contains(&p.lr), "{p:?}");
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            steps.insert(p.steps);
        }
        assert_eq!(steps.len(), 2, "T = 2 and T = 3 are both drawn");
    }

    #[test]
    fn every_optimizer_is_drawn_with_its_own_learning_rates() {
        let s = sampler("draw: {}\n").unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for student in 0..200 {
            let (p, _, _) = K::draw(&s, &mut problem_rng(5, student, 0, 0)).unwrap();
            let name = p.optimizer.name();
            let lrs: &[f64] = if name.is_adam() { &[0.5, 1.0, 1.5] } else { &[0.5, 0.25] };
            assert!(lrs.contains(&p.lr), "{p:?}");
            seen.insert(format!("{name:?}"));
        }
        assert_eq!(seen.len(), 4);
    }

    #[test]
    fn broken_pinned_variants_name_their_constraint() {
        let draw = |yaml: &str| K::draw(&sampler(yaml).unwrap(), &mut problem_rng(0, 0, 0, 0));
        let err = draw(&PINNED.replace("w0: [2]", "w0: [0]")).unwrap_err();
        assert_eq!((err.constraint, err.tries), ("starts_away_from_c", 1));
    }
}
