//! Question and worked solution of the activation problem, as in the seed's problem 4:
//! the definition and derivative with a plot, the diagonal Jacobian, and the numpy class.

use askama::Template;

use super::tex::{activation_tex, derivative_at};
use crate::render::figure::Figure;
use super::numpy::layer_class;
use super::{Params, Solution, PLOT_RANGE};
use crate::problems::kind::{QuestionView, WorkedView};
use crate::render::lang::Words;
use crate::render::latex::FormatError;

#[derive(Template)]
#[template(path = "hr/activation_question.tex")]
pub struct Question {
    pub name: String,
    pub definition: String,
    pub n: usize,
}

/// The plot of f and f′ (a shared figure).
#[derive(Template)]
#[template(path = "hr/activation_plot.tex")]
struct Plot<'a> {
    name: &'a str,
    range: String,
    f_coordinates: String,
    df_coordinates: String,
}

#[derive(Template)]
#[template(path = "hr/activation_solution.tex")]
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
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, _words: &dyn Words) -> Result<Self, FormatError> {
        let tex = activation_tex(&p.activation);
        Ok(Question {
            name: tex.name,
            definition: tex.definition,
            n: p.n,
        })
    }
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, _words: &dyn Words) -> Result<Self, FormatError> {
        Ok(solution(p, s))
    }

    fn figures(&self) -> Vec<Figure> {
        vec![self.figure.clone()]
    }
}

/// The worked solution; every value is symbolic or a plot position, so it cannot fail.
fn solution(p: &Params, s: &Solution) -> SolutionSheet {
    let tex = activation_tex(&p.activation);
    // Plot positions only; the printed formulas are symbolic.
    let coordinates = |pick: fn(&(f64, f64, f64)) -> f64| {
        crate::render::latex::coordinates(s.samples.iter().map(|t| (t.0, pick(t))), 6)
    };
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
    let plot = Plot {
        name: &tex.name,
        range: format!("{PLOT_RANGE}"),
        f_coordinates: coordinates(|t| t.1),
        df_coordinates: coordinates(|t| t.2),
    }
    .render()
    .expect("the plot template has no fallible parts");
    let figure = Figure::new(plot);
    SolutionSheet {
        plot: figure.reference(),
        figure,
        name: tex.name,
        definition: tex.definition,
        derivative: tex.derivative,
        n: p.n,
        jacobian: crate::render::latex::matrix(&rows),
        code: layer_class(&p.activation),
    }
}
