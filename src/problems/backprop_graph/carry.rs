//! The backprop_graph answer sheet's checkpoints, walked on a student's own values: the
//! table's node values z, h, s, the margins (or the error) and L, then its upstream
//! gradients ∂L/∂s, ∂L/∂W2, ∂L/∂b2, ∂L/∂h, ∂L/∂z and the first layer's ∂L/∂W1, ∂L/∂b1,
//! ∂L/∂x. ReLU and its derivative follow the student's z, L and ∂L/∂s the student's
//! margins (which margins are active), and each gradient the student's gradient above it,
//! so a slip in one node is carried down the graph.

use ndarray::{Array1, Array2, Axis};

use super::{Loss, Params};
use crate::grade::carry::Carry;
use crate::problems::kind::Checkpoints;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let z = c.vector("z", self.w1.dot(&self.x) + &self.b1);
        let relu_grad = z.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
        let h = c.vector("h", &z * &relu_grad);
        let s = c.vector("s", self.w2.dot(&h) + &self.b2);
        let y = self.y as usize;
        let margins = match self.loss {
            Loss::Mse => Array1::from(vec![s[0] - self.y as f64]),
            Loss::Hinge => {
                Array1::from_shape_fn(s.len(), |j| if j == y { 0.0 } else { s[j] - s[y] + 1.0 })
            }
        };
        let margins = c.vector("margins", margins);
        let (loss, grad_s) = match self.loss {
            // L = ½e², ∂L/∂s = e.
            Loss::Mse => (0.5 * margins[0] * margins[0], margins.clone()),
            // Each active margin (j ≠ y) adds itself to L and 1 to ∂L/∂s_j, −1 to ∂L/∂s_y.
            Loss::Hinge => {
                let active = Array1::from_shape_fn(margins.len(), |j| {
                    if j != y && margins[j] > 0.0 {
                        1.0
                    } else {
                        0.0
                    }
                });
                let mut grad = active.clone();
                grad[y] = -active.sum();
                ((&margins * &active).sum(), grad)
            }
        };
        c.scalar("loss", loss);
        let grad_s = c.vector("dL_ds", grad_s);
        c.matrix("dL_dW2", outer(&grad_s, &h));
        c.vector("dL_db2", grad_s.clone());
        let grad_h = c.vector("dL_dh", self.w2.t().dot(&grad_s));
        let grad_z = c.vector("dL_dz", &grad_h * &relu_grad);
        c.matrix("dL_dW1", outer(&grad_z, &self.x));
        c.vector("dL_db1", grad_z.clone());
        c.vector("dL_dx", self.w1.t().dot(&grad_z));
    }
}

/// a bᵀ.
fn outer(a: &Array1<f64>, b: &Array1<f64>) -> Array2<f64> {
    a.view()
        .insert_axis(Axis(1))
        .dot(&b.view().insert_axis(Axis(0)))
}
