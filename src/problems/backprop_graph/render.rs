//! Question and worked solution of the backprop_graph problem. The solution is the table
//! a student fills: one row per node in forward order (z, h, s, the loss's own nodes,
//! L) with its value, its local gradient and the upstream gradient ∂L/∂node, read top
//! down for the forward pass and bottom up for the backward pass; the parameter
//! gradients follow as outer products.

use ndarray::Array1;

use super::{Loss, Params, Solution};
use crate::problems::kind::{QuestionView, WorkedView};
use crate::render::lang::Words;
use crate::render::latex::FormatError;
use crate::render::math::Fmt;

const F: Fmt = Fmt::FRACTION;

crate::localized!(Question { Hr => "hr/backprop_graph_question.tex", En => "en/backprop_graph_question.tex" });

pub struct Question {
    pub mse: bool,
    /// K, the number of scores.
    pub k: usize,
    pub x: String,
    pub w1: String,
    pub b1: String,
    pub w2: String,
    pub b2: String,
    pub y: i64,
}

/// One row of the node table.
pub struct Node {
    pub name: String,
    pub value: String,
    pub local: String,
    pub upstream: String,
}

crate::localized!(SolutionSheet { Hr => "hr/backprop_graph_solution.tex", En => "en/backprop_graph_solution.tex" });

pub struct SolutionSheet {
    pub mse: bool,
    pub y: i64,
    pub x: String,
    pub w1: String,
    pub b1: String,
    pub w2: String,
    pub b2: String,
    pub z: String,
    pub h: String,
    pub relu_grad: String,
    pub s: String,
    /// The squared error's e = s − y, or the hinge's margins written out.
    pub loss_terms: String,
    pub loss: String,
    pub nodes: Vec<Node>,
    pub grad_s: String,
    /// ∂L/∂s as a factor of a product: a negative scalar in parentheses.
    pub grad_s_factor: String,
    pub grad_w2: String,
    pub h_row: String,
    pub grad_h: String,
    pub w2_t: String,
    pub grad_z: String,
    pub grad_w1: String,
    pub x_row: String,
    pub grad_x: String,
    pub w1_t: String,
    /// The inactive hidden units, 1-based.
    pub inactive: Vec<usize>,
    pub torch: String,
}

fn col(a: &Array1<f64>, what: &str) -> Result<String, FormatError> {
    F.col(a, what)
}

/// The head's vectors (s, b2, ∂L/∂s): a plain number when there is one score.
fn scores(a: &Array1<f64>, what: &str) -> Result<String, FormatError> {
    if a.len() == 1 {
        F.num(a[0], what)
    } else {
        F.col(a, what)
    }
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, _words: &dyn Words) -> Result<Self, FormatError> {
        Ok(Question {
            mse: p.loss == Loss::Mse,
            k: p.scores(),
            x: col(&p.x, "x")?,
            w1: F.mat(&p.w1, "W1")?,
            b1: col(&p.b1, "b1")?,
            w2: F.mat(&p.w2, "W2")?,
            b2: scores(&p.b2, "b2")?,
            y: p.y,
        })
    }
}

/// The table's rows, in forward order.
fn nodes(p: &Params, s: &Solution, words: &dyn Words) -> Result<Vec<Node>, FormatError> {
    let mut rows = Vec::new();
    let x = F.list(&p.x, "x")?;
    for i in 0..2 {
        rows.push(Node {
            name: format!("z_{}", i + 1),
            value: F.num(s.z[i], "z")?,
            local: format!(
                r"\partial z_{n} / \partial \mathbf{{w}}_{n} = \mathbf{{x}}^T = {x},\ \partial z_{n} / \partial b_{{1,{n}}} = 1",
                n = i + 1
            ),
            upstream: F.num(s.grad_z[i], "dL/dz")?,
        });
    }
    for i in 0..2 {
        rows.push(Node {
            name: format!("h_{}", i + 1),
            value: F.num(s.h[i], "h")?,
            local: format!(
                r"\mathrm{{ReLU}}'(z_{}) = {}",
                i + 1,
                F.num(s.relu_grad[i], "ReLU'")?
            ),
            upstream: F.num(s.grad_h[i], "dL/dh")?,
        });
    }
    let k = p.scores();
    for j in 0..k {
        let name = if k == 1 { "s".to_string() } else { format!("s_{}", j) };
        rows.push(Node {
            local: format!(
                r"\partial {name} / \partial \mathbf{{h}} = {}",
                F.list(&p.w2.row(j).to_owned(), "W2")?
            ),
            value: F.num(s.s[j], "s")?,
            upstream: F.num(s.grad_s[j], "dL/ds")?,
            name,
        });
    }
    match p.loss {
        Loss::Mse => rows.push(Node {
            name: "e = s - y".into(),
            value: F.num(s.margins[0], "e")?,
            local: r"\partial e / \partial s = 1".into(),
            upstream: F.num(s.margins[0], "dL/de")?,
        }),
        Loss::Hinge => {
            let y = p.y as usize;
            for j in (0..k).filter(|&j| j != y) {
                let active = s.margins[j] > 0.0;
                rows.push(Node {
                    name: format!("m_{j} = s_{j} - s_{y} + 1"),
                    value: F.num(s.margins[j], "margin")?,
                    local: format!(
                        r"\partial m_{j} / \partial s_{j} = 1,\ \partial m_{j} / \partial s_{y} = -1"
                    ),
                    upstream: F.num(if active { 1.0 } else { 0.0 }, "dL/dm")?,
                });
            }
        }
    }
    rows.push(Node {
        name: "L".into(),
        value: F.num(s.loss, "L")?,
        local: match p.loss {
            Loss::Mse => r"\partial L / \partial e = e".into(),
            Loss::Hinge => {
                let (when, otherwise) = words.cases();
                format!(r"\partial L / \partial m_j = 1 \text{{ {when} }} m_j > 0, \text{{ {otherwise} }} 0")
            }
        },
        upstream: "1".into(),
    });
    Ok(rows)
}

/// The loss written out with the variant's numbers.
fn loss_terms(p: &Params, s: &Solution) -> Result<String, FormatError> {
    match p.loss {
        Loss::Mse => Ok(format!(
            r"L = \frac{{1}}{{2}} (s - y)^2 = \frac{{1}}{{2}} \left({} - {}\right)^2 = \frac{{1}}{{2}} \cdot {}^2",
            F.num(s.s[0], "s")?,
            F.operand(p.y as f64, "y")?,
            F.operand(s.margins[0], "e")?
        )),
        Loss::Hinge => {
            let y = p.y as usize;
            let terms = (0..p.scores())
                .filter(|&j| j != y)
                .map(|j| {
                    Ok(format!(
                        r"\max(0, {} - {} + 1)",
                        F.num(s.s[j], "s")?,
                        F.operand(s.s[y], "s_y")?
                    ))
                })
                .collect::<Result<Vec<_>, FormatError>>()?;
            let values = (0..p.scores())
                .filter(|&j| j != y)
                .map(|j| F.num(s.margins[j].max(0.0), "max(0, m)"))
                .collect::<Result<Vec<_>, FormatError>>()?;
            Ok(format!(
                r"L = \sum_{{j \neq {y}}} \max(0, s_j - s_{y} + 1) = {} = {}",
                terms.join(" + "),
                values.join(" + ")
            ))
        }
    }
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, words: &dyn Words) -> Result<Self, FormatError> {
        Ok(SolutionSheet {
            mse: p.loss == Loss::Mse,
            y: p.y,
            x: col(&p.x, "x")?,
            w1: F.mat(&p.w1, "W1")?,
            b1: col(&p.b1, "b1")?,
            w2: F.mat(&p.w2, "W2")?,
            b2: scores(&p.b2, "b2")?,
            z: col(&s.z, "z")?,
            h: col(&s.h, "h")?,
            relu_grad: col(&s.relu_grad, "ReLU'(z)")?,
            s: scores(&s.s, "s")?,
            loss_terms: loss_terms(p, s)?,
            loss: F.num(s.loss, "L")?,
            nodes: nodes(p, s, words)?,
            grad_s: scores(&s.grad_s, "dL/ds")?,
            grad_s_factor: if s.grad_s.len() == 1 {
                F.operand(s.grad_s[0], "dL/ds")?
            } else {
                F.col(&s.grad_s, "dL/ds")?
            },
            grad_w2: F.mat(&s.grad_w2, "dL/dW2")?,
            h_row: F.row(&s.h, "h")?,
            grad_h: col(&s.grad_h, "dL/dh")?,
            w2_t: F.mat(&p.w2.t().to_owned(), "W2^T")?,
            grad_z: col(&s.grad_z, "dL/dz")?,
            grad_w1: F.mat(&s.grad_w1, "dL/dW1")?,
            x_row: F.row(&p.x, "x")?,
            grad_x: col(&s.grad_x, "dL/dx")?,
            w1_t: F.mat(&p.w1.t().to_owned(), "W1^T")?,
            inactive: (0..2).filter(|&i| s.relu_grad[i] == 0.0).map(|i| i + 1).collect(),
            torch: words.code(torch_check(p)),
        })
    }
}

fn py_list(a: &Array1<f64>) -> String {
    let v: Vec<String> = a.iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", v.join(", "))
}

/// The short PyTorch program that checks L and every gradient, filled in with the
/// variant's numbers (float64).
pub fn torch_check(p: &Params) -> String {
    let rows = |m: &ndarray::Array2<f64>| {
        let r: Vec<String> = m.rows().into_iter().map(|r| py_list(&r.to_owned())).collect();
        format!("[{}]", r.join(", "))
    };
    let loss = match p.loss {
        Loss::Mse => format!("L = 0.5 * (s[0] - {}) ** 2\n", p.y as f64),
        Loss::Hinge => format!(
            "y = torch.tensor([{y}])\n\
             # multi_margin_loss dijeli zbroj s K, pa ga množimo s K\n\
             L = {k} * F.multi_margin_loss(s.view(1, -1), y)\n",
            y = p.y,
            k = p.scores()
        ),
    };
    format!(
        "import torch\n\
         import torch.nn.functional as F\n\
         \n\
         def t(v):\n\
         \x20   return torch.tensor(v, dtype=torch.float64, requires_grad=True)\n\
         \n\
         x = t({x})\n\
         W1, b1 = t({w1}), t({b1})\n\
         W2, b2 = t({w2}), t({b2})\n\
         s = W2 @ torch.relu(W1 @ x + b1) + b2\n\
         {loss}\
         L.backward()\n\
         print(L.item())\n\
         print(W1.grad, b1.grad)\n\
         print(W2.grad, b2.grad)\n\
         print(x.grad)\n",
        x = py_list(&p.x),
        w1 = rows(&p.w1),
        b1 = py_list(&p.b1),
        w2 = rows(&p.w2),
        b2 = py_list(&p.b2),
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED_HINGE, PINNED_MSE};
    use super::super::BackpropGraph;
    use crate::problems::kind::render;
    use crate::problems::kind::Variant as _;

    #[test]
    fn the_pinned_sheets_show_the_table_and_the_gradients() {
        let p = sampler(PINNED_MSE).unwrap().fixed().unwrap();
        let out = render::<BackpropGraph>(&p, &p.solve(), crate::render::lang::any()).unwrap();
        // L = ½ · 4² = 8; ∂L/∂W1 = [[8, 16], [0, 0]].
        assert!(out.solution.contains(r"\frac{1}{2} \cdot 4^2"), "{}", out.solution);
        assert!(out.solution.contains(r"8 & 16 \\ 0 & 0"), "{}", out.solution);
        assert!(out.solution.contains("jedinica 2"), "{}", out.solution);
        // y = 9 would give ∂L/∂s = −2: a negative factor is set in parentheses.
        let p = sampler(&PINNED_MSE.replace("y: 3", "y: 9")).unwrap().fixed().unwrap();
        let out = render::<BackpropGraph>(&p, &p.solve(), crate::render::lang::any()).unwrap();
        assert!(out.solution.contains(r"(-2) \begin{bmatrix}"), "{}", out.solution);
        let p = sampler(PINNED_HINGE).unwrap().fixed().unwrap();
        let out = render::<BackpropGraph>(&p, &p.solve(), crate::render::lang::any()).unwrap();
        assert!(out.solution.contains(r"m_0 = s_0 - s_1 + 1"), "{}", out.solution);
        assert!(out.question.contains("ne dijeli s"), "{}", out.question);
    }
}
