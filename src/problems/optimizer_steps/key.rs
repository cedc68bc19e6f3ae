//! The optimizer_steps entry of key.json: the optimiser and its hyperparameters, the
//! objective, and every step a grader checks, as numbers and as the exact fractions the
//! sheet shows.

use ndarray::{Array1, Array2};
use serde::Serialize;

use super::engine::Objective;
use super::{Optimizer, OptimizerName, Params, Solution, Step};
use crate::exact::{Rational, MAX_DEN};
use crate::problems::kind::AnswersOf;
use crate::problems::{KeyCsv, Rows, Vector};

/// The key.csv columns of this kind: entries of the key's `params`, then of its
/// `answers` (the final answers a grader enters; arrays become one column per entry).
pub const KEY_CSV: KeyCsv = KeyCsv {
    params: &["optimizer"],
    answers: &["w_final_exact"],
};

/// The key's `params`: everything needed to recompute every answer.
#[derive(Serialize)]
pub struct KeyParams {
    optimizer: OptimizerName,
    /// "quadratic" (½ Σ a (w − c)²) or "absolute" (Σ a |w − c|).
    objective: &'static str,
    w0: Vec<i64>,
    c: Vec<i64>,
    a: Vec<i64>,
    steps: usize,
    lr: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    momentum: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    beta1: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    beta2: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    weight_decay: Option<f64>,
    /// ε of Adam, 0 so that every step is a fraction.
    #[serde(skip_serializing_if = "Option::is_none")]
    eps: Option<f64>,
}

/// One step of the key: the gradient, the optimiser's state and the new weights.
#[derive(Serialize)]
pub struct KeyStep {
    g: Vector,
    /// The momentum buffer b_t, or Adam's m_t.
    first: Vector,
    /// Adam's v_t, m̂_t, v̂_t (absent for the momentum methods).
    #[serde(skip_serializing_if = "Option::is_none")]
    second: Option<Vector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    m_hat: Option<Vector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    v_hat: Option<Vector>,
    /// What η multiplies.
    direction: Vector,
    w: Vector,
}

/// The key's `answers`.
#[derive(Serialize)]
pub struct Answers {
    steps: Vec<KeyStep>,
    /// The sheet's table by column, one row per step t (row t − 1): the values of
    /// `steps` again, each with a label of its own for grading (`g[t−1][i]`).
    g: Rows,
    first: Rows,
    /// Adam's v_t (absent for the momentum methods).
    #[serde(skip_serializing_if = "Option::is_none")]
    second: Option<Rows>,
    direction: Rows,
    w: Rows,
    /// f(w_t), t = 0..T.
    objective: Vec<f64>,
    w_final: Vector,
    /// w_T as fractions ("-1/8").
    w_final_exact: Option<Vec<String>>,
    /// AdamW only: w₁ of Adam with L2 regularisation, and as fractions.
    l2_w1: Option<Vector>,
    l2_w1_exact: Option<Vec<String>>,
}

impl From<&Params> for KeyParams {
    fn from(p: &Params) -> Self {
        let (mut momentum, mut beta1, mut beta2, mut weight_decay, mut eps) =
            (None, None, None, None, None);
        match p.optimizer {
            Optimizer::SgdMomentum { momentum: m } | Optimizer::Nesterov { momentum: m } => {
                momentum = Some(m)
            }
            Optimizer::Adam { beta1: b1, beta2: b2 } => {
                (beta1, beta2, eps) = (Some(b1), Some(b2), Some(0.0));
            }
            Optimizer::AdamW {
                beta1: b1,
                beta2: b2,
                weight_decay: l,
            } => {
                (beta1, beta2, weight_decay, eps) = (Some(b1), Some(b2), Some(l), Some(0.0));
            }
        }
        KeyParams {
            optimizer: p.optimizer.name(),
            objective: match Objective::of(&p.optimizer) {
                Objective::Quadratic => "quadratic",
                Objective::Absolute => "absolute",
            },
            w0: p.w0.clone(),
            c: p.c.clone(),
            a: p.a.clone(),
            steps: p.steps,
            lr: p.lr,
            momentum,
            beta1,
            beta2,
            weight_decay,
            eps,
        }
    }
}

/// The entries as fractions, or None when one is not exact (a variant the constraints
/// refuse).
fn exact(values: &Array1<f64>) -> Option<Vec<String>> {
    values
        .iter()
        .map(|&x| Rational::recognize(x, MAX_DEN).map(|r| r.to_string()))
        .collect()
}

/// One value of every step, as rows (row t − 1 is step t's).
fn table(s: &Solution, value: impl Fn(&Step) -> &Array1<f64>) -> Rows {
    let n = s.last().len();
    Rows(Array2::from_shape_fn((s.steps.len(), n), |(t, i)| {
        value(&s.steps[t])[i]
    }))
}

impl AnswersOf<Params, Solution> for Answers {
    fn of(p: &Params, s: &Solution) -> Self {
        let adam = p.optimizer.name().is_adam();
        let only_adam = |v: &Array1<f64>| adam.then(|| Vector(v.clone()));
        Answers {
            steps: s
                .steps
                .iter()
                .map(|step| KeyStep {
                    g: Vector(step.g.clone()),
                    first: Vector(step.first.clone()),
                    second: only_adam(&step.second),
                    m_hat: only_adam(&step.m_hat),
                    v_hat: only_adam(&step.v_hat),
                    direction: Vector(step.direction.clone()),
                    w: Vector(step.w.clone()),
                })
                .collect(),
            g: table(s, |step| &step.g),
            first: table(s, |step| &step.first),
            second: adam.then(|| table(s, |step| &step.second)),
            direction: table(s, |step| &step.direction),
            w: table(s, |step| &step.w),
            objective: s.objective.clone(),
            w_final: Vector(s.last().clone()),
            w_final_exact: exact(s.last()),
            l2_w1: s.l2.as_ref().map(|l2| Vector(l2.w.clone())),
            l2_w1_exact: s.l2.as_ref().and_then(|l2| exact(&l2.w)),
        }
    }
}
