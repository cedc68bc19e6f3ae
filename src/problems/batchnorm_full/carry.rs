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
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

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

    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let hr = language == Language::Hr;
        let several = self.x.ncols() > 1;
        // A per-feature value: with several features its index is the column of X.
        let feature = |name, symbol: &str, hr_note: &str, en_note: &str| {
            let note = match (hr, several) {
                (true, true) => format!(r"{hr_note}; \texttt{{[$j$]}}: značajka $j{{+}}1$"),
                (false, true) => format!(r"{en_note}; \texttt{{[$j$]}}: feature $j{{+}}1$"),
                (true, false) => hr_note.to_string(),
                (false, false) => en_note.to_string(),
            };
            SheetLabel::new(name, symbol, note)
        };
        let (rows_hr, rows_en) = ("retci: primjeri, stupci: značajke", "rows: examples, columns: features");
        let matrix = |name, symbol: &str| {
            SheetLabel::new(name, symbol, if hr { rows_hr } else { rows_en })
        };
        vec![
            feature("mu", r"\mu", "srednja vrijednost", "the mean"),
            feature("var", r"\sigma^2", "pristrana (dijeli se s $N$)", "biased (divided by $N$)"),
            feature("sigma", r"\sigma", r"$\sqrt{\sigma^2}$ ($\epsilon = 0$)", r"$\sqrt{\sigma^2}$ ($\epsilon = 0$)"),
            matrix("x_hat", r"\hat{\mathbf{X}}"),
            matrix("y", r"\mathbf{Y}"),
            feature("grad_beta", r"\partial L / \partial \boldsymbol{\beta}", "zbroj po primjerima", "summed over the examples"),
            feature("grad_gamma", r"\partial L / \partial \boldsymbol{\gamma}", "zbroj po primjerima", "summed over the examples"),
            matrix("grad_x", r"\partial L / \partial \mathbf{X}"),
            feature("var_unbiased", r"\frac{N}{N - 1}\,\sigma^2", "nepristrana varijanca", "the unbiased variance"),
            feature("running_mean", r"\mathit{running\_mean}", "nakon ovog koraka", "after this step"),
            feature("running_var", r"\mathit{running\_var}", "nakon ovog koraka", "after this step"),
        ]
    }
}
