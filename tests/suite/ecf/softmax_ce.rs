//! softmax_ce: a wrong probability of the true class, carried through the loss and both
//! gradients by plain arithmetic.

use std::collections::HashMap;

use serde_json::Value;

use super::{num, put_vector, vector};

/// Everything after p, from p (the student's).
fn later(key: &Value, p: &[f64]) -> HashMap<String, f64> {
    let params = &key["params"];
    let y = params["y"].as_u64().unwrap() as usize;
    let ln_b = num(&params["ln_base"]).ln();
    let grad_z: Vec<f64> = p
        .iter()
        .enumerate()
        .map(|(i, q)| if i == y { q - 1.0 } else { *q })
        .collect();
    let grad_e: Vec<f64> = grad_z.iter().map(|g| g * ln_b).collect();
    let mut out = HashMap::new();
    out.insert("loss".into(), -p[y].ln());
    put_vector(&mut out, "grad_z", &grad_z);
    put_vector(&mut out, "grad_e", &grad_e);
    out
}

/// A student whose p_y is off by 0.1 (up, or down when that would pass 0.8).
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let params = &key["params"];
    let y = params["y"].as_u64().unwrap() as usize;
    // p = softmax(z), the logits z = ln b · e.
    let ln_b = num(&params["ln_base"]).ln();
    let z: Vec<f64> = vector(&params["logits"]).iter().map(|e| e * ln_b).collect();
    let total: f64 = z.iter().map(|v| v.exp()).sum();
    let mut p: Vec<f64> = z.iter().map(|v| v.exp() / total).collect();
    p[y] += if p[y] < 0.8 { 0.1 } else { -0.1 };
    Some((format!("p[{y}]"), p[y], later(key, &p)))
}

#[test]
fn a_wrong_probability_is_carried_forward() {
    super::check("softmax_ce", 30, case);
}
