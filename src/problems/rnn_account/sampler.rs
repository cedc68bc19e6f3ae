//! The draw of one variant: the [`Sampler`] (pins and knobs), its candidates, and the
//! constraints every variant meets (`reaches_minus` only under `draw.require_minus`).
//!
//! The kind's [`Kind`] impl is here, because what is the kind's own in it is the draw;
//! its other methods name the file that does the work.

use ndarray::{Array1, Array2};

use super::{key, render, Params, RnnAccount, Solution, Spec, KEY_CSV, KIND};
use crate::draw::{
    all, int_in, pick, Candidate, Constraint, VariantRng,
};
use crate::engine::param_count::{Cell, RecurrentStack};
use crate::problems::Kind;
use crate::spec::Points;

/// The knobs after defaults: amounts in units, ranges as multiples of the unit.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    pub(super) unit: i64,
    pub(super) transactions: usize,
    /// Ranges in units (multiples of `unit` that lie in the money range).
    pub(super) balance: (i64, i64),
    pub(super) overdraft: (i64, i64),
    pub(super) deposit: (i64, i64),
    pub(super) withdrawal: (i64, i64),
    pub(super) require_minus: bool,
    pub(super) cells: Vec<Cell>,
    pub(super) layers: Vec<usize>,
    pub(super) input_sizes: Vec<usize>,
    pub(super) hidden_sizes: Vec<usize>,
    pub(super) bidirectional: Vec<bool>,
    pub(super) bias: Vec<usize>,
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) h0: Option<Array1<f64>>,
    pub(super) xs: Option<Array2<f64>>,
    pub(super) cell: Option<Cell>,
    pub(super) layers: Option<usize>,
    pub(super) input_size: Option<usize>,
    pub(super) hidden_size: Option<usize>,
    pub(super) bidirectional: Option<bool>,
    pub(super) bias: Option<usize>,
}

/// Draws this problem's parameters (pinned ones are kept) under [`CONSTRAINTS`].
///
/// Stream order: overdraft and initial balance (multiples of the unit, uniform in their
/// ranges), then per step the deposit and the withdrawal (the withdrawal uniform among
/// the multiples of the unit in its range below the amount available before the step),
/// then
/// the stack: cell, layers, input size, hidden size, bidirectional, bias (each uniform in
/// its set). The flag of h0 is the true positive balance, max(0, balance), so h0 is a
/// state the network itself could have produced (2022's 765 was arbitrary).
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) points: Points,
    pub(super) pinned: Pinned,
    pub(super) knobs: Knobs,
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
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::RnnAccount>),
];

/// A drawn variant's withdrawal is covered by what was available before that step's
/// deposit, so the order of deposit and withdrawal within a step never matters (a pinned
/// one may not be; its sheet then says the deposit counts first).
const WITHDRAWAL_COVERED: Constraint<Params, Solution> = Constraint {
    name: "withdrawal_covered",
    description: "no withdrawal exceeds what was available before that step's deposit, so \
                  nobody needs to know that a step's deposit counts first (drawn variants)",
    holds: |p, _| withdrawals_covered(p),
};

/// A drawn variant's account never sits exactly at its overdraft limit (available 0): a
/// hair from the case the exam excludes, and a state whose flag and available amount are
/// both 0.
const AVAILABLE_POSITIVE: Constraint<Params, Solution> = Constraint {
    name: "available_positive",
    description: "the available amount stays above 0: the account never sits exactly at \
                  its overdraft limit (drawn variants)",
    holds: |p, _| balances(p).iter().all(|&b| b + p.h0[1] > 0.0),
};

/// Whether every withdrawal is at most what was available before its step's deposit.
pub fn withdrawals_covered(p: &Params) -> bool {
    let mut available = p.h0[0];
    p.xs.rows().into_iter().all(|row| {
        let covered = row[1] <= available;
        available += row[0] - row[1];
        covered
    })
}

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

/// The rnn_account kind: the draw is written here, next to the [`Sampler`] it reads; the
/// spec check, the engine run, the key entry and the views are in their own files.
impl Kind for RnnAccount {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // Whole amounts only, none much above the 2022 exam's largest (11000): the work is
    // adding and subtracting round amounts, and larger ones only cost time.
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 1,
        max_integer: 15_000,
        max_fractions: 0,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: Some("      h0: [10000, 5000, 765]\n      xs: [[1000, 0], [1000, 3500], [0, 4000]]\n      \
             stack: {cell: lstm, layers: 2, input_size: 2, hidden_size: 3, bidirectional: false, \
             bias: 1}\n"),
        partly_pinned: (
            "      h0: [10000, 5000, 765]\n      draw: {}\n",
            &[("h0", "[10000, 5000, 765]")],
        ),
        broken: (
            "      h0: [10000, 5000, 765]\n      xs: [[0, 5000]]\n      stack: {cell: lstm, layers: 2, \
             input_size: 2, hidden_size: 3, bidirectional: false, bias: 1}\n",
            "no_zero_balance",
        ),
    };
    type Spec = Spec;
    type Plan = Sampler;
    type Params = Params;
    type Solution = Solution;
    type KeyParams = key::KeyParams;
    type Answers = key::Answers;
    type Question = render::Question;
    type Worked = render::SolutionSheet;

    fn pinned(plan: &Sampler) -> Option<Params> {
        let p = &plan.pinned;
        Some(Params {
            points: plan.points,
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

    fn candidate(plan: &Sampler, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let k = &plan.knobs;
        let unit = k.unit as f64;
        let amount = |rng: &mut VariantRng, (lo, hi): (i64, i64)| int_in(rng, lo, hi) as f64 * unit;
        let h0 = match &plan.pinned.h0 {
            Some(h0) => h0.clone(),
            None => {
                let overdraft = amount(rng, k.overdraft);
                let balance = amount(rng, k.balance);
                Array1::from(vec![balance + overdraft, overdraft, balance.max(0.0)])
            }
        };
        let xs = match &plan.pinned.xs {
            Some(xs) => xs.clone(),
            None => {
                let mut xs = Array2::zeros((k.transactions, 2));
                let mut available = h0[0];
                for t in 0..k.transactions {
                    let deposit = amount(rng, k.deposit);
                    // Less than was available before the deposit: the withdrawal's range
                    // is cut there (`withdrawal_covered`, `available_positive`).
                    let cap = (available / unit).ceil() as i64 - 1;
                    if cap < k.withdrawal.0 {
                        return Err(&WITHDRAWAL_COVERED);
                    }
                    let withdrawal = amount(rng, (k.withdrawal.0, k.withdrawal.1.min(cap)));
                    available += deposit - withdrawal;
                    xs[[t, 0]] = deposit;
                    xs[[t, 1]] = withdrawal;
                }
                xs
            }
        };
        let p = &plan.pinned;
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
            points: plan.points,
            h0,
            xs,
            stack,
        };
        if k.require_minus && !reaches_minus(&params) {
            return Err(&REACHES_MINUS);
        }
        Ok(params)
    }

    fn constraints(plan: &Sampler) -> Vec<Rejection> {
        let mut list = all(CONSTRAINTS);
        if !Self::is_fixed(plan) {
            list.extend([&WITHDRAWAL_COVERED, &AVAILABLE_POSITIVE]);
        }
        if plan.knobs.require_minus {
            list.push(&REACHES_MINUS);
        }
        list
    }
}

impl Sampler {
}

#[cfg(test)]
mod tests {
    use super::super::RnnAccount as K;
    use crate::problems::Kind as _;
    use super::*;
    use crate::draw::broken;
    use crate::draw::problem_rng;
    
    use crate::spec::FieldError;

    const Y2022: &str = "h0: [10000, 5000, 765]
xs: [[1000, 0], [1000, 3500], [0, 4000]]
stack: {cell: lstm, layers: 2, input_size: 2, hidden_size: 3, bidirectional: false, bias: 1}
";

    fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<crate::problems::rnn_account::RnnAccount>(yaml)
    }

    #[test]
    fn the_2022_variant_is_fixed_and_meets_every_constraint() {
        let s = sampler(Y2022).unwrap();
        assert!(K::is_fixed(&s));
        let (p, sol, tries) = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap();
        assert_eq!(tries, 1);
        assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
        assert!(reaches_minus(&p));
        assert_eq!(sol.stack_params, 156);
    }

    #[test]
    fn pinned_parameters_are_kept_and_the_rest_drawn() {
        let s =
            sampler("h0: [10000, 5000, 765]\nstack: {cell: gru}\ndraw: {require_minus: true}\n")
                .unwrap();
        assert!(!K::is_fixed(&s));
        for student in 0..100 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(4, student, 0, 0)).unwrap();
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
        assert!(K::is_fixed(&s));
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "reaches_minus");
    }

    #[test]
    fn a_broken_fixed_variant_names_the_constraint() {
        let yaml = Y2022.replace("[0, 4000]", "[0, 3500]");
        let err = K::draw(&sampler(&yaml).unwrap(), &mut problem_rng(0, 0, 0, 0))
            .unwrap_err();
        assert_eq!(err.constraint, "no_zero_balance");
    }
}
