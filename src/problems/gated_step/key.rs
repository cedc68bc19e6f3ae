//! The gated_step entry of key.json: the parameters in units of ln b (and the base), and
//! every answer a grader checks, as numbers and as the exact values the sheet shows.

use serde::Serialize;

use super::{gate_names, Cell, Params, Solution};
use crate::exact::{LnForm, Rational, MAX_DEN};
use crate::problems::kind::AnswersOf;
use crate::problems::KeyCsv;

/// The key.csv columns of this kind: the cell and its gate order (which names the rows
/// of `gates`, so one column layout serves both cells), the gates, c_t (LSTM; no
/// columns for the GRU), h_t and ∂L/∂x.
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &["cell", "gate_order"],
    answers: &["gates", "c", "h", "grad_x"],
};

/// The key's `params`: everything needed to recompute every answer.
#[derive(Serialize)]
pub struct KeyParams {
    cell: Cell,
    ln_base: u32,
    /// x_t, h_{t−1}, the biases and b_hn are these integers times ln(ln_base).
    x: Vec<i64>,
    h: Vec<i64>,
    /// c_{t−1} (LSTM only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    c: Vec<i64>,
    /// PyTorch's weight_ih_l0 and weight_hh_l0, gates stacked in `gate_order`.
    w_ih: Vec<Vec<i64>>,
    w_hh: Vec<Vec<i64>>,
    /// b_ih + b_hh (the GRU's n rows: b_in).
    bias: Vec<i64>,
    /// The GRU's b_hn (inside r ⊙ (W_hn h + b_hn)).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    b_hn: Vec<i64>,
    gate_order: Vec<&'static str>,
    /// The loss whose gradient by x is asked.
    loss: &'static str,
}

/// The key's `answers`: numbers, with the exact values beside them (`*_exact`).
#[derive(Serialize)]
pub struct Answers {
    /// Each gate's values [gate][unit], in `gate_order`.
    gates: Vec<Vec<f64>>,
    /// The same by name (the other cell's gates are left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    i: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    f: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    g: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    o: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    r: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    z: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<Vec<f64>>,
    /// Each gate's values as fractions, in `gate_order`.
    gates_exact: Vec<Vec<String>>,
    /// Each pre-activation in units of ln b.
    preactivations: Vec<Vec<f64>>,
    /// c_t (LSTM; empty for the GRU).
    c: Vec<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    c_exact: Option<Vec<String>>,
    h: Vec<f64>,
    /// LSTM: "o*tanh(c)" with both fractions (exact only as that product); GRU: a fraction
    /// plus a fraction times ln b.
    h_exact: Vec<String>,
    grad_x: Vec<f64>,
    grad_x_exact: Vec<String>,
    /// LSTM: ∂c_t/∂c_{t−1} = diag(f), its diagonal.
    #[serde(skip_serializing_if = "Option::is_none")]
    dc_dc_prev: Option<Vec<f64>>,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        KeyParams {
            cell: p.cell,
            ln_base: p.ln_base,
            x: p.x.clone(),
            h: p.h.clone(),
            c: p.c.clone(),
            w_ih: p.w_ih.clone(),
            w_hh: p.w_hh.clone(),
            bias: p.bias.clone(),
            b_hn: p.b_hn.clone(),
            gate_order: gate_names(p.cell).to_vec(),
            loss: match p.cell {
                Cell::Gru => "sum(h_t)",
                _ => "sum(c_t)",
            },
        }
    }
}

fn fraction(v: f64) -> String {
    Rational::recognize(v, MAX_DEN).map_or_else(|| "?".to_string(), |r| r.to_string())
}

/// `rational + coef ln b` as text (`1/9 + 2/3 ln 2`).
fn ln_form_text((rational, coef): (f64, f64), base: u32) -> String {
    match (
        Rational::recognize(rational, MAX_DEN),
        Rational::recognize(coef, MAX_DEN),
    ) {
        (Some(r), Some(c)) => LnForm::rational(r)
            .plus_ln(c, Rational::from_int(i64::from(base)))
            .to_string(),
        _ => "?".to_string(),
    }
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(p: &Params, s: &Solution) -> Self {
        let step = &s.step;
        let gate = |name: &str| {
            gate_names(p.cell)
                .iter()
                .position(|g| *g == name)
                .map(|k| step.gates[k].clone())
        };
        let lstm = p.cell == Cell::Lstm;
        let h_exact = if lstm {
            (0..p.hidden())
                .map(|j| {
                    if super::is_zero(step.c[j]) {
                        "0".to_string()
                    } else {
                        format!("{}*tanh({})", fraction(step.gates[3][j]), fraction(step.c[j]))
                    }
                })
                .collect()
        } else {
            s.h_parts.iter().map(|&v| ln_form_text(v, p.ln_base)).collect()
        };
        Answers {
            gates: step.gates.clone(),
            i: gate("i"),
            f: gate("f"),
            g: gate("g"),
            o: gate("o"),
            r: gate("r"),
            z: gate("z"),
            n: gate("n"),
            gates_exact: step
                .gates
                .iter()
                .map(|g| g.iter().map(|&v| fraction(v)).collect())
                .collect(),
            preactivations: s.pre_units.clone(),
            c: step.c.clone(),
            c_exact: lstm.then(|| step.c.iter().map(|&v| fraction(v)).collect()),
            h: step.h.clone(),
            h_exact,
            grad_x: step.grad_x.clone(),
            grad_x_exact: s
                .grad_x_parts
                .iter()
                .map(|&v| ln_form_text(v, p.ln_base))
                .collect(),
            dc_dc_prev: lstm.then(|| step.gates[1].clone()),
        }
    }
}
