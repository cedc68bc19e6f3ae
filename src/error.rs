//! The library's error type: every message names what the user has to change.
//!
//! Spec errors carry the file, the line and the field; problem errors carry the
//! problem's position and kind; output errors carry the path that could not be written.

use std::path::PathBuf;

use crate::render::latex::FormatError;

/// Everything that can go wrong between reading a spec and writing the last file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: cannot read the file: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The YAML does not parse or does not fit the spec's types (serde's message).
    #[error("{path}:{line}:{column}: {message}")]
    SpecSyntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// The YAML parses but a value breaks a rule of the spec.
    #[error("{path}:{line}: {field}: {message}")]
    SpecInvalid {
        path: PathBuf,
        line: usize,
        field: String,
        message: String,
    },

    /// A value that the sheet must show exactly could not be recognised as exact.
    #[error("problem {index} ({kind}): {source}")]
    NotExact {
        index: usize,
        kind: &'static str,
        source: FormatError,
    },

    /// A problem's constraints could not be met.
    #[error("problem {index} ({kind}): {source}")]
    Draw {
        index: usize,
        kind: &'static str,
        source: crate::draw::DrawError,
    },

    #[error(
        "problem {index} ({kind}): the kind has no sheet in language `{}` yet; write the \
         exam in `language: hr` or leave this problem out",
        serde_json::to_value(language).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    )]
    NoTemplate {
        index: usize,
        kind: &'static str,
        language: crate::spec::Language,
    },

    #[error("problem {index} ({kind}): cannot render the {what} template: {message}")]
    Template {
        index: usize,
        kind: &'static str,
        what: &'static str,
        message: String,
    },

    /// One student's sheets could not be rendered: which spec and whose sheet (the
    /// source names the problem and the value).
    #[error("{spec}: the sheet of {who}: {source}")]
    Seat {
        spec: PathBuf,
        who: String,
        source: Box<Error>,
    },

    /// A class list breaks a rule; `line` counts the header as line 1.
    #[error("{path}:{line}: {message}")]
    ClassList {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error("variant code `{code}`: {source}")]
    Code {
        code: String,
        source: crate::variant::CodeError,
    },

    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
    /// A bad answers file (`examgen grade --answers`).
    #[error("{path}:{line}: {message}")]
    Answers {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// A key.json that cannot be graded against the spec.
    #[error("{path}: {message}")]
    Key { path: PathBuf, message: String },

    #[error("{path}: cannot write: {source} (check that the place exists and is writable, or choose another --out)")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{path} already exists and is not empty; choose another --out or pass --force to replace the files examgen writes there")]
    OutputExists { path: PathBuf },

    /// Refused for lacking `--force`, after completing an earlier run's interrupted
    /// commit into the directory.
    #[error("{path} already exists and is not empty: an earlier run was interrupted while installing its output there, and examgen has completed that, so it now holds that run's complete output; choose another --out or pass --force to replace the files examgen writes there")]
    OutputExistsCompleted { path: PathBuf },

    /// Another examgen run holds the output directory's lock.
    #[error("{path}: another examgen run is writing to this directory ({holder}); wait for it to finish, or choose another --out")]
    Locked { path: PathBuf, holder: String },

    /// Something inside the output directory stands where examgen must write; checked
    /// before anything is changed.
    #[error("{path}: {problem}; nothing in the output directory was changed")]
    OutputBlocked { path: PathBuf, problem: String },

    /// A write failed after the commit point: the new output is complete in the staging
    /// directory and the next run into the directory installs the rest.
    #[error("{path}: cannot write: {source}\n  (the new output is complete in {staging}; fix the problem and run examgen into this directory again, it finishes installing it first)")]
    CommitUnfinished {
        path: PathBuf,
        staging: PathBuf,
        source: std::io::Error,
    },

    /// A thread for the LaTeX runs could not be started.
    #[error("cannot start a thread for LaTeX: {source} (the system is short of threads or memory; try a smaller --jobs)")]
    PdfThread { source: std::io::Error },

    #[error("{message}")]
    TexMissing { message: String },

    /// `--moodle` could not draw its figures.
    #[error("moodle.xml: {message}")]
    Moodle { message: String },

    /// The system would not start another thread.
    #[error("cannot start a worker thread: {source}; run again with fewer threads, e.g. --jobs 1")]
    ThreadSpawn { source: std::io::Error },

    /// A worker thread panicked: a bug in examgen, not in the input.
    #[error("internal error: a worker thread failed while {task}; please report this with the spec and the class list")]
    ThreadPanicked { task: &'static str },

    #[error("{path}: LaTeX failed: {first_error}\n  (the .tex file is kept for inspection; the full log is {log})")]
    TexFailed {
        path: PathBuf,
        log: PathBuf,
        first_error: String,
    },

    /// Some documents of a run did not compile; the others did.
    #[error("{} of {total} documents did not compile (their .tex files are kept for inspection):{}", failures.len(), list_failures(failures))]
    TexFailures {
        total: usize,
        failures: Vec<TexFailure>,
    },
}

impl Error {
    /// `map_err` for an I/O error on `path` while writing output.
    pub fn write_to(path: &std::path::Path) -> impl Fn(std::io::Error) -> Error + '_ {
        move |source| Error::Write {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// One document that LaTeX could not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TexFailure {
    pub path: PathBuf,
    pub log: PathBuf,
    pub first_error: String,
}

fn list_failures(failures: &[TexFailure]) -> String {
    failures
        .iter()
        .map(|f| {
            format!(
                "\n  {}: {} (log: {})",
                f.path.display(),
                f.first_error,
                f.log.display()
            )
        })
        .collect()
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
