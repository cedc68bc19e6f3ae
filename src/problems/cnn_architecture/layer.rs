//! One layer of the stack, as a spec writes it and key.json shows it: a name for a
//! layer without sizes (`- relu`) or a map with one key, the layer's name, for one with
//! sizes (`- conv: {k: 3, out: 8}`). The YAML reader takes enum variants with data only
//! as tags (`!conv`), so the map form is read here by hand.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// One layer of the stack, as a spec writes it (`- relu`, `- conv: {k: 3, out: 8}`) and
/// as key.json shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// A k×k convolution with `out` output channels (stride 1, no padding by default).
    Conv {
        k: u32,
        stride: u32,
        padding: u32,
        out: u32,
    },
    /// k×k max pooling; the stride defaults to k, as in PyTorch. No padding.
    Maxpool {
        k: u32,
        stride: Option<u32>,
    },
    /// k×k average pooling; as max pooling.
    Avgpool {
        k: u32,
        stride: Option<u32>,
    },
    /// Batch normalisation over the channels (or the features after flatten).
    Batchnorm,
    Relu,
    Flatten,
    /// A fully connected layer with `out` outputs.
    Fc { out: u32 },
}

impl Layer {
    /// (k, stride, padding) of a layer that slides a window, None otherwise.
    pub fn window(&self) -> Option<(i64, i64, i64)> {
        match *self {
            Layer::Conv {
                k, stride, padding, ..
            } => Some((k.into(), stride.into(), padding.into())),
            Layer::Maxpool { k, stride } | Layer::Avgpool { k, stride } => {
                Some((k.into(), stride.unwrap_or(k).into(), 0))
            }
            _ => None,
        }
    }

    /// Whether the layer is a pooling layer.
    pub fn is_pool(&self) -> bool {
        matches!(self, Layer::Maxpool { .. } | Layer::Avgpool { .. })
    }
}

/// The sizes of a convolution as a spec writes them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConvSizes {
    k: u32,
    #[serde(default = "one")]
    stride: u32,
    #[serde(default)]
    padding: u32,
    out: u32,
}

/// The sizes of a pooling layer as a spec writes them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolSizes {
    k: u32,
    #[serde(default)]
    stride: Option<u32>,
}

/// The sizes of a fully connected layer as a spec writes them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FcSizes {
    out: u32,
}

fn one() -> u32 {
    1
}

const NAMES: &[&str] = &["conv", "maxpool", "avgpool", "batchnorm", "relu", "flatten", "fc"];

impl<'de> Deserialize<'de> for Layer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LayerVisitor)
    }
}

struct LayerVisitor;

impl<'de> Visitor<'de> for LayerVisitor {
    type Value = Layer;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a layer: batchnorm, relu, flatten, or a map like `conv: {k: 3, out: 8}`, `maxpool: {k: 2}`, `avgpool: {k: 2}`, `fc: {out: 10}`")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Layer, E> {
        match name {
            "batchnorm" => Ok(Layer::Batchnorm),
            "relu" => Ok(Layer::Relu),
            "flatten" => Ok(Layer::Flatten),
            "conv" | "maxpool" | "avgpool" | "fc" => Err(E::custom(format!(
                "`{name}` needs its sizes: write `{name}: {{...}}` (see the README)"
            ))),
            _ => Err(E::unknown_variant(name, NAMES)),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Layer, A::Error> {
        let Some(name) = map.next_key::<String>()? else {
            return Err(de::Error::custom("an empty map is not a layer"));
        };
        let layer = match name.as_str() {
            "conv" => {
                let s: ConvSizes = map.next_value()?;
                Layer::Conv {
                    k: s.k,
                    stride: s.stride,
                    padding: s.padding,
                    out: s.out,
                }
            }
            "maxpool" => {
                let s: PoolSizes = map.next_value()?;
                Layer::Maxpool {
                    k: s.k,
                    stride: s.stride,
                }
            }
            "avgpool" => {
                let s: PoolSizes = map.next_value()?;
                Layer::Avgpool {
                    k: s.k,
                    stride: s.stride,
                }
            }
            "fc" => Layer::Fc {
                out: map.next_value::<FcSizes>()?.out,
            },
            "batchnorm" | "relu" | "flatten" => {
                return Err(de::Error::custom(format!(
                    "`{name}` has no sizes: write it as `- {name}`"
                )))
            }
            other => return Err(de::Error::unknown_variant(other, NAMES)),
        };
        if map.next_key::<String>()?.is_some() {
            return Err(de::Error::custom(
                "a layer is a map with one key, its name; start each layer with its own `- `",
            ));
        }
        Ok(layer)
    }
}
