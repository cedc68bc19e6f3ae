//! The properties every conv2d_pool variant has, as values: the list `examgen check`
//! prints and the checks a candidate (or a pinned variant) must pass. That the sizes
//! divide exactly is not among them: the spec refuses such a geometry when it is read.

use super::{Params, Solution};
use crate::draw::Constraint;

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "no_ties_in_pooling",
        description: "every pooling window of ReLU(Z) has exactly one maximum, so the \
                      gradient's route is unambiguous; the maximum is then positive, so a \
                      pre-activation of 0 is never a window's maximum and gets no gradient \
                      whatever ReLU′(0) is taken to be",
        holds: |_, s| s.windows.iter().all(|w| w.maxima == 1),
    },
    Constraint {
        name: "relu_clips",
        description: "some pre-activation is negative, so the ReLU changes something",
        holds: |_, s| s.z.iter().any(|&v| v < 0.0),
    },
    Constraint {
        name: "upstream_nonzero",
        description: "every entry of the given ∂L/∂M is nonzero, so every window sends a \
                      gradient back",
        holds: |p, _| p.upstream.iter().all(|&g| g != 0.0),
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::Conv2dPool>),
];

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::CONSTRAINTS;
    use crate::draw::{all, broken};
    use crate::problems::kind::Variant as _;

    fn broken_by(edit: impl Fn(&mut super::Params)) -> Vec<&'static str> {
        let mut p = sampler(PINNED).unwrap().fixed().unwrap();
        edit(&mut p);
        broken(&p, &p.solve(), &all(CONSTRAINTS))
    }

    #[test]
    fn each_constraint_can_fail_and_hold() {
        assert_eq!(broken_by(|_| {}), Vec::<&str>::new());
        // x_00 = 6 makes z_00 = 6, a tie with z_10 = 6 in the first window; x_00 = 2
        // makes z_00 = 2, no tie.
        assert_eq!(broken_by(|p| p.image[0][(0, 0)] = 2.0), Vec::<&str>::new());
        assert_eq!(
            broken_by(|p| p.image[0][(0, 0)] = 6.0),
            vec!["no_ties_in_pooling"]
        );
        // A bias of 5 makes every pre-activation positive.
        assert_eq!(broken_by(|p| p.bias = 5.0), vec!["relu_clips"]);
        assert_eq!(
            broken_by(|p| p.upstream[(1, 0)] = 0.0),
            vec!["upstream_nonzero"]
        );
    }
}
