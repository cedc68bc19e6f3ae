//! batchnorm_mlp: a wrong first-layer output, carried through the batch statistics,
//! normalisation, ReLU, the second layer, the sigmoid, the loss, the mean gradients and
//! the SGD step by plain loops.

use std::collections::HashMap;

use serde_json::Value;

use super::{matrix, num, put_matrix, put_vector, vector};

/// Everything after h1, from h1 (the student's), by the problem's definitions.
fn later(key: &Value, h1: &[Vec<f64>]) -> HashMap<String, f64> {
    let p = &key["params"];
    let (x, y) = (matrix(&p["X"]), vector(&p["y"]));
    let (w1, b1, w2, b2) = (
        matrix(&p["W1"]),
        vector(&p["b1"]),
        matrix(&p["W2"]),
        vector(&p["b2"]),
    );
    let (lr, eps) = (num(&p["lr"]), num(&p["eps"]));
    let full = p["batchnorm_backward"] == "full";
    let (n, h, d) = (h1.len(), h1[0].len(), x[0].len());
    let nf = n as f64;
    let mu: Vec<f64> = (0..h)
        .map(|j| (0..n).map(|i| h1[i][j]).sum::<f64>() / nf)
        .collect();
    let var: Vec<f64> = (0..h)
        .map(|j| (0..n).map(|i| (h1[i][j] - mu[j]).powi(2)).sum::<f64>() / nf)
        .collect();
    let sigma: Vec<f64> = var.iter().map(|v| (v + eps).sqrt()).collect();
    let h_hat: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..h).map(|j| (h1[i][j] - mu[j]) / sigma[j]).collect())
        .collect();
    let h2: Vec<Vec<f64>> = h_hat
        .iter()
        .map(|r| r.iter().map(|v| v.max(0.0)).collect())
        .collect();
    let s: Vec<f64> = (0..n)
        .map(|i| (0..h).map(|j| w2[0][j] * h2[i][j]).sum::<f64>() + b2[0])
        .collect();
    let prob: Vec<f64> = s.iter().map(|v| 1.0 / (1.0 + (-v).exp())).collect();
    let loss = (0..n)
        .map(|i| -(y[i] * prob[i].ln() + (1.0 - y[i]) * (1.0 - prob[i]).ln()))
        .sum::<f64>()
        / nf;
    // Per example: ∂L/∂s = p − y, then down to ĥ1 through W2 and the ReLU mask.
    let ds: Vec<f64> = (0..n).map(|i| prob[i] - y[i]).collect();
    let dh_hat: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..h)
                .map(|j| {
                    if h_hat[i][j] > 0.0 {
                        ds[i] * w2[0][j]
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let dh1: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..h)
                .map(|j| {
                    if !full {
                        return dh_hat[i][j] / sigma[j];
                    }
                    let sum: f64 = (0..n).map(|k| dh_hat[k][j]).sum();
                    let dot: f64 = (0..n).map(|k| dh_hat[k][j] * h_hat[k][j]).sum();
                    (nf * dh_hat[i][j] - sum - h_hat[i][j] * dot) / (nf * sigma[j])
                })
                .collect()
        })
        .collect();
    // The mean of the per-example gradients, and the step.
    let grad_w2: Vec<f64> = (0..h)
        .map(|j| (0..n).map(|i| ds[i] * h2[i][j]).sum::<f64>() / nf)
        .collect();
    let grad_b2 = ds.iter().sum::<f64>() / nf;
    let grad_w1: Vec<Vec<f64>> = (0..h)
        .map(|j| {
            (0..d)
                .map(|k| (0..n).map(|i| dh1[i][j] * x[i][k]).sum::<f64>() / nf)
                .collect()
        })
        .collect();
    let grad_b1: Vec<f64> = (0..h)
        .map(|j| (0..n).map(|i| dh1[i][j]).sum::<f64>() / nf)
        .collect();
    let new_w1: Vec<Vec<f64>> = (0..h)
        .map(|j| (0..d).map(|k| w1[j][k] - lr * grad_w1[j][k]).collect())
        .collect();
    let new_b1: Vec<f64> = (0..h).map(|j| b1[j] - lr * grad_b1[j]).collect();
    let new_w2: Vec<f64> = (0..h).map(|j| w2[0][j] - lr * grad_w2[j]).collect();
    let mut out = HashMap::new();
    put_vector(&mut out, "mu", &mu);
    put_vector(&mut out, "var", &var);
    put_vector(&mut out, "sigma", &sigma);
    put_matrix(&mut out, "h_hat", &h_hat);
    put_vector(&mut out, "s", &s);
    put_vector(&mut out, "p", &prob);
    out.insert("loss".into(), loss);
    put_matrix(&mut out, "grad_W2", &[grad_w2]);
    put_vector(&mut out, "grad_b2", &[grad_b2]);
    put_matrix(&mut out, "grad_W1", &grad_w1);
    put_vector(&mut out, "grad_b1", &grad_b1);
    put_matrix(&mut out, "W1", &new_w1);
    put_vector(&mut out, "b1", &new_b1);
    put_matrix(&mut out, "W2", &[new_w2]);
    put_vector(&mut out, "b2", &[b2[0] - lr * grad_b2]);
    out
}

/// A student who adds 1 to the first example's first hidden pre-activation.
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let mut h1 = matrix(&key["answers"]["h1"]);
    h1[0][0] += 1.0;
    let later = later(key, &h1);
    later
        .values()
        .all(|v| v.is_finite())
        .then(|| ("h1[0][0]".to_string(), h1[0][0], later))
}

#[test]
fn a_wrong_first_layer_output_is_carried_forward() {
    super::check("batchnorm_mlp", 30, case);
}

/// The default draw keeps the statistics constant; the full backward pass (which sums
/// over the student's ĥ1) is checked on drawn variants of its own.
#[test]
fn a_wrong_first_layer_output_is_carried_through_the_full_backward() {
    use examgen::grade::mark::{mark, Verdict};
    let spec = super::super::common::parse_inline(
        "  - batchnorm_mlp:\n      batchnorm_backward: full\n      draw:\n        batch: 4\n        \
         inputs: 3\n        labels: [1, 0, 0, 1]\n        x_range: [-2, 4]\n",
    );
    let mut carried = 0;
    for student in 0..10 {
        let solved = examgen::class::draw_variant(&spec, 5, student, 0)
            .unwrap()
            .remove(0);
        let (wrong, value, later) = case(&solved.key()).expect("a case");
        let mut script = super::super::checkpoints::key_answers(&solved);
        script.insert(wrong.clone(), value);
        script.extend(later);
        for m in mark(&solved, &|l: &str| script.get(l).copied(), super::TOLERANCE) {
            let want = if m.label == wrong {
                Verdict::Wrong
            } else if (m.key - script[&m.label]).abs() > super::TOLERANCE {
                carried += 1;
                Verdict::Carried
            } else {
                Verdict::Correct
            };
            assert_eq!(m.verdict, want, "{m:?}");
        }
    }
    assert!(carried > 0);
}
