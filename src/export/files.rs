//! Writing output so that a failed, interrupted or concurrent run leaves earlier output
//! intact and no truncated file behind.
//!
//! A run takes the output directory's lock ([`super::lock`]), writes everything into a
//! hidden staging directory inside it (`.examgen-staging-<pid>`), and only when every
//! file is complete installs them all or nothing ([`super::commit`]). A failed run
//! removes its staging directory; one killed before its commit point leaves it behind,
//! hidden, and the next run into the directory removes it; one killed after its commit
//! point is completed by the next run that targets the directory, before anything else.
//!
//! The lock file, the manifest and staging directories are examgen's bookkeeping: they do
//! not make a directory "not empty". A regular file that merely has a staging
//! directory's name is not bookkeeping, and is never removed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::commit::{self, Mode, MANIFEST, MARKER};
use super::interrupt;
use super::lock::{OutLock, LOCK_FILE};
use crate::error::{Error, Result};
use crate::names::Names;

const STAGING_PREFIX: &str = ".examgen-staging-";

/// Where LaTeX's logs are kept, inside the output directory.
pub const BUILD_DIR: &str = ".build";

/// Whether an entry of the output directory is a staging directory (a real directory,
/// not a link or a file with that name).
fn is_staging(entry: &fs::DirEntry) -> bool {
    entry
        .file_name()
        .to_string_lossy()
        .starts_with(STAGING_PREFIX)
        && entry.file_type().is_ok_and(|t| t.is_dir())
}

/// Whether an entry is examgen's bookkeeping rather than output.
fn is_bookkeeping(entry: &fs::DirEntry) -> bool {
    let name = entry.file_name();
    is_staging(entry)
        || ((name == LOCK_FILE || name == MANIFEST) && entry.file_type().is_ok_and(|t| t.is_file()))
}

/// Makes sure `dir` can receive output: it is created if missing (returns true then); an
/// existing directory holding anything but examgen's bookkeeping is refused unless
/// `force` is set. Changes nothing in an existing directory.
pub fn prepare_dir(dir: &Path, force: bool) -> Result<bool> {
    match fs::read_dir(dir) {
        Ok(entries) => {
            if !holds_only_bookkeeping(entries) && !force {
                return Err(Error::OutputExists {
                    path: dir.to_path_buf(),
                });
            }
            Ok(false)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(Error::write_to(dir)(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "it is a symbolic link to a place that does not exist",
                )));
            }
            fs::create_dir_all(dir).map_err(Error::write_to(dir))?;
            Ok(true)
        }
        Err(e) => Err(Error::write_to(dir)(e)),
    }
}

/// Whether a directory's entries are examgen's bookkeeping only (or none); an entry
/// that cannot be read is not (the commit's checks are skipped for an empty directory).
fn holds_only_bookkeeping(mut entries: fs::ReadDir) -> bool {
    entries.all(|e| e.is_ok_and(|e| is_bookkeeping(&e)))
}

/// Moves a finished file into place (same file system).
pub fn move_into_place(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(Error::write_to(to))
}

/// Whether `out` holds the staging directory of a run killed after its commit point (or
/// of a live run now installing its output: only the lock tells them apart).
fn has_interrupted_commit(out: &Path) -> bool {
    fs::read_dir(out).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| is_staging(&e) && e.path().join(MARKER).exists())
    })
}

/// Completes the committed staging directories of killed runs, returning how many, and
/// with `remove_stale` removes the others. Only the lock holder calls this: a staging
/// directory is then never a live run's.
fn recover(out: &Path, remove_stale: bool) -> Result<usize> {
    let Ok(entries) = fs::read_dir(out) else {
        return Ok(0);
    };
    let mut stale: Vec<PathBuf> = entries
        .flatten()
        .filter(is_staging)
        .map(|e| e.path())
        .collect();
    stale.sort();
    let mut completed = 0;
    for dir in stale {
        if dir.join(MARKER).exists() {
            // A signal meanwhile waits: the directory is then complete, not half done.
            let mut guard = interrupt::recovery_guard(out.to_path_buf());
            let files = commit::resume(out, &dir)?;
            guard.completed();
            drop(guard);
            completed += 1;
            // Not eprintln!, which panics when standard error is a closed pipe.
            let _ = writeln!(
                std::io::stderr(),
                "examgen: warning: completed the interrupted commit of an earlier run \
                 ({files} files installed in {})",
                out.display()
            );
        } else if remove_stale {
            let _ = fs::remove_dir_all(&dir);
        }
    }
    Ok(completed)
}

/// The output of one run while it is being written.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    mode: Mode,
    created_out: bool,
    lock: Option<OutLock>,
    /// The files staged for the commit, the keys apart (see [`Staging::register`]).
    names: Names,
    keys: Vec<String>,
    committed: bool,
}

impl Staging {
    /// Completes an earlier run's interrupted commit into `out` if there is one, checks
    /// the output directory (see [`prepare_dir`]), takes its lock, removes what runs
    /// killed before their commit point left, and opens a staging directory.
    ///
    /// The interrupted commit comes first, even for a run then refused for lacking
    /// `--force`: until it is completed the directory holds new sheets beside no key or
    /// the old one.
    pub fn begin(out: &Path, force: bool, mode: Mode) -> Result<Staging> {
        let mut staging = Staging {
            out: out.to_path_buf(),
            dir: PathBuf::new(),
            mode,
            created_out: false,
            lock: None,
            names: Names::new(),
            keys: Vec::new(),
            committed: false,
        };
        let mut completed = 0;
        if has_interrupted_commit(out) {
            staging.take_lock()?;
            completed = recover(out, false)?;
        }
        staging.created_out = match prepare_dir(out, force) {
            Err(Error::OutputExists { path }) if completed > 0 => {
                return Err(Error::OutputExistsCompleted { path })
            }
            other => other?,
        };
        if staging.lock.is_none() {
            staging.take_lock()?;
        }
        recover(out, true)?;
        // A file (not ours) may carry the name; another name then.
        let dir = interrupt::open_staging(|| {
            let mut dir = out.join(format!("{STAGING_PREFIX}{}", std::process::id()));
            for k in 1.. {
                match fs::create_dir(&dir) {
                    Ok(()) => break,
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && k < 100 => {
                        dir = out.join(format!("{STAGING_PREFIX}{}-{k}", std::process::id()));
                    }
                    Err(e) => return Err(Error::write_to(&dir)(e)),
                }
            }
            Ok(dir)
        })?;
        staging.dir = dir;
        Ok(staging)
    }

    /// Takes the output directory's lock and registers the run with the signal handler.
    fn take_lock(&mut self) -> Result<()> {
        let lock = OutLock::acquire(&self.out)?;
        interrupt::register_run(
            lock.path().to_path_buf(),
            self.created_out.then(|| self.out.clone()),
        );
        self.lock = Some(lock);
        Ok(())
    }

    /// Checks, changing nothing, that the files staged so far and `also` (files still to
    /// come, such as PDFs) can be installed: the commit's own check, run before the long
    /// work (LaTeX) so that a refusal comes at once. The commit checks again.
    pub fn check_ahead(&self, also: &[String]) -> Result<()> {
        let (mut names, mut keys) = (self.names.clone(), self.keys.clone());
        for name in also {
            register(&mut names, &mut keys, name);
        }
        let empty = self.out_is_empty();
        let (plan, _) = commit::plan(&self.out, names, keys, self.mode, empty)?;
        commit::check(&self.out, &plan, empty)
    }

    /// Whether the output directory holds nothing but examgen's bookkeeping (this run's
    /// staging directory, the lock, a manifest): then no staged file can meet anything
    /// there, and the commit looks up no file one by one. Read at each check, so that
    /// anything put there during the run (a LaTeX run takes minutes) is seen.
    fn out_is_empty(&self) -> bool {
        fs::read_dir(&self.out).is_ok_and(holds_only_bookkeeping)
    }

    /// The staging directory (LaTeX runs here).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The final output directory.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Opens a file to be written in the staging directory; it is moved into the output
    /// directory on commit.
    pub fn create(&mut self, name: &str) -> Result<(fs::File, PathBuf)> {
        let opened = self.open(name)?;
        self.register(name);
        Ok(opened)
    }

    /// Creates `name` in the staging directory, and its folder if it is in one (a file
    /// at the top, the sheets of a class, needs no directory check).
    fn open(&self, name: &str) -> Result<(fs::File, PathBuf)> {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent().filter(|p| *p != self.dir) {
            fs::create_dir_all(parent).map_err(Error::write_to(parent))?;
        }
        let file = fs::File::create(&path).map_err(Error::write_to(&path))?;
        Ok((file, path))
    }

    /// Writes a whole file into the staging directory.
    pub fn write(&mut self, name: &str, contents: &[u8]) -> Result<()> {
        self.put(name, contents)?;
        self.register(name);
        Ok(())
    }

    /// Writes a whole file into the staging directory without registering it for the
    /// commit: [`Staging::adopt`] does, so that a class written in seating order is
    /// installed in class-list order.
    pub fn put(&self, name: &str, contents: &[u8]) -> Result<()> {
        let (mut file, path) = self.open(name)?;
        file.write_all(contents).map_err(Error::write_to(&path))
    }

    /// Registers a file that something else (LaTeX, [`Staging::put`]) made in the
    /// staging directory.
    pub fn adopt(&mut self, name: &str) {
        self.register(name);
    }

    /// Registers a staged file for the commit.
    fn register(&mut self, name: &str) {
        register(&mut self.names, &mut self.keys, name);
    }

    /// Installs every staged file (and LaTeX's logs, into `.build`) all or nothing, see
    /// [`super::commit`], and then hands `installed` the final path of every sheet and key
    /// (a class has hundreds of thousands: they are not collected here).
    pub fn commit(mut self, mut installed: impl FnMut(PathBuf)) -> Result<()> {
        let mut staged = std::mem::take(&mut self.names);
        for sub in ["", crate::render::figure::FIGURES_DIR] {
            let logs = Path::new(sub).join(BUILD_DIR);
            let Ok(entries) = fs::read_dir(self.dir.join(&logs)) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "log"))
                .filter_map(|p| Some(logs.join(p.file_name()?).to_str()?.to_string()))
                .collect();
            names.sort();
            staged.extend(names);
        }
        let keys = std::mem::take(&mut self.keys);
        let empty = self.out_is_empty();
        let (plan, manifest) = commit::plan(&self.out, staged, keys, self.mode, empty)?;
        commit::check(&self.out, &plan, empty)?;
        let result = commit::commit(&self.out, &self.dir, &plan, &manifest);
        // Past the commit point the staging directory is the next run's to complete.
        if !matches!(result, Err(Error::Write { .. })) {
            self.committed = true;
        }
        result?;
        let logs = |n: &&str| {
            Path::new(n)
                .components()
                .any(|c| c.as_os_str() == BUILD_DIR)
        };
        let keys = plan.keys.iter().map(String::as_str);
        for name in plan.install.iter().filter(|n| !logs(n)).chain(keys) {
            installed(self.out.join(name));
        }
        Ok(())
    }
}

/// Adds a staged file to the files of the commit, an answer key apart: the keys go last.
fn register(names: &mut Names, keys: &mut Vec<String>, name: &str) {
    if commit::KEYS.contains(&name) {
        keys.push(name.to_string());
    } else {
        names.push(name);
    }
}

impl Drop for Staging {
    /// An abandoned run leaves nothing behind: not its files, not its lock file, and not
    /// the output directory if the run created it.
    fn drop(&mut self) {
        interrupt::unregister_run();
        if !self.committed && !self.dir.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.dir);
        }
        if let Some(lock) = self.lock.take() {
            lock.release();
        }
        if self.created_out && !self.committed {
            let _ = fs::remove_dir(&self.out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("examgen-files-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_dangling_link_as_the_output_directory_is_named_as_such() {
        let dir = scratch("dangling");
        fs::create_dir_all(&dir).unwrap();
        let link = dir.join("out");
        std::os::unix::fs::symlink(dir.join("missing"), &link).unwrap();
        let e = prepare_dir(&link, false).unwrap_err().to_string();
        assert!(
            e.contains("symbolic link to a place that does not exist"),
            "{e}"
        );
        assert!(!dir.join("missing").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_a_non_empty_directory_without_force() {
        let dir = scratch("refuse");
        prepare_dir(&dir, false).unwrap();
        fs::write(dir.join("a.txt"), b"x").unwrap();
        assert!(matches!(
            prepare_dir(&dir, false),
            Err(Error::OutputExists { .. })
        ));
        assert!(prepare_dir(&dir, true).is_ok());
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A new output directory is not looked into file by file at the commit; what
    /// appears in it during the run (here a directory where a sheet goes) is still
    /// refused before anything is installed.
    #[test]
    fn what_appears_in_a_new_output_directory_during_the_run_is_still_checked() {
        let dir = scratch("appears");
        let mut staging = Staging::begin(&dir, false, Mode::Replace).unwrap();
        staging.write("a-exam.tex", b"x").unwrap();
        staging.write("b-exam.tex", b"y").unwrap();
        fs::create_dir(dir.join("b-exam.tex")).unwrap();
        let err = staging.commit(|_| {}).unwrap_err();
        assert!(matches!(err, Error::OutputBlocked { .. }), "{err:?}");
        assert!(!dir.join("a-exam.tex").exists());
        assert!(dir.join("b-exam.tex").is_dir());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_committed_run_moves_its_files_and_leaves_no_staging() {
        let dir = scratch("commit");
        let mut staging = Staging::begin(&dir, false, Mode::Replace).unwrap();
        staging.write("k.json", b"{}\n").unwrap();
        staging.write("a-exam.tex", b"x").unwrap();
        staging.commit(|_| {}).unwrap();
        assert_eq!(
            names(&dir),
            vec![".examgen-manifest", "a-exam.tex", "k.json"]
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_abandoned_run_leaves_earlier_output_intact() {
        let dir = scratch("abandon");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("a-exam.tex"), b"old").unwrap();
        {
            let mut staging = Staging::begin(&dir, true, Mode::Replace).unwrap();
            staging.write("a-exam.tex", b"new").unwrap();
        }
        assert_eq!(names(&dir), vec!["a-exam.tex"]);
        assert_eq!(fs::read(dir.join("a-exam.tex")).unwrap(), b"old");
        fs::remove_dir_all(&dir).unwrap();

        let fresh = scratch("abandon-fresh");
        drop(Staging::begin(&fresh, false, Mode::Replace).unwrap());
        assert!(
            !fresh.exists(),
            "a directory the run created is removed again"
        );
    }

    #[test]
    fn stale_staging_directories_do_not_count_and_are_removed_by_the_lock_holder() {
        let dir = scratch("stale");
        fs::create_dir_all(dir.join(".examgen-staging-1")).unwrap();
        assert!(prepare_dir(&dir, false).is_ok());
        assert_eq!(
            names(&dir),
            vec![".examgen-staging-1"],
            "a check removes nothing"
        );
        let mut staging = Staging::begin(&dir, false, Mode::Replace).unwrap();
        staging.write("a-exam.tex", b"x").unwrap();
        staging.commit(|_| {}).unwrap();
        assert_eq!(names(&dir), vec![".examgen-manifest", "a-exam.tex"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_named_like_a_staging_directory_is_output() {
        let dir = scratch("staging-file");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(".examgen-staging-x"), b"mine").unwrap();
        assert!(matches!(
            prepare_dir(&dir, false),
            Err(Error::OutputExists { .. })
        ));
        Staging::begin(&dir, true, Mode::Replace)
            .unwrap()
            .commit(|_| {})
            .unwrap();
        assert_eq!(fs::read(dir.join(".examgen-staging-x")).unwrap(), b"mine");
        fs::remove_dir_all(&dir).unwrap();
    }
}
