//! The spec's Moodle settings: the absolute tolerance of the numerical blanks of
//! `moodle.xml` (`generate --moodle`), a default for the exam (`moodle:` at the top of the
//! spec) that a list item of `problems:` may override (`moodle:` beside its kind or its
//! `pool:`). Moodle's numerical answers take an absolute tolerance only, so that is what
//! the spec states; how small it must be depends on the answers' size, which only the
//! lecturer knows.

use serde::Deserialize;

/// The tolerance of a blank when the spec gives none: two decimals, as students round
/// hand-worked answers.
pub const DEFAULT_TOLERANCE: f64 = 0.01;

/// `moodle: {tolerance: 0.01}`.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoodleOptions {
    /// The absolute tolerance of every numerical blank.
    pub tolerance: Tolerance,
}

/// An absolute tolerance: finite and positive (a zero tolerance would demand every digit
/// of 1/3), at most 10⁶ like every number of a spec.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(try_from = "f64")]
pub struct Tolerance(f64);

impl TryFrom<f64> for Tolerance {
    type Error = String;

    fn try_from(value: f64) -> Result<Self, String> {
        if value.is_finite() && value > 0.0 && value <= 1e6 {
            Ok(Tolerance(value))
        } else {
            Err(format!(
                "tolerance is {value} but must be a positive number up to 1000000, e.g. 0.01 \
                 (an absolute tolerance, as Moodle's numerical answers take)"
            ))
        }
    }
}

impl Tolerance {
    pub fn get(self) -> f64 {
        self.0
    }
}

/// The tolerances of one exam: the spec's default and each problem's own, if it has one.
#[derive(Clone, Debug, PartialEq)]
pub struct Tolerances {
    pub exam: f64,
    /// Per list item of `problems:` (a slot), in order.
    pub slots: Vec<Option<f64>>,
}

impl Tolerances {
    /// The tolerance of problem `index` (0-based).
    pub fn of_slot(&self, index: usize) -> f64 {
        self.slots
            .get(index)
            .copied()
            .flatten()
            .unwrap_or(self.exam)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tolerance_is_finite_and_positive() {
        assert_eq!(Tolerance::try_from(0.5).map(Tolerance::get), Ok(0.5));
        for bad in [0.0, -0.01, f64::NAN, f64::INFINITY, 2e6] {
            let msg = Tolerance::try_from(bad).unwrap_err();
            assert!(msg.contains("must be a positive number"), "{msg}");
        }
    }

    #[test]
    fn a_problem_overrides_the_exam() {
        let t = Tolerances {
            exam: 0.01,
            slots: vec![None, Some(0.5)],
        };
        assert_eq!(
            (t.of_slot(0), t.of_slot(1), t.of_slot(7)),
            (0.01, 0.5, 0.01)
        );
    }
}
