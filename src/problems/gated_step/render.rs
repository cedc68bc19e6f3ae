//! Question and worked solution of the gated_step problem. The solution works as one does
//! by hand: each pre-activation is ln b times an integer (W e_x + U e_h + e_b), each gate
//! a fraction from σ(n ln b) = bⁿ/(bⁿ + 1) or tanh(n ln b) = (b²ⁿ − 1)/(b²ⁿ + 1), then the
//! state update and the gradient gate by gate.


use super::{gate_names, is_tanh_gate, Cell, Params, Solution};
use crate::exact::{LnForm, Rational};
use crate::problems::kind::{QuestionView, WorkedView};
use crate::render::lang::Words;
use crate::render::latex::{self, FormatError, NumberStyle};

/// The cell's name as the sheet writes it (the vocabulary of rnn_account).
pub fn cell_name(cell: Cell) -> &'static str {
    crate::problems::rnn_account::cell_name(cell)
}

/// One gate's given parameters, formatted.
pub struct GateGiven {
    pub name: &'static str,
    pub w_x: String,
    pub w_h: String,
    /// The bias in units of ln b (for the GRU's n: b_in).
    pub b: String,
}

crate::localized!(Question { Hr => "hr/gated_step_question.tex", En => "en/gated_step_question.tex" });

pub struct Question {
    pub cell: &'static str,
    pub lstm: bool,
    pub base: u32,
    pub hidden: usize,
    pub input: usize,
    pub x: String,
    pub h: String,
    pub c: String,
    pub gates: Vec<GateGiven>,
    pub b_hn: String,
}

/// One gate's worked lines.
pub struct GateWorked {
    pub name: &'static str,
    pub tanh: bool,
    /// W e_x, W_h e_h, e_b (integers).
    pub input_part: String,
    pub hidden_part: String,
    pub bias: String,
    /// The pre-activation in units of ln b.
    pub units: String,
    pub values: String,
}

crate::localized!(SolutionSheet { Hr => "hr/gated_step_solution.tex", En => "en/gated_step_solution.tex" });

pub struct SolutionSheet {
    pub cell: &'static str,
    pub lstm: bool,
    pub base: u32,
    pub gates: Vec<GateWorked>,
    /// GRU: k = W_in e_x + e_bin, m = W_hn e_h + e_bhn, r, and k + r ⊙ m.
    pub gru_k: String,
    pub gru_m: String,
    pub gru_hn: String,
    pub gru_bhn: String,
    pub r: String,
    pub z: String,
    pub one_minus_z: String,
    pub n: String,
    pub h_prev: String,
    /// LSTM: f, c_{t−1}, i, g, o.
    pub f: String,
    pub c_prev: String,
    pub i: String,
    pub g: String,
    pub o: String,
    pub c: String,
    /// h_t exactly (LSTM: as o · tanh(c_t)).
    pub h: String,
    /// h_t to four decimals (LSTM).
    pub h_approx: String,
    /// ∂L/∂a per gate, in gate order.
    pub grad_pre: Vec<(&'static str, String)>,
    /// ∂L/∂x = Σ W_i·ᵀ ∂L/∂a_·, the terms named.
    pub grad_terms: String,
    pub grad_x: String,
    pub torch: String,
}

/// An integer as the sheet prints it (measured as hand work).
fn int(n: i64) -> String {
    latex::rational(Rational::from_int(n), NumberStyle::Fraction)
}

fn ints(v: &[i64]) -> String {
    latex::list(&v.iter().map(|&n| int(n)).collect::<Vec<_>>())
}

fn int_matrix(rows: &[Vec<i64>]) -> String {
    latex::matrix(
        &rows
            .iter()
            .map(|r| r.iter().map(|&n| int(n)).collect())
            .collect::<Vec<_>>(),
    )
}

/// `\ln 2 \cdot [1, -1]`: a vector in units of ln b.
fn in_units(base: u32, v: &[i64]) -> String {
    format!(r"\ln {base} \cdot {}", ints(v))
}

fn fractions(v: &[f64], what: &str) -> Result<String, FormatError> {
    Ok(latex::list(&latex::exact_vec(v, NumberStyle::Fraction, what)?))
}

/// `rational + coef ln b`, each part exact.
fn ln_form((rational, coef): (f64, f64), base: u32, what: &str) -> Result<String, FormatError> {
    let rational = latex::exact_rational(rational, what)?;
    let coef = latex::exact_rational(coef, what)?;
    Ok(latex::ln_form(
        LnForm::rational(rational).plus_ln(coef, Rational::from_int(i64::from(base))),
        NumberStyle::Fraction,
    ))
}

fn ln_forms(parts: &[(f64, f64)], base: u32, what: &str) -> Result<String, FormatError> {
    let entries = parts
        .iter()
        .enumerate()
        .map(|(k, &v)| ln_form(v, base, &format!("{what}[{k}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(latex::list(&entries))
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, _words: &dyn Words) -> Result<Self, FormatError> {
        let gates = gate_names(p.cell)
            .iter()
            .enumerate()
            .map(|(g, &name)| GateGiven {
                name,
                w_x: int_matrix(p.block(&p.w_ih, g)),
                w_h: int_matrix(p.block(&p.w_hh, g)),
                b: in_units(p.ln_base, p.gate_bias(g)),
            })
            .collect();
        Ok(Question {
            cell: cell_name(p.cell),
            lstm: p.cell == Cell::Lstm,
            base: p.ln_base,
            hidden: p.hidden(),
            input: p.input(),
            x: in_units(p.ln_base, &p.x),
            h: in_units(p.ln_base, &p.h),
            c: ints(&p.c),
            gates,
            b_hn: in_units(p.ln_base, &p.b_hn),
        })
    }
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, _words: &dyn Words) -> Result<Self, FormatError> {
        let names = gate_names(p.cell);
        let step = &s.step;
        let lstm = p.cell == Cell::Lstm;
        let gate = |name: &str| -> Result<String, FormatError> {
            match names.iter().position(|g| *g == name) {
                Some(k) => fractions(&step.gates[k], name),
                None => Ok(String::new()),
            }
        };
        let mut gates = Vec::new();
        for (g, &name) in names.iter().enumerate() {
            gates.push(GateWorked {
                name,
                tanh: is_tanh_gate(p.cell, g),
                input_part: ints(&s.input_part[g]),
                hidden_part: ints(&s.hidden_part[g]),
                bias: ints(p.gate_bias(g)),
                units: fractions(&s.pre_units[g], &format!("a_{name} / ln b"))?,
                values: fractions(&step.gates[g], name)?,
            });
        }
        let l = p.ln_b();
        let (h, h_approx) = if lstm {
            let entries = (0..p.hidden())
                .map(|j| {
                    if super::is_zero(step.c[j]) {
                        return Ok(int(0));
                    }
                    let o = latex::exact(step.gates[3][j], NumberStyle::Fraction, "o")?;
                    let c = latex::exact(step.c[j], NumberStyle::Fraction, "c_t")?;
                    Ok(format!(r"{o}\tanh {}", latex::parens(&c)))
                })
                .collect::<Result<Vec<_>, FormatError>>()?;
            // An entry with c_t = 0 is exactly 0, not a rounded 0.0000.
            let approx: Vec<String> = step
                .h
                .iter()
                .zip(&step.c)
                .map(|(&v, &c)| if super::is_zero(c) { int(0) } else { latex::approx(v, 4) })
                .collect();
            (latex::list(&entries), latex::list(&approx))
        } else {
            (ln_forms(&s.h_parts, p.ln_base, "h_t")?, String::new())
        };
        let grad_pre = names
            .iter()
            .enumerate()
            .filter(|&(g, _)| !(lstm && g == 3))
            .map(|(g, &name)| {
                ln_forms(&s.grad_pre_parts[g], p.ln_base, &format!("dL/da_{name}"))
                    .map(|v| (name, v))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let grad_terms = grad_pre
            .iter()
            .map(|(name, _)| {
                format!(
                    r"\mathbf{{W}}_{{i{name}}}^T \frac{{\partial L}}{{\partial \mathbf{{a}}_{name}}}"
                )
            })
            .collect::<Vec<_>>()
            .join(" + ");
        let one_minus_z: Vec<f64> = if lstm {
            Vec::new()
        } else {
            step.gates[1].iter().map(|z| 1.0 - z).collect()
        };
        let (gru_k, gru_m) = if lstm {
            (String::new(), String::new())
        } else {
            let k: Vec<i64> = (0..p.hidden())
                .map(|j| s.input_part[2][j] + p.gate_bias(2)[j])
                .collect();
            let m: Vec<f64> = step.reset_part.iter().map(|v| v / l).collect();
            (ints(&k), fractions(&m, "W_hn e_h + e_bhn")?)
        };
        Ok(SolutionSheet {
            cell: cell_name(p.cell),
            lstm,
            base: p.ln_base,
            gates,
            gru_k,
            gru_m,
            gru_hn: if lstm { String::new() } else { ints(&s.hidden_part[2]) },
            gru_bhn: ints(&p.b_hn),
            r: gate("r")?,
            z: gate("z")?,
            one_minus_z: fractions(&one_minus_z, "1 - z")?,
            n: gate("n")?,
            h_prev: in_units(p.ln_base, &p.h),
            f: gate("f")?,
            c_prev: ints(&p.c),
            i: gate("i")?,
            g: gate("g")?,
            o: gate("o")?,
            c: fractions(&step.c, "c_t")?,
            h,
            h_approx,
            grad_pre,
            grad_terms,
            grad_x: ln_forms(&s.grad_x_parts, p.ln_base, "dL/dx")?,
            torch: torch_check(p),
        })
    }
}

fn py_list(v: &[i64]) -> String {
    let items: Vec<String> = v.iter().map(i64::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// A stacked matrix or vector as Python, one line per gate with the gate's name, so the
/// listing stays narrow and shows PyTorch's order.
fn py_stacked(p: &Params, rows: &[String]) -> String {
    let h = p.hidden();
    let lines: Vec<String> = gate_names(p.cell)
        .iter()
        .enumerate()
        .map(|(g, name)| format!("        {},  # {name}", rows[g * h..(g + 1) * h].join(", ")))
        .collect();
    format!("[\n{}\n    ]", lines.join("\n"))
}

fn py_rows(p: &Params, m: &[Vec<i64>]) -> String {
    py_stacked(p, &m.iter().map(|r| py_list(r)).collect::<Vec<_>>())
}

fn py_entries(p: &Params, v: &[i64]) -> String {
    py_stacked(p, &v.iter().map(i64::to_string).collect::<Vec<_>>())
}

/// The short PyTorch program that checks the step and the gradient, filled in with the
/// variant's numbers (float64; every bias in bias_ih except the GRU's b_hn, which must
/// sit in bias_hh).
pub fn torch_check(p: &Params) -> String {
    let hidden = p.hidden();
    let (module, state, loss, outputs) = match p.cell {
        Cell::Gru => ("GRUCell", "h0", "h1.sum()", "h1"),
        _ => ("LSTMCell", "(h0, c0)", "c1.sum()", "h1, c1"),
    };
    let (c0, bias_hh) = match p.cell {
        Cell::Gru => {
            let mut b = vec![0; 2 * hidden];
            b.extend_from_slice(&p.b_hn);
            (
                String::new(),
                format!("    cell.bias_hh.copy_(l * t({}))\n", py_entries(p, &b)),
            )
        }
        _ => (
            format!("c0 = t([{}])\n", py_list(&p.c)),
            "    cell.bias_hh.zero_()\n".to_string(),
        ),
    };
    format!(
        "import math\n\
         import torch\n\
         \n\
         l = math.log({base})\n\
         t = lambda v: torch.tensor(v, dtype=torch.float64)\n\
         cell = torch.nn.{module}({d}, {hidden}).double()\n\
         with torch.no_grad():\n\
         \x20   cell.weight_ih.copy_(t({w_ih}))\n\
         \x20   cell.weight_hh.copy_(t({w_hh}))\n\
         \x20   cell.bias_ih.copy_(l * t({b}))\n\
         {bias_hh}\
         x = (l * t([{x}])).requires_grad_()\n\
         h0 = l * t([{h}])\n\
         {c0}\
         {outputs} = cell(x, {state})\n\
         {loss}.backward()\n\
         print({outputs}, x.grad)\n",
        base = p.ln_base,
        d = p.input(),
        w_ih = py_rows(p, &p.w_ih),
        w_hh = py_rows(p, &p.w_hh),
        b = py_entries(p, &p.bias),
        x = py_list(&p.x),
        h = py_list(&p.h),
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, GRU, LSTM};
    use super::super::GatedStep;
    use super::*;
    use crate::problems::kind::render;
    use crate::problems::kind::Variant as _;

    #[test]
    fn the_lstm_sheet_shows_every_value_exactly() {
        let p = sampler(LSTM).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert_eq!(sheet.c, r"\left[\frac{9}{10}\right]");
        assert_eq!(sheet.h, r"\left[\frac{1}{3}\tanh \left(\frac{9}{10}\right)\right]");
        assert_eq!(sheet.grad_x, r"\left[\frac{14}{25}\right]");
        assert_eq!(sheet.grad_pre.len(), 3, "o does not reach c_t");
        let out = render::<GatedStep>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(out.solution.contains("0.2388"), "{}", out.solution);
        assert!(out.question.contains(r"\ln 2 \cdot [1]"), "{}", out.question);
    }

    #[test]
    fn the_gru_sheet_shows_h_as_a_fraction_plus_a_logarithm() {
        let p = sampler(GRU).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert_eq!(sheet.h, r"\left[\frac{1}{9} + \frac{2\ln 2}{3}\right]");
        assert_eq!(sheet.gru_m, "[-1]");
        let out = render::<GatedStep>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(out.solution.contains("GRUCell"), "{}", out.solution);
    }

    #[test]
    fn a_candidate_that_is_not_exact_refuses_to_print() {
        let mut p = sampler(GRU).unwrap().fixed().unwrap();
        p.bias[0] = 0; // r = 2/3: k + r·m = 1/3
        assert!(SolutionSheet::build(&p, &p.solve(), crate::render::lang::any()).is_err());
    }
}
