//! bptt_rnn: a wrong pre-activation of an active unit, carried through the later steps,
//! the loss, backpropagation through time and the Jacobian product by plain loops.

use std::collections::HashMap;

use serde_json::Value;

use super::{matrix, put_matrix, put_vector, vector};

/// Everything after pre[t][j], with pre[t][j] = `value` as the student wrote it.
fn later(key: &Value, (t0, j0): (usize, usize), value: f64) -> HashMap<String, f64> {
    let p = &key["params"];
    let (w, u, h0, x) = (
        matrix(&p["w_hh"]),
        vector(&p["w_xh"]),
        vector(&p["h0"]),
        vector(&p["x"]),
    );
    let n = h0.len();
    let b = if p["b"].is_null() {
        vec![0.0; n]
    } else {
        vector(&p["b"])
    };
    let steps = x.len();
    // Forward: hs[t] is h⁽ᵗ⁾ (hs[0] = h⁽⁰⁾), pre[t] is a⁽ᵗ⁺¹⁾.
    let mut hs = vec![h0];
    let mut pre = Vec::new();
    for t in 0..steps {
        let mut a: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|k| w[i][k] * hs[t][k]).sum::<f64>() + u[i] * x[t] + b[i])
            .collect();
        if t == t0 {
            a[j0] = value;
        }
        hs.push(a.iter().map(|v| v.max(0.0)).collect());
        pre.push(a);
    }
    let last = &hs[steps];
    let (loss, mut g) = if p["loss"] == "squared" {
        let y = vector(&p["y"]);
        let diff: Vec<f64> = (0..n).map(|i| last[i] - y[i]).collect();
        (0.5 * diff.iter().map(|d| d * d).sum::<f64>(), diff)
    } else {
        let v = vector(&p["v"]);
        ((0..n).map(|i| v[i] * last[i]).sum(), v)
    };
    let active = |t: usize, i: usize| if pre[t][i] > 0.0 { 1.0 } else { 0.0 };
    // Backward: grad_h[t] = ∂L/∂h⁽ᵗ⁾, delta[t] = ∂L/∂a⁽ᵗ⁺¹⁾.
    let mut grad_h = vec![Vec::new(); steps + 1];
    let mut delta = vec![Vec::new(); steps];
    grad_h[steps] = g.clone();
    for t in (0..steps).rev() {
        let d: Vec<f64> = (0..n).map(|i| active(t, i) * g[i]).collect();
        g = (0..n)
            .map(|k| (0..n).map(|i| w[i][k] * d[i]).sum())
            .collect();
        grad_h[t] = g.clone();
        delta[t] = d;
    }
    let grad_w_hh: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|k| (0..steps).map(|t| delta[t][i] * hs[t][k]).sum())
                .collect()
        })
        .collect();
    let grad_w_xh: Vec<f64> = (0..n)
        .map(|i| (0..steps).map(|t| delta[t][i] * x[t]).sum())
        .collect();
    let grad_b: Vec<f64> = (0..n)
        .map(|i| (0..steps).map(|t| delta[t][i]).sum())
        .collect();
    // ∂h⁽³⁾/∂h⁽⁰⁾ = D₃W D₂W D₁W, D_t the mask of a⁽ᵗ⁾.
    let mut jacobian: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|k| f64::from(u8::from(i == k))).collect())
        .collect();
    for t in 0..steps {
        jacobian = (0..n)
            .map(|i| {
                (0..n)
                    .map(|k| active(t, i) * (0..n).map(|m| w[i][m] * jacobian[m][k]).sum::<f64>())
                    .collect()
            })
            .collect();
    }
    let mut out = HashMap::new();
    put_matrix(&mut out, "pre", &pre);
    put_matrix(&mut out, "h", &hs[1..]);
    out.insert("loss_value".into(), loss);
    put_matrix(&mut out, "grad_h", &grad_h);
    put_matrix(&mut out, "delta", &delta);
    put_vector(&mut out, "grad_h0", &grad_h[0]);
    put_matrix(&mut out, "grad_w_hh", &grad_w_hh);
    put_vector(&mut out, "grad_w_xh", &grad_w_xh);
    if !p["b"].is_null() {
        put_vector(&mut out, "grad_b", &grad_b);
    }
    put_matrix(&mut out, "jacobian", &jacobian);
    out
}

/// A student who adds 1 to the first positive pre-activation (so h changes with it).
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let pre = matrix(&key["answers"]["pre"]);
    let (t, j) = (0..pre.len())
        .flat_map(|t| (0..pre[t].len()).map(move |j| (t, j)))
        .find(|&(t, j)| pre[t][j] > 0.0)?;
    let value = pre[t][j] + 1.0;
    Some((format!("pre[{t}][{j}]"), value, later(key, (t, j), value)))
}

#[test]
fn a_wrong_preactivation_is_carried_forward() {
    super::check("bptt_rnn", 30, case);
}
