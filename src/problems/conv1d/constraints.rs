//! The properties every conv1d variant has, as values: the list `examgen check` prints
//! and the checks a candidate (or a pinned variant) must pass.

use super::exact::{exact_probabilities, exponents, readable, unit_gaps};
use super::{Params, Solution};
use crate::draw::Constraint;

/// The largest denominator a softmax probability may have (after reduction), so that the
/// fractions stay readable by hand.
pub const MAX_PROBABILITY_DENOMINATOR: i64 = 100;

pub(super) const RELU_CHANGES_SOMETHING: Constraint<Params, Solution> = Constraint {
    name: "relu_changes_something",
    description: "at least one conv output is negative, so the ReLU changes it",
    holds: |_, s| s.h1.iter().any(|&v| v < 0.0),
};

pub(super) const NO_DEAD_FEATURE_MAP: Constraint<Params, Solution> = Constraint {
    name: "no_dead_feature_map",
    description: "every feature map has a positive value after the ReLU",
    holds: |_, s| s.h2.rows().into_iter().all(|r| r.iter().any(|&v| v > 0.0)),
};

pub(super) const INTEGER_POOLED: Constraint<Params, Solution> = Constraint {
    name: "integer_pooled",
    description: "every pooled average is an integer (the ReLU'd sum is divisible by its length)",
    holds: |_, s| s.pooled.iter().all(|v| v.fract() == 0.0),
};

pub(super) const READABLE_PROBABILITIES: Constraint<Params, Solution> = Constraint {
    name: "readable_probabilities",
    description: "the logits are integer multiples of ln b, so the softmax probabilities are \
                  fractions, each with a denominator of at most 100",
    holds: |p, s| {
        exponents(&p.w2_units, &p.b2_units, &s.pooled)
            .and_then(|e| exact_probabilities(&e, p.ln_base))
            .is_some_and(|probs| readable(&probs))
    },
};

pub(super) const KERNEL_GRADIENTS_NONZERO: Constraint<Params, Solution> = Constraint {
    name: "kernel_gradients_nonzero",
    description: "every kernel gets a non-zero gradient",
    holds: |_, s| {
        s.grad_kernels
            .rows()
            .into_iter()
            .all(|r| r.iter().any(|v| v.abs() > 1e-9))
    },
};

pub(super) const DISTINCT_KERNELS: Constraint<Params, Solution> = Constraint {
    name: "distinct_kernels",
    description: "no two kernels are equal",
    holds: |p, _| {
        let rows: Vec<_> = p.kernels.rows().into_iter().collect();
        rows.iter()
            .enumerate()
            .all(|(i, a)| rows[..i].iter().all(|b| a != b))
    },
};

/// Drawn kernels avoid a conv output of exactly 0, so that nobody has to know the
/// convention relu'(0) = 0; pinned kernels may sit on the kink.
pub(super) const NO_RELU_KINK: Constraint<Params, Solution> = Constraint::while_drawing(
    "no_relu_kink",
    "no drawn kernel gives a conv output of exactly 0, so nobody needs the convention for \
     the ReLU derivative at 0; pinned kernels may",
);

/// A kernel with a single non-zero entry only shifts and scales x (e.g. [1, 0, 0]): its
/// feature map needs no convolution. Only the draw avoids it; a lecturer may pin one.
pub(super) const NONTRIVIAL_KERNELS: Constraint<Params, Solution> = Constraint::while_drawing(
    "nontrivial_kernels",
    "every drawn kernel of length 2 or more has at least two non-zero entries, so no feature \
     map is just x shifted and scaled; pinned kernels may",
);

/// Fairness of the softmax: as in 2022 (p = 1/3, 2/3 from logits ln 2 apart), the
/// distinct logits are one unit of ln b apart, so p needs no large powers of b and the
/// gradients stay in small denominators (a gap of 6 ln 2 gave p = 1/65, 64/65 and
/// kernel gradients over 195). Drawn plans only: a pinned head is the lecturer's choice.
pub(super) const UNIT_LOGIT_GAPS: Constraint<Params, Solution> = Constraint {
    name: "unit_logit_gaps",
    description: "the logits take at least two different values, consecutive multiples of \
                  ln b (gaps of ln 2 with b = 2, ln 3 with b = 3; 2022: p = 1/3, 2/3), so \
                  the softmax needs no large powers (drawn variants only)",
    holds: |p, s| exponents(&p.w2_units, &p.b2_units, &s.pooled).is_some_and(|e| unit_gaps(&e)),
};

/// Why a candidate, or a part of one, was given up.
pub(super) type Rejection = crate::draw::Rejection<Params, Solution>;

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "integer_inputs",
        description: "x and the kernels are integers, so every conv output is an integer",
        holds: |p, _| p.x.iter().chain(p.kernels.iter()).all(|v| v.fract() == 0.0),
    },
    NO_RELU_KINK,
    RELU_CHANGES_SOMETHING,
    NO_DEAD_FEATURE_MAP,
    INTEGER_POOLED,
    READABLE_PROBABILITIES,
    KERNEL_GRADIENTS_NONZERO,
    DISTINCT_KERNELS,
    NONTRIVIAL_KERNELS,
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::Conv1d>),
];
