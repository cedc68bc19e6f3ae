//! Deviation vectors with an integer standard deviation: integer vectors d of length N
//! with Σd = 0 and Σd² = N·σ², so that a column x = μ + d has mean μ, biased variance
//! σ² and x̂ = d/σ — every value of the problem is then an exact fraction. A vector
//! whose entries are all ±σ is left out: its x̂ is all ±1 and the backward far shorter
//! than other students' (the constraint `x_hat_not_all_unit`). They are enumerated once
//! per plan (a handful of thousands at most), so a draw is one uniform pick.

/// Every integer vector of length `n` with entries in `lo..=hi`, Σd = 0 and
/// Σd² = n·σ², some entry not ±σ, in lexicographic order.
pub fn deviation_vectors(n: usize, sigma: i64, (lo, hi): (i64, i64)) -> Vec<Vec<i64>> {
    let mut out = Vec::new();
    let mut prefix = Vec::with_capacity(n);
    let squares = n as i64 * sigma * sigma;
    extend(&mut prefix, n, squares, 0, (lo, hi), &mut out);
    out.retain(|v| v.iter().any(|d| d.abs() != sigma));
    out
}

/// Depth-first: `squares_left` and `sum` are what the entries chosen so far leave; a
/// branch stops as soon as its squares overshoot.
fn extend(
    prefix: &mut Vec<i64>,
    n: usize,
    squares_left: i64,
    sum: i64,
    (lo, hi): (i64, i64),
    out: &mut Vec<Vec<i64>>,
) {
    if prefix.len() + 1 == n {
        // The last entry is forced by Σd = 0.
        let last = -sum;
        if (lo..=hi).contains(&last) && last * last == squares_left {
            let mut v = prefix.clone();
            v.push(last);
            out.push(v);
        }
        return;
    }
    for d in lo..=hi {
        if d * d > squares_left {
            continue;
        }
        prefix.push(d);
        extend(prefix, n, squares_left - d * d, sum + d, (lo, hi), out);
        prefix.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::deviation_vectors;

    #[test]
    fn every_vector_has_zero_sum_and_the_asked_variance() {
        for n in 3..=6 {
            for sigma in 1..=4 {
                for d in deviation_vectors(n, sigma, (-8, 8)) {
                    assert_eq!(d.len(), n);
                    assert_eq!(d.iter().sum::<i64>(), 0, "{d:?}");
                    let squares: i64 = d.iter().map(|v| v * v).sum();
                    assert_eq!(squares, n as i64 * sigma * sigma, "{d:?}");
                }
            }
        }
    }

    #[test]
    fn the_issues_example_is_among_them_and_the_range_is_kept() {
        let all = deviation_vectors(4, 3, (-5, 5));
        assert!(all.contains(&vec![-3, -1, -1, 5]));
        assert!(all.iter().flatten().all(|v| (-5..=5).contains(v)));
        // σ = 1 or 2 with four examples: Σd² = 4σ² and Σd = 0 only for two σs and two
        // −σs, which are left out; σ = 3 keeps (−3, −1, −1, 5) but not (3, 3, −3, −3).
        assert!(deviation_vectors(4, 1, (-5, 5)).is_empty());
        assert!(deviation_vectors(4, 2, (-5, 5)).is_empty());
        assert!(!all.contains(&vec![3, 3, -3, -3]));
        assert!(deviation_vectors(4, 3, (-4, 4)).iter().all(|d| !d.contains(&5)));
        // No integer vector of three entries has Σd² = 3.
        assert!(deviation_vectors(3, 1, (-5, 5)).is_empty());
    }
}
