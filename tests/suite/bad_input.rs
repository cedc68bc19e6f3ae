//! Bad input, as course staff produce it the night before an exam: broken specs, class
//! lists straight from a spreadsheet, mistyped variant codes, unusable output directories,
//! a missing or failing TeX, and a run killed halfway.
//!
//! Every rejected input must give exit code 1 (2 for clap's own usage errors), never a
//! panic, and a message starting `examgen: error:` that names the file, the line and the
//! field; the earlier output in the directory must stay byte for byte as it was, with no
//! new (temporary) files beside it. Inputs a spreadsheet writes must be accepted, and no
//! student id or name may escape the output directory or reach LaTeX unescaped.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use examgen::export::key_csv;
use serde_json::Value;

use super::common::{on_path, root, skip_or_fail, Scratch, HEADER};

// ---------------------------------------------------------------------------------------
// Running examgen and looking at what it left behind
// ---------------------------------------------------------------------------------------

fn examgen_cmd() -> Command {
    Command::new(env!("CARGO_BIN_EXE_examgen"))
}

fn run(args: &[String]) -> Output {
    examgen_cmd().args(args).output().expect("run examgen")
}

fn stderr_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn spec_2022() -> String {
    root().join("variants/du1-2022.yaml").display().to_string()
}

fn spec_random() -> String {
    root()
        .join("variants/du1-random.yaml")
        .display()
        .to_string()
}

/// What a directory holds: every entry below it (dot entries included, symlinks not
/// followed), by relative path; `None` for directories, the bytes for files.
type Tree = BTreeMap<PathBuf, Option<Vec<u8>>>;

fn tree(dir: &Path) -> Tree {
    fn walk(base: &Path, dir: &Path, out: &mut Tree) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.expect("read a directory entry");
            let path = entry.path();
            let rel = path.strip_prefix(base).unwrap().to_path_buf();
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                out.insert(rel, None);
                walk(base, &path, out);
            } else {
                out.insert(rel, Some(fs::read(&path).unwrap_or_default()));
            }
        }
    }
    let mut out = Tree::new();
    walk(dir, dir, &mut out);
    out
}

/// A readable difference between two trees ("" when equal).
fn tree_diff(before: &Tree, after: &Tree) -> String {
    let mut lines = Vec::new();
    for (path, old) in before {
        match after.get(path) {
            None => lines.push(format!("  removed: {}", path.display())),
            Some(new) if new != old => lines.push(format!("  changed: {}", path.display())),
            Some(_) => {}
        }
    }
    for path in after.keys() {
        if !before.contains_key(path) {
            lines.push(format!("  new: {}", path.display()));
        }
    }
    lines.join("\n")
}

/// examgen's bookkeeping at the top of an output directory: the manifest of the last
/// run, and the lock file a killed run leaves (the next run takes it over).
fn bookkeeping(name: &str) -> bool {
    name == ".examgen-manifest" || name == ".examgen.lock"
}

/// Earlier output of examgen (and the user's own notes) in `dir`: what a failing run
/// must leave exactly as it is.
fn earlier_output(dir: &Path) {
    fs::create_dir_all(dir.join(".build")).unwrap();
    for (name, text) in [
        ("exam.tex", "earlier exam\n\\end{document}\n"),
        ("solutions.tex", "earlier solutions\n\\end{document}\n"),
        ("key.json", "{\"earlier\": true}\n"),
        ("key.csv", "id,name,variant_code\r\n"),
        (
            "1-exam.tex",
            "earlier sheet of student 1\n\\end{document}\n",
        ),
        (
            "1-solutions.tex",
            "earlier solutions of student 1\n\\end{document}\n",
        ),
        ("notes.txt", "my own notes\n"),
        (".build/exam.log", "earlier log\n"),
    ] {
        fs::write(dir.join(name), text).unwrap();
    }
}

/// Whether a LaTeX document is complete: it ends with `\end{document}`. The final
/// newline is checked on its own (`written_tex_files_end_with_a_newline`), so that a
/// missing newline does not hide a truncated file here.
fn tex_complete(bytes: &[u8]) -> bool {
    bytes
        .strip_suffix(b"\n")
        .unwrap_or(bytes)
        .ends_with(b"\\end{document}")
}

/// Whether a file that examgen wrote is complete, judged by its kind; `None` when the
/// name says nothing about the kind.
fn complete(name: &str, bytes: &[u8]) -> Option<Result<(), String>> {
    if name.contains(".tex") {
        Some(if tex_complete(bytes) {
            Ok(())
        } else {
            Err(format!(
                "{name} does not end with \\end{{document}} ({} bytes)",
                bytes.len()
            ))
        })
    } else if name.contains("key.json") {
        Some(
            serde_json::from_slice::<Value>(bytes)
                .map(|_| ())
                .map_err(|e| format!("{name} is not JSON: {e}")),
        )
    } else if name.contains("key.csv") {
        Some(if bytes.ends_with(b"\n") {
            Ok(())
        } else {
            Err(format!("{name} does not end with a newline"))
        })
    } else {
        None
    }
}

/// The files at the top of an output directory that break the "no truncated file" rule:
/// every finished file must be complete; hidden (staging/temporary) entries may only be
/// directories or complete files.
fn truncated_files(dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return problems;
    };
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            if name == "figures" {
                // Shared figures: complete documents, like the sheets.
                problems.extend(truncated_files(&entry.path()));
            } else if !name.starts_with('.') {
                problems.push(format!("unexpected directory {name}"));
            }
            continue;
        }
        if bookkeeping(&name) {
            continue;
        }
        let bytes = fs::read(entry.path()).unwrap_or_default();
        match complete(&name, &bytes) {
            Some(Ok(())) => {}
            Some(Err(e)) => problems.push(e),
            None => problems.push(format!("unexpected file {name} ({} bytes)", bytes.len())),
        }
    }
    problems.sort();
    problems
}

// ---------------------------------------------------------------------------------------
// The table of rejected inputs
// ---------------------------------------------------------------------------------------

/// Where the case's `--out` points.
#[derive(Clone, Copy, PartialEq)]
enum Out {
    /// `{dir}/out` holds earlier output; `--force` is passed, so only the input can stop
    /// the run.
    EarlierForced,
    /// `{dir}/out` holds earlier output and no `--force` is passed.
    Earlier,
    /// No output directory is prepared (the arguments name their own).
    Own,
}

/// One rejected input. `{dir}` in files' names, arguments and expected text is the case's
/// scratch directory; `{out}` is `{dir}/out`; `vars` of the table add more.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<String>,
    out: Out,
    /// 1 for examgen's errors, 2 for clap's usage errors.
    code: i32,
    /// Substrings stderr must contain.
    expect: Vec<String>,
}

fn case(
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: &[&str],
    out: Out,
    expect: &[&str],
) -> Case {
    Case {
        name,
        files,
        args: args.iter().map(|s| s.to_string()).collect(),
        out,
        code: 1,
        expect: expect.iter().map(|s| s.to_string()).collect(),
    }
}

fn file(name: &'static str, bytes: impl Into<Vec<u8>>) -> (&'static str, Vec<u8>) {
    (name, bytes.into())
}

/// A spec made of [`HEADER`] (lines 1–4) and `problems`.
fn spec(problems: &str) -> (&'static str, Vec<u8>) {
    file("s.yaml", format!("{HEADER}{problems}"))
}

fn expand(text: &str, dir: &Path, vars: &[(&str, String)]) -> String {
    let mut text = text
        .replace("{out}", &dir.join("out").display().to_string())
        .replace("{dir}", &dir.display().to_string());
    for (k, v) in vars {
        text = text.replace(&format!("{{{k}}}"), v);
    }
    text
}

/// Runs one case; returns what is wrong with the outcome (empty when all is well).
fn check_case(group: &str, c: &Case, vars: &[(&str, String)]) -> Vec<String> {
    let dir = Scratch::new(&format!("bad-{group}-{}", c.name));
    for (name, bytes) in &c.files {
        fs::write(dir.path.join(name), bytes).unwrap();
    }
    let out = dir.join("out");
    if c.out != Out::Own {
        earlier_output(&out);
    }
    let mut args: Vec<String> = c.args.iter().map(|a| expand(a, &dir.path, vars)).collect();
    if c.out != Out::Own {
        args.extend(["--out".to_string(), out.display().to_string()]);
    }
    if c.out == Out::EarlierForced {
        args.push("--force".into());
    }
    let before = tree(&dir.path);
    let o = run(&args);
    let err = stderr_of(&o);
    let mut problems = Vec::new();
    if o.status.code() != Some(c.code) {
        problems.push(format!("exit code {:?}, want {}", o.status.code(), c.code));
    }
    if err.contains("panicked") {
        problems.push("examgen panicked".into());
    }
    let prefix = if c.code == 2 {
        "error: "
    } else {
        "examgen: error: "
    };
    if !err.starts_with(prefix) {
        problems.push(format!("stderr does not start with `{prefix}`"));
    }
    for want in &c.expect {
        let want = expand(want, &dir.path, vars);
        if !err.contains(&want) {
            problems.push(format!("stderr lacks `{want}`"));
        }
    }
    let diff = tree_diff(&before, &tree(&dir.path));
    if !diff.is_empty() {
        problems.push(format!(
            "the run changed the files beside it (earlier output must stay untouched):\n{diff}"
        ));
    }
    if problems.is_empty() {
        return problems;
    }
    vec![format!(
        "{group}/{}: examgen {}\n  {}\n  stderr: {}",
        c.name,
        args.join(" "),
        problems.join("\n  "),
        err.trim_end().replace('\n', "\n          ")
    )]
}

/// Runs a table; fails once, listing every case that went wrong.
fn check_table(group: &str, cases: &[Case], vars: &[(&str, String)]) {
    let failures: Vec<String> = cases
        .iter()
        .flat_map(|c| check_case(group, c, vars))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} {group} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Arguments of `generate` with the case's spec.
const GEN: &[&str] = &["generate", "--spec", "{dir}/s.yaml"];

#[test]
fn spec_errors_name_the_file_the_line_and_the_field() {
    use Out::*;
    let pinned_conv1d = "  - conv1d:
      x: [1, 2, 3, 4, 5]
      kernels: [[1, 0, -1], [0, 1, 0]]
      ln_base: 2
      W2: [[1, 0], [0, 1]]
      b2: [0, 0]
";
    let cases = vec![
        case(
            "yaml_syntax",
            vec![file(
                "s.yaml",
                "course: Test\nexam: Završni ispit: 2022\nlanguage: hr\nproblems: []\n",
            )],
            GEN,
            EarlierForced,
            &["{dir}/s.yaml:2:", "mapping values"],
        ),
        case(
            "yaml_tab_indent",
            vec![spec("\t- activation: {function: tanh}\n")],
            GEN,
            EarlierForced,
            &["{dir}/s.yaml:5:"],
        ),
        case(
            "wrong_type_string_for_number",
            vec![spec("  - activation:\n      function: softplus\n      n: four\n")],
            GEN,
            EarlierForced,
            &[
                "{dir}/s.yaml:7:",
                "problems[0].activation.n",
                "invalid type",
            ],
        ),
        case(
            "wrong_type_in_a_draw_knob",
            vec![spec("  - conv1d:\n      draw:\n        kernel_count: many\n")],
            GEN,
            EarlierForced,
            &["{dir}/s.yaml:7:", "problems[0].conv1d.draw.kernel_count"],
        ),
        case(
            "unknown_top_level_field",
            vec![file(
                "s.yaml",
                "course: Test\nexam: Test exam\nlanguage: hr\nseed: 3\nproblems:\n  - activation: {function: tanh}\n",
            )],
            GEN,
            EarlierForced,
            &["{dir}/s.yaml:4:", "unknown field `seed`"],
        ),
        case(
            "unknown_field_in_a_problem",
            vec![spec(
                "  - activation:\n      function: softplus\n      learning_rate: 3\n",
            )],
            GEN,
            EarlierForced,
            &["{dir}/s.yaml:7:", "problems[0].activation", "learning_rate"],
        ),
        case(
            "unknown_problem_kind",
            vec![spec("  - softmax_thing:\n      n: 4\n")],
            GEN,
            EarlierForced,
            &[
                "{dir}/s.yaml:5:",
                "softmax_thing",
                "batchnorm_mlp",
                "rnn_account",
            ],
        ),
        case(
            "empty_problem_list",
            vec![file(
                "s.yaml",
                HEADER.replace("problems:\n", "problems: []\n"),
            )],
            GEN,
            EarlierForced,
            &["{dir}/s.yaml:4: problems:", "no problems"],
        ),
        case(
            "range_min_above_max",
            vec![spec("  - conv1d:\n      draw: {x_range: [3, -1]}\n")],
            GEN,
            EarlierForced,
            &[
                "{dir}/s.yaml:6: problems[0].conv1d.draw.x_range:",
                "min 3 is greater than max -1",
            ],
        ),
        case(
            "impossible_ranges_retrieval_ap_check",
            vec![spec("  - retrieval_ap:\n      draw: {coordinate_range: [0, 0]}\n")],
            &["check", "--spec", "{dir}/s.yaml"],
            Own,
            &[
                "{dir}/s.yaml:6: problems[0].retrieval_ap.draw:",
                "constraint `distinct_distances`",
                "change the ranges (narrower ranges often help) or pin fewer parameters",
            ],
        ),
        case(
            "impossible_ranges_batchnorm_mlp",
            vec![spec(
                "  - batchnorm_mlp:\n      draw: {sigmas: [1], x_range: [0, 0]}\n",
            )],
            GEN,
            EarlierForced,
            &[
                "{dir}/s.yaml:6: problems[0].batchnorm_mlp.draw:",
                "constraint `sigma_in_set`",
            ],
        ),
        case(
            "impossible_ranges_rnn_account",
            vec![spec(
                "  - rnn_account:\n      draw: {require_minus: true, withdrawal_range: [0, 0]}\n",
            )],
            GEN,
            EarlierForced,
            &[
                "{dir}/s.yaml:6: problems[0].rnn_account.draw:",
                "constraint `reaches_minus`",
            ],
        ),
        case(
            "knob_value_out_of_its_range",
            vec![spec("  - batchnorm_mlp:\n      draw: {sigmas: [7]}\n")],
            GEN,
            EarlierForced,
            &[
                "{dir}/s.yaml:6: problems[0].batchnorm_mlp.draw.sigmas[0]:",
                "1 to 6",
            ],
        ),
        case(
            "pinned_value_breaks_a_constraint",
            vec![spec(&format!("{pinned_conv1d}      y: 0\n"))],
            GEN,
            EarlierForced,
            &[
                "{dir}/s.yaml:5: problems[0].conv1d:",
                "pinned",
                "constraint `no_dead_feature_map`",
            ],
        ),
        case(
            "missing_required_problem_field",
            vec![spec(pinned_conv1d)],
            GEN,
            EarlierForced,
            &["{dir}/s.yaml:5: problems[0].conv1d.y:", "missing"],
        ),
        case(
            "missing_required_top_level_field",
            vec![file("s.yaml", "course: Test\nexam: Test exam\nlanguage: hr\n")],
            GEN,
            EarlierForced,
            &["{dir}/s.yaml:1:", "missing field `problems`"],
        ),
        case(
            "spec_does_not_exist",
            vec![],
            &["generate", "--spec", "{dir}/nope.yaml"],
            EarlierForced,
            &["{dir}/nope.yaml: cannot read the file"],
        ),
        case(
            "spec_is_not_utf8",
            // Latin-2 "Završni" (0xB9 is š there): line 2.
            vec![file(
                "s.yaml",
                b"course: Test\nexam: Zavr\xB9ni ispit\nlanguage: hr\nproblems:\n  - activation: {function: tanh}\n".to_vec(),
            )],
            GEN,
            EarlierForced,
            &["{dir}/s.yaml:2:", "UTF-8"],
        ),
    ];
    check_table("spec", &cases, &[]);
}

#[test]
fn class_list_errors_name_the_file_the_line_and_the_column() {
    use Out::*;
    let gen = &[
        "generate",
        "--spec",
        "{spec}",
        "--students",
        "{dir}/class.csv",
    ];
    let csv = |bytes: &[u8]| vec![file("class.csv", bytes.to_vec())];
    let cases = vec![
        case(
            "empty_file",
            csv(b""),
            gen,
            EarlierForced,
            &["{dir}/class.csv:1:", "empty", "`id`", "`name`"],
        ),
        case(
            "only_a_bom_and_blank_lines",
            csv(b"\xEF\xBB\xBF\r\n\r\n"),
            gen,
            EarlierForced,
            &["{dir}/class.csv:1:", "header"],
        ),
        case(
            "no_id_column",
            csv(b"JMBAG,name\n0036512345,Ana\n"),
            gen,
            EarlierForced,
            &["{dir}/class.csv:1:", "no `id` column", "jmbag"],
        ),
        case(
            "no_name_column",
            csv(b"id,ime\n0036512345,Ana\n"),
            gen,
            EarlierForced,
            &["{dir}/class.csv:1:", "no `name` column"],
        ),
        case(
            "duplicate_ids",
            csv(b"id,name\n1,Ana\n2,Ivo\n1,Eva\n"),
            gen,
            EarlierForced,
            &["{dir}/class.csv:4:", "the id `1` is already used on line 2"],
        ),
        case(
            "duplicate_ids_bom_crlf",
            csv(b"\xEF\xBB\xBFid,name\r\n7,Ana\r\n7,Ivo\r\n"),
            gen,
            EarlierForced,
            &["{dir}/class.csv:3:", "already used on line 2"],
        ),
        case(
            "empty_id",
            csv(b"id,name\n1,Ana\n,Ivo\n"),
            gen,
            EarlierForced,
            &["{dir}/class.csv:3:", "`id` is empty"],
        ),
        case(
            "blank_id",
            csv(b"id,name\n1,Ana\n\"   \",Ivo\n"),
            gen,
            EarlierForced,
            &["{dir}/class.csv:3:", "`id` is empty"],
        ),
        case(
            "name_not_utf8",
            // "Kovačić" saved as Windows-1250 (0xE8 is č there).
            csv(b"id,name\n1,Ana\n2,Kova\xE8i\xE6\n"),
            gen,
            EarlierForced,
            &["{dir}/class.csv:3:", "`name`", "not UTF-8"],
        ),
        case(
            "header_not_utf8",
            csv(b"id,pr\xE9zime,name\n1,X,Ana\n"),
            gen,
            EarlierForced,
            &["{dir}/class.csv:1:", "not UTF-8"],
        ),
        case(
            "header_but_no_rows",
            csv(b"id,name\r\n"),
            gen,
            EarlierForced,
            &["{dir}/class.csv:2:", "no students"],
        ),
        case(
            "unterminated_quote",
            csv(b"id,name\n1,\"Kova\xC4\x8Di\xC4\x87, Ana\n2,Ivo\n"),
            gen,
            EarlierForced,
            &["{dir}/class.csv:2:", "quote"],
        ),
        case(
            "class_list_does_not_exist",
            vec![],
            gen,
            EarlierForced,
            &["{dir}/class.csv: cannot read the file"],
        ),
    ];
    check_table("class", &cases, &[("spec", spec_2022())]);
}

/// Symbols of a code without dashes.
fn symbols(code: &str) -> Vec<char> {
    code.chars().filter(|&c| c != '-').collect()
}

/// `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX` from 24 symbols.
fn dashed(symbols: &[char]) -> String {
    symbols
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#[test]
fn mistyped_and_foreign_variant_codes_are_rejected() {
    use Out::*;
    let fixture = Scratch::new("bad-codes-fixture");
    let class = fixture.write(
        "class.csv",
        "id,name\n0036510001,Ana Kovačić\n0036510002,Ivo Horvat\n0036510003,Šime Jurić\n",
    );
    let stranger = fixture.write("stranger.csv", "id,name\n0036599999,Nobody Else\n");
    let class_code = |csv: &Path, seed: &str, out: &str| -> String {
        let out = fixture.join(out);
        let o = run(&[
            "generate".into(),
            "--spec".into(),
            spec_random(),
            "--students".into(),
            csv.display().to_string(),
            "--seed".into(),
            seed.into(),
            "--out".into(),
            out.display().to_string(),
        ]);
        assert!(o.status.success(), "fixture run: {}", stderr_of(&o));
        let key: Value = serde_json::from_slice(&fs::read(out.join("key.json")).unwrap()).unwrap();
        key["students"][0]["variant_code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let code = class_code(&class, "3", "class-run");
    let foreign = class_code(&stranger, "5", "stranger-run");

    let good = symbols(&code);
    assert_eq!(good.len(), 24, "{code}");
    let mut bad_check = good.clone();
    bad_check[23] = ALPHABET
        .chars()
        .find(|&c| c != good[23])
        .expect("another symbol");
    let swap_at = (6..20)
        .find(|&i| good[i] != good[i + 1])
        .expect("two different neighbours");
    let mut swapped = good.clone();
    swapped.swap(swap_at, swap_at + 1);
    let mut outside = good.clone();
    outside[5] = 'U';

    let regen = |code: &'static str| -> Vec<&'static str> {
        vec!["regenerate", "--spec", "{random}", code]
    };
    let cases = vec![
        case(
            "too_short",
            vec![],
            &regen("{short}"),
            EarlierForced,
            &["variant code `{short}`", "24 symbols", "has 10"],
        ),
        case(
            "too_long",
            vec![],
            &regen("{long}"),
            EarlierForced,
            &["variant code `{long}`", "24 symbols", "has 25"],
        ),
        case(
            "empty",
            vec![],
            &regen(""),
            EarlierForced,
            &["24 symbols", "has 0"],
        ),
        case(
            "wrong_check_symbol",
            vec![],
            &regen("{bad_check}"),
            EarlierForced,
            &["variant code `{bad_check}`", "check symbols do not match"],
        ),
        case(
            "swapped_neighbours",
            vec![],
            &regen("{swapped}"),
            EarlierForced,
            &["variant code `{swapped}`", "check symbols do not match"],
        ),
        case(
            "symbol_outside_the_alphabet",
            vec![],
            &regen("{outside}"),
            EarlierForced,
            &["`U` is not a symbol of a variant code"],
        ),
        case(
            "code_of_another_spec",
            vec![],
            &["regenerate", "--spec", "{spec2022}", "{code}"],
            EarlierForced,
            &["variant code `{code}`", "another spec"],
        ),
        case(
            "code_of_another_seed_and_class",
            vec![],
            &[
                "regenerate",
                "--spec",
                "{random}",
                "{foreign}",
                "--students",
                "{class}",
            ],
            EarlierForced,
            &["variant code `{foreign}`", "no student of {class}"],
        ),
    ];
    let vars = [
        ("random", spec_random()),
        ("spec2022", spec_2022()),
        ("class", class.display().to_string()),
        ("code", code.clone()),
        ("foreign", foreign),
        ("short", code[..12].to_string()),
        ("long", format!("{code}7")),
        ("bad_check", dashed(&bad_check)),
        ("swapped", dashed(&swapped)),
        ("outside", dashed(&outside)),
    ];
    check_table("code", &cases, &vars);
}

#[test]
fn unusable_output_and_options_are_refused() {
    use Out::*;
    let single = &["generate", "--spec", "{spec}"];
    let cases = vec![
        case(
            "existing_directory_without_force",
            vec![],
            single,
            Earlier,
            &["{out} already exists and is not empty", "--force"],
        ),
        case(
            "class_run_into_existing_directory_without_force",
            vec![file("class.csv", "id,name\n1,Ana\n")],
            &[
                "generate",
                "--spec",
                "{spec}",
                "--students",
                "{dir}/class.csv",
            ],
            Earlier,
            &["{out} already exists", "--force"],
        ),
        case(
            "out_under_a_regular_file",
            vec![file("plain.txt", "a file, not a directory\n")],
            &[
                "generate",
                "--spec",
                "{spec}",
                "--out",
                "{dir}/plain.txt/out",
            ],
            Own,
            &["{dir}/plain.txt", "cannot write"],
        ),
        case(
            "out_is_a_regular_file",
            vec![file("plain.txt", "a file, not a directory\n")],
            &["generate", "--spec", "{spec}", "--out", "{dir}/plain.txt"],
            Own,
            &["{dir}/plain.txt", "cannot write"],
        ),
        case(
            "seed_too_large",
            vec![],
            &["generate", "--spec", "{spec}", "--seed", "1048576"],
            EarlierForced,
            &["--seed 1048576 is too large", "0 to 1048575"],
        ),
        case(
            "count_zero",
            vec![],
            &["generate", "--spec", "{spec}", "--count", "0"],
            EarlierForced,
            &["--count must be at least 1"],
        ),
        case(
            "jobs_zero",
            vec![],
            &["generate", "--spec", "{spec}", "--jobs", "0"],
            EarlierForced,
            &["--jobs must be at least 1"],
        ),
        Case {
            code: 2,
            ..case(
                "students_and_count_together",
                vec![file("class.csv", "id,name\n1,Ana\n")],
                &[
                    "generate",
                    "--spec",
                    "{spec}",
                    "--students",
                    "{dir}/class.csv",
                    "--count",
                    "3",
                ],
                EarlierForced,
                &["--count", "--students", "cannot be used with"],
            )
        },
        Case {
            code: 2,
            ..case(
                "seed_beyond_u64",
                vec![],
                &[
                    "generate",
                    "--spec",
                    "{spec}",
                    "--seed",
                    "99999999999999999999999",
                ],
                EarlierForced,
                &["--seed", "99999999999999999999999"],
            )
        },
        Case {
            code: 2,
            ..case(
                "negative_count",
                vec![],
                &["generate", "--spec", "{spec}", "--count=-1"],
                EarlierForced,
                &["--count", "-1"],
            )
        },
    ];
    check_table("output", &cases, &[("spec", spec_2022())]);
}

// ---------------------------------------------------------------------------------------
// Class lists that must be accepted
// ---------------------------------------------------------------------------------------

/// Ids that must never name a path: (id, name) pairs as a spreadsheet would hold them.
fn awkward_students(escape: &str) -> Vec<(String, String)> {
    // The longest name a class list may hold, no trailing blank (the reader trims fields).
    let limit = examgen::class_list::MAX_NAME_CHARS;
    let mut long_name: String = "Ćiro Šimunović-Đurđević "
        .repeat(30)
        .chars()
        .take(limit - 1)
        .collect();
    long_name.push('x');
    assert_eq!(long_name.chars().count(), limit);
    vec![
        ("0036512345", "Kovačić, Ana \"Anči\""),
        ("0036512346", "čćđšž ČĆĐŠŽ Željko Đurić"),
        ("a/b", "Ivo Horvat"),
        ("..", "Dot Dot"),
        (".hidden", "Hidden File"),
        ("../x", "Parent Path"),
        (escape, "Escape Attempt"),
        ("a b", "With Space"),
        ("-rf", "Leading Dash"),
        ("C:\\x", "Backslash Id"),
        ("latex", "& % $ # _ { } ~ ^ \\"),
        (
            "inj",
            "\\input{/etc/passwd} \\write18{touch /tmp/pwned} \\catcode`\\@=11",
        ),
        ("long", long_name.as_str()),
    ]
    .into_iter()
    .map(|(i, n)| (i.to_string(), n.to_string()))
    .collect()
}

/// One CSV field as a spreadsheet quotes it.
fn quoted(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[test]
fn spreadsheet_class_lists_with_awkward_ids_and_names_are_accepted_safely() {
    let dir = Scratch::new("bad-accepted");
    // The output directory is nested so that "beside it" and "its parent" are both
    // inside the scratch directory; one id tries to climb up to the temp directory.
    let work = dir.join("work");
    fs::create_dir_all(&work).unwrap();
    let escape_name = format!("examgen-escape-{}", std::process::id());
    let escape = format!("../../../{escape_name}");
    let students = awkward_students(&escape);

    // As Excel/LibreOffice save it: BOM, CRLF, quoted fields, an extra column; and the
    // same list with LF and no BOM.
    let mut crlf = String::from("\u{feff}id,name,email\r\n");
    let mut lf = String::from("name,id\n");
    for (k, (id, name)) in students.iter().enumerate() {
        crlf.push_str(&format!("{},{},s{k}@fer.hr\r\n", quoted(id), quoted(name)));
        lf.push_str(&format!("{},{}\n", quoted(name), quoted(id)));
    }
    let lists = [
        ("crlf-bom", dir.write("class-crlf.csv", &crlf)),
        ("lf", dir.write("class-lf.csv", &lf)),
    ];
    let temp_escape: Vec<PathBuf> = ["-exam.tex", "-solutions.tex"]
        .iter()
        .map(|s| std::env::temp_dir().join(format!("{escape_name}{s}")))
        .collect();

    let mut keys = Vec::new();
    for (label, csv) in &lists {
        let out = work.join(format!("out-{label}"));
        let beside_before = tree(&dir.path);
        let o = run(&[
            "generate".into(),
            "--spec".into(),
            spec_2022(),
            "--students".into(),
            csv.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ]);
        let err = stderr_of(&o);
        assert_eq!(o.status.code(), Some(0), "{label}: {err}");
        assert!(!err.contains("panicked"), "{err}");

        // Nothing new anywhere but inside the output directory.
        let mut beside_after = tree(&dir.path);
        beside_after.retain(|p, _| !p.starts_with(out.strip_prefix(&dir.path).unwrap()));
        assert_eq!(
            tree_diff(&beside_before, &beside_after),
            "",
            "{label}: files appeared outside the output directory"
        );
        for path in &temp_escape {
            assert!(!path.exists(), "{label}: {} was written", path.display());
        }

        // Only files, with safe names, two per student plus the keys.
        // Shared figures live in figures/ (checked like the sheets by the other tests).
        let mut inside = tree(&out);
        inside.retain(|p, _| !p.starts_with("figures") && !bookkeeping(&p.to_string_lossy()));
        let mut tex = 0;
        for (path, bytes) in &inside {
            let name = path.to_string_lossy();
            assert!(
                bytes.is_some(),
                "{label}: unexpected directory {name} in the output"
            );
            assert!(
                path.components().count() == 1
                    && !name.starts_with(['.', '-'])
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
                "{label}: unsafe file name {name:?}"
            );
            if name.ends_with(".tex") {
                tex += 1;
                let text = String::from_utf8(bytes.clone().unwrap()).unwrap();
                assert!(tex_complete(text.as_bytes()), "{name} is incomplete");
                for raw in ["\\input{/etc/passwd}", "\\write18{", "\\catcode`"] {
                    assert!(
                        !text.contains(raw),
                        "{label}: {name} holds the name's `{raw}` unescaped"
                    );
                }
            }
        }
        assert_eq!(tex, 2 * students.len(), "{label}: {:?}", inside.keys());
        assert_eq!(inside.len(), 2 * students.len() + 2, "{:?}", inside.keys());

        // key.json and key.csv keep the ids and names exactly, in class-list order.
        let key: Value = serde_json::from_slice(&fs::read(out.join("key.json")).unwrap())
            .expect("key.json is JSON");
        let listed: Vec<(String, String)> = key["students"]
            .as_array()
            .expect("a students list")
            .iter()
            .map(|s| {
                (
                    s["id"].as_str().unwrap().to_string(),
                    s["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            listed, students,
            "{label}: key.json changed an id or a name"
        );
        let mut reader = csv::Reader::from_path(out.join("key.csv")).expect("key.csv");
        let rows: Vec<(String, String)> = reader
            .records()
            .map(|r| {
                let r = r.expect("key.csv is CSV");
                (r[0].to_string(), r[1].to_string())
            })
            .collect();
        // Except that a cell a spreadsheet would run as a formula starts with `'`.
        let guarded: Vec<(String, String)> = students
            .iter()
            .map(|(id, name)| {
                (
                    key_csv::cell(id).into_owned(),
                    key_csv::cell(name).into_owned(),
                )
            })
            .collect();
        assert_eq!(rows, guarded, "{label}: key.csv changed an id or a name");
        keys.push(key);
    }
    assert_eq!(
        keys[0], keys[1],
        "the same class saved two ways gives the same key"
    );

    // `regenerate` names its files the same safe way, inside its own --out.
    let (class_out, csv) = (work.join("out-crlf-bom"), &lists[0].1);
    for (k, (id, _)) in students.iter().enumerate() {
        if !matches!(id.as_str(), "a/b" | ".." | "../x" | "-rf") && id != &escape {
            continue;
        }
        let code = keys[0]["students"][k]["variant_code"].as_str().unwrap();
        let re = work.join(format!("re-{k}"));
        let beside_before = tree(&dir.path);
        let o = run(&[
            "regenerate".into(),
            "--spec".into(),
            spec_2022(),
            code.into(),
            "--students".into(),
            csv.display().to_string(),
            "--out".into(),
            re.display().to_string(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "regenerate {id}: {}",
            stderr_of(&o)
        );
        let mut beside_after = tree(&dir.path);
        beside_after.retain(|p, _| !p.starts_with(re.strip_prefix(&dir.path).unwrap()));
        assert_eq!(
            tree_diff(&beside_before, &beside_after),
            "",
            "regenerate {id}: files appeared outside its output directory"
        );
        let mut inside = tree(&re);
        inside.retain(|p, _| !p.starts_with("figures") && !bookkeeping(&p.to_string_lossy()));
        assert_eq!(inside.len(), 2, "regenerate {id}: {:?}", inside.keys());
        for (path, bytes) in inside {
            assert_eq!(
                bytes,
                Some(fs::read(class_out.join(&path)).unwrap_or_default()),
                "regenerate {id}: {} differs from the class run's",
                path.display()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// PDFs: names print literally, a missing or failing TeX is reported
// ---------------------------------------------------------------------------------------

#[test]
fn latex_injection_in_names_prints_literally_in_the_pdf() {
    const TEST: &str = "bad_input::latex_injection_in_names_prints_literally_in_the_pdf";
    for tool in ["latexmk", "pdflatex", "pdftotext"] {
        if !on_path(tool) {
            skip_or_fail(TEST, &format!("{tool} is not on PATH"));
            return;
        }
    }
    let pwned = Path::new("/tmp/pwned");
    let pwned_before = pwned.exists();
    if pwned_before {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"note: /tmp/pwned exists already; its absence cannot be checked\n",
        );
    }
    let dir = Scratch::new("bad-injection-pdf");
    let injected = "\\input{/etc/passwd} \\write18{touch /tmp/pwned} \\catcode`\\@=11";
    let specials = "& % $ # _ { } ~ ^ \\";
    let csv = dir.write(
        "class.csv",
        &format!(
            "id,name\ninj,{}\nspecial,{} end\n",
            quoted(injected),
            quoted(specials)
        ),
    );
    let out = dir.join("out");
    let o = run(&[
        "generate".into(),
        "--spec".into(),
        spec_2022(),
        "--students".into(),
        csv.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "--pdf".into(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr_of(&o));
    if !pwned_before {
        assert!(
            !pwned.exists(),
            "LaTeX ran \\write18: /tmp/pwned was created"
        );
    }
    let text = |pdf: &str| -> String {
        let path = out.join(pdf);
        assert!(path.exists(), "{pdf} was not made");
        let o = Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("run pdftotext");
        assert!(o.status.success(), "pdftotext {pdf}: {}", stderr_of(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    for sheet in ["exam", "solutions"] {
        let inj = text(&format!("inj-{sheet}.pdf"));
        for raw in [
            "\\input{/etc/passwd}",
            "\\write18{touch /tmp/pwned}",
            "\\catcode`\\@=11",
            injected,
        ] {
            assert!(
                inj.contains(raw),
                "inj-{sheet}.pdf does not show `{raw}`:\n{inj}"
            );
        }
        assert!(
            !inj.contains("root:x:0:0"),
            "inj-{sheet}.pdf shows /etc/passwd"
        );
        let special = text(&format!("special-{sheet}.pdf"));
        for raw in ["& % $ # _", "{ }", "~ ^ \\", &format!("{specials} end")] {
            assert!(
                special.contains(raw),
                "special-{sheet}.pdf does not show `{raw}`:\n{special}"
            );
        }
    }
}

/// A finished `.tex` is a text file: `\end{document}` and a final newline, so that a
/// complete file can be told from one cut off after `\end{document}` or in its last line.
#[test]
fn written_tex_files_end_with_a_newline() {
    let dir = Scratch::new("bad-final-newline");
    let out = dir.join("out");
    let o = run(&[
        "generate".into(),
        "--spec".into(),
        spec_2022(),
        "--out".into(),
        out.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr_of(&o));
    for name in ["exam.tex", "solutions.tex"] {
        let bytes = fs::read(out.join(name)).unwrap();
        let tail = String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(20)..]).into_owned();
        assert!(
            bytes.ends_with(b"\\end{document}\n"),
            "{name} ends with {tail:?}, not with \\end{{document}} and a newline"
        );
    }
}

/// A directory with nothing in it, to stand in for a PATH without TeX.
fn empty_path_dir(dir: &Scratch) -> PathBuf {
    let bin = dir.join("empty-bin");
    fs::create_dir_all(&bin).unwrap();
    bin
}

#[test]
fn pdf_without_tex_writes_the_tex_files_and_names_the_packages() {
    let dir = Scratch::new("bad-no-tex");
    let out = dir.join("out");
    let o = examgen_cmd()
        .args(["generate", "--spec", &spec_2022(), "--pdf", "--out"])
        .arg(&out)
        .env("PATH", empty_path_dir(&dir))
        .output()
        .expect("run examgen");
    let err = stderr_of(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.starts_with("examgen: error: "), "{err}");
    assert!(err.contains("latexmk"), "{err}");
    let packages = examgen::export::pdf::TEX_PACKAGES;
    assert!(packages.contains("texlive-latex-base"), "{packages}");
    for package in packages.split_whitespace() {
        assert!(err.contains(package), "the message lacks {package}:\n{err}");
    }
    for name in ["exam.tex", "solutions.tex"] {
        let bytes = fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(tex_complete(&bytes), "{name} is incomplete");
    }
    serde_json::from_slice::<Value>(&fs::read(out.join("key.json")).unwrap())
        .expect("key.json is written and complete");
    for (path, content) in tree(&out) {
        let name = path.to_string_lossy();
        assert!(!name.ends_with(".pdf"), "a PDF without TeX: {name}");
        assert!(
            !name.starts_with('.') || (name == ".build" && content.is_none()) || bookkeeping(&name),
            "a temporary entry was left behind: {name}"
        );
    }
}

#[test]
fn a_latex_failure_shows_its_first_error_and_keeps_the_tex() {
    let dir = Scratch::new("bad-tex-fails");
    let bin = dir.join("fake-bin");
    fs::create_dir_all(&bin).unwrap();
    // latexmk as examgen calls it: in the directory of the .tex, `-outdir=DIR`, the .tex
    // last. It leaves a log with a LaTeX error and fails.
    let script = r#"#!/bin/sh
outdir=.
for a in "$@"; do
  case "$a" in
    -outdir=*) outdir="${a#-outdir=}" ;;
  esac
  last="$a"
done
stem="${last%.tex}"
mkdir -p "$outdir"
printf 'This is pdfTeX, Version 3.141592653\n(./%s.tex\n! Undefined control sequence.\n<recently read> \\foo \n\nl.42 \\foo\n\n?\n! Emergency stop.\n' "$stem" > "$outdir/$stem.log"
exit 12
"#;
    let latexmk = bin.join("latexmk");
    fs::write(&latexmk, script).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&latexmk, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let out = dir.join("out");
    let o = examgen_cmd()
        .args(["generate", "--spec", &spec_2022(), "--pdf", "--out"])
        .arg(&out)
        .env("PATH", path)
        .output()
        .expect("run examgen");
    let err = stderr_of(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.starts_with("examgen: error: "), "{err}");
    for want in [
        "exam.tex",
        "! Undefined control sequence.",
        "l.42 \\foo",
        "kept",
    ] {
        assert!(err.contains(want), "the message lacks `{want}`:\n{err}");
    }
    assert!(
        !err.contains("Emergency stop"),
        "the first error, not a later one:\n{err}"
    );
    for name in ["exam.tex", "solutions.tex"] {
        let bytes = fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name} is kept: {e}"));
        assert!(tex_complete(&bytes), "{name} is incomplete");
        let pdf = out.join(name.replace(".tex", ".pdf"));
        assert!(!pdf.exists(), "{} was made by a failed run", pdf.display());
    }
}

// ---------------------------------------------------------------------------------------
// A run killed halfway
// ---------------------------------------------------------------------------------------

fn class_400(dir: &Scratch) -> PathBuf {
    let mut text = String::from("id,name\n");
    for k in 0..400 {
        text.push_str(&format!(
            "00365{:05},Student {k} Kovačić\n",
            10_000 + 37 * k
        ));
    }
    dir.write("class.csv", &text)
}

enum Kill {
    After(Duration),
    /// As soon as the output directory holds this many `.tex` files (or after a timeout).
    WhenWritten(usize),
}

#[test]
fn a_killed_run_leaves_no_truncated_file_and_a_rerun_succeeds() {
    let dir = Scratch::new("bad-killed");
    let csv = class_400(&dir);
    let out = dir.join("out");
    let args = |force: bool| -> Vec<String> {
        let mut a = vec![
            "generate".to_string(),
            "--spec".into(),
            spec_random(),
            "--students".into(),
            csv.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ];
        if force {
            a.push("--force".into());
        }
        a
    };
    let tex_count = |dir: &Path| -> usize {
        fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".tex"))
                .count()
        })
    };
    let mut report = Vec::new();
    for (attempt, kill) in [
        Kill::After(Duration::from_millis(150)),
        Kill::After(Duration::from_millis(600)),
        Kill::WhenWritten(2),
    ]
    .into_iter()
    .enumerate()
    {
        let mut child = examgen_cmd()
            .args(args(true))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start examgen");
        let start = Instant::now();
        match kill {
            Kill::After(delay) => std::thread::sleep(delay),
            Kill::WhenWritten(n) => {
                while tex_count(&out) < n
                    && start.elapsed() < Duration::from_secs(120)
                    && child.try_wait().unwrap().is_none()
                {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let _ = child.wait();
        report.push(format!(
            "attempt {attempt}: killed after {:?}{}, {} .tex files in place",
            start.elapsed(),
            if finished {
                " (had already finished)"
            } else {
                ""
            },
            tex_count(&out)
        ));
        let problems = truncated_files(&out);
        assert!(
            problems.is_empty(),
            "after attempt {attempt} ({}) the output directory holds truncated files:\n  {}",
            report.last().unwrap(),
            problems.join("\n  ")
        );
    }
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("killed runs: {}\n", report.join("; ")).as_bytes(),
    );

    let o = run(&args(true));
    assert_eq!(o.status.code(), Some(0), "{}", stderr_of(&o));
    assert_eq!(tex_count(&out), 800);
    let problems = truncated_files(&out);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let key: Value = serde_json::from_slice(&fs::read(out.join("key.json")).unwrap()).unwrap();
    assert_eq!(key["students"].as_array().map(Vec::len), Some(400));
}

/// Writes `problems` under [`HEADER`] as `spec.yaml` in `dir`.
fn spec_file(dir: &Scratch, problems: &str) -> PathBuf {
    let path = dir.join("spec.yaml");
    fs::write(&path, format!("{HEADER}{problems}")).unwrap();
    path
}

/// The reviewer's spec: `check` passed it, and a class of 300 failed halfway with
/// "updated b1[1] = -0.000166… is not an exact rational" and no file or line. Every value
/// a sheet prints exactly is now a constraint of the kind, so such variants are redrawn.
#[test]
fn a_batchnorm_lr_that_makes_some_updates_inexact_draws_printable_variants() {
    let dir = Scratch::new("bad-input-lr-0002");
    for lr in ["0.002", "0.001", "0.003", "0.007"] {
        let spec = spec_file(
            &dir,
            &format!(
                "  - batchnorm_mlp:\n      lr: {lr}\n      draw: {{labels: ones, sigmas: [1,2,3], x_range: [-7,9], w1_range: [-3,3]}}\n"
            ),
        );
        let check = run(&[
            "check".into(),
            "--samples".into(),
            "300".into(),
            "--spec".into(),
            spec.display().to_string(),
        ]);
        assert!(check.status.success(), "{}", stderr_of(&check));
        let report = String::from_utf8_lossy(&check.stdout).to_string();
        assert!(report.contains("constraint printed_exact:"), "{report}");
        if lr != "0.002" {
            continue;
        }
        let students = dir.join("class.csv");
        let rows: String = (0..300).map(|i| format!("S{i:04},Student {i}\n")).collect();
        fs::write(&students, format!("id,name\n{rows}")).unwrap();
        let out = dir.join("out");
        let generate = run(&[
            "generate".into(),
            "--spec".into(),
            spec.display().to_string(),
            "--students".into(),
            students.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ]);
        assert!(generate.status.success(), "{}", stderr_of(&generate));
        assert!(out.join("key.json").is_file());
    }
}

/// Pinned coordinates within the limits whose inverse squared distances are below 1e-9:
/// every similarity printed "= 0" while the ranking used the true values. The exact
/// similarity (from the exact coordinates) must be what the sheet shows.
#[test]
fn similarities_that_would_print_as_zero_are_refused_when_read() {
    let dir = Scratch::new("bad-input-zero-similarity");
    let spec = spec_file(
        &dir,
        "  - retrieval_ap:\n      X: [[40000,0],[100000,0],[300000,0],[1000000,0]]\n      y: [1,0,1,0]\n      query: [0,0]\n      query_label: 1\n      similarity: inverse_l2_squared\n",
    );
    let out = dir.join("out");
    for args in [
        vec![
            "check".to_string(),
            "--spec".into(),
            spec.display().to_string(),
        ],
        vec![
            "generate".to_string(),
            "--spec".into(),
            spec.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ],
    ] {
        let o = run(&args);
        let e = stderr_of(&o);
        assert_eq!(o.status.code(), Some(1), "{e}");
        assert!(
            e.contains(&format!("{}:5: problems[0].retrieval_ap: ", spec.display())),
            "{e}"
        );
        assert!(e.contains("constraint `similarities_exact`"), "{e}");
        assert!(e.contains("none is printed rounded or as 0"), "{e}");
    }
    assert!(!out.exists());
}
