//! The cnn_architecture entry of key.json: the input, the stack and the conventions, and
//! every answer a grader checks (shapes and parameters per layer, the total, the
//! receptive field and the activation memory).

use serde::Serialize;

use super::{Layer, MemoryUnit, Params, Shape, Solution};
use crate::problems::kind::AnswersOf;

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: crate::problems::KeyCsv = crate::problems::KeyCsv {
    params: &["memory"],
    answers: &["params", "total_params", "receptive_field", "memory"],
};

/// The key's `params`: everything needed to recompute every answer.
#[derive(Serialize)]
pub struct KeyParams {
    /// [C, H, W] of one example.
    input: [u32; 3],
    /// The stack, first layer first, as a spec writes it (pool strides filled in).
    layers: Vec<Layer>,
    /// Whether convolutions and fully connected layers have a bias.
    bias: bool,
    /// `values` (per example) or `bytes` (float32, a batch of `batch`).
    memory: MemoryUnit,
    batch: Option<u32>,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    /// Each layer's output shape: [C, H, W] or [n].
    shapes: Vec<Vec<i64>>,
    /// Each layer's parameters.
    params: Vec<i64>,
    total_params: i64,
    /// Of one unit of the last convolution or pooling layer, in input pixels.
    receptive_field: i64,
    /// Activation values of one example (every layer's output but flatten's).
    activations: i64,
    /// The asked memory: `activations`, or 4 · batch · activations bytes.
    memory: i64,
}

/// A shape as the key writes it.
pub fn dims(shape: &Shape) -> Vec<i64> {
    match *shape {
        Shape::Map { c, h, w } => vec![c, h, w],
        Shape::Flat(n) => vec![n],
    }
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        // A pool's stride written out, so that the key does not rely on PyTorch's default.
        let layers = p
            .layers
            .iter()
            .map(|&layer| match layer {
                Layer::Maxpool { k, stride } => Layer::Maxpool {
                    k,
                    stride: Some(stride.unwrap_or(k)),
                },
                Layer::Avgpool { k, stride } => Layer::Avgpool {
                    k,
                    stride: Some(stride.unwrap_or(k)),
                },
                other => other,
            })
            .collect();
        KeyParams {
            input: p.input,
            layers,
            bias: p.bias,
            memory: p.memory,
            batch: p.batch,
        }
    }
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(_p: &Params, s: &Solution) -> Self {
        Answers {
            shapes: s.rows.iter().map(|r| dims(&r.output)).collect(),
            params: s.rows.iter().map(|r| r.params).collect(),
            total_params: s.total_params,
            receptive_field: s.receptive_field,
            activations: s.activations,
            memory: s.memory,
        }
    }
}
