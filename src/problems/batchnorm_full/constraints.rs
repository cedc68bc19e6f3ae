//! The properties every batchnorm_full variant has, as values: the list `examgen check`
//! prints and the checks a candidate (or a pinned variant) must pass. Drawn batches
//! keep the first two by construction; pinned ones are checked here.

use super::{Params, Solution};
use crate::draw::Constraint;
use crate::exact::Rational;

/// The largest denominator σ may have: a pinned batch of fractions may give a
/// fractional σ, which still prints exactly.
const MAX_SIGMA_DENOMINATOR: i64 = 12;

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "nonconstant_features",
        description: "no feature is the same in every example (σ = 0 cannot normalise; \
                      the sheet uses ε = 0)",
        holds: |_, s| s.stats.var.iter().all(|&v| v > 0.0),
    },
    Constraint {
        name: "rational_sigma",
        description: "every σ is a fraction (σ² a square), so x̂ = (x − μ)/σ and every \
                      value after it are exact; drawn batches are a mean plus a deviation \
                      vector with an integer σ",
        holds: |_, s| {
            s.stats
                .std
                .iter()
                .all(|&v| Rational::recognize(v, MAX_SIGMA_DENOMINATOR).is_some())
        },
    },
    Constraint {
        name: "x_hat_not_all_unit",
        description: "in every feature some |x̂| ≠ 1: deviations that are all ±σ make x̂ = ±1 \
                      and the backward far shorter than other students'",
        holds: |_, s| {
            s.x_hat
                .columns()
                .into_iter()
                .all(|c| c.iter().any(|h| (h.abs() - 1.0).abs() > 1e-9))
        },
    },
    Constraint {
        name: "gamma_nonzero",
        description: "γ ≠ 0 for every feature (γ = 0 makes Y constant and every gradient \
                      but ∂L/∂γ, ∂L/∂β zero)",
        holds: |p, _| p.gamma.iter().all(|&g| g != 0.0),
    },
    Constraint {
        name: "gradient_not_projected_out",
        description: "for every feature ∂L/∂x ≠ 0: the upstream gradient is not a \
                      combination of 1 and x̂, the two directions the full backward \
                      projects out",
        holds: |_, s| {
            s.grad_x
                .columns()
                .into_iter()
                .all(|c| c.iter().any(|v| v.abs() > 1e-9))
        },
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::BatchnormFull>),
];
