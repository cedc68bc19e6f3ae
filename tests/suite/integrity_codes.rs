//! Every student of a class has a code no other student of that class has, `regenerate`
//! rebuilds exactly the student whose code it is given, `--count` stays within its
//! bounds, and file names do not clash on file systems that ignore case.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use examgen::class::{seat, Roster, Seat};
use examgen::class_list::Student;
use examgen::exam;
use examgen::variant::{student_hash, student_key, VariantCode};

use super::common::{examgen, key, ok, read, root, Scratch};

/// Two real JMBAG-style ids whose 30-bit student keys are equal at seed 0.
const TWIN_A: &str = "0036509572";
const TWIN_B: &str = "0036526824";

fn spec_path(name: &str) -> PathBuf {
    root().join("variants").join(name)
}

fn student(id: &str, name: &str) -> Student {
    Student {
        id: id.to_string(),
        name: name.to_string(),
    }
}

/// A small class around the twins, in the given file order.
fn class_with_twins(twins_first: bool) -> Vec<Student> {
    let mut class = vec![
        student("0036510001", "Ana Kovačić"),
        student("0036510002", "Ivo Horvat"),
    ];
    let twins = [
        student(TWIN_B, "Marija Babić"),
        student(TWIN_A, "Šime Jurić"),
    ];
    if twins_first {
        class.splice(0..0, twins);
    } else {
        class.extend(twins);
    }
    class
}

fn seat_class(spec_name: &str, roster: Roster) -> Vec<Seat> {
    let spec = exam::load(&spec_path(spec_name)).expect("the spec loads");
    seat(&spec, 0, roster, 2).expect("the class seats").0
}

fn code_of(seats: &[Seat], id: &str) -> String {
    seats
        .iter()
        .find(|s| s.student.as_ref().is_some_and(|st| st.id == id))
        .expect("the student is seated")
        .code
        .to_string()
}

#[test]
fn the_twin_ids_share_a_student_key() {
    // The premise of the tests below: if this fails, the key hash changed.
    assert_eq!(student_key(0, TWIN_A), student_key(0, TWIN_B));
}

/// With the all-pinned 2022 spec nobody is kept apart, and the twins used to get one code;
/// with the random spec their clash is resolved, and must stay so.
#[test]
fn twins_get_different_codes_whether_or_not_variants_are_kept_apart() {
    for spec_name in ["du1-2022.yaml", "du1-random.yaml"] {
        let seats = seat_class(
            spec_name,
            Roster::Students(class_with_twins(false).into_iter().collect()),
        );
        let codes: HashSet<String> = seats.iter().map(|s| s.code.to_string()).collect();
        assert_eq!(
            codes.len(),
            seats.len(),
            "{spec_name}: two students share a code"
        );
        // The later one in (key, id) order takes the next salt, whatever the file order.
        let (a, b) = (code_of(&seats, TWIN_A), code_of(&seats, TWIN_B));
        let reordered = seat_class(
            spec_name,
            Roster::Students(class_with_twins(true).into_iter().collect()),
        );
        assert_eq!(code_of(&reordered, TWIN_A), a, "{spec_name}");
        assert_eq!(code_of(&reordered, TWIN_B), b, "{spec_name}");
        let salt = |id: &str| {
            seats
                .iter()
                .find(|s| s.student.as_ref().unwrap().id == id)
                .unwrap()
                .code
                .salt
        };
        assert_eq!(salt(TWIN_A), 0, "{spec_name}");
        assert!(salt(TWIN_B) > 0, "{spec_name}");
    }
}

/// `generate --count 8283` on the 2022 spec used to stop after 16,565 files: two
/// anonymous variants had the same code, which is also their file name.
#[test]
fn anonymous_variants_all_have_distinct_codes_and_file_names() {
    let seats = seat_class("du1-2022.yaml", Roster::Anonymous(8283));
    let codes: HashSet<String> = seats.iter().map(|s| s.code.to_string()).collect();
    let stems: HashSet<String> = seats.iter().map(|s| s.file_stem.to_lowercase()).collect();
    assert_eq!(codes.len(), 8283);
    assert_eq!(stems.len(), 8283);
}

/// The .tex files of a directory, by name.
fn tex_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tex"))
        .collect();
    names.sort();
    names
}

/// Generates a class, then regenerates every student's code with the class list into a
/// fresh directory: the files must be that student's class files, byte for byte.
fn regenerate_each(dir: &Scratch, spec_name: &str, csv_text: &str) -> Vec<(String, String)> {
    let spec = spec_path(spec_name);
    let csv = dir.write("class.csv", csv_text);
    let class = dir.join("class");
    let stderr = ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--students",
        csv.to_str().unwrap(),
        "--out",
        class.to_str().unwrap(),
    ]);
    let key = key(&class);
    let mut stems = Vec::new();
    for (k, entry) in key["students"].as_array().unwrap().iter().enumerate() {
        let (id, name) = (
            entry["id"].as_str().unwrap(),
            entry["name"].as_str().unwrap(),
        );
        let code = entry["variant_code"].as_str().unwrap();
        let out = dir.join(&format!("re{k}"));
        ok(&[
            "regenerate",
            "--spec",
            spec.to_str().unwrap(),
            code,
            "--students",
            csv.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let files = tex_files(&out);
        assert_eq!(files.len(), 2, "{spec_name} {id}: {files:?}");
        for file in &files {
            assert_eq!(
                read(&out, file),
                read(&class, file),
                "{spec_name} {id}: {file} is not the class run's"
            );
            let text = String::from_utf8(read(&out, file)).unwrap();
            assert!(
                text.contains(id) && text.contains(name) && text.contains(code),
                "{spec_name}: {file} does not name {id} {name} {code}"
            );
        }
        let stem = files[0].strip_suffix("-exam.tex").unwrap().to_string();
        stems.push((id.to_string(), stem));
    }
    stems.push(("stderr".into(), stderr));
    stems
}

const TWINS_CSV: &str =
    "id,name\n0036526824,Marija Babić\n0036510001,Ana Kovačić\n0036509572,Šime Jurić\n";

#[test]
fn regenerate_rebuilds_exactly_the_student_of_the_code() {
    for spec_name in ["du1-2022.yaml", "du1-random.yaml"] {
        let dir = Scratch::new(&format!("codes-twins-{spec_name}"));
        let stems = regenerate_each(&dir, spec_name, TWINS_CSV);
        let ids: Vec<&str> = stems[..3].iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, [TWIN_B, "0036510001", TWIN_A]);
        for (id, stem) in &stems[..3] {
            assert_eq!(stem, id, "{spec_name}");
        }
    }
}

/// A code whose key is a student's but whose identity bits are nobody's (what a code of
/// another seed or class with a colliding key looks like) is refused.
#[test]
fn a_code_with_a_known_key_but_another_identity_is_not_in_the_class() {
    let dir = Scratch::new("codes-identity");
    let spec = spec_path("du1-2022.yaml");
    let loaded = exam::load(&spec).unwrap();
    let csv = dir.write("class.csv", TWINS_CSV);
    let other = student_hash(0, TWIN_A) ^ (1 << 40);
    let stranger = VariantCode::new(loaded.hash, 0, other, 0);
    assert_eq!(stranger.student_key(), student_key(0, TWIN_A));
    let out = dir.join("re");
    let run = regenerate_run(&spec, &stranger.to_string(), &csv, &out);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no student of"), "{stderr}");
    assert!(!out.exists());
}

fn regenerate_run(spec: &Path, code: &str, csv: &Path, out: &Path) -> std::process::Output {
    examgen(&[
        "regenerate",
        "--spec",
        spec.to_str().unwrap(),
        code,
        "--students",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--force",
    ])
}

/// Generates the class of `csv_text` at seed 0 with the random spec into `dir/name`;
/// returns each student's code by id.
fn class_codes(dir: &Scratch, name: &str, csv_text: &str) -> (PathBuf, Vec<(String, String)>) {
    let csv = dir.write(&format!("{name}.csv"), csv_text);
    let out = dir.join(name);
    ok(&[
        "generate",
        "--spec",
        spec_path("du1-random.yaml").to_str().unwrap(),
        "--students",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let codes = key(&out)["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["variant_code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (out, codes)
}

fn code_in(codes: &[(String, String)], id: &str) -> String {
    codes.iter().find(|(i, _)| i == id).unwrap().1.clone()
}

/// Regenerates `code` with the class list `csv` and checks the student's two sheets are
/// byte for byte the ones in `class` and name the student.
fn assert_rebuilds(dir: &Scratch, code: &str, csv: &Path, class: &Path, id: &str, name: &str) {
    let out = dir.join(&format!(
        "re-{id}-{}",
        csv.file_stem().unwrap().to_str().unwrap()
    ));
    let run = regenerate_run(&spec_path("du1-random.yaml"), code, csv, &out);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert_eq!(
        tex_files(&out),
        [format!("{id}-exam.tex"), format!("{id}-solutions.tex")]
    );
    for file in tex_files(&out) {
        assert_eq!(read(&out, &file), read(class, &file), "{id}: {file}");
        let text = String::from_utf8(read(&out, &file)).unwrap();
        assert!(
            text.contains(id) && text.contains(name) && text.contains(code),
            "{file}"
        );
    }
}

/// The reviewer's first case: Ana and Bruno share a student key at seed 0, Ana has salt 0
/// and Bruno salt 1. Ana leaves the class: her code used to rebuild Bruno (his name, her
/// numbers), and Bruno's own code was no longer found. Now Ana's code is refused and
/// Bruno's still rebuilds his original sheet.
#[test]
fn a_removed_students_code_is_refused_and_the_twins_code_still_rebuilds() {
    let dir = Scratch::new("codes-removed");
    let cid = "0036512345";
    let (class, codes) = class_codes(
        &dir,
        "c1",
        &format!("id,name\n{TWIN_A},Ana Kovač\n{TWIN_B},Bruno Babić\n{cid},Cid Jurić\n"),
    );
    let (ana, bruno) = (code_in(&codes, TWIN_A), code_in(&codes, TWIN_B));
    let c3 = dir.write(
        "c3.csv",
        &format!("id,name\n{TWIN_B},Bruno Babić\n{cid},Cid Jurić\n"),
    );
    let out = dir.join("re-ana");
    let run = regenerate_run(&spec_path("du1-random.yaml"), &ana, &c3, &out);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no student of"), "{stderr}");
    assert!(!out.exists());
    assert_rebuilds(&dir, &bruno, &c3, &class, TWIN_B, "Bruno Babić");
    assert_rebuilds(&dir, &code_in(&codes, cid), &c3, &class, cid, "Cid Jurić");
    // The same code as a chat program or a web page copies it: zero-width spaces,
    // full-width hyphens, full-width letters.
    let pasted: String = code_in(&codes, cid)
        .replace('-', "\u{200B}\u{FF0D}\u{FEFF}")
        .replace('A', "\u{FF21}");
    let out = dir.join("re-pasted");
    let run = regenerate_run(&spec_path("du1-random.yaml"), &pasted, &c3, &out);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for file in tex_files(&out) {
        assert_eq!(read(&out, &file), read(&class, &file), "{file}");
    }
    assert_eq!(tex_files(&out).len(), 2);
}

/// The reviewer's second case: a newcomer with Bruno's student key whose id sorts before
/// his takes salt 0 in the new class run; Bruno's old code (salt 0) used to rebuild the
/// newcomer. It still rebuilds Bruno's original sheet, with his name.
#[test]
fn a_same_key_newcomer_does_not_take_an_existing_students_code() {
    let dir = Scratch::new("codes-newcomer");
    let cid = "0036512345";
    let (class, codes) = class_codes(
        &dir,
        "before",
        &format!("id,name\n{TWIN_B},Bruno Babić\n{cid},Cid Jurić\n"),
    );
    let bruno = code_in(&codes, TWIN_B);
    let after_csv = format!("id,name\n{TWIN_B},Bruno Babić\n{cid},Cid Jurić\n{TWIN_A},Ana Kovač\n");
    let (_, after) = class_codes(&dir, "after", &after_csv);
    // The premise: the newcomer now has the salt Bruno's old code carries.
    assert_ne!(code_in(&after, TWIN_B), bruno);
    let after = dir.join("after.csv");
    assert_rebuilds(&dir, &bruno, &after, &class, TWIN_B, "Bruno Babić");
}

/// Two ids whose student hashes agree in all 50 bits a code carries (found by a cycle
/// search over 16-digit ids, about 2^25 hashes): a class holding both cannot tell them
/// apart by the code, so `regenerate` refuses and points at the class run's key.
const FIFTY_BIT_A: &str = "0033872234451622";
const FIFTY_BIT_B: &str = "0381055022428905";

#[test]
fn a_code_that_fits_two_students_of_the_list_is_refused_as_ambiguous() {
    let (a, b) = (student_hash(0, FIFTY_BIT_A), student_hash(0, FIFTY_BIT_B));
    assert_ne!(a, b);
    assert_eq!(a & ((1 << 50) - 1), b & ((1 << 50) - 1));
    let dir = Scratch::new("codes-ambiguous");
    let (class, codes) = class_codes(
        &dir,
        "class",
        &format!("id,name\n{FIFTY_BIT_A},Ana Kovač\n{FIFTY_BIT_B},Bruno Babić\n"),
    );
    // The class run still gives them different codes (different salts).
    let (code_a, code_b) = (code_in(&codes, FIFTY_BIT_A), code_in(&codes, FIFTY_BIT_B));
    assert_ne!(code_a, code_b);
    let csv = dir.join("class.csv");
    for code in [&code_a, &code_b] {
        let out = dir.join("re");
        let run = regenerate_run(&spec_path("du1-random.yaml"), code, &csv, &out);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(FIFTY_BIT_A)
                && stderr.contains(FIFTY_BIT_B)
                && stderr.contains("key.json"),
            "{stderr}"
        );
        assert!(!out.exists());
    }
    // Without one of them the other is found.
    let alone = dir.write(
        "alone.csv",
        &format!("id,name\n{FIFTY_BIT_B},Bruno Babić\n"),
    );
    assert_rebuilds(&dir, &code_b, &alone, &class, FIFTY_BIT_B, "Bruno Babić");
}

/// Ids that differ only in case get file names that differ on case-insensitive file
/// systems too, and `regenerate` finds the same names.
#[test]
fn ids_that_differ_only_in_case_get_distinct_file_names() {
    let dir = Scratch::new("codes-case");
    let stems = regenerate_each(
        &dir,
        "du1-random.yaml",
        "id,name\nab12,Ana Kovačić\nAB12,Ivo Horvat\ncd34,Eva Jurić\n",
    );
    let stem = |id: &str| stems.iter().find(|(i, _)| i == id).unwrap().1.clone();
    let (lower, upper) = (stem("ab12"), stem("AB12"));
    assert!(lower.starts_with("ab12-") && lower.len() == 13, "{lower}");
    assert!(upper.starts_with("AB12-") && upper.len() == 13, "{upper}");
    assert_ne!(lower.to_lowercase(), upper.to_lowercase());
    assert_eq!(stem("cd34"), "cd34");
    let stderr = &stems.last().unwrap().1;
    assert!(
        stderr.contains("`AB12` and `ab12`") && stderr.contains("case"),
        "{stderr}"
    );
    // No two files of the class run fold to the same name.
    let names = tex_files(&dir.join("class"));
    let folded: HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
    assert_eq!(folded.len(), names.len(), "{names:?}");
}

/// More than a million variants are refused before the spec is read (so `--count 1e8`
/// does not allocate gigabytes first).
#[test]
fn count_above_a_million_is_refused_before_any_work() {
    let dir = Scratch::new("codes-count");
    let out = dir.join("out");
    for (spec, count) in [
        (root().join("no-such-spec.yaml"), "1000001"),
        (spec_path("du1-2022.yaml"), "100000000"),
    ] {
        let run = examgen(&[
            "generate",
            "--spec",
            spec.to_str().unwrap(),
            "--count",
            count,
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!("--count {count} is too many")) && stderr.contains("1000000"),
            "{stderr}"
        );
        assert!(!out.exists());
    }
}

/// The same through the binary: every file written, key.json complete. 10–25 s in a
/// debug build on two busy cores, so ignored; run with
/// `cargo test --test tests count_8283_through_the_binary -- --ignored`.
#[test]
#[ignore]
fn count_8283_through_the_binary() {
    let dir = Scratch::new("codes-count-8283");
    let out = dir.join("out");
    ok(&[
        "generate",
        "--spec",
        spec_path("du1-2022.yaml").to_str().unwrap(),
        "--count",
        "8283",
        "--jobs",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(key(&out)["students"].as_array().unwrap().len(), 8283);
    assert_eq!(tex_files(&out).len(), 2 * 8283);
}

/// Seats a million anonymous variants (the `--count` limit) and checks that their codes
/// and file names are distinct. Heavy; measure time and memory with
/// `cargo test --release --test tests a_million_seats -- --ignored` under
/// `/usr/bin/time -v` (SPEC=du1-random.yaml for the spec whose variants are kept apart).
#[test]
#[ignore]
fn a_million_seats_have_distinct_codes() {
    let spec_name = std::env::var("SPEC").unwrap_or_else(|_| "du1-2022.yaml".into());
    let started = std::time::Instant::now();
    let seats = seat_class(&spec_name, Roster::Anonymous(examgen::class::MAX_COUNT));
    // Peak memory so far (Linux), before the checks below add their own.
    let peak = fs::read_to_string("/proc/self/status").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("VmHWM"))
            .map(str::to_string)
    });
    eprintln!(
        "seated {} in {:?}; {peak:?}",
        seats.len(),
        started.elapsed()
    );
    let codes: HashSet<_> = seats.iter().map(|s| s.code).collect();
    assert_eq!(codes.len(), seats.len());
    let stems: HashSet<&str> = seats.iter().map(|s| s.file_stem.as_str()).collect();
    assert_eq!(stems.len(), seats.len());
}
