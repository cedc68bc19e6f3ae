//! The output directory is replaced all or nothing: a failed or killed rerun leaves the
//! earlier output exactly as it was (or, once committed, the next run completes it), no
//! key ever sits beside sheets it does not describe, stale files of an earlier run go,
//! nothing is written through a symbolic link, a second run never touches a live one,
//! and Ctrl-C leaves no LaTeX job running.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::common::{on_path, skip_or_fail, Scratch};

fn examgen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_examgen"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `generate` of the small exam beside `csv` (see [`class`]) for the class list `csv`
/// with `seed` into `out`.
fn generate(csv: &Path, seed: &str, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = examgen();
    cmd.arg("generate")
        .arg("--spec")
        .arg(csv.with_file_name(SPEC))
        .arg("--students")
        .arg(csv)
        .args(["--seed", seed, "--out"])
        .arg(out)
        .args(extra);
    cmd
}

fn ok(cmd: &mut Command) -> Output {
    let o = cmd.output().expect("examgen runs");
    assert!(o.status.success(), "examgen failed:\n{}", stderr(&o));
    o
}

/// A small exam (one drawn problem with a shared figure): these tests run examgen
/// dozens of times, and what they check does not depend on the problems.
const SPEC: &str = "exam.yaml";

/// A class list of the given ids, and the small exam beside it.
fn class(dir: &Scratch, name: &str, ids: &[&str]) -> PathBuf {
    dir.write(
        SPEC,
        "course: T\nexam: T\nlanguage: hr\nproblems:\n  - activation:\n      draw: {}\n",
    );
    let mut text = String::from("id,name\n");
    for id in ids {
        text.push_str(&format!("{id},Student {id}\n"));
    }
    dir.write(name, &text)
}

/// Every entry below `dir` (dot entries included, links not followed).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Entry {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
}

type Tree = BTreeMap<PathBuf, Entry>;

fn tree(dir: &Path) -> Tree {
    fn walk(base: &Path, dir: &Path, out: &mut Tree) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(base).unwrap().to_path_buf();
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                out.insert(rel, Entry::Link(fs::read_link(&path).unwrap()));
            } else if meta.is_dir() {
                out.insert(rel, Entry::Dir);
                walk(base, &path, out);
            } else {
                out.insert(rel, Entry::File(fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Tree::new();
    walk(dir, dir, &mut out);
    out
}

fn diff(want: &Tree, got: &Tree) -> String {
    let mut lines = Vec::new();
    for (path, entry) in want {
        match got.get(path) {
            None => lines.push(format!("  missing: {}", path.display())),
            Some(e) if e != entry => lines.push(format!("  changed: {}", path.display())),
            Some(_) => {}
        }
    }
    for path in got.keys().filter(|p| !want.contains_key(*p)) {
        lines.push(format!("  extra: {}", path.display()));
    }
    lines.join("\n")
}

fn assert_tree(want: &Tree, dir: &Path, what: &str) {
    let d = diff(want, &tree(dir));
    assert!(d.is_empty(), "{what}:\n{d}");
}

fn copy_tree(from: &Path, to: &Path) {
    let _ = fs::remove_dir_all(to);
    fs::create_dir_all(to).unwrap();
    for (rel, entry) in tree(from) {
        let path = to.join(rel);
        match entry {
            Entry::Dir => fs::create_dir_all(&path).unwrap(),
            Entry::File(bytes) => fs::write(&path, bytes).unwrap(),
            Entry::Link(target) => std::os::unix::fs::symlink(target, &path).unwrap(),
        }
    }
}

/// Whether every key in `out` describes exactly the sheets beside it: each student of
/// key.json and key.csv has a sheet with that student's code, and every sheet belongs to
/// a student of the keys. Returns what is wrong.
fn keys_match_sheets(out: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let sheets: Vec<String> = fs::read_dir(out)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix("-exam.tex").map(str::to_string)
        })
        .collect();
    let mut keys: Vec<(&str, Vec<(String, String)>)> = Vec::new();
    if let Ok(bytes) = fs::read(out.join("key.json")) {
        let key: Value = serde_json::from_slice(&bytes).expect("key.json is complete JSON");
        let students = key["students"].as_array().unwrap();
        keys.push((
            "key.json",
            students
                .iter()
                .map(|s| {
                    (
                        s["id"].as_str().unwrap().to_string(),
                        s["variant_code"].as_str().unwrap().to_string(),
                    )
                })
                .collect(),
        ));
    }
    if let Ok(text) = fs::read_to_string(out.join("key.csv")) {
        keys.push((
            "key.csv",
            text.lines()
                .skip(1)
                .map(|l| {
                    let cells: Vec<&str> = l.split(',').collect();
                    (cells[0].to_string(), cells[2].to_string())
                })
                .collect(),
        ));
    }
    for (file, students) in keys {
        for (id, code) in &students {
            match fs::read_to_string(out.join(format!("{id}-exam.tex"))) {
                Ok(sheet) if sheet.contains(code.as_str()) => {}
                Ok(_) => problems.push(format!("{file}: {id}'s sheet lacks code {code}")),
                Err(_) => problems.push(format!("{file}: {id} has no sheet")),
            }
        }
        for sheet in &sheets {
            if !students.iter().any(|(id, _)| id == sheet) {
                problems.push(format!("{file}: the sheet of {sheet} is not in the key"));
            }
        }
    }
    problems
}

const OLD: &[&str] = &["1001", "1002", "1003"];
const NEW: &[&str] = &["1001", "1002", "1004"];

/// Earlier output: the OLD class with seed 1, written by this examgen.
fn old_output(dir: &Scratch, out: &Path) {
    let csv = class(dir, "old.csv", OLD);
    ok(&mut generate(&csv, "1", out, &[]));
}

/// With a directory where one new sheet goes, a --force rerun fails before touching
/// anything, naming the directory.
#[test]
fn a_rerun_that_cannot_install_one_file_changes_nothing() {
    let dir = Scratch::new("integrity-blocked");
    let out = dir.join("out");
    old_output(&dir, &out);
    let blocker = out.join("1004-exam.tex");
    fs::create_dir(&blocker).unwrap();
    fs::write(blocker.join("inside.txt"), "mine").unwrap();
    let before = tree(&out);
    let csv = class(&dir, "new.csv", NEW);
    let o = generate(&csv, "2", &out, &["--force"]).output().unwrap();
    let err = stderr(&o);
    assert_tree(&before, &out, "a failed rerun changed the earlier output");
    assert_eq!(o.status.code(), Some(1), "{err}");
    // The class's warnings come first: they are printed as soon as the class is seated.
    let mut lines = err
        .lines()
        .skip_while(|l| l.starts_with("examgen: warning: "));
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("examgen: error: ")),
        "{err}"
    );
    assert!(err.contains(&blocker.display().to_string()), "{err}");
    assert!(err.contains("is a directory"), "{err}");
}

/// Killed (abort, as kill -9) after every step of the commit of a class rerun: the
/// directory is the old output, or the next run completes the new one; no key ever sits
/// beside sheets it does not describe.
#[test]
fn a_commit_killed_at_any_step_is_all_or_nothing() {
    let dir = Scratch::new("integrity-failpoint");
    let old = dir.join("old");
    old_output(&dir, &old);
    let old_tree = tree(&old);
    let csv = class(&dir, "new.csv", NEW);
    let new = dir.join("new");
    copy_tree(&old, &new);
    ok(&mut generate(&csv, "2", &new, &["--force"]));
    let new_tree = tree(&new);
    assert_ne!(old_tree, new_tree);

    // The run that recovers: its own output cannot be installed (a directory is in the
    // way), so it changes nothing but what it recovers.
    let blocker_csv = class(&dir, "blocker.csv", &["9999"]);
    let out = dir.join("out");
    let (mut saw_old, mut saw_new) = (false, false);
    for n in 0.. {
        assert!(n < 200, "the commit never finished");
        copy_tree(&old, &out);
        let o = generate(&csv, "2", &out, &["--force"])
            .env("EXAMGEN_FAILPOINT", format!("commit:{n}"))
            .output()
            .unwrap();
        if o.status.success() {
            assert_tree(&new_tree, &out, "a finished rerun");
            assert!(n > 3, "the commit took only {n} steps");
            break;
        }
        assert_eq!(o.status.code(), None, "step {n}: {}", stderr(&o));
        let wrong = keys_match_sheets(&out);
        assert!(
            wrong.is_empty(),
            "killed after step {n}:\n{}",
            wrong.join("\n")
        );

        let committed = fs::read_dir(&out)
            .unwrap()
            .any(|e| e.unwrap().path().join(".examgen-commit").exists());
        let blocker = out.join("9999-exam.tex");
        fs::create_dir(&blocker).unwrap();
        let o = generate(&blocker_csv, "3", &out, &["--force"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "step {n}: {}", stderr(&o));
        assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
        fs::remove_dir(&blocker).unwrap();
        let got = tree(&out);
        if got == old_tree {
            saw_old = true;
        } else if got == new_tree {
            saw_new = true;
            assert!(
                !committed || stderr(&o).contains("completed the interrupted commit"),
                "step {n}: the recovery was not reported: {}",
                stderr(&o)
            );
        } else {
            panic!(
                "killed after step {n}, then recovered: neither old nor new output\n\
                 against the old:\n{}\nagainst the new:\n{}",
                diff(&old_tree, &got),
                diff(&new_tree, &got)
            );
        }
    }
    assert!(saw_old && saw_new, "old {saw_old}, new {saw_new}");
}

/// A --force rerun removes what the previous run wrote and this one does not (a student
/// who left, their figures), and nothing it did not write.
#[test]
fn a_rerun_removes_stale_files_of_the_previous_run_only() {
    let dir = Scratch::new("integrity-stale");
    let out = dir.join("out");
    old_output(&dir, &out);
    fs::write(out.join("notes.txt"), "mine").unwrap();
    fs::write(out.join("figures/mine.tex"), "mine").unwrap();
    fs::write(out.join("9000-exam.tex"), "an older examgen's sheet").unwrap();
    let csv = class(&dir, "new.csv", NEW);
    ok(&mut generate(&csv, "2", &out, &["--force"]));
    for gone in ["1003-exam.tex", "1003-solutions.tex"] {
        assert!(!out.join(gone).exists(), "{gone} stayed");
    }
    for kept in ["notes.txt", "figures/mine.tex", "9000-exam.tex"] {
        assert!(out.join(kept).exists(), "{kept} was removed");
    }
    // Every figure left is one of this run's, or the user's.
    let manifest = fs::read_to_string(out.join(".examgen-manifest")).unwrap();
    for entry in fs::read_dir(out.join("figures")).unwrap() {
        let name = format!("figures/{}", entry.unwrap().file_name().to_string_lossy());
        assert!(
            name == "figures/mine.tex" || manifest.lines().any(|l| l == name),
            "stale {name}"
        );
    }
    fs::remove_file(out.join("9000-exam.tex")).unwrap();
    assert!(keys_match_sheets(&out).is_empty());
}

/// Output of an older examgen has no manifest: the PDF beside a .tex this run rewrites
/// without a PDF goes (it shows another variant); other PDFs stay.
#[test]
fn without_a_manifest_the_pdf_beside_a_rewritten_tex_goes() {
    let dir = Scratch::new("integrity-no-manifest");
    let out = dir.join("out");
    old_output(&dir, &out);
    // (examgen before the manifest did not write it)
    let _ = fs::remove_file(out.join(".examgen-manifest"));
    fs::write(out.join("1001-exam.pdf"), "%PDF old variant").unwrap();
    fs::write(out.join("handout.pdf"), "%PDF mine").unwrap();
    let csv = class(&dir, "new.csv", NEW);
    ok(&mut generate(&csv, "2", &out, &["--force"]));
    assert!(!out.join("1001-exam.pdf").exists(), "the stale PDF stayed");
    assert!(out.join("handout.pdf").exists());
}

/// A `pdflatex` that makes a PDF of every document except those whose name contains
/// `$FAKE_TEX_FAIL`, and writes a log for each; with `$FAKE_TEX_CALLS` it appends each
/// document's name to that file. It answers `--version` and makes the preloaded
/// preamble's format (`-ini`) as examgen calls it (`-jobname=NAME`, `-output-directory=DIR`),
/// or fails to when `$FAKE_TEX_NO_FORMAT` is set; with `$FAKE_TEX_GZIP_FORMAT` the format is
/// gzip-compressed like pdfTeX's, and starting from its inflated copy (`-fmt=…-loose`)
/// fails (noted as `probe <format>` in `$FAKE_TEX_CALLS`). With `$FAKE_TEX_FORMATS` each
/// document's line there is `<tex> <format>`.
pub(super) fn fake_pdflatex(dir: &Scratch) -> String {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let script = bin.join("pdflatex");
    fs::write(
        &script,
        "#!/bin/sh\n\
         outdir=.; ini=; job=\n\
         for a; do\n\
           case \"$a\" in\n\
             --version) echo 'pdfTeX 3.14 (fake)'; exit 0;;\n\
             -ini) ini=1;;\n\
             -jobname=*) job=${a#-jobname=};;\n\
             -output-directory=*) outdir=${a#-output-directory=};;\n\
             -fmt=*) fmt=${a#-fmt=};;\n\
           esac\n\
           tex=$a\n\
         done\n\
         mkdir -p \"$outdir\"\n\
         if [ -n \"$ini\" ]; then\n\
           echo \"fake format log of $job\" > \"$outdir/$job.log\"\n\
           if [ -n \"$FAKE_TEX_NO_FORMAT\" ]; then exit 1; fi\n\
           if [ -n \"$FAKE_TEX_GZIP_FORMAT\" ]; then echo fake | gzip -c > \"$outdir/$job.fmt\"; exit 0; fi\n\
           echo fake > \"$outdir/$job.fmt\"; exit 0\n\
         fi\n\
         case \"$fmt\" in *-loose)\n\
           if [ -n \"$FAKE_TEX_CALLS\" ]; then echo \"probe $fmt\" >> \"$FAKE_TEX_CALLS\"; fi\n\
           exit 1;;\n\
         esac\n\
         stem=${tex%.tex}\n\
         if [ -n \"$FAKE_TEX_CALLS\" ]; then echo \"$tex\" >> \"$FAKE_TEX_CALLS\"; fi\n\
         if [ -n \"$FAKE_TEX_FORMATS\" ]; then echo \"$tex $fmt\" >> \"$FAKE_TEX_FORMATS\"; fi\n\
         echo \"fake log of $stem\" > \"$outdir/$stem.log\"\n\
         if [ -n \"$FAKE_TEX_FAIL\" ]; then\n\
           case \"$stem\" in *\"$FAKE_TEX_FAIL\"*) echo '! Fake error.' >> \"$outdir/$stem.log\"; exit 1;; esac\n\
         fi\n\
         printf '%%PDF-fake %s\\n' \"$stem\" > \"$outdir/$stem.pdf\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Issue 7 item 4: LaTeX fails for one student in a --force --pdf rerun; that student's
/// PDF of the earlier variant must not stay beside the new .tex and key.
#[test]
fn a_latex_failure_in_a_pdf_rerun_removes_the_earlier_pdf() {
    let dir = Scratch::new("integrity-stale-pdf");
    let path = fake_pdflatex(&dir);
    let out = dir.join("out");
    let csv = class(&dir, "old.csv", OLD);
    ok(generate(&csv, "1", &out, &["--pdf"])
        .env("PATH", &path)
        .env("FAKE_TEX_FAIL", "none"));
    assert!(out.join("1002-exam.pdf").exists());
    assert!(out.join(".build/1002-exam.log").exists());

    let o = generate(&csv, "2", &out, &["--pdf", "--force"])
        .env("PATH", &path)
        .env("FAKE_TEX_FAIL", "1002-exam")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("1002-exam.tex"), "{err}");
    assert!(
        !out.join("1002-exam.pdf").exists(),
        "the PDF of the earlier variant stayed beside the new sheet"
    );
    assert!(out.join("1002-solutions.pdf").exists());
    assert!(out.join("1001-exam.pdf").exists());
    assert!(keys_match_sheets(&out).is_empty());
}

/// Issue 7 item 5: a symbolic link inside --out (figures/, .build/) is refused before
/// anything is written, and nothing is written into its target.
#[test]
fn symbolic_links_inside_the_output_directory_are_refused() {
    let dir = Scratch::new("integrity-symlink");
    let path = fake_pdflatex(&dir);
    let csv = class(&dir, "old.csv", OLD);
    for linked in ["figures", ".build"] {
        let out = dir.join(&format!("out{linked}"));
        ok(generate(&csv, "1", &out, &["--pdf"])
            .env("PATH", &path)
            .env("FAKE_TEX_FAIL", "none"));
        let elsewhere = dir.join(&format!("elsewhere{linked}"));
        fs::create_dir_all(&elsewhere).unwrap();
        fs::remove_dir_all(out.join(linked)).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join(linked)).unwrap();
        let before = tree(&out);
        let o = generate(&csv, "2", &out, &["--pdf", "--force"])
            .env("PATH", &path)
            .env("FAKE_TEX_FAIL", "none")
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{linked}: {err}");
        assert!(
            err.contains(&out.join(linked).display().to_string()) && err.contains("symbolic link"),
            "{linked}: {err}"
        );
        assert_tree(&before, &out, linked);
        assert!(
            tree(&elsewhere).is_empty(),
            "{linked}: written through the link: {:?}",
            tree(&elsewhere).keys()
        );
    }
}

/// Issue 7 item 6: while another process holds the lock, a run fails at once naming the
/// holder, and touches nothing (not the live run's staging directory either). A run
/// refused for lacking --force removes nothing either.
#[test]
fn a_second_run_leaves_a_live_one_alone() {
    let dir = Scratch::new("integrity-lock");
    let out = dir.join("out");
    old_output(&dir, &out);
    let live = out.join(".examgen-staging-424242");
    fs::create_dir(&live).unwrap();
    fs::write(live.join("1001-exam.tex"), "half written").unwrap();
    let csv = class(&dir, "new.csv", NEW);

    // Refused for lacking --force: removes nothing, lock or no lock.
    let before = tree(&out);
    let o = generate(&csv, "2", &out, &[]).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_tree(&before, &out, "a refused run changed the directory");

    let lock = hold_lock(&out);
    let before = tree(&out);
    let o = generate(&csv, "2", &out, &["--force"]).output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("another examgen run"), "{err}");
    assert!(
        err.contains(&format!("pid {}", std::process::id())) && err.contains("since"),
        "{err}"
    );
    assert_tree(&before, &out, "a locked-out run changed the directory");

    // Once the holder is gone (a killed holder releases it too), the next run removes
    // the dead run's staging directory and its lock file.
    drop(lock);
    ok(&mut generate(&csv, "2", &out, &["--force"]));
    assert!(!live.exists(), "the dead run's staging directory stayed");
    assert!(!out.join(".examgen.lock").exists());
    assert!(keys_match_sheets(&out).is_empty());
}

/// Takes the lock of `out` in this (test) process, as a live run holds it.
fn hold_lock(out: &Path) -> fs::File {
    let mut lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out.join(".examgen.lock"))
        .unwrap();
    lock.try_lock().expect("the test takes the lock");
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    write!(
        lock,
        "pid {}\nstarted {started}\ncommand examgen generate (the test)\n",
        std::process::id()
    )
    .unwrap();
    lock
}

/// Whether a staging directory in `out` holds a commit marker.
fn has_committed_staging(out: &Path) -> bool {
    fs::read_dir(out).unwrap().any(|e| {
        let path = e.unwrap().path();
        path.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".examgen-staging-")
            && path.join(".examgen-commit").exists()
    })
}

/// Issue 7 (review): a run killed during its commit into a NEW directory leaves sheets
/// and no key; the next run into it, even one without --force (generate or
/// regenerate), first completes that commit, says so, and only then refuses: the
/// directory is then exactly the killed run's complete output.
#[test]
fn a_run_without_force_completes_an_interrupted_commit_first() {
    let dir = Scratch::new("integrity-fresh-kill");
    let csv = class(&dir, "new.csv", NEW);
    let reference = dir.join("reference");
    ok(&mut generate(&csv, "2", &reference, &[]));
    let want = tree(&reference);
    let key: Value =
        serde_json::from_slice(&fs::read(reference.join("key.json")).unwrap()).unwrap();
    let code = key["students"][0]["variant_code"]
        .as_str()
        .unwrap()
        .to_string();
    for n in 1.. {
        assert!(n < 100, "the commit never finished");
        let out = dir.join(&format!("fk{n}"));
        let o = generate(&csv, "2", &out, &[])
            .env("EXAMGEN_FAILPOINT", format!("commit:{n}"))
            .output()
            .unwrap();
        if o.status.success() {
            assert!(n > 4, "the commit took only {} steps", n - 1);
            break;
        }
        assert_eq!(o.status.code(), None, "step {n}: {}", stderr(&o));
        let committed = has_committed_staging(&out);
        // generate and regenerate alike
        let o = if n % 2 == 1 {
            generate(&csv, "2", &out, &[]).output().unwrap()
        } else {
            let mut cmd = examgen();
            cmd.arg("regenerate")
                .arg("--spec")
                .arg(csv.with_file_name(SPEC))
                .arg(&code)
                .arg("--out")
                .arg(&out);
            cmd.output().unwrap()
        };
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "step {n}: {err}");
        assert!(err.contains("not empty"), "step {n}: {err}");
        if committed {
            assert!(
                err.contains("completed the interrupted commit")
                    && err.contains("now holds that run's complete output"),
                "step {n}: {err}"
            );
        }
        let mut got = tree(&out);
        if !committed {
            // Killed after the commit was complete: only the killed run's lock file is
            // left, and a run that takes no lock leaves lock files alone.
            got.remove(Path::new(".examgen.lock"));
        }
        let d = diff(&want, &got);
        assert!(
            d.is_empty(),
            "killed after step {n}, then a refused run:\n{d}"
        );
        assert!(keys_match_sheets(&out).is_empty());
    }
}

/// Issue 7 (review): with --pdf, what the commit would refuse (a symbolic link
/// figures/, a directory where a sheet or a PDF goes) is refused before any LaTeX runs.
#[test]
fn a_pdf_run_is_refused_before_latex_runs() {
    let dir = Scratch::new("integrity-refuse-early");
    let path = fake_pdflatex(&dir);
    let calls = dir.join("pdflatex-calls");
    let csv = class(&dir, "new.csv", NEW);
    let elsewhere = dir.join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    type Block = fn(&Path, &Path);
    let blocks: [(&str, Block, &str); 3] = [
        (
            "figures",
            |out, elsewhere| {
                fs::remove_dir_all(out.join("figures")).unwrap();
                std::os::unix::fs::symlink(elsewhere, out.join("figures")).unwrap();
            },
            "symbolic link",
        ),
        (
            "1004-exam.tex",
            |out, _| fs::create_dir(out.join("1004-exam.tex")).unwrap(),
            "is a directory",
        ),
        (
            "1004-solutions.pdf",
            |out, _| fs::create_dir(out.join("1004-solutions.pdf")).unwrap(),
            "is a directory",
        ),
    ];
    for (name, block, problem) in blocks {
        let out = dir.join(&format!("out-{name}"));
        old_output(&dir, &out);
        block(&out, &elsewhere);
        let before = tree(&out);
        let _ = fs::remove_file(&calls);
        let o = generate(&csv, "2", &out, &["--pdf", "--force"])
            .env("PATH", &path)
            .env("FAKE_TEX_FAIL", "none")
            .env("FAKE_TEX_CALLS", &calls)
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(&out.join(name).display().to_string()) && err.contains(problem),
            "{name}: {err}"
        );
        assert!(
            !calls.exists(),
            "{name}: pdflatex ran before the refusal: {}",
            fs::read_to_string(&calls).unwrap()
        );
        assert_tree(&before, &out, name);
    }
    // The fake records its calls.
    let out = dir.join("out-fine");
    ok(generate(&csv, "2", &out, &["--pdf"])
        .env("PATH", &path)
        .env("FAKE_TEX_FAIL", "none")
        .env("FAKE_TEX_CALLS", &calls));
    assert!(fs::read_to_string(&calls)
        .unwrap()
        .contains("1004-exam.tex"));
}

/// Issue 7 (review): Ctrl-C while a run completes an earlier run's interrupted commit
/// waits for that to finish, and says that the directory now holds the earlier run's
/// complete output (not "nothing was written").
#[test]
fn ctrl_c_during_recovery_completes_it_and_says_so() {
    let dir = Scratch::new("integrity-ctrl-c-recovery");
    let csv = class(&dir, "new.csv", NEW);
    let reference = dir.join("reference");
    ok(&mut generate(&csv, "2", &reference, &[]));
    let out = dir.join("out");
    let o = generate(&csv, "2", &out, &[])
        .env("EXAMGEN_FAILPOINT", "commit:4")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), None, "{}", stderr(&o));
    assert!(has_committed_staging(&out));

    // Paused after two steps of the recovery; the signal comes then.
    let mut child = generate(&csv, "3", &out, &["--force"])
        .env("EXAMGEN_FAILPOINT", "pause:2")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let read = std::io::BufRead::read_line(&mut err, &mut line).unwrap();
        seen.push_str(&line);
        if line.contains("failpoint: paused") {
            break;
        }
        assert!(read > 0, "the run did not pause in the recovery: {seen}");
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    std::io::Read::read_to_string(&mut err, &mut seen).unwrap();
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(
        seen.contains("interrupted; the interrupted commit of an earlier run was completed")
            && seen.contains("holds that run's complete output")
            && !seen.contains("nothing was written"),
        "{seen}"
    );
    assert_tree(&tree(&reference), &out, "after Ctrl-C during the recovery");
}

/// Issue 7 (review): while another process holds the lock, a committed staging
/// directory is that live run's, in the middle of installing: a run, with or without
/// --force, leaves it alone and says the directory is busy. Once the holder is gone the
/// next run completes it.
#[test]
fn a_committed_staging_directory_of_a_live_run_is_left_alone() {
    let dir = Scratch::new("integrity-lock-committed");
    let csv = class(&dir, "new.csv", NEW);
    let out = dir.join("out");
    let o = generate(&csv, "2", &out, &[])
        .env("EXAMGEN_FAILPOINT", "commit:3")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), None, "{}", stderr(&o));
    assert!(has_committed_staging(&out));
    let lock = hold_lock(&out);
    let before = tree(&out);
    for extra in [&[][..], &["--force"][..]] {
        let o = generate(&csv, "3", &out, extra).output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {err}");
        assert!(err.contains("another examgen run"), "{extra:?}: {err}");
        assert_tree(&before, &out, "a locked-out run changed the directory");
    }
    drop(lock);
    let o = generate(&csv, "3", &out, &[]).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("completed the interrupted commit"));
    assert!(!has_committed_staging(&out));
    assert!(keys_match_sheets(&out).is_empty());
}

/// Issue 7: a regular file named like a staging directory is the user's: the directory
/// is not empty, and the file is never removed.
#[test]
fn a_file_named_like_a_staging_directory_is_kept() {
    let dir = Scratch::new("integrity-staging-file");
    let out = dir.join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join(".examgen-staging-x"), "mine").unwrap();
    let csv = class(&dir, "new.csv", NEW);
    let o = generate(&csv, "2", &out, &[]).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
    ok(&mut generate(&csv, "2", &out, &["--force"]));
    assert_eq!(fs::read(out.join(".examgen-staging-x")).unwrap(), b"mine");
}

/// The processes (pid, command line) that work inside `dir` or name it: LaTeX runs in
/// the staging directory, examgen names the output directory.
fn processes_in(dir: &Path) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cwd = fs::read_link(entry.path().join("cwd")).unwrap_or_default();
        let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cwd.starts_with(dir) || cmdline.contains(&dir.display().to_string()) {
            found.push((pid, cmdline));
        }
    }
    found
}

/// Issue 7: Ctrl-C during the LaTeX runs of a --pdf rerun kills latexmk and pdflatex,
/// leaves the earlier output as it was, and exits with 130. Needs TeX Live (skips
/// without it, fails under CI=true).
#[test]
fn ctrl_c_stops_latex_and_leaves_the_output_as_it_was() {
    let test = "integrity_output::ctrl_c_stops_latex";
    if !on_path("latexmk") {
        skip_or_fail(test, "latexmk is not on PATH (install TeX Live)");
        return;
    }
    let dir = Scratch::new("integrity-ctrl-c");
    let out = dir.join("out");
    old_output(&dir, &out);
    let before = tree(&out);
    let csv = class(&dir, "new.csv", NEW);
    let mut child = generate(&csv, "2", &out, &["--pdf", "--force", "--jobs", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let examgen_pid = child.id();
    let latex = |p: &(u32, String)| {
        p.0 != examgen_pid && (p.1.contains("latexmk") || p.1.contains("pdflatex"))
    };
    while !processes_in(&out).iter().any(latex) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "examgen ended before LaTeX started"
        );
        assert!(start.elapsed() < Duration::from_secs(60), "no LaTeX job");
        std::thread::sleep(Duration::from_millis(10));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "examgen did not stop"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    // SIGKILL is delivered at once, but the killed jobs may take a moment to vanish.
    let left = loop {
        let left = processes_in(&out);
        if left.is_empty() || start.elapsed() > Duration::from_secs(100) {
            break left;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(left.is_empty(), "still running: {left:?}");
    assert_tree(&before, &out, "Ctrl-C changed the earlier output");
}

/// Issue 13: a format that pdflatex cannot start from once it is stored inflated stays
/// compressed: every sheet still starts from it, and nothing is said (the PDFs are the
/// same, only the format loads slower).
#[test]
fn a_format_that_does_not_load_inflated_stays_compressed() {
    let dir = Scratch::new("integrity-format-stays-compressed");
    let path = fake_pdflatex(&dir);
    let out = dir.join("out");
    let calls = dir.join("calls");
    let formats = dir.join("formats");
    let csv = class(&dir, "new.csv", NEW);
    let o = generate(&csv, "1", &out, &["--pdf"])
        .env("PATH", &path)
        .env("FAKE_TEX_FAIL", "none")
        .env("FAKE_TEX_GZIP_FORMAT", "1")
        .env("FAKE_TEX_CALLS", &calls)
        .env("FAKE_TEX_FORMATS", &formats)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("warning"), "{err}");
    let calls = fs::read_to_string(&calls).unwrap();
    let probes: Vec<&str> = calls.lines().filter(|l| l.starts_with("probe ")).collect();
    assert_eq!(
        probes.len(),
        1,
        "the inflated format is tried once:\n{calls}"
    );
    let format = probes[0]
        .strip_prefix("probe ")
        .and_then(|f| f.strip_suffix("-loose"))
        .unwrap();
    let formats = fs::read_to_string(&formats).unwrap();
    let sheets: Vec<&str> = formats.lines().filter(|l| !l.starts_with("fig-")).collect();
    assert_eq!(sheets.len(), 2 * NEW.len(), "{formats}");
    for line in sheets {
        let (tex, fmt) = line.split_once(' ').unwrap();
        assert_eq!(fmt, format!(".build/{format}"), "{line}");
        assert!(out.join(tex.replace(".tex", ".pdf")).exists(), "{tex}");
    }
}

/// Issue 13: when the preamble's format cannot be made, the run says so once and every
/// sheet is still compiled, from its own preamble (no `-fmt`).
#[test]
fn a_preamble_that_cannot_be_preloaded_is_said_once_and_the_sheets_still_compile() {
    let dir = Scratch::new("integrity-no-format");
    let path = fake_pdflatex(&dir);
    let out = dir.join("out");
    let calls = dir.join("calls");
    let csv = class(&dir, "new.csv", NEW);
    let o = generate(&csv, "1", &out, &["--pdf"])
        .env("PATH", &path)
        .env("FAKE_TEX_FAIL", "none")
        .env("FAKE_TEX_NO_FORMAT", "1")
        .env("FAKE_TEX_CALLS", &calls)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(
        err.matches("could not be preloaded").count(),
        1,
        "said once:\n{err}"
    );
    assert!(err.contains("examgen: warning: "), "{err}");
    let calls = fs::read_to_string(&calls).unwrap();
    let sheets: Vec<&str> = calls.lines().filter(|l| !l.starts_with("fig-")).collect();
    assert_eq!(sheets.len(), 2 * NEW.len(), "{calls}");
    for line in sheets {
        let pdf = out.join(line.replace(".tex", ".pdf"));
        assert!(pdf.exists(), "{}", pdf.display());
    }
}
