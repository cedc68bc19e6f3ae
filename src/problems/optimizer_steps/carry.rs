//! The optimizer_steps answer sheet's checkpoints, walked on a student's own values: the
//! cells of the sheet's table step by step — g_t, b_t or m_t, Adam's v_t, what η
//! multiplies (Nesterov's g_t + μ b_t, Adam's m̂_t/√v̂_t) and w_t — then w_T and, for
//! AdamW, w₁ of Adam with L2. Each step takes its gradient at the student's w_{t−1} and
//! its moments from the student's previous ones, so a slip in one cell is carried
//! through every later step; the L2 comparison starts from the student's g₁.
//!
//! The table is in the key by column (`g[t−1][i]`), so each step walks one row of each
//! column (the rows before it already walked).

use ndarray::Array1;

use super::engine::Objective;
use super::{Optimizer, Params};
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let objective = Objective::of(&self.optimizer);
        let w0 = self.w0();
        let mut w = w0.clone();
        let (mut first, mut second) = (Array1::zeros(w.len()), Array1::zeros(w.len()));
        let mut g1 = None;
        for t in 1..=self.steps {
            let g = c.row_array("g", t - 1, objective.gradient(&self.a, &self.c, &w));
            g1.get_or_insert_with(|| g.clone());
            let (direction, start) = match self.optimizer {
                Optimizer::SgdMomentum { momentum } => {
                    first = c.row_array("first", t - 1, &first * momentum + &g);
                    (first.clone(), w)
                }
                Optimizer::Nesterov { momentum } => {
                    first = c.row_array("first", t - 1, &first * momentum + &g);
                    (c.row_array("direction", t - 1, &g + &(&first * momentum)), w)
                }
                Optimizer::Adam { beta1, beta2 } | Optimizer::AdamW { beta1, beta2, .. } => {
                    first = c.row_array("first", t - 1, &first * beta1 + &(&g * (1.0 - beta1)));
                    let v = &second * beta2 + &(g.mapv(|x| x * x) * (1.0 - beta2));
                    second = c.row_array("second", t - 1, v);
                    let m_hat = &first / (1.0 - beta1.powi(t as i32));
                    let v_hat = &second / (1.0 - beta2.powi(t as i32));
                    let direction = c.row_array("direction", t - 1, &m_hat / &v_hat.mapv(f64::sqrt));
                    let decay = match self.optimizer {
                        Optimizer::AdamW { weight_decay, .. } => self.lr * weight_decay,
                        _ => 0.0,
                    };
                    (direction, &w * (1.0 - decay))
                }
            };
            w = c.row_array("w", t - 1, &start - &(&direction * self.lr));
        }
        c.vector("w_final", w);
        if let (Optimizer::AdamW { weight_decay, .. }, Some(g1)) = (self.optimizer, g1) {
            // Adam with L2: g̃₁ = g₁ + λ w₀, and the first step is η·sign(g̃₁).
            let g = g1 + &(&w0 * weight_decay);
            let direction = g.mapv(|x| if x == 0.0 { 0.0 } else { x / (x * x).sqrt() });
            c.vector("l2_w1", &w0 - &(&direction * self.lr));
        }
    }

    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let hr = language == Language::Hr;
        // Every table column has one row of boxes per step: row t − 1 is step t.
        let row = if hr {
            r"redak \texttt{[$t{-}1$]}: korak~$t$"
        } else {
            r"row \texttt{[$t{-}1$]}: step~$t$"
        };
        let label = |name, symbol: &str, hr_note: &str, en_note: &str| {
            let note = if hr { hr_note } else { en_note };
            SheetLabel::new(name, symbol, format!("{note}; {row}"))
        };
        let mut labels = vec![label("g", r"\mathbf{g}_t", "gradijent", "gradient")];
        match self.optimizer {
            Optimizer::SgdMomentum { .. } => {
                labels.push(label("first", r"\mathbf{b}_t", "zamah", "momentum buffer"));
            }
            Optimizer::Nesterov { .. } => {
                labels.push(label("first", r"\mathbf{b}_t", "zamah", "momentum buffer"));
                labels.push(label(
                    "direction",
                    r"\mathbf{g}_t + \mu \mathbf{b}_t",
                    r"zagrada uz $\eta$",
                    r"the bracket times $\eta$",
                ));
            }
            Optimizer::Adam { .. } | Optimizer::AdamW { .. } => {
                labels.push(label("first", r"\mathbf{m}_t", "prvi moment", "first moment"));
                labels.push(label("second", r"\mathbf{v}_t", "drugi moment", "second moment"));
                labels.push(label(
                    "direction",
                    r"\hat{\mathbf{m}}_t / \sqrt{\hat{\mathbf{v}}_t}",
                    r"član uz $\eta$",
                    r"the term times $\eta$",
                ));
            }
        }
        labels.push(label("w", r"\mathbf{w}_t", "težine", "weights"));
        let (last, l2) = if hr {
            ("nakon zadnjeg koraka", "Adam s L2 umjesto AdamW")
        } else {
            ("after the last step", "Adam with L2 instead of AdamW")
        };
        labels.push(SheetLabel::new(
            "w_final",
            format!(r"\mathbf{{w}}_{{{}}}", self.steps),
            last,
        ));
        labels.push(SheetLabel::new("l2_w1", r"\mathbf{w}_1", l2));
        labels
    }
}

