//! Fixtures the unit tests of several files share: the 2022 exam and a spec reader.

use super::Sampler;
use crate::spec::FieldError;

pub(super) const EXAM_2022: &str = "X: [[1, 1], [-1, 3]]
y: [1, 1]
W1: [[1, 0], [0, 1]]
b1: [0, 0]
W2: [[1, 1]]
b2: [-1]
";

pub(super) fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
    crate::problems::kind::plan_from_yaml::<crate::problems::batchnorm_mlp::BatchnormMlp>(yaml)
}

pub(super) fn field_error(yaml: &str) -> FieldError {
    sampler(yaml).expect_err("the spec is refused")
}
