//! The sampler of the conv2d_pool problem: the checked pins, the geometries the knobs
//! allow (listed once, when the spec is read), the value ranges, and the draw of a
//! candidate in the order the random-stream contract fixes (geometry, X, K, b, G).

use ndarray::Array2;

use super::{Params, Shape};
use crate::draw::{int_in, pick, VariantRng};
use crate::spec::Points;

/// Draws this problem's parameters (pinned ones are kept) under
/// [`super::CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) points: Points,
    pub(super) pinned: Pinned,
    /// Every geometry a variant may have: exact output sizes, the pinned shapes kept,
    /// and for a drawn geometry at most `draw.max_products` multiplications.
    pub(super) geometries: Vec<Shape>,
    pub(super) ranges: Ranges,
}

/// The value ranges, inclusive.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Ranges {
    pub(super) image: (i64, i64),
    pub(super) kernel: (i64, i64),
    pub(super) bias: (i64, i64),
    pub(super) upstream: (i64, i64),
}

/// The values a spec pins (the sizes they imply are in the geometries).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) image: Option<Vec<Array2<f64>>>,
    pub(super) kernel: Option<Vec<Array2<f64>>>,
    pub(super) bias: Option<f64>,
    pub(super) upstream: Option<Array2<f64>>,
}

fn matrix(rng: &mut VariantRng, (rows, cols): (usize, usize), (lo, hi): (i64, i64)) -> Array2<f64> {
    let values: Vec<f64> = (0..rows * cols).map(|_| int_in(rng, lo, hi) as f64).collect();
    Array2::from_shape_vec((rows, cols), values).expect("rows × cols values")
}

impl Sampler {
    /// The fully pinned variant, if every parameter is pinned.
    pub(super) fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        let [shape] = self.geometries.as_slice() else {
            return None;
        };
        Some(Params {
            points: self.points,
            image: p.image.clone()?,
            kernel: p.kernel.clone()?,
            bias: p.bias?,
            stride: shape.stride,
            padding: shape.padding,
            pool: shape.pool,
            pool_stride: shape.pool_stride,
            upstream: p.upstream.clone()?,
        })
    }

    pub(super) fn candidate(&self, rng: &mut VariantRng) -> Params {
        let shape = *pick(rng, &self.geometries);
        let r = &self.ranges;
        let image = match &self.pinned.image {
            Some(x) => x.clone(),
            None => (0..shape.channels)
                .map(|_| matrix(rng, (shape.height, shape.width), r.image))
                .collect(),
        };
        let kernel = match &self.pinned.kernel {
            Some(k) => k.clone(),
            None => (0..shape.channels)
                .map(|_| matrix(rng, (shape.kernel, shape.kernel), r.kernel))
                .collect(),
        };
        let bias = match self.pinned.bias {
            Some(b) => b,
            None => int_in(rng, r.bias.0, r.bias.1) as f64,
        };
        let upstream = match &self.pinned.upstream {
            Some(g) => g.clone(),
            None => {
                let out = shape.pooled_out().expect("the geometries have exact sizes");
                matrix(rng, out, r.upstream)
            }
        };
        Params {
            points: self.points,
            image,
            kernel,
            bias,
            stride: shape.stride,
            padding: shape.padding,
            pool: shape.pool,
            pool_stride: shape.pool_stride,
            upstream,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::super::Conv2dPool as K;
    use super::super::CONSTRAINTS;
    use crate::draw::{all, broken, problem_rng};
    use crate::problems::Kind as _;

    #[test]
    fn a_pinned_variant_is_fixed_and_takes_one_try() {
        let s = sampler(PINNED).unwrap();
        let (p, sol, tries) = K::draw(&s, &mut problem_rng(1, 2, 3, 0)).unwrap();
        assert_eq!(tries, 1);
        assert_eq!(p.bias, 1.0);
        assert_eq!(broken(&p, &sol, &all(CONSTRAINTS)), Vec::<&str>::new());
    }

    #[test]
    fn the_default_draw_keeps_its_knobs_and_draws_both_geometries() {
        let s = sampler("draw: {}\n").unwrap();
        let mut kernels = std::collections::BTreeSet::new();
        for student in 0..200 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(3, student, 0, 0)).unwrap();
            let shape = p.shape();
            assert_eq!((shape.channels, shape.stride, shape.padding), (1, 1, 0));
            assert!(shape.products() <= 64, "{shape:?}");
            assert!(p.image[0].iter().all(|v| (-2.0..=3.0).contains(v)));
            assert!(p.kernel[0].iter().all(|v| (-2.0..=2.0).contains(v)));
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            kernels.insert(shape.kernel);
        }
        assert_eq!(kernels.len(), 2, "5 × 5 with 2 × 2 and 4 × 4 with 3 × 3");
    }

    #[test]
    fn pinned_values_are_kept() {
        let s = sampler("bias: -1\nkernel: [[[1, 0], [2, -1]]]\ndraw: {}\n").unwrap();
        for student in 0..50 {
            let (p, _, _) = K::draw(&s, &mut problem_rng(5, student, 0, 0)).unwrap();
            assert_eq!(p.bias, -1.0);
            assert_eq!(p.kernel[0], ndarray::array![[1.0, 0.0], [2.0, -1.0]]);
            assert_eq!(p.image[0].dim(), (5, 5), "only 5 × 5 fits a 2 × 2 kernel");
        }
    }
}
