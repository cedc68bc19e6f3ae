//! A plain (Elman) recurrent network with ReLU, unrolled over a sequence.
//!
//! `h_t = ReLU(W_hh h_{t−1} + W_xh x_t + b_h)` for `t = 1..T`, with `W_hh: (H, H)`,
//! `W_xh: (H, D)`, `b_h, h_0: (H)` and inputs `xs: (T, D)` (row `t` is `x_{t+1}`). The trace
//! keeps the pre-activations as well, because solutions show where ReLU clipped.

use ndarray::{Array1, Array2};

/// Everything the forward pass computed: row `t` belongs to time step `t + 1`.
#[derive(Clone, Debug, PartialEq)]
pub struct RnnTrace {
    /// `W_hh h_{t−1} + W_xh x_t + b_h`, shape `(T, H)`.
    pub pre: Array2<f64>,
    /// `h_t = ReLU(pre_t)`, shape `(T, H)`.
    pub hs: Array2<f64>,
}

/// Runs the recurrence from `h0` over every row of `xs`.
pub fn rnn_relu_forward(
    w_hh: &Array2<f64>,
    w_xh: &Array2<f64>,
    b_h: &Array1<f64>,
    h0: &Array1<f64>,
    xs: &Array2<f64>,
) -> RnnTrace {
    let hidden = h0.len();
    assert_eq!(
        w_hh.dim(),
        (hidden, hidden),
        "rnn_relu_forward: W_hh must be (H, H)"
    );
    assert_eq!(
        w_xh.dim(),
        (hidden, xs.ncols()),
        "rnn_relu_forward: W_xh must be (H, D)"
    );
    assert_eq!(b_h.len(), hidden, "rnn_relu_forward: b_h must be (H)");

    let steps = xs.nrows();
    let mut pre = Array2::zeros((steps, hidden));
    let mut hs = Array2::zeros((steps, hidden));
    let mut h = h0.clone();
    for (t, x) in xs.rows().into_iter().enumerate() {
        let a = w_hh.dot(&h) + w_xh.dot(&x) + b_h;
        h = a.mapv(|v| v.max(0.0));
        pre.row_mut(t).assign(&a);
        hs.row_mut(t).assign(&h);
    }
    RnnTrace { pre, hs }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradcheck::assert_close;
    use ndarray::array;

    #[test]
    fn hand_worked_sequence() {
        let w_hh = array![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, -1.0, 0.0]];
        let w_xh = array![[1.0, -1.0], [0.0, 0.0], [1.0, -1.0]];
        let b = Array1::zeros(3);
        let h0 = array![10000.0, 5000.0, 765.0];
        let xs = array![[1000.0, 0.0], [1000.0, 3500.0], [0.0, 4000.0]];
        let trace = rnn_relu_forward(&w_hh, &w_xh, &b, &h0, &xs);
        let expected = array![
            [11000.0, 5000.0, 6000.0],
            [8500.0, 5000.0, 3500.0],
            [4500.0, 5000.0, 0.0]
        ];
        assert_close(&trace.hs, &expected, 0.0);
        // The last step's third unit was clipped from −500.
        assert_eq!(trace.pre[[2, 2]], -500.0);
    }

    #[test]
    fn bias_is_added_every_step() {
        let trace = rnn_relu_forward(
            &array![[0.5]],
            &array![[0.0]],
            &array![1.0],
            &array![2.0],
            &array![[0.0], [0.0]],
        );
        // h1 = 0.5·2 + 1 = 2, h2 = 0.5·2 + 1 = 2.
        assert_close(&trace.hs, &array![[2.0], [2.0]], 0.0);
    }
}
