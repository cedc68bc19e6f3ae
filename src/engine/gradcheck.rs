//! Finite-difference gradient checks, shared by every engine op's tests.
//!
//! A backward pass written by hand is only trusted once it agrees with central differences,
//! `∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε)`, whose error is `O(ε²)`. The helpers are
//! public (not `cfg(test)`) so that integration tests can use them as well.

use ndarray::{Array, Dimension};

/// Central-difference gradient of the scalar function `f` at `x`; same shape as `x`.
pub fn numeric_gradient<D: Dimension>(
    f: impl Fn(&Array<f64, D>) -> f64,
    x: &Array<f64, D>,
    eps: f64,
) -> Array<f64, D> {
    // A standard-layout copy lets us perturb one coordinate at a time through a flat slice,
    // whatever the strides of `x` are; logical order is preserved for the result.
    let mut probe = x.as_standard_layout().into_owned();
    let mut grad = Vec::with_capacity(x.len());
    for i in 0..x.len() {
        let original = flat(&mut probe)[i];
        flat(&mut probe)[i] = original + eps;
        let up = f(&probe);
        flat(&mut probe)[i] = original - eps;
        let down = f(&probe);
        flat(&mut probe)[i] = original;
        grad.push((up - down) / (2.0 * eps));
    }
    Array::from_shape_vec(x.raw_dim(), grad).expect("one gradient entry per element of x")
}

fn flat<D: Dimension>(a: &mut Array<f64, D>) -> &mut [f64] {
    a.as_slice_mut()
        .expect("probe was built in standard layout")
}

/// Largest element-wise `|a − b|`; NaN if any difference is NaN, so that checks fail loudly.
pub fn max_abs_diff<D: Dimension>(a: &Array<f64, D>, b: &Array<f64, D>) -> f64 {
    assert_eq!(a.shape(), b.shape(), "max_abs_diff: shapes differ");
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, |acc, d| if d.is_nan() || d > acc { d } else { acc })
}

/// Panics with both arrays printed if they differ by more than `tol` anywhere.
#[track_caller]
pub fn assert_close<D: Dimension>(a: &Array<f64, D>, b: &Array<f64, D>, tol: f64) {
    assert_eq!(
        a.shape(),
        b.shape(),
        "assert_close: shapes differ\n left: {a}\nright: {b}"
    );
    let diff = max_abs_diff(a, b);
    // A NaN difference must fail too, and `NaN > tol` is false.
    if diff.is_nan() || diff > tol {
        panic!("assert_close: max |a − b| = {diff:e} exceeds tol {tol:e}\n left: {a}\nright: {b}");
    }
}

/// Reproducible uniform(−1, 1) test data, so gradient checks do not rely on hand-picked points.
#[cfg(test)]
pub(crate) fn random_array<Sh, D>(shape: Sh, seed: u64) -> Array<f64, D>
where
    Sh: ndarray::ShapeBuilder<Dim = D>,
    D: Dimension,
{
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    Array::from_shape_fn(shape, |_| rng.random_range(-1.0..1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array1, Array2};

    #[test]
    fn gradient_of_a_quadratic_matches_by_hand() {
        // f(x) = x0² + 3 x0 x1 ⇒ ∇f = (2 x0 + 3 x1, 3 x0); at (1, 2): (8, 3).
        let x: Array1<f64> = array![1.0, 2.0];
        let g = numeric_gradient(|v: &Array1<f64>| v[0] * v[0] + 3.0 * v[0] * v[1], &x, 1e-5);
        assert_close(&g, &array![8.0, 3.0], 1e-8);
    }

    #[test]
    fn gradient_respects_non_standard_layout() {
        // f(X) = Σ_ij (i + 1)·10^j X_ij, evaluated on a transposed view turned owned.
        let base: Array2<f64> = random_array((3, 2), 1);
        let x = base.t().to_owned();
        let weights =
            Array2::from_shape_fn((2, 3), |(i, j)| (i as f64 + 1.0) * 10f64.powi(j as i32));
        let w = weights.clone();
        let g = numeric_gradient(move |v: &Array2<f64>| (v * &w).sum(), &x, 1e-4);
        assert_close(&g, &weights, 1e-7);
    }

    #[test]
    fn max_abs_diff_reports_nan() {
        let a = array![1.0, f64::NAN];
        let b = array![1.0, 2.0];
        assert!(max_abs_diff(&a, &b).is_nan());
        assert_eq!(max_abs_diff(&array![1.0, -2.0], &array![1.5, 1.0]), 3.0);
    }

    #[test]
    #[should_panic(expected = "exceeds tol")]
    fn assert_close_panics_on_mismatch() {
        assert_close(&array![1.0, 2.0], &array![1.0, 2.1], 1e-3);
    }

    #[test]
    #[should_panic(expected = "exceeds tol")]
    fn assert_close_panics_on_nan() {
        assert_close(&array![f64::NAN], &array![0.0], 1.0);
    }
}
