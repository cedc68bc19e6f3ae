//! One LSTM or GRU step in f64, forward and backward side by side: the numbers the sheet
//! prints (recognised as exact by the formatters) come from here.
//!
//! Shapes: x (D), h_{t−1} and c_{t−1} (H), the stacked weights W_ih (G·H × D) and
//! W_hh (G·H × H), one bias b = b_ih + b_hh (G·H) and, for the GRU, b_hn (H), which
//! PyTorch keeps inside the reset product. Gates in PyTorch's order, G = 4 (i, f, g, o)
//! or G = 3 (r, z, n):
//!
//! ```text
//! LSTM: i, f, o = σ(W_i· x + W_h· h + b·),  g = tanh(…),  c' = f⊙c + i⊙g,  h' = o⊙tanh(c')
//! GRU:  r, z = σ(…),  n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)),  h' = (1−z)⊙n + z⊙h
//! ```
//!
//! The backward pass is the gradient of L = Σ c' (LSTM) or L = Σ h' (GRU) with respect
//! to x.

use super::Cell;
use crate::engine::sigmoid::sigmoid;

/// The real-valued inputs of one step (x, h, c already multiplied out of ln b units).
#[derive(Clone, Debug, PartialEq)]
pub struct StepInput {
    pub cell: Cell,
    pub x: Vec<f64>,
    pub h: Vec<f64>,
    /// Empty for the GRU.
    pub c: Vec<f64>,
    pub w_ih: Vec<Vec<f64>>,
    pub w_hh: Vec<Vec<f64>>,
    pub bias: Vec<f64>,
    /// Empty for the LSTM.
    pub b_hn: Vec<f64>,
}

/// One step's values, per gate and unit ([gate][unit]).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Each gate's pre-activation (for the GRU's n, the whole argument of tanh).
    pub pre: Vec<Vec<f64>>,
    pub gates: Vec<Vec<f64>>,
    /// The GRU's W_hn h + b_hn, the part the reset gate scales (empty for the LSTM).
    pub reset_part: Vec<f64>,
    /// c_t (LSTM; empty for the GRU).
    pub c: Vec<f64>,
    /// tanh(c_t) (LSTM; empty for the GRU).
    pub tanh_c: Vec<f64>,
    pub h: Vec<f64>,
    /// ∂L/∂(pre-activation) per gate and unit.
    pub grad_pre: Vec<Vec<f64>>,
    /// ∂L/∂x.
    pub grad_x: Vec<f64>,
}

fn dot(row: &[f64], v: &[f64]) -> f64 {
    row.iter().zip(v).map(|(a, b)| a * b).sum()
}

impl StepInput {
    fn hidden(&self) -> usize {
        self.h.len()
    }

    /// W_i·[gate] x + b[gate] for unit j.
    fn input_term(&self, gate: usize, j: usize) -> f64 {
        let row = gate * self.hidden() + j;
        dot(&self.w_ih[row], &self.x) + self.bias[row]
    }

    /// W_h·[gate] h for unit j.
    fn hidden_term(&self, gate: usize, j: usize) -> f64 {
        dot(&self.w_hh[gate * self.hidden() + j], &self.h)
    }

    /// ∂L/∂x = Σ_gates W_i·ᵀ ∂L/∂a.
    fn grad_x(&self, grad_pre: &[Vec<f64>]) -> Vec<f64> {
        let hidden = self.hidden();
        (0..self.x.len())
            .map(|d| {
                grad_pre
                    .iter()
                    .enumerate()
                    .flat_map(|(g, units)| {
                        units
                            .iter()
                            .enumerate()
                            .map(move |(j, da)| da * self.w_ih[g * hidden + j][d])
                    })
                    .sum()
            })
            .collect()
    }

    /// The forward pass and the gradient of Σ c' (LSTM) or Σ h' (GRU) by x.
    pub fn run(&self) -> Step {
        match self.cell {
            Cell::Gru => self.gru(),
            _ => self.lstm(),
        }
    }

    fn lstm(&self) -> Step {
        let hidden = self.hidden();
        let pre: Vec<Vec<f64>> = (0..4)
            .map(|g| {
                (0..hidden)
                    .map(|j| self.input_term(g, j) + self.hidden_term(g, j))
                    .collect()
            })
            .collect();
        let gates: Vec<Vec<f64>> = pre
            .iter()
            .enumerate()
            .map(|(g, a)| {
                a.iter()
                    .map(|&v| if g == 2 { v.tanh() } else { sigmoid(v) })
                    .collect()
            })
            .collect();
        let (i, f, g, o) = (&gates[0], &gates[1], &gates[2], &gates[3]);
        let c: Vec<f64> = (0..hidden).map(|j| f[j] * self.c[j] + i[j] * g[j]).collect();
        let tanh_c: Vec<f64> = c.iter().map(|v| v.tanh()).collect();
        let h = (0..hidden).map(|j| o[j] * tanh_c[j]).collect();
        // L = Σ c': ∂L/∂c' = 1, so ∂L/∂a_i = g σ′(a_i), ∂L/∂a_f = c σ′(a_f),
        // ∂L/∂a_g = i (1 − g²), and o does not reach c'.
        let grad_pre = vec![
            (0..hidden).map(|j| g[j] * i[j] * (1.0 - i[j])).collect(),
            (0..hidden)
                .map(|j| self.c[j] * f[j] * (1.0 - f[j]))
                .collect(),
            (0..hidden).map(|j| i[j] * (1.0 - g[j] * g[j])).collect(),
            vec![0.0; hidden],
        ];
        Step {
            grad_x: self.grad_x(&grad_pre),
            pre,
            gates,
            reset_part: Vec::new(),
            c,
            tanh_c,
            h,
            grad_pre,
        }
    }

    fn gru(&self) -> Step {
        let hidden = self.hidden();
        let sigma_pre = |g: usize| -> Vec<f64> {
            (0..hidden)
                .map(|j| self.input_term(g, j) + self.hidden_term(g, j))
                .collect()
        };
        let (pre_r, pre_z) = (sigma_pre(0), sigma_pre(1));
        let r: Vec<f64> = pre_r.iter().map(|&v| sigmoid(v)).collect();
        let z: Vec<f64> = pre_z.iter().map(|&v| sigmoid(v)).collect();
        let reset_part: Vec<f64> = (0..hidden)
            .map(|j| self.hidden_term(2, j) + self.b_hn[j])
            .collect();
        let pre_n: Vec<f64> = (0..hidden)
            .map(|j| self.input_term(2, j) + r[j] * reset_part[j])
            .collect();
        let n: Vec<f64> = pre_n.iter().map(|v| v.tanh()).collect();
        let h = (0..hidden)
            .map(|j| (1.0 - z[j]) * n[j] + z[j] * self.h[j])
            .collect();
        // L = Σ h': ∂L/∂n = 1 − z, ∂L/∂z = h − n, and r reaches n through r·reset_part.
        let grad_n: Vec<f64> = (0..hidden)
            .map(|j| (1.0 - z[j]) * (1.0 - n[j] * n[j]))
            .collect();
        let grad_pre = vec![
            (0..hidden)
                .map(|j| grad_n[j] * reset_part[j] * r[j] * (1.0 - r[j]))
                .collect(),
            (0..hidden)
                .map(|j| (self.h[j] - n[j]) * z[j] * (1.0 - z[j]))
                .collect(),
            grad_n,
        ];
        Step {
            grad_x: self.grad_x(&grad_pre),
            pre: vec![pre_r, pre_z, pre_n],
            gates: vec![r, z, n],
            reset_part,
            c: Vec::new(),
            tanh_c: Vec::new(),
            h,
            grad_pre,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(cell: Cell) -> StepInput {
        let rows = |g: usize, cols: usize, seed: f64| -> Vec<Vec<f64>> {
            (0..g * 2)
                .map(|r| {
                    (0..cols)
                        .map(|c| ((r * 3 + c * 5) as f64 * 0.37 + seed).sin())
                        .collect()
                })
                .collect()
        };
        let gates = cell.gates();
        StepInput {
            cell,
            x: vec![0.3, -0.8],
            h: vec![0.5, -0.2],
            c: if cell == Cell::Lstm { vec![1.2, -0.4] } else { Vec::new() },
            w_ih: rows(gates, 2, 0.1),
            w_hh: rows(gates, 2, 0.7),
            bias: (0..gates * 2).map(|k| (k as f64 * 0.9).cos()).collect(),
            b_hn: if cell == Cell::Gru { vec![0.4, -0.6] } else { Vec::new() },
        }
    }

    fn loss(s: &StepInput) -> f64 {
        let step = s.run();
        if s.cell == Cell::Lstm {
            step.c.iter().sum()
        } else {
            step.h.iter().sum()
        }
    }

    #[test]
    fn the_gradient_by_x_agrees_with_finite_differences() {
        for cell in [Cell::Lstm, Cell::Gru] {
            let s = input(cell);
            let grad = s.run().grad_x;
            for (d, &analytic) in grad.iter().enumerate() {
                let eps = 1e-6;
                let (mut plus, mut minus) = (s.clone(), s.clone());
                plus.x[d] += eps;
                minus.x[d] -= eps;
                let numeric = (loss(&plus) - loss(&minus)) / (2.0 * eps);
                assert!((analytic - numeric).abs() < 1e-8, "{cell:?} x[{d}]");
            }
        }
    }

    #[test]
    fn a_gru_with_z_one_keeps_h_and_an_lstm_with_f_one_i_zero_keeps_c() {
        let mut s = input(Cell::Gru);
        s.bias[2] = 60.0; // z of unit 0 → 1
        s.bias[3] = 60.0;
        let step = s.run();
        assert!((step.h[0] - s.h[0]).abs() < 1e-12 && (step.h[1] - s.h[1]).abs() < 1e-12);
        let mut s = input(Cell::Lstm);
        s.bias = vec![-60.0, -60.0, 60.0, 60.0, 0.0, 0.0, 0.0, 0.0];
        let step = s.run();
        assert!((step.c[0] - s.c[0]).abs() < 1e-12 && (step.c[1] - s.c[1]).abs() < 1e-12);
    }
}
