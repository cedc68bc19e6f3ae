//! The worked solution of the triplet_loss problem: the metric losses' forward and
//! backward passes side by side (on engine vectors of R²), and the class-mean classifier.
//!
//! Both losses are functions of the two Euclidean distances d(a, p) = ‖p − a‖ and
//! d(a, n) = ‖n − a‖, whose gradients are unit vectors: ∂d(a, x)/∂x = (x − a)/d(a, x) =
//! −∂d(a, x)/∂a. Each loss moves only through them, so ∂L/∂a = −∂L/∂p − ∂L/∂n: the loss
//! does not change when all three points move together.

use ndarray::Array1;

use super::{vector, Loss, Params, Solution};

/// ‖x − a‖, the Euclidean (not squared) distance.
pub fn distance(a: &Array1<f64>, x: &Array1<f64>) -> f64 {
    (x - a).dot(&(x - a)).sqrt()
}

/// ∂‖x − a‖/∂x = (x − a)/‖x − a‖ (the gradient with respect to a is its negative).
pub fn distance_grad(a: &Array1<f64>, x: &Array1<f64>) -> Array1<f64> {
    (x - a) / distance(a, x)
}

/// The argument of the loss's max: d(a,p) − d(a,n) + α (triplet), m − d(a,n)
/// (contrastive).
pub fn hinge(loss: Loss, d_ap: f64, d_an: f64, margin: f64) -> f64 {
    match loss {
        Loss::Triplet => d_ap - d_an + margin,
        Loss::Contrastive => margin - d_an,
    }
}

/// L = max(0, d(a,p) − d(a,n) + α) or L = d(a,p)² + max(0, m − d(a,n))².
pub fn forward(loss: Loss, d_ap: f64, hinge: f64) -> f64 {
    match loss {
        Loss::Triplet => hinge.max(0.0),
        Loss::Contrastive => d_ap * d_ap + hinge.max(0.0).powi(2),
    }
}

/// (∂L/∂a, ∂L/∂p, ∂L/∂n), away from the kink (hinge ≠ 0).
pub fn backward(
    loss: Loss,
    (a, p, n): (&Array1<f64>, &Array1<f64>, &Array1<f64>),
    hinge: f64,
) -> (Array1<f64>, Array1<f64>, Array1<f64>) {
    // An inactive hinge passes nothing: zeros, not a product with 0 (which would give
    // −0 for negative entries, printed so in the key).
    let through_hinge = |g: Array1<f64>| if hinge > 0.0 { g } else { Array1::zeros(2) };
    let (grad_p, grad_n) = match loss {
        // ∂L/∂d(a,p) = 1, ∂L/∂d(a,n) = −1 through an active hinge.
        Loss::Triplet => (
            through_hinge(distance_grad(a, p)),
            through_hinge(-distance_grad(a, n)),
        ),
        // ∂d²/∂p = 2(p − a); ∂(m − d)²/∂d = −2(m − d) through an active hinge.
        Loss::Contrastive => (
            (p - a) * 2.0,
            through_hinge(distance_grad(a, n) * (-2.0 * hinge)),
        ),
    };
    // + 0.0 turns the −0 of −(0 + 0) into 0.
    let grad_a = (&grad_p + &grad_n).mapv(|g| -g + 0.0);
    (grad_a, grad_p, grad_n)
}

/// The mean of each class's support points.
pub fn class_means(support: &[Vec<super::Point>]) -> Vec<Array1<f64>> {
    support
        .iter()
        .map(|class| {
            let sum = class
                .iter()
                .fold(Array1::zeros(2), |acc, &x| acc + vector(x));
            sum / class.len() as f64
        })
        .collect()
}

/// ‖q − μ‖².
pub fn squared_distance(q: &Array1<f64>, mean: &Array1<f64>) -> f64 {
    (q - mean).dot(&(q - mean))
}

/// The class of the smallest value (the first of equals).
pub fn nearest(sq_distances: &[f64]) -> usize {
    sq_distances
        .iter()
        .enumerate()
        .fold(0, |best, (c, &d)| if d < sq_distances[best] { c } else { best })
}

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let (a, p, n) = (vector(self.anchor), vector(self.positive), vector(self.negative));
        let d_ap = distance(&a, &p);
        let d_an = distance(&a, &n);
        let h = hinge(self.loss, d_ap, d_an, self.margin as f64);
        let (grad_anchor, grad_positive, grad_negative) = backward(self.loss, (&a, &p, &n), h);
        let means = class_means(&self.support);
        let q = vector(self.query);
        let sq_distances: Vec<f64> = means.iter().map(|m| squared_distance(&q, m)).collect();
        Solution {
            d_ap,
            d_an,
            hinge: h,
            loss: forward(self.loss, d_ap, h),
            grad_anchor,
            grad_positive,
            grad_negative,
            predicted: nearest(&sq_distances),
            means,
            sq_distances,
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{array, Array1};

    use super::super::fixtures::{sampler, PINNED};
    use super::super::Loss;
    use super::*;
    use crate::engine::gradcheck::{max_abs_diff, numeric_gradient};
    use crate::problems::kind::Variant as _;

    #[test]
    fn the_hand_worked_variant() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        assert_eq!((s.d_ap, s.d_an, s.hinge, s.loss), (5.0, 13.0, 2.0, 2.0));
        assert_eq!(s.grad_positive, array![3.0 / 5.0, 4.0 / 5.0]);
        assert_eq!(s.grad_negative, array![-5.0 / 13.0, -12.0 / 13.0]);
        // −3/5 + 5/13 = −14/65, −4/5 + 12/13 = 8/65.
        assert!(max_abs_diff(&s.grad_anchor, &array![-14.0 / 65.0, 8.0 / 65.0]) < 1e-15);
        assert!(max_abs_diff(&s.means[1], &array![4.0, 10.0 / 3.0]) < 1e-15);
        assert!((s.sq_distances[1] - 52.0 / 9.0).abs() < 1e-12);
        assert_eq!((s.sq_distances[0], s.predicted), (2.0, 0));
    }

    /// The loss as a function of the six coordinates (a, p, n).
    fn loss_of(loss: Loss, margin: f64, x: &Array1<f64>) -> f64 {
        let a = array![x[0], x[1]];
        let p = array![x[2], x[3]];
        let n = array![x[4], x[5]];
        let d_ap = distance(&a, &p);
        forward(loss, d_ap, hinge(loss, d_ap, distance(&a, &n), margin))
    }

    #[test]
    fn backward_agrees_with_finite_differences() {
        let x = array![1.0, -1.0, 4.0, 3.0, 6.0, 11.0];
        for (loss, margin) in [
            (Loss::Triplet, 10.0),
            (Loss::Triplet, 5.0),
            (Loss::Contrastive, 15.0),
            (Loss::Contrastive, 9.0),
        ] {
            let (a, p, n) = (array![1.0, -1.0], array![4.0, 3.0], array![6.0, 11.0]);
            let h = hinge(loss, distance(&a, &p), distance(&a, &n), margin);
            let (ga, gp, gn) = backward(loss, (&a, &p, &n), h);
            let analytic: Array1<f64> = ga.iter().chain(&gp).chain(&gn).copied().collect();
            let numeric = numeric_gradient(|x| loss_of(loss, margin, x), &x, 1e-6);
            assert!(
                max_abs_diff(&analytic, &numeric) < 1e-7,
                "{loss:?} α = {margin}: {analytic} vs {numeric}"
            );
        }
    }

    #[test]
    fn an_inactive_triplet_has_zero_gradients_and_contrastive_keeps_its_pull() {
        let (a, p, n) = (array![0.0, 0.0], array![6.0, 8.0], array![3.0, 4.0]);
        let (ga, gp, gn) = backward(Loss::Triplet, (&a, &p, &n), -2.0);
        assert!(ga.iter().chain(&gp).chain(&gn).all(|&v| v == 0.0));
        let (_, gp, gn) = backward(Loss::Contrastive, (&a, &p, &n), -2.0);
        assert_eq!(gp, array![12.0, 16.0]);
        assert!(gn.iter().all(|&v| v == 0.0));
        assert_eq!(forward(Loss::Contrastive, 10.0, -2.0), 100.0);
    }
}
