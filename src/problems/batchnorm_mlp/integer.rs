//! Exact integer arithmetic behind the constructive draw of X: the centred columns of h1
//! with a given batch σ, and the determinant and adjugate that solve the first features
//! of X from them without leaving the integers.

/// Every sorted list of `n` integers that sums to 0 and whose biased variance plus `eps`
/// is σ²: the centred columns of h1 a hidden unit with batch deviation σ can have.
pub fn centred_columns(n: usize, sigma: i64, eps: f64) -> Vec<Vec<i64>> {
    let target = n as f64 * (sigma as f64 * sigma as f64 - eps);
    if target <= 0.0 || (target - target.round()).abs() > 1e-9 {
        return Vec::new();
    }
    let target = target.round() as i64;
    let bound = (target as f64).sqrt().floor() as i64;
    let mut out = Vec::new();
    let mut column = Vec::with_capacity(n);
    extend_column(n, -bound, bound, 0, target, &mut column, &mut out);
    out
}

/// Appends values ≥ `min` to `column` until it has `n` entries summing to 0 with squares
/// summing to `target`.
fn extend_column(
    n: usize,
    min: i64,
    bound: i64,
    sum: i64,
    squares: i64,
    column: &mut Vec<i64>,
    out: &mut Vec<Vec<i64>>,
) {
    let left = (n - column.len()) as i64;
    if left == 0 {
        if sum == 0 && squares == 0 {
            out.push(column.clone());
        }
        return;
    }
    // The remaining entries are each ≥ min and ≤ bound and must bring the sum back to 0.
    let need = -sum;
    if need < left * min || need > left * bound || need * need > left * squares {
        return;
    }
    for v in min..=bound {
        if v * v > squares {
            continue;
        }
        column.push(v);
        extend_column(n, v, bound, sum + v, squares - v * v, column, out);
        column.pop();
    }
}

/// Determinant of a small integer matrix (cofactor expansion along the first row).
pub(super) fn det(m: &[Vec<i64>]) -> i64 {
    match m.len() {
        0 => 1,
        1 => m[0][0],
        n => (0..n)
            .map(|j| {
                let sign = if j % 2 == 0 { 1 } else { -1 };
                sign * m[0][j] * det(&minor(m, 0, j))
            })
            .sum(),
    }
}

fn minor(m: &[Vec<i64>], row: usize, col: usize) -> Vec<Vec<i64>> {
    m.iter()
        .enumerate()
        .filter(|(i, _)| *i != row)
        .map(|(_, r)| {
            r.iter()
                .enumerate()
                .filter(|(j, _)| *j != col)
                .map(|(_, &v)| v)
                .collect()
        })
        .collect()
}

/// adj(A), so that A · adj(A) = det(A) · I.
pub(super) fn adjugate(m: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let n = m.len();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    let sign = if (i + j) % 2 == 0 { 1 } else { -1 };
                    sign * det(&minor(m, j, i))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centred_columns_have_the_asked_sigma() {
        assert_eq!(centred_columns(2, 1, 0.0), vec![vec![-1, 1]]);
        assert_eq!(centred_columns(2, 2, 0.0), vec![vec![-2, 2]]);
        assert!(centred_columns(3, 1, 0.0).is_empty());
        assert!(centred_columns(3, 2, 0.0).is_empty());
        let four = centred_columns(4, 3, 0.0);
        assert!(four.contains(&vec![-3, -1, -1, 5]), "{four:?}");
        for c in four {
            assert_eq!(c.iter().sum::<i64>(), 0);
            assert_eq!(c.iter().map(|v| v * v).sum::<i64>(), 36);
        }
    }

    #[test]
    fn adjugate_inverts_up_to_the_determinant() {
        let a = vec![vec![2, 1, 0], vec![1, 3, -1], vec![0, 1, 1]];
        let d = det(&a);
        assert_eq!(d, 2 * 4 - 1);
        let adj = adjugate(&a);
        for (i, row) in a.iter().enumerate() {
            for j in 0..3 {
                let v: i64 = row.iter().zip(&adj).map(|(x, r)| x * r[j]).sum();
                assert_eq!(v, if i == j { d } else { 0 });
            }
        }
        assert_eq!(adjugate(&[vec![5]]), vec![vec![1]]);
    }
}
