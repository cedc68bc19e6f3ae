//! The three layers of the problem, forward and backward side by side: a 2D
//! cross-correlation with zero padding (PyTorch's `conv2d`: the kernel is not flipped),
//! ReLU with ReLU′(0) = 0, and max-pooling that routes the gradient to the maximum of
//! each window only.
//!
//! Shapes: image C × H × W (one `Array2` per channel), kernel C × K × K, bias a scalar
//! (one output channel), conv output O_h × O_w, pooled output ⌊(O − Q)/S_p⌋ + 1 per axis.

use ndarray::Array2;

/// The image with `p` rows and columns of zeros on every side.
pub fn pad(x: &Array2<f64>, p: usize) -> Array2<f64> {
    let (h, w) = x.dim();
    Array2::from_shape_fn((h + 2 * p, w + 2 * p), |(i, j)| {
        let inside = (p..p + h).contains(&i) && (p..p + w).contains(&j);
        if inside {
            x[(i - p, j - p)]
        } else {
            0.0
        }
    })
}

/// The patch of the padded channel that output (i, j) sees.
pub fn patch(padded: &Array2<f64>, k: usize, stride: usize, (i, j): (usize, usize)) -> Array2<f64> {
    Array2::from_shape_fn((k, k), |(u, v)| padded[(i * stride + u, j * stride + v)])
}

/// z_ij = b + Σ_c Σ_uv padded_c[iS + u, jS + v] · K_c[u, v], for an `out` of O_h × O_w.
pub fn conv_forward(
    padded: &[Array2<f64>],
    kernel: &[Array2<f64>],
    bias: f64,
    stride: usize,
    out: (usize, usize),
) -> Array2<f64> {
    let k = kernel[0].nrows();
    Array2::from_shape_fn(out, |at| {
        bias + padded
            .iter()
            .zip(kernel)
            .map(|(x, w)| (&patch(x, k, stride, at) * w).sum())
            .sum::<f64>()
    })
}

/// The conv's gradients from ∂L/∂Z: (∂L/∂K per channel, ∂L/∂b, ∂L/∂padded per channel).
/// ∂L/∂K_c = Σ_ij dz_ij · patch_c(i, j); ∂L/∂b = Σ_ij dz_ij; every output scatters
/// dz_ij · K_c back onto the patch it saw.
pub fn conv_backward(
    padded: &[Array2<f64>],
    kernel: &[Array2<f64>],
    stride: usize,
    dz: &Array2<f64>,
) -> (Vec<Array2<f64>>, f64, Vec<Array2<f64>>) {
    let k = kernel[0].nrows();
    let mut d_kernel: Vec<Array2<f64>> = kernel.iter().map(|w| Array2::zeros(w.dim())).collect();
    let mut d_padded: Vec<Array2<f64>> = padded.iter().map(|x| Array2::zeros(x.dim())).collect();
    for ((i, j), &g) in dz.indexed_iter() {
        for c in 0..padded.len() {
            d_kernel[c].scaled_add(g, &patch(&padded[c], k, stride, (i, j)));
            for ((u, v), &w) in kernel[c].indexed_iter() {
                d_padded[c][(i * stride + u, j * stride + v)] += g * w;
            }
        }
    }
    (d_kernel, dz.sum(), d_padded)
}

/// The padding cut off again: ∂L/∂X is ∂L/∂padded without its border.
pub fn crop(padded: &Array2<f64>, p: usize) -> Array2<f64> {
    let (h, w) = padded.dim();
    Array2::from_shape_fn((h - 2 * p, w - 2 * p), |(i, j)| padded[(i + p, j + p)])
}

/// ReLU, elementwise.
pub fn relu_forward(z: &Array2<f64>) -> Array2<f64> {
    z.mapv(|v| v.max(0.0))
}

/// ReLU′(z) with ReLU′(0) = 0 (PyTorch's choice): 1 where z > 0, else 0.
pub fn relu_mask(z: &Array2<f64>) -> Array2<f64> {
    z.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 })
}

/// One pooling window: its position in the pooled output and the conv-output position
/// of its maximum (the first one in row-major order if there were ties, which the
/// problem's constraint rules out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub at: (usize, usize),
    pub argmax: (usize, usize),
    /// How many entries of the window equal its maximum.
    pub maxima: usize,
}

/// The windows of a Q × Q max-pool with stride S_p over `a`, row-major.
pub fn pool_windows(a: &Array2<f64>, q: usize, stride: usize, out: (usize, usize)) -> Vec<Window> {
    let mut windows = Vec::with_capacity(out.0 * out.1);
    for r in 0..out.0 {
        for c in 0..out.1 {
            let cells: Vec<(usize, usize)> = (0..q)
                .flat_map(|u| (0..q).map(move |v| (r * stride + u, c * stride + v)))
                .collect();
            let max = cells.iter().map(|&ij| a[ij]).fold(f64::NEG_INFINITY, f64::max);
            let argmax = *cells.iter().find(|&&ij| a[ij] == max).expect("a window has cells");
            let maxima = cells.iter().filter(|&&ij| a[ij] == max).count();
            windows.push(Window {
                at: (r, c),
                argmax,
                maxima,
            });
        }
    }
    windows
}

/// The pooled output: each window's maximum.
pub fn pool_forward(a: &Array2<f64>, windows: &[Window], out: (usize, usize)) -> Array2<f64> {
    let mut pooled = Array2::zeros(out);
    for w in windows {
        pooled[w.at] = a[w.argmax];
    }
    pooled
}

/// ∂L/∂A: each window's upstream gradient goes to its maximum only (summed where
/// overlapping windows share a maximum).
pub fn pool_backward(dim: (usize, usize), windows: &[Window], upstream: &Array2<f64>) -> Array2<f64> {
    let mut da = Array2::zeros(dim);
    for w in windows {
        da[w.argmax] += upstream[w.at];
    }
    da
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_backward_pass_matches_finite_differences() {
        let x = array![[1.0, -2.0, 3.0], [0.0, 2.5, -1.0], [2.0, 1.25, 1.0]];
        let k = array![[1.0, 2.0], [-1.0, 1.0]];
        let b = 0.5;
        let padded = [pad(&x, 1)];
        let z = conv_forward(&padded, std::slice::from_ref(&k), b, 1, (4, 4));
        // Overlapping pooling (stride 1) over the 4 × 4 conv output.
        let a = relu_forward(&z);
        let windows = pool_windows(&a, 2, 1, (3, 3));
        assert!(windows.iter().all(|w| w.maxima == 1), "{a}");
        let g = Array2::from_shape_fn((3, 3), |(i, j)| (i as f64) - (j as f64) + 0.5);
        let da = pool_backward(a.dim(), &windows, &g);
        let dz = &da * &relu_mask(&z);
        let (dk, db, dpad) = conv_backward(&padded, std::slice::from_ref(&k), 1, &dz);
        let dx = crop(&dpad[0], 1);
        let f = |x: &Array2<f64>, k: &Array2<f64>, b: f64| {
            let padded = [pad(x, 1)];
            let z = conv_forward(&padded, std::slice::from_ref(k), b, 1, (4, 4));
            let a = relu_forward(&z);
            (&pool_forward(&a, &pool_windows(&a, 2, 1, (3, 3)), (3, 3)) * &g).sum()
        };
        let h = 1e-6;
        for ((i, j), &d) in dx.indexed_iter() {
            let (mut plus, mut minus) = (x.clone(), x.clone());
            plus[(i, j)] += h;
            minus[(i, j)] -= h;
            assert!(((f(&plus, &k, b) - f(&minus, &k, b)) / (2.0 * h) - d).abs() < 1e-6);
        }
        for ((i, j), &d) in dk[0].indexed_iter() {
            let (mut plus, mut minus) = (k.clone(), k.clone());
            plus[(i, j)] += h;
            minus[(i, j)] -= h;
            assert!(((f(&x, &plus, b) - f(&x, &minus, b)) / (2.0 * h) - d).abs() < 1e-6);
        }
        assert!(((f(&x, &k, b + h) - f(&x, &k, b - h)) / (2.0 * h) - db).abs() < 1e-6);
    }

    #[test]
    fn a_hand_worked_forward_pass() {
        // Unpadded 3 × 3 image, 2 × 2 kernel, stride 1, not flipped:
        // z_00 = 1·1 + (−2)·2 + 0·(−1) + 2·1 + 0.5 = −0.5, z_10 = 0 + 4 − 2 + 1 + 0.5 = 3.5.
        let x = array![[1.0, -2.0, 3.0], [0.0, 2.0, -1.0], [2.0, 1.0, 1.0]];
        let k = array![[1.0, 2.0], [-1.0, 1.0]];
        let z = conv_forward(&[x], &[k], 0.5, 1, (2, 2));
        assert_eq!(z, array![[-0.5, 1.5], [3.5, 0.5]]);
        let a = relu_forward(&z);
        assert_eq!(relu_mask(&z), array![[0.0, 1.0], [1.0, 1.0]]);
        let windows = pool_windows(&a, 2, 2, (1, 1));
        assert_eq!(windows[0].argmax, (1, 0));
        assert_eq!(pool_forward(&a, &windows, (1, 1))[(0, 0)], 3.5);
        let da = pool_backward((2, 2), &windows, &array![[3.0]]);
        assert_eq!(da, array![[0.0, 0.0], [3.0, 0.0]]);
    }
}
