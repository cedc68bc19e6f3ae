//! The sampler of the backprop_graph problem: the checked pins and knobs, and the draw
//! of a candidate in the order the random-stream contract fixes (loss, x, W1, b1, W2,
//! b2, y). The routing rule of drawn variants (one hidden unit inactive) is checked as
//! soon as the first layer is drawn, so a candidate that breaks it is given up early.

use ndarray::{Array1, Array2};

use super::constraints::ONE_UNIT_INACTIVE;
use super::{Loss, Params, Solution};
use crate::draw::{index, int_in, pick, Candidate, VariantRng};
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
    pub(super) losses: Vec<Loss>,
    /// The hinge loss's K when W2 is not pinned.
    pub(super) classes: usize,
    pub(super) x_range: (i64, i64),
    pub(super) weight_range: (i64, i64),
    pub(super) bias_range: (i64, i64),
    pub(super) target_range: (i64, i64),
}

/// The parameters a spec pins (integers, shapes checked).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) loss: Option<Loss>,
    pub(super) x: Option<Vec<i64>>,
    pub(super) w1: Option<Vec<Vec<i64>>>,
    pub(super) b1: Option<Vec<i64>>,
    pub(super) w2: Option<Vec<Vec<i64>>>,
    pub(super) b2: Option<Vec<i64>>,
    pub(super) y: Option<i64>,
}

fn vector(v: &[i64]) -> Array1<f64> {
    v.iter().map(|&x| x as f64).collect()
}

fn matrix(m: &[Vec<i64>]) -> Array2<f64> {
    Array2::from_shape_fn((m.len(), 2), |(i, j)| m[i][j] as f64)
}

impl Sampler {
    /// The fully pinned variant, if every parameter is pinned.
    pub(super) fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        Some(Params {
            points: self.points,
            loss: p.loss?,
            x: vector(p.x.as_deref()?),
            w1: matrix(p.w1.as_deref()?),
            b1: vector(p.b1.as_deref()?),
            w2: matrix(p.w2.as_deref()?),
            b2: vector(p.b2.as_deref()?),
            y: p.y?,
        })
    }

    /// Whether the first layer (x, W1, b1) is drawn at all: the routing rule is the
    /// draw's, a pinned first layer is the lecturer's choice.
    pub(super) fn draws_first_layer(&self) -> bool {
        let p = &self.pinned;
        p.x.is_none() || p.w1.is_none() || p.b1.is_none()
    }

    /// Whether a variant can have the hinge loss.
    pub(super) fn may_hinge(&self) -> bool {
        match self.pinned.loss {
            Some(loss) => loss == Loss::Hinge,
            None => self.knobs.losses.contains(&Loss::Hinge),
        }
    }

    pub(super) fn candidate(&self, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let k = &self.knobs;
        let p = &self.pinned;
        let loss = p.loss.unwrap_or_else(|| *pick(rng, &k.losses));
        let mut draw_vector = |pinned: &Option<Vec<i64>>, len: usize, (lo, hi): (i64, i64)| {
            pinned.as_deref().map_or_else(
                || (0..len).map(|_| int_in(rng, lo, hi) as f64).collect(),
                vector,
            )
        };
        let x = draw_vector(&p.x, 2, k.x_range);
        let w1_rows: Vec<f64> = match &p.w1 {
            Some(w) => w.iter().flatten().map(|&v| v as f64).collect(),
            None => draw_vector(&None, 4, k.weight_range).to_vec(),
        };
        let w1 = Array2::from_shape_vec((2, 2), w1_rows).expect("2×2");
        let b1 = draw_vector(&p.b1, 2, k.bias_range);
        if self.draws_first_layer() {
            let active = (w1.dot(&x) + &b1).iter().filter(|&&z| z > 0.0).count();
            if active != 1 {
                return Err(&ONE_UNIT_INACTIVE);
            }
        }
        let scores = match loss {
            Loss::Mse => 1,
            Loss::Hinge => p.w2.as_ref().map_or(k.classes, Vec::len),
        };
        let w2 = match &p.w2 {
            Some(w) => matrix(w),
            None => {
                let entries = draw_vector(&None, 2 * scores, k.weight_range).to_vec();
                Array2::from_shape_vec((scores, 2), entries).expect("K×2")
            }
        };
        let b2 = draw_vector(&p.b2, scores, k.bias_range);
        let y = match p.y {
            Some(y) => y,
            None => match loss {
                Loss::Mse => int_in(rng, k.target_range.0, k.target_range.1),
                Loss::Hinge => index(rng, scores) as i64,
            },
        };
        Ok(Params {
            points: self.points,
            loss,
            x,
            w1,
            b1,
            w2,
            b2,
            y,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED_HINGE, PINNED_MSE};
    use super::super::{BackpropGraph as K, Loss};
    use crate::draw::problem_rng;
    use crate::problems::Kind as _;

    #[test]
    fn a_pinned_variant_is_fixed_and_takes_one_try() {
        for yaml in [PINNED_MSE, PINNED_HINGE] {
            let s = sampler(yaml).unwrap();
            let (_, _, tries) = K::draw(&s, &mut problem_rng(1, 2, 3, 0)).unwrap();
            assert_eq!(tries, 1);
        }
    }

    #[test]
    fn pinned_parameters_are_kept_and_the_rest_drawn_within_the_knobs() {
        let s = sampler("loss: hinge\nx: [1, -2]\ndraw: {classes: 4, weight_range: [-1, 2]}\n")
            .unwrap();
        for student in 0..100 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(3, student, 0, 0)).unwrap();
            assert_eq!(p.loss, Loss::Hinge);
            assert_eq!(p.x.to_vec(), vec![1.0, -2.0]);
            assert_eq!(p.w2.dim(), (4, 2));
            assert!(p.w1.iter().chain(&p.w2).all(|&w| (-1.0..=2.0).contains(&w)));
            assert_eq!(sol.relu_grad.sum(), 1.0, "one unit inactive: {p:?}");
            assert!((0..4).contains(&p.y));
        }
    }

    #[test]
    fn both_losses_are_drawn_by_default() {
        let s = sampler("draw: {}\n").unwrap();
        let losses: std::collections::BTreeSet<String> = (0..40)
            .map(|student| format!("{:?}", K::draw(&s, &mut problem_rng(3, student, 0, 0)).unwrap().0.loss))
            .collect();
        assert_eq!(losses.len(), 2);
    }
}
