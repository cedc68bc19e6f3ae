//! The worked solution of the gated_step problem: the cell's step in f64 ([`super::cell`])
//! and, beside it, the integer parts of each pre-activation and the split of the GRU's
//! values into a fraction plus a fraction times ln b, which is how the sheet shows them.

use super::cell::StepInput;
use super::{Cell, LnParts, Params, Solution};

fn dot(row: &[i64], v: &[i64]) -> i64 {
    row.iter().zip(v).map(|(a, b)| a * b).sum()
}

impl Params {
    /// The real-valued inputs of the step.
    fn step_input(&self) -> StepInput {
        let l = self.ln_b();
        let units = |v: &[i64]| v.iter().map(|&e| e as f64 * l).collect::<Vec<_>>();
        let ints = |m: &[Vec<i64>]| {
            m.iter()
                .map(|r| r.iter().map(|&w| w as f64).collect())
                .collect()
        };
        StepInput {
            cell: self.cell,
            x: units(&self.x),
            h: units(&self.h),
            c: self.c.iter().map(|&v| v as f64).collect(),
            w_ih: ints(&self.w_ih),
            w_hh: ints(&self.w_hh),
            bias: units(&self.bias),
            b_hn: units(&self.b_hn),
        }
    }

    /// Per gate and unit, W e for a stacked matrix and a vector in units of ln b.
    fn parts(&self, stacked: &[Vec<i64>], v: &[i64]) -> Vec<Vec<i64>> {
        (0..self.cell.gates())
            .map(|g| self.block(stacked, g).iter().map(|r| dot(r, v)).collect())
            .collect()
    }
}

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let step = self.step_input().run();
        let l = self.ln_b();
        let pre_units: Vec<Vec<f64>> = step
            .pre
            .iter()
            .map(|a| a.iter().map(|v| v / l).collect())
            .collect();
        let (h_parts, grad_pre_parts) = match self.cell {
            Cell::Gru => gru_parts(self, &step),
            _ => (
                Vec::new(),
                step.grad_pre
                    .iter()
                    .map(|units| units.iter().map(|&g| (g, 0.0)).collect())
                    .collect(),
            ),
        };
        Solution {
            input_part: self.parts(&self.w_ih, &self.x),
            hidden_part: self.parts(&self.w_hh, &self.h),
            pre_units,
            h_parts,
            grad_x_parts: grad_x_parts(self, &grad_pre_parts),
            grad_pre_parts,
            step,
        }
    }
}

/// The GRU's h_t, ∂L/∂a per gate and ∂L/∂x as (fraction, coefficient of ln b):
/// h_{t−1} = e_h ln b and the reset part m ln b carry the logarithm, everything else is a
/// fraction.
fn gru_parts(p: &Params, step: &super::cell::Step) -> (Vec<LnParts>, Vec<Vec<LnParts>>) {
    let (r, z, n) = (&step.gates[0], &step.gates[1], &step.gates[2]);
    let hidden = p.hidden();
    let m: Vec<f64> = step.reset_part.iter().map(|v| v / p.ln_b()).collect();
    let h_parts = (0..hidden)
        .map(|j| ((1.0 - z[j]) * n[j], z[j] * p.h[j] as f64))
        .collect();
    let grad_n: Vec<f64> = (0..hidden).map(|j| (1.0 - z[j]) * (1.0 - n[j] * n[j])).collect();
    let grad_pre = vec![
        // ∂L/∂a_r = ∂L/∂a_n · m ln b · r(1 − r): all ln b.
        (0..hidden)
            .map(|j| (0.0, grad_n[j] * m[j] * r[j] * (1.0 - r[j])))
            .collect(),
        // ∂L/∂a_z = (e_h ln b − n) z(1 − z): both parts.
        (0..hidden)
            .map(|j| {
                let dz = z[j] * (1.0 - z[j]);
                (-n[j] * dz, p.h[j] as f64 * dz)
            })
            .collect(),
        grad_n.iter().map(|&g| (g, 0.0)).collect(),
    ];
    (h_parts, grad_pre)
}

/// ∂L/∂x = Σ_gates W_i·ᵀ ∂L/∂a, part by part.
fn grad_x_parts(p: &Params, grad_pre: &[Vec<LnParts>]) -> Vec<LnParts> {
    let hidden = p.hidden();
    (0..p.input())
        .map(|d| {
            let (mut rational, mut coef) = (0.0, 0.0);
            for (g, units) in grad_pre.iter().enumerate() {
                for (j, (a, b)) in units.iter().enumerate() {
                    let w = p.w_ih[g * hidden + j][d] as f64;
                    rational += w * a;
                    coef += w * b;
                }
            }
            (rational, coef)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, GRU, LSTM};
    use crate::problems::kind::Variant as _;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn the_lstm_fixture_by_hand() {
        let p = sampler(LSTM).unwrap().fixed().unwrap();
        let s = p.solve();
        assert_eq!(s.pre_units.iter().map(|u| u[0].round() as i64).collect::<Vec<_>>(), [1, 0, 1, -1]);
        let gates: Vec<f64> = s.step.gates.iter().map(|g| g[0]).collect();
        for (got, want) in gates.iter().zip([2.0 / 3.0, 0.5, 0.6, 1.0 / 3.0]) {
            assert!(close(*got, want), "{gates:?}");
        }
        assert!(close(s.step.c[0], 0.9));
        assert!(close(s.step.h[0], 0.9f64.tanh() / 3.0));
        // ∂L/∂x = W_ii g σ′(a_i) + W_if c σ′(a_f) + W_ig i (1 − g²)
        //       = 1 · 3/5 · 2/9 + 0 + 1 · 2/3 · 16/25 = 2/15 + 32/75 = 42/75.
        assert!(close(s.grad_x_parts[0].0, 42.0 / 75.0));
        assert!(close(s.step.grad_x[0], 42.0 / 75.0));
        assert_eq!(s.input_part[3], vec![-1]);
        assert_eq!(s.hidden_part[1], vec![-1]);
    }

    #[test]
    fn the_gru_fixture_by_hand_and_its_parts_add_up() {
        let p = sampler(GRU).unwrap().fixed().unwrap();
        let s = p.solve();
        let l = 2f64.ln();
        assert!(close(s.pre_units[2][0], 0.5));
        assert!(close(s.step.gates[2][0], 1.0 / 3.0));
        let (rational, coef) = s.h_parts[0];
        assert!(close(rational, 1.0 / 9.0) && close(coef, 2.0 / 3.0));
        assert!(close(s.step.h[0], 1.0 / 9.0 + 2.0 / 3.0 * l));
        let (rational, coef) = s.grad_x_parts[0];
        assert!(close(rational + coef * l, s.step.grad_x[0]));
    }
}
