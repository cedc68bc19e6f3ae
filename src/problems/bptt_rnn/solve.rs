//! The worked solution of the bptt_rnn problem: the forward pass through the shared
//! engine's ReLU RNN, and backpropagation through time beside it.
//!
//! Backward, with gradients as column vectors (H) and Jacobians in numerator layout
//! (row = output unit): g⁽³⁾ = ∂L/∂h⁽³⁾ (h⁽³⁾ − y or v); for t = 3, 2, 1:
//! δ⁽ᵗ⁾ = ReLU′(a⁽ᵗ⁾) ⊙ g⁽ᵗ⁾ and g⁽ᵗ⁻¹⁾ = W_hhᵀ δ⁽ᵗ⁾. The weights are shared over time,
//! so their gradients are sums of per-step contributions: ∂L/∂W_hh = Σ δ⁽ᵗ⁾ h⁽ᵗ⁻¹⁾ᵀ,
//! ∂L/∂W_xh = Σ δ⁽ᵗ⁾ x⁽ᵗ⁾, ∂L/∂b_h = Σ δ⁽ᵗ⁾. The Jacobian of one step is
//! ∂h⁽ᵗ⁾/∂h⁽ᵗ⁻¹⁾ = D_t W_hh with D_t = diag(ReLU′(a⁽ᵗ⁾)), ReLU′(0) = 0.

use ndarray::{Array1, Array2, Axis};

use super::{Loss, Params, Solution, STEPS};
use crate::engine::relu::relu_mask;
use crate::engine::rnn::rnn_relu_forward;

/// What happens to ∂h⁽ᵀ⁾/∂h⁽⁰⁾ over many steps when every unit stays active: it behaves
/// as W_hhᵀ, i.e. as ρᵀ for the spectral radius ρ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// ρ < 1.
    Vanishing,
    /// ρ > 1.
    Exploding,
    /// ρ = 1 (the constraints refuse it).
    Neither,
}

impl Regime {
    pub fn of(spectral_radius: f64) -> Regime {
        if spectral_radius < 1.0 {
            Regime::Vanishing
        } else if spectral_radius > 1.0 {
            Regime::Exploding
        } else {
            Regime::Neither
        }
    }
}

/// The loss on h⁽³⁾ and its gradient ∂L/∂h⁽³⁾.
fn loss_and_gradient(p: &Params, h_last: &Array1<f64>) -> (f64, Array1<f64>) {
    match p.loss {
        Loss::Squared => {
            let diff = h_last - &p.target;
            (0.5 * diff.dot(&diff), diff)
        }
        Loss::Linear => (p.target.dot(h_last), p.target.clone()),
    }
}

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let p = self;
        let hidden = p.hidden();
        let w_xh = p.w_xh.clone().insert_axis(Axis(1));
        let xs = Array2::from_shape_fn((STEPS, 1), |(t, _)| p.x[t]);
        let trace = rnn_relu_forward(&p.w_hh, &w_xh, &p.bias_or_zero(), &p.h0, &xs);
        let relu_grad = relu_mask(&trace.pre);
        // h⁽ᵗ⁻¹⁾ for step t (row t − 1): h⁽⁰⁾ then the trace.
        let h_prev = |t: usize| {
            if t == 0 {
                p.h0.clone()
            } else {
                trace.hs.row(t - 1).to_owned()
            }
        };
        let (loss, grad_last) = loss_and_gradient(p, &trace.hs.row(STEPS - 1).to_owned());

        let mut grad_h = Array2::zeros((STEPS + 1, hidden));
        let mut delta = Array2::zeros((STEPS, hidden));
        grad_h.row_mut(STEPS).assign(&grad_last);
        for t in (0..STEPS).rev() {
            // + 0.0 turns the −0 of a blocked negative gradient into 0 for the key.
            let d = (&relu_grad.row(t) * &grad_h.row(t + 1)).mapv(|v| v + 0.0);
            grad_h.row_mut(t).assign(&p.w_hh.t().dot(&d).mapv(|v| v + 0.0));
            delta.row_mut(t).assign(&d);
        }
        let outer = |a: &Array1<f64>, b: &Array1<f64>| {
            Array2::from_shape_fn((a.len(), b.len()), |(i, j)| a[i] * b[j] + 0.0)
        };
        let w_hh_terms: Vec<Array2<f64>> = (0..STEPS)
            .map(|t| outer(&delta.row(t).to_owned(), &h_prev(t)))
            .collect();
        let w_xh_terms = Array2::from_shape_fn((STEPS, hidden), |(t, i)| {
            delta[[t, i]] * p.x[t] + 0.0
        });
        let grad_w_hh = w_hh_terms
            .iter()
            .fold(Array2::zeros((hidden, hidden)), |acc, term| acc + term);

        let step_jacobians: Vec<Array2<f64>> = (0..STEPS)
            .map(|t| {
                Array2::from_diag(&relu_grad.row(t))
                    .dot(&p.w_hh)
                    .mapv(|v| v + 0.0)
            })
            .collect();
        let mut jacobians = Vec::with_capacity(STEPS);
        let mut product = Array2::eye(hidden);
        for step in &step_jacobians {
            product = step.dot(&product).mapv(|v| v + 0.0);
            jacobians.push(product.clone());
        }
        Solution {
            pre: trace.pre,
            h: trace.hs,
            relu_grad,
            loss,
            grad_h,
            grad_w_xh: w_xh_terms.sum_axis(Axis(0)),
            grad_b: p.b.as_ref().map(|_| delta.sum_axis(Axis(0))),
            delta,
            w_hh_terms,
            w_xh_terms,
            grad_w_hh,
            step_jacobians,
            jacobians,
            spectral_radius: p.w_hh.diag().iter().fold(0.0, |m, w| m.max(w.abs())),
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::super::fixtures::{sampler, PAIR, SCALAR};
    use super::Regime;
    use crate::engine::gradcheck::assert_close;
    use crate::problems::kind::Variant as _;

    #[test]
    fn the_scalar_example_by_hand() {
        // a = [½·2 + 2 − 1, ½·2 − 1 − 1, 0 + 3 − 1] = [2, −1, 2]: the middle step is dead,
        // so nothing reaches h⁽¹⁾ or h⁽⁰⁾, and W_hh's only term is δ⁽³⁾h⁽²⁾ = 1·0.
        let p = sampler(SCALAR).unwrap().fixed().unwrap();
        let s = p.solve();
        assert_close(&s.pre, &array![[2.0], [-1.0], [2.0]], 0.0);
        assert_close(&s.h, &array![[2.0], [0.0], [2.0]], 0.0);
        assert_eq!(s.loss, 0.5);
        assert_close(&s.grad_h, &array![[0.0], [0.0], [0.5], [1.0]], 0.0);
        assert_close(&s.delta, &array![[0.0], [0.0], [1.0]], 0.0);
        assert_close(&s.grad_w_hh, &array![[0.0]], 0.0);
        assert_close(&s.grad_w_xh, &array![3.0], 0.0);
        assert_close(s.grad_b.as_ref().unwrap(), &array![1.0], 0.0);
        assert_close(s.jacobian(), &array![[0.0]], 0.0);
        assert_eq!(Regime::of(s.spectral_radius), Regime::Vanishing);
    }

    #[test]
    fn the_pair_example_by_hand() {
        // W = [[½, 0], [1, 2]], u = [1, −1], h⁽⁰⁾ = [2, 1], x = [2, 1, −1], L = [1, 2]·h⁽³⁾.
        // a⁽¹⁾ = [1 + 2, 2 + 2 − 2] = [3, 2]; a⁽²⁾ = [3/2 + 1, 3 + 4 − 1] = [5/2, 6];
        // a⁽³⁾ = [5/4 − 1, 5/2 + 12 + 1] = [1/4, 31/2]: every unit active.
        let p = sampler(PAIR).unwrap().fixed().unwrap();
        let s = p.solve();
        assert_close(&s.pre, &array![[3.0, 2.0], [2.5, 6.0], [0.25, 15.5]], 0.0);
        assert_eq!(s.loss, 0.25 + 31.0);
        // g⁽³⁾ = [1, 2]; g⁽²⁾ = Wᵀg = [½ + 2, 4] = [5/2, 4]; g⁽¹⁾ = [5/4 + 4, 8] = [21/4, 8];
        // g⁽⁰⁾ = [21/8 + 8, 16] = [85/8, 16].
        assert_close(
            &s.grad_h,
            &array![[85.0 / 8.0, 16.0], [21.0 / 4.0, 8.0], [2.5, 4.0], [1.0, 2.0]],
            0.0,
        );
        // Σ δ h_prevᵀ: [21/4, 8]·[2, 1]ᵀ + [5/2, 4]·[3, 2]ᵀ + [1, 2]·[5/2, 6]ᵀ.
        assert_close(
            &s.grad_w_hh,
            &array![[10.5 + 7.5 + 2.5, 5.25 + 5.0 + 6.0], [16.0 + 12.0 + 5.0, 8.0 + 8.0 + 12.0]],
            0.0,
        );
        assert_close(&s.grad_w_xh, &array![10.5 + 2.5 - 1.0, 16.0 + 4.0 - 2.0], 0.0);
        assert!(s.grad_b.is_none());
        // All active: ∂h⁽³⁾/∂h⁽⁰⁾ = W³ = [[1/8, 0], [7/4 + ..., 8]].
        let w = &p.w_hh;
        assert_close(s.jacobian(), &w.dot(w).dot(w), 0.0);
        assert_close(&s.grad_h0(), &s.jacobian().t().dot(&array![1.0, 2.0]), 0.0);
        assert_eq!(Regime::of(s.spectral_radius), Regime::Exploding);
        assert_eq!(Regime::of(1.0), Regime::Neither);
    }
}
