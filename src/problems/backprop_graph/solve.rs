//! The forward and backward pass of the 2-2-K MLP, node by node as the sheet's table
//! lists them: the backward pass of each node sits next to its forward pass.

use ndarray::{Array1, Array2, Axis};

use super::{Loss, Params, Solution};

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let p = self;
        // Forward: z = W1 x + b1, h = ReLU(z), s = W2 h + b2.
        let z = p.w1.dot(&p.x) + &p.b1;
        let relu_grad = z.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
        let h = &z * &relu_grad;
        let s = p.w2.dot(&h) + &p.b2;
        let (margins, loss, grad_s) = match p.loss {
            Loss::Mse => squared_error(s[0], p.y as f64),
            Loss::Hinge => hinge(&s, p.y as usize),
        };
        // Backward, node by node: s = W2 h + b2, then h = ReLU(z), then z = W1 x + b1.
        let grad_w2 = outer(&grad_s, &h);
        let grad_b2 = grad_s.clone();
        let grad_h = p.w2.t().dot(&grad_s);
        let grad_z = &grad_h * &relu_grad;
        let grad_w1 = outer(&grad_z, &p.x);
        let grad_b1 = grad_z.clone();
        let grad_x = p.w1.t().dot(&grad_z);
        Solution {
            z,
            relu_grad,
            h,
            s,
            margins,
            loss,
            grad_s,
            grad_w2,
            grad_b2,
            grad_h,
            grad_z,
            grad_w1,
            grad_b1,
            grad_x,
        }
    }
}

/// ½(s − y)²: the error e = s − y (the one "margin"), L and ∂L/∂s = e.
fn squared_error(s: f64, y: f64) -> (Array1<f64>, f64, Array1<f64>) {
    let e = s - y;
    (Array1::from(vec![e]), 0.5 * e * e, Array1::from(vec![e]))
}

/// Σ_{j≠y} max(0, s_j − s_y + 1): the margins (0 at y), L, and ∂L/∂s (1 for each active
/// margin, minus their number at y). A margin of exactly 0 counts as inactive.
fn hinge(s: &Array1<f64>, y: usize) -> (Array1<f64>, f64, Array1<f64>) {
    let margins =
        Array1::from_shape_fn(s.len(), |j| if j == y { 0.0 } else { s[j] - s[y] + 1.0 });
    let active = margins.mapv(|m| if m > 0.0 { 1.0 } else { 0.0 });
    let loss = (&margins * &active).sum();
    let mut grad = active.clone();
    grad[y] = -active.sum();
    (margins, loss, grad)
}

/// a bᵀ.
fn outer(a: &Array1<f64>, b: &Array1<f64>) -> Array2<f64> {
    a.view()
        .insert_axis(Axis(1))
        .dot(&b.view().insert_axis(Axis(0)))
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::super::fixtures::{sampler, PINNED_HINGE, PINNED_MSE};
    use crate::engine::gradcheck::numeric_gradient;
    use crate::problems::kind::Variant as _;

    #[test]
    fn the_worked_squared_error_variant() {
        let p = sampler(PINNED_MSE).unwrap().fixed().unwrap();
        let s = p.solve();
        assert_eq!(s.z, array![3.0, -1.0]);
        assert_eq!(s.h, array![3.0, 0.0]);
        assert_eq!(s.s, array![7.0]);
        assert_eq!(s.loss, 8.0);
        assert_eq!(s.grad_w2, array![[12.0, 0.0]]);
        assert_eq!(s.grad_h, array![8.0, 4.0]);
        assert_eq!(s.grad_z, array![8.0, 0.0]);
        assert_eq!(s.grad_w1, array![[8.0, 16.0], [0.0, 0.0]]);
        assert_eq!(s.grad_x, array![8.0, 8.0]);
    }

    #[test]
    fn the_worked_hinge_variant() {
        let p = sampler(PINNED_HINGE).unwrap().fixed().unwrap();
        let s = p.solve();
        assert_eq!(s.s, array![6.0, 4.0, -2.0]);
        assert_eq!(s.margins, array![3.0, 0.0, -5.0]);
        assert_eq!(s.loss, 3.0);
        assert_eq!(s.grad_s, array![1.0, -1.0, 0.0]);
        assert_eq!(s.grad_h, array![1.0, -1.0]);
        assert_eq!(s.grad_w1, array![[1.0, 2.0], [0.0, 0.0]]);
    }

    /// Every parameter gradient against central differences of the loss.
    #[test]
    fn gradients_agree_with_finite_differences() {
        for yaml in [PINNED_MSE, PINNED_HINGE] {
            let p = sampler(yaml).unwrap().fixed().unwrap();
            let s = p.solve();
            let eps = 1e-6;
            let loss_with = |f: &dyn Fn(&mut super::Params)| {
                let mut q = p.clone();
                f(&mut q);
                q.solve().loss
            };
            let g = numeric_gradient(|w| loss_with(&|q| q.w1 = w.clone()), &p.w1, eps);
            assert!((&g - &s.grad_w1).iter().all(|d| d.abs() < 1e-6), "{g}");
            let g = numeric_gradient(|w| loss_with(&|q| q.w2 = w.clone()), &p.w2, eps);
            assert!((&g - &s.grad_w2).iter().all(|d| d.abs() < 1e-6), "{g}");
            let g = numeric_gradient(|b| loss_with(&|q| q.b1 = b.clone()), &p.b1, eps);
            assert!((&g - &s.grad_b1).iter().all(|d| d.abs() < 1e-6), "{g}");
            let g = numeric_gradient(|b| loss_with(&|q| q.b2 = b.clone()), &p.b2, eps);
            assert!((&g - &s.grad_b2).iter().all(|d| d.abs() < 1e-6), "{g}");
            let g = numeric_gradient(|x| loss_with(&|q| q.x = x.clone()), &p.x, eps);
            assert!((&g - &s.grad_x).iter().all(|d| d.abs() < 1e-6), "{g}");
        }
    }
}
