//! The conv1d answer sheet's checkpoints, walked on a student's own values: h, the
//! pooled values, s, p, the loss, ∂L/∂s and the kernel gradients. ReLU follows the
//! student's h (its mask too), so a slip in one convolution output is carried through.

use ndarray::Axis;

use super::Params;
use crate::engine::conv1d::{conv1d_backward_kernels, conv1d_forward};
use crate::engine::linear::{linear_backward, linear_forward};
use crate::engine::loss::{cross_entropy, cross_entropy_grad_logits};
use crate::engine::pooling::{global_avg_pool, global_avg_pool_backward};
use crate::engine::relu::{relu, relu_backward};
use crate::engine::softmax::softmax;
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let h = c.matrix("h", conv1d_forward(&self.x, &self.kernels));
        let pooled = c.vector("pooled", global_avg_pool(&relu(&h)));
        let row = pooled.clone().insert_axis(Axis(0));
        let w2 = self.w2();
        let s = c.vector("s", linear_forward(&row, &w2, &self.b2()).row(0).to_owned());
        let p = c.vector("p", softmax(&s));
        c.scalar("loss", cross_entropy(&p, self.y));
        let ds = c.vector("grad_s", cross_entropy_grad_logits(&p, self.y));
        let d_pooled = linear_backward(&row, &w2, &ds.insert_axis(Axis(0)))
            .dx
            .row(0)
            .to_owned();
        let dh = relu_backward(&h, &global_avg_pool_backward(&d_pooled, h.ncols()));
        c.matrix("grad_kernels", conv1d_backward_kernels(&self.x, &dh));
    }

    /// The text names the kernels w₁₁, w₁₂, … and nothing in between: the symbols are the
    /// worked solution's (h₃ the pooled vector, s the logits), each note says what the
    /// value is, and a matrix's row is a kernel in the text's order.
    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let l = SheetLabel::in_language(language);
        vec![
            l(
                "h",
                r"\mathbf{x} \star \mathbf{w}_{1k}",
                "izlazi konvolucije prije ReLU; redak = jezgra",
                "convolution outputs before ReLU; row = kernel",
            ),
            l(
                "pooled",
                r"\mathbf{h}_3",
                "prosjek nakon ReLU, po jedan za svaku jezgru",
                "average after ReLU, one per kernel",
            ),
            l(
                "s",
                r"\mathbf{s} = \mathbf{W}_2 \mathbf{h}_3 + \mathbf{b}_2",
                "logiti (ulaz u softmaks)",
                "logits (the softmax's input)",
            ),
            l(
                "p",
                r"\mathbf{p} = \mathrm{softmax}(\mathbf{s})",
                "vjerojatnosti razreda",
                "class probabilities",
            ),
            l(
                "loss",
                r"L = -\ln p_y",
                "gubitak unakrsne entropije",
                "cross-entropy loss",
            ),
            l(
                "grad_s",
                r"\frac{\partial L}{\partial \mathbf{s}}",
                "gradijent gubitka po logitima",
                "gradient of the loss w.r.t.\\ the logits",
            ),
            l(
                "grad_kernels",
                r"\frac{\partial L}{\partial \mathbf{w}_{1k}}",
                "gradijent po težinama jezgre; redak = jezgra",
                "gradient w.r.t.\\ the kernel weights; row = kernel",
            ),
        ]
    }
}
