//! The problem as written in a spec: the serde types of the pins, the counted stack and
//! the `draw:` knobs. They are only read here; `validate` checks them into a sampler.

use serde::Deserialize;

use crate::engine::param_count::Cell;
use crate::spec::Points;

/// The recurrent stack whose parameters are counted, as written in a spec. Without a
/// `draw:` section `cell`, `layers` and `bias` must be pinned; the sizes default to the
/// account network's (2 and 3) and `bidirectional` to false.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackSpec {
    #[serde(default)]
    pub cell: Option<Cell>,
    #[serde(default)]
    pub layers: Option<usize>,
    #[serde(default)]
    pub input_size: Option<usize>,
    #[serde(default)]
    pub hidden_size: Option<usize>,
    #[serde(default)]
    pub bidirectional: Option<bool>,
    /// Bias vectors per gate: 1 (one bias per gate) or 2 (PyTorch's b_ih and b_hh).
    #[serde(default)]
    pub bias: Option<usize>,
}

/// The problem as written in a spec.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// Initial state [available, overdraft, flag].
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub h0: Option<Vec<f64>>,
    /// Transactions, one row [deposit, withdrawal] per time step.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub xs: Option<Vec<Vec<f64>>>,
    #[serde(default)]
    pub stack: Option<StackSpec>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant; each one optional. Amount ranges are `[min, max]`
/// in money, and every drawn amount is a multiple of `unit` in its range; the stack's
/// knobs are sets drawn from uniformly.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Draw {
    /// Every drawn amount is a multiple of this (default 500).
    #[serde(deserialize_with = "crate::spec::number::integer")]
    pub unit: Option<i64>,
    /// Number of time steps (default 3).
    pub transactions: Option<usize>,
    /// The initial balance, available − overdraft (default [1000, 10000]).
    pub balance_range: Option<[i64; 2]>,
    /// The allowed overdraft (default [1000, 10000]).
    pub overdraft_range: Option<[i64; 2]>,
    /// One deposit (default [0, 3000]).
    pub deposit_range: Option<[i64; 2]>,
    /// One withdrawal (default [0, 6000]); never more than is available.
    pub withdrawal_range: Option<[i64; 2]>,
    /// Only variants whose account goes into minus at least once (default false).
    pub require_minus: Option<bool>,
    /// Cells of the counted stack (default [rnn, lstm, gru]).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub cells: Option<Vec<Cell>>,
    /// Layer counts (default [1, 2, 3]).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub layers: Option<Vec<usize>>,
    /// Input sizes (default [2], the account network's).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub input_sizes: Option<Vec<usize>>,
    /// Hidden sizes (default [3], the account network's).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub hidden_sizes: Option<Vec<usize>>,
    /// Directions (default [false, true]).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub bidirectional: Option<Vec<bool>>,
    /// Bias conventions (default [1, 2]).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub bias: Option<Vec<usize>>,
}
