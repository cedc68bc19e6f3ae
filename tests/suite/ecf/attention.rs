//! attention: a wrong score, carried through the weights, the output and ∂L/∂V by plain
//! loops.

use std::collections::HashMap;

use serde_json::Value;

use super::{matrix, num, put_matrix};

/// Everything after the scores, from the scores in units of ln b (the student's; a row
/// holds its visible keys only).
fn later(key: &Value, e: &[Vec<f64>]) -> HashMap<String, f64> {
    let p = &key["params"];
    let (v, g) = (matrix(&p["V"]), matrix(&p["G"]));
    let ln_b = num(&p["ln_base"]).ln();
    let n = e.len();
    // a_ij = e^{S_ij} / Σ_j' e^{S_ij'} over the visible keys, 0 for a masked one.
    let a: Vec<Vec<f64>> = e
        .iter()
        .map(|row| {
            let total: f64 = row.iter().map(|x| (x * ln_b).exp()).sum();
            (0..n)
                .map(|j| row.get(j).map_or(0.0, |x| (x * ln_b).exp() / total))
                .collect()
        })
        .collect();
    let output: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..v[0].len())
                .map(|c| (0..n).map(|j| a[i][j] * v[j][c]).sum())
                .collect()
        })
        .collect();
    let grad_v: Vec<Vec<f64>> = (0..n)
        .map(|j| {
            (0..g[0].len())
                .map(|c| (0..n).map(|i| a[i][j] * g[i][c]).sum())
                .collect()
        })
        .collect();
    let mut out = HashMap::new();
    put_matrix(&mut out, "weights", &a);
    put_matrix(&mut out, "output", &output);
    put_matrix(&mut out, "grad_V", &grad_v);
    out
}

/// A student who adds 1 to the first score of the last query (which sees every key).
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let p = &key["params"];
    let (q, k) = (matrix(&p["Q"]), matrix(&p["K"]));
    let causal = p["causal"].as_bool().unwrap();
    let root = num(&p["d_k"]).sqrt();
    let n = q.len();
    if n < 2 {
        return None;
    }
    // E = QK̃ᵀ/√d_k over the keys j ≤ i (all of them without the mask).
    let mut e: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| !causal || j <= i)
                .map(|j| q[i].iter().zip(&k[j]).map(|(x, y)| x * y).sum::<f64>() / root)
                .collect()
        })
        .collect();
    e[n - 1][0] += 1.0;
    Some((
        format!("scores_units[{}][0]", n - 1),
        e[n - 1][0],
        later(key, &e),
    ))
}

#[test]
fn a_wrong_score_is_carried_forward() {
    super::check("attention", 30, case);
}
