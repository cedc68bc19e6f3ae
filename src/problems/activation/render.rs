//! Question and worked solution of the activation problem, as in the seed's problem 4:
//! the definition and derivative with a plot, the diagonal Jacobian, and the numpy class;
//! drawn variants also get the numeric part (f, f′ and dL/dx at a given x, as a table).


use super::tex::{activation_tex, derivative_at};
use crate::render::figure::Figure;
use super::numpy::layer_class;
use super::{Params, Solution};
use crate::problems::kind::{QuestionView, WorkedView};
use crate::engine::activation::Activation;
use crate::exact::{LnForm, Rational};
use crate::render::lang::Words;
use crate::render::latex::{self, FormatError, NumberStyle};

crate::localized!(Question { Hr => "hr/activation_question.tex", En => "en/activation_question.tex" });

pub struct Question {
    pub name: String,
    pub definition: String,
    pub n: usize,
    /// The numeric part's x and g, as inline vectors.
    pub numeric: Option<(String, String)>,
}

/// The numeric part of the worked solution.
pub struct NumericWorked {
    /// The rows of the table i, x_i, f(x_i), f′(x_i), g_i, dL/dx_i: the Jacobian's
    /// diagonal and dL/dx are its columns, which stay legible for any n where a written
    /// diag(…) of SiLU's values would run off the line.
    pub rows: String,
}

crate::localized!(SolutionSheet { Hr => "hr/activation_solution.tex", En => "en/activation_solution.tex" });

pub struct SolutionSheet {
    pub name: String,
    pub definition: String,
    pub derivative: String,
    pub n: usize,
    /// The plot, as a shared-figure reference.
    pub plot: String,
    pub jacobian: String,
    pub code: String,
    /// The plot itself, written once as its own document.
    pub figure: Figure,
    pub numeric: Option<NumericWorked>,
}

/// How the numeric part prints its rationals: decimals for the members whose constant is
/// a decimal (0.25·(−1.5) = −0.375 reads like the α it comes from), fractions for the
/// rest (σ(ln 3) = 3/4).
fn style(a: &Activation) -> NumberStyle {
    match a {
        Activation::LeakyRelu { .. } | Activation::HardTanh { .. } => NumberStyle::Decimal,
        _ => NumberStyle::Fraction,
    }
}

fn vector(values: &[LnForm], style: NumberStyle) -> String {
    let entries: Vec<String> = values.iter().map(|&v| latex::ln_form(v, style)).collect();
    latex::list(&entries)
}

fn integers(values: &[i64]) -> Vec<LnForm> {
    values
        .iter()
        .map(|&g| LnForm::rational(Rational::from_int(g)))
        .collect()
}

/// The numeric part's worked values; an error when the engine found no exact value.
fn numeric_worked(p: &Params, s: &Solution) -> Result<Option<NumericWorked>, FormatError> {
    let Some(numeric) = &p.numeric else {
        return Ok(None);
    };
    let Some(values) = &s.numeric else {
        return Err(FormatError::NotExact {
            what: format!("{} at x", p.activation.name()),
            value: f64::NAN,
            expected: "exact value (a rational plus a multiple of one logarithm)".into(),
        });
    };
    let st = style(&p.activation);
    let g = integers(&numeric.upstream);
    let rows: Vec<String> = (0..numeric.x.len())
        .map(|i| {
            let cells = [
                numeric.x[i],
                values.y[i],
                values.derivative[i],
                g[i],
                values.input_gradient[i],
            ];
            // Display style: a table cell is text style, whose fractions are too small to
            // read on paper.
            let cells: Vec<String> = cells
                .iter()
                .map(|&v| format!(r"\displaystyle {}", latex::ln_form(v, st)))
                .collect();
            format!(r"{} & {} \\", i + 1, cells.join(" & "))
        })
        .collect();
    Ok(Some(NumericWorked {
        rows: rows.join("\n"),
    }))
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, _words: &dyn Words) -> Result<Self, FormatError> {
        let tex = activation_tex(&p.activation);
        let st = style(&p.activation);
        Ok(Question {
            name: tex.name,
            definition: tex.definition,
            n: p.n,
            numeric: p
                .numeric
                .as_ref()
                .map(|n| (vector(&n.x, st), vector(&integers(&n.upstream), st))),
        })
    }
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, words: &dyn Words) -> Result<Self, FormatError> {
        let numeric = numeric_worked(p, s)?;
        Ok(SolutionSheet {
            numeric,
            code: super::numpy_en::layer_class_in(&p.activation, words.language()),
            ..solution(p, s)
        })
    }

    fn figures(&self) -> Vec<Figure> {
        vec![self.figure.clone()]
    }
}

/// The worked solution; every value is symbolic or a plot position, so it cannot fail.
fn solution(p: &Params, s: &Solution) -> SolutionSheet {
    let tex = activation_tex(&p.activation);
    let rows: Vec<Vec<String>> = (1..=p.n)
        .map(|i| {
            (1..=p.n)
                .map(|j| {
                    if i == j {
                        derivative_at(&p.activation, &format!("x_{{{i}}}"))
                    } else {
                        "0".to_string()
                    }
                })
                .collect()
        })
        .collect();
    let figure = super::plot::figure(&p.activation, &s.samples, &tex.name);
    SolutionSheet {
        plot: figure.reference(),
        figure,
        name: tex.name,
        definition: tex.definition,
        derivative: tex.derivative,
        n: p.n,
        jacobian: crate::render::latex::matrix(&rows),
        code: layer_class(&p.activation),
        numeric: None,
    }
}
