//! The rnn_account answer sheet's checkpoints, walked on a student's own values: the
//! hidden states' first two elements step by step (the available amount and the
//! overdraft), each one step of the engine's RNN with the key's design from the
//! student's previous amounts (so a slip in one step's balance is carried through the
//! later steps), and the stack's parameter count (from the stack alone).
//!
//! The design (W_hh, W_xh, b_h) and the flag h₃ get no box: the text lets the flag be
//! "any positive value" when the account is not in minus, so the weights and every
//! positive flag have many right answers (the 2022 h⁽⁰⁾'s flag, 765, is not the
//! balance). The marker grades them by hand; key.json keeps the key's own design. The
//! available amount and the overdraft are fixed by the text whatever the design, and
//! the key's design computes them without reading the flag.

use ndarray::{Array1, Axis};

use super::{design, Params};
use crate::engine::rnn::rnn_relu_forward;
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

/// The hidden state's elements the text determines: the available amount and the
/// overdraft (the flag after them is open).
const DETERMINED: usize = 2;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let (w_hh, w_xh, b_h) = design();
        let mut h = self.h0.clone();
        for t in 0..self.xs.nrows() {
            let x = self.xs.row(t).insert_axis(Axis(0)).to_owned();
            let next = rnn_relu_forward(&w_hh, &w_xh, &b_h, &h, &x)
                .hs
                .row(0)
                .to_owned();
            let amounts = c.row("hs", t, &next.to_vec()[..DETERMINED]);
            // The flag is not asked for: the next step goes on from the one the key's
            // design gives for the student's amounts (it does not read it anyway).
            h = Array1::from_iter(amounts.into_iter().chain([next[DETERMINED]]));
        }
        c.scalar("stack_params", self.stack.total() as f64);
    }

    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let (input, hidden) = (self.stack.input_size, self.stack.hidden_size);
        match language {
            Language::Hr => vec![
                SheetLabel::new(
                    "hs",
                    r"\mathbf{h}^{(t)}",
                    r"redak $i$ je $\mathbf{h}^{(i+1)}$; prva dva elementa (bez zastavice)",
                ),
                SheetLabel::new(
                    "stack_params",
                    r"\#\,\text{parametara}",
                    format!("mreža iz podzadatka 3; ulaz dim.~{input}, stanje dim.~{hidden}"),
                ),
            ],
            Language::En => vec![
                SheetLabel::new(
                    "hs",
                    r"\mathbf{h}^{(t)}",
                    r"row $i$ is $\mathbf{h}^{(i+1)}$; first two elements (no flag)",
                ),
                SheetLabel::new(
                    "stack_params",
                    r"\#\,\text{parameters}",
                    format!("network of task 3; input size {input}, hidden size {hidden}"),
                ),
            ],
        }
    }

    fn graded_by_hand(&self) -> Vec<String> {
        (0..self.xs.nrows())
            .map(|t| format!("hs[{t}][{DETERMINED}]"))
            .collect()
    }
}
