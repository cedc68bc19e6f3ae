//! gated_step: a wrong candidate pre-activation (the LSTM's a_g, the GRU's a_n), carried
//! through the cell's step by plain loops, and ∂L/∂x by central differences of the loss
//! of the step with that pre-activation shifted as the student had it.

use std::collections::HashMap;

use serde_json::Value;

use super::{matrix, num, put_matrix, put_vector, vector};

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One step of the cell from key.json's params at input `x` (real values), with unit 0
/// of the candidate's pre-activation shifted by `shift` (in units of ln b): the gates
/// [gate][unit], the LSTM's c_t (empty for the GRU) and h_t.
fn step(p: &Value, x: &[f64], shift: f64) -> (Vec<Vec<f64>>, Vec<f64>, Vec<f64>) {
    let l = num(&p["ln_base"]).ln();
    let units = |v: &Value| vector(v).iter().map(|e| e * l).collect::<Vec<_>>();
    let (h, bias) = (units(&p["h"]), units(&p["bias"]));
    let (w_ih, w_hh) = (matrix(&p["w_ih"]), matrix(&p["w_hh"]));
    let hidden = h.len();
    let lstm = p["cell"] == "lstm";
    let a = |g: usize, j: usize| {
        let k = g * hidden + j;
        dot(&w_ih[k], x) + bias[k] + dot(&w_hh[k], &h)
    };
    let sig = |g: usize| (0..hidden).map(|j| sigmoid(a(g, j))).collect::<Vec<f64>>();
    let bump = |j: usize| if j == 0 { shift * l } else { 0.0 };
    if lstm {
        let c_prev = vector(&p["c"]);
        let (i, f, o) = (sig(0), sig(1), sig(3));
        let g: Vec<f64> = (0..hidden).map(|j| (a(2, j) + bump(j)).tanh()).collect();
        let c: Vec<f64> = (0..hidden)
            .map(|j| f[j] * c_prev[j] + i[j] * g[j])
            .collect();
        let h_t = (0..hidden).map(|j| o[j] * c[j].tanh()).collect();
        (vec![i, f, g, o], c, h_t)
    } else {
        let b_hn = units(&p["b_hn"]);
        let (r, z) = (sig(0), sig(1));
        let n: Vec<f64> = (0..hidden)
            .map(|j| {
                let k = 2 * hidden + j;
                let a_n = dot(&w_ih[k], x) + bias[k] + r[j] * (dot(&w_hh[k], &h) + b_hn[j]);
                (a_n + bump(j)).tanh()
            })
            .collect();
        let h_t = (0..hidden)
            .map(|j| (1.0 - z[j]) * n[j] + z[j] * h[j])
            .collect();
        (vec![r, z, n], Vec::new(), h_t)
    }
}

/// Everything after the candidate's pre-activation, with the student's shift.
fn later(key: &Value, shift: f64) -> HashMap<String, f64> {
    let p = &key["params"];
    let l = num(&p["ln_base"]).ln();
    let x: Vec<f64> = vector(&p["x"]).iter().map(|e| e * l).collect();
    let lstm = p["cell"] == "lstm";
    let (gates, c, h) = step(p, &x, shift);
    // L = Σ c_t (LSTM) or Σ h_t (GRU), by central differences in each input.
    let loss = |x: &[f64]| {
        let (_, c, h) = step(p, x, shift);
        if lstm {
            c.iter().sum::<f64>()
        } else {
            h.iter().sum()
        }
    };
    let eps = 1e-5;
    let grad_x: Vec<f64> = (0..x.len())
        .map(|d| {
            let (mut plus, mut minus) = (x.clone(), x.clone());
            plus[d] += eps;
            minus[d] -= eps;
            (loss(&plus) - loss(&minus)) / (2.0 * eps)
        })
        .collect();
    let mut out = HashMap::new();
    put_matrix(&mut out, "gates", &gates);
    put_vector(&mut out, "c", &c);
    put_vector(&mut out, "h", &h);
    put_vector(&mut out, "grad_x", &grad_x);
    if lstm {
        put_vector(&mut out, "dc_dc_prev", &gates[1]);
    }
    out
}

/// A student whose candidate pre-activation of unit 0 (a_g or a_n) is one ln b too large.
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let a = matrix(&key["answers"]["preactivations"])[2][0];
    Some(("preactivations[2][0]".into(), a + 1.0, later(key, 1.0)))
}

#[test]
fn a_wrong_candidate_preactivation_is_carried_forward() {
    super::check("gated_step", 30, case);
}
