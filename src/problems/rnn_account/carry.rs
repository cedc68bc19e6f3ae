//! The rnn_account answer sheet's checkpoints, walked on a student's own values: the
//! designed W_hh, W_xh and b_h, then the hidden states step by step, each one step of the
//! engine's RNN run with the student's design from the student's previous state (so a
//! slip in the design or in one step's balance is carried through the later steps), and
//! the stack's parameter count (from the stack alone).

use ndarray::Axis;

use super::{design, Params};
use crate::engine::rnn::rnn_relu_forward;
use crate::grade::carry::Carry;
use crate::problems::kind::Checkpoints;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let (w_hh, w_xh, b_h) = design();
        let w_hh = c.matrix("W_hh", w_hh);
        let w_xh = c.matrix("W_xh", w_xh);
        let b_h = c.vector("b_h", b_h);
        let mut h = self.h0.clone();
        for t in 0..self.xs.nrows() {
            let x = self.xs.row(t).insert_axis(Axis(0)).to_owned();
            let trace = rnn_relu_forward(&w_hh, &w_xh, &b_h, &h, &x);
            h = c.row_array("hs", t, trace.hs.row(0).to_owned());
        }
        c.scalar("stack_params", self.stack.total() as f64);
    }
}

