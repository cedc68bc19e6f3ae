//! The properties every backprop_graph variant has, as values: the list `examgen check`
//! prints and the checks a candidate (or a pinned variant) must pass.

use super::sampler::Sampler;
use super::{Loss, Params, Solution};
use crate::draw::{Constraint, Rejection};

/// No hidden pre-activation on the ReLU's kink, where the derivative is a convention.
pub(super) const NO_RELU_KINK: Constraint<Params, Solution> = Constraint {
    name: "no_relu_kink",
    description: "no hidden pre-activation z_i is exactly 0, where ReLU has no derivative \
                  (the sheet states ReLU′(0) = 0 all the same)",
    holds: |_, s| s.z.iter().all(|&z| z != 0.0),
};

/// The gradient must reach the first layer through the one active unit.
pub(super) const GRADIENT_REACHES_W1: Constraint<Params, Solution> = Constraint {
    name: "gradient_reaches_w1",
    description: "the loss is not 0 and some entry of ∂L/∂W1 is not 0, so the backward pass \
                  has something to carry to the first layer",
    holds: |_, s| s.loss != 0.0 && s.grad_w1.iter().any(|&g| g != 0.0),
};

/// The routing question: one unit active, one not (drawn first layers only).
pub(super) const ONE_UNIT_INACTIVE: Constraint<Params, Solution> = Constraint::while_drawing(
    "one_unit_inactive",
    "exactly one hidden unit is active, so the ReLU routes the gradient and the other \
     unit's row of W1 gets none (drawn first layers only; a pinned one may differ)",
);

/// The hinge loss's kink: a margin of exactly 0 has no derivative.
pub(super) const NO_HINGE_KINK: Constraint<Params, Solution> = Constraint {
    name: "no_hinge_kink",
    description: "no margin s_j − s_y + 1 (j ≠ y) is exactly 0, where the hinge has no \
                  derivative (hinge loss only)",
    holds: |p, s| {
        p.loss == Loss::Mse
            || (0..s.margins.len()).all(|j| j as i64 == p.y || s.margins[j] != 0.0)
    },
};

/// With three or more classes, the max(0, ·) must matter: one margin in, one out.
pub(super) const MARGINS_MIXED: Constraint<Params, Solution> = Constraint {
    name: "margins_mixed",
    description: "with 3 or more classes, at least one margin is active and one inactive, so \
                  the max(0, ·) decides which scores get a gradient (hinge loss only)",
    holds: |p, s| {
        if p.loss == Loss::Mse || s.margins.len() < 3 {
            return true;
        }
        let others = (0..s.margins.len()).filter(|&j| j as i64 != p.y);
        let active = others.clone().filter(|&j| s.margins[j] > 0.0).count();
        active >= 1 && active < others.count()
    },
};

/// The constraints a plan's variants can break: the hinge's only when a variant can
/// have the hinge loss, the routing rule only when the first layer is drawn.
pub(super) fn of(plan: &Sampler) -> Vec<Rejection<Params, Solution>> {
    let mut list: Vec<Rejection<Params, Solution>> = vec![&NO_RELU_KINK, &GRADIENT_REACHES_W1];
    if plan.draws_first_layer() {
        list.push(&ONE_UNIT_INACTIVE);
    }
    if plan.may_hinge() {
        list.push(&NO_HINGE_KINK);
        list.push(&MARGINS_MIXED);
    }
    list.push(&PRINTED_EXACT);
    list
}

const PRINTED_EXACT: Constraint<Params, Solution> =
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::BackpropGraph>);

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED_HINGE, PINNED_MSE};
    use super::of;
    use crate::draw::broken;
    use crate::problems::kind::Variant as _;

    fn broken_by(yaml: &str) -> Vec<&'static str> {
        let plan = sampler(yaml).unwrap();
        let p = plan.fixed().unwrap();
        broken(&p, &p.solve(), &of(&plan))
    }

    #[test]
    fn each_constraint_can_fail_and_hold() {
        assert!(broken_by(PINNED_MSE).is_empty());
        assert!(broken_by(PINNED_HINGE).is_empty());
        // z_1 = 1 − 1 = 0.
        assert_eq!(broken_by(&PINNED_MSE.replace("x: [1, 2]", "x: [1, 1]")), vec!["no_relu_kink"]);
        // s = 7 = y: no loss, no gradient.
        assert_eq!(broken_by(&PINNED_MSE.replace("y: 3", "y: 7")), vec!["gradient_reaches_w1"]);
        // s = [6, 4, −2] with y = 0: margins [·, −1, −7], all inactive, L = 0.
        assert_eq!(
            broken_by(&PINNED_HINGE.replace("y: 1", "y: 0")),
            vec!["gradient_reaches_w1", "margins_mixed"]
        );
        // b2 = [0, 1, 2] makes s_2 = −1 and with y = 2: margins [8, 6, ·], both active.
        assert_eq!(
            broken_by(&PINNED_HINGE.replace("b2: [0, 1, 1]", "b2: [0, 1, 2]").replace("y: 1", "y: 2")),
            vec!["margins_mixed"]
        );
        // b2 = [-3, 1, 1]: s = [3, 4, −2], margin_0 = 3 − 4 + 1 = 0 and margin_2 < 0.
        assert_eq!(
            broken_by(&PINNED_HINGE.replace("b2: [0, 1, 1]", "b2: [-3, 1, 1]")),
            vec!["gradient_reaches_w1", "no_hinge_kink", "margins_mixed"]
        );
    }

    #[test]
    fn the_list_depends_on_what_the_plan_can_draw() {
        let names = |yaml: &str| -> Vec<&str> { of(&sampler(yaml).unwrap()).iter().map(|c| c.name).collect() };
        assert!(!names(PINNED_MSE).contains(&"no_hinge_kink"));
        assert!(!names(PINNED_MSE).contains(&"one_unit_inactive"));
        assert!(names("draw: {}\n").contains(&"one_unit_inactive"));
        assert!(names("draw: {}\n").contains(&"margins_mixed"));
        assert!(!names("loss: mse\ndraw: {}\n").contains(&"margins_mixed"));
    }
}
