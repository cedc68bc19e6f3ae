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
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

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

    /// The text never numbers the rows of X nor the cut-offs: the similarities are in
    /// the rows' order, the ranking holds 0-based row numbers (the first row of X is 0,
    /// as the sheet's index base), most similar first, and entry [k] of the table's
    /// columns is the cut-off after the top k + 1 results.
    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let l = SheetLabel::in_language(language);
        let ranking = match language {
            Language::Hr => r"\text{poredak}",
            Language::En => r"\text{ranking}",
        };
        vec![
            l(
                "similarities",
                r"s(\mathbf{x}_i, \cdot)",
                r"sličnosti s retcima $\mathbf{X}$, redom",
                r"similarities to the rows of $\mathbf{X}$, in order",
            ),
            l(
                "ranking",
                ranking,
                r"retci $\mathbf{X}$ brojeni od 0, najsličniji prvi",
                r"rows of $\mathbf{X}$ numbered from 0, most similar first",
            ),
            l(
                "tp",
                r"\mathrm{TP}",
                "$[k]$: relevantni među prvih $k{+}1$ rezultata",
                "$[k]$: relevant ones in the top $k{+}1$ results",
            ),
            l(
                "fp",
                r"\mathrm{FP}",
                "$[k]$: nerelevantni među prvih $k{+}1$ rezultata",
                "$[k]$: irrelevant ones in the top $k{+}1$ results",
            ),
            l(
                "fn",
                r"\mathrm{FN}",
                "$[k]$: relevantni izvan prvih $k{+}1$ rezultata",
                "$[k]$: relevant ones outside the top $k{+}1$ results",
            ),
            l(
                "precision",
                "P",
                "$[k]$: preciznost za prvih $k{+}1$ rezultata",
                "$[k]$: precision of the top $k{+}1$ results",
            ),
            l(
                "recall",
                "R",
                "$[k]$: odziv za prvih $k{+}1$ rezultata",
                "$[k]$: recall of the top $k{+}1$ results",
            ),
            l(
                "ap",
                r"\mathrm{AP}",
                "prosječna preciznost",
                "average precision",
            ),
        ]
    }
}
