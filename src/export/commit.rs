//! Installing a finished run into the output directory all or nothing, even across
//! kill -9 and power loss of the process (not of the disk).
//!
//! A run's files are complete in its staging directory before any of this starts. Then:
//!
//! 1. **Check** everything that can be checked, changing nothing: no target is a
//!    directory, no directory examgen writes into (or removes from) inside `OUT` is a
//!    symbolic link or a file. Any problem is an error and `OUT` is untouched.
//! 2. **Commit point**: the plan (files to install, stale files to remove, the next
//!    manifest) is written into the staging directory, fsynced, and renamed to
//!    `.examgen-commit` there, atomically. Before the rename the run has changed nothing;
//!    after it the run is decided and is only carried out.
//! 3. **Roll forward**, each step idempotent so it can be repeated after a crash: remove
//!    the old `key.json`/`key.csv` (so no moment shows an old key beside new sheets; done
//!    only while the new keys are still staged), move the sheets, figures and logs,
//!    remove the stale files, install the manifest, move the new keys last, remove the
//!    staging directory.
//! 4. **Recovery**: every later run that targets `OUT` (`generate` or `regenerate`, even
//!    one then refused for lacking `--force`) first takes the lock and rolls forward any
//!    staging directory that holds a commit marker, and says so; only then is `OUT`
//!    judged empty or not. A run that goes on to write also removes the staging
//!    directories without a marker (left by a killed run before its commit point). A
//!    staging directory while another run holds the lock is that run's, and untouched.
//!
//! The manifest (`OUT/.examgen-manifest`, one relative path per line) lists the files the
//! last committed run wrote. A `generate` replaces the whole output: it removes what the
//! previous manifest lists and it does not write itself (students who left the class,
//! PDFs that failed this time), and nothing else. A `regenerate` adds to the output and
//! removes nothing but stale PDFs. Either way a `.tex` written without its PDF loses the
//! `.pdf` beside it, which would show another variant; that also covers output of older
//! examgen versions, which wrote no manifest.
//!
//! Only the plan is fsynced: per-file fsync cost more than everything else in a class
//! run, and a rename is atomic for a crashed process either way.
//!
//! `EXAMGEN_FAILPOINT=commit:N` (for tests only) aborts the process after N steps of the
//! commit (step 1 is the commit point), to show that every moment is recoverable;
//! `pause:N` sleeps there instead, to show what a signal at that moment does. The steps
//! of completing an earlier run's commit count too.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::interrupt;
use crate::error::{Error, Result};
use crate::names::Names;

/// The manifest's name inside the output directory.
pub const MANIFEST: &str = ".examgen-manifest";
/// The commit marker (the plan) inside a staging directory.
pub const MARKER: &str = ".examgen-commit";
const PLAN_TEMP: &str = ".examgen-plan";
/// The next manifest, inside the staging directory until it is installed.
const NEXT_MANIFEST: &str = ".examgen-manifest";

/// The answer keys: they go last and the old ones go first.
pub const KEYS: [&str; 2] = ["key.json", "key.csv"];

/// Whether a run replaces the previous output or adds to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `generate`: the output becomes exactly this run's files.
    Replace,
    /// `regenerate`: this run's files are added.
    Add,
}

/// What a commit does, all paths relative to the output directory.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Plan {
    /// Old keys removed before anything else.
    pub drop_old_keys: Vec<String>,
    /// Files moved from the staging directory, in order.
    pub install: Names,
    /// Files removed after the installs.
    pub remove: Vec<String>,
    /// The new keys, moved last.
    pub keys: Vec<String>,
}

/// Reads the manifest of `out`; `None` when there is none (new directory, or output of
/// an older examgen). Lines that are not plain relative paths are ignored, so a damaged
/// manifest cannot make examgen remove anything outside `out`.
pub fn read_manifest(out: &Path) -> Result<Option<Names>> {
    let path = out.join(MANIFEST);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(Some(
            text.lines().filter(|l| is_plain_relative(l)).collect(),
        )),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Read { path, source }),
    }
}

fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// The output directory's next manifest.
#[derive(Debug, PartialEq, Eq)]
pub enum Manifest {
    /// Exactly the files the plan installs (`generate`): not listed a second time, since
    /// a class has hundreds of thousands.
    Installed,
    /// These files, sorted (`regenerate` adds to the old manifest).
    Listed(Vec<String>),
}

/// Builds the plan of a run that staged the files `install` and the answer keys `keys`
/// (some of [`KEYS`]). `out_is_empty`: `out` holds nothing but examgen's bookkeeping, so
/// there is nothing in it to remove (no file is looked up).
pub fn plan(
    out: &Path,
    install: Names,
    keys: Vec<String>,
    mode: Mode,
    out_is_empty: bool,
) -> Result<(Plan, Manifest)> {
    let sorted = install.sorted();
    let written = |name: &str| sorted.contains(name) || keys.iter().any(|k| k == name);
    let old = read_manifest(out)?;
    let mut remove = BTreeSet::new();
    if mode == Mode::Replace {
        for name in old.iter().flat_map(Names::iter) {
            if !written(name) && !KEYS.contains(&name) {
                remove.insert(name.to_string());
            }
        }
    }
    // Only what is there, and never a directory: examgen writes files only.
    let is_file = |name: &str| {
        !out_is_empty && fs::symlink_metadata(out.join(name)).is_ok_and(|m| !m.file_type().is_dir())
    };
    remove.retain(|name| is_file(name));
    for name in install.iter() {
        if let Some(stem) = name.strip_suffix(".tex") {
            let pdf = format!("{stem}.pdf");
            if !written(&pdf) && is_file(&pdf) {
                remove.insert(pdf);
            }
        }
    }
    let manifest = match mode {
        Mode::Replace => Manifest::Installed,
        Mode::Add => {
            let mut listed: BTreeSet<String> = sorted.iter().map(str::to_string).collect();
            listed.extend(keys.iter().cloned());
            listed.extend(old.iter().flat_map(Names::iter).map(str::to_string));
            for name in &remove {
                listed.remove(name);
            }
            Manifest::Listed(listed.into_iter().collect())
        }
    };
    drop(sorted);
    let plan = Plan {
        drop_old_keys: match mode {
            Mode::Replace => KEYS.iter().map(|k| k.to_string()).collect(),
            Mode::Add => Vec::new(),
        },
        install,
        remove: remove.into_iter().collect(),
        keys,
    };
    Ok((plan, manifest))
}

/// Checks, changing nothing, that the plan can be carried out inside `out`; nothing to
/// check when `out_is_empty` (it holds nothing but examgen's bookkeeping: a class writes
/// hundreds of thousands of files, and a look-up each was most of a commit).
pub fn check(out: &Path, plan: &Plan, out_is_empty: bool) -> Result<()> {
    if out_is_empty {
        return Ok(());
    }
    let mut good_dirs: HashSet<PathBuf> = HashSet::new();
    let written = plan
        .install
        .iter()
        .chain(plan.keys.iter().map(String::as_str))
        .chain([MANIFEST]);
    for name in written
        .clone()
        .chain(plan.remove.iter().map(String::as_str))
    {
        check_parents(out, name, &mut good_dirs)?;
    }
    for name in written {
        let path = out.join(name);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_dir()) {
            return Err(Error::OutputBlocked {
                path,
                problem: "is a directory where examgen writes a file; move it away or \
                          choose another --out"
                    .into(),
            });
        }
    }
    Ok(())
}

/// Every directory between `out` and `out/name` must be a real directory or absent: a
/// symbolic link would make examgen write (or remove) outside the output directory.
fn check_parents(out: &Path, name: &str, good: &mut HashSet<PathBuf>) -> Result<()> {
    let mut dir = out.to_path_buf();
    let parents: Vec<_> = Path::new(name).components().collect();
    for part in &parents[..parents.len().saturating_sub(1)] {
        dir.push(part);
        if good.contains(&dir) {
            continue;
        }
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::OutputBlocked {
                    path: dir,
                    problem: "is a symbolic link; examgen writes only inside --out, so \
                              replace it by a real directory or remove it"
                        .into(),
                })
            }
            Ok(m) if !m.is_dir() => {
                return Err(Error::OutputBlocked {
                    path: dir,
                    problem: "is a file where examgen needs a directory; move it away or \
                              choose another --out"
                        .into(),
                })
            }
            Ok(_) => {
                good.insert(dir.clone());
            }
            // Created when the files are installed.
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Passes the commit point and rolls forward. Errors before the commit point leave `out`
/// untouched; after it, [`Error::CommitUnfinished`].
pub fn commit(out: &Path, staging: &Path, plan: &Plan, manifest: &Manifest) -> Result<()> {
    let next = staging.join(NEXT_MANIFEST);
    let write_manifest = || -> std::io::Result<()> {
        let mut file = std::io::BufWriter::new(fs::File::create(&next)?);
        write_manifest(&mut file, plan, manifest)?;
        file.flush()
    };
    write_manifest().map_err(Error::write_to(&next))?;
    let temp = staging.join(PLAN_TEMP);
    let write_plan = || -> std::io::Result<()> {
        let mut file = std::io::BufWriter::new(fs::File::create(&temp)?);
        serde_json::to_writer(&mut file, plan)?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()
    };
    write_plan().map_err(Error::write_to(&temp))?;

    let mut guard = interrupt::commit_guard();
    failpoint_before_commit();
    let marker = staging.join(MARKER);
    fs::rename(&temp, &marker).map_err(Error::write_to(&marker))?;
    guard.committed();
    step_done();
    roll_forward(out, staging, plan).map_err(|(path, source)| Error::CommitUnfinished {
        path,
        staging: staging.to_path_buf(),
        source,
    })
}

/// Writes the next manifest: one name a line, sorted, each once.
fn write_manifest(out: &mut impl Write, plan: &Plan, manifest: &Manifest) -> std::io::Result<()> {
    match manifest {
        Manifest::Installed => {
            // The installed files, sorted by reference, with the keys merged in.
            let mut keys: Vec<&str> = plan.keys.iter().map(String::as_str).collect();
            keys.sort_unstable();
            keys.dedup();
            let sorted = plan.install.sorted();
            let mut installed = sorted.iter().peekable();
            for key in keys {
                while let Some(name) = installed.next_if(|&name| name < key) {
                    writeln!(out, "{name}")?;
                }
                if installed.peek() != Some(&key) {
                    writeln!(out, "{key}")?;
                }
            }
            for name in installed {
                writeln!(out, "{name}")?;
            }
        }
        Manifest::Listed(names) => {
            for name in names {
                writeln!(out, "{name}")?;
            }
        }
    }
    Ok(())
}

type StepError = (PathBuf, std::io::Error);

fn remove_if_there(path: &Path) -> std::result::Result<(), StepError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err((path.to_path_buf(), e)),
        _ => Ok(()),
    }
}

/// Moves `from` to `to` unless that was done already (`from` is gone). `made` holds the
/// directories known to exist (a class has thousands of files in a few directories).
fn install(
    from: &Path,
    to: &Path,
    made: &mut HashSet<PathBuf>,
) -> std::result::Result<(), StepError> {
    if let Some(parent) = to.parent() {
        if !made.contains(parent) {
            // Not for a file moved already: its directory may be gone with a later
            // step's cleanup, and must not come back.
            if fs::symlink_metadata(from).is_err() {
                return Ok(());
            }
            fs::create_dir_all(parent).map_err(|e| (parent.to_path_buf(), e))?;
            made.insert(parent.to_path_buf());
        }
    }
    // One system call per file: a rename that finds no `from` was done already (the
    // directory of `to` exists, made above).
    match fs::rename(from, to) {
        Err(e) if e.kind() == ErrorKind::NotFound && fs::symlink_metadata(from).is_err() => Ok(()),
        other => other.map_err(|e| (to.to_path_buf(), e)),
    }
}

/// Removes the directories inside `out` that the removed files leave empty (`print/`
/// after a run without `--print`); one that still holds anything stays, and so does
/// `out`. Not a step of its own: an empty directory left by a crash is harmless.
fn remove_emptied_dirs(out: &Path, removed: &[String]) {
    let mut dirs = BTreeSet::new();
    for name in removed {
        let mut dir = Path::new(name).parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            dirs.insert(d.to_path_buf());
            dir = d.parent();
        }
    }
    // Deepest first: `print/.build` sorts after `print`.
    for dir in dirs.iter().rev() {
        let _ = fs::remove_dir(out.join(dir));
    }
}

/// Carries out a committed plan; every step can be repeated.
fn roll_forward(out: &Path, staging: &Path, plan: &Plan) -> std::result::Result<(), StepError> {
    // Once a new key is installed the old ones are gone already; removing "old" keys
    // then would remove new ones.
    let keys_staged = plan.keys.iter().all(|k| staging.join(k).exists());
    let mut made = HashSet::new();
    for key in &plan.drop_old_keys {
        if keys_staged {
            remove_if_there(&out.join(key))?;
        }
        step_done();
    }
    for name in plan.install.iter() {
        install(&staging.join(name), &out.join(name), &mut made)?;
        step_done();
    }
    for name in &plan.remove {
        remove_if_there(&out.join(name))?;
        step_done();
    }
    remove_emptied_dirs(out, &plan.remove);
    install(&staging.join(NEXT_MANIFEST), &out.join(MANIFEST), &mut made)?;
    step_done();
    for key in &plan.keys {
        install(&staging.join(key), &out.join(key), &mut made)?;
        step_done();
    }
    match fs::remove_dir_all(staging) {
        Err(e) if e.kind() != ErrorKind::NotFound => return Err((staging.to_path_buf(), e)),
        _ => {}
    }
    step_done();
    Ok(())
}

/// Completes the committed staging directory `staging` of an earlier run.
pub fn resume(out: &Path, staging: &Path) -> Result<usize> {
    let marker = staging.join(MARKER);
    let plan: Plan = fs::read(&marker)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| Error::OutputBlocked {
            path: marker.clone(),
            problem: "the commit marker of an interrupted run cannot be read; remove its \
                      directory if the output directory is complete"
                .into(),
        })?;
    roll_forward(out, staging, &plan).map_err(|(path, source)| Error::CommitUnfinished {
        path,
        staging: staging.to_path_buf(),
        source,
    })?;
    Ok(plan.install.len() + plan.keys.len())
}

/// What `EXAMGEN_FAILPOINT` asks for at a step of the commit (tests only).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Failpoint {
    /// `commit:N`: abort the process after N steps, as kill -9 would.
    Abort(usize),
    /// `pause:N`: after N steps, say so on standard error and sleep, so that a test can
    /// send a signal at exactly that moment.
    Pause(usize),
}

fn failpoint() -> Option<Failpoint> {
    static AT: OnceLock<Option<Failpoint>> = OnceLock::new();
    *AT.get_or_init(|| {
        let value = std::env::var("EXAMGEN_FAILPOINT").ok()?;
        if let Some(n) = value.strip_prefix("commit:") {
            return n.parse().ok().map(Failpoint::Abort);
        }
        value
            .strip_prefix("pause:")?
            .parse()
            .ok()
            .map(Failpoint::Pause)
    })
}

/// How long `pause:N` sleeps at most; a signal ends the pause at once (a fixed short
/// pause let a test on a busy machine send its signal too late).
const PAUSE: std::time::Duration = std::time::Duration::from_secs(30);

static STEPS: AtomicUsize = AtomicUsize::new(0);

fn failpoint_before_commit() {
    at_step(STEPS.load(Ordering::SeqCst));
}

fn step_done() {
    at_step(STEPS.fetch_add(1, Ordering::SeqCst) + 1);
}

fn at_step(done: usize) {
    match failpoint() {
        Some(Failpoint::Abort(n)) if n == done => std::process::abort(),
        Some(Failpoint::Pause(n)) if n == done => {
            eprintln!("examgen: failpoint: paused after step {n}");
            let until = std::time::Instant::now() + PAUSE;
            while !interrupt::signalled() && std::time::Instant::now() < until {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_lists_the_installed_files_and_the_keys_sorted_each_once() {
        let cases: [&[&str]; 4] = [
            &[
                "b-exam.tex",
                "a.tex",
                "key.csv.bak",
                "key.json/x",
                "zz.tex",
                "a.tex",
            ],
            &[],
            &["key.csv"],
            &[
                "KEY.csv",
                "key.da",
                "key.jsonl",
                "key.csv.tex",
                "figures/fig-1.tex",
            ],
        ];
        for install in cases {
            for keys in [
                vec![],
                vec!["key.json", "key.csv"],
                vec!["key.csv", "key.csv"],
            ] {
                let plan = Plan {
                    install: install.iter().collect(),
                    keys: keys.iter().map(|k| k.to_string()).collect(),
                    ..Plan::default()
                };
                let mut written = Vec::new();
                write_manifest(&mut written, &plan, &Manifest::Installed).unwrap();
                let mut expected: Vec<&str> = install.iter().chain(&keys).copied().collect();
                expected.sort_unstable();
                expected.dedup();
                let expected: String = expected.iter().map(|n| format!("{n}\n")).collect();
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    expected,
                    "{install:?} {keys:?}"
                );
            }
        }
    }
}
