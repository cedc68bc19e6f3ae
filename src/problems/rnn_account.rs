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
//! multiples of `unit` (withdrawals never beyond the available amount), the drawn h0's
//! flag is the true positive balance, and each unpinned field of the counted stack is
//! drawn from its set (see [`Draw`] and [`Sampler`]). `require_minus: true` keeps only
//! variants whose account goes into minus at least once (rejection named
//! `reaches_minus`).

use ndarray::{array, Array1, Array2};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{array1, array2, rows_json, vec_json};
use crate::draw::{
    all, broken, draw_until, int_in, pick, Candidate, Constraint, DrawError, VariantRng,
};
use crate::engine::param_count::{Cell, LayerParams, RecurrentStack};
use crate::engine::rnn::{rnn_relu_forward, RnnTrace};
use crate::spec::rules::missing;
use crate::spec::{rules, FieldError, Points};

pub const KIND: &str = "rnn_account";

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
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// Every drawn amount is a multiple of this (default 500).
    #[serde(default, deserialize_with = "crate::spec::number::integer")]
    pub unit: Option<i64>,
    /// Number of time steps (default 3).
    #[serde(default)]
    pub transactions: Option<usize>,
    /// The initial balance, available − overdraft (default [1000, 10000]).
    #[serde(default)]
    pub balance_range: Option<[i64; 2]>,
    /// The allowed overdraft (default [1000, 10000]).
    #[serde(default)]
    pub overdraft_range: Option<[i64; 2]>,
    /// One deposit (default [0, 3000]).
    #[serde(default)]
    pub deposit_range: Option<[i64; 2]>,
    /// One withdrawal (default [0, 6000]); never more than is available.
    #[serde(default)]
    pub withdrawal_range: Option<[i64; 2]>,
    /// Only variants whose account goes into minus at least once (default false).
    #[serde(default)]
    pub require_minus: Option<bool>,
    /// Cells of the counted stack (default [rnn, lstm, gru]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub cells: Option<Vec<Cell>>,
    /// Layer counts (default [1, 2, 3]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub layers: Option<Vec<usize>>,
    /// Input sizes (default [2], the account network's).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub input_sizes: Option<Vec<usize>>,
    /// Hidden sizes (default [3], the account network's).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub hidden_sizes: Option<Vec<usize>>,
    /// Directions (default [false, true]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub bidirectional: Option<Vec<bool>>,
    /// Bias conventions (default [1, 2]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub bias: Option<Vec<usize>>,
}

/// Checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub points: Points,
    pub h0: Array1<f64>,
    pub xs: Array2<f64>,
    pub stack: RecurrentStack,
}

/// The knobs after defaults: amounts in units, ranges as multiples of the unit.
#[derive(Clone, Debug, PartialEq)]
struct Knobs {
    unit: i64,
    transactions: usize,
    /// Ranges in units (multiples of `unit` that lie in the money range).
    balance: (i64, i64),
    overdraft: (i64, i64),
    deposit: (i64, i64),
    withdrawal: (i64, i64),
    require_minus: bool,
    cells: Vec<Cell>,
    layers: Vec<usize>,
    input_sizes: Vec<usize>,
    hidden_sizes: Vec<usize>,
    bidirectional: Vec<bool>,
    bias: Vec<usize>,
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
struct Pinned {
    h0: Option<Array1<f64>>,
    xs: Option<Array2<f64>>,
    cell: Option<Cell>,
    layers: Option<usize>,
    input_size: Option<usize>,
    hidden_size: Option<usize>,
    bidirectional: Option<bool>,
    bias: Option<usize>,
}

/// A money range as the multiples of `unit` it holds, `(lo, hi)` in units.
fn unit_range(
    knob: Option<[i64; 2]>,
    field: &str,
    default: [i64; 2],
    unit: i64,
    min_allowed: Option<i64>,
) -> Result<(i64, i64), FieldError> {
    let [lo, hi] = knob.unwrap_or(default);
    if lo > hi {
        return Err(FieldError::new(
            field,
            format!("min {lo} is greater than max {hi}; write [min, max]"),
        ));
    }
    if lo.abs().max(hi.abs()) > crate::spec::limits::MAX_RANGE {
        return Err(FieldError::new(
            field,
            format!(
                "[{lo}, {hi}] is too wide: the ends must lie within ±{}",
                crate::spec::limits::MAX_RANGE
            ),
        ));
    }
    if let Some(floor) = min_allowed {
        if lo < floor {
            return Err(FieldError::new(
                field,
                format!("amounts here are at least {floor}, not {lo}"),
            ));
        }
    }
    let (first, last) = (
        lo.div_euclid(unit) + i64::from(lo.rem_euclid(unit) != 0),
        hi.div_euclid(unit),
    );
    if first > last {
        return Err(FieldError::new(
            field,
            format!("holds no multiple of the unit {unit}"),
        ));
    }
    Ok((first, last))
}

/// Largest stack whose parameters are counted: every layer is written out on the sheet,
/// and the counts stay far from overflow.
const MAX_LAYERS: usize = 16;
const MAX_SIZE: usize = 4096;

/// A set knob: non-empty, every member allowed, or the default.
fn set<T: Clone + PartialEq + std::fmt::Debug>(
    knob: &Option<Vec<T>>,
    field: &str,
    default: &[T],
    allowed: impl Fn(&T) -> bool,
    rule: &str,
) -> Result<Vec<T>, FieldError> {
    let Some(values) = knob else {
        return Ok(default.to_vec());
    };
    if values.is_empty() {
        return Err(FieldError::new(field, "needs at least one value"));
    }
    if let Some(i) = values.iter().position(|v| !allowed(v)) {
        return Err(FieldError::new(format!("{field}[{i}]"), rule));
    }
    Ok(values.clone())
}

/// A pinned value must be in an explicitly given set.
fn pinned_in<T: PartialEq + std::fmt::Debug>(
    pinned: Option<T>,
    field: &str,
    knob: &Option<Vec<T>>,
    knob_field: &str,
) -> Result<(), FieldError> {
    match (pinned, knob) {
        (Some(v), Some(values)) if !values.contains(&v) => Err(FieldError::new(
            field,
            format!("is {v:?} but {knob_field} is {values:?}; change or remove one"),
        )),
        _ => Ok(()),
    }
}

/// A pinned amount must be a multiple of an explicit unit and lie in an explicit range.
fn pinned_amount(
    value: f64,
    field: &str,
    unit: Option<i64>,
    knob: Option<[i64; 2]>,
    knob_field: &str,
) -> Result<(), FieldError> {
    if let Some(u) = unit {
        if value % u as f64 != 0.0 {
            return Err(FieldError::new(
                field,
                format!("is {value}, not a multiple of draw.unit {u}; change or remove one"),
            ));
        }
    }
    let knob = knob.map(|[lo, hi]| [lo as f64, hi as f64]);
    crate::spec::knobs::value_within(field, value, knob, knob_field)
}

impl Spec {
    /// The sampler of this problem: pinned parameters are checked here, once.
    pub fn sampler(self) -> Result<Sampler, FieldError> {
        let fixed = self.draw.is_none();
        let stack = self.stack.unwrap_or_default();
        if fixed {
            let pins = [
                ("h0", self.h0.is_some()),
                ("xs", self.xs.is_some()),
                ("stack", self.stack.is_some()),
                ("stack.cell", stack.cell.is_some()),
                ("stack.layers", stack.layers.is_some()),
                ("stack.bias", stack.bias.is_some()),
            ];
            if let Some((field, _)) = pins.iter().find(|(_, pinned)| !pinned) {
                return Err(missing(field));
            }
        }
        let draw = self.draw.clone().unwrap_or_default();

        if let Some(h0) = &self.h0 {
            rules::length("h0", h0, 3, "[available, overdraft, flag]")?;
            if h0.iter().any(|&v| v < 0.0) {
                return Err(FieldError::new(
                    "h0",
                    "a ReLU state cannot be negative; use amounts >= 0",
                ));
            }
        }
        if let Some(xs) = &self.xs {
            let (_, cols) = rules::matrix("xs", xs)?;
            if cols != 2 {
                return Err(FieldError::new(
                    "xs",
                    "each transaction is [deposit, withdrawal]",
                ));
            }
            for (t, row) in xs.iter().enumerate() {
                if row.iter().any(|&v| v < 0.0) {
                    return Err(FieldError::new(
                        format!("xs[{t}]"),
                        "deposits and withdrawals are amounts >= 0",
                    ));
                }
            }
            if let Some(h0) = &self.h0 {
                let mut available = h0[0];
                for (t, row) in xs.iter().enumerate() {
                    available += row[0] - row[1];
                    if available < 0.0 {
                        return Err(FieldError::new(
                            format!("xs[{t}]"),
                            format!(
                                "this withdrawal exceeds the allowed overdraft (available \
                                 amount {available}); the exam excludes that case"
                            ),
                        ));
                    }
                }
            }
        }
        if stack.layers == Some(0) || stack.input_size == Some(0) || stack.hidden_size == Some(0) {
            return Err(FieldError::new(
                "stack",
                "layers, input_size and hidden_size must be at least 1",
            ));
        }
        if stack.layers.is_some_and(|l| l > MAX_LAYERS) {
            return Err(FieldError::new(
                "stack.layers",
                format!("at most {MAX_LAYERS} layers (the sheet lists every layer)"),
            ));
        }
        for (field, size) in [
            ("stack.input_size", stack.input_size),
            ("stack.hidden_size", stack.hidden_size),
        ] {
            if size.is_some_and(|v| v > MAX_SIZE) {
                return Err(FieldError::new(field, format!("at most {MAX_SIZE}")));
            }
        }
        if matches!(stack.bias, Some(b) if b != 1 && b != 2) {
            return Err(FieldError::new(
                "stack.bias",
                "1 (one bias vector per gate) or 2 (PyTorch's b_ih and b_hh)",
            ));
        }

        // The knobs.
        let unit = draw.unit.unwrap_or(500);
        if unit < 1 {
            return Err(FieldError::new("draw.unit", "must be a positive amount"));
        }
        let transactions = match (draw.transactions, &self.xs) {
            (Some(0), _) => {
                return Err(FieldError::new(
                    "draw.transactions",
                    "needs at least one transaction",
                ))
            }
            (Some(t), _) if t > crate::spec::limits::MAX_TRANSACTIONS => {
                return Err(FieldError::new(
                    "draw.transactions",
                    format!(
                        "is {t}; at most {} (every step is worked out on the sheet)",
                        crate::spec::limits::MAX_TRANSACTIONS
                    ),
                ))
            }
            (Some(t), Some(xs)) if t != xs.len() => {
                return Err(FieldError::new(
                    "draw.transactions",
                    format!(
                        "is {t} but the pinned `xs` has {} rows; change or remove one",
                        xs.len()
                    ),
                ))
            }
            (_, Some(xs)) => xs.len(),
            (Some(t), None) => t,
            (None, None) => 3,
        };
        let balance = unit_range(
            draw.balance_range,
            "draw.balance_range",
            [1000, 10000],
            unit,
            None,
        )?;
        let overdraft = unit_range(
            draw.overdraft_range,
            "draw.overdraft_range",
            [1000, 10000],
            unit,
            Some(0),
        )?;
        let deposit = unit_range(
            draw.deposit_range,
            "draw.deposit_range",
            [0, 3000],
            unit,
            Some(0),
        )?;
        let withdrawal = unit_range(
            draw.withdrawal_range,
            "draw.withdrawal_range",
            [0, 6000],
            unit,
            Some(0),
        )?;
        let knobs = Knobs {
            unit,
            transactions,
            balance,
            overdraft,
            deposit,
            withdrawal,
            require_minus: draw.require_minus.unwrap_or(false),
            cells: set(
                &draw.cells,
                "draw.cells",
                &[Cell::Rnn, Cell::Lstm, Cell::Gru],
                |_| true,
                "",
            )?,
            layers: set(
                &draw.layers,
                "draw.layers",
                &[1, 2, 3],
                |&l| (1..=MAX_LAYERS).contains(&l),
                "must be 1 to 16",
            )?,
            input_sizes: set(
                &draw.input_sizes,
                "draw.input_sizes",
                &[2],
                |&v| (1..=MAX_SIZE).contains(&v),
                "must be 1 to 4096",
            )?,
            hidden_sizes: set(
                &draw.hidden_sizes,
                "draw.hidden_sizes",
                &[3],
                |&v| (1..=MAX_SIZE).contains(&v),
                "must be 1 to 4096",
            )?,
            bidirectional: set(
                &draw.bidirectional,
                "draw.bidirectional",
                &[false, true],
                |_| true,
                "",
            )?,
            bias: set(
                &draw.bias,
                "draw.bias",
                &[1, 2],
                |b| *b == 1 || *b == 2,
                "1 or 2",
            )?,
        };

        // Pins that contradict an explicit knob.
        if let Some(h0) = &self.h0 {
            pinned_amount(h0[0], "h0[0]", draw.unit, None, "")?;
            pinned_amount(
                h0[1],
                "h0[1]",
                draw.unit,
                draw.overdraft_range,
                "draw.overdraft_range",
            )?;
            pinned_amount(
                h0[0] - h0[1],
                "h0",
                None,
                draw.balance_range,
                "draw.balance_range (available − overdraft)",
            )?;
        }
        for (t, row) in self.xs.iter().flatten().enumerate() {
            pinned_amount(
                row[0],
                &format!("xs[{t}][0]"),
                draw.unit,
                draw.deposit_range,
                "draw.deposit_range",
            )?;
            pinned_amount(
                row[1],
                &format!("xs[{t}][1]"),
                draw.unit,
                draw.withdrawal_range,
                "draw.withdrawal_range",
            )?;
        }
        pinned_in(stack.cell, "stack.cell", &draw.cells, "draw.cells")?;
        pinned_in(stack.layers, "stack.layers", &draw.layers, "draw.layers")?;
        pinned_in(
            stack.input_size,
            "stack.input_size",
            &draw.input_sizes,
            "draw.input_sizes",
        )?;
        pinned_in(
            stack.hidden_size,
            "stack.hidden_size",
            &draw.hidden_sizes,
            "draw.hidden_sizes",
        )?;
        pinned_in(
            stack.bidirectional,
            "stack.bidirectional",
            &draw.bidirectional,
            "draw.bidirectional",
        )?;
        pinned_in(stack.bias, "stack.bias", &draw.bias, "draw.bias")?;

        // Without `draw:` the documented defaults stand in for the unpinned sizes.
        let or_default = |v: Option<usize>, d: usize| if fixed { Some(v.unwrap_or(d)) } else { v };
        Ok(Sampler {
            points: self.points,
            pinned: Pinned {
                h0: self.h0.as_deref().map(array1),
                xs: self.xs.as_deref().map(array2),
                cell: stack.cell,
                layers: stack.layers,
                input_size: or_default(stack.input_size, 2),
                hidden_size: or_default(stack.hidden_size, 3),
                bidirectional: if fixed {
                    Some(stack.bidirectional.unwrap_or(false))
                } else {
                    stack.bidirectional
                },
                bias: stack.bias,
            },
            knobs,
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
///
/// Stream order: overdraft and initial balance (multiples of the unit, uniform in their
/// ranges), then per step the deposit and the withdrawal (the withdrawal uniform among
/// the multiples of the unit in its range that do not exceed the available amount), then
/// the stack: cell, layers, input size, hidden size, bidirectional, bias (each uniform in
/// its set). The flag of h0 is the true positive balance, max(0, balance), so h0 is a
/// state the network itself could have produced (2022's 765 was arbitrary).
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    points: Points,
    pinned: Pinned,
    knobs: Knobs,
}

/// The balance (available − overdraft) before the first step and after every step.
fn balances(p: &Params) -> Vec<f64> {
    let mut available = p.h0[0];
    let mut out = vec![available - p.h0[1]];
    for row in p.xs.rows() {
        available += row[0] - row[1];
        out.push(available - p.h0[1]);
    }
    out
}

const AVAILABLE_NEVER_NEGATIVE: Constraint<Params, Solution> = Constraint {
    name: "available_never_negative",
    description: "the available amount never drops below 0 (the exam excludes \
                  exceeding the overdraft)",
    holds: |p, _| balances(p).iter().all(|&b| b + p.h0[1] >= 0.0),
};

/// Why a candidate, or a part of one, was given up.
type Rejection = crate::draw::Rejection<Params, Solution>;

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    AVAILABLE_NEVER_NEGATIVE,
    Constraint {
        name: "initial_flag_consistent",
        description: "the flag of h0 is 0 exactly when the account starts in minus",
        holds: |p, _| (p.h0[2] > 0.0) == (p.h0[0] > p.h0[1]),
    },
    Constraint {
        name: "no_zero_balance",
        description: "the balance is never exactly 0, so being in minus is never ambiguous",
        holds: |p, _| balances(p).iter().all(|&b| b != 0.0),
    },
    Constraint {
        name: "transactions_nonempty",
        description: "every step deposits or withdraws something",
        holds: |p, _| p.xs.rows().into_iter().all(|r| r[0] > 0.0 || r[1] > 0.0),
    },
    Constraint {
        name: crate::draw::PRINTED_EXACT,
        description:
            "every value the solution prints as exact is a fraction with denominator at most \
                      5040 (or such a multiple of ln b), checked with the sheet's own formatting",
        holds: |p, s| {
            crate::render::rnn_account::question(p).is_ok()
                && crate::render::rnn_account::solution(p, s).is_ok()
        },
    },
];

/// A constraint of a sampler with `draw.require_minus` only (listed last, so a pinned
/// variant breaking another one is reported by that one first).
const REACHES_MINUS: Constraint<Params, Solution> = Constraint {
    name: "reaches_minus",
    description: "the account is in minus after some step (draw.require_minus), so the \
                  flag 0 shows on the sheet",
    holds: |p, _| reaches_minus(p),
};

/// Whether the account is in minus after some step (the flag of that state is 0).
pub fn reaches_minus(p: &Params) -> bool {
    balances(p).iter().skip(1).any(|&b| b < 0.0)
}

impl Sampler {
    /// Whether every parameter is pinned (the draw then ignores the generator).
    pub fn is_fixed(&self) -> bool {
        self.fixed().is_some()
    }

    fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        Some(Params {
            points: self.points,
            h0: p.h0.clone()?,
            xs: p.xs.clone()?,
            stack: RecurrentStack {
                cell: p.cell?,
                layers: p.layers?,
                input_size: p.input_size?,
                hidden_size: p.hidden_size?,
                bidirectional: p.bidirectional?,
                bias: p.bias?,
            },
        })
    }

    /// Every constraint that can reject a candidate of this sampler (or break a pinned
    /// variant): what `examgen check` lists.
    pub fn constraints(&self) -> Vec<Rejection> {
        let mut list = all(CONSTRAINTS);
        if self.knobs.require_minus {
            list.push(&REACHES_MINUS);
        }
        list
    }

    /// One variant: parameters, their solution, and how many candidates it took.
    pub fn draw(&self, rng: &mut VariantRng) -> Result<(Params, Solution, usize), DrawError> {
        if let Some(fixed) = self.fixed() {
            let solution = solve(&fixed);
            return match broken(&fixed, &solution, &self.constraints()).first() {
                Some(&constraint) => Err(DrawError {
                    constraint,
                    tries: 1,
                }),
                None => Ok((fixed, solution, 1)),
            };
        }
        draw_until(rng, |rng| self.candidate(rng), solve, &self.constraints())
    }

    fn candidate(&self, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let k = &self.knobs;
        let unit = k.unit as f64;
        let amount = |rng: &mut VariantRng, (lo, hi): (i64, i64)| int_in(rng, lo, hi) as f64 * unit;
        let h0 = match &self.pinned.h0 {
            Some(h0) => h0.clone(),
            None => {
                let overdraft = amount(rng, k.overdraft);
                let balance = amount(rng, k.balance);
                Array1::from(vec![balance + overdraft, overdraft, balance.max(0.0)])
            }
        };
        let xs = match &self.pinned.xs {
            Some(xs) => xs.clone(),
            None => {
                let mut xs = Array2::zeros((k.transactions, 2));
                let mut available = h0[0];
                for t in 0..k.transactions {
                    let deposit = amount(rng, k.deposit);
                    // Never more than is available: the withdrawal's range is cut there.
                    let cap = ((available + deposit) / unit).floor() as i64;
                    if cap < k.withdrawal.0 {
                        return Err(&AVAILABLE_NEVER_NEGATIVE);
                    }
                    let withdrawal = amount(rng, (k.withdrawal.0, k.withdrawal.1.min(cap)));
                    available += deposit - withdrawal;
                    xs[[t, 0]] = deposit;
                    xs[[t, 1]] = withdrawal;
                }
                xs
            }
        };
        let p = &self.pinned;
        let stack = RecurrentStack {
            cell: p.cell.unwrap_or_else(|| *pick(rng, &k.cells)),
            layers: p.layers.unwrap_or_else(|| *pick(rng, &k.layers)),
            input_size: p.input_size.unwrap_or_else(|| *pick(rng, &k.input_sizes)),
            hidden_size: p.hidden_size.unwrap_or_else(|| *pick(rng, &k.hidden_sizes)),
            bidirectional: p
                .bidirectional
                .unwrap_or_else(|| *pick(rng, &k.bidirectional)),
            bias: p.bias.unwrap_or_else(|| *pick(rng, &k.bias)),
        };
        let params = Params {
            points: self.points,
            h0,
            xs,
            stack,
        };
        if k.require_minus && !reaches_minus(&params) {
            return Err(&REACHES_MINUS);
        }
        Ok(params)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::problem_rng;

    const Y2022: &str = "h0: [10000, 5000, 765]
xs: [[1000, 0], [1000, 3500], [0, 4000]]
stack: {cell: lstm, layers: 2, input_size: 2, hidden_size: 3, bidirectional: false, bias: 1}
";

    fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        serde_yaml::from_str::<Spec>(yaml)
            .expect("valid YAML")
            .sampler()
    }

    fn field_of(yaml: &str) -> String {
        sampler(yaml).expect_err("a spec error").field
    }

    #[test]
    fn the_2022_variant_is_fixed_and_meets_every_constraint() {
        let s = sampler(Y2022).unwrap();
        assert!(s.is_fixed());
        let (p, sol, tries) = s.draw(&mut problem_rng(0, 0, 0, 0)).unwrap();
        assert_eq!(tries, 1);
        assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
        assert!(reaches_minus(&p));
        assert_eq!(sol.stack_params, 156);
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let e = sampler("h0: [1, 0, 1]\nxs: [[1, 0]]\n").unwrap_err();
        assert_eq!(e.field, "stack");
        assert!(e.message.contains("add a `draw:` section"), "{}", e.message);
        assert_eq!(
            field_of("h0: [1, 0, 1]\nxs: [[1, 0]]\nstack: {cell: rnn, bias: 1}\n"),
            "stack.layers"
        );
    }

    #[test]
    fn a_range_with_min_above_max_is_an_error() {
        assert_eq!(
            field_of("draw: {deposit_range: [3000, 0]}\n"),
            "draw.deposit_range"
        );
        assert_eq!(
            field_of("draw: {overdraft_range: [-500, 1000]}\n"),
            "draw.overdraft_range"
        );
        assert_eq!(
            field_of("draw: {unit: 1000, balance_range: [1200, 1800]}\n"),
            "draw.balance_range"
        );
    }

    #[test]
    fn pins_inconsistent_with_knobs_are_errors() {
        assert_eq!(
            field_of("xs: [[1000, 0]]\ndraw: {transactions: 3}\n"),
            "draw.transactions"
        );
        assert_eq!(
            field_of("xs: [[1000, 250]]\ndraw: {unit: 500}\n"),
            "xs[0][1]"
        );
        assert_eq!(
            field_of("h0: [10000, 5000, 765]\ndraw: {overdraft_range: [0, 1000]}\n"),
            "h0[1]"
        );
        assert_eq!(
            field_of("stack: {cell: lstm}\ndraw: {cells: [rnn, gru]}\n"),
            "stack.cell"
        );
        assert_eq!(field_of("draw: {bias: [3]}\n"), "draw.bias[0]");
        assert_eq!(field_of("draw: {layers: []}\n"), "draw.layers");
    }

    #[test]
    fn pinned_parameters_are_kept_and_the_rest_drawn() {
        let s =
            sampler("h0: [10000, 5000, 765]\nstack: {cell: gru}\ndraw: {require_minus: true}\n")
                .unwrap();
        assert!(!s.is_fixed());
        for student in 0..100 {
            let (p, sol, _) = s.draw(&mut problem_rng(4, student, 0, 0)).unwrap();
            assert_eq!(p.h0.to_vec(), vec![10000.0, 5000.0, 765.0]);
            assert_eq!(p.stack.cell, Cell::Gru);
            assert!(reaches_minus(&p));
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
        }
    }

    #[test]
    fn a_fixed_variant_that_never_goes_into_minus_fails_require_minus() {
        let yaml = Y2022.replace("[0, 4000]", "[0, 1000]") + "draw: {require_minus: true}\n";
        let s = sampler(&yaml).unwrap();
        assert!(s.is_fixed());
        let err = s.draw(&mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "reaches_minus");
    }

    #[test]
    fn a_broken_fixed_variant_names_the_constraint() {
        let yaml = Y2022.replace("[0, 4000]", "[0, 3500]");
        let err = sampler(&yaml)
            .unwrap()
            .draw(&mut problem_rng(0, 0, 0, 0))
            .unwrap_err();
        assert_eq!(err.constraint, "no_zero_balance");
    }
}
