//! The YAML exam spec: what the course staff write, and its validation.
//!
//! A spec names the course and the exam and lists the problems; each problem is a map
//! with one key, the problem kind, whose value holds the problem's parameters (see the
//! README for every field). Parsing is strict: unknown fields are errors, and every error
//! names the file, the line and the field. Checking a problem's parameters (shapes,
//! ranges) is done by the problem's own module, which reports a field path that is mapped
//! back to a line here.
//!
//! This module knows no problem kind: the spec is read with the problem entry as a type
//! parameter ([`RawSpec`]), which the kind registry supplies ([`crate::exam`] puts the
//! two together), so `spec` sits below `problems` and never imports it.

pub mod grading;
pub mod guard;
pub mod knobs;
pub mod limits;
pub mod locate;
pub mod moodle;
pub mod number;
pub mod slides;

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{Error, Result};

/// Languages the sheets can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// Croatian, as the 2022 exam.
    Hr,
    /// English, in the terms of the standard English texts (Goodfellow et al., the
    /// PyTorch documentation).
    En,
}

/// The exam spec as written in YAML; `P` is one problem entry (the registry's
/// `RawProblem`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(bound(deserialize = "P: DeserializeOwned"))]
pub struct RawSpec<P> {
    /// Course title printed in the header.
    pub course: String,
    /// Exam title printed in the header.
    pub exam: String,
    /// Date printed under the title, free text.
    #[serde(default)]
    pub date: Option<String>,
    /// Author of the solutions, printed on the solution sheet.
    #[serde(default)]
    pub author: Option<String>,
    /// Language of the sheets.
    pub language: Language,
    /// Layout of the solution slides (`--slides`).
    #[serde(default)]
    pub slides: slides::RawSlides,
    /// Settings of `moodle.xml` (`generate --moodle`): the blanks' tolerance.
    #[serde(default)]
    pub moodle: Option<moodle::MoodleOptions>,
    /// Settings of `examgen grade`: error-carried-forward credit, tolerance.
    #[serde(default)]
    pub grading: grading::GradingOptions,
    /// The problems, in the order they appear on the sheet.
    #[serde(deserialize_with = "bounded_problems")]
    pub problems: Vec<P>,
}

/// At most [`limits::MAX_PROBLEMS`], counted while they are read.
fn bounded_problems<'de, D: serde::Deserializer<'de>, P: DeserializeOwned>(
    d: D,
) -> std::result::Result<Vec<P>, D::Error> {
    number::bounded(d, limits::MAX_PROBLEMS)
}

/// A problem's points on the sheet (optional in the spec).
pub type Points = Option<u32>;

/// A rule broken by one field of a problem; the path is relative to the problem's map.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Reads a spec file as text (at most [`limits::MAX_SPEC_BYTES`], UTF-8).
pub fn read(path: &Path) -> Result<String> {
    use std::io::Read as _;
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    // Read one byte past the limit, so that a huge file (or a device) is not read whole.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            f.take(limits::MAX_SPEC_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(read_error)?;
    if bytes.len() > limits::MAX_SPEC_BYTES {
        return Err(Error::SpecSyntax {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: format!(
                "the file is larger than {} bytes, the limit for a spec; is this the right file?",
                limits::MAX_SPEC_BYTES
            ),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        Error::SpecSyntax {
            path: path.to_path_buf(),
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
            column: valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1,
            message: "this is not UTF-8 text; save the spec as UTF-8".into(),
        }
    })
}

/// Editors on Windows save UTF-8 with a byte-order mark; it is not part of the spec (nor
/// of its hash: the same spec with and without it is the same exam).
pub fn without_bom(source: &str) -> &str {
    source.strip_prefix('\u{feff}').unwrap_or(source)
}

/// Parses spec text (without a byte-order mark) up to its problem entries `P` and checks
/// the exam's own fields; `kinds` (the registry's) are named in messages, `path` is used
/// in messages only.
pub fn parse_raw<P: DeserializeOwned>(
    source: &str,
    path: &Path,
    kinds: &[&str],
) -> Result<RawSpec<P>> {
    if let Some((line, column)) = guard::too_deep(source) {
        return Err(Error::SpecSyntax {
            path: path.to_path_buf(),
            line,
            column,
            message: format!(
                "lists and maps are nested more than {} levels deep here; a spec needs a handful",
                limits::MAX_NESTING
            ),
        });
    }
    if let Some((line, column)) = guard::too_many_brackets(source) {
        return Err(Error::SpecSyntax {
            path: path.to_path_buf(),
            line,
            column,
            message: format!(
                "the file has more than {} `[` and `{{` characters (counted anywhere, even in \
                 quotes and comments); a spec needs a few hundred",
                guard::MAX_FLOW_BRACKETS
            ),
        });
    }
    if let Some((line, column)) = guard::too_many_block_indicators(source) {
        return Err(Error::SpecSyntax {
            path: path.to_path_buf(),
            line,
            column,
            message: format!(
                "the file has more than {} list items or `?` keys (`-` or `?` before a space, \
                 counted anywhere, even in quotes and comments); a spec needs a few hundred",
                guard::MAX_BLOCK_INDICATORS
            ),
        });
    }
    let raw: RawSpec<P> =
        serde_yaml::from_str(source).map_err(|e| syntax_error(&e, path, source, kinds))?;
    let invalid = |field: &str, message: String| invalid(path, source, field, message);
    if raw.course.trim().is_empty() {
        return Err(invalid("course", "must not be empty".into()));
    }
    if raw.exam.trim().is_empty() {
        return Err(invalid("exam", "must not be empty".into()));
    }
    if raw.problems.is_empty() {
        return Err(invalid(
            "problems",
            format!(
                "the exam has no problems; add at least one of: {}",
                kinds.join(", ")
            ),
        ));
    }
    Ok(raw)
}

/// A broken rule at `field` (a path like `problems[2].<kind>.x[1]`), on the line where
/// the spec `source` writes it.
pub fn invalid(path: &Path, source: &str, field: &str, message: String) -> Error {
    Error::SpecInvalid {
        path: path.to_path_buf(),
        line: locate::line_of(source, field),
        field: field.to_string(),
        message,
    }
}
/// Turns serde_yaml's message into one that names the file and line and, for the usual
/// mistakes, says what to change.
fn syntax_error(e: &serde_yaml::Error, path: &Path, source: &str, kinds: &[&str]) -> Error {
    let mut message = e.to_string();
    let (line, column) = match e.location() {
        Some(l) => (l.line(), l.column()),
        // serde_yaml has no location for a second document: point at its `---`.
        None => {
            let second = source
                .lines()
                .enumerate()
                .filter(|(_, l)| l.trim_end() == "---" || l.starts_with("--- "))
                .map(|(i, _)| i + 1)
                .find(|&n| n > 1 || !source.starts_with("---"));
            (second.unwrap_or(1), 1)
        }
    };
    if message.contains("more than one document") {
        message = "the file holds more than one YAML document (a `---` line); a spec is one document, remove the `---` and what follows or split the file".into();
    }
    // serde_yaml appends " at line L column C"; the location is already in front.
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    if message.contains("cannot start any token") && line_has_tab(source, line) {
        message.push_str("\n  (YAML indentation must use spaces, not tabs)");
    }
    if message.contains("unknown field") && is_problem_entry(&message) {
        message = format!(
            "{message}\n  (a problem starts with its kind, or is a `pool:` of problems; the kinds are: {})",
            kinds.join(", ")
        );
    }
    Error::SpecSyntax {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// Whether line `line` of the spec has a tab in its indentation.
fn line_has_tab(source: &str, line: usize) -> bool {
    source.lines().nth(line.saturating_sub(1)).is_some_and(|l| {
        l.chars()
            .take_while(|c| c.is_whitespace())
            .any(|c| c == '\t')
    })
}

/// Whether a serde message is about the keys of a `problems[i]` entry itself.
fn is_problem_entry(message: &str) -> bool {
    message
        .split(':')
        .next()
        .is_some_and(|p| p.starts_with("problems[") && p.ends_with(']') && !p.contains('.'))
}

/// Shared checks of pinned values (finite, integer, shapes), used by every kind's spec
/// check; the checks of `draw:` knobs are in [`knobs`].
pub mod rules {
    use serde::{Deserialize, Deserializer};

    use super::FieldError;

    type R = std::result::Result<(), FieldError>;

    /// For `deserialize_with` on a problem's `draw` field: `draw:` written with nothing
    /// after it means the defaults, as `draw: {}` does.
    pub fn present<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Default,
    {
        Ok(Some(Option::<T>::deserialize(d)?.unwrap_or_default()))
    }

    /// The knob vocabulary, where the kinds have always found it.
    pub use super::knobs::{missing, range, size};

    /// Every entry finite.
    pub fn finite(field: &str, values: &[f64]) -> R {
        match values.iter().position(|v| !v.is_finite()) {
            Some(i) => Err(FieldError::new(
                format!("{field}[{i}]"),
                "must be a finite number",
            )),
            None => Ok(()),
        }
    }

    /// A rectangular matrix with at least one row and one column; returns (rows, cols).
    pub fn matrix(
        field: &str,
        rows: &[Vec<f64>],
    ) -> std::result::Result<(usize, usize), FieldError> {
        let Some(first) = rows.first() else {
            return Err(FieldError::new(field, "must have at least one row"));
        };
        if first.is_empty() {
            return Err(FieldError::new(
                format!("{field}[0]"),
                "must have at least one column",
            ));
        }
        for (i, row) in rows.iter().enumerate() {
            if row.len() != first.len() {
                return Err(FieldError::new(
                    format!("{field}[{i}]"),
                    format!(
                        "has {} entries but row 0 has {}; every row needs the same length",
                        row.len(),
                        first.len()
                    ),
                ));
            }
            finite(&format!("{field}[{i}]"), row)?;
        }
        Ok((rows.len(), first.len()))
    }

    /// A vector of the given length.
    pub fn length(field: &str, values: &[f64], expected: usize, why: &str) -> R {
        if values.len() != expected {
            return Err(FieldError::new(
                field,
                format!("has {} entries but needs {expected} ({why})", values.len()),
            ));
        }
        finite(field, values)
    }

    /// Every entry an integer.
    pub fn integers(field: &str, values: &[f64]) -> R {
        match values.iter().position(|v| v.fract() != 0.0) {
            Some(i) => Err(FieldError::new(
                format!("{field}[{i}]"),
                format!("must be an integer, not {}", values[i]),
            )),
            None => Ok(()),
        }
    }
}
