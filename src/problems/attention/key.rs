//! The attention entry of key.json: Q, K̃ and the keys they stand for, V, G, the mask and
//! the question, and every answer a grader checks, as numbers and as the exact
//! fractions the sheet shows. Indices (`strongest_keys`) are 0-based.

use ndarray::Array2;
use serde::Serialize;

use super::{Concept, Params, Solution};
use crate::exact::Rational;
use crate::problems::kind::AnswersOf;
use crate::problems::{KeyCsv, Rows};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &["causal", "concept"],
    answers: &["weights", "output", "grad_V"],
};

/// The key's `params`: everything needed to recompute every answer.
#[derive(Serialize)]
pub struct KeyParams {
    #[serde(rename = "Q")]
    q: Vec<Vec<i64>>,
    /// K in units of ln b, as the spec writes it.
    #[serde(rename = "K")]
    k: Vec<Vec<i64>>,
    ln_base: u32,
    #[serde(rename = "V")]
    v: Vec<Vec<i64>>,
    #[serde(rename = "G")]
    g: Vec<Vec<i64>>,
    causal: bool,
    concept: Concept,
    d_k: usize,
    /// The keys themselves, ln b · K̃.
    keys: Rows,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    /// S in units of ln b; null where masked.
    scores_units: Vec<Vec<Option<i64>>>,
    /// S itself; null where masked (−∞).
    scores: Vec<Vec<Option<f64>>>,
    weights: Rows,
    /// A as fractions ("4/7").
    weights_exact: Option<Vec<Vec<String>>>,
    output: Rows,
    output_exact: Option<Vec<Vec<String>>>,
    #[serde(rename = "grad_V")]
    grad_v: Rows,
    #[serde(rename = "grad_V_exact")]
    grad_v_exact: Option<Vec<Vec<String>>>,
    /// For each query, the key (0-based) with the largest weight; null on a tie.
    strongest_keys: Vec<Option<usize>>,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            q: p.q.clone(),
            k: p.k.clone(),
            ln_base: p.ln_base,
            v: p.v.clone(),
            g: p.g.clone(),
            causal: p.causal,
            concept: p.concept,
            d_k: p.d_k(),
            keys: Rows(p.keys()),
        }
    }
}

/// A matrix of integers as exact rationals.
fn rationals(m: &[Vec<i64>]) -> Vec<Vec<Rational>> {
    m.iter()
        .map(|r| r.iter().map(|&x| Rational::from_int(x)).collect())
        .collect()
}

/// The product of two exact matrices (a is n × m, b is m × k).
fn product(a: &[Vec<Rational>], b: &[Vec<Rational>]) -> Vec<Vec<Rational>> {
    let cols = b.first().map_or(0, Vec::len);
    a.iter()
        .map(|row| {
            (0..cols)
                .map(|c| row.iter().zip(b).map(|(&x, r)| x * r[c]).sum())
                .collect()
        })
        .collect()
}

fn transpose(a: &[Vec<Rational>]) -> Vec<Vec<Rational>> {
    let cols = a.first().map_or(0, Vec::len);
    (0..cols)
        .map(|c| a.iter().map(|r| r[c]).collect())
        .collect()
}

fn strings(m: &[Vec<Rational>]) -> Vec<Vec<String>> {
    m.iter()
        .map(|r| r.iter().map(Rational::to_string).collect())
        .collect()
}

/// The key of the largest weight of each row, None on a tie.
pub fn strongest_keys(weights: &Array2<f64>) -> Vec<Option<usize>> {
    weights
        .rows()
        .into_iter()
        .map(|row| {
            let max = row.fold(f64::NEG_INFINITY, |m, &x| m.max(x));
            let at: Vec<usize> = (0..row.len()).filter(|&j| row[j] == max).collect();
            (at.len() == 1).then(|| at[0])
        })
        .collect()
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(p: &Params, s: &Solution) -> Self {
        let exact: Option<Vec<Vec<Rational>>> = s.weights_exact.iter().cloned().collect();
        let output_exact = exact.as_ref().map(|a| product(a, &rationals(&p.v)));
        let grad_exact = exact
            .as_ref()
            .map(|a| product(&transpose(a), &rationals(&p.g)));
        Answers {
            scores_units: s.exponents.clone(),
            scores: s
                .scores
                .rows()
                .into_iter()
                .map(|r| r.iter().map(|&x| x.is_finite().then_some(x)).collect())
                .collect(),
            weights: Rows(s.weights.clone()),
            weights_exact: exact.as_deref().map(strings),
            output: Rows(s.output.clone()),
            output_exact: output_exact.as_deref().map(strings),
            grad_v: Rows(s.grad_v.clone()),
            grad_v_exact: grad_exact.as_deref().map(strings),
            strongest_keys: strongest_keys(&s.weights),
        }
    }
}
