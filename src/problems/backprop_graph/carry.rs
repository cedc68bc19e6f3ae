//! The backprop_graph answer sheet's checkpoints, walked on a student's own values: the
//! table's node values z, h, s, the margins (or the error) and L, then its upstream
//! gradients ∂L/∂s, ∂L/∂W2, ∂L/∂b2, ∂L/∂h, ∂L/∂z and the first layer's ∂L/∂W1, ∂L/∂b1,
//! ∂L/∂x. ReLU and its derivative follow the student's z, L and ∂L/∂s the student's
//! margins (which margins are active), and each gradient the student's gradient above it,
//! so a slip in one node is carried down the graph.

use ndarray::{Array1, Array2, Axis};

use super::{Loss, Params};
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let z = c.vector("z", self.w1.dot(&self.x) + &self.b1);
        let relu_grad = z.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
        let h = c.vector("h", &z * &relu_grad);
        let s = c.vector("s", self.w2.dot(&h) + &self.b2);
        let y = self.y as usize;
        let margins = match self.loss {
            Loss::Mse => Array1::from(vec![s[0] - self.y as f64]),
            Loss::Hinge => {
                Array1::from_shape_fn(s.len(), |j| if j == y { 0.0 } else { s[j] - s[y] + 1.0 })
            }
        };
        let margins = c.vector("margins", margins);
        let (loss, grad_s) = match self.loss {
            // L = ½e², ∂L/∂s = e.
            Loss::Mse => (0.5 * margins[0] * margins[0], margins.clone()),
            // Each active margin (j ≠ y) adds itself to L and 1 to ∂L/∂s_j, −1 to ∂L/∂s_y.
            Loss::Hinge => {
                let active = Array1::from_shape_fn(margins.len(), |j| {
                    if j != y && margins[j] > 0.0 {
                        1.0
                    } else {
                        0.0
                    }
                });
                let mut grad = active.clone();
                grad[y] = -active.sum();
                ((&margins * &active).sum(), grad)
            }
        };
        c.scalar("loss", loss);
        let grad_s = c.vector("dL_ds", grad_s);
        c.matrix("dL_dW2", outer(&grad_s, &h));
        c.vector("dL_db2", grad_s.clone());
        let grad_h = c.vector("dL_dh", self.w2.t().dot(&grad_s));
        let grad_z = c.vector("dL_dz", &grad_h * &relu_grad);
        c.matrix("dL_dW1", outer(&grad_z, &self.x));
        c.vector("dL_db1", grad_z.clone());
        c.vector("dL_dx", self.w1.t().dot(&grad_z));
    }

    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let hr = language == Language::Hr;
        let label = |name, symbol: &str, hr_note: String, en_note: String| {
            SheetLabel::new(name, symbol, if hr { hr_note } else { en_note })
        };
        let text = |name, symbol: &str, hr_note: &str, en_note: &str| {
            label(name, symbol, hr_note.to_string(), en_note.to_string())
        };
        let (gradient_hr, gradient_en) = ("gradijent po čvoru", "gradient at the node");
        let shaped = |m: &str| (format!("oblik kao ${m}$"), format!("shaped as ${m}$"));
        let (w2_hr, w2_en) = shaped(r"\mathbf{W}_2");
        let (w1_hr, w1_en) = shaped(r"\mathbf{W}_1");
        // With one output the text writes s and b₂ as scalars; the hinge loss's margin
        // m_y is not a node of its sum, and its box takes 0.
        let (s, b2, margins) = match self.loss {
            Loss::Mse => (
                "s",
                "b_2",
                text("margins", "e = s - y", "pogreška", "the error"),
            ),
            Loss::Hinge => (
                r"\mathbf{s}",
                r"\mathbf{b}_2",
                label(
                    "margins",
                    r"m_j = s_j - s_y + 1",
                    format!(r"prije $\max$; \texttt{{[{}]}} ($j = y$): 0", self.y),
                    format!(r"before $\max$; \texttt{{[{}]}} ($j = y$): 0", self.y),
                ),
            ),
        };
        let (s_hr, s_en) = match self.loss {
            Loss::Mse => ("izlaz mreže", "the network's output"),
            Loss::Hinge => (r"bodovi; \texttt{[$j$]}: razred $j$", r"scores; \texttt{[$j$]}: class $j$"),
        };
        vec![
            text("z", r"\mathbf{z}", "prije ReLU", "before ReLU"),
            text("h", r"\mathbf{h}", "nakon ReLU", "after ReLU"),
            text("s", s, s_hr, s_en),
            margins,
            text("loss", "L", "gubitak", "the loss"),
            text("dL_ds", &format!(r"\partial L / \partial {s}"), gradient_hr, gradient_en),
            label("dL_dW2", r"\partial L / \partial \mathbf{W}_2", w2_hr, w2_en),
            text("dL_db2", &format!(r"\partial L / \partial {b2}"), "po pomaku", "by the bias"),
            text("dL_dh", r"\partial L / \partial \mathbf{h}", gradient_hr, gradient_en),
            text("dL_dz", r"\partial L / \partial \mathbf{z}", gradient_hr, gradient_en),
            label("dL_dW1", r"\partial L / \partial \mathbf{W}_1", w1_hr, w1_en),
            text("dL_db1", r"\partial L / \partial \mathbf{b}_1", "po pomaku", "by the bias"),
            text("dL_dx", r"\partial L / \partial \mathbf{x}", "po ulazu", "by the input"),
        ]
    }
}

/// a bᵀ.
fn outer(a: &Array1<f64>, b: &Array1<f64>) -> Array2<f64> {
    a.view()
        .insert_axis(Axis(1))
        .dot(&b.view().insert_axis(Axis(0)))
}
