//! conv1d: a wrong convolution output, carried through ReLU, pooling, FC, softmax and the
//! kernel gradients by plain loops.

use std::collections::HashMap;

use serde_json::Value;

use super::{matrix, put_matrix, put_vector, vector};

/// Everything after h, from h (the student's), by the problem's definitions.
fn later(key: &Value, h: &[Vec<f64>]) -> HashMap<String, f64> {
    let p = &key["params"];
    let (x, w2, b2) = (vector(&p["x"]), matrix(&p["W2"]), vector(&p["b2"]));
    let y = p["y"].as_u64().unwrap() as usize;
    let n = h[0].len() as f64;
    let pooled: Vec<f64> = h
        .iter()
        .map(|r| r.iter().map(|v| v.max(0.0)).sum::<f64>() / n)
        .collect();
    let s: Vec<f64> = w2
        .iter()
        .zip(&b2)
        .map(|(row, b)| row.iter().zip(&pooled).map(|(w, v)| w * v).sum::<f64>() + b)
        .collect();
    let z: f64 = s.iter().map(|v| v.exp()).sum();
    let prob: Vec<f64> = s.iter().map(|v| v.exp() / z).collect();
    let grad_s: Vec<f64> = prob
        .iter()
        .enumerate()
        .map(|(i, q)| q - f64::from(u8::from(i == y)))
        .collect();
    let m = x.len() - h[0].len() + 1;
    let grad_kernels: Vec<Vec<f64>> = (0..h.len())
        .map(|k| {
            let upstream: f64 = (0..s.len()).map(|i| w2[i][k] * grad_s[i]).sum::<f64>() / n;
            (0..m)
                .map(|j| {
                    (0..h[k].len())
                        .filter(|&t| h[k][t] > 0.0)
                        .map(|t| x[t + j] * upstream)
                        .sum()
                })
                .collect()
        })
        .collect();
    let mut out = HashMap::new();
    put_vector(&mut out, "pooled", &pooled);
    put_vector(&mut out, "s", &s);
    put_vector(&mut out, "p", &prob);
    out.insert("loss".into(), -prob[y].ln());
    put_vector(&mut out, "grad_s", &grad_s);
    put_matrix(&mut out, "grad_kernels", &grad_kernels);
    out
}

/// A student who adds 1 to the first positive convolution output.
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let mut h = matrix(&key["answers"]["h"]);
    let (k, t) = (0..h.len())
        .flat_map(|k| (0..h[k].len()).map(move |t| (k, t)))
        .find(|&(k, t)| h[k][t] > 0.0)?;
    h[k][t] += 1.0;
    Some((format!("h[{k}][{t}]"), h[k][t], later(key, &h)))
}

#[test]
fn a_wrong_convolution_output_is_carried_forward() {
    super::check("conv1d", 30, case);
}
