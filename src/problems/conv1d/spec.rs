//! The spec side of the conv1d problem: the serde types as written in a YAML spec
//! (pins and `draw:` knobs) and their validation into a [`Sampler`], so that every
//! error names the field to change before anything is drawn.

use serde::Deserialize;

use super::sampler::{Knobs, Pinned, Sampler};
use crate::problems::{array1, array2};
use crate::spec::knobs::{
    every_pinned, ln_base_pin, ln_bases, range, rows_within, size, size_in, within,
};
use crate::spec::{rules, FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of them must be.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// The input signal.
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub x: Option<Vec<f64>>,
    /// The kernels, one per row, all of the same length.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub kernels: Option<Vec<Vec<f64>>>,
    /// W2 and b2 are given as integers in units of ln(ln_base).
    #[serde(default)]
    pub ln_base: Option<u32>,
    /// FC weights (classes × kernels), in units of ln(ln_base).
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub W2: Option<Vec<Vec<f64>>>,
    /// FC bias (one per class), in units of ln(ln_base).
    #[serde(default, deserialize_with = "crate::spec::number::numbers")]
    pub b2: Option<Vec<f64>>,
    /// The true class, 0-based.
    #[serde(default)]
    pub y: Option<usize>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant; each one optional, the defaults are the 2022 exam's
/// sizes and value ranges. Ranges are `[min, max]`, inclusive.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Draw {
    /// Length of x (default 5).
    pub input_length: Option<usize>,
    /// Length of every kernel (default 3).
    pub kernel_size: Option<usize>,
    /// Number of kernels (default 2).
    pub kernel_count: Option<usize>,
    /// Number of classes (default 2).
    pub classes: Option<usize>,
    /// Entries of x (default [-2, 4]).
    pub x_range: Option<[i64; 2]>,
    /// Entries of the kernels (default [-1, 1]).
    pub kernel_range: Option<[i64; 2]>,
    /// The bases b of the ln(b) unit of W2 and b2 (default [2]).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub ln_bases: Option<Vec<u32>>,
    /// Entries of W2 in units of ln(b) (default [-1, 1]).
    pub w2_range: Option<[i64; 2]>,
    /// Entries of b2 in units of ln(b) (default [-1, 1]).
    pub b2_range: Option<[i64; 2]>,
}

/// Largest sizes a knob may ask for: the sheet writes every vector out.
const MAX_INPUT_LENGTH: usize = 16;
const MAX_KERNELS: usize = 6;
const MAX_CLASSES: usize = 6;

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        if spec.draw.is_none() {
            every_pinned(&[
                ("x", spec.x.is_some()),
                ("kernels", spec.kernels.is_some()),
                ("ln_base", spec.ln_base.is_some()),
                ("W2", spec.W2.is_some()),
                ("b2", spec.b2.is_some()),
                ("y", spec.y.is_some()),
            ])?;
        }
        let draw = spec.draw.clone().unwrap_or_default();

        // Each pinned field on its own.
        if let Some(x) = &spec.x {
            rules::finite("x", x)?;
            if x.is_empty() {
                return Err(FieldError::new("x", "must have at least one entry"));
            }
        }
        let kernels_shape = match &spec.kernels {
            Some(k) => Some(rules::matrix("kernels", k)?),
            None => None,
        };
        if let Some(b) = spec.ln_base {
            ln_base_pin(b, &None)?;
        }
        let w2_shape = match &spec.W2 {
            Some(w) => {
                let shape = rules::matrix("W2", w)?;
                for (i, row) in w.iter().enumerate() {
                    rules::integers(&format!("W2[{i}]"), row)?;
                }
                Some(shape)
            }
            None => None,
        };
        if let Some(b) = &spec.b2 {
            rules::finite("b2", b)?;
            rules::integers("b2", b)?;
        }

        // Sizes: pins agree with each other, then with the knobs.
        let input_length = size_in(
            spec.x.as_ref().map(|x| (x.len(), "x")),
            draw.input_length,
            "draw.input_length",
            5,
            (1, MAX_INPUT_LENGTH),
        )?;
        let kernel_size = size(
            kernels_shape.map(|(_, m)| (m, "kernels")),
            draw.kernel_size,
            "draw.kernel_size",
            3,
        )?;
        if let (Some((c, _)), Some((_, c2))) = (kernels_shape, w2_shape) {
            if c2 != c {
                return Err(FieldError::new(
                    "W2",
                    format!("needs one column per kernel ({c}), has {c2}"),
                ));
            }
        }
        let kernel_count = size_in(
            kernels_shape
                .map(|(c, _)| (c, "kernels"))
                .or(w2_shape.map(|(_, c)| (c, "W2"))),
            draw.kernel_count,
            "draw.kernel_count",
            2,
            (1, MAX_KERNELS),
        )?;
        if let (Some((k, _)), Some(b)) = (w2_shape, &spec.b2) {
            rules::length("b2", b, k, "one bias per class (row of W2)")?;
        }
        let classes = size_in(
            w2_shape
                .map(|(k, _)| (k, "W2"))
                .or(spec.b2.as_ref().map(|b| (b.len(), "b2"))),
            draw.classes,
            "draw.classes",
            2,
            (2, MAX_CLASSES),
        )?;
        if kernel_size > input_length || kernel_size == 0 {
            let field = if spec.kernels.is_some() {
                "kernels"
            } else {
                "draw.kernel_size"
            };
            return Err(FieldError::new(
                field,
                format!(
                    "kernels of length {kernel_size} do not fit an input of length \
                     {input_length} without padding"
                ),
            ));
        }
        // A drawn class count is at least 2 already; a pinned one is checked here.
        if classes < 2 {
            let (field, message) = if spec.W2.is_some() {
                ("W2", "needs at least two rows (classes)")
            } else {
                ("b2", "needs at least two entries (classes)")
            };
            return Err(FieldError::new(field, message));
        }
        if let Some(y) = spec.y {
            if y >= classes {
                return Err(FieldError::new(
                    "y",
                    format!(
                        "the class must be 0..{} (0-based, there are {classes} classes)",
                        classes - 1
                    ),
                ));
            }
        }

        // Ranges and sets, and the pins that must lie in them when they are given.
        let x_range = range(draw.x_range, "draw.x_range", (-2, 4))?;
        let kernel_range = range(draw.kernel_range, "draw.kernel_range", (-1, 1))?;
        let w2_range = range(draw.w2_range, "draw.w2_range", (-1, 1))?;
        let b2_range = range(draw.b2_range, "draw.b2_range", (-1, 1))?;
        let ln_bases = ln_bases(&draw.ln_bases)?;
        if let Some(x) = &spec.x {
            within("x", x, draw.x_range, "draw.x_range")?;
        }
        if let Some(kernels) = &spec.kernels {
            rows_within("kernels", kernels, draw.kernel_range, "draw.kernel_range")?;
        }
        if let Some(w2) = &spec.W2 {
            rows_within("W2", w2, draw.w2_range, "draw.w2_range")?;
        }
        if let Some(b) = &spec.b2 {
            within("b2", b, draw.b2_range, "draw.b2_range")?;
        }
        if let Some(b) = spec.ln_base {
            ln_base_pin(b, &draw.ln_bases)?;
        }

        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                x: spec.x.as_deref().map(array1),
                kernels: spec.kernels.as_deref().map(array2),
                ln_base: spec.ln_base,
                w2_units: spec.W2.as_deref().map(array2),
                b2_units: spec.b2.as_deref().map(array1),
                y: spec.y,
            },
            knobs: Knobs {
                input_length,
                kernel_size,
                kernel_count,
                classes,
                x_range,
                kernel_range,
                ln_bases,
                w2_range,
                b2_range,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, Y2022};

    fn field_of(yaml: &str) -> String {
        sampler(yaml).expect_err("a spec error").field
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let yaml = Y2022.replace("y: 1\n", "");
        let e = sampler(&yaml).unwrap_err();
        assert_eq!(e.field, "y");
        assert!(e.message.contains("add a `draw:` section"), "{}", e.message);
        assert_eq!(field_of("x: [1, 2, 3]\n"), "kernels");
    }

    #[test]
    fn a_range_with_min_above_max_is_an_error() {
        assert_eq!(field_of("draw: {x_range: [3, -1]}\n"), "draw.x_range");
        assert_eq!(field_of("draw: {w2_range: [1, 0]}\n"), "draw.w2_range");
    }

    #[test]
    fn pins_inconsistent_with_knobs_are_errors() {
        assert_eq!(
            field_of("x: [1, 2, 3, 4]\ndraw: {input_length: 5}\n"),
            "draw.input_length"
        );
        assert_eq!(
            field_of("kernels: [[1, 0], [0, 1]]\ndraw: {kernel_count: 3}\n"),
            "draw.kernel_count"
        );
        assert_eq!(
            field_of("W2: [[1, 0, 1], [0, 1, 0]]\ndraw: {kernel_count: 2}\n"),
            "draw.kernel_count"
        );
        assert_eq!(field_of("x: [1, 2, 9]\ndraw: {x_range: [0, 4]}\n"), "x[2]");
        assert_eq!(field_of("ln_base: 3\ndraw: {ln_bases: [2]}\n"), "ln_base");
        assert_eq!(field_of("y: 2\ndraw: {}\n"), "y");
        assert_eq!(
            field_of("draw: {input_length: 3, kernel_size: 4}\n"),
            "draw.kernel_size"
        );
        assert_eq!(field_of("draw: {classes: 1}\n"), "draw.classes");
        assert_eq!(field_of("draw: {ln_bases: [2, 1]}\n"), "draw.ln_bases[1]");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        assert!(!<super::super::Conv1d as crate::problems::Kind>::is_fixed(&s));
        assert_eq!(s.knobs.input_length, 5);
        assert_eq!(s.knobs.ln_bases, vec![2]);
    }
}
