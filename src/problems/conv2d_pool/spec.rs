//! The spec side of the conv2d_pool problem: the serde types as written in a YAML spec
//! (pins and `draw:` knobs) and their checks into a [`Sampler`], so that every error
//! names the field to change before anything is drawn — among them a geometry whose
//! output size ⌊(H + 2P − K)/S⌋ + 1 would need the floor.

use ndarray::Array2;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use super::sampler::{Pinned, Ranges, Sampler};
use super::shape::{Shape, Stage};
use crate::problems::array2;
use crate::spec::knobs::{every_pinned, one_of, pinned_in, range, rows_within, value_within};
use crate::spec::{rules, FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section the values (image, kernel, bias, upstream) must be, and the geometry takes
/// its defaults (stride 1, padding 0, 2 × 2 pooling with stride 2).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// X: a list of channels (1 or 2), each a matrix of integers.
    #[serde(default, deserialize_with = "channels")]
    pub image: Option<Channels>,
    /// K: one square matrix of integers per input channel.
    #[serde(default, deserialize_with = "channels")]
    pub kernel: Option<Channels>,
    #[serde(default, deserialize_with = "crate::spec::number::integer")]
    pub bias: Option<i64>,
    #[serde(default)]
    pub stride: Option<usize>,
    /// Zero padding on every side.
    #[serde(default)]
    pub padding: Option<usize>,
    /// The pooling window Q × Q (default 2).
    #[serde(default)]
    pub pool_size: Option<usize>,
    /// The pooling stride (default: the window size).
    #[serde(default)]
    pub pool_stride: Option<usize>,
    /// G = ∂L/∂M, integers, the shape of the pooled output.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub upstream: Option<Vec<Vec<f64>>>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant, each optional. Ranges are `[min, max]`, inclusive;
/// lists are the values a part is drawn from.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Draw {
    /// Input channels (default [1]; 1 or 2).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub channels: Option<Vec<usize>>,
    /// Sizes of the square image (default [4, 5]).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub image_sizes: Option<Vec<usize>>,
    /// Sizes of the square kernel (default [2, 3]).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub kernel_sizes: Option<Vec<usize>>,
    /// Conv strides (default [1]).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub strides: Option<Vec<usize>>,
    /// Zero paddings (default [0]).
    #[serde(deserialize_with = "crate::spec::number::list")]
    pub paddings: Option<Vec<usize>>,
    /// The most multiplications the forward conv may take (default 64).
    pub max_products: Option<usize>,
    /// Entries of X (default [-2, 3]).
    pub image_range: Option<[i64; 2]>,
    /// Entries of K (default [-2, 2]).
    pub kernel_range: Option<[i64; 2]>,
    /// The bias (default [-2, 2]).
    pub bias_range: Option<[i64; 2]>,
    /// Entries of G (default [-3, 3]).
    pub upstream_range: Option<[i64; 2]>,
}

const MAX_CHANNELS: usize = 2;

/// Matrices, one per channel, as a spec writes them.
type Channels = Vec<Vec<Vec<f64>>>;
const MAX_IMAGE: usize = 8;
const MAX_KERNEL: usize = 5;
const MAX_STRIDE: usize = 3;
const MAX_PADDING: usize = 2;
const MAX_PRODUCTS: usize = 400;

/// `deserialize_with` for a list of channels, each a matrix.
fn channels<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Channels>, D::Error> {
    struct Channel(Vec<Vec<f64>>);
    impl<'de> Deserialize<'de> for Channel {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            crate::spec::number::matrix(d)?
                .map(Channel)
                .ok_or_else(|| D::Error::custom("a channel is a matrix: a list of rows"))
        }
    }
    struct List(Vec<Channel>);
    impl<'de> Deserialize<'de> for List {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            crate::spec::number::bounded(d, MAX_CHANNELS).map(List)
        }
    }
    Ok(Option::<List>::deserialize(d)?.map(|c| c.0.into_iter().map(|m| m.0).collect()))
}

/// A pinned list of channels: 1 to 2, each an integer matrix of one shape; returns the
/// shape (rows, columns).
fn checked_channels(field: &str, channels: &[Vec<Vec<f64>>]) -> Result<(usize, usize), FieldError> {
    if channels.is_empty() {
        return Err(FieldError::new(field, "needs 1 or 2 channels (matrices)"));
    }
    let mut shape: Option<(usize, usize)> = None;
    for (c, m) in channels.iter().enumerate() {
        let name = format!("{field}[{c}]");
        let dim = rules::matrix(&name, m)?;
        for (i, row) in m.iter().enumerate() {
            rules::integers(&format!("{name}[{i}]"), row)?;
        }
        match shape {
            Some(s) if s != dim => {
                return Err(FieldError::new(
                    name,
                    format!("is {}×{} but channel 0 is {}×{}; every channel has one shape", dim.0, dim.1, s.0, s.1),
                ))
            }
            _ => shape = Some(dim),
        }
    }
    Ok(shape.expect("at least one channel"))
}

fn between(lo: usize, hi: usize) -> impl Fn(&usize) -> Result<(), String> {
    move |v| {
        (lo..=hi)
            .contains(v)
            .then_some(())
            .ok_or_else(|| format!("is {v} but must be {lo} to {hi}"))
    }
}

/// A pinned size, or the knob's list (or its default).
fn sizes(
    pinned: Option<usize>,
    knob: &Option<Vec<usize>>,
    knob_field: &str,
    default: &[usize],
    (lo, hi): (usize, usize),
) -> Result<Vec<usize>, FieldError> {
    let listed = one_of(knob, knob_field, default, between(lo, hi))?;
    Ok(pinned.map_or(listed, |v| vec![v]))
}

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        let drawn = spec.draw.is_some();
        if !drawn {
            every_pinned(&[
                ("image", spec.image.is_some()),
                ("kernel", spec.kernel.is_some()),
                ("bias", spec.bias.is_some()),
                ("upstream", spec.upstream.is_some()),
            ])?;
        }
        let draw = spec.draw.clone().unwrap_or_default();

        // Pinned values on their own, then against each other.
        let image_shape = match &spec.image {
            Some(x) => Some(checked_channels("image", x)?),
            None => None,
        };
        let kernel_shape = match &spec.kernel {
            Some(k) => {
                let (rows, cols) = checked_channels("kernel", k)?;
                if rows != cols {
                    return Err(FieldError::new("kernel", format!("is {rows}×{cols} but must be square")));
                }
                Some(rows)
            }
            None => None,
        };
        if let (Some(x), Some(k)) = (&spec.image, &spec.kernel) {
            if x.len() != k.len() {
                return Err(FieldError::new(
                    "kernel",
                    format!("has {} channels but the image has {}: one kernel matrix per input channel", k.len(), x.len()),
                ));
            }
        }
        let upstream_shape = match &spec.upstream {
            Some(g) => {
                let dim = rules::matrix("upstream", g)?;
                for (i, row) in g.iter().enumerate() {
                    rules::integers(&format!("upstream[{i}]"), row)?;
                }
                Some(dim)
            }
            None => None,
        };
        for (field, value) in [("stride", spec.stride), ("pool_size", spec.pool_size), ("pool_stride", spec.pool_stride)] {
            if value == Some(0) {
                return Err(FieldError::new(field, "must be at least 1"));
            }
        }
        pinned_in(spec.stride, "stride", &draw.strides, "draw.strides")?;
        pinned_in(spec.padding, "padding", &draw.paddings, "draw.paddings")?;
        let pinned_channels = spec.image.as_ref().or(spec.kernel.as_ref()).map(Vec::len);
        pinned_in(pinned_channels, "image", &draw.channels, "draw.channels")?;

        // The geometries: every combination the pins and knobs allow.
        let channels = sizes(pinned_channels, &draw.channels, "draw.channels", &[1], (1, MAX_CHANNELS))?;
        let images: Vec<(usize, usize)> = match image_shape {
            Some(s) => vec![s],
            None => sizes(None, &draw.image_sizes, "draw.image_sizes", &[4, 5], (2, MAX_IMAGE))?
                .into_iter()
                .map(|n| (n, n))
                .collect(),
        };
        let kernels = sizes(kernel_shape, &draw.kernel_sizes, "draw.kernel_sizes", &[2, 3], (1, MAX_KERNEL))?;
        let strides = sizes(spec.stride, &draw.strides, "draw.strides", &[1], (1, MAX_STRIDE))?;
        let paddings = sizes(spec.padding, &draw.paddings, "draw.paddings", &[0], (0, MAX_PADDING))?;
        let max_products = draw.max_products.unwrap_or(64);
        if !(1..=MAX_PRODUCTS).contains(&max_products) {
            return Err(FieldError::new("draw.max_products", format!("must be 1 to {MAX_PRODUCTS}")));
        }
        let pool = spec.pool_size.unwrap_or(2);
        let pool_stride = spec.pool_stride.unwrap_or(pool);
        let geometry_pinned =
            image_shape.is_some() && kernel_shape.is_some() && strides.len() == 1 && paddings.len() == 1;
        let mut geometries = Vec::new();
        let mut misfit = None;
        for &channels in &channels {
            for &(height, width) in &images {
                for &kernel in &kernels {
                    for &stride in &strides {
                        for &padding in &paddings {
                            let shape = Shape { channels, height, width, kernel, stride, padding, pool, pool_stride };
                            match fits(&shape, upstream_shape) {
                                Ok(()) if geometry_pinned || shape.products() <= max_products => geometries.push(shape),
                                Ok(()) => {}
                                Err(e) => misfit = misfit.or(Some(e)),
                            }
                        }
                    }
                }
            }
        }
        if geometries.is_empty() {
            return Err(match misfit {
                Some(e) if geometry_pinned => e,
                _ => FieldError::new(
                    if drawn { "draw" } else { "image" },
                    format!(
                        "no geometry the pins and knobs allow has exact output sizes (⌊(H + 2P − K)/S⌋ + 1 \
                         for the conv, ⌊(O − Q)/S_p⌋ + 1 for the pool) within draw.max_products = \
                         {max_products} multiplications{}; change draw.image_sizes, draw.kernel_sizes, \
                         draw.strides, draw.paddings or the pins",
                        misfit.map(|e| format!(" (e.g. {}: {})", e.field, e.message)).unwrap_or_default()
                    ),
                ),
            });
        }

        // Ranges, and the pins that must lie in them when they are given.
        let ranges = Ranges {
            image: range(draw.image_range, "draw.image_range", (-2, 3))?,
            kernel: range(draw.kernel_range, "draw.kernel_range", (-2, 2))?,
            bias: range(draw.bias_range, "draw.bias_range", (-2, 2))?,
            upstream: range(draw.upstream_range, "draw.upstream_range", (-3, 3))?,
        };
        for (field, pinned, knob, knob_field) in [
            ("image", &spec.image, draw.image_range, "draw.image_range"),
            ("kernel", &spec.kernel, draw.kernel_range, "draw.kernel_range"),
        ] {
            for (c, m) in pinned.iter().flatten().enumerate() {
                rows_within(&format!("{field}[{c}]"), m, knob, knob_field)?;
            }
        }
        if let Some(g) = &spec.upstream {
            rows_within("upstream", g, draw.upstream_range, "draw.upstream_range")?;
        }
        if let Some(b) = spec.bias {
            value_within("bias", b, draw.bias_range, "draw.bias_range")?;
        }
        let matrices = |m: &Option<Channels>| -> Option<Vec<Array2<f64>>> {
            m.as_ref().map(|c| c.iter().map(|rows| array2(rows)).collect())
        };
        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                image: matrices(&spec.image),
                kernel: matrices(&spec.kernel),
                bias: spec.bias.map(|b| b as f64),
                upstream: spec.upstream.as_deref().map(array2),
            },
            geometries,
            ranges,
        })
    }
}

/// Whether a geometry has exact output sizes, a padding below the kernel size and (when
/// pinned) an upstream gradient of the pooled output's shape; the error names the field
/// to change.
fn fits(shape: &Shape, upstream: Option<(usize, usize)>) -> Result<(), FieldError> {
    if shape.padding >= shape.kernel {
        return Err(FieldError::new(
            "padding",
            format!(
                "is {} but must be less than the kernel size K = {}: a wider border only adds \
                 outputs that see nothing but zeros",
                shape.padding, shape.kernel
            ),
        ));
    }
    let pooled = shape.pooled_out().map_err(|(stage, message)| {
        let field = match stage {
            Stage::Conv if message.contains("does not fit") => "kernel",
            Stage::Conv => "stride",
            Stage::Pool if message.contains("does not fit") => "pool_size",
            Stage::Pool => "pool_stride",
        };
        FieldError::new(field, message)
    })?;
    match upstream {
        Some(g) if g != pooled => Err(FieldError::new(
            "upstream",
            format!("is {}×{} but the pooled output is {}×{}", g.0, g.1, pooled.0, pooled.1),
        )),
        _ => Ok(()),
    }
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
        let (field, message) = error_of(&PINNED.replace("bias: 1\n", ""));
        assert_eq!(field, "bias");
        assert!(message.contains("add a `draw:` section"), "{message}");
        assert_eq!(field_of("bias: 0\n"), "image");
    }

    #[test]
    fn sizes_that_need_the_floor_name_the_field_and_the_formula() {
        let (field, message) = error_of(&format!("{PINNED}stride: 2\n"));
        assert_eq!(field, "stride");
        assert!(message.contains("⌊(H + 2P − K)/S⌋ + 1 = ⌊(5 + 0 − 2)/2⌋ + 1"), "{message}");
        let (field, message) = error_of(&format!("{PINNED}pool_size: 3\n"));
        assert_eq!(field, "pool_stride");
        assert!(message.contains("⌊(O − Q)/S_p⌋ + 1 = ⌊(4 − 3)/3⌋ + 1"), "{message}");
        assert_eq!(field_of(&format!("{PINNED}padding: 2\n")), "padding");
        // Padding 1: a 6 × 6 conv output pools to 3 × 3, not the pinned 2 × 2.
        let (field, message) = error_of(&format!("{PINNED}padding: 1\n"));
        assert_eq!(field, "upstream");
        assert_eq!(message, "is 2×2 but the pooled output is 3×3");
        assert_eq!(
            field_of(&PINNED.replace("upstream: [[2, -1], [1, 3]]", "upstream: [[2, -1, 1]]")),
            "upstream"
        );
    }

    #[test]
    fn knobs_without_an_exact_geometry_are_an_error() {
        let (field, message) = error_of("draw: {image_sizes: [4], kernel_sizes: [2]}\n");
        assert_eq!(field, "draw");
        assert!(message.contains("⌊(H + 2P − K)/S⌋ + 1"), "{message}");
        // 6 × 6 with 3 × 3 fits, but takes 144 products.
        let (_, message) = error_of("draw: {image_sizes: [6], kernel_sizes: [3]}\n");
        assert!(message.contains("max_products = 64"), "{message}");
        assert!(sampler("draw: {image_sizes: [6], kernel_sizes: [3], max_products: 144}\n").is_ok());
    }

    #[test]
    fn pins_are_checked_against_each_other_and_the_knobs() {
        assert_eq!(field_of("kernel: [[[1, 2]]]\ndraw: {}\n"), "kernel");
        assert_eq!(field_of("kernel: [[[1, 2], [0, 1]], [[1, 0], [1, 1]]]\nimage: [[[1, 2], [0, 1]]]\ndraw: {}\n"), "kernel");
        assert_eq!(field_of("image: [[[1, 0.5], [0, 1]]]\ndraw: {}\n"), "image[0][0][1]");
        assert_eq!(field_of("image: [[[1, 2], [0, 1]], [[1, 2]]]\ndraw: {}\n"), "image[1]");
        let (field, message) = error_of("bias: 5\ndraw: {bias_range: [-2, 2]}\n");
        assert_eq!(field, "bias");
        assert_eq!(message, "is 5 but draw.bias_range is [-2, 2]; change or remove one");
        assert_eq!(field_of("kernel: [[[1, 9], [0, 1]]]\ndraw: {kernel_range: [-2, 2]}\n"), "kernel[0][0][1]");
        assert_eq!(field_of("stride: 2\ndraw: {strides: [1]}\n"), "stride");
        assert_eq!(field_of("stride: 0\ndraw: {}\n"), "stride");
        assert_eq!(field_of("draw: {channels: [3]}\n"), "draw.channels[0]");
        assert_eq!(field_of("draw: {image_range: [3, 1]}\n"), "draw.image_range");
        assert_eq!(field_of("draw: {max_products: 0}\n"), "draw.max_products");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        let kernels: Vec<_> = s.geometries.iter().map(|g| (g.height, g.kernel)).collect();
        assert_eq!(kernels, vec![(4, 3), (5, 2)]);
        assert!(s.fixed().is_none());
        assert!(sampler(PINNED).unwrap().fixed().is_some());
    }
}
