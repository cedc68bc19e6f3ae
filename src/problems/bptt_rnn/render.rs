//! Question and worked solution of the bptt_rnn problem. The sheet works as one does by
//! hand: the forward pass step by step and as a table, then backwards from ∂L/∂h⁽³⁾,
//! each weight's gradient as a table of per-step contributions and their sum, and the
//! product of the step Jacobians. With H = 1 every vector and matrix is a number and is
//! printed as one.

use ndarray::{Array1, Array2};

use super::{Loss, Params, Regime, Solution, STEPS};
use crate::problems::kind::{QuestionView, WorkedView};
use crate::render::lang::Words;
use crate::render::latex::{self, FormatError};
use crate::render::math::Fmt;

/// The number formatting of one variant: fractions, and a 1-unit state as numbers.
#[derive(Clone, Copy)]
struct Tex {
    scalar: bool,
}

const F: Fmt = Fmt::FRACTION;

impl Tex {
    fn of(p: &Params) -> Tex {
        Tex {
            scalar: p.hidden() == 1,
        }
    }

    /// A column vector, or its one entry.
    fn col(self, a: &Array1<f64>, what: &str) -> Result<String, FormatError> {
        if self.scalar {
            F.num(a[0], what)
        } else {
            F.col(a, what)
        }
    }

    /// A column vector as an operand (a negative scalar in parentheses).
    fn operand(self, a: &Array1<f64>, what: &str) -> Result<String, FormatError> {
        if self.scalar {
            F.operand(a[0], what)
        } else {
            F.col(a, what)
        }
    }

    /// A vector in a table cell: `[a, b]`, or its one entry.
    fn cell(self, a: &Array1<f64>, what: &str) -> Result<String, FormatError> {
        if self.scalar {
            F.num(a[0], what)
        } else {
            F.list(a, what)
        }
    }

    /// A matrix, or its one entry.
    fn mat(self, a: &Array2<f64>, what: &str) -> Result<String, FormatError> {
        if self.scalar {
            F.num(a[[0, 0]], what)
        } else {
            F.mat(a, what)
        }
    }

    /// A matrix as a factor of a product (a negative scalar in parentheses).
    fn factor(self, a: &Array2<f64>, what: &str) -> Result<String, FormatError> {
        if self.scalar {
            F.operand(a[[0, 0]], what)
        } else {
            F.mat(a, what)
        }
    }
}

crate::localized!(Question { Hr => "hr/bptt_rnn_question.tex", En => "en/bptt_rnn_question.tex" });

pub struct Question {
    pub hidden: usize,
    pub scalar: bool,
    pub w_hh: String,
    pub w_xh: String,
    pub b: Option<String>,
    pub h0: String,
    pub x: Vec<String>,
    pub squared: bool,
    pub target: String,
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, _words: &dyn Words) -> Result<Self, FormatError> {
        let tex = Tex::of(p);
        Ok(Question {
            hidden: p.hidden(),
            scalar: tex.scalar,
            w_hh: tex.mat(&p.w_hh, "W_hh")?,
            w_xh: tex.col(&p.w_xh, "W_xh")?,
            b: p.b.as_ref().map(|b| tex.col(b, "b_h")).transpose()?,
            h0: tex.col(&p.h0, "h0")?,
            x: p
                .x
                .iter()
                .map(|&x| F.num(x, "x"))
                .collect::<Result<_, _>>()?,
            squared: p.loss == Loss::Squared,
            target: tex.col(&p.target, p.loss.target_name())?,
        })
    }
}

/// One step of the forward pass.
pub struct Forward {
    pub t: usize,
    pub h_prev: String,
    pub x: String,
    pub pre: String,
    pub h: String,
    /// Table cells: x, a, ReLU′(a), h.
    pub cells: [String; 4],
}

/// One step of the backward pass, from t = 3 down.
pub struct Backward {
    pub t: usize,
    pub grad_h: String,
    pub mask: String,
    pub delta: String,
    /// δ⁽ᵗ⁾ after W_hhᵀ (a negative scalar in parentheses).
    pub delta_operand: String,
    pub grad_prev: String,
    /// Table cells: ∂L/∂h⁽ᵗ⁾, ReLU′(a⁽ᵗ⁾), δ⁽ᵗ⁾.
    pub cells: [String; 3],
}

/// One row of the table of per-step contributions.
pub struct Contribution {
    pub t: usize,
    pub delta: String,
    pub h_prev: String,
    pub w_hh: String,
    pub w_xh: String,
    pub b: String,
}

crate::localized!(SolutionSheet { Hr => "hr/bptt_rnn_solution.tex", En => "en/bptt_rnn_solution.tex" });

pub struct SolutionSheet {
    pub scalar: bool,
    /// The product sign between factors: `\cdot` between numbers, nothing between
    /// matrices.
    pub dot: &'static str,
    /// The element-wise product: `\cdot` between numbers, `\odot` between vectors.
    pub odot: &'static str,
    pub bias: bool,
    pub w_hh: String,
    pub w_hh_t: String,
    pub w_xh: String,
    pub b: String,
    pub forward: Vec<Forward>,
    pub squared: bool,
    pub loss_terms: String,
    pub loss: String,
    pub target: String,
    pub h_last: String,
    pub grad_last: String,
    pub backward: Vec<Backward>,
    pub contributions: Vec<Contribution>,
    pub grad_w_hh: String,
    pub grad_w_xh: String,
    pub grad_b: String,
    /// The sums' row of the table of contributions (vectors as `[a, b]`).
    pub sum_w_xh: String,
    pub sum_b: String,
    pub grad_h0: String,
    /// D_t W_hh for t = 1..3.
    pub step_jacobians: Vec<String>,
    /// The factors D₃W_hh · D₂W_hh · D₁W_hh, as written in the product.
    pub product: String,
    pub jacobian: String,
    /// Some unit is inactive somewhere (the sheet says what that does to the Jacobian).
    pub routed: bool,
    pub diagonal: String,
    pub radius: String,
    pub vanishing: bool,
    pub torch: String,
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, words: &dyn Words) -> Result<Self, FormatError> {
        let tex = Tex::of(p);
        let row = |a: &Array2<f64>, t: usize| a.row(t).to_owned();
        let h_prev = |t: usize| if t == 0 { p.h0.clone() } else { row(&s.h, t - 1) };
        let forward = (0..STEPS)
            .map(|t| {
                let (a, h) = (row(&s.pre, t), row(&s.h, t));
                Ok(Forward {
                    t: t + 1,
                    h_prev: tex.operand(&h_prev(t), "h")?,
                    x: F.operand(p.x[t], "x")?,
                    pre: tex.col(&a, "a")?,
                    h: tex.col(&h, "h")?,
                    cells: [
                        F.num(p.x[t], "x")?,
                        tex.cell(&a, "a")?,
                        tex.cell(&row(&s.relu_grad, t), "ReLU'")?,
                        tex.cell(&h, "h")?,
                    ],
                })
            })
            .collect::<Result<_, FormatError>>()?;
        let backward = (0..STEPS)
            .rev()
            .map(|t| {
                let (g, mask, d) = (row(&s.grad_h, t + 1), row(&s.relu_grad, t), row(&s.delta, t));
                Ok(Backward {
                    t: t + 1,
                    grad_h: tex.operand(&g, "dL/dh")?,
                    mask: tex.operand(&mask, "ReLU'")?,
                    delta: tex.col(&d, "delta")?,
                    delta_operand: tex.operand(&d, "delta")?,
                    grad_prev: tex.col(&row(&s.grad_h, t), "dL/dh")?,
                    cells: [
                        tex.cell(&g, "dL/dh")?,
                        tex.cell(&mask, "ReLU'")?,
                        tex.cell(&d, "delta")?,
                    ],
                })
            })
            .collect::<Result<_, FormatError>>()?;
        let contributions = (0..STEPS)
            .map(|t| {
                Ok(Contribution {
                    t: t + 1,
                    delta: tex.cell(&row(&s.delta, t), "delta")?,
                    h_prev: tex.cell(&h_prev(t), "h")?,
                    w_hh: tex.mat(&s.w_hh_terms[t], "dL/dW_hh term")?,
                    w_xh: tex.cell(&row(&s.w_xh_terms, t), "dL/dW_xh term")?,
                    b: tex.cell(&row(&s.delta, t), "dL/db term")?,
                })
            })
            .collect::<Result<_, FormatError>>()?;
        let step_jacobians: Vec<String> = s
            .step_jacobians
            .iter()
            .map(|j| tex.mat(j, "D_t W_hh"))
            .collect::<Result<_, _>>()?;
        let product = s
            .step_jacobians
            .iter()
            .rev()
            .map(|j| tex.factor(j, "D_t W_hh"))
            .collect::<Result<Vec<_>, _>>()?
            .join(if tex.scalar { r" \cdot " } else { " " });
        let h_last = row(&s.h, STEPS - 1);
        Ok(SolutionSheet {
            scalar: tex.scalar,
            dot: if tex.scalar { r" \cdot " } else { " " },
            odot: if tex.scalar { r" \cdot " } else { r" \odot " },
            sum_w_xh: tex.cell(&s.grad_w_xh, "dL/dW_xh")?,
            sum_b: s
                .grad_b
                .as_ref()
                .map_or(Ok(String::new()), |g| tex.cell(g, "dL/db"))?,
            bias: p.b.is_some(),
            w_hh: tex.factor(&p.w_hh, "W_hh")?,
            w_hh_t: tex.factor(&p.w_hh.t().to_owned(), "W_hh^T")?,
            w_xh: tex.operand(&p.w_xh, "W_xh")?,
            b: p.b.as_ref().map_or(Ok(String::new()), |b| tex.operand(b, "b_h"))?,
            forward,
            squared: p.loss == Loss::Squared,
            loss_terms: loss_terms(p, &h_last)?,
            loss: F.num(s.loss, "L")?,
            target: tex.col(&p.target, p.loss.target_name())?,
            h_last: tex.col(&h_last, "h3")?,
            grad_last: tex.col(&row(&s.grad_h, STEPS), "dL/dh3")?,
            backward,
            contributions,
            grad_w_hh: tex.mat(&s.grad_w_hh, "dL/dW_hh")?,
            grad_w_xh: tex.col(&s.grad_w_xh, "dL/dW_xh")?,
            grad_b: s
                .grad_b
                .as_ref()
                .map_or(Ok(String::new()), |g| tex.col(g, "dL/db"))?,
            grad_h0: tex.col(&s.grad_h0(), "dL/dh0")?,
            step_jacobians,
            product,
            jacobian: tex.mat(s.jacobian(), "dh3/dh0")?,
            routed: s.relu_grad.iter().any(|&d| d == 0.0),
            diagonal: latex::list(
                &p.w_hh
                    .diag()
                    .iter()
                    .map(|&w| F.num(w, "w_ii"))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            radius: F.num(s.spectral_radius, "rho")?,
            vanishing: Regime::of(s.spectral_radius) == Regime::Vanishing,
            torch: words.code(torch_check(p)),
        })
    }
}

/// The loss written out over the units: ½((h₁ − y₁)² + …) or v₁h₁ + ….
fn loss_terms(p: &Params, h: &Array1<f64>) -> Result<String, FormatError> {
    let terms = h
        .iter()
        .zip(&p.target)
        .map(|(&h, &c)| {
            Ok(match p.loss {
                Loss::Squared => format!(
                    "{}^2",
                    latex::parens(&format!("{} - {}", F.num(h, "h3")?, F.operand(c, "y")?))
                ),
                Loss::Linear => format!("{} \\cdot {}", F.operand(c, "v")?, F.operand(h, "h3")?),
            })
        })
        .collect::<Result<Vec<_>, FormatError>>()?
        .join(" + ");
    Ok(match p.loss {
        Loss::Squared if p.hidden() > 1 => format!(r"\frac{{1}}{{2}}\left({terms}\right)"),
        Loss::Squared => format!(r"\frac{{1}}{{2}} {terms}"),
        Loss::Linear => terms,
    })
}

/// The short PyTorch program that checks the gradients, filled in with the variant's
/// numbers (float64, so the printout matches the sheet).
pub fn torch_check(p: &Params) -> String {
    let list = |a: &[f64]| {
        a.iter()
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rows: Vec<String> = p
        .w_hh
        .rows()
        .into_iter()
        .map(|r| format!("[{}]", list(&r.to_vec())))
        .collect();
    let t = |name: &str, body: String| {
        format!("{name} = torch.tensor({body}, dtype=torch.float64, requires_grad=True)\n")
    };
    let bias = match &p.b {
        Some(b) => t("b", format!("[{}]", list(&b.to_vec()))),
        None => "b = torch.zeros(H, dtype=torch.float64)  # bez pomaka\n".to_string(),
    };
    let loss = match p.loss {
        Loss::Squared => "L = 0.5 * ((h - y) ** 2).sum()",
        Loss::Linear => "L = v @ h",
    };
    format!(
        "import torch\n\
         \n\
         H = {hidden}\n\
         {w_hh}{w_xh}{bias}{h0}\
         {target} = torch.tensor([{target_values}], dtype=torch.float64)\n\
         h = h0\n\
         for x in [{x}]:\n\
         \x20   h = torch.relu(W_hh @ h + W_xh * x + b)\n\
         {loss}\n\
         L.backward()\n\
         print(L.item(), W_hh.grad, W_xh.grad, h0.grad)\n",
        hidden = p.hidden(),
        w_hh = t("W_hh", format!("[{}]", rows.join(", "))),
        w_xh = t("W_xh", format!("[{}]", list(&p.w_xh.to_vec()))),
        h0 = t("h0", format!("[{}]", list(&p.h0.to_vec()))),
        target = p.loss.target_name(),
        target_values = list(&p.target.to_vec()),
        x = list(&p.x),
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PAIR, SCALAR};
    use super::super::BpttRnn;
    use super::*;
    use crate::problems::kind::{render, Variant as _};

    #[test]
    fn the_scalar_sheet_prints_numbers_not_matrices() {
        let p = sampler(SCALAR).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert_eq!(sheet.w_hh, r"\frac{1}{2}");
        assert_eq!(sheet.loss_terms, r"\frac{1}{2} (2 - 1)^2");
        assert_eq!(sheet.product, r"\frac{1}{2} \cdot 0 \cdot \frac{1}{2}");
        assert_eq!(sheet.forward[1].h_prev, "2");
        assert_eq!(sheet.forward[1].x, "(-1)");
        assert!(sheet.routed && sheet.vanishing);
        let out = render::<BpttRnn>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(!out.solution.contains("bmatrix"), "{}", out.solution);
    }

    #[test]
    fn the_pair_sheet_shows_every_value_exactly() {
        let p = sampler(PAIR).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert_eq!(sheet.loss, r"\frac{125}{4}");
        assert_eq!(sheet.loss_terms, r"1 \cdot \frac{1}{4} + 2 \cdot \frac{31}{2}");
        assert_eq!(sheet.backward[0].t, 3, "backwards from the last step");
        assert_eq!(sheet.contributions[2].w_xh, "[-1, -2]");
        assert_eq!(sheet.radius, "2");
        assert!(!sheet.routed && !sheet.vanishing && !sheet.bias);
        let out = render::<BpttRnn>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(out.solution.contains(r"\dfrac{85}{8}"), "{}", out.solution);
        assert!(out.question.contains("bez pomaka"), "{}", out.question);
        assert!(sheet.torch.contains("L = v @ h"));
    }
}
