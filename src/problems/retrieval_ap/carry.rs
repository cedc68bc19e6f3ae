//! The retrieval_ap answer sheet's checkpoints, walked on a student's own values: the
//! similarities, the ranking, the table's TP, FP, FN, precision and recall at every
//! cut-off, and AP. The ranking follows the student's similarities; TP counts the
//! relevant items among the top n of the student's ranking; FP and FN follow the
//! student's TP, precision and recall the student's counts, and AP the student's
//! precision and recall. An entry of the ranking that is no database index leaves
//! nothing to carry (NaN) from that cut-off on.

use ndarray::Array1;

use super::Params;
use crate::engine::retrieval::{rank_descending, similarities};
use crate::grade::carry::Carry;
use crate::problems::kind::Checkpoints;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let sims = c.vector(
            "similarities",
            similarities(self.similarity, &self.x, self.query.view()),
        );
        let ranking = rank_descending(&sims).iter().map(|&i| i as f64).collect();
        let ranking = c.vector("ranking", ranking);
        let relevant: Vec<bool> = self.y.iter().map(|&l| l == self.query_label).collect();
        let total_relevant = relevant.iter().filter(|&&r| r).count() as f64;
        let mut count = 0.0;
        let tp: Array1<f64> = ranking
            .iter()
            .map(|&item| {
                let index = (item >= 0.0 && item.fract() == 0.0).then_some(item as usize);
                count += match index.and_then(|i| relevant.get(i)) {
                    Some(&r) => f64::from(u8::from(r)),
                    None => f64::NAN,
                };
                count
            })
            .collect();
        let tp = c.vector("tp", tp);
        let cutoffs = Array1::from_shape_fn(tp.len(), |n| (n + 1) as f64);
        let fp = c.vector("fp", &cutoffs - &tp);
        let fn_ = c.vector("fn", tp.mapv(|t| total_relevant - t));
        let precision = c.vector("precision", &tp / (&tp + &fp));
        let recall = c.vector("recall", &tp / (&tp + &fn_));
        // AP = Σ_n (R_n − R_{n−1}) P_n, R_0 = 0.
        let mut previous = 0.0;
        let mut ap = 0.0;
        for (r, p) in recall.iter().zip(&precision) {
            ap += (r - previous) * p;
            previous = *r;
        }
        c.scalar("ap", ap);
    }
}
