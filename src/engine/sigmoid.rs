//! The logistic sigmoid, the output unit of binary classifiers.
//!
//! `σ(x) = 1 / (1 + e^{−x})`, with `σ'(x) = σ(x)(1 − σ(x))`. For arrays the function is
//! applied element-wise and every array shares the input's shape.

use ndarray::{Array, Dimension, Zip};

/// `σ(x)`, evaluated so that `e^{|x|}` is never formed: no overflow for large `|x|`.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `σ'(x) = σ(x)(1 − σ(x))`.
pub fn sigmoid_derivative(x: f64) -> f64 {
    let s = sigmoid(x);
    s * (1.0 - s)
}

/// [`sigmoid`] element-wise.
pub fn sigmoid_array<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    x.mapv(sigmoid)
}

/// Backward pass: `dx = dy ⊙ σ(x)(1 − σ(x))`.
pub fn sigmoid_backward<D: Dimension>(x: &Array<f64, D>, dy: &Array<f64, D>) -> Array<f64, D> {
    Zip::from(x)
        .and(dy)
        .map_collect(|&v, &g| g * sigmoid_derivative(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradcheck::{assert_close, numeric_gradient, random_array};
    use ndarray::{array, Array1};

    #[test]
    fn values_by_hand() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid_derivative(0.0), 0.25);
        // σ(ln 3) = 1 / (1 + 1/3) = 3/4.
        assert!((sigmoid(3f64.ln()) - 0.75).abs() < 1e-15);
        assert!((sigmoid(-(3f64.ln())) - 0.25).abs() < 1e-15);
    }

    #[test]
    fn stable_at_extremes() {
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!(sigmoid(-700.0) > 0.0);
        assert_eq!(sigmoid_derivative(1000.0), 0.0);
    }

    #[test]
    fn backward_matches_finite_differences() {
        let x: Array1<f64> = random_array(6, 40).mapv(|v: f64| 4.0 * v);
        let c: Array1<f64> = random_array(6, 41);
        let numeric = numeric_gradient(|v| (sigmoid_array(v) * &c).sum(), &x, 1e-6);
        assert_close(&sigmoid_backward(&x, &c), &numeric, 1e-9);
        assert_close(&sigmoid_array(&array![0.0]), &array![0.5], 0.0);
    }
}
