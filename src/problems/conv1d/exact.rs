//! Exact softmax arithmetic for the conv1d head: with W2 and b2 in units of ln b the
//! logits are integer multiples of ln b, so the probabilities and the pooled gradient are
//! fractions the sheet can print exactly. Shared by the constraints and the draw.

use ndarray::{Array1, Array2};

use super::constraints::MAX_PROBABILITY_DENOMINATOR;
use crate::exact::Rational;

/// The logit exponents e_i = Σ_c W2_ic·h3_c + b2_i (the logits are e_i·ln b), when every
/// term is an integer.
pub(super) fn exponents(
    w2_units: &Array2<f64>,
    b2_units: &Array1<f64>,
    pooled: &Array1<f64>,
) -> Option<Vec<i64>> {
    let integer = |v: f64| (v.fract() == 0.0 && v.abs() < 1e15).then_some(v as i64);
    let h3: Vec<i64> = pooled.iter().map(|&v| integer(v)).collect::<Option<_>>()?;
    w2_units
        .rows()
        .into_iter()
        .zip(b2_units)
        .map(|(row, &b)| {
            let mut e = integer(b)?;
            for (&w, &h) in row.iter().zip(&h3) {
                e = e.checked_add(integer(w)?.checked_mul(h)?)?;
            }
            Some(e)
        })
        .collect()
}

pub(super) use crate::exact::softmax_of_powers as exact_probabilities;

pub(super) fn readable(p: &[Rational]) -> bool {
    p.iter().all(|r| r.den() <= MAX_PROBABILITY_DENOMINATOR)
}

/// Whether the distinct exponents are consecutive integers, at least two of them: the
/// logits are one unit of ln b apart ([`super::constraints::UNIT_LOGIT_GAPS`]).
pub(super) fn unit_gaps(e: &[i64]) -> bool {
    let mut distinct = e.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() >= 2 && distinct.windows(2).all(|w| w[1] - w[0] == 1)
}

/// ∂L/∂h3 in units of ln b, exactly: Σ_i (p_i − [i = y])·W2_ic for every kernel c.
pub(super) fn pooled_gradient(p: &[Rational], y: usize, w2_units: &Array2<f64>) -> Vec<Rational> {
    (0..w2_units.ncols())
        .map(|c| {
            p.iter()
                .enumerate()
                .map(|(i, &pi)| {
                    let onehot = if i == y {
                        Rational::ONE
                    } else {
                        Rational::ZERO
                    };
                    (pi - onehot) * Rational::from_int(w2_units[[i, c]] as i64)
                })
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_are_exact_powers() {
        let p = exact_probabilities(&[1, 2], 2).unwrap();
        assert_eq!(p, vec![Rational::new(1, 3), Rational::new(2, 3)]);
        let p = exact_probabilities(&[0, 0, 2], 3).unwrap();
        assert_eq!(p[2], Rational::new(9, 11));
        assert!(exact_probabilities(&[0, 80], 3).is_none());
        assert!(!readable(&exact_probabilities(&[0, 7], 2).unwrap()));
    }

    #[test]
    fn unit_gaps_are_consecutive_distinct_exponents() {
        assert!(unit_gaps(&[1, 2]));
        assert!(unit_gaps(&[0, -1, 1, 0]));
        assert!(!unit_gaps(&[3, 3]), "equal logits: nothing to compute");
        assert!(!unit_gaps(&[0, 2]));
        assert!(!unit_gaps(&[0, 1, 3]));
    }
}
