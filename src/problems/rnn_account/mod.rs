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
//!
//! Randomized variants: with a `draw:` section the unpinned amounts are drawn as
//! multiples of `unit` (each withdrawal less than what was available before its step, so
//! neither the order of deposit and withdrawal within a step nor an account sitting
//! exactly at its overdraft limit ever comes up), the drawn h0's
//! flag is the true positive balance, and each unpinned field of the counted stack is
//! drawn from its set (see [`Draw`] and [`Sampler`]). `require_minus: true` keeps only
//! variants whose account goes into minus at least once (rejection named
//! `reaches_minus`).
//!
//! The module is a folder: `spec` holds the serde types of a spec, `knobs` and `validate`
//! turn them into a [`Sampler`] (in `sampler`, with the constraints and the kind's `Kind`
//! impl), `solve` runs the engine, and `key` writes the answer-key entry.

mod carry;
mod key;
mod knobs;
pub mod render;
mod sampler;
mod solve;
mod spec;
mod validate;

use ndarray::{Array1, Array2};

use crate::engine::param_count::{Cell, RecurrentStack};
use crate::spec::Points;

pub use key::KEY_CSV;
pub use sampler::{reaches_minus, withdrawals_covered, Sampler, CONSTRAINTS};
pub use solve::{design, Solution};
pub use spec::{Draw, Spec, StackSpec};

pub const KIND: &str = "rnn_account";

/// The rnn_account kind.
pub struct RnnAccount;


/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub h0: Array1<f64>,
    pub xs: Array2<f64>,
    pub stack: RecurrentStack,
}

/// The cell's name as the sheet writes it.
pub fn cell_name(cell: Cell) -> &'static str {
    match cell {
        Cell::Rnn => "RNN",
        Cell::Lstm => "LSTM",
        Cell::Gru => "GRU",
    }
}
