//! The worked solution: the engine's similarities, ranking, precision/recall table and
//! AP, with AP recomputed exactly from the counts and the PR curve as the sheet draws it.

use super::{CurvePoint, Params, Solution};
use crate::engine::retrieval::{
    average_precision, pr_table, rank_descending, similarities, PrPoint,
};
use crate::exact::Rational;

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        let p = self;
        let sims = similarities(p.similarity, &p.x, p.query.view());
        let ranking = rank_descending(&sims);
        let relevant: Vec<bool> = p.y.iter().map(|&l| l == p.query_label).collect();
        let table = pr_table(&ranking, &relevant);
        let ap = average_precision(&table);
        let ap_exact = exact_ap(&table);
        assert!(
            (ap - ap_exact.to_f64()).abs() < 1e-9,
            "engine AP {ap} disagrees with the exact AP {ap_exact}"
        );
        Solution {
            curve: pr_curve(&table),
            similarities: sims,
            ranking,
            relevant,
            table,
            ap,
            ap_exact,
        }
    }
}

/// AP from the counts alone: Σ over cut-offs of ΔTP/(TP+FN) · TP/(TP+FP).
pub fn exact_ap(table: &[PrPoint]) -> Rational {
    let mut previous_tp = 0;
    let mut ap = Rational::ZERO;
    for point in table {
        let total_relevant = (point.tp + point.fn_) as i64;
        let delta_recall = Rational::new((point.tp - previous_tp) as i64, total_relevant);
        ap = ap + delta_recall * Rational::new(point.tp as i64, (point.tp + point.fp) as i64);
        previous_tp = point.tp;
    }
    ap
}

/// The seed's convention for the curve: the best precision at each recall level, and an
/// added R = 0 point with the precision of the smallest recall.
pub fn pr_curve(table: &[PrPoint]) -> Vec<CurvePoint> {
    let mut curve: Vec<CurvePoint> = Vec::new();
    for point in table {
        match curve.iter_mut().find(|c| c.recall == point.recall) {
            Some(c) => c.precision = c.precision.max(point.precision),
            None => curve.push(CurvePoint {
                recall: point.recall,
                precision: point.precision,
            }),
        }
    }
    curve.sort_by(|a, b| a.recall.total_cmp(&b.recall));
    if let Some(first) = curve.first().copied() {
        if first.recall > 0.0 {
            curve.insert(
                0,
                CurvePoint {
                    recall: 0.0,
                    precision: first.precision,
                },
            );
        }
    }
    curve
}
