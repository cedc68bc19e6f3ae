//! The worked solution of the batchnorm_full problem: the shared engine's batch norm
//! (forward, and backward through μ and σ²), the affine step Y = γ X̂ + β and its
//! backward beside it, and PyTorch's running statistics.

use ndarray::Axis;

use super::{Params, Solution};
use crate::engine::batchnorm::{batchnorm_backward, batchnorm_forward, BatchnormBackward};

/// ε: the sheet states 0 (PyTorch's 1e-5 is ignored so that every value is exact).
pub const EPS: f64 = 0.0;

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let p = self;
        let n = p.x.nrows() as f64;
        let (x_hat, stats) = batchnorm_forward(&p.x, EPS);
        let y = &x_hat * &p.gamma + &p.beta;
        // Y = γ X̂ + β, backward: per feature ∂γ = Σ_n G ⊙ X̂, ∂β = Σ_n G, ∂X̂ = γ G.
        let grad_gamma = (&p.grad_y * &x_hat).sum_axis(Axis(0));
        let grad_beta = p.grad_y.sum_axis(Axis(0));
        let grad_x_hat = &p.grad_y * &p.gamma;
        let grad_x = batchnorm_backward(&p.x, &stats, &grad_x_hat, BatchnormBackward::Full);
        // PyTorch: the batch normalises with the biased σ², running_var takes the
        // unbiased one (N/(N − 1)·σ²).
        let var_unbiased = &stats.var * (n / (n - 1.0));
        let m = p.momentum;
        let running_mean = &p.running_mean * (1.0 - m) + &stats.mean * m;
        let running_var = &p.running_var * (1.0 - m) + &var_unbiased * m;
        Solution {
            stats,
            x_hat,
            y,
            grad_x_hat,
            grad_x,
            grad_gamma,
            grad_beta,
            var_unbiased,
            running_mean,
            running_var,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use crate::problems::kind::Variant as _;

    fn close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}");
        }
    }

    /// Worked by hand: x = 4 + (−3, −1, −1, 5), σ = 3, x̂ = (−1, −1/3, −1/3, 5/3),
    /// g = (1, 0, −1, 2): Σg = 2, Σg x̂ = 8/3, ∂L/∂x = (2/12)(4g − 2 − (8/3) x̂).
    #[test]
    fn the_engine_agrees_with_the_hand_worked_example() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        close(&s.stats.mean.to_vec(), &[4.0]);
        close(&s.stats.var.to_vec(), &[9.0]);
        close(&s.stats.std.to_vec(), &[3.0]);
        close(&s.x_hat.column(0).to_vec(), &[-1.0, -1.0 / 3.0, -1.0 / 3.0, 5.0 / 3.0]);
        close(&s.y.column(0).to_vec(), &[-1.0, 1.0 / 3.0, 1.0 / 3.0, 13.0 / 3.0]);
        close(&s.grad_beta.to_vec(), &[2.0]);
        close(&s.grad_gamma.to_vec(), &[8.0 / 3.0]);
        close(
            &s.grad_x.column(0).to_vec(),
            &[7.0 / 9.0, -5.0 / 27.0, -23.0 / 27.0, 7.0 / 27.0],
        );
        close(&s.var_unbiased.to_vec(), &[12.0]);
        close(&s.running_mean.to_vec(), &[0.4]);
        close(&s.running_var.to_vec(), &[2.1]);
    }
}
