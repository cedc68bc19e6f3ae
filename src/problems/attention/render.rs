//! Question and worked solution of the attention problem. The solution works as one
//! does by hand: QK̃ᵀ in integers, the scores in units of ln b, then each row of A by
//! shifting its visible exponents so the smallest is 0 (softmax does not change), so
//! that b^{E_ij − m_i} are whole numbers whose sum is the row's common denominator.


use super::key::strongest_keys;
use super::{Concept, Params, Solution};
use crate::exact::Rational;
use crate::problems::kind::{QuestionView, WorkedView};
use crate::render::lang::Words;
use crate::render::latex::{self, FormatError, NumberStyle};
use crate::render::math::Fmt;

crate::localized!(Question { Hr => "hr/attention_question.tex", En => "en/attention_question.tex" });

pub struct Question {
    pub n: usize,
    pub d_k: usize,
    pub d_v: usize,
    pub base: u32,
    pub q: String,
    pub k: String,
    pub v: String,
    pub g: String,
    pub causal: bool,
    pub concept: Concept,
}

/// One row of A worked by hand.
pub struct RowView {
    /// The query's number, from 1.
    pub i: usize,
    /// The exponents of the visible keys.
    pub e: String,
    /// Whether the query sees one key only (its weight is 1).
    pub single: bool,
    /// The smallest visible exponent m_i.
    pub m: String,
    /// b^{E_ij − m_i} over the visible keys.
    pub powers: String,
    /// "4 + 2 + 1".
    pub sum_terms: String,
    pub total: String,
    /// The row of A, masked keys included (weight 0).
    pub weights: String,
}

crate::localized!(SolutionSheet { Hr => "hr/attention_solution.tex", En => "en/attention_solution.tex" });

pub struct SolutionSheet {
    pub base: u32,
    pub d_k: usize,
    pub sqrt_d_k: i64,
    pub causal: bool,
    pub concept: Concept,
    pub q: String,
    pub k_t: String,
    pub qk: String,
    pub e: String,
    pub rows: Vec<RowView>,
    pub a: String,
    pub a_t: String,
    pub v: String,
    pub g: String,
    pub o: String,
    pub grad_v: String,
    /// The first row of O, equal to V's (the mask question).
    pub o1: String,
    /// "\mathbf{q}_1 \to \mathbf{k}_1, …" (the strongest-key question).
    pub strongest: String,
    pub torch: String,
}

/// An integer as the sheet prints it (measured like every other value).
fn int(x: i64) -> String {
    latex::rational(Rational::from_int(x), NumberStyle::Fraction)
}

/// A matrix of integers.
fn int_matrix(m: &[Vec<i64>]) -> String {
    let rows: Vec<Vec<String>> = m.iter().map(|r| r.iter().map(|&x| int(x)).collect()).collect();
    latex::matrix(&rows)
}

fn transpose(m: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let cols = m.first().map_or(0, Vec::len);
    (0..cols).map(|c| m.iter().map(|r| r[c]).collect()).collect()
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, _words: &dyn Words) -> Result<Self, FormatError> {
        Ok(Question {
            n: p.n(),
            d_k: p.d_k(),
            d_v: p.v.first().map_or(0, Vec::len),
            base: p.ln_base,
            q: int_matrix(&p.q),
            k: int_matrix(&p.k),
            v: int_matrix(&p.v),
            g: int_matrix(&p.g),
            causal: p.causal,
            concept: p.concept,
        })
    }
}

fn too_large(what: String, value: f64) -> FormatError {
    FormatError::NotExact {
        what,
        value,
        expected: "integer below 2^63".to_string(),
    }
}

/// Row i of A worked by hand, from its visible exponents.
fn row_view(p: &Params, s: &Solution, i: usize) -> Result<RowView, FormatError> {
    let visible: Vec<i64> = s.exponents[i].iter().flatten().copied().collect();
    if visible.len() != (0..p.n()).filter(|&j| p.visible(i, j)).count() {
        return Err(FormatError::NotExact {
            what: format!("row {} of the scores", i + 1),
            value: s.scores[[i, 0]],
            expected: format!("integer multiple of ln {}", p.ln_base),
        });
    }
    let m = visible.iter().copied().min().unwrap_or(0);
    let powers: Vec<i64> = visible
        .iter()
        .map(|&e| {
            u32::try_from(e - m)
                .ok()
                .and_then(|d| i64::from(p.ln_base).checked_pow(d))
                .ok_or_else(|| {
                    too_large(
                        format!("{}^({e} - {m})", p.ln_base),
                        f64::from(p.ln_base).powf((e - m) as f64),
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    let total = powers
        .iter()
        .try_fold(0i64, |acc, &v| acc.checked_add(v))
        .ok_or_else(|| too_large(format!("row {} sum", i + 1), f64::INFINITY))?;
    let ints = |xs: &[i64]| latex::list(&xs.iter().map(|&x| int(x)).collect::<Vec<_>>());
    Ok(RowView {
        i: i + 1,
        e: ints(&visible),
        single: visible.len() == 1,
        m: int(m),
        sum_terms: powers.iter().map(|&x| int(x)).collect::<Vec<_>>().join(" + "),
        powers: ints(&powers),
        total: int(total),
        weights: Fmt::FRACTION.list(&s.weights.row(i).to_owned(), &format!("A[{i}]"))?,
    })
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, _words: &dyn Words) -> Result<Self, FormatError> {
        let f = Fmt::FRACTION;
        let e: Vec<Vec<String>> = s
            .exponents
            .iter()
            .enumerate()
            .map(|(i, row)| {
                row.iter()
                    .enumerate()
                    .map(|(j, x)| match x {
                        Some(x) => int(*x),
                        None if !p.visible(i, j) => r"-\infty".to_string(),
                        None => format!("{}/{}", s.qk[i][j], p.sqrt_d_k()),
                    })
                    .collect()
            })
            .collect();
        let rows = (0..p.n())
            .map(|i| row_view(p, s, i))
            .collect::<Result<Vec<_>, _>>()?;
        let strongest = strongest_keys(&s.weights)
            .iter()
            .enumerate()
            .filter_map(|(i, j)| j.map(|j| format!(r"\mathbf{{q}}_{} \to \mathbf{{k}}_{}", i + 1, j + 1)))
            .collect::<Vec<_>>()
            .join(r",\quad ");
        Ok(SolutionSheet {
            base: p.ln_base,
            d_k: p.d_k(),
            sqrt_d_k: p.sqrt_d_k(),
            causal: p.causal,
            concept: p.concept,
            q: int_matrix(&p.q),
            k_t: int_matrix(&transpose(&p.k)),
            qk: int_matrix(&s.qk),
            e: latex::matrix(&e),
            rows,
            a: f.mat(&s.weights, "A")?,
            a_t: f.mat(&s.weights.t().to_owned(), "A^T")?,
            v: int_matrix(&p.v),
            g: int_matrix(&p.g),
            o: f.mat(&s.output, "O")?,
            grad_v: f.mat(&s.grad_v, "dL/dV")?,
            o1: f.list(&s.output.row(0).to_owned(), "O[0]")?,
            strongest,
            torch: torch_check(p),
        })
    }
}

/// A matrix as a Python list of lists (made float64 by `T`).
fn py_rows(m: &[Vec<i64>]) -> String {
    let rows: Vec<String> = m
        .iter()
        .map(|r| {
            let xs: Vec<String> = r.iter().map(i64::to_string).collect();
            format!("[{}]", xs.join(", "))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// The short PyTorch program that checks A, O and ∂L/∂V, filled in with the variant's
/// numbers (float64, so the printout matches the sheet).
pub fn torch_check(p: &Params) -> String {
    let mask = if p.causal {
        "S = S.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float(\"-inf\"))\n"
    } else {
        ""
    };
    format!(
        "import math\n\
         import torch\n\
         import torch.nn.functional as F\n\
         \n\
         T = lambda rows: torch.tensor(rows, dtype=torch.float64)\n\
         Q = T({q})\n\
         Kt = T({k})\n\
         K = math.log({base}) * Kt\n\
         V = T({v}).requires_grad_()\n\
         G = T({g})\n\
         n, d_k = Q.shape\n\
         S = Q @ K.T / math.sqrt(d_k)\n\
         {mask}\
         A = S.softmax(dim=-1)\n\
         O = F.scaled_dot_product_attention(\n    \
         Q[None], K[None], V[None], is_causal={causal})[0]\n\
         (G * O).sum().backward()\n\
         print(A, A @ V, O, V.grad, sep=\"\\n\")\n",
        q = py_rows(&p.q),
        k = py_rows(&p.k),
        v = py_rows(&p.v),
        g = py_rows(&p.g),
        base = p.ln_base,
        causal = if p.causal { "True" } else { "False" },
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::super::Attention;
    use super::*;
    use crate::problems::kind::{render, Variant as _};

    #[test]
    fn the_pinned_sheet_shows_every_value_exactly() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert_eq!(sheet.rows[0].powers, "[4, 2, 1]");
        assert_eq!(sheet.rows[0].sum_terms, "4 + 2 + 1");
        assert_eq!(sheet.rows[0].total, "7");
        assert_eq!(sheet.rows[2].m, "-1");
        let out = render::<Attention>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(out.solution.contains(r"\dfrac{5}{7}"), "{}", out.solution);
        assert!(!out.solution.contains("0.71"), "no rounded value");
        assert!(out.question.contains("scaled"), "{}", out.question);
    }

    #[test]
    fn masked_scores_print_as_minus_infinity() {
        let p = sampler(&PINNED.replace("causal: false", "causal: true"))
            .unwrap()
            .fixed()
            .unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert!(sheet.e.contains(r"-\infty"), "{}", sheet.e);
        assert!(sheet.rows[0].single);
        assert!(sheet.torch.contains("triu(1)") && sheet.torch.contains("is_causal=True"));
    }

    #[test]
    fn scores_that_are_not_multiples_of_ln_b_are_an_error_not_a_panic() {
        let odd = PINNED.replace("K: [[1, 1, 0, 0]", "K: [[1, 0, 0, 0]");
        let p = sampler(&odd).unwrap().fixed().unwrap();
        assert!(SolutionSheet::build(&p, &p.solve(), crate::render::lang::any()).is_err());
        let huge = "Q: [[100], [1]]\nK: [[1], [0]]\nV: [[1], [0]]\nG: [[1], [0]]\nln_base: 2\n\
                    causal: false\nconcept: scaling\n";
        let p = sampler(huge).unwrap().fixed().unwrap();
        assert!(SolutionSheet::build(&p, &p.solve(), crate::render::lang::any()).is_err());
    }
}
