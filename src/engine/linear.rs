//! Fully connected (affine) layer: the building block of every MLP problem.
//!
//! Rows of the batch are examples. For `x: (n, d_in)`, `W: (d_out, d_in)`, `b: (d_out)`,
//! each row computes `y_i = W x_i + b`, i.e. `Y = X Wᵀ + 1 bᵀ` with `Y: (n, d_out)`.
//!
//! Backward, given `dY = ∂L/∂Y: (n, d_out)`:
//! `dW = dYᵀ X: (d_out, d_in)`, `db = Σ_i dY_i: (d_out)`, `dX = dY W: (n, d_in)`.
//! The gradients are sums over the rows; a caller wanting the mean loss scales `dY` by `1/n`
//! itself, and with a single-row batch these are the per-example gradients.

use ndarray::{Array1, Array2, Axis};

/// `Y = X Wᵀ + b` per row; shapes as in the module docs.
pub fn linear_forward(x: &Array2<f64>, w: &Array2<f64>, b: &Array1<f64>) -> Array2<f64> {
    assert_eq!(
        x.ncols(),
        w.ncols(),
        "linear_forward: x has d_in columns, W is (d_out, d_in)"
    );
    assert_eq!(
        w.nrows(),
        b.len(),
        "linear_forward: b must have d_out entries"
    );
    x.dot(&w.t()) + b
}

/// Gradients of the loss with respect to the inputs and parameters of a linear layer.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearGrads {
    /// `∂L/∂X`, shape `(n, d_in)`.
    pub dx: Array2<f64>,
    /// `∂L/∂W`, shape `(d_out, d_in)`, summed over the batch.
    pub dw: Array2<f64>,
    /// `∂L/∂b`, shape `(d_out)`, summed over the batch.
    pub db: Array1<f64>,
}

/// Backward pass of [`linear_forward`] for upstream gradient `dy: (n, d_out)`.
pub fn linear_backward(x: &Array2<f64>, w: &Array2<f64>, dy: &Array2<f64>) -> LinearGrads {
    assert_eq!(
        x.nrows(),
        dy.nrows(),
        "linear_backward: x and dy need the same batch size"
    );
    assert_eq!(
        w.nrows(),
        dy.ncols(),
        "linear_backward: dy has d_out columns"
    );
    assert_eq!(x.ncols(), w.ncols(), "linear_backward: x has d_in columns");
    LinearGrads {
        dx: dy.dot(w),
        dw: dy.t().dot(x),
        db: dy.sum_axis(Axis(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradcheck::{assert_close, numeric_gradient, random_array};
    use ndarray::array;

    #[test]
    fn forward_by_hand() {
        // W x + b for x = (1, 2): (1·1 + 2·2 + 0.5, 3·1 − 1·2 − 1) = (5.5, 0).
        let x = array![[1.0, 2.0], [0.0, 0.0]];
        let w = array![[1.0, 2.0], [3.0, -1.0]];
        let b = array![0.5, -1.0];
        assert_close(
            &linear_forward(&x, &w, &b),
            &array![[5.5, 0.0], [0.5, -1.0]],
            1e-12,
        );
    }

    #[test]
    fn backward_by_hand_single_row() {
        // One example: dW = dy xᵀ (outer product), db = dy, dx = Wᵀ dy.
        let x = array![[1.0, 2.0]];
        let w = array![[1.0, 2.0], [3.0, -1.0]];
        let dy = array![[1.0, -2.0]];
        let g = linear_backward(&x, &w, &dy);
        assert_close(&g.dw, &array![[1.0, 2.0], [-2.0, -4.0]], 1e-12);
        assert_close(&g.db, &array![1.0, -2.0], 1e-12);
        assert_close(&g.dx, &array![[-5.0, 4.0]], 1e-12);
    }

    #[test]
    fn gradients_match_finite_differences() {
        let x: Array2<f64> = random_array((4, 3), 10);
        let w: Array2<f64> = random_array((2, 3), 11);
        let b: Array1<f64> = random_array(2, 12);
        // L = Σ c ⊙ Y for a fixed c, so ∂L/∂Y = c.
        let c: Array2<f64> = random_array((4, 2), 13);
        let g = linear_backward(&x, &w, &c);
        let loss = |x: &Array2<f64>, w: &Array2<f64>, b: &Array1<f64>| {
            (linear_forward(x, w, b) * &c).sum()
        };
        let eps = 1e-6;
        assert_close(&g.dx, &numeric_gradient(|v| loss(v, &w, &b), &x, eps), 1e-8);
        assert_close(&g.dw, &numeric_gradient(|v| loss(&x, v, &b), &w, eps), 1e-8);
        assert_close(&g.db, &numeric_gradient(|v| loss(&x, &w, v), &b, eps), 1e-8);
    }
}
