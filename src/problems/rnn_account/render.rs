//! Question and worked solution of the RNN bank-account problem, as in the seed's
//! problem 5, with the parameter count corrected and its bias convention stated.

use ndarray::Array2;

use crate::render::lang::Words;
use crate::render::latex::FormatError;
use crate::render::math::Fmt;
use super::{cell_name, Params, Solution};
use crate::problems::kind::{QuestionView, WorkedView};

crate::localized!(Question { Hr => "hr/rnn_account_question.tex", En => "en/rnn_account_question.tex" });

pub struct Question {
    pub h0: String,
    pub xs: Vec<String>,
    pub stack: String,
    pub sizes: String,
    pub bias: &'static str,
    /// Some step withdraws more than was available before its deposit (only a pinned
    /// variant can): the question says the deposit counts first.
    pub deposit_first: bool,
    /// The stack is bidirectional with more than one layer: the question says what a
    /// later layer's input is, the size 2H.
    pub concatenated: Option<usize>,
}

/// One time step of the forward pass.
pub struct Step {
    pub t: usize,
    pub h_prev: String,
    pub x: String,
    pub h: String,
}

/// One layer of the parameter count.
pub struct LayerCount {
    pub layer: usize,
    pub formula: String,
    pub total: usize,
}

crate::localized!(SolutionSheet { Hr => "hr/rnn_account_solution.tex", En => "en/rnn_account_solution.tex" });

pub struct SolutionSheet {
    pub w_hh: String,
    pub w_xh: String,
    pub steps: Vec<Step>,
    pub cell: &'static str,
    pub gates: usize,
    /// The size of a later layer's input when the stack is bidirectional (2H).
    pub concatenated: Option<usize>,
    pub bias: &'static str,
    pub layers: Vec<LayerCount>,
    pub total: usize,
    pub other_bias: &'static str,
    pub other_total: usize,
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, words: &dyn Words) -> Result<Self, FormatError> {
        let f = Fmt::DECIMAL;
        let xs =
            p.xs.rows()
                .into_iter()
                .enumerate()
                .map(|(t, x)| {
                    Ok(format!(
                        "\\mathbf{{x}}^{{({})}} = {}",
                        t + 1,
                        f.col(&x.to_owned(), "x")?
                    ))
                })
                .collect::<Result<Vec<_>, FormatError>>()?;
        let s = &p.stack;
        Ok(Question {
            h0: f.col(&p.h0, "h0")?,
            xs,
            stack: words.recurrent_stack(s, cell_name(s.cell)),
            sizes: words.recurrent_sizes(s.input_size, s.hidden_size),
            bias: words.bias_vectors(s.bias, s.cell),
            deposit_first: !super::withdrawals_covered(p),
            concatenated: concatenated(s),
        })
    }
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, words: &dyn Words) -> Result<Self, FormatError> {
        let f = Fmt::DECIMAL;
        let mut steps = Vec::with_capacity(p.xs.nrows());
        let mut prev = p.h0.clone();
        for t in 0..p.xs.nrows() {
            let h = s.trace.hs.row(t).to_owned();
            steps.push(Step {
                t: t + 1,
                h_prev: f.col(&prev, "h")?,
                x: f.col(&p.xs.row(t).to_owned(), "x")?,
                h: f.col(&h, "h")?,
            });
            prev = h;
        }
        let st = &p.stack;
        let gates = st.cell.gates();
        let directions = if st.bidirectional { 2 } else { 1 };
        let layers = s
            .layers
            .iter()
            .map(|l| {
                let h = st.hidden_size;
                let block = format!(
                    "{h} \\cdot {} + {h} \\cdot {h} + {} \\cdot {h}",
                    l.input_size, st.bias
                );
                // A plain RNN has one weight block: no "1 ·" in front of it.
                let factors: Vec<String> = [(directions, 2), (gates, gates)]
                    .into_iter()
                    .filter(|&(n, _)| n > 1)
                    .map(|(_, n)| n.to_string())
                    .collect();
                let formula = if factors.is_empty() {
                    block
                } else {
                    format!("{} \\cdot ({block})", factors.join(" \\cdot "))
                };
                LayerCount {
                    layer: l.layer,
                    formula,
                    total: l.total,
                }
            })
            .collect();
        let id = |m: &Array2<f64>, what: &str| f.mat(m, what);
        Ok(SolutionSheet {
            w_hh: id(&s.w_hh, "W_hh")?,
            w_xh: id(&s.w_xh, "W_xh")?,
            steps,
            cell: cell_name(st.cell),
            gates,
            concatenated: concatenated(st),
            bias: words.bias_vectors(st.bias, st.cell),
            layers,
            total: s.stack_params,
            other_bias: words.bias_vectors(3 - st.bias, st.cell),
            other_total: s.other_convention_params,
        })
    }
}

/// 2H, the input size of every layer after the first, when a bidirectional stack has more
/// than one layer (the directions' states are concatenated).
fn concatenated(s: &crate::engine::param_count::RecurrentStack) -> Option<usize> {
    (s.bidirectional && s.layers > 1).then_some(2 * s.hidden_size)
}
