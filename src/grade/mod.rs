//! Grading paper exams: the answer sheet's checkpoints, error carried forward, and
//! `examgen grade`.

pub mod analysis;
pub mod answers;
pub mod carry;
pub mod mark;
pub mod report;
pub mod sheet;
