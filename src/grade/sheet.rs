//! The answer sheet of one student: one entry per checkpoint value of every problem (the
//! walk of [`super::carry`]), named as key.csv names its columns (`P1.h[0][1]`,
//! `P3.softmax_ce.p[0]` in a pool).

use crate::export::key_csv::column_prefix;
use crate::problems::Solved;
use crate::render::sheet::{AnswerCheckpoint, AnswerProblem, AnswerSheet};
use crate::slot::Slot;
use crate::spec::Language;

/// One box of the answer sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The problem, 0-based.
    pub problem: usize,
    /// The column of the answers file: `P1.h[0][1]`.
    pub column: String,
    /// The checkpoint it belongs to (`h`).
    pub checkpoint: &'static str,
    /// The label within the problem (`h[0][1]`).
    pub label: String,
    /// The key's value.
    pub key: f64,
}

/// Every box of a student's answer sheet, problem by problem, in solving order.
pub fn entries(slots: &[Slot], solved: &[Solved]) -> Vec<Entry> {
    let mut out = Vec::new();
    for (problem, (slot, s)) in slots.iter().zip(solved).enumerate() {
        let prefix = column_prefix(slot, problem, s);
        for c in s.carry(&|_| None) {
            out.push(Entry {
                problem,
                column: format!("{prefix}.{}", c.label),
                checkpoint: c.checkpoint,
                label: c.label,
                key: c.expected,
            });
        }
    }
    out
}

/// The answer sheet's view: the boxes of [`entries`], grouped by problem and checkpoint,
/// each checkpoint named in the problem's notation where the kind gives one, its boxes in
/// one line per matrix row.
pub fn answer_sheet(slots: &[Slot], solved: &[Solved], language: Language) -> AnswerSheet {
    let mut problems: Vec<AnswerProblem> = Vec::new();
    for e in entries(slots, solved) {
        if problems.last().is_none_or(|p| p.number != e.problem + 1) {
            problems.push(AnswerProblem {
                number: e.problem + 1,
                checkpoints: Vec::new(),
            });
        }
        let checkpoints = &mut problems.last_mut().expect("pushed").checkpoints;
        if checkpoints.last().is_none_or(|c| c.name != e.checkpoint) {
            let label = solved[e.problem]
                .sheet_labels(language)
                .into_iter()
                .find(|l| l.name == e.checkpoint);
            checkpoints.push(AnswerCheckpoint {
                name: e.checkpoint.to_string(),
                symbol: label.as_ref().map(|l| l.symbol.clone()),
                note: label.map(|l| l.note),
                lines: Vec::new(),
            });
        }
        let index = e.label[e.checkpoint.len()..].to_string();
        let lines = &mut checkpoints.last_mut().expect("pushed").lines;
        // `[i][j]`: a new line where the row changes; `[i]` or nothing: one line.
        // The row of a box: every index but the last (`[c][u]` of `[c][u][v]`); none for
        // a vector or a single value.
        let row_of = |index: &str| -> Option<String> {
            let cut = index.rfind('[')?;
            (cut > 0).then(|| index[..cut].to_string())
        };
        let row = row_of(&index);
        let same_row =
            |line: &Vec<String>| line.last().is_some_and(|last: &String| row_of(last) == row);
        match lines.last_mut() {
            Some(line) if row.is_none() || same_row(line) => line.push(index),
            _ => lines.push(vec![index]),
        }
    }
    // A single value needs no index over its box, even when the key holds it as a
    // one-element vector (`b2[0]`: the answers file still names it so).
    for c in problems.iter_mut().flat_map(|p| p.checkpoints.iter_mut()) {
        if let [line] = c.lines.as_mut_slice() {
            if let [only] = line.as_mut_slice() {
                only.clear();
            }
        }
    }
    problems.retain(|p| !p.checkpoints.is_empty());
    AnswerSheet { problems }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matrix_gets_a_line_per_row_and_a_vector_one_line() {
        let spec = crate::exam::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/variants/grading-example/quiz.yaml"
        )))
        .unwrap();
        let solved = crate::class::draw_variant(&spec, 0, 0, 0).unwrap();
        let sheet = answer_sheet(&spec.slots, &solved, Language::Hr);
        let conv = &sheet.problems[1];
        let h = conv.checkpoints.iter().find(|c| c.name == "h").unwrap();
        assert_eq!(
            h.lines,
            vec![
                vec!["[0][0]", "[0][1]", "[0][2]"],
                vec!["[1][0]", "[1][1]", "[1][2]"]
            ]
        );
        let pooled = conv
            .checkpoints
            .iter()
            .find(|c| c.name == "pooled")
            .unwrap();
        assert_eq!(pooled.lines, vec![vec!["[0]", "[1]"]]);
        let loss = conv.checkpoints.iter().find(|c| c.name == "loss").unwrap();
        assert_eq!(loss.lines, vec![vec![""]]);
    }

    #[test]
    fn a_one_element_vector_has_no_index_over_its_box() {
        let spec = crate::exam::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/variants/du1-2022.yaml"
        )))
        .unwrap();
        let solved = crate::class::draw_variant(&spec, 0, 0, 0).unwrap();
        let column = entries(&spec.slots, &solved)
            .into_iter()
            .find(|e| e.checkpoint == "b2")
            .unwrap()
            .column;
        assert_eq!(column, "P1.b2[0]");
        let sheet = answer_sheet(&spec.slots, &solved, Language::Hr);
        let b2 = sheet.problems[0]
            .checkpoints
            .iter()
            .find(|c| c.name == "b2")
            .unwrap();
        assert_eq!(b2.lines, vec![vec![String::new()]]);
    }

    #[test]
    fn a_three_index_checkpoint_gets_a_line_per_kernel_row() {
        let spec = crate::exam::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/variants/conv2d_pool.yaml"
        )))
        .unwrap();
        let solved = crate::class::draw_variant(&spec, 0, 0, 0).unwrap();
        let sheet = answer_sheet(&spec.slots, &solved, Language::Hr);
        let k = sheet
            .problems
            .iter()
            .flat_map(|p| &p.checkpoints)
            .find(|c| c.name == "grad_kernel")
            .unwrap();
        assert!(k.lines.len() > 1, "{:?}", k.lines);
        for line in &k.lines {
            let row = |b: &String| b[..b.rfind('[').unwrap()].to_string();
            assert!(line.iter().all(|b| row(b) == row(&line[0])), "{line:?}");
            assert_eq!(line[0].matches('[').count(), 3, "{line:?}");
        }
    }
}
