//! The gated_step answer sheet's checkpoints, walked on a student's own values, in the
//! sheet's order: gate by gate its pre-activation (in units of ln b) and its value, each
//! value squashed from the student's pre-activation (and the GRU's a_n taken with the
//! student's r); then the LSTM's c_t from the student's gates and h_t from the student's
//! o and c_t, or the GRU's h_t from the student's z and n; then ∂L/∂x from the student's
//! gates; and the LSTM's ∂c_t/∂c_{t−1} = diag(f), the student's f.

use super::{is_tanh_gate, Cell, Params};
use crate::engine::sigmoid::sigmoid;
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let l = self.ln_b();
        let mut gates: Vec<Vec<f64>> = Vec::new();
        for gate in 0..self.cell.gates() {
            let units: Vec<f64> = (0..self.hidden())
                .map(|j| self.preactivation_units(gate, j, &gates))
                .collect();
            let a = c.row("preactivations", gate, &units);
            let squash = if is_tanh_gate(self.cell, gate) {
                f64::tanh
            } else {
                sigmoid
            };
            let values: Vec<f64> = a.iter().map(|&v| squash(v * l)).collect();
            gates.push(c.row("gates", gate, &values));
        }
        let grad_pre = match self.cell {
            Cell::Gru => self.gru_rest(c, &gates),
            _ => self.lstm_rest(c, &gates),
        };
        let hidden = self.hidden();
        let grad_x = (0..self.input())
            .map(|d| {
                (0..grad_pre.len())
                    .flat_map(|g| (0..hidden).map(move |j| (g, j)))
                    .map(|(g, j)| self.w_ih[g * hidden + j][d] as f64 * grad_pre[g][j])
                    .sum()
            })
            .collect();
        c.vector("grad_x", grad_x);
        if self.cell == Cell::Lstm {
            c.vector("dc_dc_prev", gates[1].clone().into());
        }
    }

    /// The gates' two tables have a row per gate in PyTorch's order (the text's); the
    /// pre-activations are in units of ln b (the a of the text's hint σ(a ln b)); h_t's
    /// box takes its decimal value; ∂c_t/∂c_{t−1} = diag(f) is entered as its diagonal.
    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let l = SheetLabel::in_language(language);
        let base = self.ln_base;
        let lstm = self.cell == Cell::Lstm;
        let order = if lstm {
            r"\mathbf{i}, \mathbf{f}, \mathbf{g}, \mathbf{o}"
        } else {
            r"\mathbf{r}, \mathbf{z}, \mathbf{n}"
        };
        let summed = if lstm { "c" } else { "h" };
        let mut labels = vec![
            l(
                "preactivations",
                &format!("\\mathbf{{a}} / \\ln {base}"),
                &format!("predaktivacije u jedinicama $\\ln {base}$; retci: ${order}$"),
                &format!("pre-activations in units of $\\ln {base}$; rows: ${order}$"),
            ),
            l(
                "gates",
                order,
                "vrijednosti vrata; redak = vrata, redom",
                "the gates' values; row = gate, in order",
            ),
        ];
        if lstm {
            labels.push(l(
                "c",
                r"\mathbf{c}_t",
                "novo stanje ćelije",
                "the new cell state",
            ));
        }
        labels.extend([
            l(
                "h",
                r"\mathbf{h}_t",
                "novo skriveno stanje, približno (četiri decimale)",
                "the new hidden state, approximately (four decimals)",
            ),
            l(
                "grad_x",
                r"\partial L / \partial \mathbf{x}_t",
                &format!("gradijent uz $L = \\sum_j {summed}_{{t,j}}$"),
                &format!("gradient for $L = \\sum_j {summed}_{{t,j}}$"),
            ),
        ]);
        if lstm {
            labels.push(l(
                "dc_dc_prev",
                r"\partial \mathbf{c}_t / \partial \mathbf{c}_{t-1}",
                "dijagonala Jacobijeve matrice (ostalo su nule)",
                "the Jacobian's diagonal (the rest is 0)",
            ));
        }
        labels
    }
}

impl Params {
    /// Gate `gate`'s pre-activation of unit j in units of ln b: W_i· e_x + W_h· e_h + e_b,
    /// or for the GRU's n, W_in e_x + e_b_in + r (W_hn e_h + e_b_hn) with the r given.
    fn preactivation_units(&self, gate: usize, j: usize, earlier: &[Vec<f64>]) -> f64 {
        let input = dot(&self.block(&self.w_ih, gate)[j], &self.x) + self.gate_bias(gate)[j];
        let hidden = dot(&self.block(&self.w_hh, gate)[j], &self.h);
        match (self.cell, gate) {
            (Cell::Gru, 2) => input as f64 + earlier[0][j] * (hidden + self.b_hn[j]) as f64,
            _ => (input + hidden) as f64,
        }
    }

    /// The LSTM's c_t and h_t, and ∂L/∂a per gate for L = Σ c_t.
    fn lstm_rest(&self, c: &mut Carry, gates: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let (i, f, g, o) = (&gates[0], &gates[1], &gates[2], &gates[3]);
        let units = 0..self.hidden();
        let prev = |j: usize| self.c[j] as f64;
        let c_t = c.vector(
            "c",
            units.clone().map(|j| f[j] * prev(j) + i[j] * g[j]).collect(),
        );
        c.vector("h", units.clone().map(|j| o[j] * c_t[j].tanh()).collect());
        vec![
            units.clone().map(|j| g[j] * i[j] * (1.0 - i[j])).collect(),
            units.clone().map(|j| prev(j) * f[j] * (1.0 - f[j])).collect(),
            units.clone().map(|j| i[j] * (1.0 - g[j] * g[j])).collect(),
            units.map(|_| 0.0).collect(),
        ]
    }

    /// The GRU's h_t, and ∂L/∂a per gate for L = Σ h_t.
    fn gru_rest(&self, c: &mut Carry, gates: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let (r, z, n) = (&gates[0], &gates[1], &gates[2]);
        let l = self.ln_b();
        let units = 0..self.hidden();
        let h_prev = |j: usize| self.h[j] as f64 * l;
        let h_t = units
            .clone()
            .map(|j| (1.0 - z[j]) * n[j] + z[j] * h_prev(j))
            .collect();
        c.vector("h", h_t);
        // W_hn h_{t−1} + b_hn, the part r scales inside a_n.
        let reset_part =
            |j: usize| (dot(&self.block(&self.w_hh, 2)[j], &self.h) + self.b_hn[j]) as f64 * l;
        let grad_n: Vec<f64> = units
            .clone()
            .map(|j| (1.0 - z[j]) * (1.0 - n[j] * n[j]))
            .collect();
        vec![
            units
                .clone()
                .map(|j| grad_n[j] * reset_part(j) * r[j] * (1.0 - r[j]))
                .collect(),
            units
                .map(|j| (h_prev(j) - n[j]) * z[j] * (1.0 - z[j]))
                .collect(),
            grad_n,
        ]
    }
}

fn dot(row: &[i64], v: &[i64]) -> i64 {
    row.iter().zip(v).map(|(a, b)| a * b).sum()
}

