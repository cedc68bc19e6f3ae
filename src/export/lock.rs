//! One run at a time per output directory.
//!
//! Two runs writing into the same `--out` would install each other's half-finished
//! output and remove each other's staging directories. Every run that writes holds
//! `OUT/.examgen.lock` from before it touches anything until it has finished;
//! `File::try_lock` is an OS lock, so a killed holder releases it without cleanup and a
//! lock file left behind by one is simply taken over. A second run fails at once, and
//! says who holds the lock (pid, since when, command line: the holder writes them into
//! the file).
//!
//! The holder removes the file when it ends, so a finished or failed run leaves nothing
//! behind. That is safe because a run that took the lock checks that the file it locked
//! is still the one at the path: one that locked a file just removed by the previous
//! holder tries again.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

/// The lock file's name inside the output directory.
pub const LOCK_FILE: &str = ".examgen.lock";

/// The output directory's lock, held until dropped (or [`OutLock::release`]d).
pub struct OutLock {
    file: File,
    path: PathBuf,
}

impl OutLock {
    /// Takes the lock of `out`, or fails at once naming the holder.
    pub fn acquire(out: &Path) -> Result<OutLock> {
        let path = out.join(LOCK_FILE);
        loop {
            if let Ok(meta) = fs::symlink_metadata(&path) {
                if !meta.file_type().is_file() {
                    return Err(Error::OutputBlocked {
                        path,
                        problem: "examgen's lock file is not a regular file (a link or a \
                                  directory); remove it"
                            .into(),
                    });
                }
            }
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(Error::write_to(&path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(Error::Locked {
                        path: out.to_path_buf(),
                        holder: describe_holder(&text),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(Error::write_to(&path)(e)),
            }
            let locked = file.metadata().map_err(Error::write_to(&path))?;
            let same = fs::symlink_metadata(&path)
                .is_ok_and(|now| now.dev() == locked.dev() && now.ino() == locked.ino());
            if !same {
                continue;
            }
            let started = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let command: Vec<String> = std::env::args().collect();
            let text = format!(
                "pid {}\nstarted {started}\ncommand {}\n",
                std::process::id(),
                command.join(" ")
            );
            file.set_len(0).map_err(Error::write_to(&path))?;
            file.rewind().map_err(Error::write_to(&path))?;
            file.write_all(text.as_bytes())
                .map_err(Error::write_to(&path))?;
            return Ok(OutLock { file, path });
        }
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the lock file (while still holding it), then releases the lock.
    pub fn release(self) {
        let _ = fs::remove_file(&self.path);
        drop(self.file);
    }
}

/// "pid 123, since 2026-05-01 10:00:00 UTC (42 s ago), command ..." from the lock file.
fn describe_holder(text: &str) -> String {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .map(str::to_string)
    };
    let Some(pid) = field("pid") else {
        return "it is just starting".into();
    };
    let mut out = format!("pid {pid}");
    if let Some(started) = field("started").and_then(|s| s.parse::<u64>().ok()) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        out.push_str(&format!(
            ", since {} ({} s ago)",
            utc(started),
            now.saturating_sub(started)
        ));
    }
    if let Some(command) = field("command") {
        out.push_str(&format!(", command `{command}`"));
    }
    out
}

/// A Unix time as `YYYY-MM-DD hh:mm:ss UTC` (the civil calendar from day numbers,
/// Howard Hinnant's `civil_from_days`).
fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_767_225_599), "2025-12-31 23:59:59 UTC");
    }

    #[test]
    fn a_held_lock_is_refused_and_names_its_holder() {
        let dir = std::env::temp_dir().join(format!("examgen-lock-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let held = OutLock::acquire(&dir).unwrap();
        let err = OutLock::acquire(&dir)
            .err()
            .expect("the second lock is refused");
        let text = err.to_string();
        assert!(
            text.contains(&format!("pid {}", std::process::id())),
            "{text}"
        );
        held.release();
        assert!(!dir.join(LOCK_FILE).exists());
        OutLock::acquire(&dir).unwrap().release();
        fs::remove_dir_all(&dir).unwrap();
    }
}
