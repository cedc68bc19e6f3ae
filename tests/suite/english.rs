//! English sheets (`language: en`): every registered kind renders in both languages and
//! compiles in English; an English sheet holds no Croatian word; the 2022 exam in English
//! (`variants/du1-2022-en.yaml`) matches its golden files in `tests/golden/du1-2022-en/`
//! (`UPDATE_GOLDEN=1 cargo test --test tests english` rewrites them).

use std::path::{Path, PathBuf};
use std::process::Command;

use examgen::problems::KINDS;
use examgen::run::render_spec;

use super::common::{on_path, root, skip_or_fail, Scratch};

/// A spec with the default draw of each of `kinds`, in `language`.
fn every_kind(language: &str, kinds: &[&str]) -> String {
    let mut text =
        format!("course: Deep Learning\nexam: Every kind\nlanguage: {language}\nproblems:\n");
    for kind in kinds {
        text.push_str(&format!("  - {kind}:\n      draw: {{}}\n"));
    }
    text
}

/// The exam and the solution sheet of a spec's first variant (seed `seed`), or the error.
fn render(text: &str, seed: u64) -> Result<(String, String), String> {
    let spec =
        examgen::exam::parse(text, Path::new("every-kind.yaml")).map_err(|e| e.to_string())?;
    let solved = examgen::class::draw_variant(&spec, seed, 0, 0).map_err(|e| e.to_string())?;
    let sheets = examgen::exam::render_sheets(&spec, &solved, None).map_err(|e| e.to_string())?;
    Ok((sheets.exam, sheets.solutions))
}

/// Whether `kind`'s default draw renders in `language`, or why not.
fn renders(kind: &str, language: &str) -> Result<(), String> {
    render(&every_kind(language, &[kind]), 7).map(|_| ())
}

/// The kinds whose default draw does not render in `language`, with why.
fn unrendered(language: &str) -> Vec<String> {
    KINDS
        .iter()
        .filter_map(|kind| {
            renders(kind, language)
                .err()
                .map(|e| format!("{kind}: {e}"))
        })
        .collect()
}

/// The kinds that have English sheets ([`every_kind_renders_in_both_languages`] fails
/// while one has not); the tests of English sheets check these.
fn english_kinds() -> Vec<&'static str> {
    KINDS
        .iter()
        .copied()
        .filter(|kind| renders(kind, "en").is_ok())
        .collect()
}

#[test]
fn every_kind_renders_in_both_languages() {
    for language in ["hr", "en"] {
        let failed = unrendered(language);
        assert!(
            failed.is_empty(),
            "kinds without a `language: {language}` sheet:\n{}",
            failed.join("\n")
        );
    }
}

/// Words that are Croatian and never English, matched as whole words (lower case).
const CROATIAN_WORDS: &[&str] = &[
    "zadatak",
    "rješenje",
    "rješenja",
    "bod",
    "boda",
    "bodova",
    "izračunajte",
    "izračunati",
    "i",
    "je",
    "su",
    "za",
    "od",
    "na",
    "se",
    "da",
    "ili",
    "koji",
    "koja",
    "koje",
    "kod",
    "gdje",
    "te",
    "uz",
    "pomoću",
    "sloj",
    "sloja",
    "mreže",
    "mreža",
    "ulaz",
    "izlaz",
    "gradijent",
    "gubitak",
    "vektor",
    "matrica",
    "jezgra",
    "jezgre",
    "skriveno",
    "stanje",
    "težine",
    "pomak",
    "pomaka",
    "vrata",
    "primjer",
    "odredite",
    "napišite",
    "nacrtajte",
    "koliko",
    "kolika",
    "ukupno",
    "dakle",
    "prema",
    "zato",
    "jer",
    "ako",
    "onda",
    "sada",
    "ime",
    "prezime",
    "jmbag",
    "varijante",
    "decimale",
    "decimala",
    "razred",
    "razreda",
    "upit",
    "sličnost",
    "udaljenost",
    "preciznost",
    "odziv",
    "funkcija",
    "derivacija",
];

/// The prose of a LaTeX line: inline math (`$…$`, `\(…\)`, `\[…\]`, which may go on
/// over lines: `math` says whether the line starts in it, and is left saying whether the
/// next one does) and command names removed, so that an index `x_i` is not the
/// Croatian "i".
fn prose(line: &str, math: &mut bool) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => *math = !*math,
            '\\' => match chars.peek() {
                Some('(' | '[') => {
                    chars.next();
                    *math = true;
                }
                Some(')' | ']') => {
                    chars.next();
                    *math = false;
                }
                // A command's name, or an escaped character (`\%`).
                Some(c) if !c.is_ascii_alphabetic() => {
                    chars.next();
                }
                _ => {
                    while chars.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                        chars.next();
                    }
                    out.push(' ');
                }
            },
            '%' if !*math => break,
            c if !*math => out.push(c),
            _ => {}
        }
    }
    out
}

/// Display math and code, whose words are not the sheet's prose (code comments are
/// prose, and are checked).
const DISPLAYS: &[(&str, &str)] = &[
    ("\\[", "\\]"),
    ("\\begin{align", "\\end{align"),
    ("\\begin{equation", "\\end{equation"),
    ("\\begin{tikzpicture", "\\end{tikzpicture"),
];

/// What is Croatian in an English sheet: letters with Croatian diacritics anywhere, and
/// the [`CROATIAN_WORDS`] in its prose and in code comments, outside the `allowed` text
/// (the course title, names); one line each.
fn croatian_in(tex: &str, allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut display: Option<&str> = None;
    let mut code = false;
    let mut math = false;
    for (i, line) in tex.lines().enumerate() {
        let mut line = line.to_string();
        for a in allowed {
            line = line.replace(a, "");
        }
        // The preamble's listings table maps these letters for code comments, and its
        // comments say so.
        if line.trim_start().starts_with("literate=") || line.trim_start().starts_with('%') {
            continue;
        }
        if line.contains(['č', 'ć', 'đ', 'š', 'ž', 'Č', 'Ć', 'Đ', 'Š', 'Ž']) {
            found.push(format!("line {}: letter: {line}", i + 1));
        }
        let text = if let Some(end) = display {
            if line.contains(end) {
                display = None;
            }
            continue;
        } else if code {
            code = !line.contains("\\end{codelisting}");
            // A comment's one-letter words name variables (the LSTM's gate `# i`); its
            // letters are checked above.
            let comment = line.split_once('#').map_or("", |(_, c)| c);
            let words = comment.split(|c: char| !c.is_alphabetic());
            words
                .filter(|w| w.chars().count() > 1)
                .collect::<Vec<_>>()
                .join(" ")
        } else if let Some((_, end)) = DISPLAYS
            .iter()
            .find(|(b, _)| line.trim_start().starts_with(b))
        {
            if !line.contains(end) {
                display = Some(end);
            }
            continue;
        } else {
            code = line.contains("\\begin{codelisting}");
            prose(&line, &mut math)
        };
        let lower = text.to_lowercase();
        let words = lower.split(|c: char| !c.is_alphabetic());
        for word in words.filter(|w| CROATIAN_WORDS.contains(w)) {
            found.push(format!("line {}: word `{word}`: {line}", i + 1));
        }
    }
    found
}

#[test]
fn the_croatian_check_finds_croatian() {
    let found = croatian_in(
        "\\section*{Zadatak 1 (5 bodova)}\nIzračunajte $x$ i $y$.",
        &[],
    );
    assert_eq!(found.len(), 5, "{found:#?}");
    // Indices in math are not words; code comments are.
    assert!(croatian_in("for $x_i$ \\(i\\) and\n\\[\n i + j\n\\]", &[]).is_empty());
    let code = "\\begin{codelisting}\nfor i in x:  # ulaz i izlaz\n\\end{codelisting}";
    assert_eq!(
        croatian_in(code, &[]).len(),
        2,
        "{:#?}",
        croatian_in(code, &[])
    );
    assert!(croatian_in("Problem 1 (5 points)\nCompute $x$ and $y$.", &[]).is_empty());
    assert!(croatian_in("Duboko učenje 1", &["Duboko učenje 1"]).is_empty());
}

#[test]
fn no_croatian_word_in_an_english_sheet() {
    let mut found = Vec::new();
    for seed in [7, 8] {
        let (exam, solutions) =
            render(&every_kind("en", &english_kinds()), seed).expect("renders in English");
        for (name, tex) in [("exam", exam), ("solutions", solutions)] {
            found.extend(
                croatian_in(&tex, &[])
                    .into_iter()
                    .map(|f| format!("every kind, seed {seed}, {name}.tex {f}")),
            );
        }
    }
    let en = render_spec(&root().join("variants/du1-2022-en.yaml")).expect("renders");
    for (name, tex) in [("exam", en.exam_tex), ("solutions", en.solutions_tex)] {
        // The course and the author keep their Croatian names.
        let allowed = ["Duboko učenje 1", "Josip Šarić"];
        found.extend(
            croatian_in(&tex, &allowed)
                .into_iter()
                .map(|f| format!("du1-2022-en {name}.tex {f}")),
        );
    }
    assert!(
        found.is_empty(),
        "Croatian in English sheets:\n{}",
        found.join("\n")
    );
}

fn golden_dir() -> PathBuf {
    root().join("tests/golden/du1-2022-en")
}

#[test]
fn the_2022_exam_in_english_matches_its_golden_files() {
    let en = render_spec(&root().join("variants/du1-2022-en.yaml")).expect("renders");
    let updating = std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1");
    for (name, text) in [
        ("exam.tex", &en.exam_tex),
        ("solutions.tex", &en.solutions_tex),
        ("key.json", &en.key_json),
    ] {
        let path = golden_dir().join(name);
        if updating {
            std::fs::create_dir_all(golden_dir()).expect("create the golden directory");
            std::fs::write(&path, text).expect("write the golden file");
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e}; write it with `UPDATE_GOLDEN=1 cargo test --test tests english`",
                path.display()
            )
        });
        assert!(
            *text == golden,
            "{name} differs from {}; if intended, rewrite it with `UPDATE_GOLDEN=1 cargo test \
             --test tests english` and review the diff",
            path.display()
        );
    }
}

/// The English key differs from the Croatian one in its `language` only.
#[test]
fn the_english_2022_exam_has_the_croatian_answers() {
    let en = render_spec(&root().join("variants/du1-2022-en.yaml")).expect("renders");
    let hr = render_spec(&root().join("variants/du1-2022.yaml")).expect("renders");
    let mut en: serde_json::Value = serde_json::from_str(&en.key_json).expect("key.json");
    let hr: serde_json::Value = serde_json::from_str(&hr.key_json).expect("key.json");
    assert_eq!(en["language"], "en");
    en["language"] = hr["language"].clone();
    en["exam"] = hr["exam"].clone();
    en["date"] = hr["date"].clone();
    assert_eq!(en, hr);
}

/// The LaTeX warnings and overfull boxes (the rule of [`super::pdf::log_complaints`]) of
/// an output directory's logs.
fn log_complaints(out: &Path) -> Vec<String> {
    super::pdf::logs(out)
        .iter()
        .flat_map(|path| {
            let log = std::fs::read_to_string(path).unwrap_or_default();
            super::pdf::log_complaints(&log)
                .into_iter()
                .map(move |l| format!("{}: {l}", path.display()))
        })
        .collect()
}

/// Compiles a spec with `examgen generate --pdf` (plus `extra` arguments) and returns the
/// output directory's LaTeX complaints.
fn compile(spec: &Path, out: &Path, extra: &[&str]) -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(["generate", "--spec"])
        .arg(spec)
        .arg("--out")
        .arg(out)
        .arg("--pdf")
        .args(extra)
        .output()
        .expect("run examgen");
    assert!(
        output.status.success(),
        "examgen generate --pdf failed for {}:\n{}",
        spec.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    log_complaints(out)
}

/// Every kind in Croatian, and every kind that has English sheets in English, compiles
/// without a LaTeX warning.
#[test]
fn every_kind_compiles_in_both_languages() {
    if !on_path("latexmk") {
        skip_or_fail("english::every_kind_compiles", "latexmk is not on PATH");
        return;
    }
    let dir = Scratch::new("english-every-kind");
    let mut complaints = Vec::new();
    for language in ["hr", "en"] {
        let kinds = match language {
            "en" => english_kinds(),
            _ => KINDS.to_vec(),
        };
        let spec = dir.write(&format!("{language}.yaml"), &every_kind(language, &kinds));
        // Seed 7, as the renders above (seed 0 draws a conv2d_pool variant whose Croatian
        // sheet has an overfull line, a matter of that kind's own constraints).
        complaints.extend(compile(&spec, &dir.join(language), &["--seed", "7"]));
    }
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));
}

#[test]
fn the_2022_exam_in_english_compiles_for_the_fixed_exam_and_a_class() {
    if !on_path("latexmk") {
        skip_or_fail(
            "english::the_2022_exam_in_english_compiles",
            "latexmk is not on PATH",
        );
        return;
    }
    let dir = Scratch::new("english-2022");
    let spec = root().join("variants/du1-2022-en.yaml");
    let students = root().join("variants/class-example.csv");
    let mut complaints = compile(&spec, &dir.join("fixed"), &[]);
    complaints.extend(compile(
        &spec,
        &dir.join("class"),
        &[
            "--students",
            students.to_str().expect("a UTF-8 path"),
            "--seed",
            "7",
        ],
    ));
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));
}

/// A template's text without its askama tags (`<% … %>`, `[[ … ]]`, `<# … #>`), whose `%`
/// would read as a LaTeX comment and whose field names are not prose.
fn without_tags(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    loop {
        let next = ["<%", "[[", "<#"]
            .iter()
            .zip(["%>", "]]", "#>"])
            .filter_map(|(open, close)| rest.find(open).map(|i| (i, *open, close)))
            .min();
        let Some((i, open, close)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i]);
        let after = &rest[i + open.len()..];
        rest = after.find(close).map_or("", |j| &after[j + close.len()..]);
    }
}

/// Every branch of the English templates, not only the ones the drawn variants take.
#[test]
fn no_croatian_word_in_an_english_template() {
    let dir = root().join("templates/en");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("templates/en") {
        let path = entry.expect("an entry").path();
        let text = without_tags(&std::fs::read_to_string(&path).expect("a template"));
        found.extend(
            croatian_in(&text, &[])
                .into_iter()
                .map(|f| format!("{}: {f}", path.display())),
        );
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
