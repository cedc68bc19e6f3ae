//! The properties every triplet_loss variant has, as values: the list `examgen check`
//! prints and the checks a candidate (or a pinned variant) must pass.

use super::sampler::{integer_length, offset};
use super::{Params, Solution};
use crate::draw::Constraint;

/// How much nearer (in squared distance) the nearest class mean must be than every
/// other, so that the class is not decided by a slip in the last fraction.
pub const MEAN_GAP: f64 = 1.0;

pub(super) const INTEGER_DISTANCES: Constraint<Params, Solution> = Constraint {
    name: "integer_distances",
    description: "p ≠ a, n ≠ a, and d(a, p), d(a, n) are whole numbers (Pythagorean \
                  offsets such as (3, 4), (6, 8), (5, 12)), so every gradient is a \
                  fraction with a distance as its denominator",
    holds: |p, _| {
        [p.positive, p.negative]
            .iter()
            .all(|&x| integer_length(offset(p.anchor, x)).is_some_and(|d| d > 0))
    },
};

pub(super) const MARGIN_FOR_HINGE_STATE: Constraint<Params, Solution> =
    Constraint::while_drawing(
        "margin_for_hinge_state",
        "some margin in draw.margin_range gives the drawn hinge state (active or \
         inactive) for the drawn distances",
    );

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    INTEGER_DISTANCES,
    Constraint {
        name: "hinge_clear",
        description: "the argument of the loss's max is not 0 (a whole number, so at least \
                      1 away from the kink, where the gradient is not defined)",
        holds: |_, s| s.hinge != 0.0,
    },
    MARGIN_FOR_HINGE_STATE,
    Constraint {
        name: "clear_nearest_mean",
        description: "the query's squared distance to the nearest class mean is at least 1 \
                      below its squared distance to every other class mean",
        holds: |_, s| {
            let nearest = s.sq_distances[s.predicted];
            s.sq_distances
                .iter()
                .enumerate()
                .all(|(c, &d)| c == s.predicted || d - nearest >= MEAN_GAP - 1e-9)
        },
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::TripletLoss>),
];

#[cfg(test)]
mod tests {
    use super::super::{Loss, Params};
    use super::CONSTRAINTS;
    use crate::draw::{all, broken};
    use crate::problems::kind::Variant as _;

    fn broken_by(positive: [i64; 2], margin: i64, query: [i64; 2]) -> Vec<&'static str> {
        let p = Params {
            points: None,
            loss: Loss::Triplet,
            anchor: [0, 0],
            positive,
            negative: [6, 8],
            margin,
            support: vec![vec![[0, 0], [2, 0]], vec![[4, 0]]],
            query,
        };
        broken(&p, &p.solve(), &all(CONSTRAINTS))
    }

    #[test]
    fn each_constraint_can_fail_and_hold() {
        // d(a, p) = 5, d(a, n) = 10; means (1, 0) and (4, 0).
        assert_eq!(broken_by([3, 4], 6, [0, 0]), Vec::<&str>::new());
        assert_eq!(broken_by([3, 4], 5, [0, 0]), vec!["hinge_clear"]);
        assert_eq!(broken_by([1, 1], 6, [0, 0]), vec!["integer_distances"]);
        assert_eq!(broken_by([0, 0], 6, [0, 0]), vec!["integer_distances"]);
        // q = (2, 1): squared distances 1 + 1 = 2 and 4 + 1 = 5, clear.
        assert_eq!(broken_by([3, 4], 6, [2, 1]), Vec::<&str>::new());
        let p = Params {
            points: None,
            loss: Loss::Contrastive,
            anchor: [0, 0],
            positive: [3, 4],
            negative: [6, 8],
            margin: 12,
            support: vec![vec![[0, 0], [3, 0]], vec![[3, 0], [2, 0]]],
            query: [2, 0],
        };
        // Means (3/2, 0) and (5/2, 0): 1/4 against 1/4, a tie.
        assert_eq!(broken(&p, &p.solve(), &all(CONSTRAINTS)), vec!["clear_nearest_mean"]);
    }
}
