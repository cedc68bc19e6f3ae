//! The answer sheet of one student: one entry per checkpoint value of every problem (the
//! walk of [`super::carry`]), named as key.csv names its columns (`P1.h[0][1]`,
//! `P3.softmax_ce.p[0]` in a pool).

use crate::export::key_csv::column_prefix;
use crate::problems::Solved;
use crate::render::sheet::{AnswerCheckpoint, AnswerProblem, AnswerSheet};
use crate::slot::Slot;

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

/// The answer sheet's view: the boxes of [`entries`], grouped by problem and checkpoint.
pub fn answer_sheet(slots: &[Slot], solved: &[Solved]) -> AnswerSheet {
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
            checkpoints.push(AnswerCheckpoint {
                name: e.checkpoint.to_string(),
                boxes: Vec::new(),
            });
        }
        let index = e.label[e.checkpoint.len()..].to_string();
        checkpoints.last_mut().expect("pushed").boxes.push(index);
    }
    problems.retain(|p| !p.checkpoints.is_empty());
    AnswerSheet { problems }
}
