//! The item analysis as a LaTeX page (compiled with `grade --pdf`): the score
//! distribution as a bar chart and, per checkpoint, the shares of the graded students
//! who got it right, right given their own earlier answers, wrong or blank.

use askama::Template;

use super::mark::Verdict;
use super::report::{points, StudentResult};

/// One bar of the score distribution.
pub struct Bar {
    pub x: String,
    pub count: usize,
    pub label: String,
}

/// One checkpoint's row.
pub struct Row {
    pub problem: String,
    pub checkpoint: String,
    pub entries: usize,
    pub correct: String,
    pub carried: String,
    pub wrong: String,
    pub blank: String,
}

#[derive(Template)]
#[template(path = "item_analysis.tex")]
pub struct ItemAnalysis {
    pub title: String,
    pub students: usize,
    pub graded: usize,
    pub absent: usize,
    pub mean: String,
    pub median: String,
    pub max: String,
    pub bin: String,
    pub bar_width: String,
    pub unit_height: String,
    pub bars: Vec<Bar>,
    pub rows: Vec<Row>,
}

/// The number of bars of the score distribution.
const BARS: usize = 10;

fn percent(n: usize, of: usize) -> String {
    format!("{:.0}\\,\\%", 100.0 * n as f64 / of.max(1) as f64)
}

impl ItemAnalysis {
    pub fn new(title: &str, results: &[StudentResult]) -> ItemAnalysis {
        let graded: Vec<&StudentResult> = results.iter().filter(|r| r.problems.is_some()).collect();
        let mut totals: Vec<f64> = graded.iter().filter_map(|r| r.total()).collect();
        totals.sort_by(f64::total_cmp);
        let max = graded
            .first()
            .and_then(|r| r.problems.as_ref())
            .map_or(0.0, |ps| ps.iter().map(|p| p.max()).sum());
        let bin = (max / BARS as f64).max(1e-9);
        let mut counts = [0usize; BARS];
        for t in &totals {
            counts[((t / bin) as usize).min(BARS - 1)] += 1;
        }
        let tallest = counts.iter().copied().max().unwrap_or(0).max(1);
        let bars = counts
            .iter()
            .enumerate()
            .map(|(i, &count)| Bar {
                x: i.to_string(),
                count,
                label: format!(
                    "{}--{}",
                    points(bin * i as f64, false),
                    points(bin * (i + 1) as f64, false)
                ),
            })
            .collect();
        let median = match totals.len() {
            0 => 0.0,
            n if n % 2 == 1 => totals[n / 2],
            n => (totals[n / 2 - 1] + totals[n / 2]) / 2.0,
        };
        let mean = totals.iter().sum::<f64>() / totals.len().max(1) as f64;
        ItemAnalysis {
            title: title.to_string(),
            students: results.len(),
            graded: graded.len(),
            absent: results.len() - graded.len(),
            mean: points(mean, false),
            median: points(median, false),
            max: points(max, false),
            bin: points(bin, false),
            bar_width: "1.5".into(),
            unit_height: format!("{:.3}", 6.0 / tallest as f64),
            bars,
            rows: rows(&graded),
        }
    }
}

/// Per problem and checkpoint (in order of first appearance), the students' verdicts: a
/// checkpoint counts as correct when every entry is, blank when every entry is, wrong
/// when some entry is wrong, and carried forward otherwise.
fn rows(graded: &[&StudentResult]) -> Vec<Row> {
    let mut keys: Vec<(String, &'static str, usize)> = Vec::new();
    let mut counts: Vec<[usize; 4]> = Vec::new();
    for r in graded {
        for p in r.problems.as_ref().into_iter().flatten() {
            let mut checkpoints: Vec<&'static str> =
                p.marks.iter().map(|(m, _, _)| m.checkpoint).collect();
            checkpoints.dedup();
            for checkpoint in checkpoints {
                let verdicts: Vec<Verdict> = p
                    .marks
                    .iter()
                    .filter(|(m, _, _)| m.checkpoint == checkpoint)
                    .map(|(m, _, _)| m.verdict)
                    .collect();
                let at = if verdicts.iter().all(|v| *v == Verdict::Correct) {
                    0
                } else if verdicts.iter().all(|v| *v == Verdict::Blank) {
                    3
                } else if verdicts.contains(&Verdict::Wrong) {
                    2
                } else {
                    1
                };
                let key = (p.prefix.clone(), checkpoint, verdicts.len());
                let i = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                    keys.push(key);
                    counts.push([0; 4]);
                    keys.len() - 1
                });
                counts[i][at] += 1;
            }
        }
    }
    keys.into_iter()
        .zip(counts)
        .map(|((prefix, checkpoint, entries), c)| {
            let n: usize = c.iter().sum();
            Row {
                problem: prefix,
                checkpoint: checkpoint.to_string(),
                entries,
                correct: percent(c[0], n),
                carried: percent(c[1], n),
                wrong: percent(c[2], n),
                blank: percent(c[3], n),
            }
        })
        .collect()
}
