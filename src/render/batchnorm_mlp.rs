//! Question and worked solution of the batchnorm MLP step, as in the seed's problem 1.

use askama::Template;
use ndarray::Axis;

use super::latex::FormatError;
use super::math::Fmt;
use crate::engine::batchnorm::BatchnormBackward;
use crate::problems::batchnorm_mlp::{Params, Solution};

#[derive(Template)]
#[template(path = "hr/batchnorm_mlp_question.tex")]
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

#[derive(Template)]
#[template(path = "hr/batchnorm_mlp_solution.tex")]
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
}

pub fn question(p: &Params) -> Result<Question, FormatError> {
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
        b2: f.num(p.b2[0], "b2")?,
        lr: f.num(p.lr, "lr")?,
        stats_constant: p.backward == BatchnormBackward::StatsConstant,
        eps: (p.eps > 0.0).then(|| super::latex::approx(p.eps, 6)),
    })
}

pub fn solution(p: &Params, s: &Solution) -> Result<SolutionSheet, FormatError> {
    let f = Fmt::DECIMAL;
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
                signed_term(f, b2)?
            ),
            s: f.num(s.s[i], "s")?,
            p: f.num(s.p[i], "p")?,
        });
        let b = &s.backward[i];
        backward.push(BackwardStep {
            i: i + 1,
            p: f.num(s.p[i], "p")?,
            y: f.num(p.y[i], "y")?,
            ds: f.num(b.ds, "dL/ds")?,
            dw2: f.list(&b.dw2, "dL/dW2")?,
            db2: f.num(b.db2, "dL/db2")?,
            dh2: f.list(&b.dh2, "dL/dh2")?,
            mask: f.diag(&b.relu_mask, "ReLU derivative")?,
            dh_hat: f.list(&b.dh_hat, "dL/dh_hat")?,
            inv_sigma: f.diag(&s.stats.std.mapv(|v| 1.0 / v), "1/sigma")?,
            dh1: f.list(&b.dh1, "dL/dh1")?,
            dh1_col: f.col(&b.dh1, "dL/dh1")?,
            x_row: f.list(&row(&p.x), "x")?,
            dw1: f.mat(&b.dw1, "dL/dW1")?,
            db1: f.list(&b.db1, "dL/db1")?,
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
                .map(|b| f.mat(&b.dw1, "dL/dW1"))
                .collect::<Result<_, _>>()?,
            sum: f.mat(&sum_w1, "sum of dL/dW1")?,
            new: f.mat(&s.w1, "updated W1")?,
        },
        Update {
            name: "\\mathbf{b}_1",
            old: f.row(&p.b1, "b1")?,
            grads: s
                .backward
                .iter()
                .map(|b| f.row(&b.db1, "dL/db1"))
                .collect::<Result<_, _>>()?,
            sum: f.row(&sum_b1, "sum of dL/db1")?,
            new: f.row(&s.b1, "updated b1")?,
        },
        Update {
            name: "\\mathbf{W}_2",
            old: f.row(&p.w2.row(0).to_owned(), "W2")?,
            grads: s
                .backward
                .iter()
                .map(|b| f.row(&b.dw2, "dL/dW2"))
                .collect::<Result<_, _>>()?,
            sum: f.row(&sum_w2, "sum of dL/dW2")?,
            new: f.row(&s.w2.row(0).to_owned(), "updated W2")?,
        },
        Update {
            name: "b_2",
            old: f.num(b2, "b2")?,
            grads: s
                .backward
                .iter()
                .map(|b| f.operand(b.db2, "dL/db2"))
                .collect::<Result<_, _>>()?,
            sum: f.operand(sum_b2, "sum of dL/db2")?,
            new: f.num(s.b2[0], "updated b2")?,
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
        loss: loss_text(s.loss),
        stats_constant: p.backward == BatchnormBackward::StatsConstant,
        backward,
        lr: f.num(p.lr, "lr")?,
        updates,
    })
}

/// "+ 2" or "- 1" after an expression; nothing for 0.
fn signed_term(f: Fmt, v: f64) -> Result<String, FormatError> {
    Ok(if v < 0.0 {
        format!("- {}", f.num(-v, "b2")?)
    } else if v > 0.0 {
        format!("+ {}", f.num(v, "b2")?)
    } else {
        String::new()
    })
}

/// "= ln 2 ≈ 0.6931" for the mean BCE: exactly a multiple of ln 2 when it is one (p = 1/2), else ≈ 4 decimals.
fn loss_text(loss: f64) -> String {
    match crate::exact::LnMultiple::recognize(loss, 2, 64) {
        Some(m) if m.coef.den() <= 64 && m.coef.num().abs() <= 64 => {
            format!(
                "= {} \\approx {}",
                super::latex::ln_multiple(m),
                super::latex::approx(loss, 4)
            )
        }
        _ => format!("\\approx {}", super::latex::approx(loss, 4)),
    }
}
