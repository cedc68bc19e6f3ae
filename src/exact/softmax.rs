//! The softmax of logits that are integer multiples of ln b, exactly: e^{e_i ln b} = b^{e_i},
//! so p_i = b^{e_i} / Σ_j b^{e_j} is a fraction. Every kind whose logits are written in
//! units of ln b (conv1d's FC head, softmax_ce) prints its probabilities from this.

use super::Rational;

/// p_i = b^{e_i} / Σ_j b^{e_j} as exact fractions (the powers are taken relative to the
/// smallest exponent, so negative exponents need no fractions); `None` if a power or
/// their sum does not fit an i64, or `exponents` is empty.
pub fn softmax_of_powers(exponents: &[i64], base: u32) -> Option<Vec<Rational>> {
    let min = *exponents.iter().min()?;
    let powers: Vec<i64> = exponents
        .iter()
        .map(|&e| i64::from(base).checked_pow(u32::try_from(e.checked_sub(min)?).ok()?))
        .collect::<Option<_>>()?;
    let total = powers.iter().try_fold(0i64, |acc, &p| acc.checked_add(p))?;
    Some(powers.iter().map(|&p| Rational::new(p, total)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_are_exact_powers() {
        let p = softmax_of_powers(&[1, 2], 2).unwrap();
        assert_eq!(p, vec![Rational::new(1, 3), Rational::new(2, 3)]);
        let p = softmax_of_powers(&[-1, 1, 0], 2).unwrap();
        assert_eq!(
            p,
            vec![
                Rational::new(1, 7),
                Rational::new(4, 7),
                Rational::new(2, 7)
            ]
        );
        assert_eq!(
            softmax_of_powers(&[0, 0, 2], 3).unwrap()[2],
            Rational::new(9, 11)
        );
    }

    #[test]
    fn too_large_or_empty_is_none() {
        assert!(softmax_of_powers(&[0, 80], 3).is_none());
        assert!(softmax_of_powers(&[i64::MIN, i64::MAX], 2).is_none());
        assert!(softmax_of_powers(&[], 2).is_none());
    }
}
