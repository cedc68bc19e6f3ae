//! batchnorm_full: a wrong batch mean, carried through the variance about it, σ, X̂, Y,
//! the parameter gradients, the input gradient and the running statistics by plain
//! loops.

use std::collections::HashMap;

use serde_json::Value;

use super::{matrix, num, put_matrix, put_vector, vector};

/// Everything after μ, from μ (the student's), by the problem's definitions.
fn later(key: &Value, mu: &[f64]) -> HashMap<String, f64> {
    let p = &key["params"];
    let (x, g) = (matrix(&p["x"]), matrix(&p["grad_y"]));
    let (gamma, beta) = (vector(&p["gamma"]), vector(&p["beta"]));
    let (m, eps) = (num(&p["momentum"]), num(&p["eps"]));
    let (rm, rv) = (vector(&p["running_mean"]), vector(&p["running_var"]));
    let (n, d) = (x.len(), x[0].len());
    let nf = n as f64;
    let var: Vec<f64> = (0..d)
        .map(|j| (0..n).map(|i| (x[i][j] - mu[j]).powi(2)).sum::<f64>() / nf)
        .collect();
    let sigma: Vec<f64> = var.iter().map(|v| (v + eps).sqrt()).collect();
    let x_hat: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..d).map(|j| (x[i][j] - mu[j]) / sigma[j]).collect())
        .collect();
    let y: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..d).map(|j| gamma[j] * x_hat[i][j] + beta[j]).collect())
        .collect();
    let grad_beta: Vec<f64> = (0..d).map(|j| (0..n).map(|i| g[i][j]).sum()).collect();
    let grad_gamma: Vec<f64> = (0..d)
        .map(|j| (0..n).map(|i| g[i][j] * x_hat[i][j]).sum())
        .collect();
    // ∂L/∂x_n = γ/(Nσ) (N g_n − Σ_k g_k − x̂_n Σ_k g_k x̂_k), per feature.
    let grad_x: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..d)
                .map(|j| {
                    gamma[j] / (nf * sigma[j])
                        * (nf * g[i][j] - grad_beta[j] - x_hat[i][j] * grad_gamma[j])
                })
                .collect()
        })
        .collect();
    let var_unbiased: Vec<f64> = var.iter().map(|v| v * nf / (nf - 1.0)).collect();
    let running_mean: Vec<f64> = (0..d).map(|j| (1.0 - m) * rm[j] + m * mu[j]).collect();
    let running_var: Vec<f64> = (0..d)
        .map(|j| (1.0 - m) * rv[j] + m * var_unbiased[j])
        .collect();
    let mut out = HashMap::new();
    put_vector(&mut out, "var", &var);
    put_vector(&mut out, "sigma", &sigma);
    put_matrix(&mut out, "x_hat", &x_hat);
    put_matrix(&mut out, "y", &y);
    put_vector(&mut out, "grad_beta", &grad_beta);
    put_vector(&mut out, "grad_gamma", &grad_gamma);
    put_matrix(&mut out, "grad_x", &grad_x);
    put_vector(&mut out, "var_unbiased", &var_unbiased);
    put_vector(&mut out, "running_mean", &running_mean);
    put_vector(&mut out, "running_var", &running_var);
    out
}

/// A student who adds 1 to the first feature's mean.
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let mut mu = vector(&key["answers"]["mu"]);
    mu[0] += 1.0;
    Some(("mu[0]".to_string(), mu[0], later(key, &mu)))
}

#[test]
fn a_wrong_batch_mean_is_carried_forward() {
    super::check("batchnorm_full", 30, case);
}
