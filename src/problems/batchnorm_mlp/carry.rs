//! The batchnorm_mlp answer sheet's checkpoints, walked on a student's own values: h1,
//! the batch statistics μ, σ², σ, ĥ1, the logits s, p, the loss, the mean gradients of
//! the second and the first layer, and the weights after the step. Each statistic is
//! taken from the student's h1 and the statistics before it, ReLU (and its mask in the
//! backward pass) follows the student's ĥ1, the backward pass starts from the student's
//! p and divides by the student's σ, and the step subtracts the student's gradients, so
//! a slip anywhere is carried to the end.

use ndarray::{Array1, Axis};

use super::Params;
use crate::engine::batchnorm::{batchnorm_backward, BatchStats};
use crate::engine::linear::{linear_backward, linear_forward};
use crate::engine::loss::{bce_grad_logit, binary_cross_entropy};
use crate::engine::relu::{relu, relu_backward};
use crate::engine::sgd::sgd_step;
use crate::engine::sigmoid::sigmoid_array;
use crate::grade::carry::Carry;
use crate::problems::kind::Checkpoints;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let n = self.x.nrows() as f64;
        let h1 = c.matrix("h1", linear_forward(&self.x, &self.w1, &self.b1));
        let mu = c.vector("mu", h1.sum_axis(Axis(0)) / n);
        let var = c.vector("var", (&h1 - &mu).mapv(|v| v * v).sum_axis(Axis(0)) / n);
        let sigma = c.vector("sigma", var.mapv(|v| (v + self.eps).sqrt()));
        let h_hat = c.matrix("h_hat", (&h1 - &mu) / &sigma);
        let h2 = relu(&h_hat);
        let s = linear_forward(&h2, &self.w2, &self.b2).column(0).to_owned();
        let s = c.vector("s", s);
        let p = c.vector("p", sigmoid_array(&s));
        let losses = p.iter().zip(&self.y).map(|(&p, &y)| binary_cross_entropy(p, y));
        c.scalar("loss", losses.sum::<f64>() / n);

        // The mean of the per-example gradients: each example's ∂L/∂s over n.
        let ds = Array1::from_shape_fn(p.len(), |i| bce_grad_logit(p[i], self.y[i]) / n);
        let g2 = linear_backward(&h2, &self.w2, &ds.insert_axis(Axis(1)));
        let grad_w2 = c.matrix("grad_W2", g2.dw);
        let grad_b2 = c.vector("grad_b2", g2.db);
        let dh_hat = relu_backward(&h_hat, &g2.dx);
        // The engine reads ĥ1 as (h1 − μ)/σ: handed ĥ1σ + μ, it reads the student's ĥ1
        // (which the full backward pass sums over).
        let h = &h_hat * &sigma + &mu;
        let stats = BatchStats {
            mean: mu,
            var,
            std: sigma,
        };
        let dh1 = batchnorm_backward(&h, &stats, &dh_hat, self.backward);
        let g1 = linear_backward(&self.x, &self.w1, &dh1);
        let grad_w1 = c.matrix("grad_W1", g1.dw);
        let grad_b1 = c.vector("grad_b1", g1.db);

        c.matrix("W1", sgd_step(&self.w1, &grad_w1, self.lr));
        c.vector("b1", sgd_step(&self.b1, &grad_b1, self.lr));
        c.matrix("W2", sgd_step(&self.w2, &grad_w2, self.lr));
        c.vector("b2", sgd_step(&self.b2, &grad_b2, self.lr));
    }
}
