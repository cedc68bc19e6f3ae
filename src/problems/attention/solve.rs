//! The forward and backward pass of one attention head, side by side: the scores
//! S = QKᵀ/√d_k (−∞ where the causal mask hides a key), A = softmax(S) over each row
//! through the shared engine, O = AV; and for L = Σ G ⊙ O, ∂L/∂V = AᵀG. Beside them the
//! exact values the sheet prints: QK̃ᵀ and E = QK̃ᵀ/√d_k in integers, and each row of A
//! as the fractions b^{E_ij} / Σ_j b^{E_ij} over the visible keys.

use ndarray::Array2;

use super::{floats, Params, Solution};
use crate::engine::softmax::softmax;
use crate::exact::{softmax_of_powers, Rational};
use crate::problems::array2;

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let qk = products(&self.q, &self.k);
        let exponents = exponents(self, &qk);
        let scores = scores(self);
        let weights = forward_weights(&scores);
        let v = array2(&floats(&self.v));
        let g = array2(&floats(&self.g));
        Solution {
            weights_exact: exponents
                .iter()
                .map(|row| exact_row(row, self.ln_base))
                .collect(),
            qk,
            exponents,
            scores,
            output: weights.dot(&v),
            grad_v: backward_values(&weights, &g),
            weights,
        }
    }
}

/// QK̃ᵀ: the dot products of every query row with every key row, in integers.
fn products(q: &[Vec<i64>], k: &[Vec<i64>]) -> Vec<Vec<i64>> {
    q.iter()
        .map(|qi| {
            k.iter()
                .map(|kj| qi.iter().zip(kj).map(|(a, b)| a * b).sum())
                .collect()
        })
        .collect()
}

/// E = QK̃ᵀ/√d_k where visible and whole; `None` where masked or not whole.
fn exponents(p: &Params, qk: &[Vec<i64>]) -> Vec<Vec<Option<i64>>> {
    let r = p.sqrt_d_k();
    qk.iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, &x)| (p.visible(i, j) && x % r == 0).then_some(x / r))
                .collect()
        })
        .collect()
}

/// S = QKᵀ/√d_k in f64 from Q and the keys themselves (K = ln b · K̃), −∞ where masked.
fn scores(p: &Params) -> Array2<f64> {
    let q = array2(&floats(&p.q));
    let s = q.dot(&p.keys().t()) / (p.d_k() as f64).sqrt();
    Array2::from_shape_fn(s.dim(), |(i, j)| {
        if p.visible(i, j) {
            s[[i, j]]
        } else {
            f64::NEG_INFINITY
        }
    })
}

/// A = softmax(S) over each row (over the keys); e^{−∞} = 0 gives a masked key weight 0.
pub fn forward_weights(scores: &Array2<f64>) -> Array2<f64> {
    let mut a = Array2::zeros(scores.dim());
    for (i, row) in scores.rows().into_iter().enumerate() {
        a.row_mut(i).assign(&softmax(&row.to_owned()));
    }
    a
}

/// ∂L/∂V = AᵀG for L = Σ G ⊙ O with O = AV: each value row j collects the upstream
/// gradient of every query, weighted by how much that query attends to key j.
pub fn backward_values(weights: &Array2<f64>, g: &Array2<f64>) -> Array2<f64> {
    weights.t().dot(g)
}

/// One row of A exactly: zero where masked, b^{E_ij} / Σ over the visible keys; `None`
/// when a visible score is not a whole multiple of ln b or a power overflows.
fn exact_row(row: &[Option<i64>], base: u32) -> Option<Vec<Rational>> {
    let visible: Vec<i64> = row.iter().flatten().copied().collect();
    let weights = softmax_of_powers(&visible, base)?;
    let mut next = weights.into_iter();
    Some(
        row.iter()
            .map(|e| match e {
                Some(_) => next.next().unwrap_or(Rational::ZERO),
                None => Rational::ZERO,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use crate::exact::Rational;
    use crate::problems::kind::Variant as _;
    use ndarray::array;

    fn r(n: i64, d: i64) -> Rational {
        Rational::new(n, d)
    }

    #[test]
    fn the_hand_worked_example() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        assert_eq!(s.qk, vec![vec![2, 0, -2], vec![0, 2, 0], vec![0, -2, -2]]);
        assert_eq!(s.exponents[2], vec![Some(0), Some(-1), Some(-1)]);
        let a = s.weights_exact.iter().map(|r| r.clone().unwrap()).collect::<Vec<_>>();
        assert_eq!(a[0], vec![r(4, 7), r(2, 7), r(1, 7)]);
        assert_eq!(a[1], vec![r(1, 4), r(1, 2), r(1, 4)]);
        assert_eq!(a[2], vec![r(1, 2), r(1, 4), r(1, 4)]);
        let close = |x: &ndarray::Array2<f64>, y: ndarray::Array2<f64>| {
            assert!((x - &y).iter().all(|d| d.abs() < 1e-15), "{x} vs {y}");
        };
        close(
            &s.output,
            array![[5.0 / 7.0, 3.0 / 7.0], [0.5, 0.75], [0.75, 0.5]],
        );
        close(
            &s.grad_v,
            array![[4.0 / 7.0, 0.25], [2.0 / 7.0, 0.5], [1.0 / 7.0, 0.25]],
        );
        assert!((s.scores[[0, 0]] - 2f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn the_mask_zeroes_the_future_and_row_one_copies_v_one() {
        let p = sampler(&PINNED.replace("causal: false", "causal: true"))
            .unwrap()
            .fixed()
            .unwrap();
        let s = p.solve();
        assert_eq!(s.exponents[0], vec![Some(1), None, None]);
        assert_eq!(s.scores[[0, 2]], f64::NEG_INFINITY);
        assert_eq!(s.weights[[0, 1]], 0.0);
        let a = s.weights_exact[1].clone().unwrap();
        // E row 2 = [0, 1, −]: [1, 2]/3.
        assert_eq!(a, vec![r(1, 3), r(2, 3), Rational::ZERO]);
        assert_eq!(s.output.row(0).to_vec(), vec![1.0, 0.0]);
    }

    #[test]
    fn backward_matches_finite_differences() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        let g = crate::problems::array2(&super::floats(&p.g));
        let loss = |v: &ndarray::Array2<f64>| (s.weights.dot(v) * &g).sum();
        let v = crate::problems::array2(&super::floats(&p.v));
        for ((j, c), &analytic) in s.grad_v.indexed_iter() {
            let (mut plus, mut minus) = (v.clone(), v.clone());
            plus[[j, c]] += 1e-6;
            minus[[j, c]] -= 1e-6;
            let numeric = (loss(&plus) - loss(&minus)) / 2e-6;
            assert!((numeric - analytic).abs() < 1e-8, "{j},{c}");
        }
    }
}
