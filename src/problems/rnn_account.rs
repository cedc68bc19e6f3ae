//! Problem 5: a plain ReLU RNN that tracks a bank account, and the parameter count of a
//! recurrent stack.
//!
//! The hidden state is h = [available amount (balance + overdraft), overdraft, flag],
//! where the flag is 0 when the account is in minus and positive otherwise; the input is
//! x = [deposit, withdrawal]. The design is the answer to the first task:
//!
//! ```text
//! W_hh = [[1, 0, 0], [0, 1, 0], [1, -1, 0]],  W_xh = [[1, -1], [0, 0], [1, -1]],  b_h = 0
//! ```
//!
//! so available' = available + deposit − withdrawal, the overdraft is carried, and
//! flag' = ReLU(available' − overdraft), the positive balance. `solve` runs the engine's
//! RNN on this design; the tests check it against a plain simulation of the account.

use ndarray::{array, Array1, Array2};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{array1, array2, rows_json, vec_json};
use crate::draw::{broken, Constraint, DrawError, VariantRng};
use crate::engine::param_count::{Cell, LayerParams, RecurrentStack};
use crate::engine::rnn::{rnn_relu_forward, RnnTrace};
use crate::spec::{rules, FieldError, Points};

pub const KIND: &str = "rnn_account";

/// The recurrent stack whose parameters are counted, as written in a spec.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackSpec {
    pub cell: Cell,
    pub layers: usize,
    /// Input and hidden sizes default to the account network's (2 and 3).
    #[serde(default = "two")]
    pub input_size: usize,
    #[serde(default = "three")]
    pub hidden_size: usize,
    #[serde(default)]
    pub bidirectional: bool,
    /// Bias vectors per gate: 1 (one bias per gate) or 2 (PyTorch's b_ih and b_hh).
    pub bias: usize,
}

fn two() -> usize {
    2
}

fn three() -> usize {
    3
}

/// The problem as written in a spec.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// Initial state [available, overdraft, flag].
    pub h0: Vec<f64>,
    /// Transactions, one row [deposit, withdrawal] per time step.
    pub xs: Vec<Vec<f64>>,
    pub stack: StackSpec,
}

/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub h0: Array1<f64>,
    pub xs: Array2<f64>,
    pub stack: RecurrentStack,
}

impl Spec {
    /// The sampler of this problem; for now every parameter is pinned.
    pub fn sampler(self) -> Result<Sampler, FieldError> {
        Ok(Sampler {
            fixed: self.check()?,
        })
    }

    fn check(self) -> Result<Params, FieldError> {
        rules::length("h0", &self.h0, 3, "[available, overdraft, flag]")?;
        if self.h0.iter().any(|&v| v < 0.0) {
            return Err(FieldError::new(
                "h0",
                "a ReLU state cannot be negative; use amounts >= 0",
            ));
        }
        let (_, cols) = rules::matrix("xs", &self.xs)?;
        if cols != 2 {
            return Err(FieldError::new(
                "xs",
                "each transaction is [deposit, withdrawal]",
            ));
        }
        let mut available = self.h0[0];
        for (t, row) in self.xs.iter().enumerate() {
            if row.iter().any(|&v| v < 0.0) {
                return Err(FieldError::new(
                    format!("xs[{t}]"),
                    "deposits and withdrawals are amounts >= 0",
                ));
            }
            available += row[0] - row[1];
            if available < 0.0 {
                return Err(FieldError::new(
                    format!("xs[{t}]"),
                    format!(
                        "this withdrawal exceeds the allowed overdraft (available amount {available}); \
                         the exam excludes that case"
                    ),
                ));
            }
        }
        let s = self.stack;
        if s.layers == 0 || s.input_size == 0 || s.hidden_size == 0 {
            return Err(FieldError::new(
                "stack",
                "layers, input_size and hidden_size must be at least 1",
            ));
        }
        if s.bias != 1 && s.bias != 2 {
            return Err(FieldError::new(
                "stack.bias",
                "1 (one bias vector per gate) or 2 (PyTorch's b_ih and b_hh)",
            ));
        }
        Ok(Params {
            points: self.points,
            h0: array1(&self.h0),
            xs: array2(&self.xs),
            stack: RecurrentStack {
                cell: s.cell,
                layers: s.layers,
                input_size: s.input_size,
                hidden_size: s.hidden_size,
                bidirectional: s.bidirectional,
                bias: s.bias,
            },
        })
    }
}

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

pub fn solve(p: &Params) -> Solution {
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

/// Draws this problem's parameters (pinned ones are kept) under [`CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    fixed: Params,
}

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[];

impl Sampler {
    /// Whether every parameter is pinned (the draw then ignores the generator).
    pub fn is_fixed(&self) -> bool {
        true
    }

    /// One variant: parameters, their solution, and how many candidates it took.
    pub fn draw(&self, _rng: &mut VariantRng) -> Result<(Params, Solution, usize), DrawError> {
        let solution = solve(&self.fixed);
        match broken(&self.fixed, &solution, CONSTRAINTS).first() {
            Some(&constraint) => Err(DrawError {
                constraint,
                tries: 1,
            }),
            None => Ok((self.fixed.clone(), solution, 1)),
        }
    }
}

/// The key entry: (params, answers).
pub fn key(p: &Params, s: &Solution) -> (Value, Value) {
    let params = json!({
        "h0": vec_json(&p.h0),
        "xs": rows_json(&p.xs),
        "stack": p.stack,
    });
    let answers = json!({
        "W_hh": rows_json(&s.w_hh),
        "W_xh": rows_json(&s.w_xh),
        "b_h": vec_json(&s.b_h),
        "hs": rows_json(&s.trace.hs),
        "stack_params": s.stack_params,
        "stack_layers": s.layers,
    });
    (params, answers)
}

/// The cell's name as the sheet writes it.
pub fn cell_name(cell: Cell) -> &'static str {
    match cell {
        Cell::Rnn => "RNN",
        Cell::Lstm => "LSTM",
        Cell::Gru => "GRU",
    }
}
