//! Question and worked solution of the conv1d problem, as in the seed's problem 3, with
//! the gradients in exact form ((ln 2)/9 · [6, −1, 3]) and the PyTorch check program.

use ndarray::{Array1, Array2};

use crate::render::lang::Words;
use crate::render::latex::{self, FormatError};
use crate::render::math::Fmt;
use super::{Params, Solution};
use crate::problems::kind::{QuestionView, WorkedView};

crate::localized!(Question { Hr => "hr/conv1d_question.tex", En => "en/conv1d_question.tex" });

pub struct Question {
    pub kernel_count: String,
    pub kernels: Vec<String>,
    pub w2: String,
    pub b2: String,
    pub x: String,
    pub y: usize,
}

/// Everything the sheet shows for one kernel.
pub struct KernelSteps {
    /// 1-based kernel number.
    pub k: usize,
    pub w: String,
    pub h1: String,
    pub h2: String,
    pub pooled: String,
    pub d_pooled: String,
    pub inv_len: String,
    pub dh2: String,
    pub mask: String,
    pub dh1: String,
    pub grad: String,
}

crate::localized!(SolutionSheet { Hr => "hr/conv1d_solution.tex", En => "en/conv1d_solution.tex" });

pub struct SolutionSheet {
    pub x: String,
    pub kernels: Vec<KernelSteps>,
    pub h3_names: String,
    pub h3: String,
    pub w2: String,
    pub b2: String,
    pub s: String,
    pub s_as_logs: Option<String>,
    pub p: String,
    pub y: usize,
    pub py: String,
    pub loss: String,
    pub onehot: String,
    pub ds: String,
    pub d_pooled: String,
    pub torch: String,
}

/// Entries that are rational multiples of ln(base).
fn ln_entries(values: &[f64], base: u32, what: &str) -> Result<Vec<String>, FormatError> {
    values
        .iter()
        .map(|&v| latex::exact_ln(v, base, what))
        .collect()
}

fn ln_matrix(a: &Array2<f64>, base: u32, what: &str) -> Result<String, FormatError> {
    let rows = a
        .rows()
        .into_iter()
        .map(|r| ln_entries(&r.to_vec(), base, what))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(latex::matrix(&rows))
}

fn ln_column(a: &Array1<f64>, base: u32, what: &str) -> Result<String, FormatError> {
    Ok(latex::column(&ln_entries(&a.to_vec(), base, what)?))
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, words: &dyn Words) -> Result<Self, FormatError> {
        let f = Fmt::DECIMAL;
        let kernels = p
            .kernels
            .rows()
            .into_iter()
            .enumerate()
            .map(|(k, w)| {
                Ok(format!(
                    "\\mathbf{{w}}_{{1{}}} = {}^T",
                    k + 1,
                    f.list(&w.to_owned(), "kernel")?
                ))
            })
            .collect::<Result<Vec<_>, FormatError>>()?;
        Ok(Question {
            kernel_count: words.kernels(p.kernels.nrows()),
            kernels,
            w2: ln_matrix(&p.w2(), p.ln_base, "W2")?,
            b2: format!(
                "{}^T",
                latex::list(&ln_entries(&p.b2().to_vec(), p.ln_base, "b2")?)
            ),
            x: format!("{}^T", f.list(&p.x, "x")?),
            y: p.y,
        })
    }
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, _words: &dyn Words) -> Result<Self, FormatError> {
        let f = Fmt::FRACTION;
        let base = p.ln_base;
        let len = s.h1.ncols();
        let mut kernels = Vec::with_capacity(p.kernels.nrows());
        for k in 0..p.kernels.nrows() {
            let row = |a: &Array2<f64>| a.row(k).to_vec();
            kernels.push(KernelSteps {
                k: k + 1,
                w: format!("{}^T", f.list(&p.kernels.row(k).to_owned(), "kernel")?),
                h1: format!("{}^T", f.list(&s.h1.row(k).to_owned(), "conv output")?),
                h2: format!("{}^T", f.list(&s.h2.row(k).to_owned(), "ReLU output")?),
                pooled: f.num(s.pooled[k], "pooled average")?,
                d_pooled: latex::exact_ln(s.d_pooled[k], base, "dL/dh3")?,
                inv_len: latex::list(&vec![format!("\\frac{{1}}{{{len}}}"); len]),
                dh2: latex::factored_ln_list(&row(&s.dh2), base, "dL/dh2")?,
                mask: f.list(&s.relu_mask.row(k).to_owned(), "ReLU derivative")?,
                dh1: latex::factored_ln_list(&row(&s.dh1), base, "dL/dh1")?,
                grad: latex::factored_ln_list(&row(&s.grad_kernels), base, "dL/dw")?,
            });
        }
        let onehot = Array1::from_shape_fn(s.p.len(), |i| if i == p.y { 1.0 } else { 0.0 });
        let s_as_logs =
            s.s.iter()
                .map(|&v| {
                    let m = crate::exact::LnMultiple::recognize(v, base, latex::MAX_DEN)?;
                    let e = m.coef;
                    (e.is_integer() && e.num() >= 0 && e.num() <= 16).then(|| {
                        let power = i64::from(base).pow(e.num() as u32);
                        if power == 1 {
                            "0".to_string()
                        } else {
                            format!("\\ln {power}")
                        }
                    })
                })
                .collect::<Option<Vec<_>>>()
                .map(|entries| latex::column(&entries));
        Ok(SolutionSheet {
            x: format!("{}^T", f.list(&p.x, "x")?),
            kernels,
            h3_names: latex::list(
                &(1..=p.kernels.nrows())
                    .map(|k| format!("h_{{3{k}}}"))
                    .collect::<Vec<_>>(),
            ),
            h3: format!("{}^T", f.list(&s.pooled, "pooled")?),
            w2: ln_matrix(&p.w2(), base, "W2")?,
            b2: ln_column(&p.b2(), base, "b2")?,
            s: ln_column(&s.s, base, "s")?,
            s_as_logs,
            p: f.col(&s.p, "p")?,
            y: p.y,
            py: f.num(s.p[p.y], "p_y")?,
            loss: latex::approx(s.loss, 4),
            onehot: f.list(&onehot, "one-hot y")?,
            ds: f.list(&s.ds, "dL/ds")?,
            d_pooled: latex::factored_ln_list(&s.d_pooled.to_vec(), base, "dL/dh3")?,
            torch: torch_check(p),
        })
    }
}

/// A Python list literal of floats.
fn py_list(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    format!("[{}]", items.join(", "))
}

fn py_rows(a: &Array2<f64>) -> String {
    let rows: Vec<String> = a.rows().into_iter().map(|r| py_list(&r.to_vec())).collect();
    format!("[{}]", rows.join(", "))
}

/// The short PyTorch program that checks the kernel gradients, filled in with the
/// variant's numbers (float64 throughout, so the printout matches the sheet). Its lines
/// stay short enough for the sheet's listing, which never wraps a line.
pub fn torch_check(p: &Params) -> String {
    let (c, m) = p.kernels.dim();
    let n = p.x.len();
    format!(
        "import math\n\
         import torch\n\
         \n\
         torch.set_default_dtype(torch.float64)\n\
         x = torch.tensor({x}).view(1, 1, {n})\n\
         w1 = torch.tensor({w})\n\
         w1 = w1.view({c}, 1, {m}).requires_grad_()\n\
         W2 = math.log({base}) * torch.tensor({w2})\n\
         b2 = math.log({base}) * torch.tensor({b2})\n\
         y = {y}\n\
         \n\
         h1 = torch.nn.functional.conv1d(x, w1)\n\
         h2 = torch.relu(h1)\n\
         h3 = h2.mean(dim=-1).view(-1)\n\
         s = W2 @ h3 + b2\n\
         p = s.softmax(dim=0)\n\
         L = -p[y].log()\n\
         L.backward()\n\
         print(w1.grad.view({c}, {m}))\n\
         print(w1.grad.view({c}, {m}) / math.log({base}))\n",
        x = py_list(&p.x.to_vec()),
        w = py_rows(&p.kernels),
        w2 = py_rows(&p.w2_units),
        b2 = py_list(&p.b2_units.to_vec()),
        base = p.ln_base,
        y = p.y,
    )
}
