//! `examgen grade`: a class's typed-in answers marked against the key, with error
//! carried forward, into grades.csv, one feedback file per student and the item
//! analysis. Every student's variant is drawn again from the spec and the variant code,
//! and must be the key's (so a key from another spec, or an edited one, is refused):
//! the engine, not the key's decimals, decides what follows from a student's values.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::load::load_spec;
use super::publish::publish;
use super::student::Figures;
use super::{GradeConfig, Report, Summary};
use crate::class::{draw_variant, file_stems};
use crate::error::{Error, Result};
use crate::exam::ExamSpec;
use crate::export::commit::Mode;
use crate::export::files::Staging;
use crate::export::key_csv::column_prefix;
use crate::grade::analysis::ItemAnalysis;
use crate::grade::answers::{self, Answers};
use crate::grade::mark::{earned, entry_points, mark};
use crate::grade::report::{self, ProblemResult, StudentResult};
use crate::problems::Solved;
use crate::variant::VariantCode;

/// The parts of key.json grading reads.
#[derive(Deserialize)]
struct KeyFile {
    #[serde(default)]
    seed: Option<u64>,
    /// A class's key.
    #[serde(default)]
    students: Option<Vec<KeyStudent>>,
    /// A single exam's key: its problems.
    #[serde(default)]
    problems: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct KeyStudent {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    variant_code: String,
    problems: Vec<Value>,
}

/// One sheet to grade: who, and the variant drawn again.
struct Sheet {
    id: Option<String>,
    name: String,
    code: String,
    solved: Vec<Solved>,
}

fn key_error(path: &Path, message: String) -> Error {
    Error::Key {
        path: path.to_path_buf(),
        message,
    }
}

/// The key's sheets, each drawn again from the spec and checked against the key.
fn sheets(spec: &ExamSpec, path: &Path) -> Result<Vec<Sheet>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let key: KeyFile = serde_json::from_str(&text).map_err(|e| {
        key_error(
            path,
            format!("not an examgen key.json: {e} (line {})", e.line()),
        )
    })?;
    let mismatch = |who: &str| {
        key_error(
            path,
            format!(
                "{who}: the key's problems are not what {} draws; grade with the spec the key \
                 was made with (and an unedited key.json)",
                spec.path.display()
            ),
        )
    };
    let same = |solved: &[Solved], problems: &[Value]| {
        solved.len() == problems.len()
            && solved.iter().zip(problems).all(|(s, p)| {
                // Through the same text and parser as key.json's values went (serde_json
                // reads some decimals a unit in the last place off).
                let mine: Value = serde_json::from_str(&s.key().to_string()).expect("JSON");
                mine["kind"] == p["kind"] && mine["params"] == p["params"]
            })
    };
    match (key.students, key.problems) {
        (Some(students), _) => students
            .into_iter()
            .map(|st| {
                let who = st.id.clone().unwrap_or_else(|| st.variant_code.clone());
                let code = VariantCode::parse(&st.variant_code, spec.hash).map_err(|e| {
                    key_error(
                        path,
                        format!(
                            "{who}: variant code {}: {e}; grade with the spec the key was made with",
                            st.variant_code
                        ),
                    )
                })?;
                let solved = draw_variant(spec, code.seed, code.student_key(), code.salt)?;
                if !same(&solved, &st.problems) {
                    return Err(mismatch(&who));
                }
                Ok(Sheet {
                    id: st.id,
                    name: st.name.unwrap_or_default(),
                    code: st.variant_code,
                    solved,
                })
            })
            .collect(),
        (None, Some(problems)) => {
            let solved = draw_variant(spec, key.seed.unwrap_or(0), 0, 0)?;
            if !same(&solved, &problems) {
                return Err(mismatch("the exam"));
            }
            Ok(vec![Sheet {
                id: None,
                name: String::new(),
                code: String::new(),
                solved,
            }])
        }
        (None, None) => Err(key_error(
            path,
            "has neither `students` nor `problems`: not an examgen key.json".into(),
        )),
    }
}

/// Marks one student's answers on one sheet.
fn grade_sheet(
    spec: &ExamSpec,
    sheet: &Sheet,
    entered: &HashMap<String, f64>,
) -> Vec<ProblemResult> {
    let credit = spec.grading.ecf_credit();
    spec.slots
        .iter()
        .zip(&sheet.solved)
        .enumerate()
        .map(|(i, (slot, solved))| {
            let prefix = column_prefix(slot, i, solved);
            let value = |label: &str| entered.get(&format!("{prefix}.{label}")).copied();
            let tolerance = spec.grading_tolerance(i);
            let marks = mark(solved, &value, tolerance);
            let worth = entry_points(&marks, solved.points());
            ProblemResult {
                kind: solved.kind(),
                prefix,
                tolerance,
                marks: marks
                    .into_iter()
                    .zip(worth)
                    .map(|(m, w)| {
                        let got = earned(m.verdict, w, credit);
                        (m, w, got)
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The columns of every sheet's boxes.
fn columns(spec: &ExamSpec, sheet: &Sheet) -> Vec<String> {
    crate::grade::sheet::entries(&spec.slots, &sheet.solved)
        .into_iter()
        .map(|e| e.column)
        .collect()
}

/// A typed variant code as the key writes it (case, dashes and spaces as on the sheet),
/// or as typed when it is no code of the spec.
fn canonical(code: &str, spec_hash: u64) -> String {
    VariantCode::parse(code, spec_hash).map_or_else(|_| code.to_string(), |c| c.to_string())
}

/// Pairs the answers file's rows with the key's sheets; a row of nobody in the key, or
/// with a box the student's sheet does not have, is an error.
fn results(spec: &ExamSpec, sheets: &[Sheet], answers: &Answers) -> Result<Vec<StudentResult>> {
    let row_error = |line, message| Error::Answers {
        path: answers.path.clone(),
        line,
        message,
    };
    let single = sheets.len() == 1 && sheets[0].id.is_none() && sheets[0].code.is_empty();
    let mut by_who: HashMap<&str, usize> = HashMap::new();
    for (i, s) in sheets.iter().enumerate() {
        let who = if answers.key_column == "id" {
            s.id.as_deref()
        } else {
            Some(s.code.as_str())
        };
        if let Some(who) = who {
            by_who.insert(who, i);
        }
    }
    let mut rows: HashMap<usize, &answers::Row> = HashMap::new();
    let mut out = Vec::new();
    for row in &answers.rows {
        let at = if single {
            0
        } else {
            let who = match answers.key_column {
                "id" => row.who.clone(),
                _ => canonical(&row.who, spec.hash),
            };
            *by_who.get(who.as_str()).ok_or_else(|| {
                row_error(
                    row.line,
                    format!(
                        "{} `{}` is not in the key: no sheet was made for this student",
                        answers.key_column, row.who
                    ),
                )
            })?
        };
        let sheet = &sheets[at];
        if let Some(code) = &row.code {
            if !single && canonical(code, spec.hash) != sheet.code {
                return Err(row_error(
                    row.line,
                    format!(
                        "variant_code `{code}` is not the code of {}'s sheet ({}); check the row",
                        row.who, sheet.code
                    ),
                ));
            }
        }
        let own = columns(spec, sheet);
        if let Some(column) = row.values.keys().filter(|c| !own.contains(c)).min() {
            return Err(row_error(
                row.line,
                format!(
                    "{column}: {}'s answer sheet has no such box (the student's problems are {})",
                    row.who,
                    sheet
                        .solved
                        .iter()
                        .map(Solved::kind)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if single {
            out.push(StudentResult {
                id: row.who.clone(),
                name: row.name.clone(),
                code: String::new(),
                problems: Some(grade_sheet(spec, sheet, &row.values)),
            });
        } else {
            rows.insert(at, row);
        }
    }
    if !single {
        for (i, sheet) in sheets.iter().enumerate() {
            out.push(StudentResult {
                id: sheet.id.clone().unwrap_or_default(),
                name: sheet.name.clone(),
                code: sheet.code.clone(),
                problems: rows
                    .get(&i)
                    .map(|row| grade_sheet(spec, sheet, &row.values)),
            });
        }
    }
    Ok(out)
}

/// `examgen grade`.
pub fn grade(config: &GradeConfig, warn: &mut dyn FnMut(&str)) -> Result<Report> {
    let spec = load_spec(&config.spec)?;
    let sheets = sheets(&spec, &config.key)?;
    let known: std::collections::HashSet<String> =
        sheets.iter().flat_map(|s| columns(&spec, s)).collect();
    let answers = answers::read(&config.answers, &|c| known.contains(c))?;
    let results = results(&spec, &sheets, &answers)?;
    let mut report = Report::default();
    let absent: Vec<&str> = results
        .iter()
        .filter(|r| r.problems.is_none())
        .map(|r| {
            if r.id.is_empty() {
                r.code.as_str()
            } else {
                r.id.as_str()
            }
        })
        .collect();
    if !absent.is_empty() {
        let warning = format!(
            "{} of {} students have no row in {} and are marked absent: {}",
            absent.len(),
            results.len(),
            config.answers.display(),
            absent.join(", ")
        );
        warn(&warning);
        report.warnings.push(warning);
    }
    let mut staging = Staging::begin(&config.output.dir, config.output.force, Mode::Replace)?;
    staging.write(
        "grades.csv",
        report::grades_csv(&results, spec.slots.len(), config.decimal_comma).as_bytes(),
    )?;
    let graded: Vec<&StudentResult> = results.iter().filter(|r| r.problems.is_some()).collect();
    let ids: Vec<Option<&str>> = graded
        .iter()
        .map(|r| {
            Some(if r.id.is_empty() {
                r.code.as_str()
            } else {
                r.id.as_str()
            })
        })
        .collect();
    let stems = file_stems(&ids, |i| format!("student-{}", i + 1), &mut Vec::new())?;
    let title = format!("{} — {}", spec.course, spec.exam);
    for (r, stem) in graded.iter().zip(&stems) {
        staging.write(
            &format!("feedback/{stem}.txt"),
            report::feedback(
                r,
                &title,
                crate::render::lang::words(spec.language).feedback(),
            )
            .as_bytes(),
        )?;
    }
    staging.write(
        "item-analysis.csv",
        report::items_csv(&report::items(&results)).as_bytes(),
    )?;
    let analysis = askama::Template::render(&ItemAnalysis::new(&title, &results, spec.language))
        .map_err(|e| Error::Usage(format!("internal error: the item analysis: {e}")))?;
    staging.write("item-analysis.tex", analysis.as_bytes())?;
    let stems = vec!["item-analysis".to_string()];
    let pdfs = publish(
        staging,
        &stems,
        &Figures::default(),
        &config.output,
        &mut report,
        warn,
    )?;
    report.summary = Some(Summary {
        made: format!(
            "{} graded{}",
            super::plural(graded.len(), "student"),
            if absent.is_empty() {
                String::new()
            } else {
                format!(", {} absent", absent.len())
            }
        ),
        dir: config.output.dir.clone(),
        pdfs,
        elapsed: Default::default(),
    });
    Ok(report)
}
