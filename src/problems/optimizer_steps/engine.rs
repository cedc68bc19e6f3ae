//! The optimisers and the objectives, in f64, elementwise over the n parameters.
//!
//! The objective and its gradient sit side by side: f(w) = ½ Σ a_i (w_i − c_i)² with
//! ∇f = a ⊙ (w − c) for the momentum methods, f(w) = Σ a_i |w_i − c_i| with
//! ∇f = a ⊙ sign(w − c) for Adam's (the gradient at the kink w_i = c_i is left as 0, as
//! PyTorch's `abs` does; the constraints keep every iterate off it). Each step follows
//! PyTorch's pseudocode, cited in the module doc of [`super`].

use ndarray::Array1;

use super::{Optimizer, Params, Solution};

/// Which objective an optimiser minimises (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// ½ Σ a_i (w_i − c_i)².
    Quadratic,
    /// Σ a_i |w_i − c_i|.
    Absolute,
}

impl Objective {
    pub fn of(optimizer: &Optimizer) -> Objective {
        if optimizer.name().is_adam() {
            Objective::Absolute
        } else {
            Objective::Quadratic
        }
    }

    /// f(w).
    pub fn value(self, a: &[i64], c: &[i64], w: &Array1<f64>) -> f64 {
        let terms = w.iter().zip(a).zip(c).map(|((&w, &a), &c)| {
            let d = w - c as f64;
            match self {
                Objective::Quadratic => 0.5 * a as f64 * d * d,
                Objective::Absolute => a as f64 * d.abs(),
            }
        });
        terms.sum()
    }

    /// ∇f(w).
    pub fn gradient(self, a: &[i64], c: &[i64], w: &Array1<f64>) -> Array1<f64> {
        w.iter()
            .zip(a)
            .zip(c)
            .map(|((&w, &a), &c)| {
                let d = w - c as f64;
                match self {
                    Objective::Quadratic => a as f64 * d,
                    Objective::Absolute => {
                        if d == 0.0 {
                            0.0
                        } else {
                            a as f64 * d.signum()
                        }
                    }
                }
            })
            .collect()
    }
}

/// One step t of the optimiser.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// w_{t−1}, where the gradient is taken.
    pub w_prev: Array1<f64>,
    /// g_t = ∇f(w_{t−1}).
    pub g: Array1<f64>,
    /// The momentum buffer b_t, or Adam's first moment m_t.
    pub first: Array1<f64>,
    /// Adam's second moment v_t (zeros for the momentum methods).
    pub second: Array1<f64>,
    /// m̂_t and v̂_t (Adam), zeros otherwise.
    pub m_hat: Array1<f64>,
    pub v_hat: Array1<f64>,
    /// What η multiplies: b_t, g_t + μ b_t, or m̂_t / (√v̂_t + ε) with ε = 0.
    pub direction: Array1<f64>,
    /// AdamW: w_{t−1} − ηλ w_{t−1}, the decayed weight the step starts from.
    pub decayed: Option<Array1<f64>>,
    /// w_t.
    pub w: Array1<f64>,
}

/// AdamW's first step next to Adam with L2 regularisation (λ added to the gradient).
#[derive(Clone, Debug, PartialEq)]
pub struct L2Comparison {
    /// g₁ + λ w₀, the gradient Adam with L2 sees.
    pub g: Array1<f64>,
    /// m̂₁ / √v̂₁ = sign(g₁ + λ w₀) (each entry; the constraints keep it off 0).
    pub direction: Array1<f64>,
    /// w₁ of Adam with L2.
    pub w: Array1<f64>,
}

/// Runs the variant's optimiser for its T steps.
pub fn run(p: &Params) -> Solution {
    let objective = Objective::of(&p.optimizer);
    let n = p.w0.len();
    let zeros = || Array1::<f64>::zeros(n);
    let mut w = p.w0();
    let (mut first, mut second) = (zeros(), zeros());
    let mut steps = Vec::with_capacity(p.steps);
    let mut values = vec![objective.value(&p.a, &p.c, &w)];
    for t in 1..=p.steps {
        let g = objective.gradient(&p.a, &p.c, &w);
        let mut step = Step {
            w_prev: w.clone(),
            g: g.clone(),
            first: zeros(),
            second: zeros(),
            m_hat: zeros(),
            v_hat: zeros(),
            direction: zeros(),
            decayed: None,
            w: zeros(),
        };
        match p.optimizer {
            Optimizer::SgdMomentum { momentum } | Optimizer::Nesterov { momentum } => {
                // b_1 = g_1 (PyTorch), which μ·0 + g_1 gives as well.
                first = &first * momentum + &g;
                step.direction = match p.optimizer {
                    Optimizer::Nesterov { .. } => &g + &(&first * momentum),
                    _ => first.clone(),
                };
                step.w = &w - &(&step.direction * p.lr);
            }
            Optimizer::Adam { beta1, beta2 } | Optimizer::AdamW { beta1, beta2, .. } => {
                first = &first * beta1 + &(&g * (1.0 - beta1));
                second = &second * beta2 + &(g.mapv(|x| x * x) * (1.0 - beta2));
                step.m_hat = &first / (1.0 - beta1.powi(t as i32));
                step.v_hat = &second / (1.0 - beta2.powi(t as i32));
                step.direction = &step.m_hat / &step.v_hat.mapv(f64::sqrt);
                let start = match p.optimizer {
                    Optimizer::AdamW { weight_decay, .. } => {
                        let decayed = &w * (1.0 - p.lr * weight_decay);
                        step.decayed = Some(decayed.clone());
                        decayed
                    }
                    _ => w.clone(),
                };
                step.w = &start - &(&step.direction * p.lr);
            }
        }
        step.first = first.clone();
        step.second = second.clone();
        w = step.w.clone();
        values.push(objective.value(&p.a, &p.c, &w));
        steps.push(step);
    }
    let l2 = match p.optimizer {
        Optimizer::AdamW { weight_decay, .. } => Some(l2_first_step(p, weight_decay)),
        _ => None,
    };
    Solution {
        steps,
        objective: values,
        l2,
    }
}

/// Adam's first step with L2 regularisation: g̃ = g₁ + λ w₀, m̂₁ = g̃, v̂₁ = g̃², so the
/// step is η·sign(g̃) entry by entry (ε = 0).
fn l2_first_step(p: &Params, weight_decay: f64) -> L2Comparison {
    let w0 = p.w0();
    let g = Objective::of(&p.optimizer).gradient(&p.a, &p.c, &w0) + &(&w0 * weight_decay);
    let direction = g.mapv(|x| if x == 0.0 { 0.0 } else { x / (x * x).sqrt() });
    let w = &w0 - &(&direction * p.lr);
    L2Comparison { g, direction, w }
}

#[cfg(test)]
mod tests {
    use super::super::{Optimizer, Params};
    use super::*;
    use ndarray::array;

    fn params(optimizer: Optimizer, w0: &[i64], c: &[i64], a: &[i64], steps: usize, lr: f64) -> Params {
        Params {
            points: None,
            optimizer,
            w0: w0.to_vec(),
            c: c.to_vec(),
            a: a.to_vec(),
            steps,
            lr,
        }
    }

    #[test]
    fn momentum_by_hand() {
        // f = ½ w², w₀ = 2, η = μ = ½: g₁ = 2, b₁ = 2, w₁ = 1; g₂ = 1, b₂ = 2, w₂ = 0.
        let p = params(Optimizer::SgdMomentum { momentum: 0.5 }, &[2], &[0], &[1], 2, 0.5);
        let s = run(&p);
        assert_eq!(s.steps[0].w, array![1.0]);
        assert_eq!(s.steps[1].first, array![2.0]);
        assert_eq!(s.steps[1].w, array![0.0]);
        assert_eq!(s.objective, vec![2.0, 0.5, 0.0]);
    }

    #[test]
    fn nesterov_by_hand() {
        // The same, Nesterov: d₁ = 2 + ½·2 = 3, w₁ = ½; g₂ = ½, b₂ = 3/2, d₂ = 5/4,
        // w₂ = ½ − 5/8 = −1/8.
        let p = params(Optimizer::Nesterov { momentum: 0.5 }, &[2], &[0], &[1], 2, 0.5);
        let s = run(&p);
        assert_eq!(s.steps[0].direction, array![3.0]);
        assert_eq!(s.steps[1].first, array![1.5]);
        assert_eq!(s.steps[1].w, array![-0.125]);
    }

    #[test]
    fn adam_by_hand() {
        // f = |w|, w₀ = 1, η = 3/2, β₁ = β₂ = ½: step 1 goes η·sign(g) to −1/2; g₂ = −1,
        // m₂ = ¼ − ½ = −¼, m̂₂ = −⅓, v̂₂ = 1, w₂ = −½ + ½ = 0 … kept off by the
        // constraints; here only the values matter.
        let p = params(Optimizer::Adam { beta1: 0.5, beta2: 0.5 }, &[1], &[0], &[1], 2, 1.5);
        let s = run(&p);
        assert_eq!(s.steps[0].direction, array![1.0]);
        assert_eq!(s.steps[0].w, array![-0.5]);
        assert_eq!(s.steps[1].first, array![-0.25]);
        assert!((s.steps[1].m_hat[0] + 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(s.steps[1].v_hat, array![1.0]);
        assert!(s.steps[1].w[0].abs() < 1e-15);
    }

    #[test]
    fn adamw_decays_the_weight_and_l2_changes_the_gradient() {
        // w₀ = 1, c = 0, a = 1, η = λ = ½: decayed 3/4, w₁ = 3/4 − ½ = ¼. L2: g̃ = 1 + ½,
        // w₁ = 1 − ½ = ½.
        let p = params(
            Optimizer::AdamW { beta1: 0.5, beta2: 0.5, weight_decay: 0.5 },
            &[1],
            &[0],
            &[1],
            1,
            0.5,
        );
        let s = run(&p);
        assert_eq!(s.steps[0].decayed, Some(array![0.75]));
        assert_eq!(s.steps[0].w, array![0.25]);
        let l2 = s.l2.unwrap();
        assert_eq!((l2.g[0], l2.w[0]), (1.5, 0.5));
    }

    #[test]
    fn the_gradients_match_finite_differences() {
        use crate::engine::gradcheck::numeric_gradient;
        let (a, c) = (vec![2, 1], vec![1, -1]);
        let w = array![0.5, 2.0];
        for objective in [Objective::Quadratic, Objective::Absolute] {
            let numeric = numeric_gradient(|w: &Array1<f64>| objective.value(&a, &c, w), &w, 1e-6);
            let analytic = objective.gradient(&a, &c, &w);
            for (x, y) in numeric.iter().zip(&analytic) {
                assert!((x - y).abs() < 1e-6, "{objective:?}: {numeric} vs {analytic}");
            }
        }
    }
}
