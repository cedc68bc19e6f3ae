//! The batchnorm_mlp answer sheet's checkpoints, walked on a student's own values: h1,
//! the batch statistics μ, σ², σ, ĥ1, the logits s, p, the loss, the mean gradients of
//! the second and the first layer, and the weights after the step. Each statistic is
//! taken from the student's h1 and the statistics before it, ReLU (and its mask in the
//! backward pass) follows the student's ĥ1, the backward pass starts from the student's
//! p and divides by the student's σ, and the step subtracts the student's gradients, so
//! a slip anywhere is carried to the end.

use ndarray::{Array1, Axis};

use super::Params;
use crate::engine::batchnorm::{batchnorm_backward, BatchStats};
use crate::engine::linear::{linear_backward, linear_forward};
use crate::engine::loss::{bce_grad_logit, binary_cross_entropy};
use crate::engine::relu::{relu, relu_backward};
use crate::engine::sgd::sgd_step;
use crate::engine::sigmoid::sigmoid_array;
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let n = self.x.nrows() as f64;
        let h1 = c.matrix("h1", linear_forward(&self.x, &self.w1, &self.b1));
        let mu = c.vector("mu", h1.sum_axis(Axis(0)) / n);
        let var = c.vector("var", (&h1 - &mu).mapv(|v| v * v).sum_axis(Axis(0)) / n);
        let sigma = c.vector("sigma", var.mapv(|v| (v + self.eps).sqrt()));
        let h_hat = c.matrix("h_hat", (&h1 - &mu) / &sigma);
        let h2 = relu(&h_hat);
        let s = linear_forward(&h2, &self.w2, &self.b2).column(0).to_owned();
        let s = c.vector("s", s);
        let p = c.vector("p", sigmoid_array(&s));
        let losses = p.iter().zip(&self.y).map(|(&p, &y)| binary_cross_entropy(p, y));
        c.scalar("loss", losses.sum::<f64>() / n);

        // The mean of the per-example gradients: each example's ∂L/∂s over n.
        let ds = Array1::from_shape_fn(p.len(), |i| bce_grad_logit(p[i], self.y[i]) / n);
        let g2 = linear_backward(&h2, &self.w2, &ds.insert_axis(Axis(1)));
        let grad_w2 = c.matrix("grad_W2", g2.dw);
        let grad_b2 = c.vector("grad_b2", g2.db);
        let dh_hat = relu_backward(&h_hat, &g2.dx);
        // The engine reads ĥ1 as (h1 − μ)/σ: handed ĥ1σ + μ, it reads the student's ĥ1
        // (which the full backward pass sums over).
        let h = &h_hat * &sigma + &mu;
        let stats = BatchStats {
            mean: mu,
            var,
            std: sigma,
        };
        let dh1 = batchnorm_backward(&h, &stats, &dh_hat, self.backward);
        let g1 = linear_backward(&self.x, &self.w1, &dh1);
        let grad_w1 = c.matrix("grad_W1", g1.dw);
        let grad_b1 = c.vector("grad_b1", g1.db);

        c.matrix("W1", sgd_step(&self.w1, &grad_w1, self.lr));
        c.vector("b1", sgd_step(&self.b1, &grad_b1, self.lr));
        c.matrix("W2", sgd_step(&self.w2, &grad_w2, self.lr));
        c.vector("b2", sgd_step(&self.b2, &grad_b2, self.lr));
    }

    /// The text names only the parameters and the examples x⁽ⁱ⁾: the intermediates take
    /// the worked solution's symbols. The text's vectors are columns, but a box row is one
    /// example of the mini-batch (as key.json's rows); L and the gradients are of the
    /// mini-batch's mean loss, and the parameters' boxes hold the values after the step.
    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let l = SheetLabel::in_language(language);
        let mean_gradient = ("gradijent prosječnog gubitka", "gradient of the mean loss");
        let scalar_gradient = (
            "gradijent prosječnog gubitka; skalar",
            "gradient of the mean loss; a scalar",
        );
        let updated = ("nakon koraka SGD-a", "after the SGD step");
        let updated_scalar = ("nakon koraka SGD-a; skalar", "after the SGD step; a scalar");
        vec![
            l(
                "h1",
                r"\mathbf{h}_1 = \mathbf{W}_1 \mathbf{x} + \mathbf{b}_1",
                r"redak $i$: primjer $\mathbf{x}^{(i+1)}$",
                r"row $i$: example $\mathbf{x}^{(i+1)}$",
            ),
            l(
                "mu",
                r"\boldsymbol{\mu}",
                "prosjek $\\mathbf{h}_1$ po minigrupi",
                "mean of $\\mathbf{h}_1$ over the mini-batch",
            ),
            l(
                "var",
                r"\boldsymbol{\sigma}^2",
                "pristrana varijanca ($N$ u nazivniku)",
                "biased variance ($N$ in the denominator)",
            ),
            l(
                "sigma",
                r"\boldsymbol{\sigma}",
                "standardna devijacija za normalizaciju",
                "standard deviation used to normalize",
            ),
            l(
                "h_hat",
                r"\hat{\mathbf{h}}_1",
                r"normalizirani $\mathbf{h}_1$ (prije ReLU); redak $i$: $\mathbf{x}^{(i+1)}$",
                r"normalized $\mathbf{h}_1$ (before ReLU); row $i$: $\mathbf{x}^{(i+1)}$",
            ),
            l(
                "s",
                r"s^{(i)}",
                r"ulaz sigmoide; $[i]$: primjer $\mathbf{x}^{(i+1)}$",
                r"the sigmoid's input; $[i]$: example $\mathbf{x}^{(i+1)}$",
            ),
            l(
                "p",
                r"p^{(i)} = \sigma(s^{(i)})",
                r"izlaz modela; $[i]$: primjer $\mathbf{x}^{(i+1)}$",
                r"model output; $[i]$: example $\mathbf{x}^{(i+1)}$",
            ),
            l(
                "loss",
                "L",
                "prosječni gubitak minigrupe, prije koraka",
                "mean loss of the mini-batch, before the step",
            ),
            l(
                "grad_W2",
                r"\frac{\partial L}{\partial \mathbf{W}_2}",
                mean_gradient.0,
                mean_gradient.1,
            ),
            l(
                "grad_b2",
                r"\frac{\partial L}{\partial b_2}",
                scalar_gradient.0,
                scalar_gradient.1,
            ),
            l(
                "grad_W1",
                r"\frac{\partial L}{\partial \mathbf{W}_1}",
                mean_gradient.0,
                mean_gradient.1,
            ),
            l(
                "grad_b1",
                r"\frac{\partial L}{\partial \mathbf{b}_1}",
                mean_gradient.0,
                mean_gradient.1,
            ),
            l("W1", r"\mathbf{W}_1'", updated.0, updated.1),
            l("b1", r"\mathbf{b}_1'", updated.0, updated.1),
            l("W2", r"\mathbf{W}_2'", updated.0, updated.1),
            l("b2", "b_2'", updated_scalar.0, updated_scalar.1),
        ]
    }
}
