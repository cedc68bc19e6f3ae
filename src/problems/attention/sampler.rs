//! The sampler of the attention problem: the checked pins and knobs, and the draw of a
//! candidate in the order the random-stream contract fixes (n, d_k, d_v, Q, K̃, V, G,
//! ln_base, causal, concept).
//!
//! With d_k = 4 a dot product of random integer rows is odd about half the time, and
//! halving it would leave a fraction of ln b. Rather than reject most candidates, the
//! rows are drawn so that every product is even: each query row has entries of one
//! parity, each key row an even sum (Σ q_i k_i ≡ Σ k_i ≡ 0 when every q_i is odd, and
//! ≡ 0 when every q_i is even). The constraint `scores_in_ln_units` still checks it.

use super::{Concept, Params};
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

/// The knobs after defaults and pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    /// n, inclusive (both ends equal when a matrix is pinned).
    pub(super) seq: (usize, usize),
    /// The d_k drawn from (one value when Q or K is pinned).
    pub(super) key_dims: Vec<usize>,
    /// d_v, inclusive.
    pub(super) value_dims: (usize, usize),
    pub(super) q_range: (i64, i64),
    pub(super) k_range: (i64, i64),
    pub(super) v_range: (i64, i64),
    pub(super) g_range: (i64, i64),
    pub(super) ln_bases: Vec<u32>,
    pub(super) causal: Vec<bool>,
    pub(super) concepts: Vec<Concept>,
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) q: Option<Vec<Vec<i64>>>,
    pub(super) k: Option<Vec<Vec<i64>>>,
    pub(super) v: Option<Vec<Vec<i64>>>,
    pub(super) g: Option<Vec<Vec<i64>>>,
    pub(super) ln_base: Option<u32>,
    pub(super) causal: Option<bool>,
    pub(super) concept: Option<Concept>,
}

/// A matrix of `rows` × `cols` integers, each uniform in `range`.
fn uniform_matrix(rng: &mut VariantRng, rows: usize, cols: usize, (lo, hi): (i64, i64)) -> Vec<Vec<i64>> {
    (0..rows)
        .map(|_| (0..cols).map(|_| int_in(rng, lo, hi)).collect())
        .collect()
}

/// The values of `lo..=hi` of parity `parity` (0 or 1).
fn of_parity((lo, hi): (i64, i64), parity: i64) -> Vec<i64> {
    (lo..=hi).filter(|v| v.rem_euclid(2) == parity).collect()
}

/// A query row whose entries share one parity: uniform over such rows of `range`
/// (the parity is drawn weighted by how many rows it has).
fn same_parity_row(rng: &mut VariantRng, cols: usize, range: (i64, i64)) -> Vec<i64> {
    let (even, odd) = (of_parity(range, 0), of_parity(range, 1));
    let rows = |values: &[i64]| (values.len() as i64).pow(cols as u32);
    let (even_rows, odd_rows) = (rows(&even), rows(&odd));
    let values = if int_in(rng, 0, even_rows + odd_rows - 1) < even_rows {
        even
    } else {
        odd
    };
    (0..cols).map(|_| *pick(rng, &values)).collect()
}

/// The most draws of a query row that is not all zero (a zero query scores every key
/// alike, which `no_uniform_row` refuses), before giving the row to the constraints.
const QUERY_ROW_TRIES: usize = 100;

/// A query row: of one parity when `halved` (see the module doc), and not all zero when
/// the range allows another.
fn query_row(rng: &mut VariantRng, cols: usize, range: (i64, i64), halved: bool) -> Vec<i64> {
    let mut row = Vec::new();
    for _ in 0..QUERY_ROW_TRIES {
        row = if halved {
            same_parity_row(rng, cols, range)
        } else {
            (0..cols).map(|_| int_in(rng, range.0, range.1)).collect()
        };
        if row.iter().any(|&x| x != 0) {
            break;
        }
    }
    row
}

/// A key row with an even sum: the last entry is drawn among the values of `range` that
/// make it even (there always are some: with one value v, the first cols − 1 entries sum
/// to (cols − 1)·v, and cols = 4).
fn key_row(rng: &mut VariantRng, cols: usize, range: (i64, i64)) -> Vec<i64> {
    let (lo, hi) = range;
    let mut row: Vec<i64> = (1..cols).map(|_| int_in(rng, lo, hi)).collect();
    let parity = row.iter().sum::<i64>().rem_euclid(2);
    let last = of_parity(range, parity);
    row.push(if last.is_empty() { lo } else { *pick(rng, &last) });
    row
}

impl Sampler {
    /// The fully pinned variant, if every parameter is pinned.
    pub(super) fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        Some(Params {
            points: self.points,
            q: p.q.clone()?,
            k: p.k.clone()?,
            v: p.v.clone()?,
            g: p.g.clone()?,
            ln_base: p.ln_base?,
            causal: p.causal?,
            concept: p.concept?,
        })
    }

    pub(super) fn candidate(&self, rng: &mut VariantRng) -> Params {
        let (k, p) = (&self.knobs, &self.pinned);
        let n = int_in(rng, k.seq.0 as i64, k.seq.1 as i64) as usize;
        let d_k = *pick(rng, &k.key_dims);
        let d_v = int_in(rng, k.value_dims.0 as i64, k.value_dims.1 as i64) as usize;
        let halved = d_k > 1;
        let q = p.q.clone().unwrap_or_else(|| {
            (0..n)
                .map(|_| query_row(rng, d_k, k.q_range, halved))
                .collect()
        });
        let keys = p.k.clone().unwrap_or_else(|| {
            if halved {
                (0..n).map(|_| key_row(rng, d_k, k.k_range)).collect()
            } else {
                uniform_matrix(rng, n, d_k, k.k_range)
            }
        });
        let v = p
            .v
            .clone()
            .unwrap_or_else(|| uniform_matrix(rng, n, d_v, k.v_range));
        let g = p
            .g
            .clone()
            .unwrap_or_else(|| uniform_matrix(rng, n, d_v, k.g_range));
        let ln_base = p.ln_base.unwrap_or_else(|| *pick(rng, &k.ln_bases));
        let causal = p.causal.unwrap_or_else(|| *pick(rng, &k.causal));
        let concept = p.concept.unwrap_or_else(|| {
            // The mask question is asked only of a masked variant; when the knobs leave
            // nothing else, the candidate asks it anyway and `concept_fits` rejects it.
            let fitting: Vec<Concept> = k
                .concepts
                .iter()
                .copied()
                .filter(|&c| causal || c != Concept::Mask)
                .collect();
            *pick(rng, if fitting.is_empty() { &k.concepts } else { &fitting })
        });
        Params {
            points: self.points,
            q,
            k: keys,
            v,
            g,
            ln_base,
            causal,
            concept,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::super::{Attention as K, Concept, CONSTRAINTS};
    use super::*;
    use crate::draw::{all, broken, problem_rng};
    use crate::problems::Kind as _;

    #[test]
    fn a_pinned_variant_is_fixed_and_takes_one_try() {
        let s = sampler(PINNED).unwrap();
        let (p, sol, tries) = K::draw(&s, &mut problem_rng(1, 2, 3, 0)).unwrap();
        assert_eq!(tries, 1);
        assert_eq!(p.q[2], vec![-1, 1, 1, 1]);
        assert_eq!(broken(&p, &sol, &all(CONSTRAINTS)), Vec::<&str>::new());
    }

    #[test]
    fn rows_for_d_k_4_give_even_products() {
        let mut rng = problem_rng(5, 0, 0, 0);
        for _ in 0..200 {
            let q = query_row(&mut rng, 4, (-2, 2), true);
            let k = key_row(&mut rng, 4, (-1, 1));
            let dot: i64 = q.iter().zip(&k).map(|(a, b)| a * b).sum();
            assert_eq!(dot.rem_euclid(2), 0, "{q:?} · {k:?}");
        }
        // One value only: still an even sum.
        assert_eq!(key_row(&mut rng, 4, (1, 1)), vec![1, 1, 1, 1]);
    }

    #[test]
    fn pinned_parameters_are_kept_and_the_rest_drawn_within_the_knobs() {
        let s = sampler("V: [[1], [0], [2]]\ncausal: true\ndraw: {key_dims: [4]}\n").unwrap();
        let mut concepts = std::collections::BTreeSet::new();
        for student in 0..100 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(3, student, 0, 0)).unwrap();
            assert_eq!(p.v, vec![vec![1], vec![0], vec![2]]);
            assert!(p.causal);
            assert_eq!((p.n(), p.d_k(), p.g[0].len()), (3, 4, 1));
            assert!(p.q.iter().flatten().all(|x| (-1..=1).contains(x)), "{p:?}");
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            concepts.insert(format!("{:?}", p.concept));
        }
        assert_eq!(concepts.len(), 3, "every concept is drawn");
    }

    #[test]
    fn the_mask_question_is_not_drawn_without_the_mask() {
        let s = sampler("causal: false\ndraw: {}\n").unwrap();
        for student in 0..50 {
            let (p, _, _) = K::draw(&s, &mut problem_rng(4, student, 0, 0)).unwrap();
            assert_ne!(p.concept, Concept::Mask);
        }
    }

    #[test]
    fn impossible_knobs_name_the_constraint() {
        let pinned = PINNED.replace("causal: false\nconcept: scaling\n", "");
        let s = sampler(&(pinned + "draw: {causal: [false], concepts: [mask]}\n")).unwrap();
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "concept_fits");
        let s = sampler("draw: {q_range: [0, 0]}\n").unwrap();
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "no_uniform_row");
    }
}
