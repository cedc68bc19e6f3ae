//! `generate --moodle`: moodle.xml read back with a real XML parser (roxmltree), every
//! cloze blank read with a parser written from Moodle's own cloze grammar, and each
//! blank's value checked against key.json within its tolerance.
//!
//! The grammar is `question/type/multianswer/questiontype.php` (Moodle 4.x, the
//! constants `ANSWER_START_REGEX`, `ANSWER_ALTERNATIVE_REGEX` and `NUMBER_REGEX`):
//!
//! ```text
//! ANSWER_REGEX      = \{([0-9]*):(NUMERICAL|NM|…):  ALT (~ ALT)*  \}
//! ALT               = (=|%(-?[0-9]+(?:[.,][0-9]*)?)%)?  ANSWER  (#FEEDBACK)?
//! ANSWER            = .+?(?<!\\|&|&amp;)(?=[~#}]|$)
//! FEEDBACK          = .*?(?<!\\)(?=[~}]|$)
//! NUMERICAL answer  = ^(NUMBER)(:NUMBER)?$
//! NUMBER            = -?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)
//! ```
//!
//! The weight (group 1) is a non-negative integer, 1 when empty; the question's mark is
//! the sum of the weights.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::common::{ok, on_path, root, skip_or_fail, Scratch};

/// One numerical blank as Moodle reads it.
#[derive(Debug)]
struct Blank {
    weight: u32,
    value: f64,
    tolerance: f64,
}

/// `NUMBER`: returns its value (a decimal comma read as a point) and its length.
fn number(s: &str) -> Option<(f64, usize)> {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if digits(&mut i) {
        if i < b.len() && (b[i] == b'.' || b[i] == b',') {
            i += 1;
            digits(&mut i);
        }
    } else if i < b.len() && (b[i] == b'.' || b[i] == b',') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    } else {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        if digits(&mut j) {
            i = j;
        }
    }
    let value = s[..i].replace(',', ".").parse().ok()?;
    Some((value, i))
}

/// Every cloze blank of a question text, in order, read by Moodle's grammar; a `{…:`
/// that starts a blank but does not parse is an error (Moodle would show it as text).
fn blanks(text: &str) -> Result<Vec<Blank>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        let weight_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let after_weight = &rest[weight_len..];
        let Some(after_type) = ["NUMERICAL:", "NM:"]
            .iter()
            .find_map(|t| after_weight.strip_prefix(':')?.strip_prefix(t))
        else {
            if after_weight.starts_with(':') && after_weight[1..].starts_with(char::is_uppercase) {
                return Err(format!(
                    "a blank of another type: {{{}",
                    &rest[..40.min(rest.len())]
                ));
            }
            continue;
        };
        let weight = if weight_len == 0 {
            1
        } else {
            rest[..weight_len]
                .parse()
                .map_err(|e| format!("weight: {e}"))?
        };
        let close = after_type.find('}').ok_or("no `}` closes the blank")?;
        let alternatives = &after_type[..close];
        // One alternative here: `=value:tolerance`; its answer must not end in `\`, `&`.
        let alternative = alternatives.split('~').next().ok_or("no alternative")?;
        let answer = alternative
            .strip_prefix('=')
            .ok_or("the answer is not marked `=`")?;
        let answer = answer.split('#').next().unwrap_or(answer);
        if answer.is_empty() || answer.ends_with(['\\', '&']) || answer.ends_with("&amp;") {
            return Err(format!("bad answer `{answer}`"));
        }
        let (value, n) = number(answer).ok_or(format!("not a NUMBER: `{answer}`"))?;
        let tolerance_text = answer[n..]
            .strip_prefix(':')
            .ok_or(format!("no tolerance in `{answer}`"))?;
        let (tolerance, m) = number(tolerance_text).ok_or("tolerance is not a NUMBER")?;
        if m != tolerance_text.len() {
            return Err(format!("`{answer}` has text after the tolerance"));
        }
        out.push(Blank {
            weight,
            value,
            tolerance,
        });
        rest = &after_type[close + 1..];
    }
    Ok(out)
}

/// The value at a blank's label (`grad_W1[0][1]`) in a key entry's answers.
fn at_label<'a>(answers: &'a Value, label: &str) -> &'a Value {
    let (field, indices) = label.split_once('[').map_or((label, ""), |(f, i)| (f, i));
    let mut v = &answers[field];
    for index in indices.split(['[', ']']).filter(|s| !s.is_empty()) {
        v = &v[index.parse::<usize>().expect("an index")];
    }
    v
}

fn as_number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => {
            let (a, b) = s.split_once('/').unwrap_or((s, "1"));
            a.parse::<f64>().unwrap() / b.parse::<f64>().unwrap()
        }
        other => panic!("not a number: {other}"),
    }
}

/// The labels of a question text's blanks (`<code>label</code>` before each).
fn labels(text: &str) -> Vec<String> {
    text.match_indices("<tr><td><code>")
        .map(|(i, m)| {
            let rest = &text[i + m.len()..];
            rest[..rest.find("</code>").unwrap()].replace("&amp;", "&")
        })
        .collect()
}

fn tools_or_skip(test: &str) -> bool {
    if on_path("pdflatex") && on_path("pdftoppm") {
        return true;
    }
    skip_or_fail(test, "pdflatex or pdftoppm is not installed");
    false
}

/// Checks a run's moodle.xml against its key.json; returns the questions per category.
fn check_run(dir: &Path, tolerance: &dyn Fn(usize) -> f64) -> Vec<(String, usize)> {
    let xml = std::fs::read_to_string(dir.join("moodle.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("moodle.xml is well-formed XML");
    let key: Value = serde_json::from_slice(&std::fs::read(dir.join("key.json")).unwrap()).unwrap();
    let variants: Vec<&Value> = match key["students"].as_array() {
        Some(students) => students.iter().collect(),
        None => vec![&key],
    };
    let by_code: HashMap<&str, &Value> = variants
        .iter()
        .map(|v| (v["variant_code"].as_str().unwrap_or(""), *v))
        .collect();
    let quiz = doc.root_element();
    assert_eq!(quiz.tag_name().name(), "quiz");
    let mut categories: Vec<(String, usize)> = Vec::new();
    for question in quiz.children().filter(|n| n.has_tag_name("question")) {
        let text_of = |parent: &str| {
            question
                .children()
                .find(|n| n.has_tag_name(parent))
                .and_then(|n| n.children().find(|c| c.has_tag_name("text")))
                .and_then(|t| t.text())
                .unwrap_or("")
                .to_string()
        };
        match question.attribute("type") {
            Some("category") => {
                let path = text_of("category");
                assert!(path.starts_with("$course$/"), "{path}");
                categories.push((path, 0));
            }
            Some("cloze") => {
                let (category, count) = categories.last_mut().expect("a category first");
                *count += 1;
                let name = text_of("name");
                let p: usize = name[1..name.find(' ').unwrap()].parse().unwrap();
                assert!(
                    category.contains(&format!("/P{p} ")),
                    "{name} in {category}"
                );
                let code = name.rsplit(" · ").next().unwrap();
                let variant = by_code.get(code).copied().unwrap_or(variants[0]);
                let problem = &variant["problems"][p - 1];
                let text = text_of("questiontext");
                let found = blanks(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
                let labels = labels(&text);
                assert_eq!(found.len(), labels.len(), "{name}");
                assert!(!found.is_empty(), "{name} has no blank");
                for (blank, label) in found.iter().zip(&labels) {
                    let want = as_number(at_label(&problem["answers"], label));
                    assert_eq!(blank.tolerance, tolerance(p - 1), "{name} {label}");
                    assert!(
                        (blank.value - want).abs() <= blank.tolerance
                            && (blank.value - want).abs() < 1e-12,
                        "{name} {label}: {} vs key.json {want}",
                        blank.value
                    );
                }
                let sum: u32 = found.iter().map(|b| b.weight).sum();
                match problem["points"].as_u64() {
                    Some(points) if points as usize >= found.len() => {
                        assert_eq!(u64::from(sum), points, "{name}: weights sum to the points")
                    }
                    _ => assert!(found.iter().all(|b| b.weight == 1), "{name}"),
                }
                // Every figure the texts show travels in the same element.
                for part in ["questiontext", "generalfeedback"] {
                    let element = question.children().find(|n| n.has_tag_name(part)).unwrap();
                    let text = text_of(part);
                    for (i, _) in text.match_indices("@@PLUGINFILE@@/") {
                        let file = &text[i + 15..];
                        let file = &file[..file.find('"').unwrap()];
                        let data = element
                            .children()
                            .find(|f| f.has_tag_name("file") && f.attribute("name") == Some(file))
                            .unwrap_or_else(|| panic!("{name}: {file} is not embedded"));
                        assert_eq!(data.attribute("encoding"), Some("base64"));
                        assert!(
                            data.text().unwrap().starts_with("iVBORw0KGgo"),
                            "{file} is a PNG"
                        );
                    }
                    assert!(!text.contains("\\begin{enumerate}") && !text.contains("\\item"));
                }
            }
            other => panic!("unexpected question type {other:?}"),
        }
    }
    categories
}

/// The acceptance run: 40 variants of the randomized 2022 exam hold 40 questions per
/// problem, each blank equal to key.json within its tolerance.
#[test]
fn forty_variants_read_back_against_the_key() {
    if !tools_or_skip("forty_variants_read_back_against_the_key") {
        return;
    }
    let scratch = Scratch::new("moodle-40");
    let out = scratch.join("out");
    let spec = root().join("variants/du1-random.yaml");
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--count",
        "40",
        "--seed",
        "3",
        "--out",
        out.to_str().unwrap(),
        "--moodle",
    ]);
    let categories = check_run(&out, &|_| 0.01);
    assert_eq!(categories.len(), 5, "{categories:?}");
    for (path, count) in &categories {
        assert_eq!(*count, 40, "{path}");
        assert!(path.starts_with("$course$/Duboko učenje 1/"), "{path}");
    }
}

/// A class of the bank exam (pools, points): questions named by id and code, weights
/// summing to the points, and the spec's tolerances, the exam's and a problem's own.
#[test]
fn a_class_with_points_pools_and_tolerances() {
    if !tools_or_skip("a_class_with_points_pools_and_tolerances") {
        return;
    }
    let scratch = Scratch::new("moodle-bank");
    let bank = std::fs::read_to_string(root().join("variants/du1-bank.yaml")).unwrap();
    let problems = bank.find("\nproblems:").unwrap();
    let text = format!(
        "{}\nmoodle: {{tolerance: 0.05}}{}",
        &bank[..problems],
        &bank[problems..]
    );
    // The second list item gets its own tolerance.
    let second = "  - optimizer_steps:\n      points: 10\n      draw: {}\n";
    assert!(
        text.contains(second),
        "du1-bank.yaml's second problem changed"
    );
    let text = text.replace(
        second,
        &format!("{second}    moodle: {{tolerance: 0.001}}\n"),
    );
    let spec = scratch.write("bank.yaml", &text);
    let out = scratch.join("out");
    let warnings = ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--students",
        root().join("variants/class-example.csv").to_str().unwrap(),
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
        "--moodle",
    ]);
    let categories = check_run(&out, &|p| if p == 1 { 0.001 } else { 0.05 });
    assert!(categories.iter().all(|(_, n)| *n == 12), "{categories:?}");
    let xml = std::fs::read_to_string(out.join("moodle.xml")).unwrap();
    assert!(xml.contains("<name><text>P1 "), "named by problem");
    let key: Value = serde_json::from_slice(&std::fs::read(out.join("key.json")).unwrap()).unwrap();
    let first = &key["students"][0];
    let name = format!(
        " · {} · {}</text></name>",
        first["id"].as_str().unwrap(),
        first["variant_code"].as_str().unwrap()
    );
    assert!(
        xml.contains(&name),
        "a question is named by the student's id and code"
    );
    if xml.contains("conv2d_pool") {
        assert!(
            warnings.contains("set the quiz slot's maximum mark"),
            "{warnings}"
        );
    }
}

#[test]
fn the_grammar_parser_rejects_what_moodle_would_not_read() {
    assert_eq!(blanks("{2:NUMERICAL:=0,25:0.01}").unwrap()[0].value, 0.25);
    // Without the colon before the type it is text, not a blank.
    assert!(blanks("{NM:=1:1}").unwrap().is_empty());
    for bad in [
        "{1:NUMERICAL:=abc:0.01}",
        "{1:NUMERICAL:=1}",
        "{1:NUMERICAL:1:0.1}",
        "{1:NUMERICAL:=1e:0.1x}",
        "{1:SHORTANSWER:=x}",
    ] {
        assert!(blanks(bad).is_err(), "{bad}");
    }
    assert_eq!(blanks("{:NUMERICAL:=-1.5e-3:0.001}").unwrap()[0].weight, 1);
    assert!(blanks("\\frac{1}{2} {x}").unwrap().is_empty());
}

/// Without pdflatex the run fails with what to install, exit code 1, and writes nothing.
#[test]
fn a_missing_tool_is_a_clear_error_and_nothing_is_written() {
    let scratch = Scratch::new("moodle-no-tex");
    let out = scratch.join("out");
    let empty = scratch.join("bin");
    std::fs::create_dir_all(&empty).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_examgen"))
        .args(["generate", "--spec"])
        .arg(root().join("variants/du1-2022.yaml"))
        .arg("--out")
        .arg(&out)
        .arg("--moodle")
        .env("PATH", &empty)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "moodle.xml: --moodle draws the figures with pdflatex, which is not installed"
        ),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(&out)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}
