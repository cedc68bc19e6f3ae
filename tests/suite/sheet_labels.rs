//! The answer sheet names the boxes of every kind in the problem's notation: every
//! checkpoint their walk records has a label (a symbol and a note) in both languages, a
//! label names only a checkpoint the kind walks, and the labels reach the sheet, which
//! compiles without a LaTeX warning or an overfull box.

use std::collections::{BTreeSet, HashMap};

use examgen::problems::kind::SheetLabel;
use examgen::problems::Solved;
use examgen::problems::KINDS;
use examgen::spec::Language;

use super::checkpoints::variants_of;
use super::common::{ok, on_path, skip_or_fail, Scratch};
use super::pdf::{log_complaints, logs};

/// How many default variants of each kind are looked at (and the reference).
const VARIANTS: u64 = 40;

/// The checkpoint names a variant's walk records, in walking order.
fn walked(solved: &Solved) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for c in solved.carry(&|_| None) {
        if names.last() != Some(&c.checkpoint) {
            names.push(c.checkpoint);
        }
    }
    names
}

/// What is wrong with the labels of a walk's checkpoints `names` (empty: nothing).
fn label_problems(names: &[&str], labels: &[SheetLabel]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_name = HashMap::new();
    for l in labels {
        if by_name.insert(l.name, l).is_some() {
            problems.push(format!("{} is labelled twice", l.name));
        }
    }
    for name in names {
        match by_name.get(name) {
            None => problems.push(format!("{name} has no label")),
            Some(l) if l.symbol.trim().is_empty() => problems.push(format!("{name}: no symbol")),
            Some(l) if l.note.trim().is_empty() => problems.push(format!("{name}: no note")),
            Some(l) if l.symbol.contains('$') => {
                problems.push(format!("{name}: the symbol is math without dollars"))
            }
            Some(l) if l.note.matches('$').count() % 2 == 1 => {
                problems.push(format!("{name}: the note's math is not closed"))
            }
            Some(_) => {}
        }
    }
    problems
}

#[test]
fn every_checkpoint_has_a_symbol_and_a_note_in_both_languages() {
    let mut failures = Vec::new();
    for kind in KINDS {
        for (i, solved) in variants_of(kind, VARIANTS).iter().enumerate() {
            for language in [Language::Hr, Language::En] {
                for p in label_problems(&walked(solved), &solved.sheet_labels(language)) {
                    failures.push(format!("{kind} variant {i} ({language:?}): {p}"));
                }
            }
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_label_names_a_checkpoint_the_kind_walks() {
    for kind in KINDS {
        let variants = variants_of(kind, VARIANTS);
        let walked: BTreeSet<&str> = variants.iter().flat_map(walked).collect();
        for solved in &variants {
            for language in [Language::Hr, Language::En] {
                for l in solved.sheet_labels(language) {
                    assert!(
                        walked.contains(l.name),
                        "{kind}: the label {} names no checkpoint",
                        l.name
                    );
                }
            }
        }
    }
    // The default draws cover both of gated_step's cells (the LSTM alone walks c).
    let cells: BTreeSet<bool> = variants_of("gated_step", VARIANTS)
        .iter()
        .map(|s| walked(s).contains(&"c"))
        .collect();
    assert_eq!(cells.len(), 2, "one cell only");
}

#[test]
fn the_checks_notice_a_checkpoint_without_a_label() {
    let solved = &variants_of("conv1d", 1)[0];
    let names = walked(solved);
    let mut labels = solved.sheet_labels(Language::En);
    assert!(label_problems(&names, &labels).is_empty());
    labels[1].note = " ".into();
    labels.retain(|l| l.name != "h");
    assert_eq!(
        label_problems(&names, &labels),
        ["h has no label", "pooled: no note"]
    );
}

/// A spec of every kind, drawn, in `language`.
fn spec(language: &str) -> String {
    let problems: String = KINDS
        .iter()
        .map(|kind| format!("  - {kind}:\n      points: 10\n      draw: {{}}\n"))
        .collect();
    format!("course: Test\nexam: Test exam\nlanguage: {language}\nproblems:\n{problems}")
}

#[test]
fn the_labelled_answer_sheets_compile_cleanly() {
    if !on_path("latexmk") {
        skip_or_fail(
            "sheet_labels_a::the_labelled_answer_sheets_compile_cleanly",
            "latexmk is not on PATH",
        );
        return;
    }
    let dir = Scratch::new("sheet-labels-a");
    for (language, note) in [
        ("hr", "izlazi konvolucije prije ReLU"),
        ("en", "convolution outputs before ReLU"),
    ] {
        let spec = dir.write(&format!("{language}.yaml"), &spec(language));
        let out = dir.join(language);
        ok(&[
            "generate",
            "--spec",
            spec.to_str().unwrap(),
            "--count",
            "2",
            "--seed",
            "3",
            "--answer-sheet",
            "--out",
            out.to_str().unwrap(),
            "--pdf",
        ]);
        let mut found = Vec::new();
        for log in logs(&out) {
            let text = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
            for c in log_complaints(&text) {
                found.push(format!("{}: {c}", log.display()));
            }
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
        let exams: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with("-exam.tex"))
            .collect();
        assert_eq!(exams.len(), 2);
        for exam in exams {
            let tex = std::fs::read_to_string(&exam).unwrap();
            assert!(
                tex.contains(note),
                "{}: no label on the sheet",
                exam.display()
            );
        }
    }
}
