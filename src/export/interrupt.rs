//! Ctrl-C (SIGINT) and SIGTERM during a run: nothing keeps running, nothing half-made
//! stays behind.
//!
//! latexmk runs in a process group of its own, so the terminal's Ctrl-C does not reach
//! it and pdflatex (its child) can be killed with it: on a signal the whole group of
//! every running LaTeX job is killed. A run that has not reached its commit point then
//! removes its staging directory (and the output directory, if it created it) and the
//! process exits with 130. Once the commit point is passed the signal waits until the
//! commit is complete: committing is quick, and an output directory is never left half
//! old, half new by a Ctrl-C.
//!
//! The binary installs the handler ([`install`]); the library only registers what the
//! handler must clean up, so library users without the handler see no difference.

use std::io;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::{Mutex, MutexGuard};

use std::os::unix::process::CommandExt;

/// What the signal handler must clean up.
struct Registry {
    interrupted: bool,
    /// Process groups of the running LaTeX jobs (the pid of each latexmk).
    groups: Vec<u32>,
    run: Option<LiveRun>,
}

/// The run in progress.
struct LiveRun {
    staging: PathBuf,
    lock: PathBuf,
    /// The output directory, when this run created it.
    created_out: Option<PathBuf>,
    committed: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    interrupted: false,
    groups: Vec::new(),
    run: None,
});

fn registry() -> MutexGuard<'static, Registry> {
    // The registry is only ever updated with single assignments: a panic elsewhere while
    // it was held leaves it consistent.
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Installs the SIGINT/SIGTERM handler (once, from the binary).
pub fn install() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(on_signal)
}

fn on_signal() {
    let mut reg = registry();
    reg.interrupted = true;
    for &group in &reg.groups {
        if let Ok(pgid) = i32::try_from(group) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pgid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
    let mut done = "nothing was written";
    if let Some(run) = reg.run.take() {
        if run.committed {
            done = "the output of this run was installed completely";
        } else {
            let _ = std::fs::remove_dir_all(&run.staging);
            done = "the output directory is as it was before this run";
        }
        // This process holds the lock until it exits.
        let _ = std::fs::remove_file(&run.lock);
        if let Some(out) = run.created_out {
            let _ = std::fs::remove_dir(out);
        }
    }
    eprintln!("\nexamgen: interrupted; {done}");
    // Exits holding the registry: no new LaTeX job can start, no commit can begin.
    std::process::exit(130);
}

/// Registers the run in progress (one per process).
pub fn register_run(staging: PathBuf, lock: PathBuf, created_out: Option<PathBuf>) {
    registry().run = Some(LiveRun {
        staging,
        lock,
        created_out,
        committed: false,
    });
}

/// Forgets the run (it has cleaned up after itself).
pub fn unregister_run() {
    registry().run = None;
}

/// Held from the commit point until the commit is complete; a signal waits for it.
pub struct CommitGuard {
    registry: MutexGuard<'static, Registry>,
}

/// Blocks the signal handler until the guard is dropped; taken just before the commit
/// point.
pub fn commit_guard() -> CommitGuard {
    CommitGuard {
        registry: registry(),
    }
}

impl CommitGuard {
    /// The commit point is passed: a signal no longer removes the staging directory.
    pub fn committed(&mut self) {
        if let Some(run) = self.registry.run.as_mut() {
            run.committed = true;
        }
    }
}

/// Starts `command` in a process group of its own, known to the handler.
pub fn spawn(command: &mut Command) -> io::Result<Child> {
    let mut reg = registry();
    if reg.interrupted {
        return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
    }
    let child = command.process_group(0).spawn()?;
    reg.groups.push(child.id());
    Ok(child)
}

/// Forgets a LaTeX job's process group once it has been waited for.
pub fn finished(child: &Child) {
    registry().groups.retain(|&g| g != child.id());
}
