//! The worked solution of the conv2d_pool problem: the three layers forward, then the
//! upstream gradient back through them (see [`super::layers`]).

use super::layers::{
    conv_backward, conv_forward, crop, pad, pool_backward, pool_forward, pool_windows,
    relu_forward, relu_mask,
};
use super::{Params, Solution};

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let p = self;
        let shape = p.shape();
        // The spec and the sampler only let through geometries with exact sizes.
        let conv_out = shape.conv_out().expect("an exact conv output size");
        let pooled_out = shape.pooled_out().expect("an exact pooled output size");
        let padded: Vec<_> = p.image.iter().map(|x| pad(x, p.padding)).collect();
        let z = conv_forward(&padded, &p.kernel, p.bias, p.stride, conv_out);
        let a = relu_forward(&z);
        let windows = pool_windows(&a, p.pool, p.pool_stride, pooled_out);
        let pooled = pool_forward(&a, &windows, pooled_out);
        let loss = (&pooled * &p.upstream).sum();

        let grad_a = pool_backward(a.dim(), &windows, &p.upstream);
        let relu_mask = relu_mask(&z);
        let grad_z = &grad_a * &relu_mask;
        let (grad_kernel, grad_bias, grad_padded) =
            conv_backward(&padded, &p.kernel, p.stride, &grad_z);
        let grad_image = grad_padded.iter().map(|d| crop(d, p.padding)).collect();
        Solution {
            padded,
            z,
            a,
            windows,
            pooled,
            loss,
            grad_a,
            relu_mask,
            grad_z,
            grad_kernel,
            grad_bias,
            grad_padded,
            grad_image,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use crate::problems::kind::Variant as _;
    use ndarray::array;

    #[test]
    fn the_hand_worked_variant() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        assert_eq!(
            s.z,
            array![
                [1.0, 5.0, -2.0, 1.0],
                [6.0, 0.0, 6.0, 1.0],
                [-2.0, 5.0, 5.0, 1.0],
                [6.0, -1.0, 2.0, 7.0]
            ]
        );
        assert_eq!(s.pooled, array![[6.0, 6.0], [6.0, 7.0]]);
        let maxima: Vec<_> = s.windows.iter().map(|w| w.argmax).collect();
        assert_eq!(maxima, vec![(1, 0), (1, 2), (3, 0), (3, 3)]);
        assert_eq!(s.loss, 12.0 - 6.0 + 6.0 + 21.0);
        assert_eq!(s.grad_kernel[0], array![[7.0, 9.0], [-7.0, -3.0]]);
        assert_eq!(s.grad_bias, 5.0);
        assert_eq!(
            s.grad_image[0],
            array![
                [0.0, 0.0, 0.0, 0.0, 0.0],
                [2.0, 4.0, -1.0, -2.0, 0.0],
                [0.0, -2.0, 0.0, 1.0, 0.0],
                [1.0, 2.0, 0.0, 3.0, 6.0],
                [0.0, -1.0, 0.0, 0.0, -3.0]
            ]
        );
    }
}
