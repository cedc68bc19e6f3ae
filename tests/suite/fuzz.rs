//! Fuzzing with proptest: the three parsers that read what people type — the exam spec,
//! the class list and the variant code — and `file_id`, which turns ids into file names.
//!
//! Each target asserts "no panic" (proptest catches and shrinks a panic like a failed
//! assertion) and the documented contract: errors name the file and a line, accepted
//! class lists have unique non-empty ids, file names are safe and distinct, codes round-trip
//! and every single-symbol typo or swap of neighbours is rejected.
//!
//! `cargo test` runs a few hundred cases per target. For long runs set `FUZZ_CASES` (all
//! targets) and, because spec targets run a feasibility draw per input, optionally
//! `FUZZ_SPEC_CASES` for the spec targets alone:
//!
//! ```sh
//! FUZZ_CASES=1000000 FUZZ_SPEC_CASES=20000 cargo test --release fuzz -- --nocapture
//! ```
//!
//! Every target prints how many inputs it ran (to stderr, past libtest's capture).
//! Regression tests for findings are at the end of the file, named after the finding.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use examgen::class_list::{self, file_id};
use examgen::variant::{typed_symbols, VariantCode, MAX_SALT, MAX_SEED, SYMBOLS};

use super::common::root;

/// Cases for a target: `FUZZ_<TARGET>_CASES`, else `FUZZ_CASES`, else `default`.
fn cases(target_var: &str, default: u32) -> u32 {
    [target_var, "FUZZ_CASES"]
        .iter()
        .find_map(|var| std::env::var(var).ok()?.parse().ok())
        .unwrap_or(default)
}

/// Runs `test` on `cases` inputs of `strategy`, prints how many ran, and fails with
/// proptest's minimal failing input (panics included).
fn fuzz<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let config = Config {
        cases,
        // Findings are kept as named regression tests below, not in a persistence file.
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let ran = Cell::new(0u64);
    let result = TestRunner::new(config).run(&strategy, |input| {
        ran.set(ran.get() + 1);
        test(input)
    });
    let _ = writeln!(
        std::io::stderr(),
        "fuzz {name}: {} inputs run, {}",
        ran.get(),
        if result.is_ok() {
            "no panic, contract held"
        } else {
            "FAILED"
        }
    );
    if let Err(e) = result {
        panic!("fuzz {name}: {e}");
    }
}

/// An error message must start with `<file>:<line>:` and the line must be a number ≥ 1.
fn names_file_and_line(message: &str, file: &str) -> Result<(), TestCaseError> {
    let rest = message.strip_prefix(&format!("{file}:")).ok_or_else(|| {
        TestCaseError::fail(format!("error does not start with `{file}:`: {message}"))
    })?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let line: usize = digits
        .parse()
        .map_err(|_| TestCaseError::fail(format!("no line number after `{file}:`: {message}")))?;
    prop_assert!(
        rest[digits.len()..].starts_with(':'),
        "no `:` after the line: {message}"
    );
    prop_assert!(line >= 1, "line 0 in: {message}");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Exam specs
// ---------------------------------------------------------------------------------------

fn spec_text(name: &str) -> String {
    std::fs::read_to_string(root().join("variants").join(name)).expect("read a committed spec")
}

fn check_spec(text: &str) -> Result<(), TestCaseError> {
    match examgen::exam::parse(text, Path::new("fuzz.yaml")) {
        Ok(spec) => {
            prop_assert!(!spec.slots.is_empty());
            Ok(())
        }
        Err(e) => names_file_and_line(&e.to_string(), "fuzz.yaml"),
    }
}

/// Tokens a careless or hostile edit puts in place of a scalar.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "-1",
            "0",
            "1",
            "2.5",
            "1e308",
            "-1e308",
            "1e-320",
            "NaN",
            ".nan",
            ".inf",
            "-.inf",
            "\"\"",
            "''",
            "[]",
            "{}",
            "[[]]",
            "[{}]",
            "~",
            "null",
            "true",
            "no",
            "4294967296",
            "9223372036854775807",
            "-9223372036854775808",
            "18446744073709551616",
            "99999999999999999999999999999999",
            "[5, 1]",
            "[-1000000000000, 1000000000000]",
            "[0, 0]",
            "[1]",
            "[1, 2, 3]",
            "[[1, 2], [3]]",
            "&a 1",
            "*a",
            "!!binary aGk=",
            "\"\\u0000\"",
            "|\n  x",
            "Duboko učenje",
            "softplus",
            "lstm",
        ])
        .prop_map(str::to_string),
        (1usize..20_000).prop_map(|n| "x".repeat(n)),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|x| format!("{x:e}")),
        "[a-z0-9\\[\\]{},.:\\- ]{0,12}",
    ]
}

/// One structured edit of a spec's lines.
#[derive(Clone, Debug)]
enum Edit {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    /// Replaces one scalar of a line (a run of characters between `[]{},` and after the
    /// key) with a token.
    Scalar(Index, Index, String),
    /// Replaces everything after a line's first `: ` with a token.
    Value(Index, String),
    /// Moves a line left or right.
    Indent(Index, i8),
    /// Inserts a line of the other committed spec.
    Transplant(Index, Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        1 => any::<Index>().prop_map(Edit::Delete),
        1 => any::<Index>().prop_map(Edit::Duplicate),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        3 => (any::<Index>(), any::<Index>(), token()).prop_map(|(l, s, t)| Edit::Scalar(l, s, t)),
        2 => (any::<Index>(), token()).prop_map(|(l, t)| Edit::Value(l, t)),
        1 => (any::<Index>(), -4i8..=4).prop_map(|(l, d)| Edit::Indent(l, d)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Transplant(a, b)),
    ]
}

/// Byte ranges of the scalars of a line: maximal runs outside `[]{},`, after the key.
fn scalar_spans(line: &str) -> Vec<(usize, usize)> {
    let start = line.find(": ").map_or(0, |i| i + 2);
    let mut spans = Vec::new();
    let mut begin = None;
    for (i, c) in line[start..].char_indices() {
        let i = i + start;
        let separator = matches!(c, '[' | ']' | '{' | '}' | ',');
        match (begin, separator) {
            (None, false) if !c.is_whitespace() => begin = Some(i),
            (Some(b), true) => {
                spans.push((b, i));
                begin = None;
            }
            _ => {}
        }
    }
    if let Some(b) = begin {
        spans.push((b, line.len()));
    }
    spans
        .into_iter()
        .map(|(b, e)| (b, b + line[b..e].trim_end().len()))
        .filter(|(b, e)| e > b)
        .collect()
}

fn apply(lines: &mut Vec<String>, edit: &Edit, donor: &[&str]) {
    let n = lines.len();
    if n == 0 {
        return;
    }
    match edit {
        Edit::Delete(i) => {
            lines.remove(i.index(lines.len()));
        }
        Edit::Duplicate(i) => {
            let i = i.index(lines.len());
            lines.insert(i, lines[i].clone());
        }
        Edit::Swap(a, b) => {
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
        }
        Edit::Scalar(l, s, token) => {
            let line = &mut lines[l.index(n)];
            let spans = scalar_spans(line);
            if !spans.is_empty() {
                let (b, e) = spans[s.index(spans.len())];
                line.replace_range(b..e, token);
            }
        }
        Edit::Value(l, token) => {
            let line = &mut lines[l.index(n)];
            if let Some(i) = line.find(": ") {
                line.replace_range(i + 2.., token);
            }
        }
        Edit::Indent(l, delta) => {
            let line = &mut lines[l.index(n)];
            if *delta >= 0 {
                line.insert_str(0, &" ".repeat(*delta as usize));
            } else {
                let strip = line
                    .chars()
                    .take_while(|&c| c == ' ')
                    .count()
                    .min(delta.unsigned_abs() as usize);
                line.replace_range(..strip, "");
            }
        }
        Edit::Transplant(at, from) => {
            let line = donor[from.index(donor.len())].to_string();
            let at = at.index(lines.len() + 1);
            lines.insert(at, line);
        }
    }
}

/// A committed spec with 1–4 structured edits.
fn mutated_spec(base: &'static str, donor: &'static str) -> impl Strategy<Value = String> {
    let base = spec_text(base);
    let donor = spec_text(donor);
    prop::collection::vec(edit(), 1..=4).prop_map(move |edits| {
        let donor: Vec<&str> = donor.lines().collect();
        let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
        for e in &edits {
            apply(&mut lines, e, &donor);
        }
        let mut text = lines.join("\n");
        text.push('\n');
        text
    })
}

/// YAML-shaped noise: the spec's keys, indentation, flow brackets and numbers.
fn yamlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "course: ",
            "exam: ",
            "language: hr",
            "problems:",
            "\n",
            "\n  - ",
            "\n    ",
            "batchnorm_mlp:",
            "retrieval_ap:",
            "conv1d:",
            "activation:",
            "rnn_account:",
            "draw:",
            "draw: {}",
            "X: ",
            "items: ",
            "kernels:",
            "[",
            "]",
            "{",
            "}",
            ", ",
            "- ",
            "#",
            "\"",
            "'",
            "&x ",
            "*x",
            "<<: ",
            "---\n",
            "...\n",
            "\t",
            "\r\n",
        ])
        .prop_map(str::to_string),
        token(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

#[test]
fn fuzz_spec_arbitrary_strings() {
    fuzz(
        "spec/arbitrary",
        cases("FUZZ_SPEC_CASES", 512),
        prop_oneof![
            any::<String>(),
            yamlish(),
            yamlish().prop_map(|s| format!("course: a\nexam: b\nlanguage: hr\nproblems:\n  - {s}")),
        ],
        |text| check_spec(&text),
    );
}

#[test]
fn fuzz_spec_mutations_of_2022() {
    fuzz(
        "spec/du1-2022 mutations",
        cases("FUZZ_SPEC_CASES", 512),
        mutated_spec("du1-2022.yaml", "du1-random.yaml"),
        |text| check_spec(&text),
    );
}

#[test]
fn fuzz_spec_mutations_of_random() {
    fuzz(
        "spec/du1-random mutations",
        cases("FUZZ_SPEC_CASES", 96),
        mutated_spec("du1-random.yaml", "du1-2022.yaml"),
        |text| check_spec(&text),
    );
}

// ---------------------------------------------------------------------------------------
// Class lists and file ids
// ---------------------------------------------------------------------------------------

const VALID_CSV: &[u8] = "\u{feff}ID,Name,email\r\n\
    0036512345,\"Kovačić, Ana \"\"A\"\"\",a@fer.hr\r\n\
    0036512346,Željko Đurić,\r\n\
    \"0036512347\",\"Šime\r\nČić\",x\r\n\
    ../etc/passwd,Ćiro Babić,c@fer.hr\r\n\
    a b,Đurđa,\r\n"
    .as_bytes();

fn check_class_list(bytes: &[u8]) -> Result<(), TestCaseError> {
    match class_list::parse(bytes, Path::new("class.csv")) {
        Ok(list) => {
            prop_assert!(!list.students.is_empty());
            let mut ids = HashMap::new();
            let mut files = HashMap::new();
            for s in list.students.iter() {
                prop_assert!(!s.id.is_empty(), "empty id accepted");
                prop_assert_eq!(s.id.trim(), s.id.as_str(), "id not trimmed");
                prop_assert!(!s.id.chars().any(char::is_control), "control char in id");
                prop_assert!(
                    ids.insert(s.id.clone(), ()).is_none(),
                    "id {:?} accepted twice",
                    s.id
                );
                if let Some(other) = files.insert(file_id(&s.id), s.id.clone()) {
                    prop_assert!(false, "ids {:?} and {:?} share a file", other, s.id);
                }
            }
            Ok(())
        }
        Err(e) => names_file_and_line(&e.to_string(), "class.csv"),
    }
}

/// Bytes a CSV is made of, with the BOM, CRLF, quotes, Croatian letters and invalid UTF-8.
fn csv_byte_soup() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        &b"id"[..],
        b"name",
        b"ID",
        b"Name",
        b",",
        b"\"",
        b"\"\"",
        b"\r\n",
        b"\n",
        b"\r",
        b" ",
        b"\t",
        b"\xEF\xBB\xBF",
        "č".as_bytes(),
        "Đ".as_bytes(),
        "ž".as_bytes(),
        b"\xFF",
        b"\xC4",
        b"\x00",
        b"0036512345",
        b"a",
        b"1",
        b"../",
        b"-",
        b".",
    ]);
    prop::collection::vec(piece, 0..60).prop_map(|p| p.concat())
}

#[derive(Clone, Debug)]
enum ByteEdit {
    Delete(Index, u8),
    Insert(Index, Vec<u8>),
    Flip(Index, u8),
    DuplicateLine(Index),
    SwapLines(Index, Index),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        (any::<Index>(), 1u8..8).prop_map(|(i, n)| ByteEdit::Delete(i, n)),
        (any::<Index>(), csv_byte_soup()).prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| ByteEdit::Flip(i, b)),
        any::<Index>().prop_map(ByteEdit::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| ByteEdit::SwapLines(a, b)),
    ]
}

fn apply_bytes(bytes: &mut Vec<u8>, edit: &ByteEdit) {
    let split_lines = |bytes: &[u8]| -> Vec<Vec<u8>> {
        bytes
            .split_inclusive(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect()
    };
    match edit {
        ByteEdit::Delete(i, n) if !bytes.is_empty() => {
            let at = i.index(bytes.len());
            let end = (at + usize::from(*n)).min(bytes.len());
            bytes.drain(at..end);
        }
        ByteEdit::Insert(i, b) => {
            let at = i.index(bytes.len() + 1);
            bytes.splice(at..at, b.iter().copied());
        }
        ByteEdit::Flip(i, b) if !bytes.is_empty() => {
            let at = i.index(bytes.len());
            bytes[at] = *b;
        }
        ByteEdit::DuplicateLine(i) if !bytes.is_empty() => {
            let mut lines = split_lines(bytes);
            let at = i.index(lines.len());
            lines.insert(at, lines[at].clone());
            *bytes = lines.concat();
        }
        ByteEdit::SwapLines(a, b) if !bytes.is_empty() => {
            let mut lines = split_lines(bytes);
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
            *bytes = lines.concat();
        }
        _ => {}
    }
}

#[test]
fn fuzz_class_list_arbitrary_bytes() {
    fuzz(
        "class_list/arbitrary",
        cases("FUZZ_CLASS_CASES", 1024),
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            csv_byte_soup(),
            csv_byte_soup().prop_map(|b| [&b"id,name\n"[..], &b].concat()),
        ],
        |bytes| check_class_list(&bytes),
    );
}

#[test]
fn fuzz_class_list_mutations() {
    fuzz(
        "class_list/mutations",
        cases("FUZZ_CLASS_CASES", 1024),
        prop::collection::vec(byte_edit(), 1..=5),
        |edits| {
            let mut bytes = VALID_CSV.to_vec();
            for e in &edits {
                apply_bytes(&mut bytes, e);
            }
            check_class_list(&bytes)
        },
    );
}

fn check_file_id(id: &str) -> Result<(), TestCaseError> {
    let f = file_id(id);
    prop_assert!(!f.is_empty(), "file_id({:?}) is empty", id);
    prop_assert!(
        !f.contains(['/', '\\']),
        "file_id({:?}) = {:?} has a separator",
        id,
        f
    );
    prop_assert!(
        !f.starts_with(['.', '-']),
        "file_id({:?}) = {:?} starts with . or -",
        id,
        f
    );
    Ok(())
}

/// Pairs of different ids that a careless `file_id` would merge: one character changed
/// into another unsafe one or into `_`, a long shared prefix, a case change. (An id next
/// to the file id of another does merge: see the `finding_` tests below.)
fn id_pair() -> impl Strategy<Value = (String, String)> {
    let unsafe_char = prop::sample::select(vec![
        ' ', '/', '\\', '_', '!', 'č', 'Đ', '\u{0}', '.', '-', ':', '*', '\u{202e}',
    ]);
    prop_oneof![
        (any::<String>(), any::<String>()),
        ("[a-z0-9_./ -]{0,12}", any::<Index>(), unsafe_char).prop_map(|(a, i, c)| {
            let mut chars: Vec<char> = a.chars().collect();
            if chars.is_empty() {
                return (a, c.to_string());
            }
            let at = i.index(chars.len());
            chars[at] = c;
            (a, chars.into_iter().collect())
        }),
        ("[a-z0-9]{60,70}", "[a-z0-9]{0,10}", "[a-z0-9]{0,10}")
            .prop_map(|(p, a, b)| (format!("{p}{a}"), format!("{p}{b}"))),
        "[a-zA-Z0-9]{1,12}".prop_map(|a| (a.clone(), a.to_uppercase())),
    ]
}

#[test]
fn fuzz_file_id_is_safe() {
    fuzz(
        "file_id/safe",
        cases("FUZZ_CLASS_CASES", 4096),
        prop_oneof![any::<String>(), "[./\\\\ a-z-]{0,80}"],
        |id| check_file_id(&id),
    );
}

#[test]
fn fuzz_file_id_is_injective() {
    fuzz(
        "file_id/pairs",
        cases("FUZZ_CLASS_CASES", 4096),
        id_pair(),
        |(a, b)| {
            check_file_id(&a)?;
            check_file_id(&b)?;
            if a != b {
                prop_assert_ne!(
                    file_id(&a),
                    file_id(&b),
                    "ids {:?} and {:?} share a file",
                    a,
                    b
                );
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------
// Variant codes
// ---------------------------------------------------------------------------------------

/// Crockford's alphabet, as the codes write it.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn valid_code() -> impl Strategy<Value = VariantCode> {
    (any::<u64>(), 0..=MAX_SEED, any::<u64>(), 0..=MAX_SALT)
        .prop_map(|(spec, seed, student, salt)| VariantCode::new(spec, seed, student, salt))
}

/// The 24 symbols of a code, dashes removed.
fn symbols(code: &VariantCode) -> Vec<char> {
    code.to_string().chars().filter(|&c| c != '-').collect()
}

#[test]
fn fuzz_code_parse_arbitrary_strings() {
    let code_like = prop::collection::vec(
        prop::sample::select(
            "0123456789ABCDEFGHJKMNPQRSTVWXYZabciloluIOU- \t!é\u{2013}\u{a0}\u{200b}\u{ff0d}\u{feff}ＡＢ１"
                .chars()
                .collect::<Vec<_>>(),
        ),
        0..30,
    )
    .prop_map(String::from_iter);
    fuzz(
        "code/arbitrary",
        cases("FUZZ_CODE_CASES", 4096),
        (prop_oneof![any::<String>(), code_like], any::<u64>()),
        |(text, spec)| {
            if let Ok(code) = VariantCode::parse(&text, spec) {
                // Whatever is accepted is the canonical code, up to Unicode compatibility
                // forms (NFKC), case, separators and the look-alikes i, l → 1 and o → 0.
                let typed: String = typed_symbols(&text)
                    .into_iter()
                    .map(|c| match c.to_ascii_uppercase() {
                        'I' | 'L' => '1',
                        'O' => '0',
                        c => c,
                    })
                    .collect();
                prop_assert_eq!(typed, symbols(&code).into_iter().collect::<String>());
                prop_assert_eq!(code.spec_hash, spec);
            }
            Ok(())
        },
    );
}

#[test]
fn fuzz_code_round_trips() {
    let noise = prop::collection::vec((any::<bool>(), 0u8..6), SYMBOLS);
    fuzz(
        "code/round trip",
        cases("FUZZ_CODE_CASES", 4096),
        (valid_code(), noise),
        |(code, noise)| {
            let text = code.to_string();
            prop_assert_eq!(text.len(), SYMBOLS + SYMBOLS / 4 - 1);
            prop_assert_eq!(VariantCode::parse(&text, code.spec_hash), Ok(code));
            // The same code as a person may type it: lower case, look-alikes, other
            // separators, invisible characters, full-width forms.
            let typed: String = symbols(&code)
                .into_iter()
                .zip(&noise)
                .map(|(c, &(lower, sep))| {
                    let c = match (c, sep) {
                        ('1', 1) => 'I',
                        ('1', 2) => 'l',
                        ('0', 1) => 'O',
                        _ => c,
                    };
                    let c = if lower { c.to_ascii_lowercase() } else { c };
                    let c = match (c, sep) {
                        (c, 5) => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap(),
                        _ => c,
                    };
                    let sep = ["", "-", " ", "\t", "\u{200B}", "\u{FF0D}"][usize::from(sep)];
                    format!("{sep}{c}")
                })
                .collect();
            prop_assert_eq!(VariantCode::parse(&typed, code.spec_hash), Ok(code));
            Ok(())
        },
    );
}

#[test]
fn fuzz_code_typos_are_rejected() {
    fuzz(
        "code/typos",
        cases("FUZZ_CODE_CASES", 4096),
        (valid_code(), 0..SYMBOLS, 1usize..32, 0..SYMBOLS - 1),
        |(code, at, shift, swap_at)| {
            let text = symbols(&code);
            // One symbol replaced by another symbol of the alphabet (any of the 24).
            let mut typo = text.clone();
            let old = ALPHABET
                .iter()
                .position(|&a| a as char == text[at])
                .unwrap();
            typo[at] = ALPHABET[(old + shift) % 32] as char;
            let typo: String = typo.into_iter().collect();
            prop_assert!(
                VariantCode::parse(&typo, code.spec_hash).is_err(),
                "substitution at {} accepted: {} for {}",
                at,
                typo,
                code
            );
            // Neighbours swapped (any of the 23 pairs, data and check symbols alike).
            if text[swap_at] != text[swap_at + 1] {
                let mut swapped = text.clone();
                swapped.swap(swap_at, swap_at + 1);
                let swapped: String = swapped.into_iter().collect();
                prop_assert!(
                    VariantCode::parse(&swapped, code.spec_hash).is_err(),
                    "swap at {} accepted: {} for {}",
                    swap_at,
                    swapped,
                    code
                );
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------
// Findings: contract violations the fuzzer found in src/, fixed and kept as regression
// tests.
// ---------------------------------------------------------------------------------------

/// `file_id` appends `-<8 hex digits>` to an id it had to change, but an id that already
/// has that form is kept as it is, so a class with the ids ` ` and `_-8601817f` writes
/// both students' sheets to `_-8601817f-exam.tex` (the second overwrites the first).
#[test]

fn finding_escaped_id_collides_with_a_literal_id() {
    for id in [" ", "a b", "../x", "Đurić", ".hidden"] {
        let escaped = file_id(id);
        assert_ne!(
            file_id(&escaped),
            escaped,
            "ids {id:?} and {escaped:?} share the file stem {escaped:?}"
        );
    }
}

/// Ids that differ only in characters `file_id` replaces are told apart by 32 bits of a
/// hash alone; this pair (found by a birthday search) collides.
#[test]

fn finding_file_id_hash_collision() {
    let (a, b) = ("!! !!! !   ! ! !!       ", "! !  !!  !! ! ! !!      ");
    assert_ne!(a, b);
    assert_ne!(
        file_id(a),
        file_id(b),
        "ids {a:?} and {b:?} share a file stem"
    );
}

/// A spec followed by a second YAML document (`---`, e.g. two specs pasted into one file)
/// is refused with `fuzz.yaml:0:0:`: serde_yaml gives no location for that error, and
/// `spec::syntax_error` falls back to line 0 instead of naming the line of the `---`.
#[test]

fn finding_second_yaml_document_has_line_0() {
    let text = "course: a\nexam: b\nlanguage: hr\nproblems:\n  - \n---\n";
    let message = examgen::exam::parse(text, Path::new("fuzz.yaml"))
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("fuzz.yaml:6:"),
        "expected the line of the second `---`: {message}"
    );
}

/// A spec whose file is `du1-2022.yaml` with one line changed.
fn spec_2022_with(old: &str, new: &str) -> String {
    let text = spec_text("du1-2022.yaml");
    assert!(text.contains(old), "{old:?} is in du1-2022.yaml");
    text.replace(old, new)
}

/// `stack.layers: 1000000000000` in du1-2022.yaml: `spec::parse` runs the feasibility
/// draw, `rnn_account::solve` calls `RecurrentStack::per_layer`, which collects one
/// `LayerParams` per layer: "memory allocation of 48000000000000 bytes failed" and the
/// process aborts (SIGABRT, exit 134). With 9223372036854775807 it panics instead
/// ("capacity overflow", exit 101). Nothing bounds `layers` (nor the sizes) above.
/// Run as a child process, because an abort would take the test binary down with it.
#[test]

fn finding_huge_rnn_stack_layers_crash() {
    let dir = super::common::Scratch::new("fuzz-huge-layers");
    for layers in ["1000000000000", "9223372036854775807"] {
        let path = dir.write(
            "huge.yaml",
            &spec_2022_with(
                "        layers: 2\n",
                &format!("        layers: {layers}\n"),
            ),
        );
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_examgen"))
            .args(["check", "--samples", "10", "--spec"])
            .arg(&path)
            .output()
            .expect("examgen runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "layers: {layers}: expected a spec error (exit 1), got {:?}:\n{stderr}",
            out.status
        );
        assert!(stderr.contains("huge.yaml:"), "{stderr}");
    }
}

/// `stack.hidden_size: 4294967296` in du1-2022.yaml: `RecurrentStack::per_layer`
/// computes `blocks * h * h`, which overflows usize: a panic ("attempt to multiply with
/// overflow", src/engine/param_count.rs) in a debug build, and in a release build a
/// wrapped, wrong parameter count accepted without an error.
#[test]

fn finding_huge_rnn_stack_hidden_size_overflows() {
    let text = spec_2022_with(
        "        hidden_size: 3\n",
        "        hidden_size: 4294967296\n",
    );
    let result = std::panic::catch_unwind(|| {
        examgen::exam::parse(&text, Path::new("fuzz.yaml")).map(|_| ())
    });
    match result {
        Err(_) => panic!("spec::parse panicked"),
        Ok(Ok(())) => panic!("accepted: the parameter count overflows usize"),
        Ok(Err(e)) => assert!(e.to_string().starts_with("fuzz.yaml:"), "{e}"),
    }
}

/// `coordinate_range: [-1, 4611686018427387904]` (2^62) in du1-random.yaml's
/// `retrieval_ap` (a fuzzer find): the half-integer grid draws
/// `int_in(rng, lo * 2, hi * 2)` (src/problems/retrieval_ap.rs, `coordinate`); `hi * 2`
/// overflows: in a release build it wraps and `draw::int_in` panics with "empty range
/// -2..=-9223372036854775808", in a debug build the multiplication panics. Backtrace:
/// `draw::int_in` ← `retrieval_ap::Sampler::candidate` ← `draw::draw_until` ←
/// `retrieval_ap::Sampler::draw` ← `Problem::draw_counted` ← `spec::parse`.
#[test]

fn finding_huge_coordinate_range_panics() {
    let text = spec_text("du1-random.yaml").replace(
        "coordinate_range: [-1, 4]",
        "coordinate_range: [-1, 4611686018427387904]",
    );
    let result = std::panic::catch_unwind(|| {
        examgen::exam::parse(&text, Path::new("fuzz.yaml")).map(|_| ())
    });
    match result {
        Err(_) => panic!("spec::parse panicked"),
        Ok(Ok(())) => {}
        Ok(Err(e)) => assert!(e.to_string().starts_with("fuzz.yaml:"), "{e}"),
    }
}
