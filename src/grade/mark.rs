//! Marking one problem of one student: each answer-sheet entry is right (within the
//! tolerance of the key's value), right given the student's own earlier values (error
//! carried forward, [`super::carry`]), wrong, or blank.

use crate::problems::Solved;

use super::carry::Carried;

/// How an entry was marked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Within the tolerance of the key's value.
    Correct,
    /// Not the key's value, but what follows from the student's own earlier values.
    Carried,
    Wrong,
    Blank,
}

/// One marked entry of the answer sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// The checkpoint the entry belongs to (`h`, `loss`).
    pub checkpoint: &'static str,
    /// The entry's label within the problem (`h[0][1]`).
    pub label: String,
    pub entered: Option<f64>,
    /// The key's value.
    pub key: f64,
    /// The value that follows from the student's earlier values (equal to `key` when
    /// they were right).
    pub carried: f64,
    pub verdict: Verdict,
}

/// Whether `value` is within `tolerance` of `target` (absolute; a hair of slack for
/// the decimal `target` itself).
pub fn within(value: f64, target: f64, tolerance: f64) -> bool {
    (value - target).abs() <= tolerance * (1.0 + 1e-9) + 1e-12
}

/// Marks every checkpoint entry of one problem, given the student's entered values by
/// label (the label within the problem, `h[0][1]`).
pub fn mark(solved: &Solved, entered: &dyn Fn(&str) -> Option<f64>, tolerance: f64) -> Vec<Mark> {
    let key = solved.carry(&|_| None);
    let carried = solved.carry(entered);
    debug_assert_eq!(key.len(), carried.len(), "the walk has one shape");
    key.into_iter()
        .zip(carried)
        .map(
            |(
                Carried {
                    checkpoint,
                    label,
                    expected: key,
                },
                c,
            )| {
                let entered = entered(&label);
                let verdict = match entered {
                    None => Verdict::Blank,
                    Some(v) if within(v, key, tolerance) => Verdict::Correct,
                    Some(v) if c.expected.is_finite() && within(v, c.expected, tolerance) => {
                        Verdict::Carried
                    }
                    Some(_) => Verdict::Wrong,
                };
                Mark {
                    checkpoint,
                    label,
                    entered,
                    key,
                    carried: c.expected,
                    verdict,
                }
            },
        )
        .collect()
}

/// The points of each entry: the problem's points split equally over its checkpoints,
/// and a checkpoint's share equally over its entries (None: one point per checkpoint).
pub fn entry_points(marks: &[Mark], points: Option<u32>) -> Vec<f64> {
    // A checkpoint walked step by step (a recurrence's states) comes back between
    // others: count each name once.
    let checkpoints: std::collections::HashSet<&str> = marks.iter().map(|m| m.checkpoint).collect();
    let per_checkpoint = points.map_or(1.0, |p| f64::from(p) / checkpoints.len().max(1) as f64);
    marks
        .iter()
        .map(|m| {
            let entries = marks
                .iter()
                .filter(|o| o.checkpoint == m.checkpoint)
                .count();
            per_checkpoint / entries as f64
        })
        .collect()
}

/// The points an entry earns: all for a correct one, `ecf_credit` of them for one right
/// given the student's earlier values, none otherwise.
pub fn earned(verdict: Verdict, points: f64, ecf_credit: f64) -> f64 {
    match verdict {
        Verdict::Correct => points,
        Verdict::Carried => points * ecf_credit,
        Verdict::Wrong | Verdict::Blank => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(checkpoint: &'static str) -> Mark {
        Mark {
            checkpoint,
            label: String::new(),
            entered: None,
            key: 0.0,
            carried: 0.0,
            verdict: Verdict::Blank,
        }
    }

    #[test]
    fn points_are_shared_per_checkpoint_even_when_its_entries_are_apart() {
        // pre, h, pre, h, loss: three checkpoints of 6 points each, two entries apiece.
        let marks = ["pre", "h", "pre", "h", "loss"].map(m);
        let points = entry_points(&marks, Some(6));
        assert_eq!(points, [1.0, 1.0, 1.0, 1.0, 2.0]);
        assert_eq!(entry_points(&marks, None).iter().sum::<f64>(), 3.0);
    }
}
