//! `examgen regenerate`: one student's sheets rebuilt from the code printed on them.

use super::load::load_spec;
use super::publish::publish;
use super::student::{render_seat, Figures};
use super::{RegenerateConfig, Report, Summary};
use crate::class::{file_stems, Seat};
use crate::class_list;
use crate::error::{Error, Result};
use crate::export::commit::Mode;
use crate::export::files::Staging;
use crate::variant::{student_hash, CodeError, VariantCode};

/// `examgen regenerate`; each warning also goes to `warn` as soon as it is known.
pub fn regenerate(config: &RegenerateConfig, warn: &mut dyn FnMut(&str)) -> Result<Report> {
    let spec = load_spec(&config.spec)?;
    let code_error = |source| Error::Code {
        code: config.code.clone(),
        source,
    };
    let code = VariantCode::parse(&config.code, spec.hash).map_err(code_error)?;
    let seat = match &config.students {
        None => Seat {
            student: None,
            code,
            file_stem: code.to_string(),
        },
        Some(path) => {
            // The code carries 50 bits of the student's hash: the student is the one whose
            // hash they are, whoever else is on the list, and the variant is the code's own
            // salt, so the sheet printed with this code comes back. The file name is the
            // class run's (it depends on the list's ids only).
            let students = class_list::load(path)?.students;
            let fitting: Vec<usize> = (0..students.len())
                .filter(|&s| code.fits(student_hash(code.seed, students.id(s))))
                .collect();
            let list = path.display().to_string();
            let s = match fitting[..] {
                [s] => s,
                [] => return Err(code_error(CodeError::NotInClass(list))),
                _ => {
                    let ids = fitting.iter().map(|&s| format!("`{}`", students.id(s)));
                    let ids = ids.collect::<Vec<_>>().join(", ");
                    return Err(code_error(CodeError::Ambiguous(list, ids)));
                }
            };
            let ids: Vec<Option<&str>> =
                (0..students.len()).map(|s| Some(students.id(s))).collect();
            let file_stem = file_stems(&ids, |_| String::new(), &mut Vec::new())?.swap_remove(s);
            Seat {
                student: Some(students.get(s)),
                code,
                file_stem,
            }
        }
    };
    let files = render_seat(
        &spec,
        &seat,
        config.output.slides,
        config.output.answer_sheet,
    )?;
    let mut report = Report::default();
    // As in the class run: say whose name prints with placeholders.
    report
        .warnings
        .extend(seat.student.as_ref().and_then(|s| s.unsettable_warning()));
    for warning in &report.warnings {
        warn(warning);
    }
    // Adds one student's sheets to the directory; the rest of a class stays.
    let mut staging = Staging::begin(&config.output.dir, config.output.force, Mode::Add)?;
    let mut stems = vec![
        format!("{}-exam", files.stem),
        format!("{}-solutions", files.stem),
    ];
    let mut texts = vec![&files.exam, &files.solutions];
    if let Some(slides) = &files.slides {
        stems.push(format!("{}-slides", files.stem));
        texts.push(slides);
    }
    for (stem, text) in stems.iter().zip(texts) {
        staging.write(&format!("{stem}.tex"), text.as_bytes())?;
    }
    let mut figures = Figures::default();
    figures.write(&mut staging, &files.figures)?;
    let pdfs = publish(staging, &stems, &figures, &config.output, &mut report, warn)?;
    report.summary = Some(Summary {
        made: match &seat.student {
            Some(student) => format!("student {}", student.id),
            None => format!("variant {}", seat.code),
        },
        dir: config.output.dir.clone(),
        pdfs,
        elapsed: Default::default(),
    });
    Ok(report)
}
