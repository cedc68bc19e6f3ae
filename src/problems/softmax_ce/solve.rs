//! The worked solution of the softmax_ce problem: softmax, cross-entropy and its
//! gradient through the shared engine, and the probabilities exactly (as the fractions
//! b^{e_i} / Σ b^{e_j}) beside them.

use super::{Params, Solution};
use crate::engine::loss::{cross_entropy, cross_entropy_grad_logits};
use crate::engine::softmax::softmax;
use crate::exact::softmax_of_powers;

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let p = self;
        let prob = softmax(&p.z());
        let loss = cross_entropy(&prob, p.y);
        let grad_z = cross_entropy_grad_logits(&prob, p.y);
        let grad_e = &grad_z * f64::from(p.ln_base).ln();
        Solution {
            p: prob,
            loss,
            grad_z,
            grad_e,
            p_exact: softmax_of_powers(&p.logits, p.ln_base),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::problems::kind::Variant as _;
    use super::super::Params;
    use crate::exact::Rational;

    #[test]
    fn the_engine_and_the_fractions_agree() {
        let p = Params {
            points: None,
            logits: vec![1, -1, 0, 2],
            ln_base: 2,
            y: 3,
        };
        let s = p.solve();
        let exact = s.p_exact.clone().unwrap();
        assert_eq!(exact[0], Rational::new(4, 15));
        for (e, f) in exact.iter().zip(&s.p) {
            assert!((e.to_f64() - f).abs() < 1e-15);
        }
        assert!((s.loss - (15.0f64 / 8.0).ln()).abs() < 1e-15);
        let grad = s.grad_z_exact(p.y).unwrap();
        assert_eq!(grad[3], Rational::new(-7, 15));
        assert_eq!(grad.iter().copied().sum::<Rational>(), Rational::ZERO);
        assert!((s.grad_e[3] + 7.0 / 15.0 * 2f64.ln()).abs() < 1e-15);
    }
}
