//! optimizer_steps: a wrong first gradient, carried through the optimiser's state and
//! every later step (each gradient taken at the student's weights), w_T and AdamW's L2
//! comparison by plain loops.

use std::collections::HashMap;

use serde_json::Value;

use super::{matrix, num, put_matrix, put_vector, vector};

/// Every table cell from g₁ (the student's) on, w_T and the L2 w₁, by the problem's
/// definitions.
fn later(key: &Value, g1: &[f64]) -> HashMap<String, f64> {
    let p = &key["params"];
    let name = p["optimizer"].as_str().unwrap();
    let (a, c, w0) = (vector(&p["a"]), vector(&p["c"]), vector(&p["w0"]));
    let (lr, steps) = (num(&p["lr"]), p["steps"].as_u64().unwrap() as i32);
    let adam = matches!(name, "adam" | "adamw");
    let n = w0.len();
    let gradient = |w: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| {
                let d = w[i] - c[i];
                if !adam {
                    a[i] * d
                } else if d == 0.0 {
                    0.0
                } else {
                    a[i] * d.signum()
                }
            })
            .collect()
    };
    let decay = if name == "adamw" {
        num(&p["weight_decay"])
    } else {
        0.0
    };
    let mut w = w0.clone();
    let (mut first, mut second) = (vec![0.0; n], vec![0.0; n]);
    let mut table: [Vec<Vec<f64>>; 5] = Default::default();
    for t in 1..=steps {
        let g = if t == 1 { g1.to_vec() } else { gradient(&w) };
        let direction: Vec<f64> = if adam {
            let (b1, b2) = (num(&p["beta1"]), num(&p["beta2"]));
            for i in 0..n {
                first[i] = b1 * first[i] + (1.0 - b1) * g[i];
                second[i] = b2 * second[i] + (1.0 - b2) * g[i] * g[i];
            }
            (0..n)
                .map(|i| {
                    let m_hat = first[i] / (1.0 - b1.powi(t));
                    let v_hat = second[i] / (1.0 - b2.powi(t));
                    m_hat / v_hat.sqrt()
                })
                .collect()
        } else {
            let mu = num(&p["momentum"]);
            for i in 0..n {
                first[i] = mu * first[i] + g[i];
            }
            if name == "nesterov" {
                (0..n).map(|i| g[i] + mu * first[i]).collect()
            } else {
                first.clone()
            }
        };
        w = (0..n)
            .map(|i| w[i] - lr * decay * w[i] - lr * direction[i])
            .collect();
        for (column, v) in table.iter_mut().zip([&g, &first, &second, &direction, &w]) {
            column.push(v.clone());
        }
    }
    let mut out = HashMap::new();
    let columns = ["g", "first", "second", "direction", "w"];
    for (name, column) in columns.iter().zip(&table) {
        put_matrix(&mut out, name, column);
    }
    put_vector(&mut out, "w_final", &w);
    if name == "adamw" {
        // Adam with L2: g̃₁ = g₁ + λ w₀, then a step of η·sign(g̃₁).
        let l2: Vec<f64> = (0..n)
            .map(|i| {
                let g = g1[i] + decay * w0[i];
                let sign = if g == 0.0 { 0.0 } else { g.signum() };
                w0[i] - lr * sign
            })
            .collect();
        put_vector(&mut out, "l2_w1", &l2);
    }
    out
}

/// A student whose first gradient's first entry is one too large in magnitude.
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let mut g1 = matrix(&key["answers"]["g"]).swap_remove(0);
    g1[0] += if g1[0] < 0.0 { -1.0 } else { 1.0 };
    let later = later(key, &g1);
    later
        .values()
        .all(|v| v.is_finite())
        .then(|| ("g[0][0]".to_string(), g1[0], later))
}

#[test]
fn a_wrong_first_gradient_is_carried_forward() {
    super::check("optimizer_steps", 30, case);
}
