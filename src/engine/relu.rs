//! The rectified linear unit, element-wise on arrays of any shape.
//!
//! `relu(x) = max(x, 0)`; its derivative is `1` for `x > 0` and `0` otherwise. At exactly
//! `x = 0` the derivative is taken as `0` (the PyTorch convention), so a unit sitting at
//! zero passes no gradient. Shapes: input, mask, `dy` and output all share `x`'s shape.

use ndarray::{Array, Dimension, Zip};

/// `max(x, 0)` element-wise.
pub fn relu<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    x.mapv(|v| v.max(0.0))
}

/// The derivative of [`relu`]: `1.0` where `x > 0`, else `0.0` (including at `0`).
pub fn relu_mask<D: Dimension>(x: &Array<f64, D>) -> Array<f64, D> {
    x.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 })
}

/// Backward pass: `dx = dy ⊙ 1[x > 0]`.
pub fn relu_backward<D: Dimension>(x: &Array<f64, D>, dy: &Array<f64, D>) -> Array<f64, D> {
    Zip::from(x)
        .and(dy)
        .map_collect(|&v, &g| if v > 0.0 { g } else { 0.0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradcheck::{assert_close, numeric_gradient, random_array};
    use ndarray::{array, Array2};

    #[test]
    fn forward_and_mask_by_hand() {
        let x = array![-2.0, 0.0, 3.5];
        assert_close(&relu(&x), &array![0.0, 0.0, 3.5], 0.0);
        assert_close(&relu_mask(&x), &array![0.0, 0.0, 1.0], 0.0);
        assert_close(
            &relu_backward(&x, &array![5.0, 5.0, 5.0]),
            &array![0.0, 0.0, 5.0],
            0.0,
        );
    }

    #[test]
    fn backward_matches_finite_differences() {
        // Keep every entry away from the kink at 0, where the derivative is not defined.
        let x: Array2<f64> = random_array((3, 4), 30).mapv(|v: f64| v + 0.1 * v.signum());
        let c: Array2<f64> = random_array((3, 4), 31);
        let numeric = numeric_gradient(|v| (relu(v) * &c).sum(), &x, 1e-6);
        assert_close(&relu_backward(&x, &c), &numeric, 1e-8);
    }
}
