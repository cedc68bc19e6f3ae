//! One step of plain gradient descent, the update every training problem asks for.
//!
//! `θ' = θ − η ∇θ`, element-wise; `param`, `grad` and the result share one shape.

use ndarray::{Array, Dimension, Zip};

/// Returns `param − lr · grad`; the inputs are left untouched so solutions can show both.
pub fn sgd_step<D: Dimension>(
    param: &Array<f64, D>,
    grad: &Array<f64, D>,
    lr: f64,
) -> Array<f64, D> {
    Zip::from(param).and(grad).map_collect(|&p, &g| p - lr * g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradcheck::{assert_close, numeric_gradient};
    use ndarray::{array, Array1};

    #[test]
    fn step_by_hand() {
        let w = array![[1.0, -2.0], [0.5, 0.0]];
        let g = array![[2.0, -4.0], [1.0, 10.0]];
        assert_close(
            &sgd_step(&w, &g, 0.5),
            &array![[0.0, 0.0], [0.0, -5.0]],
            0.0,
        );
    }

    #[test]
    fn small_step_along_numeric_gradient_decreases_the_loss() {
        // L(θ) = Σ (θ − t)²: a descent step with the finite-difference gradient moves toward t.
        let target = array![1.0, -2.0, 3.0];
        let loss = |v: &Array1<f64>| (v - &target).mapv(|d| d * d).sum();
        let theta = array![0.0, 0.0, 0.0];
        let grad = numeric_gradient(loss, &theta, 1e-6);
        assert_close(&grad, &array![-2.0, 4.0, -6.0], 1e-8);
        // With η = 1/2 the quadratic is minimized in one step.
        assert_close(&sgd_step(&theta, &grad, 0.5), &target, 1e-8);
    }
}
