//! The properties every bptt_rnn variant has, as values: the list `examgen check` prints
//! and the checks a candidate (or a pinned variant) must pass.

use super::{Params, Solution};
use crate::draw::Constraint;

/// W_hh is triangular (always, for H = 1): its eigenvalues are its diagonal entries.
fn triangular(p: &Params) -> bool {
    let w = &p.w_hh;
    w.nrows() < 2 || w[[0, 1]] == 0.0 || w[[1, 0]] == 0.0
}

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "triangular_recurrence",
        description: "W_hh is triangular, so its eigenvalues are its diagonal entries and \
                      the spectral radius is read off the sheet",
        holds: |p, _| triangular(p),
    },
    Constraint {
        name: "spectral_radius_not_one",
        description: "the spectral radius of W_hh is not 1, so over many steps the product \
                      of Jacobians clearly vanishes (< 1) or explodes (> 1)",
        holds: |_, s| s.spectral_radius != 1.0,
    },
    Constraint {
        name: "inputs_matter",
        description: "no entry of W_xh is 0 (else that unit never sees the input)",
        holds: |p, _| p.w_xh.iter().all(|&u| u != 0.0),
    },
    Constraint {
        name: "no_zero_preactivation",
        description: "no pre-activation is exactly 0, where ReLU′ is a convention (the sheet \
                      states ReLU′(0) = 0 anyway)",
        holds: |_, s| s.pre.iter().all(|&a| a != 0.0),
    },
    Constraint {
        name: "gradient_flows",
        description: "∂L/∂a⁽³⁾ is not zero: the loss sends a gradient into the last step",
        holds: |_, s| s.delta.row(s.delta.nrows() - 1).iter().any(|&d| d != 0.0),
    },
    Constraint {
        name: "reaches_h0",
        description: "with H = 2, ∂L/∂h⁽⁰⁾ is not zero: the gradient finds a path back through \
                      time around any inactive unit (with H = 1 an inactive step blocks it, \
                      which the sheet then shows)",
        holds: |p, s| p.hidden() < 2 || s.grad_h.row(0).iter().any(|&g| g != 0.0),
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::BpttRnn>),
];

/// The routing knob (`draw.require_inactive`, on by default): some ReLU is inactive at
/// some step, so the gradient's path through D_t matters.
pub const SOME_RELU_INACTIVE: Constraint<Params, Solution> = Constraint {
    name: "some_relu_inactive",
    description: "some pre-activation is negative (an inactive ReLU at some step), so the \
                  gradient is routed by ReLU′ (draw.require_inactive)",
    holds: |_, s| s.relu_grad.iter().any(|&d| d == 0.0),
};

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PAIR, SCALAR};
    use super::{CONSTRAINTS, SOME_RELU_INACTIVE};
    use crate::draw::{all, broken};
    use crate::problems::kind::Variant as _;

    fn broken_by(yaml: &str) -> Vec<&'static str> {
        let p = sampler(yaml).unwrap().fixed().unwrap();
        let mut list = all(CONSTRAINTS);
        list.push(&SOME_RELU_INACTIVE);
        broken(&p, &p.solve(), &list)
    }

    #[test]
    fn each_constraint_can_fail_and_hold() {
        assert_eq!(broken_by(SCALAR), Vec::<&str>::new());
        assert_eq!(broken_by(PAIR), vec!["some_relu_inactive"]);
        let upper_and_lower = PAIR.replace("[[0.5, 0], [1, 2]]", "[[0.5, 1], [1, 2]]");
        assert!(broken_by(&upper_and_lower).contains(&"triangular_recurrence"));
        let unit = SCALAR.replace("[[0.5]]", "[[-1]]");
        assert!(broken_by(&unit).contains(&"spectral_radius_not_one"));
        assert!(broken_by(&PAIR.replace("w_xh: [1, -1]", "w_xh: [1, 0]")).contains(&"inputs_matter"));
        // a⁽¹⁾ = ½·2 + 0 − 1 = 0.
        let zero = SCALAR.replace("x: [2, -1, 3]", "x: [0, -1, 3]");
        assert!(broken_by(&zero).contains(&"no_zero_preactivation"));
        // a⁽³⁾ = 0 − 2 − 1 < 0: the last step is dead.
        let dead = SCALAR.replace("x: [2, -1, 3]", "x: [2, -1, -2]");
        assert!(broken_by(&dead).contains(&"gradient_flows"));
        // Both units dead at step 1 (a⁽¹⁾ = [−1, −1]): nothing reaches h⁽⁰⁾.
        let blocked = "w_hh: [[0.5, 0], [1, 2]]\nw_xh: [1, 1]\nbias: false\nh0: [0, 0]\n\
                       x: [-1, 1, 1]\nloss: linear\nv: [1, 2]\n";
        assert_eq!(broken_by(blocked), vec!["reaches_h0"]);
        // h⁽³⁾ = y: no gradient either.
        assert!(broken_by(&SCALAR.replace("y: [1]", "y: [2]")).contains(&"gradient_flows"));
    }
}
