//! Question and worked solution of the activation problem, as in the seed's problem 4:
//! the definition and derivative with a plot, the diagonal Jacobian, and the numpy class.

use askama::Template;

use super::tex::{activation_tex, derivative_at};
use crate::render::figure::Figure;
use super::numpy::layer_class;
use super::{Params, Solution};
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
    }
}
