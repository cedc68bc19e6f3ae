//! The bptt_rnn answer sheet's checkpoints, walked on a student's own values in the
//! sheet's order. Forward, step by step: a⁽ᵗ⁾ from the student's h⁽ᵗ⁻¹⁾, h⁽ᵗ⁾ = ReLU of
//! the student's a⁽ᵗ⁾; the loss from the student's h⁽³⁾. Backward: ∂L/∂h⁽³⁾, then for
//! t = 3, 2, 1 δ⁽ᵗ⁾ from the student's ∂L/∂h⁽ᵗ⁾ and the mask of the student's a⁽ᵗ⁾, and
//! ∂L/∂h⁽ᵗ⁻¹⁾ = W_hhᵀδ⁽ᵗ⁾ (for t = 1 the answer ∂L/∂h⁽⁰⁾, `grad_h0`, which is also
//! `grad_h[0]`: walked once, under its answer's name). The weight gradients sum the
//! student's δ⁽ᵗ⁾ h⁽ᵗ⁻¹⁾ᵀ, δ⁽ᵗ⁾ x⁽ᵗ⁾ and δ⁽ᵗ⁾; ∂h⁽³⁾/∂h⁽⁰⁾ takes its masks from the
//! student's a⁽ᵗ⁾; the spectral radius comes from W_hh alone.

use ndarray::{Array1, Array2};

use super::{Loss, Params, STEPS};
use crate::engine::relu::{relu, relu_mask};
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let (hidden, bias) = (self.hidden(), self.bias_or_zero());
        // h⁽ᵗ⁻¹⁾ for step t (row t − 1 of the student's h; h⁽⁰⁾ first).
        let mut h_prev = vec![self.h0.clone()];
        let mut pre = Vec::new();
        for t in 0..STEPS {
            let a = self.w_hh.dot(&h_prev[t]) + &self.w_xh * self.x[t] + &bias;
            pre.push(c.row_array("pre", t, a));
            h_prev.push(c.row_array("h", t, relu(&pre[t])));
        }
        let h_last = &h_prev[STEPS];
        let (loss, grad_last) = match self.loss {
            Loss::Squared => {
                let diff = h_last - &self.target;
                (0.5 * diff.dot(&diff), diff)
            }
            Loss::Linear => (self.target.dot(h_last), self.target.clone()),
        };
        c.scalar("loss_value", loss);

        let mut grad_h = c.row_array("grad_h", STEPS, grad_last);
        let mut delta = vec![Array1::zeros(hidden); STEPS];
        for t in (0..STEPS).rev() {
            delta[t] = c.row_array("delta", t, relu_mask(&pre[t]) * &grad_h);
            let back = self.w_hh.t().dot(&delta[t]);
            grad_h = if t > 0 {
                c.row_array("grad_h", t, back)
            } else {
                c.vector("grad_h0", back)
            };
        }

        // The weights are shared over time: each gradient sums the steps' contributions.
        let mut grad_w_hh = Array2::zeros((hidden, hidden));
        let mut grad_w_xh = Array1::zeros(hidden);
        for t in 0..STEPS {
            let (d, h) = (&delta[t], &h_prev[t]);
            grad_w_hh += &Array2::from_shape_fn((hidden, hidden), |(i, j)| d[i] * h[j]);
            grad_w_xh.scaled_add(self.x[t], d);
        }
        c.matrix("grad_w_hh", grad_w_hh);
        c.vector("grad_w_xh", grad_w_xh);
        if self.b.is_some() {
            c.vector("grad_b", delta.iter().fold(Array1::zeros(hidden), |acc, d| acc + d));
        }

        let jacobian = pre.iter().fold(Array2::eye(hidden), |product, a| {
            Array2::from_diag(&relu_mask(a)).dot(&self.w_hh).dot(&product)
        });
        c.matrix("jacobian", jacobian);
        let radius = self.w_hh.diag().iter().fold(0.0, |m: f64, w| m.max(w.abs()));
        c.scalar("spectral_radius", radius);
    }

    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let hr = language == Language::Hr;
        let label = |name, symbol: &str, hr_note: &str, en_note: &str| {
            SheetLabel::new(name, symbol, if hr { hr_note } else { en_note })
        };
        // Rows of a, h and δ are steps t = 1, 2, 3 from 0; rows of ∂L/∂h are t itself
        // (row 0 is ∂L/∂h⁽⁰⁾, asked for as `grad_h0`): each note says which.
        let (shifted_hr, shifted_en) = (
            r"redak \texttt{[$t{-}1$]}: korak~$t$",
            r"row \texttt{[$t{-}1$]}: step~$t$",
        );
        let (summed_hr, summed_en) = ("zbroj po koracima $t$", "summed over the steps $t$");
        vec![
            label(
                "pre",
                r"\mathbf{a}^{(t)}",
                r"prije ReLU; redak \texttt{[$t{-}1$]}: korak~$t$",
                r"before ReLU; row \texttt{[$t{-}1$]}: step~$t$",
            ),
            label("h", r"\mathbf{h}^{(t)}", shifted_hr, shifted_en),
            label("loss_value", "L", "gubitak", "the loss"),
            label(
                "grad_h",
                r"\partial L / \partial \mathbf{h}^{(t)}",
                r"redak \texttt{[$t$]}: korak~$t$ (ne~$t{-}1$)",
                r"row \texttt{[$t$]}: step~$t$ (not~$t{-}1$)",
            ),
            label("delta", r"\partial L / \partial \mathbf{a}^{(t)}", shifted_hr, shifted_en),
            label(
                "grad_h0",
                r"\partial L / \partial \mathbf{h}^{(0)}",
                "po početnom stanju",
                "with respect to the initial state",
            ),
            label("grad_w_hh", r"\partial L / \partial \mathbf{W}_{hh}", summed_hr, summed_en),
            label("grad_w_xh", r"\partial L / \partial \mathbf{W}_{xh}", summed_hr, summed_en),
            label("grad_b", r"\partial L / \partial \mathbf{b}_h", summed_hr, summed_en),
            label(
                "jacobian",
                r"\partial \mathbf{h}^{(3)} / \partial \mathbf{h}^{(0)}",
                r"retci: komponente od $\mathbf{h}^{(3)}$",
                r"rows: the entries of $\mathbf{h}^{(3)}$",
            ),
            label(
                "spectral_radius",
                r"\rho(\mathbf{W}_{hh})",
                r"broj za kriterij: najveći $\lvert \lambda_i \rvert$",
                r"the criterion's number: the largest $\lvert \lambda_i \rvert$",
            ),
        ]
    }
}


