//! retrieval_ap: a wrong similarity, carried through the ranking, the precision/recall
//! table and AP by plain loops.

use std::collections::HashMap;

use serde_json::Value;

use super::{matrix, put_vector, vector};

/// The similarity of a database row to the query, by the problem's definitions.
fn similarity(kind: &str, x: &[f64], q: &[f64]) -> f64 {
    let diff = x.iter().zip(q).map(|(a, b)| a - b);
    match kind {
        "inverse_l1" => 1.0 / diff.map(f64::abs).sum::<f64>(),
        "inverse_l2_squared" => 1.0 / diff.map(|d| d * d).sum::<f64>(),
        "negative_l2" => -diff.map(|d| d * d).sum::<f64>().sqrt(),
        "cosine" => {
            let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(u, v)| u * v).sum::<f64>();
            dot(x, q) / (dot(x, x).sqrt() * dot(q, q).sqrt())
        }
        other => panic!("unknown similarity {other}"),
    }
}

/// Everything after the similarities, from them (the student's).
fn later(key: &Value, sims: &[f64]) -> HashMap<String, f64> {
    let p = &key["params"];
    let label = p["query_label"].as_i64().unwrap();
    let relevant: Vec<bool> = p["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_i64().unwrap() == label)
        .collect();
    let total = relevant.iter().filter(|&&r| r).count() as f64;
    // Most similar first, the lower index first among equals.
    let mut ranking: Vec<usize> = (0..sims.len()).collect();
    for i in 1..ranking.len() {
        let mut j = i;
        while j > 0 && sims[ranking[j]] > sims[ranking[j - 1]] {
            ranking.swap(j, j - 1);
            j -= 1;
        }
    }
    let (mut tp, mut fp, mut fn_, mut precision, mut recall) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut hits = 0.0;
    for (n, &item) in ranking.iter().enumerate() {
        if relevant[item] {
            hits += 1.0;
        }
        let cutoff = (n + 1) as f64;
        tp.push(hits);
        fp.push(cutoff - hits);
        fn_.push(total - hits);
        precision.push(hits / cutoff);
        recall.push(hits / total);
    }
    let mut ap = 0.0;
    for n in 0..ranking.len() {
        let before = if n == 0 { 0.0 } else { recall[n - 1] };
        ap += (recall[n] - before) * precision[n];
    }
    let mut out = HashMap::new();
    let ranking: Vec<f64> = ranking.iter().map(|&i| i as f64).collect();
    put_vector(&mut out, "ranking", &ranking);
    put_vector(&mut out, "tp", &tp);
    put_vector(&mut out, "fp", &fp);
    put_vector(&mut out, "fn", &fn_);
    put_vector(&mut out, "precision", &precision);
    put_vector(&mut out, "recall", &recall);
    out.insert("ap".into(), ap);
    out
}

/// A student whose similarity of the least similar item is one more than the largest:
/// that item goes to the top of the ranking.
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let p = &key["params"];
    let (x, q) = (matrix(&p["X"]), vector(&p["query"]));
    let kind = p["similarity"].as_str().unwrap();
    let mut sims: Vec<f64> = x.iter().map(|row| similarity(kind, row, &q)).collect();
    let max = sims.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let least = (0..sims.len()).min_by(|&i, &j| sims[i].total_cmp(&sims[j]))?;
    sims[least] = max + 1.0;
    Some((
        format!("similarities[{least}]"),
        sims[least],
        later(key, &sims),
    ))
}

#[test]
fn a_wrong_similarity_is_carried_forward() {
    super::check("retrieval_ap", 30, case);
}
