//! Grading paper exams: the answer sheet's checkpoints, error carried forward, and
//! `examgen grade`.

pub mod carry;
pub mod mark;
