//! What `examgen grade` writes: grades.csv (points per problem and in total, one row per
//! student of the key), one feedback file per graded student, and the item analysis (per
//! answer-sheet box: the shares correct, carried forward, wrong and blank; and the score
//! distribution) as CSV and as a LaTeX page.

use std::fmt::Write as _;

use super::mark::{Mark, Verdict};
use crate::render::lang::FeedbackWords;

/// One problem of one graded student.
#[derive(Clone, Debug)]
pub struct ProblemResult {
    pub kind: &'static str,
    /// The problem's column prefix (`P1`, `P3.softmax_ce`).
    pub prefix: String,
    /// The absolute tolerance the answers were marked with.
    pub tolerance: f64,
    /// Every box with the points it is worth and the points it earned.
    pub marks: Vec<(Mark, f64, f64)>,
}

impl ProblemResult {
    pub fn max(&self) -> f64 {
        self.marks.iter().map(|(_, worth, _)| worth).sum()
    }

    pub fn earned(&self) -> f64 {
        self.marks.iter().map(|(_, _, got)| got).sum()
    }
}

/// One student of the key, graded or absent.
#[derive(Clone, Debug)]
pub struct StudentResult {
    pub id: String,
    pub name: String,
    pub code: String,
    /// None: the answers file has no row for the student.
    pub problems: Option<Vec<ProblemResult>>,
}

impl StudentResult {
    pub fn total(&self) -> Option<f64> {
        self.problems
            .as_ref()
            .map(|ps| ps.iter().map(ProblemResult::earned).sum())
    }
}

/// A number of points as grades.csv writes it: at most two decimals, with a decimal
/// comma when asked.
pub fn points(value: f64, decimal_comma: bool) -> String {
    let text = format!("{:.2}", (value * 100.0).round() / 100.0 + 0.0);
    let text = text.trim_end_matches('0').trim_end_matches('.').to_string();
    if decimal_comma {
        text.replace('.', ",")
    } else {
        text
    }
}

/// grades.csv: `id, name, variant_code, status, P1 … Pn, total, max`; semicolons and
/// decimal commas with `decimal_comma` (what a spreadsheet in a decimal-comma locale
/// such as Croatian opens directly).
pub fn grades_csv(results: &[StudentResult], problems: usize, decimal_comma: bool) -> String {
    let mut out = csv::WriterBuilder::new()
        .delimiter(if decimal_comma { b';' } else { b',' })
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut header: Vec<String> = ["id", "name", "variant_code", "status"]
        .map(String::from)
        .to_vec();
    header.extend((1..=problems).map(|i| format!("P{i}")));
    header.extend(["total".to_string(), "max".to_string()]);
    out.write_record(&header).expect("writing to memory");
    for r in results {
        let mut row: Vec<String> = vec![
            crate::export::key_csv::cell(&r.id).into_owned(),
            crate::export::key_csv::cell(&r.name).into_owned(),
            r.code.clone(),
        ];
        match &r.problems {
            None => {
                row.push("absent".into());
                row.extend((0..problems + 2).map(|_| String::new()));
            }
            Some(ps) => {
                row.push("graded".into());
                row.extend(ps.iter().map(|p| points(p.earned(), decimal_comma)));
                row.push(points(r.total().unwrap_or(0.0), decimal_comma));
                row.push(points(
                    ps.iter().map(ProblemResult::max).sum(),
                    decimal_comma,
                ));
            }
        }
        out.write_record(&row).expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("UTF-8")
}

/// A value in feedback: rounded to 4 decimals, with the language's decimal mark.
fn show(value: f64, words: &FeedbackWords) -> String {
    let text = format!("{:.4}", value + 0.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let text = if text == "-0" { "0" } else { text };
    if words.decimal_comma {
        text.replace('.', ",")
    } else {
        text.to_string()
    }
}

/// One student's feedback in the exam's language: per problem the points, then every
/// box that was not simply right: what was entered, what the key has, and what was
/// accepted as carried forward (a problem left wholly blank is one line).
pub fn feedback(r: &StudentResult, exam: &str, words: &FeedbackWords) -> String {
    let number = |v: f64| show(v, words);
    let pts = |v: f64| points(v, words.decimal_comma);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{exam}\n{} ({}), {} {}\n",
        r.name, r.id, words.variant, r.code
    );
    let Some(problems) = &r.problems else {
        out.push_str(words.absent);
        out.push('\n');
        return out;
    };
    for (i, p) in problems.iter().enumerate() {
        let _ = writeln!(
            out,
            "{} {} ({}): {} {} {} {}",
            words.problem,
            i + 1,
            p.kind,
            pts(p.earned()),
            words.of,
            pts(p.max()),
            words.points
        );
        if p.marks.iter().all(|(m, _, _)| m.verdict == Verdict::Blank) {
            let _ = writeln!(out, "  {}", words.problem_blank);
            continue;
        }
        for (m, worth, got) in &p.marks {
            let sentence = match m.verdict {
                Verdict::Correct => continue,
                Verdict::Blank => words.blank,
                Verdict::Carried => words.carried,
                Verdict::Wrong if (m.carried - m.key).abs() > p.tolerance => words.wrong_carried,
                Verdict::Wrong => words.wrong,
            };
            let line = sentence
                .replace("{v}", &m.entered.map_or("?".into(), number))
                .replace("{key}", &number(m.key))
                .replace("{carried}", &number(m.carried));
            let _ = writeln!(
                out,
                "  {}.{}: {line} ({} {} {})",
                p.prefix,
                m.label,
                pts(*got),
                words.of,
                pts(*worth)
            );
        }
    }
    let max: f64 = problems.iter().map(ProblemResult::max).sum();
    let _ = writeln!(
        out,
        "\n{}: {} {} {} {}",
        words.total,
        pts(r.total().unwrap_or(0.0)),
        words.of,
        pts(max),
        words.points
    );
    out
}

/// The counts of one box over the graded students.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Item {
    pub column: String,
    pub counts: [usize; 4],
}

impl Item {
    fn students(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The share of verdict `v` (correct, carried, wrong, blank).
    pub fn share(&self, v: Verdict) -> f64 {
        let i = verdict_index(v);
        self.counts[i] as f64 / self.students().max(1) as f64
    }
}

fn verdict_index(v: Verdict) -> usize {
    match v {
        Verdict::Correct => 0,
        Verdict::Carried => 1,
        Verdict::Wrong => 2,
        Verdict::Blank => 3,
    }
}

/// Per box (column), in order of first appearance: how the graded students did.
pub fn items(results: &[StudentResult]) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for p in results.iter().filter_map(|r| r.problems.as_ref()).flatten() {
        for (m, _, _) in &p.marks {
            let column = format!("{}.{}", p.prefix, m.label);
            let at = *index.entry(column.clone()).or_insert_with(|| {
                out.push(Item {
                    column,
                    counts: [0; 4],
                });
                out.len() - 1
            });
            out[at].counts[verdict_index(m.verdict)] += 1;
        }
    }
    out
}

/// item-analysis.csv: per box, the number of graded students and the four shares.
pub fn items_csv(items: &[Item]) -> String {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record([
        "column",
        "students",
        "correct",
        "carried_forward",
        "wrong",
        "blank",
    ])
    .expect("writing to memory");
    for item in items {
        let share = |v| format!("{:.3}", item.share(v));
        out.write_record([
            item.column.clone(),
            item.students().to_string(),
            share(Verdict::Correct),
            share(Verdict::Carried),
            share(Verdict::Wrong),
            share(Verdict::Blank),
        ])
        .expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("UTF-8")
}
