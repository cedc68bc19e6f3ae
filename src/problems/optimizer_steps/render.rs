//! Question and worked solution of the optimizer_steps problem. The question prints the
//! update rules in the form PyTorch uses (the conventions textbooks disagree on: the
//! momentum form, Nesterov's look-ahead, bias correction from t = 1, ε outside the root,
//! decoupled decay before the step); the solution works each step as one does by hand
//! and ends with the table of all steps.

use ndarray::Array1;

use super::engine::Objective;
use super::{Optimizer, Params, Solution};
use crate::exact::Rational;
use crate::problems::kind::{QuestionView, WorkedView};
use crate::render::lang::Words;
use crate::render::latex::{self, FormatError};
use crate::render::math::Fmt;

const F: Fmt = Fmt::FRACTION;

/// The optimiser's hyperparameters as the sheet prints them ("\eta = \frac{1}{2}, …").
fn hyperparameters(p: &Params) -> Result<String, FormatError> {
    let mut parts = vec![format!(r"\eta = {}", F.num(p.lr, "eta")?)];
    match p.optimizer {
        Optimizer::SgdMomentum { momentum } | Optimizer::Nesterov { momentum } => {
            parts.push(format!(r"\mu = {}", F.num(momentum, "mu")?));
        }
        Optimizer::Adam { beta1, beta2 } => {
            parts.push(format!(r"\beta_1 = {}", F.num(beta1, "beta1")?));
            parts.push(format!(r"\beta_2 = {}", F.num(beta2, "beta2")?));
            parts.push(r"\epsilon = 0".into());
        }
        Optimizer::AdamW {
            beta1,
            beta2,
            weight_decay,
        } => {
            parts.push(format!(r"\beta_1 = {}", F.num(beta1, "beta1")?));
            parts.push(format!(r"\beta_2 = {}", F.num(beta2, "beta2")?));
            parts.push(r"\epsilon = 0".into());
            parts.push(format!(r"\lambda = {}", F.num(weight_decay, "lambda")?));
        }
    }
    Ok(parts.join(r", \quad "))
}

/// A vector inline: its one entry when n = 1, else `[a, b]`.
fn vector(v: &Array1<f64>, what: &str) -> Result<String, FormatError> {
    if v.len() == 1 {
        F.num(v[0], what)
    } else {
        F.list(v, what)
    }
}

/// [`vector`] after a binary operator: a negative scalar in parentheses.
fn operand(v: &Array1<f64>, what: &str) -> Result<String, FormatError> {
    let s = vector(v, what)?;
    Ok(if v.len() == 1 && v[0] < 0.0 {
        latex::parens(&s)
    } else {
        s
    })
}

/// A vector in a table cell: its one entry, or a column; display size, so that the
/// fractions of the table read as those of the steps above it.
fn cell(v: &Array1<f64>, what: &str) -> Result<String, FormatError> {
    let entry = if v.len() == 1 {
        F.num(v[0], what)?
    } else {
        F.col(v, what)?
    };
    // A vector in the table keeps its own row spacing: the table's stretched rows would
    // push its entries off its brackets.
    Ok(format!(r"\displaystyle {{\renewcommand{{\arraystretch}}{{1}}{entry}}}"))
}

fn integers(v: &[i64]) -> String {
    if v.len() == 1 {
        v[0].to_string()
    } else {
        latex::list(&v.iter().map(i64::to_string).collect::<Vec<_>>())
    }
}

crate::localized!(Question { Hr => "hr/optimizer_steps_question.tex", En => "en/optimizer_steps_question.tex" });

pub struct Question {
    /// "sgd_momentum", "nesterov", "adam" or "adamw".
    pub optimizer: &'static str,
    pub quadratic: bool,
    /// n = 1: scalars and w; else vectors.
    pub scalar: bool,
    pub a: String,
    pub c: String,
    pub w0: String,
    pub steps: usize,
    pub hyper: String,
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, _words: &dyn Words) -> Result<Self, FormatError> {
        Ok(Question {
            optimizer: optimizer_name(&p.optimizer),
            quadratic: Objective::of(&p.optimizer) == Objective::Quadratic,
            scalar: p.w0.len() == 1,
            a: integers(&p.a),
            c: integers(&p.c),
            w0: integers(&p.w0),
            steps: p.steps,
            hyper: hyperparameters(p)?,
        })
    }
}

fn optimizer_name(o: &Optimizer) -> &'static str {
    match o {
        Optimizer::SgdMomentum { .. } => "sgd_momentum",
        Optimizer::Nesterov { .. } => "nesterov",
        Optimizer::Adam { .. } => "adam",
        Optimizer::AdamW { .. } => "adamw",
    }
}

/// One worked step, every value formatted.
pub struct StepView {
    pub t: usize,
    /// w_{t−1} as the argument of ∇f, in parentheses: ∇f([1, 2]).
    pub w_prev_arg: String,
    pub g: String,
    /// b_t or m_t, and m_t after an operator.
    pub first: String,
    pub first_op: String,
    /// v_t (Adam).
    pub second: String,
    /// 1 − β₁^t and 1 − β₂^t in parentheses (Adam).
    pub bias1: String,
    pub bias2: String,
    /// v_t after an operator.
    pub second_op: String,
    pub m_hat: String,
    pub v_hat: String,
    /// √v̂_t = a (Adam).
    pub root: String,
    pub direction: String,
    /// η times the direction: `\frac{1}{2} \cdot (-1)`.
    pub eta_direction: String,
    /// AdamW: (1 − ηλ) w_{t−1}.
    pub decayed: String,
    pub w: String,
    /// The same values as table cells.
    pub cells: Vec<String>,
}

/// The L2 comparison of AdamW, formatted.
pub struct L2View {
    pub g: String,
    pub direction: String,
    /// η · sign(g̃₁), as [`StepView::eta_direction`].
    pub eta_direction: String,
    pub w: String,
    pub adamw_w: String,
}

crate::localized!(SolutionSheet { Hr => "hr/optimizer_steps_solution.tex", En => "en/optimizer_steps_solution.tex" });

pub struct SolutionSheet {
    pub optimizer: &'static str,
    pub quadratic: bool,
    pub scalar: bool,
    pub steps: Vec<StepView>,
    /// The table's header cells.
    pub header: Vec<&'static str>,
    /// "ccc…" for the table.
    pub columns: String,
    pub mu: String,
    pub eta: String,
    /// 1 − ηλ (AdamW).
    pub shrink: String,
    pub lambda: String,
    pub w_final: String,
    /// The other momentum form's last velocity, v_T = −η b_T.
    pub velocity: String,
    /// Nesterov's first step w_1 − w_0 (the engine's), and plain momentum's −η g_1.
    pub first_nesterov: String,
    pub first_plain: String,
    pub l2: Option<L2View>,
}

/// 1 − β^t, exactly.
fn bias(beta: f64, t: usize, what: &str) -> Result<String, FormatError> {
    let b = latex::exact_rational(beta, what)?;
    let power = (0..t).fold(Rational::ONE, |acc, _| acc * b);
    Ok(latex::rational(Rational::ONE - power, latex::NumberStyle::Fraction))
}

fn step_view(p: &Params, t: usize, s: &super::Step) -> Result<StepView, FormatError> {
    let adam = p.optimizer.name().is_adam();
    let (mut bias1, mut bias2, mut root) = (String::new(), String::new(), String::new());
    if let Optimizer::Adam { beta1, beta2 } | Optimizer::AdamW { beta1, beta2, .. } = p.optimizer {
        bias1 = latex::parens(&bias(beta1, t, "1 - beta1^t")?);
        bias2 = latex::parens(&bias(beta2, t, "1 - beta2^t")?);
        root = vector(&s.v_hat.mapv(f64::sqrt), "sqrt(v_hat)")?;
    }
    let mut cells = vec![t.to_string(), cell(&s.w_prev, "w_{t-1}")?, cell(&s.g, "g_t")?];
    cells.push(cell(&s.first, "b_t / m_t")?);
    if adam {
        cells.push(cell(&s.second, "v_t")?);
    }
    if matches!(p.optimizer, Optimizer::Nesterov { .. }) || adam {
        cells.push(cell(&s.direction, "direction")?);
    }
    cells.push(cell(&s.w, "w_t")?);
    let maybe = |v: &Array1<f64>, what| {
        if adam {
            vector(v, what)
        } else {
            Ok(String::new())
        }
    };
    let second_op = if adam {
        operand(&s.second, "v_t")?
    } else {
        String::new()
    };
    Ok(StepView {
        t,
        w_prev_arg: latex::parens(&vector(&s.w_prev, "w_{t-1}")?),
        g: vector(&s.g, "g_t")?,
        first: vector(&s.first, "b_t / m_t")?,
        first_op: operand(&s.first, "b_t / m_t")?,
        second: maybe(&s.second, "v_t")?,
        bias1,
        bias2,
        second_op,
        m_hat: maybe(&s.m_hat, "m_hat")?,
        v_hat: maybe(&s.v_hat, "v_hat")?,
        root,
        direction: vector(&s.direction, "direction")?,
        eta_direction: format!(
            r"{} \cdot {}",
            F.num(p.lr, "eta")?,
            operand(&s.direction, "direction")?
        ),
        decayed: match &s.decayed {
            Some(d) => vector(d, "decayed w")?,
            None => String::new(),
        },
        w: vector(&s.w, "w_t")?,
        cells,
    })
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, _words: &dyn Words) -> Result<Self, FormatError> {
        let steps = s
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| step_view(p, i + 1, step))
            .collect::<Result<Vec<_>, _>>()?;
        let header: Vec<&'static str> = match p.optimizer {
            Optimizer::SgdMomentum { .. } => vec!["t", r"\mathbf{w}_{t-1}", r"\mathbf{g}_t", r"\mathbf{b}_t", r"\mathbf{w}_t"],
            Optimizer::Nesterov { .. } => vec![
                "t",
                r"\mathbf{w}_{t-1}",
                r"\mathbf{g}_t",
                r"\mathbf{b}_t",
                r"\mathbf{g}_t + \mu \mathbf{b}_t",
                r"\mathbf{w}_t",
            ],
            _ => vec![
                "t",
                r"\mathbf{w}_{t-1}",
                r"\mathbf{g}_t",
                r"\mathbf{m}_t",
                r"\mathbf{v}_t",
                r"\hat{\mathbf{m}}_t / \sqrt{\hat{\mathbf{v}}_t}",
                r"\mathbf{w}_t",
            ],
        };
        // No vertical rules: the rows are set apart by space (see the template), which
        // would cut a rule into pieces.
        let columns = "c".repeat(header.len());
        let (mut mu, mut shrink, mut lambda, mut velocity) =
            (String::new(), String::new(), String::new(), String::new());
        let (mut first_nesterov, mut first_plain) = (String::new(), String::new());
        match p.optimizer {
            Optimizer::SgdMomentum { momentum } => {
                mu = F.num(momentum, "mu")?;
                let last = &s.steps.last().expect("a step").first;
                velocity = vector(&(last * -p.lr), "v_T")?;
            }
            Optimizer::Nesterov { momentum } => {
                mu = F.num(momentum, "mu")?;
                let first = &s.steps[0];
                first_nesterov = vector(&(&first.w - &first.w_prev), "w_1 - w_0")?;
                first_plain = vector(&(&first.g * -p.lr), "-eta g_1")?;
            }
            Optimizer::AdamW { weight_decay, .. } => {
                shrink = F.num(1.0 - p.lr * weight_decay, "1 - eta lambda")?;
                lambda = F.num(weight_decay, "lambda")?;
            }
            Optimizer::Adam { .. } => {}
        }
        let l2 = match &s.l2 {
            Some(l2) => Some(L2View {
                g: vector(&l2.g, "g_1 + lambda w_0")?,
                direction: vector(&l2.direction, "sign(g_1 + lambda w_0)")?,
                eta_direction: format!(
                    r"{} \cdot {}",
                    F.num(p.lr, "eta")?,
                    operand(&l2.direction, "sign(g_1 + lambda w_0)")?
                ),
                w: vector(&l2.w, "w_1 (L2)")?,
                adamw_w: vector(&s.steps[0].w, "w_1 (AdamW)")?,
            }),
            None => None,
        };
        Ok(SolutionSheet {
            optimizer: optimizer_name(&p.optimizer),
            quadratic: Objective::of(&p.optimizer) == Objective::Quadratic,
            scalar: p.w0.len() == 1,
            steps,
            header,
            columns,
            mu,
            eta: F.num(p.lr, "eta")?,
            shrink,
            lambda,
            w_final: vector(s.last(), "w_T")?,
            velocity,
            first_nesterov,
            first_plain,
            l2,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED, PINNED_ADAMW};
    use super::super::OptimizerSteps;
    use super::*;
    use crate::problems::kind::{render, Variant as _};

    #[test]
    fn the_pinned_momentum_sheet_shows_every_value_exactly() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert_eq!(sheet.steps[1].first, "2");
        assert_eq!(sheet.w_final, "0");
        assert_eq!(sheet.velocity, "-1");
        let out = render::<OptimizerSteps>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(out.question.contains(r"\mu = \frac{1}{2}"), "{}", out.question);
    }

    #[test]
    fn the_pinned_adamw_sheet_compares_with_l2() {
        let p = sampler(PINNED_ADAMW).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        // ηλ = 3/8: the weights shrink by 5/8 before each step.
        assert_eq!(sheet.shrink, r"\frac{5}{8}");
        assert_eq!(sheet.steps[1].bias1, r"\left(\frac{3}{4}\right)");
        assert_eq!(sheet.steps[0].root, "[2, 1]");
        let l2 = sheet.l2.as_ref().unwrap();
        // g₁ = [2, −1], λw₀ = [½, −½]: g̃ = [5/2, −3/2], w₁ = [1 − ¾, −1 + ¾].
        assert_eq!(l2.g, r"\left[\frac{5}{2}, -\frac{3}{2}\right]");
        assert_eq!(l2.w, r"\left[\frac{1}{4}, -\frac{1}{4}\right]");
        let out = render::<OptimizerSteps>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(out.solution.contains("L2"), "{}", out.solution);
        assert!(!out.solution.contains("0.33"), "no rounded value");
    }

    /// Nesterov's first step is (1 + μ) times plain momentum's (w₀ = 2, c = 0, a = 1:
    /// g₁ = 2, η = ½, μ = ½: −3/2 against −1), and the sheet no longer claims the two
    /// forms give the same weights.
    #[test]
    fn the_nesterov_sheet_compares_the_first_step_with_plain_momentum() {
        let p = sampler(&PINNED.replace("sgd_momentum", "nesterov"))
            .unwrap()
            .fixed()
            .unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert_eq!(sheet.first_nesterov, r"-\frac{3}{2}");
        assert_eq!(sheet.first_plain, "-1");
        let out = render::<OptimizerSteps>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(!out.solution.contains("težine su dakle iste"), "{}", out.solution);
        assert!(out.question.contains("nesterov=False"), "{}", out.question);
    }
}
