//! The spec's `grading:` section, for `examgen grade`: how much an answer that is wrong
//! against the key but right given the student's own earlier answers earns (error
//! carried forward), and the absolute tolerance an entered value may be off by (without
//! one, the problem's Moodle tolerance, 0.01 unless the spec says otherwise).

use serde::Deserialize;

use super::moodle::Tolerance;

/// `grading: {ecf_credit: 0.5, tolerance: 0.01}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradingOptions {
    /// The share of an answer's points an error-carried-forward answer earns.
    #[serde(default)]
    pub ecf_credit: Option<Credit>,
    /// The absolute tolerance of every entered value.
    #[serde(default)]
    pub tolerance: Option<Tolerance>,
}

impl GradingOptions {
    /// The ECF credit: full unless the spec says otherwise.
    pub fn ecf_credit(&self) -> f64 {
        self.ecf_credit.map_or(1.0, |c| c.0)
    }
}

/// A share of the points, 0 to 1.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(try_from = "f64")]
pub struct Credit(f64);

impl TryFrom<f64> for Credit {
    type Error = String;

    fn try_from(value: f64) -> Result<Self, String> {
        if (0.0..=1.0).contains(&value) {
            Ok(Credit(value))
        } else {
            Err(format!(
                "ecf_credit is {value} but must be a share of the points from 0 to 1, e.g. 1 \
                 (full credit for work that is right given the student's own earlier answers) \
                 or 0.5"
            ))
        }
    }
}
