//! The cloze blanks of one problem: every final answer key.csv has, as Moodle's
//! `{weight:NUMERICAL:=value:tolerance}`, with the problem's points split over them.
//!
//! The answers are exactly key.csv's ([`Solved::key_csv`], read from the key entry as
//! `export/key_csv.rs` reads it), with three kinds of cell left out, because a numerical
//! blank cannot hold them or would ask twice: the `params` columns (they say which
//! variant it is, e.g. the optimiser), text answers (`bptt_rnn`'s `regime`) and empty
//! cells, and an exact twin `<name>_fraction` / `<name>_exact` of an answer `<name>` that
//! is a blank already (retrieval_ap's `ap` and `ap_fraction`). A twin whose float is not
//! in key.csv (optimizer_steps' `w_final_exact`, `"-1/8"`) is the blank, with its value.

use serde_json::Value;

use crate::problems::Solved;

/// One numerical blank.
#[derive(Clone, Debug, PartialEq)]
pub struct Blank {
    /// The key.csv column without its `P<n>.` prefix, e.g. `grad_W1[0][1]`.
    pub label: String,
    pub value: f64,
    pub tolerance: f64,
    pub weight: u32,
}

impl Blank {
    /// The blank as Moodle's cloze syntax writes it. Rust writes an f64 with the fewest
    /// digits that read back as the same number (never in exponent form), so the
    /// tolerance is the only error; both numbers match Moodle's `NUMBER_REGEX`.
    pub fn cloze(&self) -> String {
        format!(
            "{{{}:NUMERICAL:={}:{}}}",
            self.weight,
            number(self.value),
            number(self.tolerance)
        )
    }
}

/// A number as Moodle reads it: `-0` is written `0`.
fn number(value: f64) -> String {
    if value == 0.0 {
        "0".into()
    } else {
        format!("{value}")
    }
}

/// The (label, value) of every blank of a problem, from its key entry.
pub fn answers(solved: &Solved, key: &Value) -> Vec<(String, f64)> {
    let fields = solved.key_csv().answers;
    let mut out = Vec::new();
    for field in fields {
        let twin_of = field
            .strip_suffix("_fraction")
            .or_else(|| field.strip_suffix("_exact"));
        if twin_of.is_some_and(|base| fields.contains(&base)) {
            continue;
        }
        flatten(field, &key["answers"][*field], &mut out);
    }
    out
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, f64)>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), item, out);
            }
        }
        Value::Number(n) => out.extend(n.as_f64().map(|v| (prefix.to_string(), v))),
        Value::String(s) => out.extend(fraction(s).map(|v| (prefix.to_string(), v))),
        _ => {}
    }
}

/// `"-3/4"` or `"5"` as a number; None for any other text.
fn fraction(text: &str) -> Option<f64> {
    let (num, den) = text.split_once('/').unwrap_or((text, "1"));
    let (num, den): (i64, i64) = (num.trim().parse().ok()?, den.trim().parse().ok()?);
    (den != 0).then(|| num as f64 / den as f64)
}

/// The blanks' weights: the points split as evenly as whole numbers allow (the first
/// blanks get the remainder), so that they sum to the points — Moodle's mark of a cloze
/// question is the sum of its weights. A problem without points gets 1 per blank; so does
/// one with fewer points than blanks (a weight of 0 would make a blank worth nothing),
/// and then its mark is the number of blanks ([`weights_fit`] says so, for a warning).
pub fn weights(points: Option<u32>, blanks: usize) -> Vec<u32> {
    let n = blanks as u32;
    match points {
        Some(p) if n > 0 && p >= n => (0..n).map(|i| p / n + u32::from(i < p % n)).collect(),
        _ => vec![1; blanks],
    }
}

/// Whether the weights of [`weights`] sum to the points.
pub fn weights_fit(points: Option<u32>, blanks: usize) -> bool {
    points.is_none_or(|p| p as usize >= blanks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_the_points() {
        assert_eq!(weights(Some(10), 4), vec![3, 3, 2, 2]);
        assert_eq!(weights(Some(10), 10), vec![1; 10]);
        assert_eq!(weights(None, 3), vec![1; 3]);
        assert_eq!(weights(Some(4), 9), vec![1; 9]);
        assert!(!weights_fit(Some(4), 9) && weights_fit(Some(9), 9) && weights_fit(None, 50));
        for p in 1..40 {
            for n in 1..=p as usize {
                assert_eq!(weights(Some(p), n).iter().sum::<u32>(), p);
            }
        }
    }

    #[test]
    fn numbers_read_back_exactly() {
        let b = Blank {
            label: "x".into(),
            value: -1.0 / 3.0,
            tolerance: 0.01,
            weight: 2,
        };
        assert_eq!(b.cloze(), "{2:NUMERICAL:=-0.3333333333333333:0.01}");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1e-7), "0.0000001");
        assert_eq!(fraction("-29/36"), Some(-29.0 / 36.0));
        assert_eq!(fraction("vanishing"), None);
    }
}
