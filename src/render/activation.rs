//! Question and worked solution of the activation problem, as in the seed's problem 4:
//! the definition and derivative with a plot, the diagonal Jacobian, and the numpy class.

use askama::Template;

use super::activation_tex::{activation_tex, derivative_at};
use super::numpy::layer_class;
use crate::problems::activation::{Params, Solution, PLOT_RANGE};

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
    pub range: String,
    pub f_coordinates: String,
    pub df_coordinates: String,
    pub jacobian: String,
    pub code: String,
}

pub fn question(p: &Params) -> Question {
    let tex = activation_tex(&p.activation);
    Question {
        name: tex.name,
        definition: tex.definition,
        n: p.n,
    }
}

pub fn solution(p: &Params, s: &Solution) -> SolutionSheet {
    let tex = activation_tex(&p.activation);
    // Plot positions only; the printed formulas are symbolic.
    let coordinates = |pick: fn(&(f64, f64, f64)) -> f64| {
        super::latex::coordinates(s.samples.iter().map(|t| (t.0, pick(t))), 6)
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
    SolutionSheet {
        name: tex.name,
        definition: tex.definition,
        derivative: tex.derivative,
        n: p.n,
        range: format!("{PLOT_RANGE}"),
        f_coordinates: coordinates(|t| t.1),
        df_coordinates: coordinates(|t| t.2),
        jacobian: super::latex::matrix(&rows),
        code: layer_class(&p.activation),
    }
}
