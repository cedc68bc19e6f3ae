//! The problem kinds: one module each (a folder when large) plus its templates,
//! registered by one line below. A kind implements [`Kind`]: its spec, its checked plan,
//! its draws and constraints, `solve` (which runs the shared engine and keeps every
//! intermediate the worked solution shows), its key entry and its rendering. The glue is
//! written once in [`kind`] and generated from the registry ([`registry`]).

#[macro_use]
mod registry;
pub mod kind;

use ndarray::{Array1, Array2};

pub use kind::{ConstraintInfo, KeyCsv, Kind, RenderError, Rendered};

registry! {
    BatchnormMlp(batchnorm_mlp::BatchnormMlp),
    BatchnormFull(batchnorm_full::BatchnormFull),
    BackpropGraph(backprop_graph::BackpropGraph),
    OptimizerSteps(optimizer_steps::OptimizerSteps),
    RetrievalAp(retrieval_ap::RetrievalAp),
    TripletLoss(triplet_loss::TripletLoss),
    Conv1d(conv1d::Conv1d),
    Conv2dPool(conv2d_pool::Conv2dPool),
    CnnArchitecture(cnn_architecture::CnnArchitecture),
    Activation(activation::ActivationKind),
    SoftmaxCe(softmax_ce::SoftmaxCe),
    Attention(attention::Attention),
    RnnAccount(rnn_account::RnnAccount),
    GatedStep(gated_step::GatedStep),
    BpttRnn(bptt_rnn::BpttRnn),
}

/// A matrix from spec rows (the spec checks have made it rectangular).
pub fn array2(rows: &[Vec<f64>]) -> Array2<f64> {
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_fn((rows.len(), cols), |(i, j)| rows[i][j])
}

/// A vector from spec values.
pub fn array1(values: &[f64]) -> Array1<f64> {
    Array1::from(values.to_vec())
}

/// A matrix as key.json shows it: an array of rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Rows(pub Array2<f64>);

impl serde::Serialize for Rows {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.rows().into_iter().map(|r| r.to_vec()))
    }
}

/// A vector as key.json shows it: an array.
#[derive(Clone, Debug, PartialEq)]
pub struct Vector(pub Array1<f64>);

impl serde::Serialize for Vector {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

/// A spec of one problem of `kind`, drawn with the kind's defaults (`draw: {}`), for
/// the tests that loop over every registered kind.
#[cfg(test)]
pub fn default_draw_spec(kind: &str) -> crate::exam::ExamSpec {
    let text =
        format!("course: a\nexam: b\nlanguage: hr\nproblems:\n  - {kind}:\n      draw: {{}}\n");
    crate::exam::parse(&text, std::path::Path::new("k.yaml")).expect("a kind's default draw parses")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_named_as_its_module() {
        assert_eq!(KINDS, MODULES);
    }

    /// Every kind's key entry written straight from its key types is the text of its
    /// `serde_json::Value` (which sorts every object's keys), and the entries it hands
    /// back for key.csv are those of the value, for many variants.
    #[test]
    fn every_kind_writes_its_key_entry_as_its_value_writes() {
        for kind in KINDS {
            let spec = default_draw_spec(kind);
            for seed in 0..40 {
                let mut rng = crate::draw::problem_rng(seed, 1, 0, 0);
                let solved = spec.slots[0].draw(&mut rng, 1).unwrap();
                let mut written = Vec::new();
                let picked = solved.write_key(&mut written);
                let written = String::from_utf8(written).unwrap();
                let key = solved.key();
                assert_eq!(written, key.to_string(), "{kind}, seed {seed}");
                // And the entries key.csv shows, as written.
                assert_eq!(
                    picked,
                    solved.key_csv().of_value(&key),
                    "{kind}, seed {seed}"
                );
            }
        }
    }

    #[test]
    fn kinds_are_unique() {
        let mut sorted = KINDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), KINDS.len());
    }
}
