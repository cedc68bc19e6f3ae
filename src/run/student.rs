//! One student's (or anonymous variant's) files: drawn, solved and rendered, in memory,
//! and the shared figures of a run, each written once.

use crate::class::{draw_variant, Seat};
use crate::error::{Error, Result};
use crate::exam::ExamSpec;
use crate::exam::{render_sheets_kept, render_slides};
use crate::export::files::Staging;
use crate::export::key_csv;
use crate::problems::kind::Views;
use crate::problems::Solved;
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
    /// The student's key.json entry, on one line.
    pub(super) key: String,
    pub(super) cells: Vec<(String, String)>,
    /// The answer sheet's boxes and the key's values in them (with `--answer-sheet`).
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
    render_solved(spec, seat, &solved, &[], slides, answer_sheet)
}

/// One seat's files from its variant, already drawn (with the views its draws kept).
pub(super) fn render_solved(
    spec: &ExamSpec,
    seat: &Seat,
    solved: &[Solved],
    views: &[Option<Views>],
    slides: bool,
    answer_sheet: bool,
) -> Result<StudentFiles> {
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
    let sheets =
        render_sheets_kept(spec, solved, views, Some(&line), answer_sheet).map_err(in_seat)?;
    let slides = slides
        .then(|| render_slides(spec, solved, views, Some(&line)))
        .transpose()
        .map_err(in_seat)?;
    let (key, picked) = key_entry(&line, solved);
    let cells = key_csv::answer_cells(&spec.slots, solved, &picked);
    // Only the answer sheet's CSVs show the boxes (their expected values take a carry
    // through every checkpoint, so nothing is worked out for a run without them).
    let boxes = match answer_sheet {
        true => crate::grade::sheet::entries(&spec.slots, solved)
            .into_iter()
            .map(|e| (e.column, e.key.to_string()))
            .collect(),
        false => Vec::new(),
    };
    Ok(StudentFiles {
        stem: seat.file_stem.clone(),
        figures: sheets.figures,
        exam: sheets.exam,
        solutions: sheets.solutions,
        slides,
        key,
        cells,
        boxes,
    })
}

/// A student's key.json entry as compact JSON, as `Value` writes it (keys in order:
/// id, name, problems, variant_code), and each problem's entries for key.csv.
fn key_entry(line: &StudentLine, solved: &[Solved]) -> (String, Vec<Vec<Option<String>>>) {
    let mut out = Vec::with_capacity(4096);
    let put = |out: &mut Vec<u8>, name: &str, value: &Option<String>| {
        out.extend_from_slice(name.as_bytes());
        serde_json::to_writer(out, value).expect("strings serialize");
    };
    put(&mut out, "{\"id\":", &line.id);
    put(&mut out, ",\"name\":", &line.name);
    out.extend_from_slice(b",\"problems\":[");
    let mut problems = Vec::with_capacity(solved.len());
    for (i, problem) in solved.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        problems.push(problem.write_key(&mut out));
    }
    out.extend_from_slice(b"],\"variant_code\":");
    serde_json::to_writer(&mut out, &line.code).expect("strings serialize");
    out.push(b'}');
    (
        String::from_utf8(out).expect("serde_json writes UTF-8"),
        problems,
    )
}

/// The shared figures of a run: each written once.
#[derive(Default)]
pub(super) struct Figures {
    pub(super) written: std::collections::HashSet<String>,
    adopted: std::collections::HashSet<String>,
    pub(super) stems: Vec<String>,
}

impl Figures {
    /// Writes the figures not written yet.
    pub(super) fn write(&mut self, staging: &mut Staging, figures: &[Figure]) -> Result<()> {
        self.put(staging, figures)?;
        let names: Vec<String> = figures.iter().map(|f| f.name.clone()).collect();
        self.adopt(staging, &names);
        Ok(())
    }

    /// Writes the figures not written yet, without registering them for the commit
    /// ([`Figures::adopt`] does, in the order the sheets come in).
    pub(super) fn put(&mut self, staging: &Staging, figures: &[Figure]) -> Result<()> {
        for figure in figures {
            if self.written.insert(figure.name.clone()) {
                staging.put(&figure.path(), figure.document().as_bytes())?;
            }
        }
        Ok(())
    }

    /// Registers the figures of `names` not registered yet, in order.
    pub(super) fn adopt(&mut self, staging: &mut Staging, names: &[String]) {
        for name in names {
            if self.adopted.insert(name.clone()) {
                staging.adopt(&Figure::path_of(name));
                self.stems.push(name.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A student's key.json line, written piece by piece, is the text of the value
    /// key.json has always been written from, for students with and without a name.
    #[test]
    fn the_key_entry_is_the_value_key_json_was_written_from() {
        let text = "course: a\nexam: b\nlanguage: hr\nproblems:\n  - conv1d:\n      draw: {}\n  \
                    - retrieval_ap:\n      draw: {}\n  - backprop_graph:\n      draw: {}\n";
        let spec = crate::exam::parse(text, std::path::Path::new("k.yaml")).unwrap();
        let lines = [(Some("Ana \"A\" Kovačić\t\\"), Some("0036")), (None, None)];
        for (k, (name, id)) in lines.into_iter().enumerate() {
            let solved = draw_variant(&spec, 7, k as u64, 0).unwrap();
            let line = StudentLine {
                name: name.map(str::to_string),
                id: id.map(str::to_string),
                code: format!("CODE-{k}"),
            };
            let (written, picked) = key_entry(&line, &solved);
            let keys: Vec<serde_json::Value> = solved.iter().map(Solved::key).collect();
            let value = serde_json::json!({
                "id": line.id,
                "name": line.name,
                "variant_code": line.code,
                "problems": keys,
            });
            assert_eq!(written, value.to_string());
            for ((picked, key), problem) in picked.into_iter().zip(&keys).zip(&solved) {
                assert_eq!(picked, problem.key_csv().of_value(key));
            }
        }
    }
}
