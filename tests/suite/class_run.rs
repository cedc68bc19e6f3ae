//! Class runs: per-student sheets and keys from a class list, determinism, variant codes
//! and regeneration, distinct variants, and the stability of each student's numbers.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::common::{examgen, key, ok, read, root, Scratch};

/// `generate` of the random spec for a class list with a seed (and extra arguments);
/// returns stderr.
fn generate_class(csv: &Path, seed: &str, out: &Path, extra: &[&str]) -> String {
    let spec = random_spec();
    let mut args = vec![
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--students",
        csv.to_str().unwrap(),
        "--seed",
        seed,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(&args)
}

fn random_spec() -> PathBuf {
    root().join("variants/du1-random.yaml")
}

const FIRST: &[&str] = &[
    "Ana", "Ivo", "Marija", "Željko", "Đurđa", "Ćiro", "Šime", "Luka",
];
const LAST: &[&str] = &[
    "Kovačić",
    "Horvat",
    "Babić",
    "Jurić",
    "Šarić",
    "Knežević",
    "Đurić",
];

/// A class list of `n` students with Croatian names, a BOM and CRLF, as a spreadsheet
/// writes it; ids are JMBAG-like.
fn class_csv(n: usize) -> String {
    let mut text = String::from("\u{feff}id,name,email\r\n");
    for k in 0..n {
        text.push_str(&format!(
            "00365{:05},\"{}, {}\",s{k}@fer.hr\r\n",
            10_000 + 37 * k,
            LAST[k % LAST.len()],
            FIRST[k % FIRST.len()]
        ));
    }
    text
}

fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            let name = e.file_name().into_string().unwrap();
            let bytes = fs::read(e.path()).unwrap();
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_class_of_40_gets_distinct_reproducible_regenerable_exams() {
    let dir = Scratch::new("class-40");
    let csv = dir.write("class.csv", &class_csv(40));
    let spec = random_spec();
    let (a, b) = (dir.join("a"), dir.join("b"));
    for out in [&a, &b] {
        generate_class(&csv, "7", out, &[]);
    }
    // Same inputs, same bytes.
    assert_eq!(all_files(&a), all_files(&b));

    let key = key(&a);
    let students = key["students"].as_array().unwrap();
    assert_eq!(students.len(), 40);
    assert_eq!(students[0]["id"], "0036510000");
    assert_eq!(students[0]["name"], "Kovačić, Ana");

    // Every problem that is drawn differs between every two students.
    let problems = students[0]["problems"].as_array().unwrap().len();
    for p in 0..problems {
        let kind = students[0]["problems"][p]["kind"].as_str().unwrap();
        let params: HashSet<String> = students
            .iter()
            .map(|s| s["problems"][p]["params"].to_string())
            .collect();
        assert_eq!(params.len(), 40, "problem {p} ({kind}) repeats a variant");
    }

    // Codes are distinct, and each one rebuilds the student's files byte for byte.
    let codes: Vec<&str> = students
        .iter()
        .map(|s| s["variant_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 40);
    for (k, student) in students.iter().enumerate().step_by(7) {
        let id = student["id"].as_str().unwrap();
        let out = dir.join(&format!("re{k}"));
        ok(&[
            "regenerate",
            "--spec",
            spec.to_str().unwrap(),
            codes[k],
            "--students",
            csv.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        for suffix in ["exam.tex", "solutions.tex"] {
            let name = format!("{id}-{suffix}");
            assert_eq!(read(&out, &name), read(&a, &name), "{name} differs");
        }
        // Every sheet carries the name, the id and the code.
        let sheet = String::from_utf8(read(&a, &format!("{id}-exam.tex"))).unwrap();
        assert!(sheet.contains(codes[k]) && sheet.contains(id), "{id}");
    }

    // key.csv: a header and one row per student, in class-list order.
    let csv_text = String::from_utf8(read(&a, "key.csv")).unwrap();
    let lines: Vec<&str> = csv_text.lines().collect();
    assert_eq!(lines.len(), 41);
    assert!(
        lines[0].starts_with("id,name,variant_code,P1."),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("0036510000,\"Kovačić, Ana\","),
        "{}",
        lines[1]
    );
}

/// A student's numbers depend on the seed, the id and the position only: another class
/// around them, in another order, changes nothing.
#[test]
fn a_students_variant_does_not_depend_on_the_rest_of_the_class() {
    let dir = Scratch::new("class-stability");
    let full = class_csv(12);
    let mut lines: Vec<&str> = full.lines().collect();
    let header = lines.remove(0);
    let mut reordered: Vec<&str> = lines.iter().rev().copied().collect();
    reordered.truncate(7);
    let small = dir.write(
        "small.csv",
        &format!("{header}\n{}\n", reordered.join("\n")),
    );
    let big = dir.write("big.csv", &full);
    for (csv, out) in [(&big, "big"), (&small, "small")] {
        generate_class(csv, "11", &dir.join(out), &[]);
    }
    let by_id = |out: &str| -> HashMap<String, Value> {
        key(&dir.join(out))["students"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_str().unwrap().to_string(), s["problems"].clone()))
            .collect()
    };
    let (big, small) = (by_id("big"), by_id("small"));
    assert_eq!(small.len(), 7);
    for (id, problems) in &small {
        assert_eq!(problems, &big[id], "student {id} changed with the class");
    }
}

#[test]
fn codes_are_checked_before_anything_is_written() {
    let dir = Scratch::new("class-codes");
    let csv = dir.write("class.csv", &class_csv(3));
    let spec = random_spec();
    let out = dir.join("out");
    generate_class(&csv, "3", &out, &[]);
    let code = key(&out)["students"][0]["variant_code"]
        .as_str()
        .unwrap()
        .to_string();
    let other_spec = root().join("variants/du1-2022.yaml");
    let mut typo: Vec<char> = code.chars().collect();
    typo[3] = if typo[3] == '7' { '8' } else { '7' };
    let typo: String = typo.into_iter().collect();
    let cases: Vec<(PathBuf, String, &str)> = vec![
        (spec.clone(), code[..10].to_string(), "has 24 symbols"),
        (spec.clone(), typo, "check symbols do not match"),
        (other_spec, code.clone(), "another spec"),
    ];
    for (spec_path, text, expected) in cases {
        let target = dir.join("re");
        let run = examgen(&[
            "regenerate",
            "--spec",
            spec_path.to_str().unwrap(),
            &text,
            "--out",
            target.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{text}: {stderr}");
        assert!(stderr.contains(expected), "{text}: {stderr}");
        assert!(
            !target.exists(),
            "{text}: output written for a rejected code"
        );
    }
    // A code from another seed is not in the class list.
    let stranger = dir.write("stranger.csv", "id,name\n999,Nobody\n");
    let run = examgen(&[
        "regenerate",
        "--spec",
        spec.to_str().unwrap(),
        &code,
        "--students",
        stranger.to_str().unwrap(),
        "--out",
        dir.join("re2").to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no student of"));
}

#[test]
fn anonymous_variants_are_named_by_their_codes_and_regenerate_from_the_code_alone() {
    let dir = Scratch::new("class-anon");
    let spec = random_spec();
    let out = dir.join("out");
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--count",
        "3",
        "--seed",
        "5",
        "--out",
        out.to_str().unwrap(),
    ]);
    let key = key(&out);
    let code = key["students"][1]["variant_code"].as_str().unwrap();
    let re = dir.join("re");
    ok(&[
        "regenerate",
        "--spec",
        spec.to_str().unwrap(),
        &code.to_lowercase(),
        "--out",
        re.to_str().unwrap(),
    ]);
    for suffix in ["exam.tex", "solutions.tex"] {
        let name = format!("{code}-{suffix}");
        assert_eq!(read(&re, &name), read(&out, &name), "{name}");
    }
}

#[test]
fn check_reports_constraints_acceptance_and_variant_counts() {
    let out = examgen(&[
        "check",
        "--spec",
        random_spec().to_str().unwrap(),
        "--samples",
        "300",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("problem 1 (batchnorm_mlp):"), "{text}");
    assert!(text.contains("acceptance rate:"), "{text}");
    assert!(text.contains("distinct variants:"), "{text}");
    assert!(text.contains("constraint "), "{text}");
}

#[test]
fn small_variant_spaces_are_reported() {
    let dir = Scratch::new("class-small-space");
    let csv = dir.write("class.csv", &class_csv(40));
    // Without its numeric part the activation problem has 17 variants.
    let spec = dir.write(
        "small.yaml",
        "course: T\nexam: T\nlanguage: hr\nproblems:\n  - activation:\n      draw: {numeric: false}\n",
    );
    let out = dir.join("out");
    let stderr = ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--students",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        stderr.contains("(activation) has about") && stderr.contains("distinct variants"),
        "{stderr}"
    );
}

/// The number of threads changes how fast, never what: `--jobs 1` and `--jobs 2` write
/// the same bytes.
#[test]
fn output_does_not_depend_on_jobs() {
    let dir = Scratch::new("class-jobs");
    let csv = dir.write("class.csv", &class_csv(70));
    for jobs in ["1", "2"] {
        generate_class(&csv, "9", &dir.join(jobs), &["--jobs", jobs]);
    }
    assert_eq!(all_files(&dir.join("1")), all_files(&dir.join("2")));
}

/// Warnings known before anything is drawn (here: every problem of the 2022 spec is
/// pinned) are told first, and still told when the run then fails on its output
/// directory; nothing in that directory is touched.
#[test]
fn warnings_known_before_drawing_are_told_even_when_the_output_is_refused() {
    let dir = Scratch::new("class-early-warnings");
    let csv = dir.write("class.csv", "id,name\n1,Ana\n2,Ivo\n");
    let out = dir.join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("notes.txt"), "keep me").unwrap();
    let o = examgen(&[
        "generate",
        "--spec",
        root().join("variants/du1-2022.yaml").to_str().unwrap(),
        "--students",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is fully pinned, so all 2 students get the same numbers"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    let left: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec!["notes.txt"]);
    assert_eq!(
        fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me"
    );
}
