//! `examgen generate`: one exam, a class from a list, or anonymous variants.

use super::class_key::ClassKeyWriter;
use super::load::{load_spec, render_single_slides, render_single_with};
use super::publish::publish;
use super::spool::Spool;
use super::student::{render_solved, Figures};
use super::{plural, Class, GenerateConfig, Report, Summary};
use crate::class::{draw_variant, seat_each, Roster};
use crate::class_list;
use crate::error::Result;
use crate::export::commit::Mode;
use crate::export::files::Staging;
use crate::export::{key_csv, moodle};
use crate::parallel;

/// `examgen generate`; each warning also goes to `warn` as soon as it is known, before
/// anything is rendered or compiled.
pub fn generate(config: &GenerateConfig, warn: &mut dyn FnMut(&str)) -> Result<Report> {
    let spec = load_spec(&config.spec)?;
    let mut report = Report::default();
    let made = match &config.class {
        Class::Single => "1 exam".to_string(),
        Class::Students(_) => String::new(),
        Class::Count(n) => plural(*n, "variant"),
    };
    let summary = |made: String, pdfs| Summary {
        made,
        dir: config.output.dir.clone(),
        pdfs,
        elapsed: Default::default(),
    };
    let roster = match &config.class {
        Class::Single => {
            let rendered = render_single_with(&spec, config.seed, config.output.answer_sheet)?;
            let slides = config
                .output
                .slides
                .then(|| render_single_slides(&spec, config.seed))
                .transpose()?;
            let mut staging =
                Staging::begin(&config.output.dir, config.output.force, Mode::Replace)?;
            staging.write("exam.tex", rendered.exam_tex.as_bytes())?;
            staging.write("solutions.tex", rendered.solutions_tex.as_bytes())?;
            staging.write("key.json", rendered.key_json.as_bytes())?;
            let mut figures = Figures::default();
            figures.write(&mut staging, &rendered.figures)?;
            if config.output.answer_sheet {
                // One exam for everybody: the key's row, and the header for the TAs' rows.
                let solved = draw_variant(&spec, config.seed, 0, 0)?;
                let boxes = crate::grade::sheet::entries(&spec.slots, &solved);
                let filled = key_csv::to_text(&[key_csv::Row {
                    id: String::new(),
                    name: String::new(),
                    code: String::new(),
                    cells: boxes
                        .into_iter()
                        .map(|e| (e.column, e.key.to_string()))
                        .collect(),
                }]);
                let header = filled.split_inclusive('\n').next().unwrap_or_default();
                staging.write("answers-template.csv", header.as_bytes())?;
                staging.write("answers-key.csv", filled.as_bytes())?;
            }
            if config.moodle {
                let mut moodle = moodle::Writer::begin(&mut staging, &spec)?;
                let who = moodle::Who {
                    id: None,
                    code: None,
                };
                moodle.variant(&spec, &who, &draw_variant(&spec, config.seed, 0, 0)?)?;
                moodle_warnings(moodle.finish(&mut staging)?, &mut report, warn);
            }
            let mut stems = vec!["exam".to_string(), "solutions".to_string()];
            if let Some(slides) = slides {
                staging.write("slides.tex", slides.as_bytes())?;
                stems.push("slides".to_string());
            }
            let pdfs = publish(staging, &stems, &figures, &config.output, &mut report, warn)?;
            report.summary = Some(summary(made, pdfs));
            return Ok(report);
        }
        Class::Students(path) => Roster::Students(class_list::load(path)?.students),
        Class::Count(n) => Roster::Anonymous(*n),
    };
    let n = roster.len();
    // Names with characters pdflatex cannot set still compile, with placeholders; say whose.
    let unsettable: Vec<String> = match &roster {
        Roster::Students(students) => students.unsettable_warnings(),
        Roster::Anonymous(_) => Vec::new(),
    };
    let made = match &config.class {
        Class::Students(_) => plural(n, "student"),
        _ => made,
    };
    let out = &config.output;

    // Students are seated, drawn and rendered a chunk at a time in the order of their
    // keys (a student's variant is final once the students before it are seated), and
    // their files written at once, so memory does not grow with the class; everything
    // goes to the staging directory until the last file is complete. The class is
    // checked, and what is known to warn about told, before the output is touched.
    let mut early: Vec<String> = Vec::new();
    let ready = |known: &[crate::class::Warning]| -> Result<_> {
        // Now, not after a PDF compile of many minutes: the staff may rather stop and fix.
        early = known.iter().map(|w| w.0.clone()).collect();
        for warning in early.iter().chain(&unsettable) {
            warn(warning);
        }
        let staging = Staging::begin(&out.dir, out.force, Mode::Replace)?;
        let rows = Spool::create(staging.dir().join(".rows"), n)?;
        Ok((staging, rows, Figures::default()))
    };
    let ((mut staging, rows, mut figures), warnings) = seat_each(
        &spec,
        config.seed,
        roster,
        out.jobs,
        ready,
        |(staging, rows, figures), chunk| {
            // Each thread renders its students and writes their sheets; only the shared
            // figures and the key rows are left to this thread.
            let threads = if chunk.len() < 8 { 1 } else { out.jobs };
            let done =
                parallel::map_owned_in_order(chunk, threads, "rendering the sheets", |seated| {
                    let seat = &seated.seat;
                    let files = render_solved(
                        &spec,
                        seat,
                        &seated.solved,
                        &seated.views,
                        out.slides,
                        out.answer_sheet,
                    )?;
                    let stem = &seat.file_stem;
                    staging.put(&format!("{stem}-exam.tex"), files.exam.as_bytes())?;
                    staging.put(&format!("{stem}-solutions.tex"), files.solutions.as_bytes())?;
                    if let Some(slides) = &files.slides {
                        staging.put(&format!("{stem}-slides.tex"), slides.as_bytes())?;
                    }
                    let student = seat.student.as_ref();
                    let record = Record {
                        id: student.map(|s| s.id.clone()),
                        name: student.map(|s| s.name.clone()),
                        code: seat.code.to_string(),
                        stem: stem.clone(),
                        student_key: seat.code.student_key(),
                        salt: seat.code.salt,
                        key: files.key,
                        cells: files.cells,
                        boxes: files.boxes,
                        figures: files.figures.iter().map(|f| f.name.clone()).collect(),
                    };
                    Ok((seated.index, Spool::encode(&record), files.figures))
                })?;
            for (index, record, shown) in done {
                figures.put(staging, &shown)?;
                rows.put_encoded(index, &record)?;
            }
            Ok(())
        },
    )?;
    report.warnings = warnings.into_iter().map(|w| w.0).collect();
    // The clashes are known once the class is seated.
    for warning in report.warnings.iter().filter(|w| !early.contains(w)) {
        warn(warning);
    }
    report.warnings.extend(unsettable);

    // The keys, and the files' names in class-list order (the order of the commit).
    let mut rows = rows.finish()?;
    let mut key_json = ClassKeyWriter::begin(&mut staging, &spec, config.seed)?;
    let mut key_rows = key_csv::Writer::begin(&mut staging)?;
    let mut sheet_rows = match out.answer_sheet {
        true => Some((
            key_csv::Writer::named(&mut staging, "answers-template.csv")?,
            key_csv::Writer::named(&mut staging, "answers-key.csv")?,
        )),
        false => None,
    };
    let mut moodle = match config.moodle {
        true => Some(moodle::Writer::begin(&mut staging, &spec)?),
        false => None,
    };
    let mut stems = Vec::new();
    for index in 0..n {
        let record: Record = rows.get(index)?;
        // In the order the files have always been listed: the sheets, their figures, the
        // slides.
        for sheet in ["exam", "solutions", "figures", "slides"] {
            match sheet {
                "figures" => figures.adopt(&mut staging, &record.figures),
                "slides" if !out.slides => {}
                _ => {
                    let stem = format!("{}-{sheet}", record.stem);
                    staging.adopt(&format!("{stem}.tex"));
                    // Only LaTeX needs the list: without --pdf memory does not grow by it.
                    if out.pdf {
                        stems.push(stem);
                    }
                }
            }
        }
        key_json.student(&record.key)?;
        if let Some(moodle) = &mut moodle {
            let who = moodle::Who {
                id: record.id.as_deref(),
                code: Some(&record.code),
            };
            let solved = draw_variant(&spec, config.seed, record.student_key, record.salt)?;
            moodle.variant(&spec, &who, &solved)?;
        }
        let id = record.id.unwrap_or_default();
        let name = record.name.unwrap_or_default();
        if let Some((template, filled)) = &mut sheet_rows {
            let blank = record.boxes.iter().map(|(c, _)| (c.clone(), String::new()));
            template.row(&key_csv::Row {
                id: id.clone(),
                name: name.clone(),
                code: record.code.clone(),
                cells: blank.collect(),
            })?;
            filled.row(&key_csv::Row {
                id: id.clone(),
                name: name.clone(),
                code: record.code.clone(),
                cells: record.boxes,
            })?;
        }
        key_rows.row(&key_csv::Row {
            id,
            name,
            code: record.code,
            cells: record.cells,
        })?;
    }
    drop(rows);
    key_json.finish()?;
    key_rows.finish(&mut staging)?;
    if let Some((template, filled)) = sheet_rows {
        template.finish(&mut staging)?;
        filled.finish(&mut staging)?;
    }
    if let Some(moodle) = moodle {
        moodle_warnings(moodle.finish(&mut staging)?, &mut report, warn);
    }
    let pdfs = publish(staging, &stems, &figures, out, &mut report, warn)?;
    report.summary = Some(summary(made, pdfs));
    Ok(report)
}

/// Everything key.json, key.csv, moodle.xml and the commit need of a rendered student,
/// kept in the spool until the keys are written in class-list order: nothing else of a
/// seated student stays in memory.
#[derive(serde::Serialize, serde::Deserialize)]
struct Record {
    /// The student's id and name (None for an anonymous variant).
    id: Option<String>,
    name: Option<String>,
    code: String,
    /// The stem of the student's file names.
    stem: String,
    /// The variant's student key and salt (`--moodle` draws it again).
    student_key: u64,
    salt: u32,
    /// The student's key.json entry, as its one line (compact JSON).
    key: String,
    cells: Vec<(String, String)>,
    boxes: Vec<(String, String)>,
    /// The shared figures the student's sheets show.
    figures: Vec<String>,
}

/// The warnings of `moodle.xml`, told at once and kept in the report.
fn moodle_warnings(warnings: Vec<String>, report: &mut Report, warn: &mut dyn FnMut(&str)) {
    for warning in warnings {
        warn(&warning);
        report.warnings.push(warning);
    }
}
