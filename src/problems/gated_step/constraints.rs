//! The properties every gated_step variant has, as values: the list `examgen check`
//! prints and the checks a candidate (or a pinned variant) must pass.

use super::{Cell, Params, Solution};
use crate::draw::Constraint;

/// The largest pre-activation, in units of ln b: σ(2 ln 2) = 4/5 and tanh(2 ln 2) = 15/17
/// are still fractions one writes down at once; beyond that the powers grow quickly.
pub const MAX_PREACTIVATION: f64 = 2.0;

/// Whether `v` is a whole multiple of `step` (up to round-off).
fn is_multiple(v: f64, step: f64) -> bool {
    let q = v / step;
    (q - q.round()).abs() < 1e-9
}

/// The properties every variant of this problem has.
pub const CONSTRAINTS: &[Constraint<Params, Solution>] = &[
    Constraint {
        name: "state_in_range",
        description: "every entry of h_{t-1} = ln b · e_h lies strictly between -1 and 1, as \
                      the hidden state of a tanh cell does",
        holds: |p, _| p.h.iter().all(|&e| (e as f64 * p.ln_b()).abs() < 1.0),
    },
    Constraint {
        name: "input_nonzero",
        description: "x_t is not all zero (a zero input leaves the input weights unused)",
        holds: |p, _| p.x.iter().any(|&e| e != 0),
    },
    Constraint {
        name: "preactivations_small",
        description: "every gate pre-activation is n · ln b with |n| <= 2 (for the GRU's \
                      candidate n a multiple of 1/2), so the gates are small fractions",
        holds: |_, s| {
            s.pre_units
                .iter()
                .flatten()
                .all(|v| v.abs() <= MAX_PREACTIVATION + 1e-9)
        },
    },
    Constraint {
        name: "exact_candidate",
        description: "the GRU's candidate pre-activation k + r·m (in units of ln b) is a \
                      multiple of 1/2, so n = tanh(...) is a fraction (always true for the \
                      LSTM, whose pre-activations are integers)",
        holds: |_, s| s.pre_units.iter().flatten().all(|&v| is_multiple(v, 0.5)),
    },
    Constraint {
        name: "gates_vary",
        description: "the pre-activations are not all equal (all equal gives every σ gate \
                      the same value, with nothing to compute)",
        holds: |_, s| {
            let all: Vec<f64> = s.pre_units.iter().flatten().copied().collect();
            all.iter().any(|v| (v - all[0]).abs() > 1e-9)
        },
    },
    Constraint {
        name: "reset_gate_matters",
        description: "the GRU's W_hn h + b_hn is not all zero, so the reset gate changes the \
                      candidate (always true for the LSTM)",
        holds: |p, s| p.cell != Cell::Gru || s.step.reset_part.iter().any(|v| v.abs() > 1e-9),
    },
    crate::draw::printed_exact(crate::problems::kind::prints_exactly::<super::GatedStep>),
];

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, GRU, LSTM};
    use super::CONSTRAINTS;
    use crate::draw::{all, broken};
    use crate::problems::kind::Variant as _;

    fn broken_by(yaml: &str, edit: impl Fn(&mut super::Params)) -> Vec<&'static str> {
        let mut p = sampler(yaml).unwrap().fixed().unwrap();
        edit(&mut p);
        broken(&p, &p.solve(), &all(CONSTRAINTS))
    }

    #[test]
    fn each_constraint_can_fail_and_hold() {
        assert_eq!(broken_by(LSTM, |_| ()), Vec::<&str>::new());
        assert_eq!(broken_by(GRU, |_| ()), Vec::<&str>::new());
        assert_eq!(broken_by(LSTM, |p| p.h = vec![2]), vec!["state_in_range"]);
        assert_eq!(
            broken_by(GRU, |p| {
                p.x = vec![0];
                p.bias[0] = 0;
            }),
            vec!["input_nonzero"]
        );
        assert_eq!(
            broken_by(LSTM, |p| p.bias[0] = 2),
            vec!["preactivations_small"]
        );
        // r = 2/3 (a_r = ln 2) times m = −1: k + r·m = 1/3, tanh of a third of ln 2.
        let third = broken_by(GRU, |p| p.bias[0] = 0);
        assert!(third.contains(&"exact_candidate"), "{third:?}");
        assert_eq!(
            broken_by(LSTM, |p| {
                p.w_ih = vec![vec![0]; 4];
                p.w_hh = vec![vec![0]; 4];
                p.bias = vec![0; 4];
            }),
            vec!["gates_vary"]
        );
        assert_eq!(
            broken_by(GRU, |p| p.w_hh[2] = vec![0]),
            vec!["reset_gate_matters"]
        );
    }
}
