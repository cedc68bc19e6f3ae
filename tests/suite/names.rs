//! Names that real class lists contain — Croatian in NFD as macOS writes it, Cyrillic,
//! Greek, Vietnamese, CJK, emoji, zero-width and bidi characters — give a PDF for every
//! student, print as the teacher expects, and the run warns about exactly the students
//! whose names the fonts cannot show. Needs latexmk and pdftotext; without them the
//! test skips with a notice, except under `CI=true`, where it fails.

use std::process::Command;

use unicode_normalization::UnicodeNormalization;

use super::common::{on_path, skip_or_fail, Scratch};

/// A one-problem spec, so that compiling 62 sheets stays quick.
const SPEC: &str = "course: Duboko učenje\nexam: Imena\nlanguage: hr\nproblems:\n  \
    - retrieval_ap:\n      draw:\n        items: 4\n        coordinates: half_integer\n        \
    coordinate_range: [-1, 4]\n";

/// (id, name as the class list has it, text pdftotext must find on the exam sheet,
/// whether the run must warn about this student).
const NAMES: &[(&str, &str, &str, bool)] = &[
    ("s01", "Ana Horvat", "Ana Horvat", false),
    ("s02", "Željko Čolić", "Željko Čolić", false),
    // The same name in NFD (base letter + combining caron or acute).
    (
        "s03",
        "Z\u{30C}eljko C\u{30C}olic\u{301}",
        "Željko Čolić",
        false,
    ),
    ("s04", "S\u{30C}ime Koz\u{30C}ul", "Šime Kožul", false),
    ("s05", "Mojca Šuštaršič", "Mojca Šuštaršič", false),
    ("s06", "Јелена Петровић", "Петровић", false),
    ("s07", "Γιώργος Παπαδόπουλος", "Γιώργος Παπαδόπουλος", false),
    ("s08", "Дмитрий Иванов", "Дмитрий Иванов", false),
    ("s09", "Nguyễn Thị Ánh", "Ánh", false),
    ("s10", "Trần Văn Đức", "Văn", false),
    ("s11", "李小龍", "[U+674E][U+5C0F][U+9F8D]", true),
    ("s12", "山田 さくら", "[U+5C71][U+7530]", true),
    ("s13", "Ana 😀", "Ana [U+1F600]", true),
    ("s14", "Iva 👩\u{200D}💻", "Iva [U+1F469][U+1F4BB]", true),
    ("s15", "Ivo\u{200D} Ivić\u{200B}", "Ivo Ivić", false),
    ("s16", "\u{202E}Linda Kralj\u{202C}", "Linda Kralj", false),
    ("s17", "Marko\u{2028}Marić", "Marko Marić", false),
    // T1 sets the apostrophe as a typographic one.
    ("s18", "O'Brien, Seán", "O\u{2019}Brien, Seán", false),
    (
        "s19",
        "Ana-Marija Kovač-Horvat",
        "Ana-Marija Kovač-Horvat",
        false,
    ),
    ("s20", "Zoë Brontë", "Zoë Brontë", false),
    ("s21", "Łukasz Wójcik", "Łukasz Wójcik", false),
    ("s22", "Søren Ærø", "Søren Ærø", false),
    ("s23", "Jürgen Großmann", "Jürgen Großmann", false),
    ("s24", "François Lefèvre", "François Lefèvre", false),
    ("s25", "Ștefan Țurcanu", "tefan", false),
    ("s26", "Ayşe Güleç", "Ayşe Güleç", false),
    ("s27", "José Ñúñez", "José Ñúñez", false),
    // T1 has one glyph for Đ and Ð, and pdftotext reads it back as Ð.
    ("s28", "Đorđe Balašević", "orđe Balašević", false),
    ("s29", "Ólafur Þórsson", "Ólafur Þórsson", false),
    // T1 builds ņ from n and a cedilla, which pdftotext reads back as "n,".
    ("s30", "Jānis Bērziņš", "Jānis Bērzi", false),
    ("s31", "김민준 Kim", "[U+AE40][U+BBFC][U+C900] Kim", true),
];

fn csv_line(id: &str, name: &str) -> String {
    format!("{id},\"{}\"\n", name.replace('"', "\"\""))
}

fn pdftotext(pdf: &std::path::Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(out.status.success(), "pdftotext {} failed", pdf.display());
    // Words on a line may be split or joined differently, and letters built from an
    // accent come back decomposed; compare in NFC with single spaces.
    let text: String = String::from_utf8_lossy(&out.stdout).nfc().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs `generate` for `names` (with `--pdf` when asked); returns the scratch directory
/// (the output is in `out/`) and stderr.
fn generate(test: &str, names: &[(&str, &str, &str, bool)], pdf: bool) -> (Scratch, String) {
    let dir = Scratch::new(test);
    let spec = dir.write("names.yaml", SPEC);
    let mut csv = String::from("id,name\n");
    for (id, name, _, _) in names {
        csv.push_str(&csv_line(id, name));
    }
    let students = dir.write("class.csv", &csv);
    let mut command = Command::new(env!("CARGO_BIN_EXE_examgen"));
    command
        .args(["generate", "--spec"])
        .arg(&spec)
        .arg("--students")
        .arg(&students)
        .arg("--out")
        .arg(dir.join("out"))
        .args(["--jobs", "2"]);
    if pdf {
        command.arg("--pdf");
    }
    let output = command.output().expect("run examgen");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "examgen generate failed:\n{stderr}"
    );
    (dir, stderr)
}

/// The ids of the students the run warned about, in order.
fn warned(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("examgen: warning: student "))
        .map(|l| l.split(' ').next().unwrap())
        .collect()
}

fn tools_missing(test: &str) -> bool {
    for tool in ["latexmk", "pdftotext"] {
        if !on_path(tool) {
            skip_or_fail(test, &format!("{tool} is not on PATH"));
            return true;
        }
    }
    // Cyrillic and Greek need Debian's texlive-lang-cyrillic and texlive-lang-greek, which
    // the README lists apart from the base TeX packages.
    for file in ["t2aenc.def", "lgrenc.def"] {
        let found = std::process::Command::new("kpsewhich")
            .arg(file)
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            skip_or_fail(
                test,
                &format!("TeX cannot find {file} (texlive-lang-cyrillic/-greek)"),
            );
            return true;
        }
    }
    false
}

/// Every student has both PDFs, and the exam sheet shows the name as expected.
fn check_sheets(out: &std::path::Path, names: &[(&str, &str, &str, bool)]) {
    for (id, name, shown, _) in names {
        for sheet in ["exam", "solutions"] {
            let pdf = out.join(format!("{id}-{sheet}.pdf"));
            assert!(pdf.is_file(), "no PDF for {id} ({name}): {}", pdf.display());
        }
        let text = pdftotext(&out.join(format!("{id}-exam.pdf")));
        assert!(
            text.contains(shown),
            "{id}: the exam sheet of {name:?} does not show {shown:?}:\n{text}"
        );
    }
}

#[test]
fn the_run_warns_about_exactly_the_names_the_fonts_cannot_show() {
    let (dir, stderr) = generate("names-warn", NAMES, false);
    let want: Vec<&str> = NAMES.iter().filter(|n| n.3).map(|n| n.0).collect();
    assert_eq!(
        warned(&stderr),
        want,
        "the students warned about:\n{stderr}"
    );
    assert!(
        stderr.contains(
            "student s11 (李小龍): pdflatex cannot set 李 (U+674E), 小 (U+5C0F), 龍 (U+9F8D)"
        ),
        "{stderr}"
    );
    // NFD and NFC spellings are stored and printed the same.
    let key = std::fs::read_to_string(dir.join("out/key.csv")).expect("key.csv");
    assert!(key.contains("s03,Željko Čolić,"), "{key}");
    assert!(!key.contains('\u{30C}'), "NFD left in key.csv");
    let tex = std::fs::read_to_string(dir.join("out/s03-exam.tex")).expect("s03-exam.tex");
    assert!(tex.contains("Željko Čolić") && !tex.contains('\u{30C}'));
}

/// The hard cases in two students, so that the test stays quick: NFD Croatian with
/// Cyrillic and Greek, and Vietnamese with CJK, emoji, a bidi override and U+2028.
#[test]
fn hard_names_compile_and_print() {
    let test = "names::hard_names_compile_and_print";
    if tools_missing(test) {
        return;
    }
    let names = [
        (
            "h1",
            "Z\u{30C}eljko C\u{30C}olic\u{301} Петровић Γιώργος",
            "Željko Čolić Петровић Γιώργος",
            false,
        ),
        (
            "h2",
            "\u{202E}Nguyễn\u{202C}\u{2028}李 😀\u{200D}Thị",
            "[U+674E] [U+1F600]",
            true,
        ),
        // One extra encoding alone: each must load without the other.
        ("h3", "Петар Петровић", "Петар Петровић", false),
        ("h4", "Γιώργος Παπαδόπουλος", "Γιώργος Παπαδόπουλος", false),
    ];
    let (dir, stderr) = generate("names-hard", &names, true);
    assert_eq!(warned(&stderr), ["h2"], "{stderr}");
    check_sheets(&dir.join("out"), &names);
}

/// All 31 names with `--pdf`: 62 sheets, over a minute on two busy cores, so it is
/// ignored by default; run it with
/// `CI=true cargo test --test tests names::all_names -- --ignored`.
#[test]
#[ignore]
fn all_names_compile_and_print() {
    let test = "names::all_names_compile_and_print";
    if tools_missing(test) {
        return;
    }
    let (dir, stderr) = generate("names-all", NAMES, true);
    let want: Vec<&str> = NAMES.iter().filter(|n| n.3).map(|n| n.0).collect();
    assert_eq!(warned(&stderr), want, "{stderr}");
    check_sheets(&dir.join("out"), NAMES);
}

/// A spreadsheet opening key.csv must not run a name as a formula (CSV injection), and
/// negative answers must still read as numbers.
#[test]
fn key_csv_does_not_let_names_run_as_formulas() {
    let names = [
        ("1", "=HYPERLINK(\"http://x\",\"y\")", "", false),
        ("+2", "@SUM(A1:A9)", "", false),
        ("3", "-2+3+cmd|' /C calc'!A0", "", false),
        ("-4", "Ana-Marija Horvat", "", false),
    ];
    let (dir, _) = generate("names-csv", &names, false);
    let mut reader = csv::Reader::from_path(dir.join("out/key.csv")).expect("key.csv");
    let headers = reader.headers().expect("a header").clone();
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.expect("key.csv is CSV"))
        .collect();
    let cells: Vec<(&str, &str)> = rows.iter().map(|r| (&r[0], &r[1])).collect();
    assert_eq!(
        cells,
        [
            ("1", "'=HYPERLINK(\"http://x\",\"y\")"),
            // A number stays a number; an ordinary hyphen inside a name is no formula.
            ("+2", "'@SUM(A1:A9)"),
            ("3", "'-2+3+cmd|' /C calc'!A0"),
            ("-4", "Ana-Marija Horvat"),
        ]
    );
    // No cell of the file starts a formula, and the answers are the key's numbers.
    let key: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/key.json")).unwrap()).unwrap();
    let ap = |k: usize| key["students"][k]["problems"][0]["answers"]["ap"].to_string();
    let ap_column = headers.iter().position(|h| h == "P1.ap").expect("P1.ap");
    for (k, row) in rows.iter().enumerate() {
        for field in row {
            assert!(
                !field.starts_with(['=', '@', '\t', '\r'])
                    && (!field.starts_with(['-', '+'])
                        || field[1..].parse::<f64>().is_ok()
                        || field[1..].split('/').all(|p| p.parse::<u64>().is_ok())),
                "cell {field:?} would be a formula"
            );
        }
        assert_eq!(row[ap_column], ap(k));
    }
}

/// `regenerate` warns about a name it prints with placeholders, as the class run does.
#[test]
fn regenerate_warns_about_the_same_names() {
    let names = [("r1", "Ana Horvat", "", false), ("r2", "李 Wei", "", true)];
    let (dir, stderr) = generate("names-regenerate", &names, false);
    assert_eq!(warned(&stderr), ["r2"], "{stderr}");
    let mut reader = csv::Reader::from_path(dir.join("out/key.csv")).expect("key.csv");
    let codes: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.expect("key.csv is CSV");
            (r[0].to_string(), r[2].to_string())
        })
        .collect();
    for (id, code) in codes {
        let out = dir.join(&format!("again-{id}"));
        let output = Command::new(env!("CARGO_BIN_EXE_examgen"))
            .args(["regenerate", "--spec"])
            .arg(dir.join("names.yaml"))
            .arg(&code)
            .arg("--students")
            .arg(dir.join("class.csv"))
            .arg("--out")
            .arg(&out)
            .output()
            .expect("run examgen");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        let want: &[&str] = if id == "r2" { &["r2"] } else { &[] };
        assert_eq!(warned(&stderr), want, "{id}: {stderr}");
    }
}
