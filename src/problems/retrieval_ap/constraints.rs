//! The constraints every variant satisfies (what `examgen check` lists), and the exact
//! rational check behind `similarities_exact`.

use super::{Params, Solution};
use crate::draw::Constraint;
use crate::engine::retrieval::{has_ties, Similarity};
use crate::exact::Rational;

/// The largest denominator a similarity may have to count as exact.
const MAX_SIMILARITY_DENOMINATOR: i64 = crate::exact::MAX_DEN;

pub(super) const TWO_RELEVANT: Constraint<Params, Solution> = Constraint {
    name: "two_relevant",
    description: "at least two database items share the query's label",
    holds: |_, s| s.relevant.iter().filter(|&&r| r).count() >= 2,
};

pub(super) const DISTINCT_DISTANCES: Constraint<Params, Solution> = Constraint {
    name: "distinct_distances",
    description: "no item equals the query and no two items are equally similar to it, \
                  so the ranking is unambiguous",
    holds: |_, s| {
        s.similarities.iter().all(|v| v.is_finite()) && !has_ties(&s.similarities, 1e-12)
    },
};

/// The largest denominator a drawn similarity may have: 2022's were 1, 1/2, 1/3 and 1/4;
/// 2/13 or 2/19 (half of the variants before this bound) are not worked by hand.
pub const MAX_READABLE_DENOMINATOR: i64 = 10;

/// Two drawn similarities differ by at least 1/`CLEAR_STEP`, so ranking them by hand is
/// never a close call (1/6 against 2/11 differ by 0.015); 1/5 and 1/6 are just apart.
pub const CLEAR_STEP: i64 = 30;

/// A similarity as a fraction the sheet can show and a student reads at a glance.
pub(super) fn readable(similarity: f64) -> Option<Rational> {
    Rational::recognize(similarity, MAX_SIMILARITY_DENOMINATOR)
        .filter(|r| r.den() <= MAX_READABLE_DENOMINATOR)
}

/// Whether two similarities are a clear step apart.
pub(super) fn apart(a: Rational, b: Rational) -> bool {
    (a - b).abs() >= Rational::new(1, CLEAR_STEP)
}

/// Fairness of the ranking: only for drawn coordinates (a pinned database is the
/// lecturer's choice, e.g. 2022's, which has both properties).
pub(super) const READABLE_SIMILARITIES: Constraint<Params, Solution> = Constraint {
    name: "readable_similarities",
    description: "every similarity is a fraction with a denominator of at most 10 (2022: 1, \
                  1/2, 1/3, 1/4), so none is like 2/13 or 2/19 (drawn coordinates only)",
    holds: |_, s| s.similarities.iter().all(|&v| readable(v).is_some()),
};

pub(super) const SIMILARITIES_APART: Constraint<Params, Solution> = Constraint {
    name: "similarities_apart",
    description: "any two similarities differ by at least 1/30, so ranking them by hand is \
                  never a close call like 1/6 against 2/11 (drawn coordinates only)",
    holds: |_, s| {
        let Some(sims) = s
            .similarities
            .iter()
            .map(|&v| Rational::recognize(v, MAX_SIMILARITY_DENOMINATOR))
            .collect::<Option<Vec<_>>>()
        else {
            return false;
        };
        sims.iter()
            .enumerate()
            .all(|(i, &a)| sims[..i].iter().all(|&b| apart(a, b)))
    },
};

/// Why a candidate, or a part of one, was given up.
pub(super) type Rejection = crate::draw::Rejection<Params, Solution>;

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    DISTINCT_DISTANCES,
    TWO_RELEVANT,
    Constraint {
        name: "one_irrelevant",
        description: "at least one database item has another label",
        holds: |_, s| s.relevant.iter().any(|&r| !r),
    },
    Constraint {
        name: "ap_below_one",
        description: "some irrelevant item ranks above a relevant one, so AP < 1",
        holds: |_, s| s.ap_exact != Rational::ONE,
    },
    Constraint {
        name: "similarities_exact",
        description: "every similarity is a fraction (denominator at most 5040) equal to its \
                      exact value from the coordinates, so none is printed rounded or as 0",
        holds: |p, s| {
            (0..p.x.nrows()).all(|k| {
                Rational::recognize(s.similarities[k], MAX_SIMILARITY_DENOMINATOR)
                    .is_some_and(|shown| shows_exactly(p, k, shown))
            })
        },
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::RetrievalAp>),
];

/// Whether `shown` is exactly the similarity of item `k`, computed in rationals from the
/// coordinates (spec numbers and drawn coordinates are exact fractions). Float
/// recognition alone takes a tiny enough value for 0 (at its old tolerance of 1e-9, with
/// coordinates near 10⁶ every inverse similarity printed as 0 while the ranking used the
/// true values). The
/// square-root similarities are checked through their squares. A coordinate that is not
/// a small fraction, or arithmetic that leaves i64, counts as not exact.
fn shows_exactly(p: &Params, k: usize, shown: Rational) -> bool {
    let exact_sum = |term: &dyn Fn(Rational, Rational) -> Option<Rational>| {
        p.query
            .iter()
            .zip(p.x.row(k).iter())
            .try_fold(Rational::ZERO, |sum, (&q, &x)| {
                let q = Rational::exactly(q, MAX_SIMILARITY_DENOMINATOR)?;
                let x = Rational::exactly(x, MAX_SIMILARITY_DENOMINATOR)?;
                sum.checked_add(term(q, x)?)
            })
    };
    let squared_distance = || {
        exact_sum(&|q, x| {
            let d = q.checked_sub(x)?;
            d.checked_mul(d)
        })
    };
    let square = |r: Rational| r.checked_mul(r);
    let holds = || -> Option<bool> {
        Some(match p.similarity {
            Similarity::InverseL1 => {
                let distance = exact_sum(&|q, x| Some(q.checked_sub(x)?.abs()))?;
                shown.checked_mul(distance)? == Rational::ONE
            }
            Similarity::InverseL2Squared => {
                shown.checked_mul(squared_distance()?)? == Rational::ONE
            }
            Similarity::NegativeL2 => shown.signum() <= 0 && square(shown)? == squared_distance()?,
            Similarity::Cosine => {
                let dot = exact_sum(&|q, x| q.checked_mul(x))?;
                let q_norm = exact_sum(&|q, _| q.checked_mul(q))?;
                let x_norm = exact_sum(&|_, x| x.checked_mul(x))?;
                shown.signum() == dot.signum()
                    && square(shown)?.checked_mul(q_norm)?.checked_mul(x_norm)? == square(dot)?
            }
        })
    };
    holds().unwrap_or(false)
}
