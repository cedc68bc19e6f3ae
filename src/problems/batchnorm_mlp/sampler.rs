//! The sampler: pinned parameters kept, the others drawn in the order the random-stream
//! contract fixes (see the module doc of [`super`]), constructively where it can be.
//!
//! The kind's [`Kind`] impl is here, because what is the kind's own in it is the draw;
//! its other methods name the file that does the work.

use ndarray::{Array1, Array2, Axis};

use super::constraints::{in_set, Rejection, SIGMA_IN_SET, SIGMOID_EXACT, TOL, VARIANCE_NONZERO};
use super::integer::{adjugate, det};
use super::knobs::Knobs;
use super::spec::{LabelPattern, Labels, Pinned, Settings};
use super::{
    key, render, BatchnormMlp, Params, Promise, Solution, Spec, CONSTRAINTS, KEY_CSV, KIND,
};
use crate::draw::{
    all, chance, int_in, pick, shuffle, uniform, Candidate, VariantRng,
};
use crate::engine::batchnorm::batchnorm_forward;
use crate::engine::linear::linear_forward;
use crate::engine::relu::relu;
use crate::exact::{LnMultiple, Rational};
use crate::problems::{array1, Kind};

/// Draws this problem's parameters (pinned ones are kept) under [`CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) settings: Settings,
    pub(super) pinned: Pinned,
    /// None when the spec has no `draw:` section (then every parameter is pinned).
    pub(super) knobs: Option<Knobs>,
}

/// Above this many W2 vectors in `w2_range`, the exact-sigmoid head is drawn by rejection
/// instead of by listing every vector that works.
const MAX_HEADS: usize = 4096;

fn uniform_matrix(rng: &mut VariantRng, rows: usize, cols: usize, r: (i64, i64)) -> Array2<f64> {
    let values: Vec<f64> = (0..rows * cols).map(|_| uniform(rng, r)).collect();
    Array2::from_shape_vec((rows, cols), values).expect("rows · cols values")
}

fn uniform_vector(rng: &mut VariantRng, len: usize, r: (i64, i64)) -> Array1<f64> {
    Array1::from_shape_fn(len, |_| uniform(rng, r))
}

/// The matrix as integers, if every entry is one.
fn integers(a: &Array2<f64>) -> Option<Vec<Vec<i64>>> {
    a.rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .map(|&v| (v.fract() == 0.0 && v.abs() < 1e6).then_some(v as i64))
                .collect()
        })
        .collect()
}

/// The batchnorm_mlp kind: the draw is written here, next to the [`Sampler`] it reads; the
/// spec check, the engine run, the key entry and the views are in their own files.
impl Kind for BatchnormMlp {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 6,
        max_integer: 9,
        max_fractions: 7,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: Some("      X: [[1, 1], [-1, 3]]\n      y: [1, 1]\n      W1: [[1, 0], [0, 1]]\n      b1: [0, 0]\n      \
             W2: [[1, 1]]\n      b2: [-1]\n      lr: 1\n      batchnorm_backward: stats_constant\n"),
        partly_pinned: (
            "      W2: [[1, 1]]\n      lr: 1\n      draw: {}\n",
            &[("W2", "[[1, 1]]"), ("lr", "1")],
        ),
        broken: (
            "      X: [[0, 0], [1, 1], [2, 2]]\n      y: [1, 1, 0]\n      W1: [[1, 0], [0, 1]]\n      \
             b1: [0, 0]\n      W2: [[1, 1]]\n      b2: [-1]\n      lr: 1\n      \
             batchnorm_backward: stats_constant\n",
            "no_relu_kink",
        ),
    };
    type Spec = Spec;
    type Plan = Sampler;
    type Params = Params;
    type Solution = Solution;
    type KeyParams = key::KeyParams;
    type Answers = key::Answers;
    type Question = render::Question;
    type Worked = render::SolutionSheet;

    fn pinned(plan: &Sampler) -> Option<Params> {
        let p = &plan.pinned;
        Some(plan.params(
            p.x.clone()?,
            p.y.clone()?,
            (p.w1.clone()?, p.b1.clone()?),
            (p.w2.clone()?, p.b2.clone()?, None),
        ))
    }

    fn candidate(plan: &Sampler, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let k = plan
            .knobs
            .as_ref()
            .expect("a sampler that draws has a draw: section");
        let p = &plan.pinned;
        let w1 = match &p.w1 {
            Some(w1) => w1.clone(),
            None => uniform_matrix(rng, k.hidden, k.inputs, k.w1_range),
        };
        let b1 = match &p.b1 {
            Some(b1) => b1.clone(),
            None => uniform_vector(rng, k.hidden, k.b1_range),
        };
        let x = match (&p.x, integers(&w1)) {
            (Some(x), _) => x.clone(),
            (None, Some(w1)) if k.hidden <= k.inputs => plan.construct_x(rng, &w1)?,
            (None, _) => uniform_matrix(rng, k.batch, k.inputs, k.x_range),
        };
        let h1 = linear_forward(&x, &w1, &b1);
        let (h_hat, stats) = batchnorm_forward(&h1, plan.settings.eps);
        if stats.var.iter().any(|&v| v <= TOL) {
            return Err(&VARIANCE_NONZERO);
        }
        if !stats.std.iter().all(|&s| in_set(s, &k.sigmas)) {
            return Err(&SIGMA_IN_SET);
        }
        let y = match (&p.y, &k.labels) {
            (Some(y), _) => y.clone(),
            (None, Labels::List(list)) => array1(list),
            (None, Labels::Pattern(LabelPattern::Ones)) => Array1::ones(k.batch),
            (None, Labels::Pattern(LabelPattern::Drawn)) => {
                Array1::from_shape_fn(k.batch, |_| if chance(rng, 1, 2) { 1.0 } else { 0.0 })
            }
        };
        let head = plan.draw_head(rng, &relu(&h_hat))?;
        Ok(plan.params(x, y, (w1, b1), head))
    }

    fn constraints(_plan: &Sampler) -> Vec<Rejection> {
        all(CONSTRAINTS)
    }
}

impl Sampler {
    fn promise(&self) -> Option<Promise> {
        self.knobs.as_ref().map(|k| Promise {
            sigmas: k.sigmas.clone(),
            odds: k.odds.clone(),
        })
    }

    fn params(
        &self,
        x: Array2<f64>,
        y: Array1<f64>,
        (w1, b1): (Array2<f64>, Array1<f64>),
        (w2, b2, b2_ln): Head,
    ) -> Params {
        let s = &self.settings;
        Params {
            points: s.points,
            x,
            y,
            w1,
            b1,
            w2,
            b2,
            b2_ln,
            lr: s.lr,
            eps: s.eps,
            backward: s.backward,
            sigmoid_decimals: s.sigmoid_decimals,
            promise: self.promise(),
        }
    }

    /// X whose h1 = X W1ᵀ + b1 has drawn centred columns with drawn σ's (needs at least
    /// as many features as hidden units; the first h features are solved for).
    fn construct_x(&self, rng: &mut VariantRng, w1: &[Vec<i64>]) -> Result<Array2<f64>, Rejection> {
        let k = self.knobs.as_ref().expect("drawing");
        let (n, d, h) = (k.batch, k.inputs, k.hidden);
        let mut centred = vec![vec![0i64; h]; n];
        for j in 0..h {
            let (_, columns) = pick(rng, &k.columns);
            let mut column = pick(rng, columns).clone();
            shuffle(rng, &mut column);
            for (row, v) in centred.iter_mut().zip(column) {
                row[j] = v;
            }
        }
        let extra: Vec<Vec<i64>> = (0..n)
            .map(|_| {
                (h..d)
                    .map(|_| int_in(rng, k.x_range.0, k.x_range.1))
                    .collect()
            })
            .collect();
        let block: Vec<Vec<i64>> = w1.iter().map(|r| r[..h].to_vec()).collect();
        let det = det(&block);
        if det == 0 {
            return Err(&SIGMA_IN_SET);
        }
        let adj = adjugate(&block);
        let ni = n as i64;
        // Q = N·C − (N·X_b − ΣX_b)·B^T is N times the centred part the first h features
        // must produce; M = Q·adj(A)^T is N·det(A) times their centred values.
        let sums: Vec<i64> = (0..d - h)
            .map(|m| extra.iter().map(|r| r[m]).sum())
            .collect();
        let q: Vec<Vec<i64>> = (0..n)
            .map(|i| {
                (0..h)
                    .map(|j| {
                        let from_extra: i64 = (0..d - h)
                            .map(|m| (ni * extra[i][m] - sums[m]) * w1[j][h + m])
                            .sum();
                        ni * centred[i][j] - from_extra
                    })
                    .collect()
            })
            .collect();
        let scale = ni * det;
        let mut x = Array2::zeros((n, d));
        for c in 0..h {
            let m: Vec<i64> = (0..n)
                .map(|i| (0..h).map(|j| q[i][j] * adj[c][j]).sum())
                .collect();
            if m.iter().any(|&v| (v - m[0]) % scale != 0) {
                return Err(&SIGMA_IN_SET);
            }
            let offsets: Vec<i64> = m.iter().map(|&v| (v - m[0]) / scale).collect();
            let lo = k.x_range.0 - offsets.iter().min().expect("n ≥ 2");
            let hi = k.x_range.1 - offsets.iter().max().expect("n ≥ 2");
            if lo > hi {
                return Err(&SIGMA_IN_SET);
            }
            let t = int_in(rng, lo, hi);
            for (i, o) in offsets.iter().enumerate() {
                x[[i, c]] = (t + o) as f64;
            }
        }
        for (i, row) in extra.iter().enumerate() {
            for (m, &v) in row.iter().enumerate() {
                x[[i, h + m]] = v as f64;
            }
        }
        Ok(x)
    }

    /// W2 and b2: with the exact sigmoid, one of the heads that give every example the
    /// same W2·h2, and b2 = −W2·h2 ± ln k (k drawn from `odds`), so every logit is ±ln k.
    fn draw_head(&self, rng: &mut VariantRng, h2: &Array2<f64>) -> Result<Head, Rejection> {
        let k = self.knobs.as_ref().expect("drawing");
        let p = &self.pinned;
        if self.settings.sigmoid_decimals.is_some() {
            let w2 = match &p.w2 {
                Some(w2) => w2.clone(),
                None => uniform_matrix(rng, 1, k.hidden, k.w2_range),
            };
            let b2 = match &p.b2 {
                Some(b2) => b2.clone(),
                None => uniform_vector(rng, 1, k.b2_range),
            };
            return Ok((w2, b2, None));
        }
        let (lo, hi) = k.w2_range;
        let width = (hi - lo + 1) as usize;
        let heads: Vec<Array1<f64>> = match &p.w2 {
            Some(w2) => vec![w2.row(0).to_owned()],
            None if width
                .checked_pow(k.hidden as u32)
                .is_some_and(|c| c <= MAX_HEADS) =>
            {
                every_vector(k.hidden, (lo, hi))
                    .into_iter()
                    .filter(|w| w.iter().any(|&v| v != 0.0))
                    .collect()
            }
            None => vec![uniform_vector(rng, k.hidden, k.w2_range)],
        };
        let valid: Vec<(Array1<f64>, f64)> = heads
            .into_iter()
            .filter_map(|w| {
                let logits = h2.dot(&w);
                let first = logits[0];
                if logits.iter().any(|v| (v - first).abs() > TOL) {
                    return None;
                }
                let b = -first;
                match &p.b2 {
                    Some(b2) => ((b - b2[0]).abs() < TOL).then_some((w, b2[0])),
                    None => {
                        let r = b.round();
                        let ok = (b - r).abs() < TOL
                            && (k.b2_range.0..=k.b2_range.1).contains(&(r as i64));
                        ok.then_some((w, r + 0.0))
                    }
                }
            })
            .collect();
        if valid.is_empty() {
            return Err(&SIGMOID_EXACT);
        }
        let (w, b) = pick(rng, &valid).clone();
        // A pinned b2 is a number: its logit has no ln part.
        let b2_ln = match &p.b2 {
            Some(_) => None,
            None => {
                let odds = *pick(rng, &k.odds);
                (odds > 1).then(|| {
                    let sign = if chance(rng, 1, 2) { 1 } else { -1 };
                    LnMultiple {
                        coef: Rational::from_int(sign),
                        base: odds as u32,
                    }
                })
            }
        };
        let b = b + b2_ln.map_or(0.0, |ln| ln.to_f64());
        Ok((w.insert_axis(Axis(0)), Array1::from_elem(1, b), b2_ln))
    }
}

/// W2, b2 and the ln part of b2.
type Head = (Array2<f64>, Array1<f64>, Option<LnMultiple>);

/// Every vector of `len` integers in `lo..=hi`, in lexicographic order.
fn every_vector(len: usize, (lo, hi): (i64, i64)) -> Vec<Array1<f64>> {
    let mut out = vec![Vec::with_capacity(len)];
    for _ in 0..len {
        out = out
            .into_iter()
            .flat_map(|prefix: Vec<f64>| {
                (lo..=hi).map(move |v| {
                    let mut next = prefix.clone();
                    next.push(v as f64);
                    next
                })
            })
            .collect();
    }
    out.into_iter().map(Array1::from).collect()
}

#[cfg(test)]
mod tests {
    use crate::draw::DrawError;
    use super::super::BatchnormMlp as K;
    use crate::problems::Kind as _;
    use super::super::testing::{sampler, EXAM_2022};
    use super::*;
    use crate::draw::{broken, problem_rng};

    #[test]
    fn the_2022_exam_keeps_every_promise() {
        let s = sampler(EXAM_2022).expect("valid");
        assert!(K::is_fixed(&s));
        let (mut p, sol, tries) = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).expect("draws");
        assert_eq!(tries, 1);
        // Vacuous without draw:, so check it with the default promise too.
        p.promise = Some(Promise {
            sigmas: vec![1, 2],
            odds: vec![1, 2],
        });
        assert_eq!(broken(&p, &sol, &all(CONSTRAINTS)), Vec::<&str>::new());
        // And pinned in full under a draw: section, which checks every promise.
        let pinned = sampler(&format!("{EXAM_2022}draw: {{}}\n")).expect("valid");
        assert!(K::is_fixed(&pinned));
        assert_eq!(
            K::draw(&pinned, &mut problem_rng(1, 2, 3, 0)).expect("draws").2,
            1
        );
    }

    #[test]
    fn a_pinned_variant_that_breaks_a_promise_is_a_draw_error() {
        let yaml = EXAM_2022.replace("b2: [-1]", "b2: [0]");
        let s = sampler(&format!("{yaml}draw: {{}}\n")).expect("valid");
        let e = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).expect_err("s = 1");
        assert_eq!(
            e,
            DrawError {
                constraint: "sigmoid_exact",
                tries: 1
            }
        );
        // Without draw: the author vouches for the numbers (the commands' loader still
        // refuses the sheet's irrational p, naming it).
        assert!(K::draw(&sampler(&yaml).expect("valid"), &mut problem_rng(0, 0, 0, 0))
            .is_ok());
    }

    #[test]
    fn drawn_variants_keep_pins_and_the_promises() {
        let s = sampler("W1: [[1, 0], [0, 1]]\ndraw:\n  labels: drawn\n").expect("valid");
        assert!(!K::is_fixed(&s));
        let mut logits = std::collections::BTreeSet::new();
        for student in 0..50 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(3, student, 0, 0)).expect("draws");
            assert_eq!(p.w1, ndarray::array![[1.0, 0.0], [0.0, 1.0]]);
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            // Every example has the logit ±ln k of b2's ln part (0 without one).
            let shift = p.b2_ln.map_or(0.0, |l| l.to_f64());
            assert!(sol.s.iter().all(|v| (v - shift).abs() < 1e-12));
            assert!(p.b2_ln.is_none_or(|l| l.base == 2 && l.coef.abs() == Rational::ONE));
            logits.insert((shift * 1e6).round() as i64);
        }
        assert_eq!(logits.len(), 3, "s = 0, ln 2 and −ln 2 all come up: {logits:?}");
        let wide = sampler("draw:\n  batch: 4\n  inputs: 3\n  hidden: 2\n  sigmas: [1, 2, 3]\n")
            .expect("valid");
        for student in 0..50 {
            let (p, sol, _) = K::draw(&wide, &mut problem_rng(4, student, 0, 0))
                .expect("draws");
            assert_eq!(p.x.dim(), (4, 3));
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
        }
    }
}
