//! The sampler of the softmax_ce problem: the checked pins and knobs, and the draw of a
//! candidate in the order the random-stream contract fixes (K, the exponents, ln_base,
//! y). The constraints are checked on the whole candidate (it is cheap to redraw).

use super::Params;
use crate::draw::{index, int_in, pick, VariantRng};
use crate::spec::Points;

/// Draws this problem's parameters (pinned ones are kept) under
/// [`super::CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) points: Points,
    pub(super) pinned: Pinned,
    pub(super) knobs: Knobs,
}

/// The knobs after defaults and pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    /// K, inclusive (both ends equal when the logits are pinned).
    pub(super) classes: (usize, usize),
    pub(super) logit_range: (i64, i64),
    pub(super) ln_bases: Vec<u32>,
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) logits: Option<Vec<i64>>,
    pub(super) ln_base: Option<u32>,
    pub(super) y: Option<usize>,
}

impl Sampler {
    /// The fully pinned variant, if every parameter is pinned.
    pub(super) fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        Some(Params {
            points: self.points,
            logits: p.logits.clone()?,
            ln_base: p.ln_base?,
            y: p.y?,
        })
    }

    pub(super) fn candidate(&self, rng: &mut VariantRng) -> Params {
        let k = &self.knobs;
        let logits = match &self.pinned.logits {
            Some(e) => e.clone(),
            None => {
                let (lo, hi) = k.classes;
                let classes = int_in(rng, lo as i64, hi as i64) as usize;
                let (lo, hi) = k.logit_range;
                (0..classes).map(|_| int_in(rng, lo, hi)).collect()
            }
        };
        let ln_base = match self.pinned.ln_base {
            Some(b) => b,
            None => *pick(rng, &k.ln_bases),
        };
        let y = match self.pinned.y {
            Some(y) => y,
            None => index(rng, logits.len()),
        };
        Params {
            points: self.points,
            logits,
            ln_base,
            y,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::super::SoftmaxCe as K;
    use super::super::CONSTRAINTS;
    use crate::draw::{all, broken, problem_rng};
    use crate::problems::Kind as _;

    #[test]
    fn a_pinned_variant_is_fixed_and_takes_one_try() {
        let s = sampler(PINNED).unwrap();
        let (p, sol, tries) = K::draw(&s, &mut problem_rng(1, 2, 3, 0)).unwrap();
        assert_eq!(tries, 1);
        assert_eq!(p.logits, vec![1, -1, 0, 2]);
        assert_eq!(broken(&p, &sol, &all(CONSTRAINTS)), Vec::<&str>::new());
    }

    #[test]
    fn pinned_parameters_are_kept_and_the_rest_drawn_within_the_knobs() {
        let s = sampler("y: 1\ndraw: {ln_bases: [3], logit_range: [-1, 1]}\n").unwrap();
        let mut sizes = std::collections::BTreeSet::new();
        for student in 0..100 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(3, student, 0, 0)).unwrap();
            assert_eq!((p.y, p.ln_base), (1, 3));
            assert!((3..=5).contains(&p.logits.len()), "{p:?}");
            assert!(p.logits.iter().all(|e| (-1..=1).contains(e)), "{p:?}");
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            sizes.insert(p.logits.len());
        }
        assert_eq!(sizes.len(), 3, "every K of the default range is drawn");
    }

    #[test]
    fn broken_pinned_variants_name_their_constraint() {
        let draw = |yaml: &str| K::draw(&sampler(yaml).unwrap(), &mut problem_rng(0, 0, 0, 0));
        let err = draw("logits: [2, 2, 2]\nln_base: 3\ny: 0\n").unwrap_err();
        assert_eq!((err.constraint, err.tries), ("logits_not_all_equal", 1));
        // 3^4 + 1 = 82: a denominator above 64.
        let err = draw("logits: [4, 0]\nln_base: 3\ny: 0\n").unwrap_err();
        assert_eq!(err.constraint, "readable_probabilities");
        // So large that b^{e−m} does not fit an i64: refused, not a panic.
        let err = draw("logits: [100, 0]\nln_base: 2\ny: 0\n").unwrap_err();
        assert_eq!(err.constraint, "readable_probabilities");
    }

    #[test]
    fn impossible_knobs_name_the_constraint() {
        let s = sampler("draw: {logit_range: [1, 1]}\n").unwrap();
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "logits_not_all_equal");
    }
}
