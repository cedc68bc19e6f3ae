//! `examgen grade` end to end: a class of 40 with `--answer-sheet`, answers typed as a
//! TA would (decimal commas, fractions, blanks, a slip carried forward, noise, an absent
//! student), graded into grades.csv, feedback and the item analysis; and bad answer
//! files refused with the line and the field, leaving the earlier output intact.
//!
//! The expected points are counted here from the answer sheet's columns (one point per
//! checkpoint, shared by its boxes: the spec gives no points), not taken from the grader.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::common::{examgen, ok, root, Scratch};

/// The spec of the class runs: the randomized 2022 exam.
fn spec() -> PathBuf {
    root().join("variants/du1-random.yaml")
}

/// A class list of `n` students.
fn class(scratch: &Scratch, n: usize) -> PathBuf {
    let mut text = String::from("id,name\n");
    for k in 1..=n {
        text += &format!("{:010},Student {k}\n", 36_000_000 + k);
    }
    scratch.write("class.csv", &text)
}

/// A CSV file as (header, rows of cells).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>], delimiter: u8) {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_path(path)
        .unwrap();
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// `P3.grad_kernels[0][1]` → (`P3`, `grad_kernels`).
fn checkpoint_of(column: &str) -> (String, String) {
    let (problem, rest) = column.split_once('.').unwrap();
    let name = rest.split('[').next().unwrap();
    (problem.to_string(), name.to_string())
}

/// A value as a fraction with a denominator up to 64 when it is one, else None.
fn fraction(value: f64) -> Option<String> {
    (1..=64).find_map(|d: i64| {
        let n = (value * d as f64).round();
        ((n / d as f64 - value).abs() < 1e-12 && d > 1).then(|| format!("{}/{d}", n as i64))
    })
}

/// The points of each box: one per checkpoint, shared by its boxes.
fn worth(header: &[String]) -> HashMap<String, f64> {
    let boxes: Vec<&String> = header.iter().skip(3).collect();
    let mut per_checkpoint: HashMap<(String, String), usize> = HashMap::new();
    for c in &boxes {
        *per_checkpoint.entry(checkpoint_of(c)).or_default() += 1;
    }
    boxes
        .iter()
        .map(|c| ((*c).clone(), 1.0 / per_checkpoint[&checkpoint_of(c)] as f64))
        .collect()
}

struct Run {
    scratch: Scratch,
    out: PathBuf,
}

/// A class of `n` generated with answer sheets.
fn class_run(test: &str, n: usize) -> Run {
    let scratch = Scratch::new(test);
    let students = class(&scratch, n);
    let out = scratch.join("out");
    ok(&[
        "generate",
        "--spec",
        spec().to_str().unwrap(),
        "--students",
        students.to_str().unwrap(),
        "--answer-sheet",
        "--out",
        out.to_str().unwrap(),
    ]);
    Run { scratch, out }
}

fn grade(run: &Run, answers: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let key = run.out.join("key.json");
    let out = run.scratch.join(out);
    let mut args = vec![
        "grade",
        "--spec",
        spec().to_str().unwrap().to_owned().leak(),
        "--key",
        key.to_str().unwrap().to_owned().leak(),
        "--answers",
        answers.to_str().unwrap().to_owned().leak(),
        "--out",
        out.to_str().unwrap().to_owned().leak(),
    ];
    args.extend(extra);
    examgen(&args)
}

#[test]
fn a_class_of_forty_typed_in_and_graded_end_to_end() {
    let run = class_run("grade-40", 40);
    let (header, key_rows) = read_csv(&run.out.join("answers-key.csv"));
    let (template_header, template_rows) = read_csv(&run.out.join("answers-template.csv"));
    assert_eq!(
        template_header, header,
        "the template has the key's columns"
    );
    assert_eq!(template_rows.len(), 40);
    assert!(template_rows
        .iter()
        .all(|r| r[3..].iter().all(String::is_empty)));
    let key: Value =
        serde_json::from_slice(&std::fs::read(run.out.join("key.json")).unwrap()).unwrap();
    let worth = worth(&header);
    let problems = key["students"][0]["problems"].as_array().unwrap().len();
    let max: f64 = worth.values().sum();
    let problem_max = |p: &str| -> f64 {
        worth
            .iter()
            .filter(|(c, _)| checkpoint_of(c).0 == p)
            .map(|(_, w)| w)
            .sum()
    };
    let mut typed = Vec::new();
    let mut expected: HashMap<String, f64> = HashMap::new();
    for (k, row) in key_rows.iter().enumerate() {
        let id = row[0].clone();
        let mut cells = row.clone();
        let mut total = max;
        match k % 6 {
            // Decimal commas, four decimals.
            0 => {
                for c in cells.iter_mut().skip(3) {
                    *c = format!("{:.4}", c.parse::<f64>().unwrap()).replace('.', ",");
                }
            }
            // Fractions where the value is one.
            1 => {
                for c in cells.iter_mut().skip(3) {
                    if let Some(f) = fraction(c.parse().unwrap()) {
                        *c = f;
                    }
                }
            }
            // Problem 2 left blank.
            2 => {
                for (c, name) in cells.iter_mut().zip(&header).skip(3) {
                    if checkpoint_of(name).0 == "P2" {
                        c.clear();
                    }
                }
                total -= problem_max("P2");
            }
            // A slip in conv1d's h, every later conv1d value worked on from it.
            3 => {
                let entry = &key["students"][k]["problems"][2];
                let (wrong, value, later) = super::ecf::conv1d::case(entry).expect("a case");
                for (c, name) in cells.iter_mut().zip(&header).skip(3) {
                    if let Some(rest) = name.strip_prefix("P3.") {
                        if rest == wrong {
                            *c = value.to_string();
                        } else if let Some(v) = later.get(rest) {
                            *c = v.to_string();
                        }
                    }
                }
                total -= worth[&format!("P3.{wrong}")];
            }
            // Noise in problem 1.
            4 => {
                // Each box off by its own amount, so that no later box follows from the
                // earlier ones by chance (a common shift would keep ĥ = (h − μ)/σ).
                for (j, (c, name)) in cells.iter_mut().zip(&header).enumerate().skip(3) {
                    if checkpoint_of(name).0 == "P1" && !c.is_empty() {
                        let shift = 977.25 + 101.3 * (j as f64).sqrt();
                        *c = (c.parse::<f64>().unwrap() + shift).to_string();
                    }
                }
                total -= problem_max("P1");
            }
            // The last of these is absent: no row.
            _ if k == 35 => continue,
            _ => {}
        }
        expected.insert(id, total);
        typed.push(cells);
    }
    let answers = run.scratch.join("answers.csv");
    write_csv(&answers, &header, &typed, b',');
    let graded = grade(&run, &answers, "grades", &["--decimal-comma"]);
    let stderr = String::from_utf8_lossy(&graded.stderr);
    assert!(graded.status.success(), "{stderr}");
    assert!(stderr.contains("1 of 40 students have no row"), "{stderr}");
    let text = std::fs::read_to_string(run.scratch.join("grades/grades.csv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(';').collect();
    assert_eq!(head[..4], ["id", "name", "variant_code", "status"]);
    assert_eq!(head.len(), 4 + problems + 2);
    let mut seen = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(';').collect();
        let id = cells[0];
        match expected.get(id) {
            None => assert_eq!(cells[3], "absent", "{line}"),
            Some(want) => {
                seen += 1;
                assert_eq!(cells[3], "graded");
                let total: f64 = cells[cells.len() - 2].replace(',', ".").parse().unwrap();
                assert!(
                    (total - want).abs() < 0.006,
                    "{id}: total {total}, expected {want}: {line}"
                );
                let max_cell: f64 = cells[cells.len() - 1].replace(',', ".").parse().unwrap();
                assert!((max_cell - max).abs() < 0.006);
            }
        }
    }
    assert_eq!(seen, 39);
    let feedback = std::fs::read_to_string(
        run.scratch
            .join(&format!("grades/feedback/{}.txt", key_rows[3][0])),
    )
    .unwrap();
    assert!(feedback.contains("prenesena pogreška"), "{feedback}");
    let items = std::fs::read_to_string(run.scratch.join("grades/item-analysis.csv")).unwrap();
    assert_eq!(
        items.lines().count(),
        1 + header.len() - 3,
        "one row per box"
    );
    assert!(run.scratch.join("grades/item-analysis.tex").exists());
}

/// A change to an answers file's header and rows.
type Edit = dyn Fn(&mut Vec<String>, &mut Vec<Vec<String>>);

/// The answers-key.csv of a class scores full marks, with commas or semicolons.
#[test]
fn the_answer_key_scores_full_marks_and_bad_files_are_refused() {
    let run = class_run("grade-bad", 3);
    let (header, rows) = read_csv(&run.out.join("answers-key.csv"));
    let answers = run.scratch.join("semicolons.csv");
    write_csv(&answers, &header, &rows, b';');
    let graded = grade(&run, &answers, "grades", &[]);
    assert!(
        graded.status.success(),
        "{}",
        String::from_utf8_lossy(&graded.stderr)
    );
    let text = std::fs::read_to_string(run.scratch.join("grades/grades.csv")).unwrap();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(
            cells[cells.len() - 2],
            cells[cells.len() - 1],
            "full marks: {line}"
        );
    }
    let before = std::fs::read(run.scratch.join("grades/grades.csv")).unwrap();
    let bad = |name: &str, edit: &Edit| {
        let (mut h, mut r) = (header.clone(), rows.clone());
        edit(&mut h, &mut r);
        let path = run.scratch.join(name);
        write_csv(&path, &h, &r, b',');
        let out = grade(&run, &path, "grades", &["--force"]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let e = bad("unknown-id.csv", &|_, r| r[1][0] = "0099999999".into());
    assert!(
        e.contains("unknown-id.csv:3: id `0099999999` is not in the key"),
        "{e}"
    );
    let e = bad("unknown-column.csv", &|h, _| h[4] = "P1.nonsense".into());
    assert!(
        e.contains("unknown-column.csv:1: unknown column `P1.nonsense`"),
        "{e}"
    );
    let e = bad("not-a-number.csv", &|h, r| r[2][5] = format!("{}x", h[5]));
    assert!(
        e.contains(&format!("not-a-number.csv:4: {}: `", header[5])),
        "{e}"
    );
    assert!(e.contains("is not a number"), "{e}");
    assert_eq!(
        std::fs::read(run.scratch.join("grades/grades.csv")).unwrap(),
        before,
        "a refused answers file leaves the earlier grades as they were"
    );
}

#[test]
fn a_key_from_another_spec_is_refused() {
    let run = class_run("grade-other-spec", 2);
    let (header, rows) = read_csv(&run.out.join("answers-key.csv"));
    let answers = run.scratch.join("answers.csv");
    write_csv(&answers, &header, &rows, b',');
    let other = run.scratch.write(
        "other.yaml",
        &std::fs::read_to_string(spec())
            .unwrap()
            .replace("Završni ispit", "Međuispit"),
    );
    let out = examgen(&[
        "grade",
        "--spec",
        other.to_str().unwrap(),
        "--key",
        run.out.join("key.json").to_str().unwrap(),
        "--answers",
        answers.to_str().unwrap(),
        "--out",
        run.scratch.join("g").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("key.json") && e.contains("grade with the spec the key was made with"),
        "{e}"
    );
    assert!(!run.scratch.join("g/grades.csv").exists());
}

/// The README's walk-through: the quiz of `variants/grading-example/` for its class of
/// three, graded from the answers shipped beside it (semicolons, decimal commas,
/// fractions, a slip carried forward at half credit, a blank problem), gives the
/// grades and feedback in `tests/golden/grading-example/` (`UPDATE_GOLDEN=1` rewrites
/// them).
#[test]
fn the_readme_example_grades_as_shipped() {
    let example = root().join("variants/grading-example");
    let scratch = Scratch::new("grade-readme");
    let quiz = scratch.join("quiz");
    let spec = example.join("quiz.yaml");
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--students",
        example.join("class.csv").to_str().unwrap(),
        "--answer-sheet",
        "--out",
        quiz.to_str().unwrap(),
    ]);
    let grades = scratch.join("grades");
    ok(&[
        "grade",
        "--spec",
        spec.to_str().unwrap(),
        "--key",
        quiz.join("key.json").to_str().unwrap(),
        "--answers",
        example.join("answers.csv").to_str().unwrap(),
        "--out",
        grades.to_str().unwrap(),
    ]);
    let golden = root().join("tests/golden/grading-example");
    for (made, name) in [
        ("grades.csv", "grades.csv"),
        ("feedback/0036500002.txt", "feedback-0036500002.txt"),
    ] {
        let got = std::fs::read_to_string(grades.join(made)).unwrap();
        if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
            std::fs::write(golden.join(name), &got).unwrap();
        }
        let want = std::fs::read_to_string(golden.join(name)).unwrap();
        assert_eq!(
            got, want,
            "{made} differs from tests/golden/grading-example/{name}"
        );
    }
    // Ana typed the key (fractions, commas): full marks; Ivan's slip in h costs the
    // box, and what follows from it earns half; Petra left problem 2 blank.
    let text = std::fs::read_to_string(grades.join("grades.csv")).unwrap();
    let totals: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(6).unwrap())
        .collect();
    assert_eq!(totals[0], "16");
    assert!(
        text.lines().nth(3).unwrap().contains(",graded,5,0,"),
        "{text}"
    );
}

/// A fixed exam (the 2022 one, one sheet for everybody): every row is graded against the
/// one key, with the names the answers file gives.
#[test]
fn a_fixed_exam_grades_every_row_against_its_one_key() {
    let scratch = Scratch::new("grade-fixed");
    let out = scratch.join("exam");
    let spec = root().join("variants/du1-2022.yaml");
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--answer-sheet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (header, rows) = read_csv(&out.join("answers-key.csv"));
    assert_eq!(rows.len(), 1);
    let (template, empty) = read_csv(&out.join("answers-template.csv"));
    assert_eq!((template, empty.len()), (header.clone(), 0));
    let full = [
        vec!["s1".into(), "Ana".into(), String::new()],
        rows[0][3..].to_vec(),
    ]
    .concat();
    let blank = [
        vec!["s2".into(), "Ivo".into(), String::new()],
        vec![String::new(); header.len() - 3],
    ]
    .concat();
    let answers = scratch.join("answers.csv");
    write_csv(&answers, &header, &[full, blank], b',');
    let grades = scratch.join("grades");
    ok(&[
        "grade",
        "--spec",
        spec.to_str().unwrap(),
        "--key",
        out.join("key.json").to_str().unwrap(),
        "--answers",
        answers.to_str().unwrap(),
        "--out",
        grades.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(grades.join("grades.csv")).unwrap();
    let lines: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let max = worth(&header).values().sum::<f64>();
    assert_eq!(lines[0][..2], ["s1", "Ana"]);
    // (the points come from a map: summed in any order, they may differ in the last bit)
    assert!(
        (lines[0][9].parse::<f64>().unwrap() - max).abs() < 1e-9,
        "{max}: {text}"
    );
    assert_eq!(lines[1][..2], ["s2", "Ivo"]);
    assert_eq!(lines[1][9], "0", "{text}");
}
