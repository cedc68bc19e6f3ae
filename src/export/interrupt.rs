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
//! A run that completes an earlier run's interrupted commit (see [`super::commit`]) is
//! registered before it starts, and that completion, too, finishes before the handler
//! acts: the message then says that the output directory holds the earlier run's complete
//! output, not that nothing was written.
//!
//! The binary installs the handler ([`install`]); the library only registers what the
//! handler must clean up, so library users without the handler see no difference.

use std::io;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use std::os::unix::process::CommandExt;

/// What the signal handler must clean up.
struct Registry {
    interrupted: bool,
    /// Process groups of the running LaTeX jobs (the pid of each latexmk).
    groups: Vec<u32>,
    run: Option<LiveRun>,
    /// The earlier run's commit being completed, or completed, in this output directory;
    /// kept after the run is forgotten, since it has changed the directory either way.
    recovery: Option<Recovery>,
}

/// Completing an earlier run's interrupted commit.
struct Recovery {
    out: PathBuf,
    done: bool,
}

/// The run in progress.
struct LiveRun {
    /// Its staging directory, once made.
    staging: Option<PathBuf>,
    lock: PathBuf,
    /// The output directory, when this run created it.
    created_out: Option<PathBuf>,
    committed: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    interrupted: false,
    groups: Vec::new(),
    run: None,
    recovery: None,
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

/// Set as soon as a signal arrives, before the handler waits for the registry (a commit
/// or a recovery in progress holds it).
static SIGNALLED: AtomicBool = AtomicBool::new(false);

/// Whether a signal has arrived (the handler may still be waiting for a commit).
pub fn signalled() -> bool {
    SIGNALLED.load(Ordering::SeqCst)
}

fn on_signal() {
    SIGNALLED.store(true, Ordering::SeqCst);
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
    let mut done = String::from("nothing was written");
    if let Some(run) = reg.run.take() {
        if run.committed {
            done = "the output of this run was installed completely".into();
        } else {
            if let Some(staging) = &run.staging {
                let _ = std::fs::remove_dir_all(staging);
            }
            done = if reg.recovery.is_some() {
                "this run's own output was not written".into()
            } else {
                "the output directory is as it was before this run".into()
            };
        }
        // This process holds the lock until it exits.
        let _ = std::fs::remove_file(&run.lock);
        if let Some(out) = run.created_out {
            let _ = std::fs::remove_dir(out);
        }
    }
    if let Some(recovery) = &reg.recovery {
        let out = recovery.out.display();
        done = if recovery.done {
            format!(
                "the interrupted commit of an earlier run was completed first, so {out} \
                 holds that run's complete output; {done}"
            )
        } else {
            format!(
                "{out} holds an earlier run's output only partly installed; run examgen \
                 into it again and it completes the installation first"
            )
        };
    }
    // Not eprintln!, which panics when standard error is a closed pipe.
    use std::io::Write as _;
    let _ = writeln!(io::stderr(), "\nexamgen: interrupted; {done}");
    // Exits holding the registry: no new LaTeX job can start, no commit can begin.
    std::process::exit(130);
}

/// Registers the run in progress (one per process) as soon as it holds the lock, before
/// it changes anything.
pub fn register_run(lock: PathBuf, created_out: Option<PathBuf>) {
    registry().run = Some(LiveRun {
        staging: None,
        lock,
        created_out,
        committed: false,
    });
}

/// Makes the run's staging directory with `make` and registers it, as one step for the
/// handler: a signal meanwhile waits, and then removes it.
pub fn open_staging<E>(make: impl FnOnce() -> Result<PathBuf, E>) -> Result<PathBuf, E> {
    let mut reg = registry();
    let dir = make()?;
    if let Some(run) = reg.run.as_mut() {
        run.staging = Some(dir.clone());
    }
    Ok(dir)
}

/// Held while an earlier run's interrupted commit is completed; a signal waits for it,
/// as for a commit.
pub struct RecoveryGuard {
    registry: MutexGuard<'static, Registry>,
}

/// Registers that the earlier commit into `out` is being completed, and blocks the
/// handler until the guard is dropped.
pub fn recovery_guard(out: PathBuf) -> RecoveryGuard {
    let mut registry = registry();
    registry.recovery = Some(Recovery { out, done: false });
    RecoveryGuard { registry }
}

impl RecoveryGuard {
    /// The earlier run's output is complete in the output directory.
    pub fn completed(&mut self) {
        if let Some(recovery) = self.registry.recovery.as_mut() {
            recovery.done = true;
        }
    }
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
fn spawn(command: &mut Command) -> io::Result<Child> {
    let mut reg = registry();
    if reg.interrupted {
        return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
    }
    let child = command.process_group(0).spawn()?;
    reg.groups.push(child.id());
    Ok(child)
}

/// Forgets a LaTeX job's process group once it has been waited for.
fn finished(child: &Child) {
    registry().groups.retain(|&g| g != child.id());
}

/// Runs `command` to its end: [`spawn`], wait, [`finished`].
pub fn run(command: &mut Command) -> io::Result<std::process::ExitStatus> {
    spawn(command).and_then(|mut child| {
        let status = child.wait();
        finished(&child);
        status
    })
}
