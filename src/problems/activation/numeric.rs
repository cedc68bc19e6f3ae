//! The numeric part of the activation problem: f, f′ (the Jacobian's diagonal) and the
//! backward pass dL/dx = f′(x) ⊙ g at a drawn input vector x for a drawn upstream
//! gradient g, every value exact.
//!
//! Each member has a set of points where it is exact and where the work is the same
//! kind of work as in the course: x = ±ln q (over β for the members with β) where e^x is
//! a fraction, so σ(ln 3) = 3/4; tanh also at ±(ln q)/2, where e^{2x} = q; the
//! piecewise-linear members and softsign at small rationals off their kinks. x takes n
//! different points of the set (in order; with repeats only when the set is smaller than
//! n), g takes n entries of [`UPSTREAM`]. The values themselves come from the engine
//! ([`Activation::exact_at`]), and are checked against its floats.

use crate::draw::{index, pick, VariantRng};
use crate::engine::activation::Activation;
use crate::exact::{LnForm, Rational};

/// The upstream gradient's entries: small non-zero integers, so the backward pass is one
/// multiplication per entry.
pub const UPSTREAM: [i64; 6] = [-3, -2, -1, 1, 2, 3];

/// A drawn input vector and upstream gradient.
#[derive(Clone, Debug, PartialEq)]
pub struct Numeric {
    pub x: Vec<LnForm>,
    pub upstream: Vec<i64>,
}

/// The values the numeric part asks for, exactly and as the engine's floats.
#[derive(Clone, Debug, PartialEq)]
pub struct NumericSolution {
    /// y_i = f(x_i), exactly.
    pub y: Vec<LnForm>,
    /// f′(x_i): the diagonal of the Jacobian at x, exactly.
    pub derivative: Vec<LnForm>,
    /// dL/dx_i = f′(x_i)·g_i, exactly.
    pub input_gradient: Vec<LnForm>,
    /// The engine's floats of the same three: forward, derivative, backward pass.
    pub floats: [Vec<f64>; 3],
}

fn q(n: i64) -> Rational {
    Rational::from_int(n)
}

/// The points where `a` is exact and the numeric part draws x from.
pub fn points(a: &Activation) -> Vec<LnForm> {
    let ln = |k: i64, base: i64, over: Rational| LnForm::ln(q(k) / over, q(base));
    let rationals = |values: &[(i64, i64)]| -> Vec<LnForm> {
        values
            .iter()
            .map(|&(n, d)| LnForm::rational(Rational::new(n, d)))
            .collect()
    };
    let signed_logs = |bases: &[i64], over: Rational| -> Vec<LnForm> {
        let mut out = vec![LnForm::ZERO];
        for &b in bases {
            out.push(ln(1, b, over));
            out.push(ln(-1, b, over));
        }
        out
    };
    let beta = |b: f64| Rational::exactly(b, 1000).unwrap_or(Rational::ONE);
    match *a {
        Activation::Sigmoid => signed_logs(&[2, 3, 4], Rational::ONE),
        Activation::Tanh => {
            // tanh((ln q)/2) = (q − 1)/(q + 1): 1/3 and 1/2, besides 3/5 and 4/5 at ln q.
            let mut out = signed_logs(&[2, 3], Rational::ONE);
            out.extend(signed_logs(&[2, 3], q(2)).into_iter().skip(1));
            out
        }
        Activation::Softplus { beta: b } | Activation::Silu { beta: b } => {
            signed_logs(&[2, 3, 4], beta(b))
        }
        // The negative branch at −ln q, where e^x = 1/q; the positive one at rationals.
        Activation::Elu { .. } => {
            let mut out = rationals(&[(1, 2), (1, 1), (3, 2), (2, 1)]);
            out.extend([2, 3, 4].map(|b| ln(-1, b, Rational::ONE)));
            out
        }
        // Off the kink at 0, where only a convention gives f′.
        Activation::LeakyRelu { .. } => rationals(&[
            (1, 2),
            (-1, 2),
            (1, 1),
            (-1, 1),
            (3, 2),
            (-3, 2),
            (2, 1),
            (-2, 1),
        ]),
        Activation::Softsign => rationals(&[
            (0, 1),
            (1, 2),
            (-1, 2),
            (1, 1),
            (-1, 1),
            (2, 1),
            (-2, 1),
            (3, 1),
            (-3, 1),
        ]),
        // Off the kinks at the bounds.
        Activation::HardTanh { min, max } => rationals(&[
            (1, 2),
            (-1, 2),
            (1, 1),
            (-1, 1),
            (3, 2),
            (-3, 2),
            (2, 1),
            (-2, 1),
            (3, 1),
            (-3, 1),
        ])
        .into_iter()
        .filter(|x| x.to_f64() != min && x.to_f64() != max)
        .collect(),
    }
}

/// What x must show for the part to exercise the function: a property some entry of x
/// must have. Every member: a negative and a positive entry (both sides of the kink or
/// of the S); hard tanh also an entry inside and one outside its bounds.
pub type Requirement = fn(&Activation, &LnForm) -> bool;

pub fn requirements(a: &Activation) -> Vec<Requirement> {
    let mut out: Vec<Requirement> = vec![|_, x| x.signum() < 0, |_, x| x.signum() > 0];
    if matches!(a, Activation::HardTanh { .. }) {
        out.push(inside);
        out.push(|a, x| !inside(a, x));
    }
    out
}

fn inside(a: &Activation, x: &LnForm) -> bool {
    matches!(*a, Activation::HardTanh { min, max } if min < x.to_f64() && x.to_f64() < max)
}

/// Whether x keeps every requirement of `a`.
pub fn keeps_requirements(a: &Activation, x: &[LnForm]) -> bool {
    requirements(a)
        .iter()
        .all(|holds| x.iter().any(|p| holds(a, p)))
}

/// Draws x (n different points of `a`'s set, in order, unless the set is smaller than
/// n) and then g (n entries of [`UPSTREAM`]).
pub fn draw(rng: &mut VariantRng, a: &Activation, n: usize) -> Numeric {
    let mut pool = points(a);
    let x = if pool.len() >= n {
        // A partial Fisher–Yates: the first n of a uniformly shuffled pool.
        (0..n)
            .map(|i| {
                let j = i + index(rng, pool.len() - i);
                pool.swap(i, j);
                pool[i]
            })
            .collect()
    } else {
        (0..n).map(|_| *pick(rng, &pool)).collect()
    };
    let upstream = (0..n).map(|_| *pick(rng, &UPSTREAM)).collect();
    Numeric { x, upstream }
}

/// The values at x; None when some point is not exact for `a`.
pub fn solve(a: &Activation, numeric: &Numeric) -> Option<NumericSolution> {
    let exact: Vec<(LnForm, LnForm)> = numeric
        .x
        .iter()
        .map(|&x| a.exact_at(x))
        .collect::<Option<_>>()?;
    let xs = ndarray::Array1::from_iter(numeric.x.iter().map(LnForm::to_f64));
    let g = ndarray::Array1::from_iter(numeric.upstream.iter().map(|&v| v as f64));
    Some(NumericSolution {
        y: exact.iter().map(|e| e.0).collect(),
        derivative: exact.iter().map(|e| e.1).collect(),
        input_gradient: exact
            .iter()
            .zip(&numeric.upstream)
            .map(|(e, &g)| e.1.scale(q(g)))
            .collect(),
        floats: [
            a.forward_array(&xs).to_vec(),
            xs.mapv(|v| a.derivative(v)).to_vec(),
            a.backward_array(&xs, &g).to_vec(),
        ],
    })
}

/// Whether the exact values are the engine's floats (to 1e-12 relative).
pub fn agrees_with_engine(s: &NumericSolution) -> bool {
    let exact = [&s.y, &s.derivative, &s.input_gradient];
    exact.iter().zip(&s.floats).all(|(e, f)| {
        e.len() == f.len()
            && e.iter()
                .zip(f)
                .all(|(e, &f)| (e.to_f64() - f).abs() <= 1e-12 * f.abs().max(1.0))
    })
}

/// How many different (x, g) the draw gives for `a` and n, counting only the x that
/// keep the requirements (inclusion–exclusion over the requirements an x may miss).
pub fn count(a: &Activation, n: usize) -> u128 {
    let pool = points(a);
    let reqs = requirements(a);
    let distinct = pool.len() >= n;
    let tuples = |m: usize| -> u128 {
        if distinct {
            // m·(m − 1)·…·(m − n + 1), 0 when m < n.
            (0..n).fold(1u128, |acc, i| acc.saturating_mul(m.saturating_sub(i) as u128))
        } else {
            (m as u128).saturating_pow(n as u32)
        }
    };
    let mut total: i128 = 0;
    for subset in 0u32..(1 << reqs.len()) {
        // Points that miss every requirement of the subset.
        let m = pool
            .iter()
            .filter(|x| {
                (0..reqs.len())
                    .filter(|i| subset & (1 << i) != 0)
                    .all(|i| !reqs[i](a, x))
            })
            .count();
        let sign = if subset.count_ones() % 2 == 0 { 1 } else { -1 };
        total += sign * tuples(m) as i128;
    }
    (total.max(0) as u128).saturating_mul((UPSTREAM.len() as u128).saturating_pow(n as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::problem_rng;
    use std::collections::HashSet;

    fn members() -> Vec<Activation> {
        vec![
            Activation::SOFTPLUS,
            Activation::Softplus { beta: 2.0 },
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Elu { alpha: 0.5 },
            Activation::LeakyRelu { alpha: 0.2 },
            Activation::SILU,
            Activation::Silu { beta: 2.0 },
            Activation::Softsign,
            Activation::HardTanh {
                min: -1.0,
                max: 2.0,
            },
        ]
    }

    #[test]
    fn every_point_is_exact_and_agrees_with_the_engine() {
        for a in members() {
            let pool = points(&a);
            assert!(pool.len() >= 7, "{a:?}");
            let numeric = Numeric {
                upstream: vec![2; pool.len()],
                x: pool,
            };
            let s = solve(&a, &numeric).unwrap_or_else(|| panic!("{a:?} not exact"));
            assert!(agrees_with_engine(&s), "{a:?}");
        }
    }

    #[test]
    fn the_engine_check_catches_a_wrong_value() {
        let a = Activation::Sigmoid;
        let numeric = draw(&mut problem_rng(1, 2, 3, 0), &a, 4);
        let mut s = solve(&a, &numeric).unwrap();
        s.derivative[0] = s.derivative[0].plus(Rational::new(1, 1000));
        assert!(!agrees_with_engine(&s));
    }

    /// On a small space the count is the number of different draws that keep the
    /// requirements.
    #[test]
    fn the_count_is_what_the_draw_reaches() {
        for a in [
            Activation::Sigmoid,
            Activation::HardTanh {
                min: -1.0,
                max: 1.0,
            },
        ] {
            let n = 2;
            let mut seen = HashSet::new();
            for student in 0..40_000 {
                let d = draw(&mut problem_rng(5, student, 0, 0), &a, n);
                if keeps_requirements(&a, &d.x) {
                    seen.insert(format!("{:?}", d));
                }
            }
            assert_eq!(seen.len() as u128, count(&a, n), "{a:?}");
        }
    }

    #[test]
    fn requirements_need_both_sides() {
        let a = Activation::Tanh;
        let ln2 = LnForm::ln(Rational::ONE, q(2));
        assert!(!keeps_requirements(&a, &[ln2, LnForm::ZERO]));
        assert!(keeps_requirements(&a, &[ln2, ln2.scale(q(-1))]));
        let hard = Activation::HardTanh {
            min: -1.0,
            max: 1.0,
        };
        let r = |n, d| LnForm::rational(Rational::new(n, d));
        assert!(!keeps_requirements(&hard, &[r(1, 2), r(-1, 2)]));
        assert!(keeps_requirements(&hard, &[r(1, 2), r(-3, 1)]));
    }
}
