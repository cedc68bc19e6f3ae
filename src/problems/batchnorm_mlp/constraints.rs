//! The properties every variant has, as values: the list `examgen check` prints and the
//! reasons the sampler gives when it rejects a candidate early.

use super::{Params, Solution};
use crate::draw::Constraint;

/// Tolerance for "equal" and "integer" on values built from small integers.
pub(super) const TOL: f64 = 1e-9;

pub(super) const VARIANCE_NONZERO: Constraint<Params, Solution> = Constraint {
    name: "variance_nonzero",
    description: "every hidden unit has a non-zero batch variance",
    holds: |_, s| s.stats.var.iter().all(|&v| v > TOL),
};

pub(super) const SIGMA_IN_SET: Constraint<Params, Solution> = Constraint {
    name: "sigma_in_set",
    description: "every batch σ is an integer from draw.sigmas (default 1 and 2), so the \
                  normalized values are exact",
    holds: |p, s| {
        p.promise
            .as_ref()
            .is_none_or(|promise| s.stats.std.iter().all(|&v| in_set(v, &promise.sigmas)))
    },
};

pub(super) const SIGMOID_EXACT: Constraint<Params, Solution> = Constraint {
    name: "sigmoid_exact",
    description: "unless sigmoid_decimals is given, every example has the same logit s = 0 \
                  or ±ln k for k in draw.odds (default 1, 2), so p is 1/2, k/(k+1) or \
                  1/(k+1) exactly and the loss is the ln of a fraction",
    holds: |p, s| {
        let Some(promise) = &p.promise else {
            return true;
        };
        let (shift, odds) = match p.b2_ln {
            Some(ln) => (ln.to_f64(), i64::from(ln.base)),
            None => (0.0, 1),
        };
        p.sigmoid_decimals.is_some()
            || (promise.odds.contains(&odds) && s.s.iter().all(|v| (v - shift).abs() < TOL))
    },
};

pub(super) const NO_ZERO_EXAMPLE: Constraint<Params, Solution> = Constraint {
    name: "no_zero_example",
    description: "no example x is all zeros, whose gradient rows for W1 would be zero \
                  with nothing to compute (drawn variants)",
    holds: |p, _| p.promise.is_none() || p.x.rows().into_iter().all(|r| r.iter().any(|&v| v != 0.0)),
};

/// Why a candidate, or a part of one, was given up.
pub(super) type Rejection = crate::draw::Rejection<Params, Solution>;

/// The properties every variant of this problem has. Those after the first three are
/// promises of a spec with a `draw:` section (see [`Promise`](super::Promise)); a spec
/// without one is checked for the first three only.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    VARIANCE_NONZERO,
    Constraint {
        name: "relu_mask_mixed",
        description: "the ReLU mask over the batch is neither all on nor all off",
        holds: |_, s| s.h_hat.iter().any(|&v| v > 0.0) && s.h_hat.iter().any(|&v| v <= 0.0),
    },
    Constraint {
        name: "no_relu_kink",
        description: "no normalized value is exactly 0, so nobody needs the convention for \
                      the ReLU derivative at 0",
        holds: |_, s| s.h_hat.iter().all(|v| v.abs() > TOL),
    },
    SIGMA_IN_SET,
    SIGMOID_EXACT,
    NO_ZERO_EXAMPLE,
    Constraint {
        name: "w1_changes",
        description: "some entry of the W1 gradient is non-zero, so the step changes W1",
        holds: |p, s| p.promise.is_none() || s.grad_w1.iter().any(|v| v.abs() > TOL),
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::BatchnormMlp>),
];

/// Whether `sigma` is (within round-off) one of the integers in `set`.
pub(super) fn in_set(sigma: f64, set: &[i64]) -> bool {
    let r = sigma.round();
    (sigma - r).abs() < TOL && set.contains(&(r as i64))
}
