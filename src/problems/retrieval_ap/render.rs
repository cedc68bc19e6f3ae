//! Question and worked solution of the retrieval / average-precision problem, as in the
//! seed's problem 2 (with the PR curve drawn and AP given exactly).


use crate::render::lang::Words;
use crate::render::latex::{self, FormatError};
use crate::render::math::Fmt;
use crate::engine::retrieval::Similarity;
use super::{Params, Solution};
use crate::problems::kind::{QuestionView, WorkedView};

crate::localized!(Question { Hr => "hr/retrieval_ap_question.tex", En => "en/retrieval_ap_question.tex" });

pub struct Question {
    pub dims: String,
    pub query_label: i64,
    pub query: String,
    pub measure: &'static str,
    pub x: String,
    pub y: String,
}

/// One database item's similarity.
#[derive(Clone)]
pub struct SimilarityStep {
    pub k: usize,
    /// The similarity written out from the coordinates, e.g. 1/(|1 − 3| + |1 − (−1)|).
    pub expr: String,
    pub value: String,
}

/// One row of the precision-recall table.
pub struct TableRow {
    pub predicted: String,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub precision: String,
    pub recall: String,
}

crate::localized!(SolutionSheet { Hr => "hr/retrieval_ap_solution.tex", En => "en/retrieval_ap_solution.tex" });

pub struct SolutionSheet {
    pub measure: &'static str,
    pub first: SimilarityStep,
    pub first_distance: Option<String>,
    pub steps: Vec<SimilarityStep>,
    pub similarity_list: String,
    pub ranking: String,
    /// Rows from the largest cut-off down, as the seed lists them.
    pub table: Vec<TableRow>,
    pub added_zero: bool,
    /// Whether two cut-offs share a recall, so the sheet says which precision the curve
    /// takes there.
    pub repeated_recall: bool,
    pub curve: Vec<(String, String)>,
    pub curve_coordinates: String,
    pub ap_terms: String,
    pub ap: String,
    /// `= 0.5` after an AP that is a short decimal, `\approx 0.806` otherwise.
    pub ap_approx: String,
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, words: &dyn Words) -> Result<Self, FormatError> {
        let f = Fmt::DECIMAL;
        let d = p.x.ncols();
        let labels = ndarray::Array1::from(p.y.iter().map(|&v| v as f64).collect::<Vec<_>>());
        Ok(Question {
            dims: words.dimensional(d),
            query_label: p.query_label,
            query: format!("{}^T", f.list(&p.query, "query")?),
            measure: words.similarity(p.similarity).0,
            x: f.mat(&p.x, "X")?,
            y: f.col(&labels, "y")?,
        })
    }
}

/// The similarity of item k written out from the coordinates.
fn expression(p: &Params, k: usize, f: Fmt) -> Result<Option<String>, FormatError> {
    let pairs = p
        .query
        .iter()
        .zip(p.x.row(k).iter())
        .map(|(&q, &x)| Ok((f.num(q, "query")?, f.operand(x, "X")?)))
        .collect::<Result<Vec<_>, FormatError>>()?;
    Ok(match p.similarity {
        Similarity::InverseL1 => Some(
            pairs
                .iter()
                .map(|(q, x)| latex::abs(&format!("{q} - {x}")))
                .collect::<Vec<_>>()
                .join(" + "),
        ),
        Similarity::InverseL2Squared => Some(
            pairs
                .iter()
                .map(|(q, x)| format!("({q} - {x})^2"))
                .collect::<Vec<_>>()
                .join(" + "),
        ),
        Similarity::NegativeL2 | Similarity::Cosine => None,
    })
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, words: &dyn Words) -> Result<Self, FormatError> {
        let f = Fmt::FRACTION;
        let n = p.x.nrows();
        let mut steps = Vec::with_capacity(n);
        for k in 0..n {
            let value = f.num(s.similarities[k], "similarity")?;
            let expr = match expression(p, k, Fmt::DECIMAL)? {
                Some(distance) => format!("\\frac{{1}}{{{distance}}}"),
                None => value.clone(),
            };
            steps.push(SimilarityStep {
                k: k + 1,
                expr,
                value,
            });
        }
        let first_distance = match p.similarity {
            Similarity::InverseL1 | Similarity::InverseL2Squared => {
                let d = 1.0 / s.similarities[0];
                Some(format!(
                    "{} = {}",
                    expression(p, 0, Fmt::DECIMAL)?.unwrap_or_default(),
                    f.num(d, "distance")?
                ))
            }
            _ => None,
        };
        let label = |k: usize| u8::from(s.relevant[k]);
        let ranking = latex::list(
            &s.ranking
                .iter()
                .map(|&k| format!("X_{{{}}}^{{{}}}", k + 1, label(k)))
                .collect::<Vec<_>>(),
        );
        let mut table = Vec::with_capacity(n);
        for point in s.table.iter().rev() {
            table.push(TableRow {
                predicted: s.ranking[..point.cutoff]
                    .iter()
                    .map(|&k| format!("$X_{{{}}}$", k + 1))
                    .collect::<Vec<_>>()
                    .join(", "),
                tp: point.tp,
                fp: point.fp,
                fn_: point.fn_,
                precision: f.num(point.precision, "precision")?,
                recall: f.num(point.recall, "recall")?,
            });
        }
        let curve = s
            .curve
            .iter()
            .map(|c| Ok((f.num(c.recall, "recall")?, f.num(c.precision, "precision")?)))
            .collect::<Result<Vec<_>, FormatError>>()?;
        let curve_coordinates = s
            .curve
            .iter()
            .map(|c| (c.recall, c.precision))
            .collect::<Vec<_>>();
        let curve_coordinates = latex::coordinates(curve_coordinates, 6);
        let mut previous = 0.0;
        let mut terms = Vec::with_capacity(n);
        for point in &s.table {
            let delta = point.recall - previous;
            terms.push(format!(
                "{} \\cdot {}",
                f.operand(delta, "recall step")?,
                f.operand(point.precision, "precision")?
            ));
            previous = point.recall;
        }
        Ok(SolutionSheet {
            measure: words.similarity(p.similarity).1,
            first: steps[0].clone(),
            first_distance,
            similarity_list: f.list(&s.similarities, "similarity")?,
            steps,
            ranking,
            table,
            added_zero: s.table.iter().all(|t| t.recall > 0.0),
            repeated_recall: s
                .table
                .iter()
                .enumerate()
                .any(|(i, a)| s.table[..i].iter().any(|b| b.recall == a.recall)),
            curve,
            curve_coordinates,
            ap_terms: terms.join(" + "),
            ap: latex::rational(s.ap_exact, latex::NumberStyle::Fraction),
            ap_approx: latex::decimal_after(s.ap_exact, 3),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::kind::{plan_from_yaml, Kind as _, Localized as _, Variant as _};
    use crate::problems::retrieval_ap::RetrievalAp;

    /// The worked solution of a pinned database (query [0, 0], inverse L1).
    fn worked(x: &str, y: &str) -> String {
        let yaml = format!("X: {x}\ny: {y}\nquery: [0, 0]\nquery_label: 1\nsimilarity: inverse_l1\n");
        let plan = plan_from_yaml::<RetrievalAp>(&yaml).expect("a valid problem");
        let p = RetrievalAp::pinned(&plan).expect("fully pinned");
        let s = p.solve();
        SolutionSheet::build(&p, &s, crate::render::lang::any())
            .expect("renders")
            .render_in(crate::spec::Language::Hr)
            .expect("a Croatian template")
            .expect("template")
    }

    /// The rule for a repeated recall is stated only when some recall repeats.
    #[test]
    fn the_repeated_recall_rule_only_when_a_recall_repeats() {
        const RULE: &str = "Ako za isti $R$";
        // Ranked irrelevant, relevant, relevant: recalls 0, 1/2, 1.
        let distinct = worked("[[1, 1], [3, 3], [5, 5]]", "[0, 1, 1]");
        assert!(!distinct.contains(RULE), "{distinct}");
        // Ranked relevant, irrelevant, relevant: recalls 1/2, 1/2, 1.
        let repeated = worked("[[1, 1], [3, 3], [5, 5]]", "[1, 0, 1]");
        assert!(repeated.contains(RULE), "{repeated}");
    }
}
