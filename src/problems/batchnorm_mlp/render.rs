//! Question and worked solution of the batchnorm MLP step, as in the seed's problem 1.

use ndarray::Axis;

use ndarray::{Array1, Array2};

use crate::render::lang::Words;
use crate::render::latex::{self, FormatError};
use crate::render::math::Fmt;
use crate::engine::batchnorm::BatchnormBackward;
use crate::exact::{LnMultiple, Rational};
use super::{Params, Solution};
use crate::problems::kind::{QuestionView, WorkedView};

crate::localized!(Question { Hr => "hr/batchnorm_mlp_question.tex", En => "en/batchnorm_mlp_question.tex" });

pub struct Question {
    /// "x^{(1)} = [1, 1]^T" for each example.
    pub inputs: Vec<String>,
    pub labels: String,
    pub w1: String,
    pub b1: String,
    pub w2: String,
    pub b2: String,
    pub lr: String,
    pub stats_constant: bool,
    pub eps: Option<String>,
    /// "to 3 decimals" ([`Words::to_decimals`]) when p is given rounded.
    pub sigmoid_rounding: Option<String>,
}

/// One example's forward pass.
pub struct ForwardStep {
    pub i: usize,
    pub x: String,
    pub h1: String,
    pub h_hat: String,
    pub h_hat_col: String,
    pub h2: String,
    pub h2_col: String,
    pub s_expr: String,
    pub s: String,
    /// "\\frac{1}{1 + e^{\\ln 2}} = \\frac{1}{1 + 2}" when s = ±ln k (None for s = 0).
    pub p_expr: Option<String>,
    pub p: String,
}

/// One example's backward pass.
pub struct BackwardStep {
    pub i: usize,
    pub p: String,
    pub y: String,
    pub ds: String,
    pub dw2: String,
    pub db2: String,
    pub dh2: String,
    pub mask: String,
    pub dh_hat: String,
    pub inv_sigma: String,
    pub dh1: String,
    pub dh1_col: String,
    pub x_row: String,
    pub dw1: String,
    pub db1: String,
}

/// One parameter's update.
pub struct Update {
    pub name: &'static str,
    pub old: String,
    pub grads: Vec<String>,
    pub sum: String,
    pub new: String,
}

crate::localized!(SolutionSheet { Hr => "hr/batchnorm_mlp_solution.tex", En => "en/batchnorm_mlp_solution.tex" });

pub struct SolutionSheet {
    pub n: usize,
    pub inv_n: String,
    pub w1: String,
    pub b1: String,
    pub w2: String,
    pub forward: Vec<ForwardStep>,
    pub h1_cols: Vec<String>,
    pub sq_dev_cols: Vec<String>,
    pub mu: String,
    pub var: String,
    pub sigma: String,
    pub loss: String,
    pub stats_constant: bool,
    pub backward: Vec<BackwardStep>,
    pub lr: String,
    pub updates: Vec<Update>,
    /// "=" when every value after the sigmoid is exact, "\\approx" when p is rounded.
    pub eq: &'static str,
    /// "to 3 decimals" ([`Words::to_decimals`]) when p is given rounded.
    pub sigmoid_rounding: Option<String>,
}

/// How the values that depend on p are printed: exactly, or rounded to stated decimals.
#[derive(Clone, Copy)]
enum Values {
    Exact,
    Rounded(usize),
}

impl Values {
    fn of(p: &Params) -> Values {
        match p.sigmoid_decimals {
            None => Values::Exact,
            Some(d) => Values::Rounded(d as usize),
        }
    }

    fn eq(self) -> &'static str {
        match self {
            Values::Exact => "=",
            Values::Rounded(_) => "\\approx",
        }
    }

    fn num(self, x: f64, what: &str) -> Result<String, FormatError> {
        match self {
            Values::Exact => Fmt::DECIMAL.num(x, what),
            // A zero (an inactive unit's gradient) is exact and printed so.
            Values::Rounded(_) if x == 0.0 => Ok("0".into()),
            Values::Rounded(d) => Ok(latex::approx(x, d)),
        }
    }

    fn operand(self, x: f64, what: &str) -> Result<String, FormatError> {
        let s = self.num(x, what)?;
        Ok(if s.starts_with('-') {
            latex::parens(&s)
        } else {
            s
        })
    }

    fn entries(self, a: &Array1<f64>, what: &str) -> Result<Vec<String>, FormatError> {
        self.each(a, |i| format!("{what}[{i}]"))
    }

    /// The entries, each named `name(i)` should it fail (named only then).
    fn each<'a>(
        self,
        a: impl IntoIterator<Item = &'a f64>,
        name: impl Fn(usize) -> String,
    ) -> Result<Vec<String>, FormatError> {
        match self {
            Values::Exact => latex::exact_each(a, Fmt::DECIMAL.style, name),
            _ => a.into_iter().map(|&v| self.num(v, "")).collect(),
        }
    }

    fn list(self, a: &Array1<f64>, what: &str) -> Result<String, FormatError> {
        Ok(latex::list(&self.entries(a, what)?))
    }

    fn col(self, a: &Array1<f64>, what: &str) -> Result<String, FormatError> {
        Ok(latex::column(&self.entries(a, what)?))
    }

    fn row(self, a: &Array1<f64>, what: &str) -> Result<String, FormatError> {
        Ok(latex::row(&self.entries(a, what)?))
    }

    fn mat(self, a: &Array2<f64>, what: &str) -> Result<String, FormatError> {
        let rows = a
            .rows()
            .into_iter()
            .enumerate()
            .map(|(i, r)| self.each(r, |j| format!("{what}[{i}][{j}]")))
            .collect::<Result<Vec<_>, FormatError>>()?;
        Ok(latex::matrix(&rows))
    }
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, words: &dyn Words) -> Result<Self, FormatError> {
        let f = Fmt::DECIMAL;
        let inputs =
            p.x.rows()
                .into_iter()
                .enumerate()
                .map(|(i, x)| {
                    Ok(format!(
                        "\\mathbf{{x}}^{{({})}} = {}^T",
                        i + 1,
                        f.list(&x.to_owned(), "x")?
                    ))
                })
                .collect::<Result<Vec<_>, FormatError>>()?;
        let labels = if p.y.iter().all(|&v| v == p.y[0]) {
            let names: Vec<String> = (1..=p.y.len()).map(|i| format!("y^{{({i})}}")).collect();
            format!("{} = {}", names.join(" = "), f.num(p.y[0], "y")?)
        } else {
            p.y.iter()
                .enumerate()
                .map(|(i, &v)| Ok(format!("y^{{({})}} = {}", i + 1, f.num(v, "y")?)))
                .collect::<Result<Vec<_>, FormatError>>()?
                .join(",\\ ")
        };
        Ok(Question {
            inputs,
            labels,
            w1: f.mat(&p.w1, "W1")?,
            b1: format!("{}^T", f.list(&p.b1, "b1")?),
            w2: f.list(&p.w2.row(0).to_owned(), "W2")?,
            b2: with_ln(f, p.b2[0], p.b2_ln, "b2")?,
            lr: f.num(p.lr, "lr")?,
            stats_constant: p.backward == BatchnormBackward::StatsConstant,
            eps: (p.eps > 0.0).then(|| crate::render::latex::approx(p.eps, 6)),
            sigmoid_rounding: p.sigmoid_decimals.map(|d| words.to_decimals(d)),
        })
    }
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, words: &dyn Words) -> Result<Self, FormatError> {
        let f = Fmt::DECIMAL;
        // Everything from p on is exact, or rounded as the question says.
        let v = Values::of(p);
        let n = p.x.nrows();
        let b2 = p.b2[0];
        let mut forward = Vec::with_capacity(n);
        let mut backward = Vec::with_capacity(n);
        for i in 0..n {
            let row = |a: &ndarray::Array2<f64>| a.row(i).to_owned();
            let h2 = row(&s.h2);
            forward.push(ForwardStep {
                i: i + 1,
                x: f.col(&row(&p.x), "x")?,
                h1: f.col(&row(&s.h1), "h1")?,
                h_hat: f.col(&row(&s.h_hat), "normalized h1")?,
                h_hat_col: f.col(&row(&s.h_hat), "normalized h1")?,
                h2: f.col(&h2, "h2")?,
                h2_col: f.col(&h2, "h2")?,
                s_expr: format!(
                    "{} {} {}",
                    f.row(&p.w2.row(0).to_owned(), "W2")?,
                    f.col(&h2, "h2")?,
                    signed_term(f, b2, p.b2_ln)?
                ),
                s: match p.b2_ln {
                    Some(ln) => latex::exact_ln(s.s[i], ln.base, "s")?,
                    None => f.num(s.s[i], "s")?,
                },
                p_expr: p.b2_ln.map(sigmoid_of_ln),
                p: v.num(s.p[i], "p")?,
            });
            let b = &s.backward[i];
            backward.push(BackwardStep {
                i: i + 1,
                p: v.num(s.p[i], "p")?,
                y: f.num(p.y[i], "y")?,
                ds: v.num(b.ds, "dL/ds")?,
                dw2: v.list(&b.dw2, "dL/dW2")?,
                db2: v.num(b.db2, "dL/db2")?,
                dh2: v.list(&b.dh2, "dL/dh2")?,
                mask: f.diag(&b.relu_mask, "ReLU derivative")?,
                dh_hat: v.list(&b.dh_hat, "dL/dh_hat")?,
                inv_sigma: f.diag(&s.stats.std.mapv(|v| 1.0 / v), "1/sigma")?,
                dh1: v.list(&b.dh1, "dL/dh1")?,
                dh1_col: v.col(&b.dh1, "dL/dh1")?,
                x_row: f.list(&row(&p.x), "x")?,
                dw1: v.mat(&b.dw1, "dL/dW1")?,
                db1: v.list(&b.db1, "dL/db1")?,
            });
        }
        let cols = |a: &ndarray::Array2<f64>, what: &str| {
            a.axis_iter(Axis(0))
                .map(|r| f.col(&r.to_owned(), what))
                .collect::<Result<Vec<_>, FormatError>>()
        };
        let sum_w1 = &s.grad_w1 * n as f64;
        let sum_b1 = &s.grad_b1 * n as f64;
        let sum_w2 = (&s.grad_w2 * n as f64).row(0).to_owned();
        let sum_b2 = s.grad_b2[0] * n as f64;
        let updates = vec![
            Update {
                name: "\\mathbf{W}_1",
                old: f.mat(&p.w1, "W1")?,
                grads: s
                    .backward
                    .iter()
                    .map(|b| v.mat(&b.dw1, "dL/dW1"))
                    .collect::<Result<_, _>>()?,
                sum: v.mat(&sum_w1, "sum of dL/dW1")?,
                new: v.mat(&s.w1, "updated W1")?,
            },
            Update {
                name: "\\mathbf{b}_1",
                old: f.row(&p.b1, "b1")?,
                grads: s
                    .backward
                    .iter()
                    .map(|b| v.row(&b.db1, "dL/db1"))
                    .collect::<Result<_, _>>()?,
                sum: v.row(&sum_b1, "sum of dL/db1")?,
                new: v.row(&s.b1, "updated b1")?,
            },
            Update {
                name: "\\mathbf{W}_2",
                old: f.row(&p.w2.row(0).to_owned(), "W2")?,
                grads: s
                    .backward
                    .iter()
                    .map(|b| v.row(&b.dw2, "dL/dW2"))
                    .collect::<Result<_, _>>()?,
                sum: v.row(&sum_w2, "sum of dL/dW2")?,
                new: v.row(&s.w2.row(0).to_owned(), "updated W2")?,
            },
            Update {
                name: "b_2",
                old: with_ln(f, b2, p.b2_ln, "b2")?,
                grads: s
                    .backward
                    .iter()
                    .map(|b| v.operand(b.db2, "dL/db2"))
                    .collect::<Result<_, _>>()?,
                sum: v.operand(sum_b2, "sum of dL/db2")?,
                new: match v {
                    Values::Exact => with_ln(f, s.b2[0], p.b2_ln, "updated b2")?,
                    Values::Rounded(_) => v.num(s.b2[0], "updated b2")?,
                },
            },
        ];
        Ok(SolutionSheet {
            n,
            inv_n: format!("\\frac{{1}}{{{n}}}"),
            w1: f.mat(&p.w1, "W1")?,
            b1: f.col(&p.b1, "b1")?,
            w2: f.row(&p.w2.row(0).to_owned(), "W2")?,
            forward,
            h1_cols: cols(&s.h1, "h1")?,
            sq_dev_cols: cols(&s.sq_dev, "(h1 - mu)^2")?,
            mu: f.col(&s.stats.mean, "mu")?,
            var: f.col(&s.stats.var, "sigma^2")?,
            sigma: f.col(&s.stats.std, "sigma")?,
            loss: match v {
                Values::Exact => exact_loss(p, s)?,
                Values::Rounded(_) => loss_text(s.loss),
            },
            stats_constant: p.backward == BatchnormBackward::StatsConstant,
            backward,
            lr: f.num(p.lr, "lr")?,
            updates,
            eq: v.eq(),
            sigmoid_rounding: p.sigmoid_decimals.map(|d| words.to_decimals(d)),
        })
    }
}

/// "+ 2" or "- 1" after an expression, "- 1 + \\ln 2" when `v` has the ln part `ln`;
/// nothing for 0.
fn signed_term(f: Fmt, v: f64, ln: Option<LnMultiple>) -> Result<String, FormatError> {
    let rest = latex::exact_rational(v - ln.map_or(0.0, |l| l.to_f64()), "b2")?;
    let mut terms = Vec::new();
    if !rest.is_zero() {
        let sign = if rest.signum() < 0 { "-" } else { "+" };
        terms.push(format!("{sign} {}", latex::rational(rest.abs(), f.style)));
    }
    if let Some(l) = ln {
        let sign = if l.coef.signum() < 0 { "-" } else { "+" };
        let magnitude = LnMultiple {
            coef: l.coef.abs(),
            ..l
        };
        terms.push(format!("{sign} {}", latex::ln_multiple(magnitude)));
    }
    Ok(terms.join(" "))
}

/// `v` written exactly with its ln part `ln`: "-1 - \\ln 2", "\\ln 3", or the plain
/// number when there is none.
fn with_ln(f: Fmt, v: f64, ln: Option<LnMultiple>, what: &str) -> Result<String, FormatError> {
    let Some(l) = ln else {
        return f.num(v, what);
    };
    let rest = latex::exact_rational(v - l.to_f64(), what)?;
    if rest.is_zero() {
        return Ok(latex::ln_multiple(l));
    }
    let tail = signed_term(f, l.to_f64(), ln)?;
    Ok(format!("{} {tail}", latex::rational(rest, f.style)))
}

/// σ(s) for s = c·ln k, worked out: "\\frac{1}{1 + e^{\\ln 2}} = \\frac{1}{1 + 2}"
/// (e^{−s} = k^{−c}).
fn sigmoid_of_ln(s: LnMultiple) -> String {
    let minus_s = LnMultiple {
        coef: -s.coef,
        ..s
    };
    let k = Rational::from_int(i64::from(s.base));
    let power = if s.coef.signum() < 0 {
        k
    } else {
        Rational::ONE / k
    };
    format!(
        "\\frac{{1}}{{1 + e^{{{}}}}} = \\frac{{1}}{{1 + {}}}",
        latex::ln_multiple(minus_s),
        latex::rational(power, latex::NumberStyle::Fraction)
    )
}

/// The mean BCE when every p is exact: each example's loss is ln(1/p) or ln(1/(1 − p)), so
/// the mean is "= \\ln 3 ≈ 1.0986" when they agree, else "= \\frac{1}{N}(\\ln a + …) ≈ …".
fn exact_loss(p: &Params, s: &Solution) -> Result<String, FormatError> {
    let logs = s
        .p
        .iter()
        .zip(&p.y)
        .map(|(&prob, &y)| {
            let prob = latex::exact_rational(prob, "p")?;
            let q = if y == 1.0 { prob } else { Rational::ONE - prob };
            Ok(format!(
                "\\ln {}",
                latex::rational(Rational::ONE / q, latex::NumberStyle::Fraction)
            ))
        })
        .collect::<Result<Vec<String>, FormatError>>()?;
    let approx = latex::approx(s.loss, 4);
    if logs.iter().all(|l| *l == logs[0]) {
        return Ok(format!("= {} \\approx {approx}", logs[0]));
    }
    Ok(format!(
        "= \\frac{{1}}{{{}}} \\left({}\\right) \\approx {approx}",
        logs.len(),
        logs.join(" + ")
    ))
}

/// "= ln 2 ≈ 0.6931" for the mean BCE: exactly a multiple of ln 2 when it is one (p = 1/2), else ≈ 4 decimals.
fn loss_text(loss: f64) -> String {
    match crate::exact::LnMultiple::recognize(loss, 2, 64) {
        Some(m) if m.coef.den() <= 64 && m.coef.num().abs() <= 64 => {
            format!(
                "= {} \\approx {}",
                crate::render::latex::ln_multiple(m),
                crate::render::latex::approx(loss, 4)
            )
        }
        _ => format!("\\approx {}", crate::render::latex::approx(loss, 4)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minus_ln(k: u32) -> LnMultiple {
        LnMultiple {
            coef: Rational::from_int(-1),
            base: k,
        }
    }

    #[test]
    fn a_bias_with_an_ln_part_is_written_exactly() {
        let f = Fmt::DECIMAL;
        let ln2 = 2f64.ln();
        assert_eq!(with_ln(f, 2.0 - ln2, Some(minus_ln(2)), "b2").unwrap(), "2 - \\ln 2");
        assert_eq!(with_ln(f, -ln2, Some(minus_ln(2)), "b2").unwrap(), "-\\ln 2");
        assert_eq!(with_ln(f, -1.5, None, "b2").unwrap(), "-1.5");
        assert_eq!(
            signed_term(f, -1.0 - ln2, Some(minus_ln(2))).unwrap(),
            "- 1 - \\ln 2"
        );
        // Without an ln part, as before: the 2022 sheet's "- 1".
        assert_eq!(signed_term(f, -1.0, None).unwrap(), "- 1");
        assert_eq!(signed_term(f, 0.0, None).unwrap(), "");
        // A value that is not the ln part plus a fraction is refused, not rounded.
        assert!(with_ln(f, 0.1234567, Some(minus_ln(2)), "b2").is_err());
    }

    #[test]
    fn the_sigmoid_of_a_log_is_worked_out() {
        assert_eq!(
            sigmoid_of_ln(minus_ln(2)),
            "\\frac{1}{1 + e^{\\ln 2}} = \\frac{1}{1 + 2}"
        );
        let plus = LnMultiple {
            coef: Rational::ONE,
            base: 3,
        };
        assert_eq!(
            sigmoid_of_ln(plus),
            "\\frac{1}{1 + e^{-\\ln 3}} = \\frac{1}{1 + \\frac{1}{3}}"
        );
    }
}
