//! Retrieval with metric embeddings: rank a database by similarity to a query, then score
//! the ranking with a precision–recall table and average precision.
//!
//! The database is `(n, d)` (one embedding per row), the query is `(d)`, similarities and
//! relevance flags are `(n)`. Cutting the ranking after the top `n` items makes those items
//! the positive predictions: `P_n = TP_n / n`, `R_n = TP_n / #relevant`, and
//! `AP = Σ_n (R_n − R_{n−1}) P_n` with `R_0 = 0`.

use ndarray::{Array1, Array2, ArrayView1, Zip};
use serde::{Deserialize, Serialize};

/// `Σ_i |a_i − b_i|`.
pub fn l1_distance(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    Zip::from(a)
        .and(b)
        .fold(0.0, |acc, &x, &y| acc + (x - y).abs())
}

/// `sqrt(Σ_i (a_i − b_i)²)`.
pub fn l2_distance(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    squared_l2(a, b).sqrt()
}

fn squared_l2(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    Zip::from(a)
        .and(b)
        .fold(0.0, |acc, &x, &y| acc + (x - y) * (x - y))
}

/// `⟨a, b⟩ / (‖a‖ ‖b‖)`; NaN when either vector is zero, since it has no direction.
pub fn cosine_similarity(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.dot(&b) / (a.dot(&a).sqrt() * b.dot(&b).sqrt())
}

/// The similarity a problem ranks by; larger always means more similar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Similarity {
    /// `1 / L1`.
    InverseL1,
    /// `1 / L2²`.
    InverseL2Squared,
    /// `−L2`.
    NegativeL2,
    /// Cosine similarity.
    Cosine,
}

impl Similarity {
    /// The similarity of `a` and `b`. For the inverse similarities a distance of zero gives
    /// `+∞` (IEEE division); problem generators reject such draws rather than rank them.
    pub fn of(&self, a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
        match self {
            Similarity::InverseL1 => 1.0 / l1_distance(a, b),
            // From the sum of squares directly: squaring a square root would lose exactness.
            Similarity::InverseL2Squared => 1.0 / squared_l2(a, b),
            Similarity::NegativeL2 => -l2_distance(a, b),
            Similarity::Cosine => cosine_similarity(a, b),
        }
    }
}

/// The similarity of every database row `(n, d)` to `query: (d)`; returns `(n)`.
pub fn similarities(
    sim: Similarity,
    database: &Array2<f64>,
    query: ArrayView1<f64>,
) -> Array1<f64> {
    assert_eq!(
        database.ncols(),
        query.len(),
        "similarities: query and rows differ in length"
    );
    database
        .rows()
        .into_iter()
        .map(|row| sim.of(row, query))
        .collect()
}

/// Database indices, most similar first; equal scores keep the lower index first.
pub fn rank_descending(scores: &Array1<f64>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    // `sort_by` is stable, which is what breaks ties by index.
    order.sort_by(|&i, &j| scores[j].total_cmp(&scores[i]));
    order
}

/// Whether any two scores are within `tol` of each other (equal infinities count as tied):
/// a tie makes the ranking, and so the answer, depend on an arbitrary convention.
pub fn has_ties(scores: &Array1<f64>, tol: f64) -> bool {
    let mut sorted = scores.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
        .windows(2)
        .any(|w| w[0] == w[1] || (w[1] - w[0]).abs() <= tol)
}

/// One row of the precision–recall table: the top `cutoff` items are predicted relevant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrPoint {
    pub cutoff: usize,
    /// Relevant items among the top `cutoff`.
    pub tp: usize,
    /// Irrelevant items among the top `cutoff`.
    pub fp: usize,
    /// Relevant items below the cut-off (`fn` is a keyword, hence the underscore).
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
}

/// One [`PrPoint`] per cut-off `1..=len`. `ranking` lists database indices best first and
/// `relevant[i]` says whether database item `i` is relevant. With no relevant item at all
/// the recall is `0/0 = NaN`; problem generators always draw at least one.
pub fn pr_table(ranking: &[usize], relevant: &[bool]) -> Vec<PrPoint> {
    assert_eq!(
        ranking.len(),
        relevant.len(),
        "pr_table: ranking must cover the database"
    );
    let total_relevant = relevant.iter().filter(|&&r| r).count();
    let mut tp = 0;
    ranking
        .iter()
        .enumerate()
        .map(|(position, &item)| {
            if relevant[item] {
                tp += 1;
            }
            let cutoff = position + 1;
            PrPoint {
                cutoff,
                tp,
                fp: cutoff - tp,
                fn_: total_relevant - tp,
                precision: tp as f64 / cutoff as f64,
                recall: tp as f64 / total_relevant as f64,
            }
        })
        .collect()
}

/// `AP = Σ_n (R_n − R_{n−1}) P_n` with `R_0 = 0`: precision at each rank where recall grows.
pub fn average_precision(table: &[PrPoint]) -> f64 {
    let mut previous_recall = 0.0;
    let mut ap = 0.0;
    for point in table {
        ap += (point.recall - previous_recall) * point.precision;
        previous_recall = point.recall;
    }
    ap
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gradcheck::assert_close;
    use ndarray::array;

    #[test]
    fn exam_2022_inverse_l1() {
        let database = array![[1.0, 0.0], [3.0, -1.0], [-0.5, 0.5], [1.0, 4.0]];
        let labels = [1, 1, 0, 1];
        let query = array![1.0, 1.0];
        let query_label = 1;

        let sims = similarities(Similarity::InverseL1, &database, query.view());
        assert_close(&sims, &array![1.0, 0.25, 0.5, 1.0 / 3.0], 1e-15);
        assert!(!has_ties(&sims, 1e-9));

        let ranking = rank_descending(&sims);
        assert_eq!(ranking, vec![0, 2, 3, 1]);

        let relevant: Vec<bool> = labels.iter().map(|&l| l == query_label).collect();
        let table = pr_table(&ranking, &relevant);
        let precision: Vec<f64> = table.iter().map(|p| p.precision).collect();
        let recall: Vec<f64> = table.iter().map(|p| p.recall).collect();
        assert_close(
            &Array1::from(precision),
            &array![1.0, 0.5, 2.0 / 3.0, 0.75],
            1e-15,
        );
        assert_close(
            &Array1::from(recall),
            &array![1.0 / 3.0, 1.0 / 3.0, 2.0 / 3.0, 1.0],
            1e-15,
        );
        assert_eq!(
            table[1],
            PrPoint {
                cutoff: 2,
                tp: 1,
                fp: 1,
                fn_: 2,
                precision: 0.5,
                recall: 1.0 / 3.0
            }
        );
        assert!((average_precision(&table) - 29.0 / 36.0).abs() < 1e-15);
    }

    #[test]
    fn distances_and_similarities_by_hand() {
        let a = array![1.0, 2.0];
        let b = array![4.0, -2.0];
        assert_eq!(l1_distance(a.view(), b.view()), 7.0);
        assert_eq!(l2_distance(a.view(), b.view()), 5.0);
        assert_eq!(
            Similarity::InverseL2Squared.of(a.view(), b.view()),
            1.0 / 25.0
        );
        assert_eq!(Similarity::NegativeL2.of(a.view(), b.view()), -5.0);
        assert!((cosine_similarity(a.view(), b.view()) - 0.0).abs() < 1e-15);
        let c = array![2.0, 4.0];
        assert!((Similarity::Cosine.of(a.view(), c.view()) - 1.0).abs() < 1e-15);
        assert_eq!(Similarity::InverseL1.of(a.view(), a.view()), f64::INFINITY);
    }

    #[test]
    fn ties_rank_by_lower_index() {
        let scores = array![0.5, 1.0, 0.5, 1.0];
        assert_eq!(rank_descending(&scores), vec![1, 3, 0, 2]);
        assert!(has_ties(&scores, 0.0));
        assert!(has_ties(&array![f64::INFINITY, 1.0, f64::INFINITY], 1e-9));
        assert!(has_ties(&array![1.0, 1.0 + 1e-12], 1e-9));
        assert!(!has_ties(&array![1.0, 2.0, 3.0], 0.5));
    }

    #[test]
    fn perfect_ranking_has_ap_one() {
        let table = pr_table(&[2, 0, 1], &[true, false, true]);
        assert_eq!(average_precision(&table), 1.0);
        assert_eq!(table[2].fn_, 0);
    }

    #[test]
    fn similarity_names_are_snake_case() {
        let json = serde_json::to_string(&Similarity::InverseL2Squared).expect("serializes");
        assert_eq!(json, "\"inverse_l2_squared\"");
    }
}
