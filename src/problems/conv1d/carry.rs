//! The conv1d answer sheet's checkpoints, walked on a student's own values: h, the
//! pooled values, s, p, the loss, ∂L/∂s and the kernel gradients. ReLU follows the
//! student's h (its mask too), so a slip in one convolution output is carried through.

use ndarray::Axis;

use super::Params;
use crate::engine::conv1d::{conv1d_backward_kernels, conv1d_forward};
use crate::engine::linear::{linear_backward, linear_forward};
use crate::engine::loss::{cross_entropy, cross_entropy_grad_logits};
use crate::engine::pooling::{global_avg_pool, global_avg_pool_backward};
use crate::engine::relu::{relu, relu_backward};
use crate::engine::softmax::softmax;
use crate::grade::carry::Carry;
use crate::problems::kind::Checkpoints;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let h = c.matrix("h", conv1d_forward(&self.x, &self.kernels));
        let pooled = c.vector("pooled", global_avg_pool(&relu(&h)));
        let row = pooled.clone().insert_axis(Axis(0));
        let w2 = self.w2();
        let s = c.vector("s", linear_forward(&row, &w2, &self.b2()).row(0).to_owned());
        let p = c.vector("p", softmax(&s));
        c.scalar("loss", cross_entropy(&p, self.y));
        let ds = c.vector("grad_s", cross_entropy_grad_logits(&p, self.y));
        let d_pooled = linear_backward(&row, &w2, &ds.insert_axis(Axis(0)))
            .dx
            .row(0)
            .to_owned();
        let dh = relu_backward(&h, &global_avg_pool_backward(&d_pooled, h.ncols()));
        c.matrix("grad_kernels", conv1d_backward_kernels(&self.x, &dh));
    }
}
