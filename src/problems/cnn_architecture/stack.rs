//! The rules a stack must keep to make sense as a network, and the bounds on its sizes,
//! checked on a pinned stack when the spec is read (the error names `layers[i]`); the
//! sampler builds only stacks that keep them, and a test checks that it does.
//!
//! A stack is a feature extractor (a convolution first; convolutions, pooling, batch
//! normalisation and ReLU), one flatten, then a head of fully connected layers (with
//! batch normalisation and ReLU between them) that ends in a fully connected layer.

use super::Layer;
use crate::spec::FieldError;

/// The most layers a pinned stack may have (a drawn one has 4 to 7 by default).
pub const MAX_LAYERS: usize = 12;
/// The largest kernel or pooling window.
pub const MAX_KERNEL: u32 = 11;
/// The largest stride.
pub const MAX_STRIDE: u32 = 4;
/// The largest side of the input.
pub const MAX_SIDE: u32 = 512;
/// The most channels of the input or a convolution.
pub const MAX_CHANNELS: u32 = 512;
/// The most outputs of a fully connected layer.
pub const MAX_FEATURES: u32 = 4096;

/// The input C×H×W: every entry 1 to its bound.
pub fn check_input(input: &[u32; 3]) -> Result<(), FieldError> {
    let bounds = [MAX_CHANNELS, MAX_SIDE, MAX_SIDE];
    for (i, (&v, max)) in input.iter().zip(bounds).enumerate() {
        if !(1..=max).contains(&v) {
            return Err(FieldError::new(
                format!("input[{i}]"),
                format!("is {v} but must be 1 to {max} (the input is [C, H, W])"),
            ));
        }
    }
    Ok(())
}

fn bounded(field: String, what: &str, v: u32, (lo, hi): (u32, u32)) -> Result<(), FieldError> {
    if (lo..=hi).contains(&v) {
        return Ok(());
    }
    Err(FieldError::new(
        field,
        format!("{what} is {v} but must be {lo} to {hi}"),
    ))
}

/// One layer's sizes within their bounds.
fn check_sizes(i: usize, layer: &Layer) -> Result<(), FieldError> {
    let field = |name: &str| format!("layers[{i}].{name}");
    match *layer {
        Layer::Conv {
            k,
            stride,
            padding,
            out,
        } => {
            bounded(field("k"), "the kernel", k, (1, MAX_KERNEL))?;
            bounded(field("stride"), "the stride", stride, (1, MAX_STRIDE))?;
            // More padding than kernel would let whole output units see only zeros.
            bounded(field("padding"), "the padding", padding, (0, k - 1))?;
            bounded(field("out"), "the channel count", out, (1, MAX_CHANNELS))
        }
        Layer::Maxpool { k, stride } | Layer::Avgpool { k, stride } => {
            bounded(field("k"), "the window", k, (2, MAX_KERNEL))?;
            match stride {
                Some(s) => bounded(field("stride"), "the stride", s, (1, MAX_STRIDE)),
                None => bounded(field("k"), "the window (and so the stride)", k, (2, MAX_STRIDE)),
            }
        }
        Layer::Fc { out } => bounded(field("out"), "the output count", out, (1, MAX_FEATURES)),
        Layer::Batchnorm | Layer::Relu | Layer::Flatten => Ok(()),
    }
}

/// Whether the stack makes sense as a network (see the module's doc), and its sizes are
/// within their bounds; the error names the layer.
pub fn check_stack(layers: &[Layer]) -> Result<(), FieldError> {
    if layers.len() < 3 || layers.len() > MAX_LAYERS {
        return Err(FieldError::new(
            "layers",
            format!(
                "has {} layers but needs 3 to {MAX_LAYERS} (a convolution, flatten, a fully \
                 connected layer at least)",
                layers.len()
            ),
        ));
    }
    let at = |i: usize, message: &str| Err(FieldError::new(format!("layers[{i}]"), message));
    let flattens: Vec<usize> = (0..layers.len())
        .filter(|&i| layers[i] == Layer::Flatten)
        .collect();
    let &[flatten] = flattens.as_slice() else {
        return Err(FieldError::new(
            "layers",
            format!(
                "has {} flatten layers but needs exactly one, between the convolutions and \
                 the fully connected layers",
                flattens.len()
            ),
        ));
    };
    if !matches!(layers[0], Layer::Conv { .. }) {
        return at(0, "must be a convolution: the stack starts with one");
    }
    if !matches!(layers[layers.len() - 1], Layer::Fc { .. }) {
        return at(layers.len() - 1, "must be a fully connected layer: the stack ends with one");
    }
    for (i, layer) in layers.iter().enumerate() {
        check_sizes(i, layer)?;
        let before = i.checked_sub(1).map(|j| layers[j]);
        match layer {
            Layer::Conv { .. } | Layer::Maxpool { .. } | Layer::Avgpool { .. } if i > flatten => {
                return at(i, "a convolution or pooling layer needs a feature map: move it before flatten");
            }
            Layer::Fc { .. } if i < flatten => {
                return at(i, "a fully connected layer comes after flatten");
            }
            Layer::Maxpool { .. } | Layer::Avgpool { .. } if before.is_some_and(|b| b.is_pool()) => {
                return at(i, "pooling right after pooling: put a convolution between them");
            }
            Layer::Batchnorm if !matches!(before, Some(Layer::Conv { .. } | Layer::Fc { .. })) => {
                return at(i, "batch normalisation follows a convolution or a fully connected layer");
            }
            Layer::Relu if matches!(before, Some(Layer::Relu | Layer::Flatten)) => {
                return at(i, "ReLU follows a convolution, pooling, batch normalisation or a fully connected layer");
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(yaml: &str) -> Vec<Layer> {
        serde_yaml::from_str(yaml).expect("layers parse")
    }

    fn error(yaml: &str) -> (String, String) {
        let e = check_stack(&stack(yaml)).expect_err("a broken stack");
        (e.field, e.message)
    }

    const GOOD: &str = "[{conv: {k: 3, out: 4}}, batchnorm, relu, {maxpool: {k: 2}}, flatten, {fc: {out: 10}}]";

    #[test]
    fn a_sensible_stack_passes() {
        assert!(check_stack(&stack(GOOD)).is_ok());
        assert!(check_stack(&stack("[{conv: {k: 1, out: 2}}, flatten, {fc: {out: 3}}, batchnorm, relu, {fc: {out: 2}}]")).is_ok());
    }

    #[test]
    fn each_rule_names_the_layer() {
        assert_eq!(error("[relu, flatten, {fc: {out: 1}}]").0, "layers[0]");
        assert_eq!(error("[{conv: {k: 3, out: 4}}, flatten, relu]").0, "layers[2]");
        assert_eq!(error("[{conv: {k: 3, out: 4}}, {fc: {out: 2}}, flatten, {fc: {out: 1}}]").0, "layers[1]");
        assert_eq!(error("[{conv: {k: 3, out: 4}}, flatten, {maxpool: {k: 2}}, {fc: {out: 1}}]").0, "layers[2]");
        assert_eq!(error("[{conv: {k: 3, out: 4}}, {maxpool: {k: 2}}, {avgpool: {k: 2}}, flatten, {fc: {out: 1}}]").0, "layers[2]");
        assert_eq!(error("[{conv: {k: 3, out: 4}}, relu, batchnorm, flatten, {fc: {out: 1}}]").0, "layers[2]");
        assert_eq!(error("[{conv: {k: 3, out: 4}}, relu, relu, flatten, {fc: {out: 1}}]").0, "layers[2]");
        let (field, message) = error("[{conv: {k: 3, out: 4}}, relu, {fc: {out: 1}}]");
        assert_eq!(field, "layers");
        assert!(message.contains("0 flatten layers"), "{message}");
    }

    #[test]
    fn sizes_are_bounded_and_name_the_entry() {
        let (field, message) = error("[{conv: {k: 3, padding: 3, out: 4}}, flatten, {fc: {out: 1}}]");
        assert_eq!(field, "layers[0].padding");
        assert_eq!(message, "the padding is 3 but must be 0 to 2");
        assert_eq!(error("[{conv: {k: 12, out: 4}}, flatten, {fc: {out: 1}}]").0, "layers[0].k");
        assert_eq!(error("[{conv: {k: 3, out: 0}}, flatten, {fc: {out: 1}}]").0, "layers[0].out");
        assert_eq!(error("[{conv: {k: 3, stride: 5, out: 1}}, flatten, {fc: {out: 1}}]").0, "layers[0].stride");
        assert_eq!(error("[{conv: {k: 3, out: 1}}, {maxpool: {k: 1}}, flatten, {fc: {out: 1}}]").0, "layers[1].k");
        assert_eq!(error("[{conv: {k: 3, out: 1}}, flatten, {fc: {out: 5000}}]").0, "layers[2].out");
        assert_eq!(check_input(&[3, 0, 32]).unwrap_err().field, "input[1]");
        assert_eq!(check_input(&[513, 8, 8]).unwrap_err().field, "input[0]");
    }

    #[test]
    fn unknown_layers_and_fields_are_refused_while_read() {
        assert!(serde_yaml::from_str::<Vec<Layer>>("[dropout]").is_err());
        assert!(serde_yaml::from_str::<Vec<Layer>>("[{conv: {k: 3, out: 4, dilation: 2}}]").is_err());
        let layers = stack("[{conv: {k: 3, out: 4}}, {avgpool: {k: 2, stride: 1}}]");
        assert_eq!(layers[0].window(), Some((3, 1, 0)));
        assert_eq!(layers[1].window(), Some((2, 1, 0)));
    }
}
