//! The spec's `slides:` section: how `--slides` lays out the solution slides. Only the
//! page shape is the spec's to choose (the projector's); everything else follows the
//! solution sheet.

use serde::Deserialize;

use super::FieldError;

/// `slides: {aspectratio: 169}` as written; [`RawSlides::check`] makes it
/// [`SlidesOptions`].
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlides {
    #[serde(default)]
    pub aspectratio: Option<u32>,
}

/// The checked `slides:` section; without one, 4:3 slides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlidesOptions {
    pub aspectratio: AspectRatio,
}

/// The beamer page shape, written in the spec as beamer's `aspectratio` option is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AspectRatio {
    /// 4:3, 128 mm × 96 mm: older projectors, and beamer's default.
    #[default]
    FourThree,
    /// 16:9, 160 mm × 90 mm.
    SixteenNine,
}

impl AspectRatio {
    /// The value of beamer's `aspectratio` class option.
    pub fn beamer(self) -> u32 {
        match self {
            AspectRatio::FourThree => 43,
            AspectRatio::SixteenNine => 169,
        }
    }
}

impl RawSlides {
    /// The options, or the field that is wrong (relative to the spec's root).
    pub fn check(self) -> Result<SlidesOptions, FieldError> {
        let aspectratio = match self.aspectratio {
            None | Some(43) => AspectRatio::FourThree,
            Some(169) => AspectRatio::SixteenNine,
            Some(other) => {
                return Err(FieldError::new(
                    "slides.aspectratio",
                    format!(
                        "is {other} but must be 43 (4:3) or 169 (16:9), as beamer's \
                         `aspectratio` option writes them"
                    ),
                ))
            }
        };
        Ok(SlidesOptions { aspectratio })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_two_beamer_ratios_are_taken() {
        let ratio = |r| RawSlides { aspectratio: r }.check().map(|o| o.aspectratio);
        assert_eq!(ratio(None), Ok(AspectRatio::FourThree));
        assert_eq!(ratio(Some(43)), Ok(AspectRatio::FourThree));
        assert_eq!(ratio(Some(169)), Ok(AspectRatio::SixteenNine));
        let wrong = ratio(Some(1610)).unwrap_err();
        assert_eq!(wrong.field, "slides.aspectratio");
        assert!(
            wrong.message.starts_with("is 1610 but must be 43"),
            "{wrong:?}"
        );
    }
}
