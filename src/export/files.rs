//! Writing output so that a failed or interrupted run leaves earlier output intact and no
//! truncated file behind.
//!
//! A run writes everything into a hidden staging directory inside the output directory
//! (`.examgen-staging-<pid>`); only when every file is complete are they renamed into
//! place, one by one, each rename atomic. A failed run removes its staging directory; a
//! killed one leaves it behind, hidden, and the next run in that directory removes it.
//! (This guards against an interrupted process; files are not fsynced one by one, which
//! cost more than everything else in a class run.)

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const STAGING_PREFIX: &str = ".examgen-staging-";

/// Where LaTeX's logs are kept, inside the output directory.
pub const BUILD_DIR: &str = ".build";

fn write_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn is_staging(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with(STAGING_PREFIX)
}

/// Makes sure `dir` can receive output: it is created if missing (returns true then); an
/// existing directory with anything but stale staging directories in it is refused unless
/// `force` is set.
pub fn prepare_dir(dir: &Path, force: bool) -> Result<bool> {
    match fs::read_dir(dir) {
        Ok(entries) => {
            let mut occupied = false;
            for entry in entries.flatten() {
                if is_staging(&entry.file_name()) {
                    // Left by a run that was killed; never a finished file.
                    let _ = fs::remove_dir_all(entry.path());
                } else {
                    occupied = true;
                }
            }
            if occupied && !force {
                return Err(Error::OutputExists {
                    path: dir.to_path_buf(),
                });
            }
            Ok(false)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(write_error(dir))?;
            Ok(true)
        }
        Err(e) => Err(write_error(dir)(e)),
    }
}

/// Moves a finished file into place (same file system).
pub fn move_into_place(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(write_error(to))
}

/// The output of one run while it is being written.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    created_out: bool,
    names: Vec<String>,
    committed: bool,
}

impl Staging {
    /// Checks the output directory (see [`prepare_dir`]) and opens a staging directory.
    pub fn begin(out: &Path, force: bool) -> Result<Staging> {
        let created_out = prepare_dir(out, force)?;
        let dir = out.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        if let Err(e) = fs::create_dir(&dir) {
            if created_out {
                let _ = fs::remove_dir(out);
            }
            return Err(write_error(&dir)(e));
        }
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            created_out,
            names: Vec::new(),
            committed: false,
        })
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
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(write_error(parent))?;
        }
        let file = fs::File::create(&path).map_err(write_error(&path))?;
        self.names.push(name.to_string());
        Ok((file, path))
    }

    /// Writes a whole file into the staging directory.
    pub fn write(&mut self, name: &str, contents: &[u8]) -> Result<()> {
        let (mut file, path) = self.create(name)?;
        file.write_all(contents).map_err(write_error(&path))
    }

    /// Registers a file that something else (LaTeX) made in the staging directory.
    pub fn adopt(&mut self, name: &str) {
        self.names.push(name.to_string());
    }

    /// Moves every staged file into the output directory (and LaTeX logs into its
    /// `.build`), removes the staging directory, and returns the final paths. The keys
    /// move last, so a run interrupted while moving never shows a new key beside old
    /// sheets.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let mut written = Vec::with_capacity(self.names.len());
        let (keys, sheets): (Vec<&String>, Vec<&String>) =
            self.names.iter().partition(|n| n.starts_with("key."));
        for name in sheets.into_iter().chain(keys) {
            let from = self.dir.join(name);
            let to = self.out.join(name);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(write_error(parent))?;
            }
            move_into_place(&from, &to)?;
            written.push(to);
        }
        for sub in ["", crate::render::figure::FIGURES_DIR] {
            let logs = self.dir.join(sub).join(BUILD_DIR);
            let Ok(entries) = fs::read_dir(&logs) else {
                continue;
            };
            let keep = self.out.join(sub).join(BUILD_DIR);
            fs::create_dir_all(&keep).map_err(write_error(&keep))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "log") {
                    let _ = fs::rename(&path, keep.join(entry.file_name()));
                }
            }
        }
        self.committed = true;
        let _ = fs::remove_dir_all(&self.dir);
        Ok(written)
    }
}

impl Drop for Staging {
    /// An abandoned run leaves nothing behind: not its files, and not the output
    /// directory if the run created it.
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
            if self.created_out {
                let _ = fs::remove_dir(&self.out);
            }
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

    #[test]
    fn a_committed_run_moves_its_files_and_leaves_no_staging() {
        let dir = scratch("commit");
        let mut staging = Staging::begin(&dir, false).unwrap();
        staging.write("k.json", b"{}\n").unwrap();
        staging.write("a-exam.tex", b"x").unwrap();
        staging.commit().unwrap();
        assert_eq!(names(&dir), vec!["a-exam.tex", "k.json"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_abandoned_run_leaves_earlier_output_intact() {
        let dir = scratch("abandon");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("a-exam.tex"), b"old").unwrap();
        {
            let mut staging = Staging::begin(&dir, true).unwrap();
            staging.write("a-exam.tex", b"new").unwrap();
        }
        assert_eq!(names(&dir), vec!["a-exam.tex"]);
        assert_eq!(fs::read(dir.join("a-exam.tex")).unwrap(), b"old");
        fs::remove_dir_all(&dir).unwrap();

        let fresh = scratch("abandon-fresh");
        drop(Staging::begin(&fresh, false).unwrap());
        assert!(
            !fresh.exists(),
            "a directory the run created is removed again"
        );
    }

    #[test]
    fn stale_staging_directories_do_not_count_and_are_removed() {
        let dir = scratch("stale");
        fs::create_dir_all(dir.join(".examgen-staging-1")).unwrap();
        assert!(prepare_dir(&dir, false).is_ok());
        assert!(names(&dir).is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }
}
