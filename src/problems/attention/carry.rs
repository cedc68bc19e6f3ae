//! The attention answer sheet's checkpoints, walked on a student's own values: the
//! scores in units of ln b (E = QK̃ᵀ/√d_k, the visible entries only: a masked score is no
//! answer), the weights A, the output O and ∂L/∂V. A is the row softmax of the student's
//! E (masked keys weigh 0), O = AV and ∂L/∂V = AᵀG of the student's A.

use ndarray::Array2;

use super::solve::{backward_values, forward_weights};
use super::{floats, Params};
use crate::grade::carry::Carry;
use crate::problems::array2;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let n = self.n();
        let r = self.sqrt_d_k() as f64;
        // The visible keys of each query are a prefix of its row (all of them unmasked).
        let units: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..n)
                    .filter(|&j| self.visible(i, j))
                    .map(|j| {
                        let qk: i64 = self.q[i].iter().zip(&self.k[j]).map(|(a, b)| a * b).sum();
                        qk as f64 / r
                    })
                    .collect()
            })
            .collect();
        let units = c.rows("scores_units", &units);
        let ln_b = f64::from(self.ln_base).ln();
        let scores = Array2::from_shape_fn((n, n), |(i, j)| {
            units[i].get(j).map_or(f64::NEG_INFINITY, |e| e * ln_b)
        });
        let weights = c.matrix("weights", forward_weights(&scores));
        c.matrix("output", weights.dot(&array2(&floats(&self.v))));
        c.matrix(
            "grad_V",
            backward_values(&weights, &array2(&floats(&self.g))),
        );
    }

    /// The text numbers rows and columns from 1, the boxes from 0: each note says which
    /// entry box [i][j] is. The scores are in units of ln b, as the text asks, and under
    /// a causal mask only the visible ones get a box.
    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let l = SheetLabel::in_language(language);
        let base = self.ln_base;
        let (scores_hr, scores_en) = if self.causal {
            (
                format!("u jedinicama $\\ln {base}$; $[i][j]$: $S_{{i+1,j+1}}$, $j \\le i$"),
                format!("in units of $\\ln {base}$; $[i][j]$: $S_{{i+1,j+1}}$, $j \\le i$"),
            )
        } else {
            (
                format!("u jedinicama $\\ln {base}$; $[i][j]$: $S_{{i+1,j+1}}$"),
                format!("in units of $\\ln {base}$; $[i][j]$: $S_{{i+1,j+1}}$"),
            )
        };
        vec![
            l(
                "scores_units",
                &format!("\\mathbf{{S}} / \\ln {base}"),
                &scores_hr,
                &scores_en,
            ),
            l(
                "weights",
                r"\mathbf{A}",
                "težine pažnje; $[i][j]$: $A_{i+1,j+1}$",
                "attention weights; $[i][j]$: $A_{i+1,j+1}$",
            ),
            l(
                "output",
                r"\mathbf{O} = \mathbf{A}\mathbf{V}",
                "izlaz; $[i][c]$: $O_{i+1,c+1}$",
                "output; $[i][c]$: $O_{i+1,c+1}$",
            ),
            l(
                "grad_V",
                r"\partial L / \partial \mathbf{V}",
                "gradijent; $[j][c]$: po $V_{j+1,c+1}$",
                "gradient; $[j][c]$: w.r.t.\\ $V_{j+1,c+1}$",
            ),
        ]
    }
}
