//! Softmax, turning a score vector into class probabilities.
//!
//! `p_k = e^{s_k} / Σ_j e^{s_j}` for `s, p: (K)`. The Jacobian is `diag(p) − p pᵀ`, so the
//! backward pass is `ds = p ⊙ (dp − ⟨dp, p⟩)` without ever forming the `K × K` matrix.

use ndarray::Array1;

/// `softmax(s)`; the maximum is subtracted first (softmax is shift-invariant) so that
/// large scores cannot overflow `exp`.
pub fn softmax(s: &Array1<f64>) -> Array1<f64> {
    let max = s.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let e = s.mapv(|v| (v - max).exp());
    let z = e.sum();
    e / z
}

/// Backward pass given the forward output `p` and upstream `dp`: `ds = p ⊙ (dp − ⟨dp, p⟩)`.
pub fn softmax_backward(p: &Array1<f64>, dp: &Array1<f64>) -> Array1<f64> {
    assert_eq!(
        p.len(),
        dp.len(),
        "softmax_backward: p and dp differ in length"
    );
    let inner = dp.dot(p);
    p * &(dp - inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradcheck::{assert_close, numeric_gradient, random_array};
    use ndarray::array;

    #[test]
    fn forward_by_hand() {
        // Scores (0, ln 2, ln 5): e^s = (1, 2, 5), sum 8.
        let p = softmax(&array![0.0, 2f64.ln(), 5f64.ln()]);
        assert_close(&p, &array![1.0 / 8.0, 2.0 / 8.0, 5.0 / 8.0], 1e-15);
    }

    #[test]
    fn forward_survives_huge_scores() {
        let p = softmax(&array![1000.0, 1000.0]);
        assert_close(&p, &array![0.5, 0.5], 0.0);
    }

    #[test]
    fn backward_by_hand() {
        // p = (1/2, 1/2), dp = (1, 0): ⟨dp, p⟩ = 1/2, ds = (1/4, −1/4).
        let ds = softmax_backward(&array![0.5, 0.5], &array![1.0, 0.0]);
        assert_close(&ds, &array![0.25, -0.25], 1e-15);
    }

    #[test]
    fn backward_matches_finite_differences() {
        let s: Array1<f64> = random_array(5, 50).mapv(|v: f64| 3.0 * v);
        let c: Array1<f64> = random_array(5, 51);
        let numeric = numeric_gradient(|v| softmax(v).dot(&c), &s, 1e-6);
        assert_close(&softmax_backward(&softmax(&s), &c), &numeric, 1e-9);
    }
}
