//! The worked solution: the forward pass, the per-example backward pass and the SGD
//! step, all through the shared engine.

use ndarray::{Array1, Array2, Axis};

use super::Params;
use crate::engine::batchnorm::{batchnorm_backward, batchnorm_forward, BatchStats};
use crate::engine::linear::{linear_backward, linear_forward};
use crate::engine::loss::{bce_grad_logit, binary_cross_entropy};
use crate::engine::relu::{relu, relu_mask};
use crate::engine::sgd::sgd_step;
use crate::engine::sigmoid::sigmoid_array;

/// The backward pass of one example, as the sheet shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleBackward {
    /// ∂L/∂s = p − y.
    pub ds: f64,
    /// ∂L/∂W2 (a row of h), ∂L/∂b2.
    pub dw2: Array1<f64>,
    pub db2: f64,
    /// ∂L/∂h2 = ds · W2.
    pub dh2: Array1<f64>,
    /// The ReLU derivative at ĥ1 (1 where ĥ1 > 0).
    pub relu_mask: Array1<f64>,
    /// ∂L/∂ĥ1.
    pub dh_hat: Array1<f64>,
    /// ∂L/∂h1.
    pub dh1: Array1<f64>,
    /// ∂L/∂W1 (h, d) and ∂L/∂b1.
    pub dw1: Array2<f64>,
    pub db1: Array1<f64>,
}

/// Every intermediate of the worked solution.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// h1 = W1 x + b1, one row per example.
    pub h1: Array2<f64>,
    pub stats: BatchStats,
    /// (h1 − μ)², one row per example (the terms of the biased variance).
    pub sq_dev: Array2<f64>,
    pub h_hat: Array2<f64>,
    pub h2: Array2<f64>,
    /// Logits and probabilities, one per example.
    pub s: Array1<f64>,
    pub p: Array1<f64>,
    /// Per-example BCE and their mean (the loss before the step).
    pub losses: Array1<f64>,
    pub loss: f64,
    pub backward: Vec<ExampleBackward>,
    /// Mean gradients over the minibatch.
    pub grad_w1: Array2<f64>,
    pub grad_b1: Array1<f64>,
    pub grad_w2: Array2<f64>,
    pub grad_b2: Array1<f64>,
    /// Parameters after one SGD step.
    pub w1: Array2<f64>,
    pub b1: Array1<f64>,
    pub w2: Array2<f64>,
    pub b2: Array1<f64>,
}

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let p = self;
        let n = p.x.nrows();
        let h1 = linear_forward(&p.x, &p.w1, &p.b1);
        let (h_hat, stats) = batchnorm_forward(&h1, p.eps);
        let sq_dev = (&h1 - &stats.mean).mapv(|v| v * v);
        let h2 = relu(&h_hat);
        let s2 = linear_forward(&h2, &p.w2, &p.b2);
        let s = s2.column(0).to_owned();
        let prob = sigmoid_array(&s);
        let losses = Array1::from_shape_fn(n, |i| binary_cross_entropy(prob[i], p.y[i]));
        let loss = losses.mean().unwrap_or(0.0);

        // Per-example chain down to ĥ1: each example's loss depends only on its own row.
        let ds = Array1::from_shape_fn(n, |i| bce_grad_logit(prob[i], p.y[i]));
        let ds2 = ds.clone().insert_axis(Axis(1));
        let mut dh_hat = Array2::zeros(h_hat.raw_dim());
        let mut top = Vec::with_capacity(n);
        for i in 0..n {
            let row = |a: &Array2<f64>| a.row(i).to_owned().insert_axis(Axis(0));
            let g2 = linear_backward(&row(&h2), &p.w2, &row(&ds2));
            let mask = relu_mask(&h_hat.row(i).to_owned());
            let dhh = &g2.dx.row(0) * &mask;
            dh_hat.row_mut(i).assign(&dhh);
            top.push((g2, mask, dhh));
        }
        let dh1 = batchnorm_backward(&h1, &stats, &dh_hat, p.backward);

        let mut backward = Vec::with_capacity(n);
        for (i, (g2, mask, dhh)) in top.into_iter().enumerate() {
            let row = |a: &Array2<f64>| a.row(i).to_owned().insert_axis(Axis(0));
            let g1 = linear_backward(&row(&p.x), &p.w1, &row(&dh1));
            backward.push(ExampleBackward {
                ds: ds[i],
                dw2: g2.dw.row(0).to_owned(),
                db2: g2.db[0],
                dh2: g2.dx.row(0).to_owned(),
                relu_mask: mask,
                dh_hat: dhh,
                dh1: dh1.row(i).to_owned(),
                dw1: g1.dw,
                db1: g1.db,
            });
        }

        let nf = n as f64;
        let grad_w1 = backward
            .iter()
            .fold(Array2::zeros(p.w1.raw_dim()), |a, b| a + &b.dw1)
            / nf;
        let grad_b1 = backward
            .iter()
            .fold(Array1::zeros(p.b1.len()), |a, b| a + &b.db1)
            / nf;
        let grad_w2 = backward
            .iter()
            .fold(Array1::zeros(p.w2.ncols()), |a, b| a + &b.dw2)
            .insert_axis(Axis(0))
            / nf;
        let grad_b2 = Array1::from_elem(1, backward.iter().map(|b| b.db2).sum::<f64>() / nf);

        Solution {
            w1: sgd_step(&p.w1, &grad_w1, p.lr),
            b1: sgd_step(&p.b1, &grad_b1, p.lr),
            w2: sgd_step(&p.w2, &grad_w2, p.lr),
            b2: sgd_step(&p.b2, &grad_b2, p.lr),
            h1,
            stats,
            sq_dev,
            h_hat,
            h2,
            s,
            p: prob,
            losses,
            loss,
            backward,
            grad_w1,
            grad_b1,
            grad_w2,
            grad_b2,
        }
    }
}
