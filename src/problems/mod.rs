//! The problem types: one module each, holding the problem's parameters (as written in a
//! spec and as checked), its `solve` (which runs the shared engine and keeps every
//! intermediate the worked solution shows) and its entry in the answer key.

pub mod activation;
pub mod batchnorm_mlp;
pub mod conv1d;
pub mod retrieval_ap;
pub mod rnn_account;

use ndarray::{Array1, Array2};
use serde_json::{json, Value};

use crate::draw::{Constraint, DrawError, VariantRng};
use crate::spec::Points;

/// One problem of an exam: a sampler that yields its variants (a fixed problem yields
/// the same parameters every time).
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    BatchnormMlp(batchnorm_mlp::Sampler),
    RetrievalAp(retrieval_ap::Sampler),
    Conv1d(conv1d::Sampler),
    Activation(activation::Sampler),
    RnnAccount(rnn_account::Sampler),
}

/// A problem's parameters together with its solution record.
#[derive(Clone, Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "a handful per exam, built once and read in place"
)]
pub enum Solved {
    BatchnormMlp(batchnorm_mlp::Params, batchnorm_mlp::Solution),
    RetrievalAp(retrieval_ap::Params, retrieval_ap::Solution),
    Conv1d(conv1d::Params, conv1d::Solution),
    Activation(activation::Params, activation::Solution),
    RnnAccount(rnn_account::Params, rnn_account::Solution),
}

/// A constraint's name and description, for reports.
pub type ConstraintInfo = (&'static str, &'static str);

fn infos<P, S>(constraints: Vec<&Constraint<P, S>>) -> Vec<ConstraintInfo> {
    constraints
        .iter()
        .map(|c| (c.name, c.description))
        .collect()
}

impl Problem {
    /// The kind as spelled in specs and keys.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::BatchnormMlp(_) => batchnorm_mlp::KIND,
            Problem::RetrievalAp(_) => retrieval_ap::KIND,
            Problem::Conv1d(_) => conv1d::KIND,
            Problem::Activation(_) => activation::KIND,
            Problem::RnnAccount(_) => rnn_account::KIND,
        }
    }

    /// Whether every parameter is pinned.
    pub fn is_fixed(&self) -> bool {
        match self {
            Problem::BatchnormMlp(s) => s.is_fixed(),
            Problem::RetrievalAp(s) => s.is_fixed(),
            Problem::Conv1d(s) => s.is_fixed(),
            Problem::Activation(s) => s.is_fixed(),
            Problem::RnnAccount(s) => s.is_fixed(),
        }
    }

    /// Draws one variant and solves it with the engine.
    pub fn draw(&self, rng: &mut VariantRng) -> Result<Solved, DrawError> {
        self.draw_counted(rng).map(|(solved, _)| solved)
    }

    /// Draws one variant; also returns how many candidates the constraints rejected + 1.
    pub fn draw_counted(&self, rng: &mut VariantRng) -> Result<(Solved, usize), DrawError> {
        Ok(match self {
            Problem::BatchnormMlp(s) => {
                let (p, sol, tries) = s.draw(rng)?;
                (Solved::BatchnormMlp(p, sol), tries)
            }
            Problem::RetrievalAp(s) => {
                let (p, sol, tries) = s.draw(rng)?;
                (Solved::RetrievalAp(p, sol), tries)
            }
            Problem::Conv1d(s) => {
                let (p, sol, tries) = s.draw(rng)?;
                (Solved::Conv1d(p, sol), tries)
            }
            Problem::Activation(s) => {
                let (p, sol, tries) = s.draw(rng)?;
                (Solved::Activation(p, sol), tries)
            }
            Problem::RnnAccount(s) => {
                let (p, sol, tries) = s.draw(rng)?;
                (Solved::RnnAccount(p, sol), tries)
            }
        })
    }

    /// The constraints every variant of this problem satisfies: exactly the ones that can
    /// reject a candidate of its sampler (so they depend on its settings).
    pub fn constraints(&self) -> Vec<ConstraintInfo> {
        match self {
            Problem::BatchnormMlp(s) => infos(s.constraints()),
            Problem::RetrievalAp(s) => infos(s.constraints()),
            Problem::Conv1d(s) => infos(s.constraints()),
            Problem::Activation(s) => infos(s.constraints()),
            Problem::RnnAccount(s) => infos(s.constraints()),
        }
    }
}

impl Solved {
    pub fn kind(&self) -> &'static str {
        match self {
            Solved::BatchnormMlp(..) => batchnorm_mlp::KIND,
            Solved::RetrievalAp(..) => retrieval_ap::KIND,
            Solved::Conv1d(..) => conv1d::KIND,
            Solved::Activation(..) => activation::KIND,
            Solved::RnnAccount(..) => rnn_account::KIND,
        }
    }

    /// A hash of the parameters (not the points): equal for equal variants.
    pub fn fingerprint(&self) -> u64 {
        let mut h = Fingerprint::default();
        match self {
            Solved::BatchnormMlp(p, _) => {
                h.str(batchnorm_mlp::KIND);
                for a in [&p.x, &p.w1, &p.w2] {
                    h.array(a.iter());
                }
                for a in [&p.y, &p.b1, &p.b2] {
                    h.array(a.iter());
                }
                h.array([p.lr, p.eps].iter());
                h.str(&format!("{:?}{:?}", p.backward, p.sigmoid_decimals));
            }
            Solved::RetrievalAp(p, _) => {
                h.str(retrieval_ap::KIND);
                h.array(p.x.iter());
                h.array(p.query.iter());
                h.array(p.y.iter().map(|&v| v as f64).collect::<Vec<_>>().iter());
                h.str(&format!("{} {:?}", p.query_label, p.similarity));
            }
            Solved::Conv1d(p, _) => {
                h.str(conv1d::KIND);
                h.array(p.x.iter());
                h.array(p.kernels.iter());
                h.array(p.w2_units.iter());
                h.array(p.b2_units.iter());
                h.str(&format!("{} {}", p.ln_base, p.y));
            }
            Solved::Activation(p, _) => {
                h.str(activation::KIND);
                h.str(&format!("{:?} {}", p.activation, p.n));
            }
            Solved::RnnAccount(p, _) => {
                h.str(rnn_account::KIND);
                h.array(p.h0.iter());
                h.array(p.xs.iter());
                h.str(&format!("{:?}", p.stack));
            }
        }
        h.0
    }

    pub fn points(&self) -> Points {
        match self {
            Solved::BatchnormMlp(p, _) => p.points,
            Solved::RetrievalAp(p, _) => p.points,
            Solved::Conv1d(p, _) => p.points,
            Solved::Activation(p, _) => p.points,
            Solved::RnnAccount(p, _) => p.points,
        }
    }

    /// The key.csv columns the kind declares (next to its key entry); the match is
    /// exhaustive, so a new kind cannot leave them out.
    pub fn key_csv(&self) -> KeyCsv {
        match self {
            Solved::BatchnormMlp(..) => batchnorm_mlp::KEY_CSV,
            Solved::RetrievalAp(..) => retrieval_ap::KEY_CSV,
            Solved::Conv1d(..) => conv1d::KEY_CSV,
            Solved::Activation(..) => activation::KEY_CSV,
            Solved::RnnAccount(..) => rnn_account::KEY_CSV,
        }
    }

    /// The problem's entry in `key.json`: kind, points, params and answers.
    pub fn key(&self) -> Value {
        let (params, answers) = match self {
            Solved::BatchnormMlp(p, s) => batchnorm_mlp::key(p, s),
            Solved::RetrievalAp(p, s) => retrieval_ap::key(p, s),
            Solved::Conv1d(p, s) => conv1d::key(p, s),
            Solved::Activation(p, s) => activation::key(p, s),
            Solved::RnnAccount(p, s) => rnn_account::key(p, s),
        };
        json!({
            "kind": self.kind(),
            "points": self.points(),
            "params": params,
            "answers": answers,
        })
    }
}

/// Which entries of a kind's key.json entry key.csv shows, by name: `params` first (e.g.
/// which activation was drawn), then `answers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyCsv {
    pub params: &'static [&'static str],
    pub answers: &'static [&'static str],
}

/// FNV-1a over the bits of a variant's numbers, with a length before every array so
/// that different shapes never hash alike.
#[derive(Clone, Copy, Debug)]
struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }
}

impl Fingerprint {
    fn word(&mut self, w: u64) {
        for b in w.to_le_bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn array<'a>(&mut self, values: impl ExactSizeIterator<Item = &'a f64>) {
        self.word(values.len() as u64);
        for v in values {
            // +0.0 and -0.0 are the same number on a sheet.
            self.word((v + 0.0).to_bits());
        }
    }

    fn str(&mut self, s: &str) {
        self.word(s.len() as u64);
        for b in s.bytes() {
            self.word(u64::from(b));
        }
    }
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

/// A matrix as JSON rows.
pub fn rows_json(a: &Array2<f64>) -> Value {
    Value::from(
        a.rows()
            .into_iter()
            .map(|r| r.to_vec())
            .collect::<Vec<Vec<f64>>>(),
    )
}

/// A vector as a JSON array.
pub fn vec_json(a: &Array1<f64>) -> Value {
    Value::from(a.to_vec())
}
