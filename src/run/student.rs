//! One student's (or anonymous variant's) files: drawn, solved and rendered, in memory,
//! and the shared figures of a run, each written once.

use serde_json::{json, Value};

use crate::class::{draw_variant, Seat};
use crate::error::{Error, Result};
use crate::exam::ExamSpec;
use crate::exam::{render_sheets_with, render_slides};
use crate::export::files::Staging;
use crate::export::key_csv;
use crate::render::figure::Figure;
use crate::render::sheet::StudentLine;

/// One student's rendered files and key entry.
pub(super) struct StudentFiles {
    pub(super) stem: String,
    pub(super) figures: Vec<Figure>,
    pub(super) exam: String,
    pub(super) solutions: String,
    /// The solution slides, with `--slides`.
    pub(super) slides: Option<String>,
    pub(super) key: Value,
    pub(super) cells: Vec<(String, String)>,
    /// The answer sheet's boxes and the key's values in them.
    pub(super) boxes: Vec<(String, String)>,
}

pub(super) fn render_seat(
    spec: &ExamSpec,
    seat: &Seat,
    slides: bool,
    answer_sheet: bool,
) -> Result<StudentFiles> {
    let solved = draw_variant(
        spec,
        seat.code.seed,
        seat.code.student_key(),
        seat.code.salt,
    )?;
    let line = StudentLine {
        name: seat.student.as_ref().map(|s| s.name.clone()),
        id: seat.student.as_ref().map(|s| s.id.clone()),
        code: seat.code.to_string(),
    };
    let in_seat = |source| Error::Seat {
        spec: spec.path.clone(),
        who: match &line.id {
            Some(id) => format!("student {id} (code {})", line.code),
            None => format!("variant {}", line.code),
        },
        source: Box::new(source),
    };
    let sheets = render_sheets_with(spec, &solved, Some(&line), answer_sheet).map_err(in_seat)?;
    let slides = slides
        .then(|| render_slides(spec, &solved, Some(&line)))
        .transpose()
        .map_err(in_seat)?;
    let keys: Vec<Value> = solved.iter().map(|s| s.key()).collect();
    let cells = key_csv::answer_cells(&spec.slots, &solved, &keys);
    let boxes = crate::grade::sheet::entries(&spec.slots, &solved)
        .into_iter()
        .map(|e| (e.column, e.key.to_string()))
        .collect();
    Ok(StudentFiles {
        stem: seat.file_stem.clone(),
        figures: sheets.figures,
        exam: sheets.exam,
        solutions: sheets.solutions,
        slides,
        key: json!({
            "id": line.id,
            "name": line.name,
            "variant_code": line.code,
            "problems": keys,
        }),
        cells,
        boxes,
    })
}

/// The shared figures of a run: each written once.
#[derive(Default)]
pub(super) struct Figures {
    pub(super) written: std::collections::HashSet<String>,
    pub(super) stems: Vec<String>,
}

impl Figures {
    /// Writes the figures not written yet.
    pub(super) fn write(&mut self, staging: &mut Staging, figures: &[Figure]) -> Result<()> {
        for figure in figures {
            if self.written.insert(figure.name.clone()) {
                staging.write(&figure.path(), figure.document().as_bytes())?;
                self.stems.push(figure.name.clone());
            }
        }
        Ok(())
    }
}

/// Students rendered together before their files are written, in class-list order.
pub(super) const RENDER_CHUNK: usize = 64;

/// Renders a few students on `threads` threads; the result is in the order of `seats`,
/// so the output does not depend on the number of threads.
pub(super) fn render_parallel(
    spec: &ExamSpec,
    seats: &[Seat],
    threads: usize,
    slides: bool,
    answer_sheet: bool,
) -> Result<Vec<StudentFiles>> {
    crate::parallel::map_in_order(seats, threads, "rendering the sheets", |s| {
        render_seat(spec, s, slides, answer_sheet)
    })
}
