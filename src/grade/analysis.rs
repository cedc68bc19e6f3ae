//! The item analysis as a LaTeX page (compiled with `grade --pdf`): the score
//! distribution as a bar chart and, per checkpoint, the shares of the graded students
//! who got it right, right given their own earlier answers, wrong or blank.

use askama::Template;

use super::mark::Verdict;
use super::report::{points, StudentResult};
use crate::render::lang::AnalysisWords;

/// One bar of the score distribution.
pub struct Bar {
    pub x: usize,
    pub count: usize,
    /// `[2, 4)`; the last bin is closed: `[14, 16]`.
    pub label: String,
}

/// One problem's mean.
pub struct ProblemRow {
    pub problem: String,
    pub mean: String,
    pub max: String,
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
    pub words: &'static AnalysisWords,
    pub babel: &'static str,
    /// The sentences with their numbers filled in.
    pub graded_line: String,
    pub mean_line: String,
    pub bins_line: String,
    pub bars: Vec<Bar>,
    /// The y axis: its ticks, and the height of one student in cm.
    pub ticks: Vec<usize>,
    pub top: usize,
    pub unit_height: String,
    pub problems: Vec<ProblemRow>,
    pub rows: Vec<Row>,
}

/// At most this many bars of the score distribution (whole-point bins).
const BARS: usize = 10;

fn percent(n: usize, of: usize) -> String {
    format!("{:.0}\\,\\%", 100.0 * n as f64 / of.max(1) as f64)
}

impl ItemAnalysis {
    pub fn new(
        title: &str,
        results: &[StudentResult],
        language: crate::spec::Language,
    ) -> ItemAnalysis {
        let language_words = crate::render::lang::words(language);
        let words = language_words.analysis();
        let comma = words.decimal_comma;
        let graded: Vec<&StudentResult> = results.iter().filter(|r| r.problems.is_some()).collect();
        let mut totals: Vec<f64> = graded.iter().filter_map(|r| r.total()).collect();
        totals.sort_by(f64::total_cmp);
        let max = graded
            .first()
            .and_then(|r| r.problems.as_ref())
            .map_or(0.0, |ps| ps.iter().map(|p| p.max()).sum());
        // Whole-point bins, at most BARS of them; a score equal to the maximum goes in
        // the last bin.
        let bin = ((max / BARS as f64).ceil() as usize).max(1);
        let n_bars = ((max / bin as f64).ceil() as usize).max(1);
        let mut counts = vec![0usize; n_bars];
        for t in &totals {
            counts[((t / bin as f64).floor() as usize).min(n_bars - 1)] += 1;
        }
        let tallest = counts.iter().copied().max().unwrap_or(0).max(1);
        let step = tallest.div_ceil(5).max(1);
        let top = tallest.div_ceil(step) * step;
        let bars = counts
            .iter()
            .enumerate()
            .map(|(i, &count)| {
                let last = i + 1 == n_bars;
                let upper = if last { max } else { ((i + 1) * bin) as f64 };
                Bar {
                    x: i,
                    count,
                    label: format!(
                        "$[{}, {}{}$",
                        i * bin,
                        points(upper, comma),
                        if last { "]" } else { ")" }
                    ),
                }
            })
            .collect();
        let median = match totals.len() {
            0 => 0.0,
            n if n % 2 == 1 => totals[n / 2],
            n => (totals[n / 2 - 1] + totals[n / 2]) / 2.0,
        };
        let mean = totals.iter().sum::<f64>() / totals.len().max(1) as f64;
        let fill = |text: &str, pairs: &[(&str, String)]| {
            pairs.iter().fold(text.to_string(), |t, (k, v)| {
                t.replace(&format!("{{{k}}}"), v)
            })
        };
        ItemAnalysis {
            title: title.to_string(),
            words,
            babel: language_words.sheet().babel,
            graded_line: fill(
                words.graded,
                &[
                    ("graded", graded.len().to_string()),
                    ("students", results.len().to_string()),
                    ("absent", (results.len() - graded.len()).to_string()),
                ],
            ),
            mean_line: fill(
                words.mean,
                &[
                    ("mean", points(mean, comma)),
                    ("max", points(max, comma)),
                    ("median", points(median, comma)),
                ],
            ),
            bins_line: fill(words.bins, &[("bin", bin.to_string())]),
            bars,
            ticks: (0..=top).step_by(step).collect(),
            top,
            unit_height: format!("{:.3}", (5.0 / top as f64).min(0.8)),
            problems: problem_rows(&graded, comma),
            rows: rows(&graded),
        }
    }
}

/// Per problem (by column prefix, in order of first appearance): the mean of the graded
/// students who had it, and its maximum.
fn problem_rows(graded: &[&StudentResult], comma: bool) -> Vec<ProblemRow> {
    let mut seen: Vec<(String, f64, f64, usize)> = Vec::new();
    for p in graded.iter().flat_map(|r| r.problems.iter().flatten()) {
        match seen.iter_mut().find(|(prefix, ..)| *prefix == p.prefix) {
            Some(row) => {
                row.2 += p.earned();
                row.3 += 1;
            }
            None => seen.push((p.prefix.clone(), p.max(), p.earned(), 1)),
        }
    }
    seen.into_iter()
        .map(|(problem, max, sum, n)| ProblemRow {
            problem,
            mean: points(sum / n as f64, comma),
            max: points(max, comma),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::mark::Mark;
    use crate::grade::report::ProblemResult;
    use crate::spec::Language;

    /// A student with one problem of 16 points (one box) who earned `got`.
    fn student(got: f64) -> StudentResult {
        let mark = Mark {
            checkpoint: "loss",
            label: "loss".into(),
            entered: Some(got),
            key: 16.0,
            carried: 16.0,
            verdict: if got == 16.0 {
                Verdict::Correct
            } else {
                Verdict::Wrong
            },
        };
        StudentResult {
            id: "s".into(),
            name: "S".into(),
            code: String::new(),
            problems: Some(vec![ProblemResult {
                kind: "softmax_ce",
                prefix: "P1".into(),
                tolerance: 0.01,
                marks: vec![(mark, 16.0, got)],
            }]),
        }
    }

    #[test]
    fn whole_point_bins_hold_the_maximum_in_the_last_one() {
        let results = [student(0.0), student(8.0), student(16.0), student(15.5)];
        let a = ItemAnalysis::new("Test", &results, Language::Hr);
        let counts: Vec<usize> = a.bars.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 0, 0, 0, 1, 0, 0, 2]);
        assert_eq!(a.bars[0].label, "$[0, 2)$");
        assert_eq!(a.bars[7].label, "$[14, 16]$");
        assert_eq!(a.ticks, [0, 1, 2]);
        assert!(a.mean_line.contains("9,88 od 16"), "{}", a.mean_line);
        assert!(a.graded_line.contains("4 od 4"), "{}", a.graded_line);
        assert_eq!(a.problems.len(), 1);
        assert_eq!(a.problems[0].mean, "9,88");
        let en = ItemAnalysis::new("Test", &results, Language::En);
        assert!(en.mean_line.contains("9.88 of 16"), "{}", en.mean_line);
        assert!(askama::Template::render(&en)
            .unwrap()
            .contains("item analysis"));
    }
}
