//! backprop_graph: a wrong hidden pre-activation, carried through the ReLU, the scores,
//! the loss and every gradient of the graph by plain loops.

use std::collections::HashMap;

use serde_json::Value;

use super::{matrix, put_matrix, put_vector, vector};

/// Everything after z, from z (the student's), by the problem's definitions.
fn later(key: &Value, z: &[f64]) -> HashMap<String, f64> {
    let p = &key["params"];
    let (x, w1, w2, b2) = (
        vector(&p["x"]),
        matrix(&p["W1"]),
        matrix(&p["W2"]),
        vector(&p["b2"]),
    );
    let y = p["y"].as_i64().unwrap();
    let hinge = p["loss"] == "hinge";
    let h: Vec<f64> = z.iter().map(|v| v.max(0.0)).collect();
    let s: Vec<f64> = w2
        .iter()
        .zip(&b2)
        .map(|(row, b)| row.iter().zip(&h).map(|(w, v)| w * v).sum::<f64>() + b)
        .collect();
    let k = s.len();
    let (margins, loss, grad_s) = if hinge {
        let c = y as usize;
        let margins: Vec<f64> = (0..k)
            .map(|j| if j == c { 0.0 } else { s[j] - s[c] + 1.0 })
            .collect();
        let mut grad = vec![0.0; k];
        let mut loss = 0.0;
        for j in (0..k).filter(|&j| j != c && margins[j] > 0.0) {
            loss += margins[j];
            grad[j] = 1.0;
            grad[c] -= 1.0;
        }
        (margins, loss, grad)
    } else {
        let e = s[0] - y as f64;
        (vec![e], 0.5 * e * e, vec![e])
    };
    let grad_w2: Vec<Vec<f64>> = grad_s
        .iter()
        .map(|g| h.iter().map(|v| g * v).collect())
        .collect();
    let grad_h: Vec<f64> = (0..h.len())
        .map(|i| (0..k).map(|j| w2[j][i] * grad_s[j]).sum())
        .collect();
    let grad_z: Vec<f64> = (0..z.len())
        .map(|i| if z[i] > 0.0 { grad_h[i] } else { 0.0 })
        .collect();
    let grad_w1: Vec<Vec<f64>> = grad_z
        .iter()
        .map(|g| x.iter().map(|v| g * v).collect())
        .collect();
    let grad_x: Vec<f64> = (0..x.len())
        .map(|i| (0..z.len()).map(|j| w1[j][i] * grad_z[j]).sum())
        .collect();
    let mut out = HashMap::new();
    put_vector(&mut out, "h", &h);
    put_vector(&mut out, "s", &s);
    put_vector(&mut out, "margins", &margins);
    out.insert("loss".into(), loss);
    put_vector(&mut out, "dL_ds", &grad_s);
    put_matrix(&mut out, "dL_dW2", &grad_w2);
    put_vector(&mut out, "dL_db2", &grad_s);
    put_vector(&mut out, "dL_dh", &grad_h);
    put_vector(&mut out, "dL_dz", &grad_z);
    put_matrix(&mut out, "dL_dW1", &grad_w1);
    put_vector(&mut out, "dL_db1", &grad_z);
    put_vector(&mut out, "dL_dx", &grad_x);
    out
}

/// A student who adds 1 to the first positive hidden pre-activation.
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let mut z = vector(&key["answers"]["z"]);
    let i = z.iter().position(|&v| v > 0.0)?;
    z[i] += 1.0;
    Some((format!("z[{i}]"), z[i], later(key, &z)))
}

#[test]
fn a_wrong_pre_activation_is_carried_forward() {
    super::check("backprop_graph", 30, case);
}
