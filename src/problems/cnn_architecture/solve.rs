//! The table's arithmetic: each layer's output shape and parameter count, the receptive
//! field of the last convolution or pooling layer, and the activation memory.
//!
//! All of it is integer arithmetic on i64 (the spec's limits keep every product far
//! below 2^53, so the sheet's integer formatter sees every value exactly). `solve` is
//! total: a window that does not divide or does not fit still gives a row (floored, as
//! PyTorch does, or a side below 1), which the constraints then refuse.

use super::{Layer, MemoryUnit, Params};

/// Bytes of one float32 value.
pub const FLOAT32_BYTES: i64 = 4;

/// One example's tensor between layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A feature map C×H×W.
    Map { c: i64, h: i64, w: i64 },
    /// A vector of n features (after flatten or a fully connected layer).
    Flat(i64),
}

impl Shape {
    /// The number of values.
    pub fn size(&self) -> i64 {
        match *self {
            Shape::Map { c, h, w } => c * h * w,
            Shape::Flat(n) => n,
        }
    }

    /// The channels (or features) a batch normalisation normalises.
    pub fn channels(&self) -> i64 {
        match *self {
            Shape::Map { c, .. } => c,
            Shape::Flat(n) => n,
        }
    }
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub layer: Layer,
    pub input: Shape,
    pub output: Shape,
    pub params: i64,
    /// Whether (H + 2P − K) and (W + 2P − K) are non-negative multiples of the stride
    /// (always true for a layer without a window).
    pub exact: bool,
    /// For a convolution or pooling layer: the receptive field of one output unit and
    /// the jump (product of the strides so far) after it, and the jump before it.
    pub field: Option<FieldStep>,
}

/// One step of the receptive-field recursion r_l = r_{l−1} + (k_l − 1)·j_{l−1},
/// j_l = j_{l−1}·s_l.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldStep {
    pub r_before: i64,
    pub jump_before: i64,
    pub k: i64,
    pub stride: i64,
    pub r: i64,
    pub jump: i64,
}

/// Every value the worked solution shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    pub rows: Vec<Row>,
    pub total_params: i64,
    /// The receptive field of one unit of the last convolution or pooling layer (1 when
    /// there is none).
    pub receptive_field: i64,
    /// Activation values of one example: every layer's output except flatten's (a view
    /// of the same memory); the input is not counted.
    pub activations: i64,
    /// The answer in the asked unit: `activations`, or 4·N·`activations` bytes.
    pub memory: i64,
}

/// One side through a window: ⌊(n + 2p − k)/s⌋ + 1, and whether the division is exact
/// (and n + 2p − k ≥ 0).
pub fn side(n: i64, (k, s, p): (i64, i64, i64)) -> (i64, bool) {
    let span = n + 2 * p - k;
    (span.div_euclid(s) + 1, span >= 0 && span % s == 0)
}

/// The parameters of a layer on its input: conv C_in·k·k·C_out (+ C_out), batch norm 2C
/// (γ and β; the running mean and variance are buffers, not parameters), fully
/// connected in·out (+ out), everything else 0.
pub fn params_of(layer: &Layer, input: &Shape, bias: bool) -> i64 {
    let b = i64::from(bias);
    match *layer {
        Layer::Conv { k, out, .. } => {
            let (k, out) = (i64::from(k), i64::from(out));
            input.channels() * k * k * out + b * out
        }
        Layer::Batchnorm => 2 * input.channels(),
        Layer::Fc { out } => input.size() * i64::from(out) + b * i64::from(out),
        _ => 0,
    }
}

/// The output of a layer on its input. A window on a vector treats it as n×1×1, and a
/// fully connected layer on a map flattens it: stacks the checks refuse, solved without
/// a panic.
pub(super) fn output_of(layer: &Layer, input: &Shape) -> (Shape, bool) {
    let (c, h, w) = match *input {
        Shape::Map { c, h, w } => (c, h, w),
        Shape::Flat(n) => (n, 1, 1),
    };
    if let Some(window) = layer.window() {
        let (h, exact_h) = side(h, window);
        let (w, exact_w) = side(w, window);
        let c = match *layer {
            Layer::Conv { out, .. } => i64::from(out),
            _ => c,
        };
        return (Shape::Map { c, h, w }, exact_h && exact_w);
    }
    match *layer {
        Layer::Conv { .. } | Layer::Maxpool { .. } | Layer::Avgpool { .. } => (*input, true),
        Layer::Flatten => (Shape::Flat(input.size()), true),
        Layer::Fc { out } => (Shape::Flat(out.into()), true),
        Layer::Batchnorm | Layer::Relu => (*input, true),
    }
}

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let [c, h, w] = self.input.map(i64::from);
        let mut shape = Shape::Map { c, h, w };
        let (mut r, mut jump) = (1i64, 1i64);
        let mut rows = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let (output, exact) = output_of(layer, &shape);
            let field = layer.window().map(|(k, stride, _)| {
                let step = FieldStep {
                    r_before: r,
                    jump_before: jump,
                    k,
                    stride,
                    r: r + (k - 1) * jump,
                    jump: jump * stride,
                };
                (r, jump) = (step.r, step.jump);
                step
            });
            rows.push(Row {
                layer: *layer,
                input: shape,
                output,
                params: params_of(layer, &shape, self.bias),
                exact,
                field,
            });
            shape = output;
        }
        let activations = rows
            .iter()
            .filter(|row| row.layer != Layer::Flatten)
            .map(|row| row.output.size())
            .sum();
        let memory = match self.memory {
            MemoryUnit::Values => activations,
            MemoryUnit::Bytes => {
                FLOAT32_BYTES * i64::from(self.batch.unwrap_or(1)) * activations
            }
        };
        Solution {
            total_params: rows.iter().map(|row| row.params).sum(),
            receptive_field: r,
            activations,
            memory,
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::*;
    use crate::problems::kind::Variant as _;

    #[test]
    fn the_hand_worked_stack() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        let shapes: Vec<Shape> = s.rows.iter().map(|r| r.output).collect();
        let map = |c, h, w| Shape::Map { c, h, w };
        assert_eq!(
            shapes,
            vec![
                map(8, 32, 32),
                map(8, 32, 32),
                map(8, 32, 32),
                map(8, 16, 16),
                Shape::Flat(2048),
                Shape::Flat(10)
            ]
        );
        let params: Vec<i64> = s.rows.iter().map(|r| r.params).collect();
        assert_eq!(params, vec![224, 16, 0, 0, 0, 20_490]);
        assert_eq!(s.total_params, 20_730);
        // r = 1 + 2·1 = 3 after the conv, 3 + 1·1 = 4 after the pool.
        assert_eq!(s.receptive_field, 4);
        // 3·8192 + 2048 + 10 (flatten not counted).
        assert_eq!(s.activations, 3 * 8192 + 2048 + 10);
        assert_eq!(s.memory, s.activations);
        assert!(s.rows.iter().all(|r| r.exact));
    }

    #[test]
    fn bytes_bias_and_windows() {
        let mut p = sampler(PINNED).unwrap().fixed().unwrap();
        p.memory = MemoryUnit::Bytes;
        p.batch = Some(2);
        p.bias = false;
        let s = p.solve();
        assert_eq!(s.memory, 4 * 2 * s.activations);
        assert_eq!(s.rows[0].params, 216);
        assert_eq!(s.rows[5].params, 20_480);
        assert_eq!(side(28, (3, 2, 0)), (13, false));
        assert_eq!(side(28, (3, 1, 1)), (28, true));
        assert_eq!(side(2, (5, 1, 0)), (-2, false));
    }
}
