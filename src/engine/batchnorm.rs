//! Batch normalization without the affine transform, as in the exam problems.
//!
//! For a batch `h: (N, d)`, per feature `j`:
//! `μ_j = (1/N) Σ_n h_nj`, `σ²_j = (1/N) Σ_n (h_nj − μ_j)²` (biased: divide by `N`),
//! `σ_j = sqrt(σ²_j + ε)` and `ĥ_nj = (h_nj − μ_j) / σ_j`, so `ĥ: (N, d)`.
//!
//! Backward comes in two flavours (see [`BatchnormBackward`]) because the 2022 exam treats
//! the batch statistics as constants, while the true gradient flows through them too.

use ndarray::{Array1, Array2, Axis};
use serde::{Deserialize, Serialize};

/// Per-feature statistics of one batch; every field has shape `(d)`.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchStats {
    /// `μ`, the batch mean.
    pub mean: Array1<f64>,
    /// `σ²`, the biased batch variance (divided by `N`), without `ε`.
    pub var: Array1<f64>,
    /// `σ = sqrt(σ² + ε)`, the divisor actually used.
    pub std: Array1<f64>,
}

/// Normalizes each column of `h: (N, d)`; returns `ĥ: (N, d)` and the statistics used.
pub fn batchnorm_forward(h: &Array2<f64>, eps: f64) -> (Array2<f64>, BatchStats) {
    assert!(h.nrows() > 0, "batchnorm_forward: empty batch");
    let n = h.nrows() as f64;
    let mean = h.sum_axis(Axis(0)) / n;
    let centered = h - &mean;
    let var = centered.mapv(|v| v * v).sum_axis(Axis(0)) / n;
    let std = var.mapv(|v| (v + eps).sqrt());
    let h_hat = centered / &std;
    (h_hat, BatchStats { mean, var, std })
}

/// How the backward pass treats the batch statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchnormBackward {
    /// `μ` and `σ` are constants: `dh = dĥ / σ`. This is what the 2022 exam does.
    StatsConstant,
    /// The true gradient through the statistics:
    /// `dh = (1/(Nσ)) (N dĥ − Σ_n dĥ − ĥ Σ_n (dĥ ⊙ ĥ))`.
    Full,
}

/// Backward pass of [`batchnorm_forward`]: maps `dĥ: (N, d)` to `dh: (N, d)`.
pub fn batchnorm_backward(
    h: &Array2<f64>,
    stats: &BatchStats,
    dh_hat: &Array2<f64>,
    mode: BatchnormBackward,
) -> Array2<f64> {
    assert_eq!(
        h.shape(),
        dh_hat.shape(),
        "batchnorm_backward: h and dĥ differ in shape"
    );
    assert_eq!(
        h.ncols(),
        stats.std.len(),
        "batchnorm_backward: stats are for another width"
    );
    match mode {
        BatchnormBackward::StatsConstant => dh_hat / &stats.std,
        BatchnormBackward::Full => {
            let n = h.nrows() as f64;
            let h_hat = (h - &stats.mean) / &stats.std;
            let sum_dh_hat = dh_hat.sum_axis(Axis(0));
            let sum_dh_hat_h_hat = (dh_hat * &h_hat).sum_axis(Axis(0));
            (dh_hat * n - &sum_dh_hat - h_hat * &sum_dh_hat_h_hat) / (&stats.std * n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradcheck::{assert_close, numeric_gradient, random_array};
    use ndarray::array;

    const EPS: f64 = 1e-5;

    #[test]
    fn forward_by_hand() {
        // Column 0 is (1, 3): μ = 2, σ² = 1, ĥ = (−1, 1)/sqrt(1 + ε).
        // Column 1 is (4, 4): μ = 4, σ² = 0, ĥ = 0.
        let h = array![[1.0, 4.0], [3.0, 4.0]];
        let (h_hat, stats) = batchnorm_forward(&h, EPS);
        let s = (1.0 + EPS).sqrt();
        assert_close(&stats.mean, &array![2.0, 4.0], 1e-12);
        assert_close(&stats.var, &array![1.0, 0.0], 1e-12);
        assert_close(&stats.std, &array![s, EPS.sqrt()], 1e-12);
        assert_close(&h_hat, &array![[-1.0 / s, 0.0], [1.0 / s, 0.0]], 1e-12);
    }

    #[test]
    fn stats_constant_by_hand() {
        let h = array![[1.0], [3.0]];
        let (_, stats) = batchnorm_forward(&h, 0.0);
        let dh = batchnorm_backward(
            &h,
            &stats,
            &array![[2.0], [-4.0]],
            BatchnormBackward::StatsConstant,
        );
        assert_close(&dh, &array![[2.0], [-4.0]], 1e-12);
    }

    #[test]
    fn full_gradient_is_orthogonal_to_shifts_and_scales() {
        // ĥ does not change when a column is shifted, so Σ_n dh = 0 for any dĥ (ε = 0).
        let h: Array2<f64> = random_array((5, 3), 20);
        let dh_hat: Array2<f64> = random_array((5, 3), 21);
        let (_, stats) = batchnorm_forward(&h, 0.0);
        let dh = batchnorm_backward(&h, &stats, &dh_hat, BatchnormBackward::Full);
        assert_close(&dh.sum_axis(Axis(0)), &Array1::zeros(3), 1e-12);
    }

    #[test]
    fn full_matches_finite_differences() {
        let h: Array2<f64> = random_array((4, 3), 22);
        let c: Array2<f64> = random_array((4, 3), 23);
        let (_, stats) = batchnorm_forward(&h, EPS);
        let dh = batchnorm_backward(&h, &stats, &c, BatchnormBackward::Full);
        let numeric = numeric_gradient(|v| (batchnorm_forward(v, EPS).0 * &c).sum(), &h, 1e-6);
        assert_close(&dh, &numeric, 1e-7);
    }

    #[test]
    fn stats_constant_matches_finite_differences_with_frozen_stats() {
        let h: Array2<f64> = random_array((4, 3), 24);
        let c: Array2<f64> = random_array((4, 3), 25);
        let (_, stats) = batchnorm_forward(&h, EPS);
        let dh = batchnorm_backward(&h, &stats, &c, BatchnormBackward::StatsConstant);
        let frozen = |v: &Array2<f64>| ((v - &stats.mean) / &stats.std * &c).sum();
        assert_close(&dh, &numeric_gradient(frozen, &h, 1e-6), 1e-7);
    }

    #[test]
    fn modes_use_snake_case_names() {
        let json = serde_json::to_string(&BatchnormBackward::StatsConstant).expect("serializes");
        assert_eq!(json, "\"stats_constant\"");
        let back: BatchnormBackward = serde_json::from_str("\"full\"").expect("deserializes");
        assert_eq!(back, BatchnormBackward::Full);
    }
}
