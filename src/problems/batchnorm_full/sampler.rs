//! Draws a batchnorm_full variant: pinned parameters are kept, the rest drawn from the
//! knobs in the order the module documentation fixes (the random-stream contract).

use ndarray::{Array1, Array2};

use super::Params;
use crate::draw::{index, int_in, pick, uniform, VariantRng};
use crate::spec::Points;

/// Draws this problem's parameters (pinned ones are kept) under
/// [`super::CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) points: Points,
    pub(super) pinned: Pinned,
    pub(super) knobs: Knobs,
}

/// The knobs after defaults and pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    /// N, inclusive (both ends equal when a pin fixes it).
    pub(super) batch: (usize, usize),
    /// d, inclusive.
    pub(super) features: (usize, usize),
    /// For each N of `batch` (index N − batch.0): the (σ, its deviation vectors) that
    /// have at least one vector; never empty for a drawn x (the spec checks it).
    pub(super) columns: Vec<Vec<(i64, Vec<Vec<i64>>)>>,
    pub(super) mean_range: (i64, i64),
    pub(super) gamma_range: (i64, i64),
    pub(super) beta_range: (i64, i64),
    pub(super) grad_range: (i64, i64),
    pub(super) momentums: Vec<f64>,
    pub(super) running_mean_range: (i64, i64),
    pub(super) running_var_range: (i64, i64),
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq, Default)]
pub(super) struct Pinned {
    pub(super) x: Option<Array2<f64>>,
    pub(super) gamma: Option<Array1<f64>>,
    pub(super) beta: Option<Array1<f64>>,
    pub(super) grad_y: Option<Array2<f64>>,
    pub(super) momentum: Option<f64>,
    pub(super) running_mean: Option<Array1<f64>>,
    pub(super) running_var: Option<Array1<f64>>,
}

impl Sampler {
    /// The fully pinned variant, if every parameter is pinned.
    pub(super) fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        Some(Params {
            points: self.points,
            x: p.x.clone()?,
            gamma: p.gamma.clone()?,
            beta: p.beta.clone()?,
            grad_y: p.grad_y.clone()?,
            momentum: p.momentum?,
            running_mean: p.running_mean.clone()?,
            running_var: p.running_var.clone()?,
        })
    }

    pub(super) fn candidate(&self, rng: &mut VariantRng) -> Params {
        let k = &self.knobs;
        let n = int_in(rng, k.batch.0 as i64, k.batch.1 as i64) as usize;
        let d = int_in(rng, k.features.0 as i64, k.features.1 as i64) as usize;
        let x = match &self.pinned.x {
            Some(x) => x.clone(),
            None => self.draw_x(rng, n, d),
        };
        let vector = |rng: &mut VariantRng, pinned: &Option<Array1<f64>>, r| match pinned {
            Some(v) => v.clone(),
            None => (0..d).map(|_| uniform(rng, r)).collect(),
        };
        let gamma = vector(rng, &self.pinned.gamma, k.gamma_range);
        let beta = vector(rng, &self.pinned.beta, k.beta_range);
        let grad_y = match &self.pinned.grad_y {
            Some(g) => g.clone(),
            None => Array2::from_shape_simple_fn((n, d), || uniform(rng, k.grad_range)),
        };
        let momentum = match self.pinned.momentum {
            Some(m) => m,
            None => *pick(rng, &k.momentums),
        };
        let running_mean = vector(rng, &self.pinned.running_mean, k.running_mean_range);
        let running_var = vector(rng, &self.pinned.running_var, k.running_var_range);
        Params {
            points: self.points,
            x,
            gamma,
            beta,
            grad_y,
            momentum,
            running_mean,
            running_var,
        }
    }

    /// Each column a mean plus a deviation vector of an integer σ.
    fn draw_x(&self, rng: &mut VariantRng, n: usize, d: usize) -> Array2<f64> {
        let k = &self.knobs;
        let columns = &k.columns[n - k.batch.0];
        let mut x = Array2::zeros((n, d));
        for j in 0..d {
            let (_, vectors) = pick(rng, columns);
            let deviations = &vectors[index(rng, vectors.len())];
            let mean = int_in(rng, k.mean_range.0, k.mean_range.1);
            for (i, dev) in deviations.iter().enumerate() {
                x[(i, j)] = (mean + dev) as f64;
            }
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::super::BatchnormFull as K;
    use super::super::CONSTRAINTS;
    use crate::draw::{all, broken, problem_rng};
    use crate::problems::Kind as _;

    #[test]
    fn a_pinned_variant_is_fixed_and_takes_one_try() {
        let s = sampler(PINNED).unwrap();
        let (p, sol, tries) = K::draw(&s, &mut problem_rng(1, 2, 3, 0)).unwrap();
        assert_eq!(tries, 1);
        assert_eq!(p.x.column(0).to_vec(), vec![1.0, 3.0, 3.0, 9.0]);
        assert_eq!(broken(&p, &sol, &all(CONSTRAINTS)), Vec::<&str>::new());
    }

    #[test]
    fn drawn_columns_have_an_integer_sigma_and_keep_the_knobs() {
        let s = sampler(
            "gamma: [2, -1]\ndraw: {batch_range: [4, 5], sigma_range: [2, 3], mean_range: [0, 3]}\n",
        )
        .unwrap();
        let mut sizes = std::collections::BTreeSet::new();
        for student in 0..200 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(3, student, 0, 0)).unwrap();
            assert_eq!(p.gamma.to_vec(), vec![2.0, -1.0]);
            assert_eq!(p.x.ncols(), 2);
            for j in 0..2 {
                let mu = sol.stats.mean[j];
                let sigma = sol.stats.std[j];
                assert!((0.0..=3.0).contains(&mu) && mu.fract() == 0.0, "{p:?}");
                assert!(sigma == 2.0 || sigma == 3.0, "{p:?}");
                assert!(p.x.nrows() == 5 || sigma == 3.0, "{p:?}");
                assert!(sol.x_hat.column(j).iter().any(|h| h.abs() != 1.0), "{p:?}");
            }
            assert!(p.grad_y.iter().all(|g| (-3.0..=3.0).contains(g)));
            assert_eq!((p.momentum, p.running_mean[0], p.running_var[0]), (0.1, 0.0, 1.0));
            sizes.insert(p.x.nrows());
        }
        // Four examples with σ = 2 have only x̂ = ±1 (left out), so N = 4 draws σ = 3
        // only (checked in the loop).
        assert!(sizes.contains(&4) && sizes.contains(&5), "{sizes:?}");
    }

    #[test]
    fn broken_pinned_variants_name_their_constraint() {
        let draw = |yaml: &str| K::draw(&sampler(yaml).unwrap(), &mut problem_rng(0, 0, 0, 0));
        let err = draw(&PINNED.replace("[[1], [3], [3], [9]]", "[[2], [2], [2], [2]]")).unwrap_err();
        assert_eq!(err.constraint, "nonconstant_features");
        let err = draw(&PINNED.replace("[[1], [3], [3], [9]]", "[[0], [1], [2], [3]]")).unwrap_err();
        assert_eq!(err.constraint, "rational_sigma");
        let err = draw(&PINNED.replace("[[1], [3], [3], [9]]", "[[1], [5], [1], [5]]")).unwrap_err();
        assert_eq!(err.constraint, "x_hat_not_all_unit");
        let err = draw(&PINNED.replace("gamma: [2]", "gamma: [0]")).unwrap_err();
        assert_eq!(err.constraint, "gamma_nonzero");
        let err = draw(&PINNED.replace("[[1], [0], [-1], [2]]", "[[2], [2], [2], [2]]")).unwrap_err();
        assert_eq!(err.constraint, "gradient_not_projected_out");
    }
}
