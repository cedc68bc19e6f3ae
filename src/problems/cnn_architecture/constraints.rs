//! The properties every cnn_architecture variant has, as values: the list `examgen
//! check` prints and the checks a candidate (or a pinned variant) must pass.

use super::{Params, Solution};
use crate::draw::Constraint;

/// A drawn stack has as many layers as `draw.layers_range` allows; only the sampler can
/// break it (a pinned stack has the length the lecturer wrote).
pub(super) const LAYER_COUNT: Constraint<Params, Solution> = Constraint::while_drawing(
    "layer_count",
    "a drawn stack has as many layers as draw.layers_range allows (ReLU, batch \
     normalisation and flatten count as layers); a pinned stack may have 3 to 12",
);

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "exact_division",
        description: "in every convolution and pooling layer (H + 2P − K) and (W + 2P − K) \
                      are multiples of the stride, so ⌊(H + 2P − K)/S⌋ + 1 needs no floor \
                      (PyTorch floors; the sheet never has to)",
        holds: |_, s| s.rows.iter().all(|r| r.exact),
    },
    Constraint {
        name: "sides_at_least_one",
        description: "every feature map has height and width of at least 1 (the window \
                      fits its padded input)",
        holds: |_, s| {
            s.rows.iter().all(|r| match r.output {
                super::Shape::Map { h, w, .. } => h >= 1 && w >= 1,
                super::Shape::Flat(n) => n >= 1,
            })
        },
    },
    LAYER_COUNT,
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::CnnArchitecture>),
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
        // (32 + 2 − 3)/2 is not whole.
        let odd = PINNED.replace("{k: 3, padding: 1, out: 8}", "{k: 3, stride: 2, padding: 1, out: 8}");
        assert_eq!(broken_by(&odd), vec!["exact_division"]);
        // 2×2 input: a 3×3 window without padding does not fit (and 2 − 3 < 0).
        let tiny = PINNED.replace("[3, 32, 32]", "[3, 2, 2]").replace("padding: 1, ", "");
        assert_eq!(broken_by(&tiny), vec!["exact_division", "sides_at_least_one"]);
        // A 2×2 map pooled by a 2×2 window with stride 1 gives 1×1: fine.
        let one = PINNED
            .replace("[3, 32, 32]", "[3, 2, 2]")
            .replace("maxpool: {k: 2}", "maxpool: {k: 2, stride: 1}");
        assert_eq!(broken_by(&one), Vec::<&str>::new());
    }
}
