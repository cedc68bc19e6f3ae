//! The sampler of the bptt_rnn problem: the checked pins and knobs, and the draw of a
//! candidate in the order the random-stream contract fixes (see the module docs of
//! [`super`]). The constraints are checked on the whole candidate (it is cheap to
//! redraw: three steps of a 2-unit RNN).

use ndarray::{Array1, Array2};

use super::{Loss, Params, STEPS};
use crate::draw::{chance, pick, uniform, VariantRng};
use crate::spec::Points;

/// Draws this problem's parameters (pinned ones are kept) under its constraints.
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) points: Points,
    pub(super) pinned: Pinned,
    pub(super) knobs: Knobs,
}

/// The knobs after defaults and pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    /// The hidden sizes to draw from (one, when a pin fixes H).
    pub(super) hidden: Vec<usize>,
    pub(super) recurrent_diagonal: Vec<f64>,
    pub(super) weight_range: (i64, i64),
    pub(super) bias_range: (i64, i64),
    pub(super) state_range: (i64, i64),
    pub(super) input_range: (i64, i64),
    pub(super) target_range: (i64, i64),
    pub(super) losses: Vec<Loss>,
    pub(super) biases: Vec<bool>,
    /// Whether the `some_relu_inactive` constraint applies (drawn plans only).
    pub(super) require_inactive: bool,
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) w_hh: Option<Array2<f64>>,
    pub(super) w_xh: Option<Array1<f64>>,
    pub(super) bias: Option<bool>,
    pub(super) b: Option<Array1<f64>>,
    pub(super) h0: Option<Array1<f64>>,
    pub(super) x: Option<Vec<f64>>,
    pub(super) loss: Option<Loss>,
    pub(super) y: Option<Array1<f64>>,
    pub(super) v: Option<Array1<f64>>,
}

impl Pinned {
    fn target(&self, loss: Loss) -> Option<&Array1<f64>> {
        match loss {
            Loss::Squared => self.y.as_ref(),
            Loss::Linear => self.v.as_ref(),
        }
    }
}

/// H entries drawn uniformly from `range`.
fn vector(rng: &mut VariantRng, h: usize, range: (i64, i64)) -> Array1<f64> {
    (0..h).map(|_| uniform(rng, range)).collect()
}

impl Sampler {
    /// The fully pinned variant, if every parameter is pinned.
    pub(super) fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        let loss = p.loss?;
        let b = match p.bias? {
            true => Some(p.b.clone()?),
            false => None,
        };
        Some(Params {
            points: self.points,
            w_hh: p.w_hh.clone()?,
            w_xh: p.w_xh.clone()?,
            b,
            h0: p.h0.clone()?,
            x: p.x.clone()?,
            loss,
            target: p.target(loss)?.clone(),
        })
    }

    /// Whether drawn variants must have an inactive ReLU somewhere.
    pub(super) fn requires_inactive(&self) -> bool {
        self.knobs.require_inactive
    }

    pub(super) fn candidate(&self, rng: &mut VariantRng) -> Params {
        let (p, k) = (&self.pinned, &self.knobs);
        let h = *pick(rng, &k.hidden);
        let w_hh = p.w_hh.clone().unwrap_or_else(|| {
            let diagonal: Array1<f64> = (0..h).map(|_| *pick(rng, &k.recurrent_diagonal)).collect();
            let mut w = Array2::from_diag(&diagonal);
            if h == 2 {
                let lower = chance(rng, 1, 2);
                let off = uniform(rng, k.weight_range);
                let at = if lower { [1, 0] } else { [0, 1] };
                w[at] = off;
            }
            w
        });
        let w_xh = p.w_xh.clone().unwrap_or_else(|| vector(rng, h, k.weight_range));
        let bias = p.bias.unwrap_or_else(|| *pick(rng, &k.biases));
        let b = bias.then(|| p.b.clone().unwrap_or_else(|| vector(rng, h, k.bias_range)));
        let h0 = p.h0.clone().unwrap_or_else(|| vector(rng, h, k.state_range));
        let x = p
            .x
            .clone()
            .unwrap_or_else(|| (0..STEPS).map(|_| uniform(rng, k.input_range)).collect());
        let loss = p.loss.unwrap_or_else(|| *pick(rng, &k.losses));
        let target = p
            .target(loss)
            .cloned()
            .unwrap_or_else(|| vector(rng, h, k.target_range));
        Params {
            points: self.points,
            w_hh,
            w_xh,
            b,
            h0,
            x,
            loss,
            target,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PAIR};
    use super::super::{BpttRnn as K, Loss};
    use crate::draw::problem_rng;
    use crate::problems::Kind as _;

    #[test]
    fn a_pinned_variant_is_fixed_and_takes_one_try() {
        let s = sampler(PAIR).unwrap();
        let (p, _, tries) = K::draw(&s, &mut problem_rng(1, 2, 3, 0)).unwrap();
        assert_eq!(tries, 1);
        assert_eq!(p.x, vec![2.0, 1.0, -1.0]);
    }

    #[test]
    fn pinned_parameters_are_kept_and_the_rest_drawn_within_the_knobs() {
        let s = sampler("loss: squared\nh0: [1, 2]\ndraw: {input_range: [-1, 1], biases: [true]}\n")
            .unwrap();
        let mut lower_and_upper = std::collections::BTreeSet::new();
        for student in 0..200 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(3, student, 0, 0)).unwrap();
            assert_eq!(p.loss, Loss::Squared);
            assert_eq!(p.h0.to_vec(), vec![1.0, 2.0]);
            assert!(p.b.is_some());
            assert!(p.x.iter().all(|x| (-1.0..=1.0).contains(x)), "{p:?}");
            assert!(p.w_hh[[0, 1]] == 0.0 || p.w_hh[[1, 0]] == 0.0, "triangular");
            lower_and_upper.insert(p.w_hh[[0, 1]] == 0.0);
            assert!(sol.pre.iter().all(|&a| a != 0.0));
            assert!(sol.relu_grad.iter().any(|&d| d == 0.0), "an inactive unit");
        }
        assert_eq!(lower_and_upper.len(), 2, "both triangles are drawn");
    }

    #[test]
    fn impossible_knobs_name_the_constraint() {
        let s = sampler("draw: {weight_range: [0, 0]}\n").unwrap();
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "inputs_matter");
    }
}
