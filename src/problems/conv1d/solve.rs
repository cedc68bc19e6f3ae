//! The worked solution of the conv1d problem: the forward pass and the gradient with
//! respect to the kernels, each step through the shared engine, keeping every
//! intermediate the sheet shows.

use ndarray::Axis;

use super::{Params, Solution};
use crate::engine::conv1d::{conv1d_backward_kernels, conv1d_forward};
use crate::engine::linear::{linear_backward, linear_forward};
use crate::engine::loss::{cross_entropy, cross_entropy_grad_logits};
use crate::engine::pooling::{global_avg_pool, global_avg_pool_backward};
use crate::engine::relu::{relu, relu_backward, relu_mask};
use crate::engine::softmax::softmax;

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let p = self;
        let h1 = conv1d_forward(&p.x, &p.kernels);
        let h2 = relu(&h1);
        let pooled = global_avg_pool(&h2);
        let w2 = p.w2();
        let s = linear_forward(&pooled.clone().insert_axis(Axis(0)), &w2, &p.b2())
            .row(0)
            .to_owned();
        let prob = softmax(&s);
        let loss = cross_entropy(&prob, p.y);
        let ds = cross_entropy_grad_logits(&prob, p.y);
        let fc = linear_backward(
            &pooled.clone().insert_axis(Axis(0)),
            &w2,
            &ds.clone().insert_axis(Axis(0)),
        );
        let d_pooled = fc.dx.row(0).to_owned();
        let dh2 = global_avg_pool_backward(&d_pooled, h2.ncols());
        let dh1 = relu_backward(&h1, &dh2);
        let grad_kernels = conv1d_backward_kernels(&p.x, &dh1);
        Solution {
            relu_mask: relu_mask(&h1),
            h1,
            h2,
            pooled,
            s,
            p: prob,
            loss,
            ds,
            d_pooled,
            dh2,
            dh1,
            grad_kernels,
        }
    }
}
