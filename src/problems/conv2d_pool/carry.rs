//! The conv2d_pool answer sheet's checkpoints, walked on a student's own values: Z,
//! A = ReLU(Z), M, ∂L/∂Z, ∂L/∂K, ∂L/∂b and ∂L/∂X (the loss and the maxima's positions
//! are in the worked solution, but the sheet does not ask for them). A follows the
//! student's Z; each pooling window's maximum is found in the student's A, so M and the
//! route of G (and so ∂L/∂Z, with the ReLU mask of the student's Z) follow the
//! student's forward pass; the conv's gradients follow the student's ∂L/∂Z.

use super::layers::{
    conv_backward, conv_forward, crop, pad, pool_backward, pool_forward, pool_windows,
    relu_forward, relu_mask,
};
use super::Params;
use crate::grade::carry::Carry;
use crate::problems::kind::Checkpoints;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let shape = self.shape();
        let conv_out = shape.conv_out().expect("an exact conv output size");
        let pooled_out = shape.pooled_out().expect("an exact pooled output size");
        let padded: Vec<_> = self.image.iter().map(|x| pad(x, self.padding)).collect();
        let z = conv_forward(&padded, &self.kernel, self.bias, self.stride, conv_out);
        let z = c.matrix("z", z);
        let a = c.matrix("relu", relu_forward(&z));
        let windows = pool_windows(&a, self.pool, self.pool_stride, pooled_out);
        c.matrix("pooled", pool_forward(&a, &windows, pooled_out));
        let grad_a = pool_backward(a.dim(), &windows, &self.upstream);
        let grad_z = c.matrix("grad_z", &grad_a * &relu_mask(&z));
        let (grad_kernel, grad_bias, grad_padded) =
            conv_backward(&padded, &self.kernel, self.stride, &grad_z);
        for (ch, g) in grad_kernel.into_iter().enumerate() {
            c.slice("grad_kernel", ch, g);
        }
        c.scalar("grad_bias", grad_bias);
        for (ch, g) in grad_padded.iter().enumerate() {
            c.slice("grad_image", ch, crop(g, self.padding));
        }
    }
}
