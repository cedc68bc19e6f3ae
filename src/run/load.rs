//! Reading a spec for a command: the spec's own checks, then one variant drawn and rendered,
//! so that whatever would fail while sheets are rendered is reported against the spec.

use std::path::Path;

use crate::class::draw_variant;
use crate::error::{Error, Result};
use crate::exam::{self, render_sheets, render_slides, ExamSpec};
use crate::export::key;
use crate::render::figure::Figure;
use crate::spec;

/// The rendered output of one exam, before anything is written.
pub struct Rendered {
    pub exam_tex: String,
    pub solutions_tex: String,
    pub key_json: String,
    /// Shared figures, written to `figures/<name>.tex`.
    pub figures: Vec<Figure>,
}

/// Reads, solves and renders a spec as one exam (seed 0) without writing anything; a
/// render failure is returned as the renderer reports it (the commands use `load_spec`).
pub fn render_spec(spec_path: &Path) -> Result<Rendered> {
    let spec = exam::load(spec_path)?;
    render_single(&spec, 0)
}

/// Reads a spec and renders one variant of it (seed 0, the first student) without
/// writing anything, so that every command refuses, when it reads the spec, what would
/// otherwise fail only while sheets are rendered: a value the sheet cannot show exactly.
/// The error names the spec file and the problem's line, as the spec's own checks do.
pub(super) fn load_spec(path: &Path) -> Result<ExamSpec> {
    let spec = exam::load(path)?;
    let probe = draw_variant(&spec, 0, 0, 0).and_then(|solved| render_sheets(&spec, &solved, None));
    match probe {
        Err(e) => Err(in_spec(path, e, "")),
        Ok(_) => Ok(spec),
    }
}

/// A problem's draw or render failure as a spec error: the spec file, the problem's line
/// and field path, and what failed (`context` says which variant, if not the first).
pub(super) fn in_spec(path: &Path, e: Error, context: &str) -> Error {
    let (index, kind) = match &e {
        Error::NotExact { index, kind, .. }
        | Error::Template { index, kind, .. }
        | Error::NoTemplate { index, kind, .. }
        | Error::Draw { index, kind, .. } => (*index, *kind),
        _ => return e,
    };
    if index == 0 {
        return e;
    }
    let field = format!("problems[{}].{kind}", index - 1);
    let source = std::fs::read_to_string(path).unwrap_or_default();
    Error::SpecInvalid {
        path: path.to_path_buf(),
        line: spec::locate::line_of(&source, &field),
        // A draw error says what to change itself; an inexact value does not.
        message: match e {
            Error::NotExact { source, .. } => format!(
                "{context}{source}; change the pinned values or the ranges so that every value \
                 is exact"
            ),
            Error::Draw { source, .. } => format!("{context}{source}"),
            other => format!("{context}{other}"),
        },
        field,
    }
}

/// Renders `samples` drawn variants of every problem that is not pinned (a pinned one
/// was rendered by `load_spec`), as a class run would. The kinds' constraints already
/// keep every variant printable; this is the defence in depth that makes `check` refuse
/// whatever `generate` would fail on, with the spec file and the problem's line.
pub(super) fn render_samples(spec: &ExamSpec, path: &Path, samples: usize) -> Result<()> {
    for (i, slot) in spec.slots.iter().enumerate() {
        if slot.is_fixed() {
            continue;
        }
        for j in 0..samples {
            // The probe keys of `count_variants`: never a student's.
            let rendered = slot
                .draw(&mut crate::class::probe_rng(i, j), i + 1)
                .and_then(|solved| solved.render(spec.language, i + 1));
            if let Err(e) = rendered {
                return Err(in_spec(path, e, &format!("sampled variant {}: ", j + 1)));
            }
        }
    }
    Ok(())
}

/// The solution slides of the one exam [`render_single`] renders.
pub(super) fn render_single_slides(spec: &ExamSpec, seed: u64) -> Result<String> {
    render_slides(spec, &draw_variant(spec, seed, 0, 0)?, &[], None)
}

pub(super) fn render_single(spec: &ExamSpec, seed: u64) -> Result<Rendered> {
    render_single_with(spec, seed, false)
}

/// The one exam, with its answer sheet when `answer_sheet`.
pub(super) fn render_single_with(
    spec: &ExamSpec,
    seed: u64,
    answer_sheet: bool,
) -> Result<Rendered> {
    let solved = draw_variant(spec, seed, 0, 0)?;
    let sheets = crate::exam::render_sheets_with(spec, &solved, None, answer_sheet)?;
    Ok(Rendered {
        exam_tex: sheets.exam,
        solutions_tex: sheets.solutions,
        key_json: key::to_text(&key::exam_key(spec, &solved)),
        figures: sheets.figures,
    })
}
