//! The batchnorm_full answer sheet's checkpoints, walked on a student's own values: μ,
//! σ² (about the student's μ), σ, X̂, Y, ∂L/∂β, ∂L/∂γ (with the student's X̂), ∂L/∂X in
//! the sheet's form γ/(Nσ)·(N G − ∂L/∂β − X̂ ∂L/∂γ) (with the student's σ, X̂ and both
//! sums), the unbiased variance and the running statistics (with the student's μ and
//! unbiased variance). The statistics are split out of the engine's batch norm, one
//! checkpoint each, so that a slip in one is carried into the next.

use ndarray::Axis;

use super::solve::EPS;
use super::Params;
use crate::grade::carry::Carry;
use crate::problems::kind::Checkpoints;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let (x, g) = (&self.x, &self.grad_y);
        let n = x.nrows() as f64;
        let mu = c.vector("mu", x.sum_axis(Axis(0)) / n);
        let var = c.vector("var", (x - &mu).mapv(|v| v * v).sum_axis(Axis(0)) / n);
        let sigma = c.vector("sigma", var.mapv(|v| (v + EPS).sqrt()));
        let x_hat = c.matrix("x_hat", (x - &mu) / &sigma);
        c.matrix("y", &x_hat * &self.gamma + &self.beta);
        let grad_beta = c.vector("grad_beta", g.sum_axis(Axis(0)));
        let grad_gamma = c.vector("grad_gamma", (g * &x_hat).sum_axis(Axis(0)));
        let inner = g * n - &grad_beta - &x_hat * &grad_gamma;
        c.matrix("grad_x", inner * &(&self.gamma / &(&sigma * n)));
        let var_unbiased = c.vector("var_unbiased", &var * (n / (n - 1.0)));
        let m = self.momentum;
        c.vector("running_mean", &self.running_mean * (1.0 - m) + &mu * m);
        c.vector(
            "running_var",
            &self.running_var * (1.0 - m) + &var_unbiased * m,
        );
    }
}
