//! The solution: the designed weights (the answer to the first task), the engine's RNN
//! run on the account, and the parameter count of the stack under both bias conventions.

use ndarray::{array, Array1, Array2};

use super::Params;
use crate::engine::param_count::{LayerParams, RecurrentStack};
use crate::engine::rnn::{rnn_relu_forward, RnnTrace};

/// The designed parameters (the answer to task 1).
pub fn design() -> (Array2<f64>, Array2<f64>, Array1<f64>) {
    let w_hh = array![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, -1.0, 0.0]];
    let w_xh = array![[1.0, -1.0], [0.0, 0.0], [1.0, -1.0]];
    (w_hh, w_xh, Array1::zeros(3))
}

/// Every intermediate of the worked solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    pub w_hh: Array2<f64>,
    pub w_xh: Array2<f64>,
    pub b_h: Array1<f64>,
    pub trace: RnnTrace,
    pub layers: Vec<LayerParams>,
    pub stack_params: usize,
    /// The count under the other bias convention, for the remark on the sheet.
    pub other_convention_params: usize,
}

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let p = self;
        let (w_hh, w_xh, b_h) = design();
        let trace = rnn_relu_forward(&w_hh, &w_xh, &b_h, &p.h0, &p.xs);
        let other = RecurrentStack {
            bias: 3 - p.stack.bias,
            ..p.stack
        };
        Solution {
            w_hh,
            w_xh,
            b_h,
            trace,
            layers: p.stack.per_layer(),
            stack_params: p.stack.total(),
            other_convention_params: other.total(),
        }
    }
}
