//! Writing output files so that an interrupted or failed run leaves no truncated file:
//! each file is written to a temporary name in the same directory and renamed into place.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Makes sure `dir` can receive output: it is created if missing; an existing non-empty
/// directory is refused unless `force` is set.
pub fn prepare_dir(dir: &Path, force: bool) -> Result<()> {
    let write_error = |source| Error::Write {
        path: dir.to_path_buf(),
        source,
    };
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(Error::OutputExists {
                    path: dir.to_path_buf(),
                });
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(write_error)
        }
        Err(e) => Err(write_error(e)),
    }
}

/// The temporary name `path` is written under before the rename.
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes `contents` to `path` atomically (temporary file, fsync, rename).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let tmp = temporary(path);
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|source| {
        let _ = fs::remove_file(&tmp);
        Error::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Moves a finished file into place (same file system).
pub fn move_into_place(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(|source| Error::Write {
        path: to.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("examgen-files-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn refuses_a_non_empty_directory_without_force() {
        let dir = scratch("refuse");
        prepare_dir(&dir, false).unwrap();
        write_atomic(&dir.join("a.txt"), b"x").unwrap();
        assert!(matches!(
            prepare_dir(&dir, false),
            Err(Error::OutputExists { .. })
        ));
        assert!(prepare_dir(&dir, true).is_ok());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = scratch("atomic");
        prepare_dir(&dir, false).unwrap();
        write_atomic(&dir.join("k.json"), b"{}\n").unwrap();
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec!["k.json".to_string()]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
