//! The softmax_ce answer sheet's checkpoints, walked on a student's own values: p, the
//! loss, ∂L/∂z and ∂L/∂e. The loss and ∂L/∂z follow the student's p, and ∂L/∂e the
//! student's ∂L/∂z, so a slip in a probability is carried through.

use super::Params;
use crate::engine::loss::{cross_entropy, cross_entropy_grad_logits};
use crate::engine::softmax::softmax;
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let p = c.vector("p", softmax(&self.z()));
        c.scalar("loss", cross_entropy(&p, self.y));
        let grad_z = c.vector("grad_z", cross_entropy_grad_logits(&p, self.y));
        c.vector("grad_e", grad_z * f64::from(self.ln_base).ln());
    }

    /// The text names every value; the loss's box takes its decimal value (the text asks
    /// for it exactly too, which no box holds).
    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let l = SheetLabel::in_language(language);
        vec![
            l(
                "p",
                r"\mathbf{p} = \mathrm{softmax}(\mathbf{z})",
                "vjerojatnosti razreda",
                "class probabilities",
            ),
            l(
                "loss",
                r"L = -\ln p_y",
                "gubitak, približno (četiri decimale)",
                "the loss, approximately (four decimals)",
            ),
            l(
                "grad_z",
                r"\partial L / \partial \mathbf{z}",
                "gradijent po logitima",
                "gradient w.r.t.\\ the logits",
            ),
            l(
                "grad_e",
                r"\partial L / \partial \mathbf{e}",
                "gradijent po eksponentima",
                "gradient w.r.t.\\ the exponents",
            ),
        ]
    }
}
