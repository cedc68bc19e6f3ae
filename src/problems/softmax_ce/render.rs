//! Question and worked solution of the softmax_ce problem. The solution works as one
//! does by hand: shift the exponents so the smallest is 0 (softmax does not change), so
//! that b^{e−m} are whole numbers whose sum is the common denominator of p.

use ndarray::Array1;

use super::{Params, Solution};
use crate::problems::kind::{QuestionView, WorkedView};
use crate::render::lang::Words;
use crate::exact::{LnMultiple, Rational};
use crate::render::latex::{self, FormatError};
use crate::render::math::Fmt;

crate::localized!(Question { Hr => "hr/softmax_ce_question.tex", En => "en/softmax_ce_question.tex" });

pub struct Question {
    pub base: u32,
    pub e: String,
    pub z: String,
    pub y: usize,
}

crate::localized!(SolutionSheet { Hr => "hr/softmax_ce_solution.tex", En => "en/softmax_ce_solution.tex" });

pub struct SolutionSheet {
    pub base: u32,
    pub e: String,
    /// The smallest exponent m.
    pub m: i64,
    /// −m ln b, what subtracting m adds to every logit.
    pub shift: String,
    pub shifted: String,
    pub powers: String,
    /// "4 + 1 + 2 + 8".
    pub sum_terms: String,
    pub total: i64,
    pub p: String,
    pub y: usize,
    pub py: String,
    pub loss_exact: String,
    pub loss: String,
    pub onehot: String,
    pub grad_z: String,
    pub grad_e: String,
    pub torch: String,
}

fn integers(values: &[i64]) -> String {
    latex::list(&values.iter().map(i64::to_string).collect::<Vec<_>>())
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, _words: &dyn Words) -> Result<Self, FormatError> {
        let z: Vec<String> = p
            .logits
            .iter()
            .map(|&e| {
                latex::ln_multiple(LnMultiple {
                    coef: Rational::from_int(e),
                    base: p.ln_base,
                })
            })
            .collect();
        Ok(Question {
            base: p.ln_base,
            e: integers(&p.logits),
            z: latex::list(&z),
            y: p.y,
        })
    }
}

/// b^{e_i − m} for the smallest exponent m, as whole numbers; fails (rather than wraps)
/// when one does not fit an i64, which the constraints never let through.
fn shifted_powers(p: &Params, m: i64) -> Result<Vec<i64>, FormatError> {
    p.logits
        .iter()
        .map(|&e| {
            u32::try_from(e - m)
                .ok()
                .and_then(|d| i64::from(p.ln_base).checked_pow(d))
                .ok_or_else(|| FormatError::NotExact {
                    what: format!("{}^({e} - {m})", p.ln_base),
                    value: f64::from(p.ln_base).powf((e - m) as f64),
                    expected: "integer below 2^63".to_string(),
                })
        })
        .collect()
}

/// −ln p_y = ln(1/p_y), the logarithm of a fraction: `\ln 15` or `\ln\frac{15}{8}`.
fn log_of_inverse(py: Rational) -> String {
    let inverse = Rational::ONE / py;
    if inverse.is_integer() {
        format!(r"\ln {}", inverse.num())
    } else {
        format!(r"\ln\frac{{{}}}{{{}}}", inverse.num(), inverse.den())
    }
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, _words: &dyn Words) -> Result<Self, FormatError> {
        let f = Fmt::FRACTION;
        let m = p.logits.iter().copied().min().unwrap_or(0);
        let shifted: Vec<i64> = p.logits.iter().map(|&e| e - m).collect();
        let powers = shifted_powers(p, m)?;
        let total = powers
            .iter()
            .try_fold(0i64, |acc, &v| acc.checked_add(v))
            .ok_or_else(|| FormatError::NotExact {
                what: "the sum of the powers".to_string(),
                value: powers.iter().map(|&v| v as f64).sum(),
                expected: "integer below 2^63".to_string(),
            })?;
        let py = latex::exact_rational(s.p[p.y], "p_y")?;
        let onehot = Array1::from_shape_fn(s.p.len(), |i| if i == p.y { 1.0 } else { 0.0 });
        Ok(SolutionSheet {
            base: p.ln_base,
            e: integers(&p.logits),
            m,
            shift: latex::ln_multiple(LnMultiple {
                coef: Rational::from_int(-m),
                base: p.ln_base,
            }),
            shifted: integers(&shifted),
            sum_terms: powers
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(" + "),
            powers: integers(&powers),
            total,
            p: f.list(&s.p, "p")?,
            y: p.y,
            py: f.num(s.p[p.y], "p_y")?,
            loss_exact: log_of_inverse(py),
            loss: latex::approx(s.loss, 4),
            onehot: f.list(&onehot, "one-hot y")?,
            grad_z: f.list(&s.grad_z, "dL/dz")?,
            grad_e: latex::factored_ln_list(&s.grad_e.to_vec(), p.ln_base, "dL/de")?,
            torch: torch_check(p),
        })
    }
}

/// The short PyTorch program that checks p, L and both gradients, filled in with the
/// variant's numbers (float64, so the printout matches the sheet).
pub fn torch_check(p: &Params) -> String {
    let e: Vec<String> = p.logits.iter().map(|&e| format!("{:?}", e as f64)).collect();
    format!(
        "import math\n\
         import torch\n\
         \n\
         e = torch.tensor([{e}], dtype=torch.float64, requires_grad=True)\n\
         z = math.log({base}) * e\n\
         z.retain_grad()\n\
         L = torch.nn.functional.cross_entropy(z.view(1, -1), torch.tensor([{y}]))\n\
         L.backward()\n\
         print(z.softmax(dim=0), L)\n\
         print(z.grad, e.grad)\n",
        e = e.join(", "),
        base = p.ln_base,
        y = p.y,
    )
}

#[cfg(test)]
mod tests {
    use crate::problems::kind::{QuestionView as _, WorkedView as _};
    use crate::problems::kind::Variant as _;
    use super::super::fixtures::{sampler, PINNED};
    use super::super::SoftmaxCe;
    use super::*;
    use crate::problems::kind::render;

    #[test]
    fn the_pinned_sheet_shows_every_value_exactly() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert_eq!(sheet.powers, "[4, 1, 2, 8]");
        assert_eq!((sheet.m, sheet.total), (-1, 15));
        assert_eq!(sheet.sum_terms, "4 + 1 + 2 + 8");
        assert_eq!(sheet.loss_exact, r"\ln\frac{15}{8}");
        assert_eq!(sheet.grad_e, r"\frac{\ln 2}{15} [4, 1, 2, -7]");
        let q = Question::build(&p, crate::render::lang::any()).unwrap();
        assert_eq!(q.z, r"[\ln 2, -\ln 2, 0, 2\ln 2]");
        let out = render::<SoftmaxCe>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(out.solution.contains(r"-\frac{7}{15}"), "{}", out.solution);
        assert!(!out.solution.contains("0.26"), "no rounded probability");
    }

    #[test]
    fn a_loss_of_a_whole_inverse_is_a_plain_logarithm() {
        assert_eq!(log_of_inverse(Rational::new(1, 4)), r"\ln 4");
        assert_eq!(log_of_inverse(Rational::new(2, 7)), r"\ln\frac{7}{2}");
    }

    #[test]
    fn powers_too_large_are_an_error_not_a_panic() {
        let p = Params {
            points: None,
            logits: vec![100, 0],
            ln_base: 2,
            y: 0,
        };
        assert!(SolutionSheet::build(&p, &p.solve(), crate::render::lang::any()).is_err());
    }
}
