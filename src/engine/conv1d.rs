//! One-dimensional convolution as deep-learning frameworks define it (cross-correlation).
//!
//! Input `x: (n)`, `c` kernels `K: (c, m)`, valid padding, stride 1, no bias:
//! `h_k[i] = Σ_j x[i + j] K_k[j]` for `i = 0..n−m`, so `h: (c, n − m + 1)`.
//!
//! Backward, given `dh: (c, n − m + 1)`:
//! `dK_k[j] = Σ_i dh_k[i] x[i + j]`, i.e. `dK_k = x ⋆ dh_k: (m)` (again a valid
//! cross-correlation), and `dx[p] = Σ_k Σ_i dh_k[i] K_k[p − i]`, a full convolution: `(n)`.

use ndarray::{Array1, Array2};

/// `out[i] = Σ_j x[i + j] k[j]`, of length `len(x) − len(k) + 1`.
pub fn cross_correlate_valid(x: &Array1<f64>, k: &Array1<f64>) -> Array1<f64> {
    assert!(!k.is_empty(), "cross_correlate_valid: empty kernel");
    assert!(
        k.len() <= x.len(),
        "cross_correlate_valid: kernel longer than the input"
    );
    x.windows(k.len()).into_iter().map(|w| w.dot(k)).collect()
}

/// Every kernel (row of `kernels: (c, m)`) slid over `x: (n)`; returns `(c, n − m + 1)`.
pub fn conv1d_forward(x: &Array1<f64>, kernels: &Array2<f64>) -> Array2<f64> {
    let m = kernels.ncols();
    assert!(m <= x.len(), "conv1d_forward: kernel longer than the input");
    let mut h = Array2::zeros((kernels.nrows(), x.len() + 1 - m));
    for (mut row, kernel) in h.rows_mut().into_iter().zip(kernels.rows()) {
        row.assign(&cross_correlate_valid(x, &kernel.to_owned()));
    }
    h
}

/// `∂L/∂K: (c, m)` given `dh: (c, n − m + 1)`; row `k` is `x ⋆ dh_k`.
pub fn conv1d_backward_kernels(x: &Array1<f64>, dh: &Array2<f64>) -> Array2<f64> {
    assert!(
        dh.ncols() <= x.len(),
        "conv1d_backward_kernels: dh longer than the input"
    );
    let m = x.len() + 1 - dh.ncols();
    let mut dk = Array2::zeros((dh.nrows(), m));
    for (mut row, dh_k) in dk.rows_mut().into_iter().zip(dh.rows()) {
        row.assign(&cross_correlate_valid(x, &dh_k.to_owned()));
    }
    dk
}

/// `∂L/∂x: (n)` given `kernels: (c, m)` and `dh: (c, n − m + 1)`.
pub fn conv1d_backward_input(kernels: &Array2<f64>, dh: &Array2<f64>) -> Array1<f64> {
    assert_eq!(
        kernels.nrows(),
        dh.nrows(),
        "conv1d_backward_input: one dh row per kernel"
    );
    let m = kernels.ncols();
    let out_len = dh.ncols();
    let mut dx = Array1::zeros(out_len + m - 1);
    // Each output h_k[i] read x[i..i + m] through K_k, so it sends dh_k[i] K_k back there.
    for (kernel, dh_k) in kernels.rows().into_iter().zip(dh.rows()) {
        for (i, &g) in dh_k.iter().enumerate() {
            for (j, &w) in kernel.iter().enumerate() {
                dx[i + j] += g * w;
            }
        }
    }
    dx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradcheck::{assert_close, numeric_gradient, random_array};
    use ndarray::array;

    #[test]
    fn exam_2022_forward() {
        let x = array![4.0, -1.0, 2.0, 0.0, 1.0];
        let kernels = array![[1.0, 0.0, -1.0], [1.0, 1.0, -1.0]];
        assert_close(
            &conv1d_forward(&x, &kernels),
            &array![[2.0, -1.0, 1.0], [1.0, 1.0, 1.0]],
            0.0,
        );
    }

    #[test]
    fn exam_2022_kernel_gradients() {
        // The exam's kernel gradients are x ⋆ dh_k for dh_1 = (1, 0, 1), dh_2 = (1, 1, 1).
        let x = array![4.0, -1.0, 2.0, 0.0, 1.0];
        assert_close(
            &cross_correlate_valid(&x, &array![1.0, 0.0, 1.0]),
            &array![6.0, -1.0, 3.0],
            0.0,
        );
        assert_close(
            &cross_correlate_valid(&x, &array![1.0, 1.0, 1.0]),
            &array![5.0, 1.0, 3.0],
            0.0,
        );
        let dh = array![[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]];
        assert_close(
            &conv1d_backward_kernels(&x, &dh),
            &array![[6.0, -1.0, 3.0], [5.0, 1.0, 3.0]],
            0.0,
        );
    }

    #[test]
    fn input_gradient_by_hand() {
        // One kernel (1, 2) over x of length 3, dh = (1, 10): dx = (1, 2 + 10, 20).
        let dx = conv1d_backward_input(&array![[1.0, 2.0]], &array![[1.0, 10.0]]);
        assert_close(&dx, &array![1.0, 12.0, 20.0], 0.0);
    }

    #[test]
    fn gradients_match_finite_differences() {
        let x: Array1<f64> = random_array(7, 70);
        let kernels: Array2<f64> = random_array((3, 3), 71);
        let c: Array2<f64> = random_array((3, 5), 72);
        let numeric_k = numeric_gradient(|k| (conv1d_forward(&x, k) * &c).sum(), &kernels, 1e-6);
        assert_close(&conv1d_backward_kernels(&x, &c), &numeric_k, 1e-9);
        let numeric_x = numeric_gradient(|v| (conv1d_forward(v, &kernels) * &c).sum(), &x, 1e-6);
        assert_close(&conv1d_backward_input(&kernels, &c), &numeric_x, 1e-9);
    }
}
