//! Drawing the parameters: a fixed problem yields its pins, a randomized one draws every
//! unpinned parameter in the order of the random-stream contract (see the module doc of
//! [`super`]) and rejects a candidate that breaks a constraint.
//!
//! The kind's [`Kind`] impl is here, because what is the kind's own in it is the draw;
//! its other methods name the file that does the work.

use ndarray::{Array1, Array2};

use super::constraints::{
    apart, readable, Rejection, CONSTRAINTS, DISTINCT_DISTANCES, READABLE_SIMILARITIES,
    SIMILARITIES_APART, TWO_RELEVANT,
};
use super::spec::{Knobs, Pinned};
use super::{key, render, Params, RetrievalAp, Solution, Spec, KEY_CSV, KIND};
use crate::draw::{all, int_in, pick, shuffle, Candidate, VariantRng};
use crate::engine::retrieval::Similarity;
use crate::problems::Kind;
use crate::spec::Points;

/// Draws this problem's parameters (pinned ones are kept) under [`CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) points: Points,
    pub(super) pinned: Pinned,
    /// None when the spec has no `draw:` section (then every parameter is pinned).
    pub(super) knobs: Option<Knobs>,
}

/// A coordinate on the grid: a multiple of 1/`per_unit` in `range`.
fn coordinate(rng: &mut VariantRng, per_unit: i64, (lo, hi): (i64, i64)) -> f64 {
    int_in(rng, lo * per_unit, hi * per_unit) as f64 / per_unit as f64
}

/// The retrieval_ap kind: the draw is written here, next to the [`Sampler`] it reads; the
/// spec check, the engine run, the key entry and the views are in their own files.
impl Kind for RetrievalAp {
    const NAME: &'static str = KIND;
    const KEY_CSV: crate::problems::KeyCsv = KEY_CSV;
    // 2022: AP = 29/36 (the largest denominator and numerator a database of four can
    // give) and six different fractions; a drawn variant may show a few more fractions
    // (its similarities are rarely all among the precisions and recalls, as 2022's were).
    const BUDGET: crate::render::measure::Budget = crate::render::measure::Budget {
        max_denominator: 36,
        max_integer: 29,
        max_fractions: 8,
    };
    const EXAMPLES: crate::problems::kind::Examples = crate::problems::kind::Examples {
        reference: Some("      X: [[1, 0], [3, -1], [-0.5, 0.5], [1, 4]]\n      y: [1, 1, 0, 1]\n      \
             query: [1, 1]\n      query_label: 1\n      similarity: inverse_l1\n"),
        partly_pinned: (
            "      query: [1, 1]\n      similarity: inverse_l1\n      draw: {}\n",
            &[("query", "[1, 1]"), ("similarity", "\"inverse_l1\"")],
        ),
        broken: (
            "      X: [[1, 0], [3, -1], [-0.5, 0.5], [1, 4]]\n      y: [1, 1, 1, 1]\n      \
             query: [1, 1]\n      query_label: 1\n      similarity: inverse_l1\n",
            "one_irrelevant",
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
        let similarity = match (&plan.knobs, p.similarity) {
            (_, Some(s)) => s,
            (None, None) => Similarity::InverseL1,
            (Some(k), None) if k.similarities.len() == 1 => k.similarities[0],
            (Some(_), None) => return None,
        };
        Some(Params {
            points: plan.points,
            x: p.x.clone()?,
            y: p.y.clone()?,
            query: p.query.clone()?,
            query_label: p.query_label?,
            similarity,
        })
    }

    fn candidate(plan: &Sampler, rng: &mut VariantRng) -> Candidate<Params, Solution> {
        let k = plan
            .knobs
            .as_ref()
            .expect("a sampler that draws has a draw: section");
        let p = &plan.pinned;
        let similarity = match p.similarity {
            Some(s) => s,
            None => *pick(rng, &k.similarities),
        };
        let query = match &p.query {
            Some(q) => q.clone(),
            None => {
                Array1::from_shape_fn(k.dim, |_| coordinate(rng, k.per_unit, k.coordinate_range))
            }
        };
        let x = match &p.x {
            Some(x) => x.clone(),
            None => draw_rows(rng, k, similarity, &query)?,
        };
        let (query_label, y) = match (p.query_label, &p.y) {
            (Some(label), Some(y)) => (label, y.clone()),
            (None, Some(y)) => (query_label_for(rng, y)?, y.clone()),
            (label, None) => {
                let (lo, hi) = k.label_range;
                let label = label.unwrap_or_else(|| int_in(rng, lo, hi));
                (label, plan.labels(rng, label))
            }
        };
        Ok(Params {
            points: plan.points,
            x,
            y,
            query,
            query_label,
            similarity,
        })
    }

    fn constraints(plan: &Sampler) -> Vec<Rejection> {
        let mut list = all(CONSTRAINTS);
        if plan.draws_coordinates() {
            list.extend([&READABLE_SIMILARITIES, &SIMILARITIES_APART]);
        }
        list
    }
}

/// How often one database row is redrawn before the candidate is given up.
const ROW_TRIES: usize = 200;

/// The database rows in order, each redrawn until its similarity is finite, a readable
/// fraction and a clear step from the earlier rows'. Rejecting whole databases instead
/// would keep about 1 in 4 of the default's (four rows on the half-integer grid) and
/// almost none of larger ones (seven rows must take seven of the few readable values).
fn draw_rows(
    rng: &mut VariantRng,
    k: &Knobs,
    similarity: Similarity,
    query: &Array1<f64>,
) -> Result<Array2<f64>, Rejection> {
    let mut x = Array2::zeros((k.items, k.dim));
    let mut shown = Vec::with_capacity(k.items);
    for i in 0..k.items {
        let mut fault = &READABLE_SIMILARITIES;
        let mut accepted = None;
        for _ in 0..ROW_TRIES {
            let row = Array1::from_shape_fn(k.dim, |_| {
                coordinate(rng, k.per_unit, k.coordinate_range)
            });
            let s = similarity.of(row.view(), query.view());
            if !s.is_finite() {
                fault = &DISTINCT_DISTANCES;
            } else if let Some(r) = readable(s) {
                if shown.iter().all(|&earlier| apart(r, earlier)) {
                    accepted = Some((row, r));
                    break;
                }
                fault = &SIMILARITIES_APART;
            } else {
                fault = &READABLE_SIMILARITIES;
            }
        }
        let (row, r) = accepted.ok_or(fault)?;
        x.row_mut(i).assign(&row);
        shown.push(r);
    }
    Ok(x)
}

impl Sampler {
    /// Whether the database or the query is drawn, so that the similarities are: the
    /// fairness constraints on them bind only then.
    fn draws_coordinates(&self) -> bool {
        self.knobs.is_some() && (self.pinned.x.is_none() || self.pinned.query.is_none())
    }

    /// Database labels with 2..n−1 items relevant to `query_label`.
    fn labels(&self, rng: &mut VariantRng, query_label: i64) -> Vec<i64> {
        let k = self.knobs.as_ref().expect("drawing");
        let n = k.items;
        let relevant = int_in(rng, 2, n as i64 - 1) as usize;
        let mut order: Vec<usize> = (0..n).collect();
        shuffle(rng, &mut order);
        // Never empty: the label range has at least two identities.
        let others: Vec<i64> = (k.label_range.0..=k.label_range.1)
            .filter(|&l| l != query_label)
            .collect();
        let mut y = vec![query_label; n];
        for &i in &order[relevant..] {
            y[i] = *pick(rng, &others);
        }
        y
    }
}

/// A query label for pinned database labels: one held by at least two items but not all.
fn query_label_for(rng: &mut VariantRng, y: &[i64]) -> Result<i64, Rejection> {
    let mut labels: Vec<i64> = y.to_vec();
    labels.sort_unstable();
    labels.dedup();
    let usable: Vec<i64> = labels
        .into_iter()
        .filter(|l| {
            let count = y.iter().filter(|v| *v == l).count();
            count >= 2 && count < y.len()
        })
        .collect();
    if usable.is_empty() {
        return Err(&TWO_RELEVANT);
    }
    Ok(*pick(rng, &usable))
}

#[cfg(test)]
mod tests {
    use crate::draw::DrawError;
    use super::super::RetrievalAp as K;
    use crate::problems::Kind as _;
    use super::super::fixtures::{sampler, EXAM_2022};
    use super::*;
    use crate::draw::{broken, problem_rng};
    use crate::exact::Rational;

    #[test]
    fn the_2022_exam_satisfies_every_constraint() {
        for yaml in [EXAM_2022.to_string(), format!("{EXAM_2022}draw: {{}}\n")] {
            let s = sampler(&yaml).expect("valid");
            assert!(K::is_fixed(&s));
            let (p, sol, tries) = K::draw(&s, &mut problem_rng(5, 6, 7, 0)).expect("draws");
            assert_eq!(tries, 1);
            assert_eq!(sol.ap_exact, Rational::new(29, 36));
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
        }
    }

    #[test]
    fn a_pinned_variant_that_breaks_a_constraint_is_a_draw_error() {
        // Both relevant items rank first: AP = 1.
        let yaml =
            "X: [[1, 0], [3, -1], [-0.5, 0.5]]\ny: [1, 0, 1]\nquery: [1, 1]\nquery_label: 1\n";
        let e = K::draw(&sampler(yaml).expect("valid"), &mut problem_rng(0, 0, 0, 0))
            .expect_err("AP = 1");
        assert_eq!(
            e,
            DrawError {
                constraint: "ap_below_one",
                tries: 1
            }
        );
    }

    #[test]
    fn drawn_similarities_are_readable_and_apart_and_only_drawn_ones_must_be() {
        let names = |s: &Sampler| -> Vec<&str> {
            K::constraints(s).iter().map(|c| c.name).collect()
        };
        let fair = ["readable_similarities", "similarities_apart"];
        let fixed = sampler(EXAM_2022).unwrap();
        assert!(fair.iter().all(|n| !names(&fixed).contains(n)));
        let labels_only = sampler(&format!("{}draw: {{}}\n", EXAM_2022.replace("y: [1, 1, 0, 1]\n", "")))
            .unwrap();
        assert!(fair.iter().all(|n| !names(&labels_only).contains(n)));
        let drawn = sampler("draw: {}\n").unwrap();
        assert!(fair.iter().all(|n| names(&drawn).contains(n)));
        for student in 0..100 {
            let (p, sol, _) = K::draw(&drawn, &mut problem_rng(2, student, 1, 0)).unwrap();
            assert!(broken(&p, &sol, &K::constraints(&drawn)).is_empty());
            let mut sims = sol.similarities.to_vec();
            sims.sort_by(f64::total_cmp);
            assert!(sims.windows(2).all(|w| w[1] - w[0] >= 1.0 / 30.0 - 1e-12), "{sims:?}");
        }
    }

    #[test]
    fn too_many_items_for_readable_similarities_name_the_constraint() {
        // Integer coordinates give similarities 1/d; no eight of those with d ≤ 10 are
        // 1/30 apart.
        let s = sampler("draw: {items: 8, coordinates: integer, coordinate_range: [-3, 6]}\n")
            .unwrap();
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "similarities_apart");
    }

    #[test]
    fn drawn_variants_keep_pins_and_constraints() {
        let s = sampler("query: [1, 1]\ndraw:\n  similarities: [inverse_l1, inverse_l2_squared]\n")
            .expect("valid");
        assert!(!K::is_fixed(&s));
        for student in 0..100 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(9, student, 1, 0)).expect("draws");
            assert_eq!(p.query, ndarray::array![1.0, 1.0]);
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            assert!(p.x.iter().all(|v| (v * 2.0).fract() == 0.0));
        }
        let labelled =
            sampler("y: [3, 3, 5, 3, 5]\ndraw:\n  coordinates: integer\n").expect("valid");
        for student in 0..100 {
            let (p, sol, _) = K::draw(&labelled, &mut problem_rng(9, student, 1, 0))
                .expect("draws");
            assert!(p.query_label == 3 || p.query_label == 5);
            assert!(p.x.iter().all(|v| v.fract() == 0.0));
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
        }
    }
}
