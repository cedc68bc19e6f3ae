//! The properties every optimizer_steps variant has, as values: the list `examgen check`
//! prints and the checks a candidate (or a pinned variant) must pass.

use super::{Optimizer, Params, Solution};
use crate::draw::Constraint;

/// Whether two values the engine computed are the same number (they are fractions with
/// small denominators, computed in a few f64 operations).
fn same(x: f64, y: f64) -> bool {
    (x - y).abs() <= 1e-12 * x.abs().max(1.0)
}

/// The iterates where a gradient is taken: w₀ … w_{T−1}.
fn gradient_points(s: &Solution) -> impl Iterator<Item = &ndarray::Array1<f64>> {
    s.steps.iter().map(|step| &step.w_prev)
}

/// Whether w₀ differs from c in every entry (the first of [`CONSTRAINTS`]).
pub fn starts_away(p: &Params) -> bool {
    p.w0.iter().zip(&p.c).all(|(w, c)| w != c)
}

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "starts_away_from_c",
        description: "w₀ differs from the minimiser c in every entry (an entry that starts \
                      at its minimum has a zero gradient and never moves)",
        holds: |p, _| starts_away(p),
    },
    Constraint {
        name: "never_at_the_kink",
        description: "Adam and AdamW: no iterate where a gradient is taken (w₀ … w_{T−1}) \
                      lies on a kink w_i = c_i of Σ a_i |w_i − c_i|, where the gradient is \
                      not defined",
        holds: |p, s| {
            !p.optimizer.name().is_adam()
                || gradient_points(s).all(|w| w.iter().zip(&p.c).all(|(&w, &c)| !same(w, c as f64)))
        },
    },
    Constraint {
        name: "gradient_sign_turns",
        description: "Adam and AdamW: some entry of the gradient changes sign during the \
                      steps (the iterate crosses c), so that m̂_t/√v̂_t is not just ±1 and \
                      the first moment shows",
        holds: |p, s| {
            !p.optimizer.name().is_adam()
                || (0..p.w0.len()).any(|i| {
                    let first = s.steps[0].g[i].signum();
                    s.steps.iter().any(|step| step.g[i].signum() != first)
                })
        },
    },
    Constraint {
        name: "exact_adam_root",
        description: "Adam and AdamW: √v̂_t = a_i exactly at every step (constant gradient \
                      magnitudes and ε = 0), so every step η·m̂_t/√v̂_t is a fraction",
        holds: |p, s| {
            !p.optimizer.name().is_adam()
                || s.steps.iter().all(|step| {
                    step.v_hat
                        .iter()
                        .zip(&p.a)
                        .all(|(&v, &a)| same(v.sqrt(), a as f64))
                })
        },
    },
    Constraint {
        name: "l2_gradient_nonzero",
        description: "AdamW: the gradient g₁ + λw₀ that Adam with L2 regularisation sees is \
                      non-zero in every entry, so its first step η·sign(g₁ + λw₀) is defined",
        holds: |p, s| match (p.optimizer, &s.l2) {
            (Optimizer::AdamW { .. }, Some(l2)) => l2.g.iter().all(|&g| !same(g, 0.0)),
            (Optimizer::AdamW { .. }, None) => false,
            _ => true,
        },
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::OptimizerSteps>),
];

#[cfg(test)]
mod tests {
    use super::super::{Optimizer, Params};
    use super::CONSTRAINTS;
    use crate::draw::{all, broken};
    use crate::problems::kind::Variant as _;

    fn broken_by(optimizer: Optimizer, w0: &[i64], c: &[i64], steps: usize, lr: f64) -> Vec<&'static str> {
        let p = Params {
            points: None,
            optimizer,
            w0: w0.to_vec(),
            c: c.to_vec(),
            a: vec![1; w0.len()],
            steps,
            lr,
        };
        broken(&p, &p.solve(), &all(CONSTRAINTS))
    }

    const ADAM: Optimizer = Optimizer::Adam { beta1: 0.5, beta2: 0.5 };
    const NONE: Vec<&str> = Vec::new();

    #[test]
    fn each_constraint_can_fail_and_hold() {
        let sgd = Optimizer::SgdMomentum { momentum: 0.5 };
        assert_eq!(broken_by(sgd, &[2, 1], &[0, 0], 2, 0.5), NONE);
        assert_eq!(broken_by(sgd, &[2, 0], &[0, 0], 2, 0.5), vec!["starts_away_from_c"]);
        // w₀ − c = 1, η = 3/2: −1/2, then m̂₂ = −1/3 steps back by 1/2, onto c.
        assert_eq!(broken_by(ADAM, &[1], &[0], 2, 1.5), NONE);
        // On the kink the gradient is 0, so v̂₃ is no longer a² either.
        assert_eq!(
            broken_by(ADAM, &[1], &[0], 3, 1.5),
            vec!["never_at_the_kink", "exact_adam_root"]
        );
        // η = 1/2 never reaches c from 3 in two steps.
        assert_eq!(broken_by(ADAM, &[3], &[0], 2, 0.5), vec!["gradient_sign_turns"]);
        let adamw = Optimizer::AdamW { beta1: 0.5, beta2: 0.5, weight_decay: 0.5 };
        assert_eq!(broken_by(adamw, &[2], &[0], 2, 1.5), NONE);
        // g₁ = sign(2 − 3) = −1 and λw₀ = 1 cancel.
        assert!(broken_by(adamw, &[2], &[3], 2, 1.5).contains(&"l2_gradient_nonzero"));
    }
}
