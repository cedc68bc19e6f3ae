//! The properties every softmax_ce variant has, as values: the list `examgen check`
//! prints and the checks a candidate (or a pinned variant) must pass.

use super::{Params, Solution};
use crate::draw::Constraint;

/// The largest denominator a probability may have (after reduction), so that the sheet
/// stays hand-solvable: the sum Σ b^{e_j − m} is computed by hand.
pub const MAX_PROBABILITY_DENOMINATOR: i64 = 64;

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "logits_not_all_equal",
        description: "the logits are not all equal (equal logits give the uniform p, \
                      which needs no computation)",
        holds: |p, _| p.logits.iter().any(|&e| e != p.logits[0]),
    },
    Constraint {
        name: "readable_probabilities",
        description: "the logits are integer multiples of ln b, so the probabilities are \
                      fractions b^{e_i} / Σ b^{e_j}, each with a denominator of at most 64",
        holds: |_, s| {
            s.p_exact.as_ref().is_some_and(|p| {
                p.iter()
                    .all(|r| r.den() <= MAX_PROBABILITY_DENOMINATOR)
            })
        },
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::SoftmaxCe>),
];

#[cfg(test)]
mod tests {
    use crate::problems::kind::Variant as _;
    use super::super::Params;
    use super::CONSTRAINTS;
    use crate::draw::{all, broken};

    fn broken_by(logits: &[i64], ln_base: u32) -> Vec<&'static str> {
        let p = Params {
            points: None,
            logits: logits.to_vec(),
            ln_base,
            y: 0,
        };
        broken(&p, &p.solve(), &all(CONSTRAINTS))
    }

    #[test]
    fn each_constraint_can_fail_and_hold() {
        assert_eq!(broken_by(&[1, 0, 2], 2), Vec::<&str>::new());
        assert_eq!(broken_by(&[-1, -1], 2), vec!["logits_not_all_equal"]);
        // 2^6 + 1 = 65 > 64; 2^5 + 1 + 1 = 34 (reduced to 17) is fine.
        assert_eq!(broken_by(&[6, 0], 2), vec!["readable_probabilities"]);
        assert_eq!(broken_by(&[5, 0, 0], 2), Vec::<&str>::new());
        // 3^3 + 3 + 1 = 31.
        assert_eq!(broken_by(&[3, 1, 0], 3), Vec::<&str>::new());
    }
}
