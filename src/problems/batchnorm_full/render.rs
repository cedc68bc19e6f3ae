//! Question and worked solution of the batchnorm_full problem. The solution works one
//! feature at a time, as by hand: the sums behind μ and σ², x̂ and y, the two parameter
//! gradients (which the input gradient reuses), ∂L/∂x from the formula through μ and
//! σ² (derived once on the sheet), PyTorch's running statistics, and why two examples
//! give no input gradient.

use ndarray::{Array1, ArrayView1};

use super::{Params, Solution};
use crate::problems::kind::{QuestionView, WorkedView};
use crate::render::lang::Words;
use crate::render::latex::{self, FormatError};
use crate::render::math::Fmt;

const F: Fmt = Fmt::FRACTION;
/// The running statistics in decimals, as the momentum is written (0.1).
const D: Fmt = Fmt::DECIMAL;

crate::localized!(Question { Hr => "hr/batchnorm_full_question.tex", En => "en/batchnorm_full_question.tex" });

pub struct Question {
    pub n: usize,
    pub d: usize,
    pub x: String,
    pub gamma: String,
    pub beta: String,
    pub grad_y: String,
    pub momentum: String,
    pub running_mean: String,
    pub running_var: String,
}

/// One feature's column of the worked solution.
pub struct FeatureView {
    /// "1" or "2", shown when there are two features.
    pub number: usize,
    pub x: String,
    pub x_sum: String,
    pub x_total: String,
    pub mu: String,
    pub deviations: String,
    pub squares: String,
    pub squares_total: String,
    pub var: String,
    pub sigma: String,
    pub x_hat: String,
    /// γ as the coefficient of x̂ ("3", "-", "" for 1).
    pub gamma: String,
    pub beta: String,
    pub y: String,
    pub g: String,
    pub g_sum: String,
    pub grad_beta: String,
    pub g_x_hat: String,
    pub grad_gamma: String,
    /// γ/(Nσ).
    pub coefficient: String,
    /// N g − (Σg)·1 − (Σg x̂)·x̂.
    pub inner: String,
    pub grad_x: String,
    pub keep: String,
    pub momentum: String,
    pub running_mean_old: String,
    pub mu_operand: String,
    pub running_mean: String,
    pub var_operand: String,
    pub var_unbiased: String,
    pub running_var_old: String,
    pub var_unbiased_operand: String,
    pub running_var: String,
}

crate::localized!(SolutionSheet { Hr => "hr/batchnorm_full_solution.tex", En => "en/batchnorm_full_solution.tex" });

pub struct SolutionSheet {
    pub n: usize,
    pub n_minus_one: usize,
    pub features: Vec<FeatureView>,
    pub torch: String,
}

/// A per-feature vector as the question writes it: a number for one feature, a list
/// for two.
fn per_feature(v: &Array1<f64>, fmt: Fmt, what: &str) -> Result<String, FormatError> {
    if v.len() == 1 {
        fmt.num(v[0], what)
    } else {
        fmt.list(v, what)
    }
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, _words: &dyn Words) -> Result<Self, FormatError> {
        Ok(Question {
            n: p.x.nrows(),
            d: p.x.ncols(),
            x: F.mat(&p.x, "X")?,
            gamma: per_feature(&p.gamma, F, "gamma")?,
            beta: per_feature(&p.beta, F, "beta")?,
            grad_y: F.mat(&p.grad_y, "dL/dY")?,
            momentum: D.num(p.momentum, "momentum")?,
            running_mean: per_feature(&p.running_mean, D, "running_mean")?,
            running_var: per_feature(&p.running_var, D, "running_var")?,
        })
    }
}

/// `a + b + (-c)`: the terms of a sum as written by hand.
fn sum_terms(values: &[f64], what: &str) -> Result<String, FormatError> {
    let terms = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let w = format!("{what}[{i}]");
            if i == 0 {
                F.num(v, &w)
            } else {
                F.operand(v, &w)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(terms.join(" + "))
}

/// A factor of a product or a base of a power: negative numbers and fractions in
/// parentheses.
fn factor(fmt: Fmt, v: f64, what: &str) -> Result<String, FormatError> {
    let s = fmt.num(v, what)?;
    Ok(if v < 0.0 || s.contains(r"\frac") {
        latex::parens(&s)
    } else {
        s
    })
}

/// `a_1 b_1 + a_2 b_2 + …` with a centred dot.
fn products(a: ArrayView1<f64>, b: ArrayView1<f64>, what: &str) -> Result<String, FormatError> {
    let terms = a
        .iter()
        .zip(b.iter())
        .enumerate()
        .map(|(i, (&u, &v))| {
            let w = format!("{what}[{i}]");
            Ok(format!(r"{} \cdot {}", F.operand(u, &w)?, F.operand(v, &w)?))
        })
        .collect::<Result<Vec<_>, FormatError>>()?;
    Ok(terms.join(" + "))
}

fn feature(p: &Params, s: &Solution, j: usize) -> Result<FeatureView, FormatError> {
    let n = p.x.nrows() as f64;
    let x = p.x.column(j);
    let g = p.grad_y.column(j);
    let x_hat = s.x_hat.column(j);
    let deviations: Array1<f64> = x.mapv(|v| v - s.stats.mean[j]);
    let squares = deviations
        .iter()
        .enumerate()
        .map(|(i, &v)| Ok(format!("{}^2", factor(F, v, &format!("x - mu[{i}]"))?)))
        .collect::<Result<Vec<_>, FormatError>>()?
        .join(" + ");
    let (sigma, gamma) = (s.stats.std[j], p.gamma[j]);
    let inner: Array1<f64> = (0..x.len())
        .map(|i| n * g[i] - s.grad_beta[j] - s.grad_gamma[j] * x_hat[i])
        .collect();
    let m = p.momentum;
    Ok(FeatureView {
        number: j + 1,
        x: F.list(&x.to_owned(), "x")?,
        x_sum: sum_terms(&x.to_vec(), "x")?,
        x_total: F.num(x.sum(), "sum x")?,
        mu: F.num(s.stats.mean[j], "mu")?,
        deviations: F.list(&deviations, "x - mu")?,
        squares,
        squares_total: F.num(deviations.mapv(|v| v * v).sum(), "sum (x - mu)^2")?,
        var: F.num(s.stats.var[j], "sigma^2")?,
        sigma: F.num(sigma, "sigma")?,
        x_hat: F.list(&x_hat.to_owned(), "x_hat")?,
        gamma: match gamma {
            1.0 => String::new(),
            -1.0 => "-".to_string(),
            _ => F.num(gamma, "gamma")?,
        },
        beta: F.operand(p.beta[j], "beta")?,
        y: F.list(&s.y.column(j).to_owned(), "y")?,
        g: F.list(&g.to_owned(), "g")?,
        g_sum: sum_terms(&g.to_vec(), "g")?,
        grad_beta: F.num(s.grad_beta[j], "dL/dbeta")?,
        g_x_hat: products(g, x_hat, "g x_hat")?,
        grad_gamma: F.num(s.grad_gamma[j], "dL/dgamma")?,
        coefficient: F.num(gamma / (n * sigma), "gamma / (N sigma)")?,
        inner: F.list(&inner, "N g - sum g - x_hat sum g x_hat")?,
        grad_x: F.list(&s.grad_x.column(j).to_owned(), "dL/dx")?,
        keep: D.num(1.0 - m, "1 - momentum")?,
        momentum: D.num(m, "momentum")?,
        running_mean_old: factor(D, p.running_mean[j], "running_mean")?,
        mu_operand: factor(D, s.stats.mean[j], "mu")?,
        running_mean: D.num(s.running_mean[j], "running_mean after")?,
        var_operand: factor(F, s.stats.var[j], "sigma^2")?,
        var_unbiased: F.num(s.var_unbiased[j], "unbiased variance")?,
        running_var_old: factor(D, p.running_var[j], "running_var")?,
        var_unbiased_operand: factor(D, s.var_unbiased[j], "unbiased variance")?,
        running_var: D.num(s.running_var[j], "running_var after")?,
    })
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, words: &dyn Words) -> Result<Self, FormatError> {
        let n = p.x.nrows();
        Ok(SolutionSheet {
            n,
            n_minus_one: n - 1,
            features: (0..p.x.ncols())
                .map(|j| feature(p, s, j))
                .collect::<Result<_, _>>()?,
            torch: words.code(torch_check(p)),
        })
    }
}

/// A Python literal of a number: integers without ".0" (torch converts them to the
/// tensor's float64), others as floats ("-0.5").
fn py(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

fn py_rows(rows: &ndarray::Array2<f64>) -> String {
    let rows: Vec<String> = rows
        .rows()
        .into_iter()
        .map(|r| format!("[{}]", r.iter().map(|&v| py(v)).collect::<Vec<_>>().join(", ")))
        .collect();
    format!("[{}]", rows.join(", "))
}

fn py_list(v: &Array1<f64>) -> String {
    format!("[{}]", v.iter().map(|&v| py(v)).collect::<Vec<_>>().join(", "))
}

/// The short PyTorch program that checks every answer, filled in with the variant's
/// numbers (float64, ε = 0, so the printout matches the sheet).
pub fn torch_check(p: &Params) -> String {
    format!(
        "import torch\n\
         \n\
         f64 = torch.float64\n\
         x = torch.tensor(\n\
         \x20   {x},\n\
         \x20   dtype=f64, requires_grad=True)\n\
         g = torch.tensor(  # dL/dY\n\
         \x20   {g},\n\
         \x20   dtype=f64)\n\
         bn = torch.nn.BatchNorm1d({d}, eps=0.0, momentum={m}, dtype=f64)\n\
         with torch.no_grad():\n\
         \x20   bn.weight.copy_(torch.tensor({gamma}))\n\
         \x20   bn.bias.copy_(torch.tensor({beta}))\n\
         \x20   bn.running_mean.copy_(torch.tensor({rm}))\n\
         \x20   bn.running_var.copy_(torch.tensor({rv}))\n\
         bn.train()  # način učenja: statistike minigrupe, pomične se ažuriraju\n\
         y = bn(x)\n\
         y.backward(g)\n\
         print(y, x.grad, bn.weight.grad, bn.bias.grad)\n\
         print(bn.running_mean, bn.running_var)\n",
        x = py_rows(&p.x),
        g = py_rows(&p.grad_y),
        d = p.x.ncols(),
        m = py(p.momentum),
        gamma = py_list(&p.gamma),
        beta = py_list(&p.beta),
        rm = py_list(&p.running_mean),
        rv = py_list(&p.running_var),
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::super::BatchnormFull;
    use super::{Question, SolutionSheet};
    use crate::problems::kind::{render, QuestionView as _, Variant as _, WorkedView as _};

    #[test]
    fn the_pinned_sheet_shows_every_value_exactly() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        let words = crate::render::lang::any();
        let sheet = SolutionSheet::build(&p, &s, words).unwrap();
        let f = &sheet.features[0];
        assert_eq!(f.x_sum, "1 + 3 + 3 + 9");
        assert_eq!(f.squares, "(-3)^2 + (-1)^2 + (-1)^2 + 5^2");
        assert_eq!((f.squares_total.as_str(), f.var.as_str(), f.sigma.as_str()), ("36", "9", "3"));
        assert_eq!(f.g_x_hat, r"1 \cdot (-1) + 0 \cdot \left(-\frac{1}{3}\right) + (-1) \cdot \left(-\frac{1}{3}\right) + 2 \cdot \frac{5}{3}");
        assert_eq!(f.grad_gamma, r"\frac{8}{3}");
        assert_eq!(f.coefficient, r"\frac{1}{6}");
        // 4g − 2 − (8/3)x̂.
        assert_eq!(f.inner, r"\left[\frac{14}{3}, -\frac{10}{9}, -\frac{46}{9}, \frac{14}{9}\right]");
        assert_eq!(f.grad_x, r"\left[\frac{7}{9}, -\frac{5}{27}, -\frac{23}{27}, \frac{7}{27}\right]");
        assert_eq!((f.running_mean.as_str(), f.running_var.as_str()), ("0.4", "2.1"));
        assert_eq!(f.var_unbiased, "12");
        let q = Question::build(&p, words).unwrap();
        assert_eq!((q.gamma.as_str(), q.momentum.as_str()), ("2", "0.1"));
        let out = render::<BatchnormFull>(&p, &s, words).unwrap();
        assert!(out.solution.contains(r"-\frac{23}{27}"), "{}", out.solution);
        assert!(out.solution.contains("eps=0.0, momentum=0.1"), "{}", out.solution);
    }
}
