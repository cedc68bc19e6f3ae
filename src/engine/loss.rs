//! Classification losses and their gradients with respect to the logits.
//!
//! Binary: `BCE(p, y) = −y ln p − (1 − y) ln(1 − p)` with `p = σ(s)`, and
//! `∂BCE/∂s = p − y`. Multi-class: `CE(p, k) = −ln p_k` with `p = softmax(s): (K)`, and
//! `∂CE/∂s = p − onehot(k): (K)`. The gradients are stated for the logit because that is
//! where the sigmoid/softmax Jacobian cancels into the short form the solutions print.

use ndarray::Array1;

/// `−y ln p − (1 − y) ln(1 − p)`, with the convention `0 · ln 0 = 0` so that a confident,
/// correct prediction (`p = y ∈ {0, 1}`) costs `0` rather than `NaN`.
pub fn binary_cross_entropy(p: f64, y: f64) -> f64 {
    let positive = if y == 0.0 { 0.0 } else { -y * p.ln() };
    let negative = if y == 1.0 {
        0.0
    } else {
        -(1.0 - y) * (1.0 - p).ln()
    };
    positive + negative
}

/// `BCE(σ(s), y)` computed from the logit as `max(s, 0) − s y + ln(1 + e^{−|s|})`,
/// which neither overflows nor loses precision when `σ(s)` rounds to `0` or `1`.
pub fn binary_cross_entropy_with_logits(s: f64, y: f64) -> f64 {
    s.max(0.0) - s * y + (-s.abs()).exp().ln_1p()
}

/// `∂BCE(σ(s), y)/∂s = p − y`, given `p = σ(s)`.
pub fn bce_grad_logit(p: f64, y: f64) -> f64 {
    p - y
}

/// `−ln p[class]`; `p` is a probability vector `(K)`.
pub fn cross_entropy(p: &Array1<f64>, class: usize) -> f64 {
    -p[class].ln()
}

/// `∂CE(softmax(s), class)/∂s = p − onehot(class)`, shape `(K)`.
pub fn cross_entropy_grad_logits(p: &Array1<f64>, class: usize) -> Array1<f64> {
    let mut grad = p.clone();
    grad[class] -= 1.0;
    grad
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradcheck::{assert_close, numeric_gradient, random_array};
    use crate::engine::sigmoid::sigmoid;
    use crate::engine::softmax::softmax;
    use ndarray::{array, Array0};

    #[test]
    fn bce_by_hand() {
        // p = 3/4: y = 1 costs ln(4/3), y = 0 costs ln 4.
        assert!((binary_cross_entropy(0.75, 1.0) - (4.0f64 / 3.0).ln()).abs() < 1e-15);
        assert!((binary_cross_entropy(0.75, 0.0) - 4f64.ln()).abs() < 1e-15);
        assert_eq!(binary_cross_entropy(1.0, 1.0), 0.0);
        assert_eq!(binary_cross_entropy(0.0, 0.0), 0.0);
        assert_eq!(bce_grad_logit(0.75, 1.0), -0.25);
    }

    #[test]
    fn bce_with_logits_agrees_and_is_stable() {
        for &s in &[-3.0, -0.5, 0.0, 0.7, 4.0] {
            for &y in &[0.0, 1.0, 0.3] {
                let direct = binary_cross_entropy(sigmoid(s), y);
                assert!((binary_cross_entropy_with_logits(s, y) - direct).abs() < 1e-12);
            }
        }
        // σ(−800) underflows to 0, yet the loss is exactly 800 for y = 1.
        assert_eq!(binary_cross_entropy_with_logits(-800.0, 1.0), 800.0);
        assert_eq!(binary_cross_entropy_with_logits(800.0, 1.0), 0.0);
    }

    #[test]
    fn bce_grad_matches_finite_differences_through_sigmoid() {
        for &(s, y) in &[(-1.3, 1.0), (0.4, 0.0), (2.0, 1.0)] {
            let x = Array0::from_elem((), s);
            let numeric = numeric_gradient(
                |v: &Array0<f64>| binary_cross_entropy(sigmoid(v[()]), y),
                &x,
                1e-6,
            );
            let analytic = Array0::from_elem((), bce_grad_logit(sigmoid(s), y));
            assert_close(&analytic, &numeric, 1e-9);
        }
    }

    #[test]
    fn cross_entropy_by_hand() {
        let p = array![0.125, 0.25, 0.625];
        assert!((cross_entropy(&p, 1) - 4f64.ln()).abs() < 1e-15);
        assert_close(
            &cross_entropy_grad_logits(&p, 1),
            &array![0.125, -0.75, 0.625],
            1e-15,
        );
    }

    #[test]
    fn cross_entropy_grad_matches_finite_differences_through_softmax() {
        let s: Array1<f64> = random_array(4, 60).mapv(|v: f64| 2.0 * v);
        for class in 0..4 {
            let numeric = numeric_gradient(|v| cross_entropy(&softmax(v), class), &s, 1e-6);
            assert_close(
                &cross_entropy_grad_logits(&softmax(&s), class),
                &numeric,
                1e-9,
            );
        }
    }
}
