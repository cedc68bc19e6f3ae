//! The spec side of the cnn_architecture problem: the serde types as written in a YAML
//! spec (pins and `draw:` knobs) and their checks into a [`Sampler`], so that every error
//! names the field to change before anything is drawn.

use serde::Deserialize;

use super::sampler::{Knobs, Pinned, PoolKind, Sampler};
use super::stack::{check_input, check_stack, MAX_CHANNELS, MAX_FEATURES, MAX_KERNEL, MAX_STRIDE};
use super::{Layer, MemoryUnit};
use crate::spec::knobs::{every_pinned, one_of, pinned_in, range};
use crate::spec::{FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of them must be (`batch` only when `memory` is `bytes`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// One example's [C, H, W].
    #[serde(default)]
    pub input: Option<[u32; 3]>,
    /// The stack, first layer first.
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub layers: Option<Vec<Layer>>,
    /// Whether convolutions and fully connected layers have a bias.
    #[serde(default)]
    pub bias: Option<bool>,
    /// `values` (activation values of one example) or `bytes` (float32, a batch).
    #[serde(default)]
    pub memory: Option<MemoryUnit>,
    /// The batch size N of the `bytes` question.
    #[serde(default)]
    pub batch: Option<u32>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant, each optional. Sets are drawn from uniformly;
/// ranges are `[min, max]`, inclusive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// Inputs [C, H, W] (default [1, 28, 28], [3, 32, 32], [1, 16, 16], [3, 16, 16]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub inputs: Option<Vec<[u32; 3]>>,
    /// How many layers the stack has, ReLU and flatten included (default [4, 7]).
    #[serde(default)]
    pub layers_range: Option<[usize; 2]>,
    /// How many convolutions (default [1, 2]).
    #[serde(default)]
    pub convs_range: Option<[usize; 2]>,
    /// Convolution kernel sizes k (default [1, 3, 5]); the padding is drawn from 0 to
    /// (k − 1)/2.
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub kernels: Option<Vec<u32>>,
    /// Convolution strides (default [1, 2]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub strides: Option<Vec<u32>>,
    /// Output channels of a convolution (default [4, 6, 8, 12, 16]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub channels: Option<Vec<u32>>,
    /// Pooling kinds (default [max, avg]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub pools: Option<Vec<PoolKind>>,
    /// Pooling windows k, the stride equal to k (default [2]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub pool_windows: Option<Vec<u32>>,
    /// Outputs of a hidden fully connected layer (default [16, 32]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub hidden: Option<Vec<u32>>,
    /// Outputs of the last fully connected layer, the classes (default [2, 5, 10]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub classes: Option<Vec<u32>>,
    /// Bias conventions (default [true, false]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub bias: Option<Vec<bool>>,
    /// Memory units (default [values, bytes]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub memory: Option<Vec<MemoryUnit>>,
    /// Batch sizes of the `bytes` question (default [2, 4, 8]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub batches: Option<Vec<u32>>,
}

/// The shortest and the longest stack a draw may ask for.
pub const DRAWN_LAYERS: (usize, usize) = (4, 9);
/// The most convolutions a draw may ask for.
pub const MAX_DRAWN_CONVS: usize = 3;
/// The largest batch.
pub const MAX_BATCH: u32 = 1024;

fn member(max: u32, what: &'static str) -> impl Fn(&u32) -> Result<(), String> {
    move |&v| {
        if (1..=max).contains(&v) {
            Ok(())
        } else {
            Err(format!("is {v} but {what} must be 1 to {max}"))
        }
    }
}

/// A knob `[min, max]` of sizes that must lie within `bounds`.
fn size_range(
    knob: Option<[usize; 2]>,
    field: &str,
    default: (usize, usize),
    (lo, hi): (usize, usize),
) -> Result<(usize, usize), FieldError> {
    let r = range(knob, field, default)?;
    if r.0 < lo || r.1 > hi {
        return Err(FieldError::new(field, format!("must lie within [{lo}, {hi}]")));
    }
    Ok(r)
}

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        let bytes = spec.memory == Some(MemoryUnit::Bytes);
        if spec.draw.is_none() {
            every_pinned(&[
                ("input", spec.input.is_some()),
                ("layers", spec.layers.is_some()),
                ("bias", spec.bias.is_some()),
                ("memory", spec.memory.is_some()),
                ("batch", !bytes || spec.batch.is_some()),
            ])?;
        }
        if spec.memory == Some(MemoryUnit::Values) && spec.batch.is_some() {
            return Err(FieldError::new(
                "batch",
                "is only asked with `memory: bytes`; remove it or change memory",
            ));
        }
        if let (Some(_), None, Some(units)) = (spec.batch, spec.memory, &draw_memory(&spec)) {
            if !units.contains(&MemoryUnit::Bytes) {
                return Err(FieldError::new(
                    "batch",
                    "is only asked with `memory: bytes` but draw.memory has no bytes; \
                     change or remove one",
                ));
            }
        }
        if let Some(input) = &spec.input {
            check_input(input)?;
        }
        if let Some(layers) = &spec.layers {
            check_stack(layers)?;
        }
        if let Some(n) = spec.batch {
            member(MAX_BATCH, "the batch")(&n).map_err(|m| FieldError::new("batch", m))?;
        }
        let draw = spec.draw.clone().unwrap_or_default();
        let knobs = knobs(&draw)?;
        pinned_in(spec.input, "input", &draw.inputs, "draw.inputs")?;
        pinned_in(spec.bias, "bias", &draw.bias, "draw.bias")?;
        pinned_in(spec.memory, "memory", &draw.memory, "draw.memory")?;
        pinned_in(spec.batch, "batch", &draw.batches, "draw.batches")?;
        if let (Some(layers), Some(_)) = (&spec.layers, draw.layers_range) {
            crate::spec::knobs::value_within(
                "layers",
                layers.len(),
                draw.layers_range,
                "draw.layers_range",
            )?;
        }
        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                input: spec.input,
                layers: spec.layers,
                bias: spec.bias,
                memory: spec.memory,
                batch: spec.batch,
            },
            knobs,
        })
    }
}

/// The `draw.memory` knob, when the spec has one.
fn draw_memory(spec: &Spec) -> Option<Vec<MemoryUnit>> {
    spec.draw.as_ref().and_then(|d| d.memory.clone())
}

fn knobs(draw: &Draw) -> Result<Knobs, FieldError> {
    let inputs = one_of(
        &draw.inputs,
        "draw.inputs",
        &[[1, 28, 28], [3, 32, 32], [1, 16, 16], [3, 16, 16]],
        |input| check_input(input).map_err(|e| e.message),
    )?;
    let kernels = one_of(&draw.kernels, "draw.kernels", &[1, 3, 5], member(MAX_KERNEL, "a kernel"))?;
    let pool_windows = one_of(&draw.pool_windows, "draw.pool_windows", &[2], |&k| {
        if (2..=MAX_STRIDE).contains(&k) {
            Ok(())
        } else {
            Err(format!("is {k} but a pooling window (and its stride) must be 2 to {MAX_STRIDE}"))
        }
    })?;
    Ok(Knobs {
        inputs,
        layers: size_range(draw.layers_range, "draw.layers_range", (4, 7), DRAWN_LAYERS)?,
        convs: size_range(draw.convs_range, "draw.convs_range", (1, 2), (1, MAX_DRAWN_CONVS))?,
        kernels,
        strides: one_of(&draw.strides, "draw.strides", &[1, 2], member(MAX_STRIDE, "a stride"))?,
        channels: one_of(&draw.channels, "draw.channels", &[4, 6, 8, 12, 16], member(MAX_CHANNELS, "a channel count"))?,
        pools: one_of(&draw.pools, "draw.pools", &[PoolKind::Max, PoolKind::Avg], |_| Ok(()))?,
        pool_windows,
        hidden: one_of(&draw.hidden, "draw.hidden", &[16, 32], member(MAX_FEATURES, "a layer's outputs"))?,
        classes: one_of(&draw.classes, "draw.classes", &[2, 5, 10], member(MAX_FEATURES, "a layer's outputs"))?,
        bias: one_of(&draw.bias, "draw.bias", &[true, false], |_| Ok(()))?,
        memory: one_of(&draw.memory, "draw.memory", &[MemoryUnit::Values, MemoryUnit::Bytes], |_| Ok(()))?,
        batches: one_of(&draw.batches, "draw.batches", &[2, 4, 8], member(MAX_BATCH, "the batch"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};

    fn error_of(yaml: &str) -> (String, String) {
        let e = sampler(yaml).expect_err("a spec error");
        (e.field, e.message)
    }

    fn field_of(yaml: &str) -> String {
        error_of(yaml).0
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        assert_eq!(field_of(&PINNED.replace("bias: true\n", "")), "bias");
        assert_eq!(field_of(&PINNED.replace("memory: values\n", "")), "memory");
        assert_eq!(field_of(&PINNED.replace("memory: values", "memory: bytes")), "batch");
        assert!(sampler(&PINNED.replace("memory: values", "memory: bytes\nbatch: 4")).is_ok());
        let (field, message) = error_of("bias: true\n");
        assert_eq!(field, "input");
        assert!(message.contains("add a `draw:` section"), "{message}");
    }

    #[test]
    fn a_batch_without_bytes_is_an_error() {
        let (field, message) = error_of(&format!("{PINNED}batch: 4\n"));
        assert_eq!(field, "batch");
        assert!(message.contains("memory: bytes"), "{message}");
    }

    #[test]
    fn a_pin_outside_its_knob_names_it_in_the_shared_wording() {
        let (field, message) = error_of("input: [2, 8, 8]\ndraw: {inputs: [[1, 28, 28]]}\n");
        assert_eq!(field, "input");
        assert_eq!(message, "is [2,8,8] but draw.inputs is [[1,28,28]]; change or remove one");
        assert_eq!(field_of("bias: true\ndraw: {bias: [false]}\n"), "bias");
        assert_eq!(field_of("memory: bytes\ndraw: {memory: [values]}\n"), "memory");
        assert_eq!(field_of("batch: 3\ndraw: {batches: [2, 4]}\n"), "batch");
        let (field, message) = error_of(&PINNED.replace("memory: values\n", "draw: {layers_range: [4, 5]}\n"));
        assert_eq!(field, "layers");
        assert_eq!(message, "is 6 but draw.layers_range is [4, 5]; change or remove one");
    }

    #[test]
    fn knobs_are_checked() {
        assert_eq!(field_of("draw: {layers_range: [3, 7]}\n"), "draw.layers_range");
        assert_eq!(field_of("draw: {layers_range: [5, 4]}\n"), "draw.layers_range");
        assert_eq!(field_of("draw: {convs_range: [1, 4]}\n"), "draw.convs_range");
        assert_eq!(field_of("draw: {kernels: [3, 13]}\n"), "draw.kernels[1]");
        assert_eq!(field_of("draw: {strides: [0]}\n"), "draw.strides[0]");
        assert_eq!(field_of("draw: {channels: []}\n"), "draw.channels");
        assert_eq!(field_of("draw: {pool_windows: [1]}\n"), "draw.pool_windows[0]");
        assert_eq!(field_of("draw: {inputs: [[1, 0, 4]]}\n"), "draw.inputs[0]");
        assert_eq!(field_of("draw: {batches: [0]}\n"), "draw.batches[0]");
        assert_eq!(field_of("input: [1, 600, 4]\ndraw: {}\n"), "input[1]");
        assert_eq!(field_of("batch: 2000\ndraw: {}\n"), "batch");
        assert_eq!(field_of("batch: 2\ndraw: {memory: [values]}\n"), "batch");
        assert_eq!(field_of("layers: [relu]\ndraw: {}\n"), "layers");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        assert_eq!(s.knobs.layers, (4, 7));
        assert_eq!(s.knobs.kernels, vec![1, 3, 5]);
        assert!(s.fixed().is_none());
        assert!(sampler(PINNED).unwrap().fixed().is_some());
    }
}
