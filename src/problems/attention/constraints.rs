//! The properties every attention variant has, as values: the list `examgen check`
//! prints and the checks a candidate (or a pinned variant) must pass.

use super::{Concept, Params, Solution};
use crate::draw::Constraint;

/// The largest denominator a weight may have (after reduction): a row's sum
/// Σ_j b^{E_ij − m} is added by hand.
pub const MAX_WEIGHT_DENOMINATOR: i64 = 64;

/// The keys query i sees and their exponents (a row of E without the masked entries).
fn visible(s: &Solution, i: usize) -> Vec<Option<i64>> {
    s.exponents[i].iter().copied().filter(Option::is_some).collect()
}

/// Whether every visible score is a whole multiple of ln b: E = QK̃ᵀ/√d_k is integer.
fn scores_whole(p: &Params, s: &Solution) -> bool {
    let r = p.sqrt_d_k();
    s.qk.iter().enumerate().all(|(i, row)| {
        row.iter()
            .enumerate()
            .all(|(j, &x)| !p.visible(i, j) || x % r == 0)
    })
}

/// Whether every row that sees two keys or more has unequal scores.
fn no_uniform_row(p: &Params, s: &Solution) -> bool {
    (0..p.n()).all(|i| {
        let row = visible(s, i);
        row.len() < 2 || row.iter().any(|e| *e != row[0])
    })
}

/// Whether each row that sees two keys or more has one largest weight.
pub fn unique_strongest(p: &Params, s: &Solution) -> bool {
    (0..p.n()).all(|i| {
        let row = visible(s, i);
        let max = row.iter().flatten().max();
        row.len() < 2 || row.iter().filter(|e| e.as_ref() == max).count() == 1
    })
}

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "scores_in_ln_units",
        description: "every visible entry of QK̃ᵀ is a multiple of √d_k, so every score \
                      S_ij = QK̃ᵀ_ij ln b / √d_k is an integer multiple of ln b",
        holds: scores_whole,
    },
    Constraint {
        name: "no_uniform_row",
        description: "no query that sees two keys or more scores them all alike (equal \
                      scores give uniform weights, which need no computation)",
        holds: no_uniform_row,
    },
    Constraint {
        name: "readable_weights",
        description: "every weight is a fraction b^{E_ij} / Σ_j b^{E_ij} with a \
                      denominator of at most 64",
        holds: |_, s| {
            s.weights_exact.iter().all(|row| {
                row.as_ref().is_some_and(|r| {
                    r.iter().all(|w| w.den() <= MAX_WEIGHT_DENOMINATOR)
                })
            })
        },
    },
    Constraint {
        name: "concept_fits",
        description: "the conceptual question fits the variant: `mask` only with the \
                      causal mask, `strongest` only when every query has one largest \
                      weight",
        holds: |p, s| match p.concept {
            Concept::Scaling => true,
            Concept::Mask => p.causal,
            Concept::Strongest => unique_strongest(p, s),
        },
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::Attention>),
];

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::CONSTRAINTS;
    use crate::draw::{all, broken};
    use crate::problems::kind::Variant as _;

    fn broken_by(yaml: &str) -> Vec<&'static str> {
        let p = sampler(yaml).unwrap().fixed().unwrap();
        broken(&p, &p.solve(), &all(CONSTRAINTS))
    }

    #[test]
    fn each_constraint_can_fail_and_hold() {
        assert_eq!(broken_by(PINNED), Vec::<&str>::new());
        // q1 · k1 = 1: odd, so the halved score is not a multiple of ln 2.
        let odd = PINNED.replace("K: [[1, 1, 0, 0]", "K: [[1, 0, 0, 0]");
        let got = broken_by(&odd);
        assert!(got.contains(&"scores_in_ln_units"), "{got:?}");
        let uniform = PINNED.replace("[-1, 1, 1, 1]]", "[0, 0, 0, 0]]");
        assert_eq!(broken_by(&uniform), vec!["no_uniform_row"]);
        // 2^6 + 1 = 65.
        let wide = "Q: [[6], [1]]\nK: [[1], [0]]\nV: [[1], [0]]\nG: [[1], [0]]\nln_base: 2\n\
                    causal: false\nconcept: scaling\n";
        assert_eq!(broken_by(wide), vec!["readable_weights"]);
        assert_eq!(
            broken_by(&PINNED.replace("concept: scaling", "concept: mask")),
            vec!["concept_fits"]
        );
        // Row 3's E = [0, −1, −1] has one largest; row 2's [0, 1, 0] too.
        assert!(broken_by(&PINNED.replace("concept: scaling", "concept: strongest")).is_empty());
        let tie = PINNED.replace("[-1, 1, 1, 1]]", "[1, 1, -1, -1]]");
        let got = broken_by(&tie.replace("concept: scaling", "concept: strongest"));
        assert!(got.contains(&"concept_fits"), "{got:?}");
    }
}
