//! `key.json`, the machine-readable answer key (format documented in the README).
//!
//! For every problem: `kind`, `points`, `params` (the inputs, as plain JSON numbers) and
//! `answers` (engine values, floats; indices 0-based; matrices as arrays of rows).

use serde_json::{json, Value};

use crate::exam::ExamSpec;
use crate::problems::Solved;

/// Version of the key format; bumped when a field changes meaning.
pub const KEY_FORMAT: u32 = 1;

/// The key of one exam.
pub fn exam_key(spec: &ExamSpec, solved: &[Solved]) -> Value {
    json!({
        "format": KEY_FORMAT,
        "course": spec.course,
        "exam": spec.exam,
        "date": spec.date,
        "language": spec.language,
        "problems": solved.iter().map(Solved::key).collect::<Vec<_>>(),
    })
}

/// Pretty JSON with a final newline.
pub fn to_text(key: &Value) -> String {
    let mut text = serde_json::to_string_pretty(key).expect("a JSON value always serializes");
    text.push('\n');
    text
}
