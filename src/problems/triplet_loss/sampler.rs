//! The sampler of the triplet_loss problem: the checked pins and knobs, and the draw of a
//! candidate in the order the random-stream contract fixes (see the kind's docs). The
//! offsets p − a and n − a are drawn from the integer vectors of integer length, so the
//! distances are whole numbers by construction; the hinge state is drawn before the
//! negative and the margin, which are drawn among those that give it, so the two states
//! come equally often whatever the distances.

use super::constraints::{INTEGER_DISTANCES, MARGIN_FOR_HINGE_STATE};
use super::{Hinge, Loss, Params, Point, Solution};
use crate::draw::{int_in, pick, Candidate, Rejection, VariantRng};
use crate::spec::Points;

/// Draws this problem's parameters (pinned ones are kept) under
/// [`super::CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) points: Points,
    pub(super) pinned: Pinned,
    pub(super) knobs: Knobs,
}

/// The knobs after defaults.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    pub(super) losses: Vec<Loss>,
    pub(super) hinge_states: Vec<Hinge>,
    pub(super) coordinate_range: (i64, i64),
    /// The offsets p − a and n − a are drawn from (see [`pythagorean_offsets`]).
    pub(super) offsets: Vec<Point>,
    pub(super) margin_range: (i64, i64),
    pub(super) classes: (usize, usize),
    pub(super) support_sizes: (usize, usize),
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) loss: Option<Loss>,
    pub(super) anchor: Option<Point>,
    pub(super) positive: Option<Point>,
    pub(super) negative: Option<Point>,
    pub(super) margin: Option<i64>,
    pub(super) support: Option<Vec<Vec<Point>>>,
    pub(super) query: Option<Point>,
}

/// Every offset (x, y) with x, y ≠ 0 whose length √(x² + y²) is a whole number in
/// `[lo, hi]`, in a fixed order (part of the random-stream contract). An offset along an
/// axis would make the gradient a unit vector, which asks for no fractions.
pub fn pythagorean_offsets((lo, hi): (i64, i64)) -> Vec<Point> {
    let mut out = Vec::new();
    for x in -hi..=hi {
        for y in -hi..=hi {
            if x == 0 || y == 0 {
                continue;
            }
            if integer_length([x, y]).is_some_and(|d| (lo..=hi).contains(&d)) {
                out.push([x, y]);
            }
        }
    }
    out
}

/// The length of an integer vector when it is a whole number.
pub fn integer_length(v: Point) -> Option<i64> {
    let sq = v[0].checked_mul(v[0])?.checked_add(v[1].checked_mul(v[1])?)?;
    let root = (sq as f64).sqrt().round() as i64;
    (root * root == sq).then_some(root)
}

/// The difference b − a of two points.
pub fn offset(a: Point, b: Point) -> Point {
    [b[0] - a[0], b[1] - a[1]]
}

/// The argument of the loss's max for margin `m`, from the integer distances.
pub fn hinge_argument(loss: Loss, d_ap: i64, d_an: i64, m: i64) -> i64 {
    match loss {
        Loss::Triplet => d_ap - d_an + m,
        Loss::Contrastive => m - d_an,
    }
}

impl Sampler {
    /// The fully pinned variant, if every parameter is pinned.
    pub(super) fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        Some(Params {
            points: self.points,
            loss: p.loss?,
            anchor: p.anchor?,
            positive: p.positive?,
            negative: p.negative?,
            margin: p.margin?,
            support: p.support.clone()?,
            query: p.query?,
        })
    }

    fn point(&self, rng: &mut VariantRng) -> Point {
        let (lo, hi) = self.knobs.coordinate_range;
        [int_in(rng, lo, hi), int_in(rng, lo, hi)]
    }

    fn shifted(&self, rng: &mut VariantRng, anchor: Point) -> Point {
        let o = pick(rng, &self.knobs.offsets);
        [anchor[0] + o[0], anchor[1] + o[1]]
    }

    /// The margins of `margin_range` that give the hinge `state` for these distances.
    fn margins(&self, loss: Loss, d_ap: i64, d_an: i64, state: Hinge) -> Vec<i64> {
        let (lo, hi) = self.knobs.margin_range;
        (lo..=hi)
            .filter(|&m| {
                let h = hinge_argument(loss, d_ap, d_an, m);
                h != 0 && (h > 0) == (state == Hinge::Active)
            })
            .collect()
    }

    /// Whether some margin gives the hinge `state` for these distances.
    fn fits(&self, loss: Loss, d_ap: i64, d_an: i64, state: Hinge) -> bool {
        !self.margins(loss, d_ap, d_an, state).is_empty()
    }

    /// The anchor shifted by one of the offsets whose length `keeps`.
    fn fitting(
        &self,
        rng: &mut VariantRng,
        anchor: Point,
        keeps: impl Fn(i64) -> bool,
    ) -> Result<Point, Rejection<Params, Solution>> {
        let fitting: Vec<Point> = self
            .knobs
            .offsets
            .iter()
            .filter(|&&o| integer_length(o).is_some_and(&keeps))
            .copied()
            .collect();
        if fitting.is_empty() {
            return Err(&MARGIN_FOR_HINGE_STATE);
        }
        let o = pick(rng, &fitting);
        Ok([anchor[0] + o[0], anchor[1] + o[1]])
    }

    pub(super) fn candidate(&self, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let (k, pin) = (&self.knobs, &self.pinned);
        let loss = pin.loss.unwrap_or_else(|| *pick(rng, &k.losses));
        let anchor = pin.anchor.unwrap_or_else(|| self.point(rng));
        // The state is drawn before the offsets, which are drawn among those some margin
        // gives that state for: a rejection would redraw the state too, and the state
        // that fits fewer offsets would come less often.
        let state = match pin.margin {
            Some(_) => None,
            None => Some(*pick(rng, &k.hinge_states)),
        };
        // The positive is drawn among the offsets some negative fits, the negative among
        // those that fit the positive.
        let pinned_d_an = pin
            .negative
            .map(|n| integer_length(offset(anchor, n)).ok_or(&INTEGER_DISTANCES))
            .transpose()?;
        let positive = match (pin.positive, state) {
            (Some(p), _) => p,
            (None, None) => self.shifted(rng, anchor),
            (None, Some(state)) => self.fitting(rng, anchor, |d_ap| match pinned_d_an {
                Some(d_an) => self.fits(loss, d_ap, d_an, state),
                None => k
                    .offsets
                    .iter()
                    .filter_map(|&o| integer_length(o))
                    .any(|d_an| self.fits(loss, d_ap, d_an, state)),
            })?,
        };
        let d_ap = integer_length(offset(anchor, positive)).ok_or(&INTEGER_DISTANCES)?;
        let negative = match (pin.negative, state) {
            (Some(n), _) => n,
            (None, None) => self.shifted(rng, anchor),
            (None, Some(state)) => {
                self.fitting(rng, anchor, |d_an| self.fits(loss, d_ap, d_an, state))?
            }
        };
        let d_an = integer_length(offset(anchor, negative)).ok_or(&INTEGER_DISTANCES)?;
        let margin = match (pin.margin, state) {
            (Some(m), _) => m,
            (None, state) => {
                let state = state.unwrap_or(Hinge::Active);
                let margins = self.margins(loss, d_ap, d_an, state);
                if margins.is_empty() {
                    return Err(&MARGIN_FOR_HINGE_STATE);
                }
                *pick(rng, &margins)
            }
        };
        let support = match &pin.support {
            Some(s) => s.clone(),
            None => {
                let classes = int_in(rng, k.classes.0 as i64, k.classes.1 as i64);
                (0..classes)
                    .map(|_| {
                        let n = int_in(rng, k.support_sizes.0 as i64, k.support_sizes.1 as i64);
                        (0..n).map(|_| self.point(rng)).collect()
                    })
                    .collect()
            }
        };
        let query = pin.query.unwrap_or_else(|| self.point(rng));
        Ok(Params {
            points: self.points,
            loss,
            anchor,
            positive,
            negative,
            margin,
            support,
            query,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::super::TripletLoss as K;
    use super::super::CONSTRAINTS;
    use super::*;
    use crate::draw::{all, broken, problem_rng};
    use crate::problems::Kind as _;

    #[test]
    fn offsets_have_integer_lengths_and_no_zero_coordinate() {
        let offsets = pythagorean_offsets((5, 10));
        assert_eq!(offsets.len(), 16);
        assert!(offsets.contains(&[-3, 4]) && offsets.contains(&[8, -6]));
        assert!(!offsets.contains(&[5, 0]) && !offsets.contains(&[5, 12]));
        assert_eq!(integer_length([5, 12]), Some(13));
        assert_eq!(integer_length([1, 1]), None);
        assert_eq!(integer_length([i64::MAX, 1]), None);
    }

    #[test]
    fn a_pinned_variant_is_fixed_and_takes_one_try() {
        let s = sampler(PINNED).unwrap();
        let (p, sol, tries) = K::draw(&s, &mut problem_rng(1, 2, 3, 0)).unwrap();
        assert_eq!(tries, 1);
        assert_eq!(p.margin, 10);
        assert_eq!(broken(&p, &sol, &all(CONSTRAINTS)), Vec::<&str>::new());
    }

    #[test]
    fn pins_are_kept_and_the_rest_drawn_within_the_knobs() {
        let s = sampler(
            "anchor: [1, -1]\ndraw: {losses: [triplet, contrastive], hinge_states: [active]}\n",
        )
        .unwrap();
        let mut losses = std::collections::BTreeSet::new();
        for student in 0..200 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(3, student, 0, 0)).unwrap();
            assert_eq!(p.anchor, [1, -1]);
            assert!(sol.hinge >= 1.0, "{p:?}");
            assert!((1..=12).contains(&p.margin));
            assert!((2..=3).contains(&p.support.len()));
            assert!(p.support.iter().all(|c| (2..=3).contains(&c.len())));
            assert!(p.query.iter().all(|v| (-3..=3).contains(v)));
            losses.insert(format!("{:?}", p.loss));
        }
        assert_eq!(losses.len(), 2, "both losses are drawn");
    }

    #[test]
    fn both_hinge_states_come_about_equally_often() {
        let active_of = |yaml: &str| {
            let s = sampler(yaml).unwrap();
            (0..400)
                .filter(|&student| {
                    let (_, sol, _) = K::draw(&s, &mut problem_rng(5, student, 0, 0)).unwrap();
                    sol.hinge > 0.0
                })
                .count()
        };
        let active = active_of("draw: {hinge_states: [active, inactive]}\n");
        assert!((150..=250).contains(&active), "{active} of 400 active");
        // The default draw is fair between students: every hinge active.
        assert_eq!(active_of("draw: {}\n"), 400);
    }

    #[test]
    fn a_state_no_margin_reaches_names_its_constraint() {
        // d(a, n) = 5 = d(a, p): the triplet hinge is the margin itself, never inactive.
        let s = sampler(
            "anchor: [0, 0]\npositive: [3, 4]\nnegative: [4, 3]\n\
             draw: {hinge_states: [inactive]}\n",
        )
        .unwrap();
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "margin_for_hinge_state");
        let s = sampler("anchor: [0, 0]\npositive: [1, 1]\ndraw: {}\n").unwrap();
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "integer_distances");
    }
}
