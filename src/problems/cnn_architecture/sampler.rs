//! The sampler of the cnn_architecture problem: the checked pins and knobs, and the draw
//! of a candidate in the order the random-stream contract fixes.
//!
//! A drawn stack is one to three blocks, each a convolution (k from `kernels`, padding
//! uniform in 0..=(k − 1)/2, stride from `strides`, channels from `channels`), then batch
//! normalisation (chance 1/2), ReLU (chance 3/4) and pooling (chance 1/2: kind from
//! `pools`, window k from `pool_windows`, stride k); then flatten and either one fully
//! connected layer to the classes or (chance 1/3) a hidden one with ReLU before it. A
//! stack whose length is outside `layers_range` is given up (`layer_count`); sizes that
//! do not divide or fit are refused by the constraints.

use serde::{Deserialize, Serialize};

use super::constraints::LAYER_COUNT;
use super::{Layer, MemoryUnit, Params, Solution};
use crate::draw::{chance, int_in, pick, Candidate, VariantRng};
use crate::spec::Points;

/// A pooling kind a draw chooses from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolKind {
    Max,
    Avg,
}

/// Draws this problem's parameters (pinned ones are kept) under
/// [`super::CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) points: Points,
    pub(super) pinned: Pinned,
    pub(super) knobs: Knobs,
}

/// The knobs after defaults.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    pub(super) inputs: Vec<[u32; 3]>,
    pub(super) layers: (usize, usize),
    pub(super) convs: (usize, usize),
    pub(super) kernels: Vec<u32>,
    pub(super) strides: Vec<u32>,
    pub(super) channels: Vec<u32>,
    pub(super) pools: Vec<PoolKind>,
    pub(super) pool_windows: Vec<u32>,
    pub(super) hidden: Vec<u32>,
    pub(super) classes: Vec<u32>,
    pub(super) bias: Vec<bool>,
    pub(super) memory: Vec<MemoryUnit>,
    pub(super) batches: Vec<u32>,
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) input: Option<[u32; 3]>,
    pub(super) layers: Option<Vec<Layer>>,
    pub(super) bias: Option<bool>,
    pub(super) memory: Option<MemoryUnit>,
    pub(super) batch: Option<u32>,
}

impl Sampler {
    /// The fully pinned variant, if every parameter is pinned.
    pub(super) fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        let memory = p.memory?;
        let batch = match memory {
            MemoryUnit::Values => None,
            MemoryUnit::Bytes => Some(p.batch?),
        };
        Some(Params {
            points: self.points,
            input: p.input?,
            layers: p.layers.clone()?,
            bias: p.bias?,
            memory,
            batch,
        })
    }

    pub(super) fn candidate(&self, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let k = &self.knobs;
        let input = match self.pinned.input {
            Some(input) => input,
            None => *pick(rng, &k.inputs),
        };
        let layers = match &self.pinned.layers {
            Some(layers) => layers.clone(),
            None => {
                let layers = self.stack(rng);
                if !(k.layers.0..=k.layers.1).contains(&layers.len()) {
                    return Err(&LAYER_COUNT);
                }
                layers
            }
        };
        let bias = match self.pinned.bias {
            Some(b) => b,
            None => *pick(rng, &k.bias),
        };
        let memory = match self.pinned.memory {
            Some(m) => m,
            // A pinned batch asks for bytes.
            None if self.pinned.batch.is_some() => MemoryUnit::Bytes,
            None => *pick(rng, &k.memory),
        };
        let batch = match (memory, self.pinned.batch) {
            (MemoryUnit::Values, _) => None,
            (MemoryUnit::Bytes, Some(n)) => Some(n),
            (MemoryUnit::Bytes, None) => Some(*pick(rng, &k.batches)),
        };
        Ok(Params {
            points: self.points,
            input,
            layers,
            bias,
            memory,
            batch,
        })
    }

    /// One drawn stack (see the module's doc).
    fn stack(&self, rng: &mut VariantRng) -> Vec<Layer> {
        let k = &self.knobs;
        let mut layers = Vec::new();
        let convs = int_in(rng, k.convs.0 as i64, k.convs.1 as i64);
        for _ in 0..convs {
            let size = *pick(rng, &k.kernels);
            let stride = *pick(rng, &k.strides);
            let padding = int_in(rng, 0, i64::from((size - 1) / 2)) as u32;
            let out = *pick(rng, &k.channels);
            layers.push(Layer::Conv {
                k: size,
                stride,
                padding,
                out,
            });
            if chance(rng, 1, 2) {
                layers.push(Layer::Batchnorm);
            }
            if chance(rng, 3, 4) {
                layers.push(Layer::Relu);
            }
            if chance(rng, 1, 2) {
                let kind = *pick(rng, &k.pools);
                let window = *pick(rng, &k.pool_windows);
                layers.push(match kind {
                    PoolKind::Max => Layer::Maxpool {
                        k: window,
                        stride: Some(window),
                    },
                    PoolKind::Avg => Layer::Avgpool {
                        k: window,
                        stride: Some(window),
                    },
                });
            }
        }
        layers.push(Layer::Flatten);
        if chance(rng, 1, 3) {
            layers.push(Layer::Fc {
                out: *pick(rng, &k.hidden),
            });
            layers.push(Layer::Relu);
        }
        layers.push(Layer::Fc {
            out: *pick(rng, &k.classes),
        });
        layers
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::super::stack::check_stack;
    use super::super::CnnArchitecture as K;
    use super::super::CONSTRAINTS;
    use crate::draw::{all, broken, problem_rng};
    use crate::problems::kind::Kind as _;

    #[test]
    fn drawn_stacks_make_sense_and_keep_every_constraint() {
        let s = sampler("draw: {}\n").unwrap();
        let mut lengths = std::collections::BTreeSet::new();
        for student in 0..300 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(5, student, 0, 0)).unwrap();
            assert!(check_stack(&p.layers).is_ok(), "{p:?}");
            assert!((4..=7).contains(&p.layers.len()), "{p:?}");
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            assert_eq!(p.batch.is_some(), p.memory == super::MemoryUnit::Bytes);
            lengths.insert(p.layers.len());
        }
        assert_eq!(lengths.len(), 4, "every length of the default range is drawn");
    }

    #[test]
    fn pins_are_kept() {
        let s = sampler("input: [1, 16, 16]\nbatch: 8\ndraw: {}\n").unwrap();
        for student in 0..50 {
            let (p, _, _) = K::draw(&s, &mut problem_rng(1, student, 0, 0)).unwrap();
            assert_eq!((p.input, p.batch), ([1, 16, 16], Some(8)));
            assert_eq!(p.memory, super::MemoryUnit::Bytes);
        }
        let pinned = sampler(PINNED).unwrap();
        let (p, _, tries) = K::draw(&pinned, &mut problem_rng(1, 1, 0, 0)).unwrap();
        assert_eq!((p, tries), (pinned.fixed().unwrap(), 1));
    }

    #[test]
    fn impossible_knobs_name_the_constraint() {
        let s = sampler("draw: {layers_range: [9, 9], convs_range: [1, 1]}\n").unwrap();
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "layer_count");
        // A 3×3 kernel with stride 2 on a side of 28: 28 − 3 = 25 and 28 + 2 − 3 = 27
        // are both odd, whatever the padding.
        let s = sampler("draw: {inputs: [[1, 28, 28]], kernels: [3], strides: [2], convs_range: [1, 1]}\n").unwrap();
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "exact_division");
    }
}
