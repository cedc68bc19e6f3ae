//! Global average pooling: collapses each channel of a feature map to one number.
//!
//! For `h: (c, len)`, `pooled_k = (1/len) Σ_i h_k[i]`, so `pooled: (c)`. Backward spreads
//! each channel's gradient evenly: `dh_k[i] = dpooled_k / len`, so `dh: (c, len)`.

use ndarray::{Array1, Array2, Axis};

/// Mean of each row of `h: (c, len)`; returns `(c)`.
pub fn global_avg_pool(h: &Array2<f64>) -> Array1<f64> {
    assert!(h.ncols() > 0, "global_avg_pool: channels have length 0");
    h.sum_axis(Axis(1)) / h.ncols() as f64
}

/// Backward pass: `(c, len)` with row `k` filled with `dpooled[k] / len`.
pub fn global_avg_pool_backward(dpooled: &Array1<f64>, len: usize) -> Array2<f64> {
    Array2::from_shape_fn((dpooled.len(), len), |(k, _)| dpooled[k] / len as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradcheck::{assert_close, numeric_gradient, random_array};
    use ndarray::array;

    #[test]
    fn by_hand() {
        let h = array![[2.0, -1.0, 1.0], [1.0, 1.0, 1.0]];
        assert_close(&global_avg_pool(&h), &array![2.0 / 3.0, 1.0], 1e-15);
        let dh = global_avg_pool_backward(&array![3.0, -6.0], 3);
        assert_close(&dh, &array![[1.0, 1.0, 1.0], [-2.0, -2.0, -2.0]], 0.0);
    }

    #[test]
    fn backward_matches_finite_differences() {
        let h: Array2<f64> = random_array((3, 4), 80);
        let c: Array1<f64> = random_array(3, 81);
        let numeric = numeric_gradient(|v| global_avg_pool(v).dot(&c), &h, 1e-6);
        assert_close(&global_avg_pool_backward(&c, 4), &numeric, 1e-10);
    }
}
