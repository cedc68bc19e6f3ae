//! A checked exam: the spec's header and its problems, each a registered kind's plan —
//! where [`crate::spec`] (which knows no kind) and the kind registry
//! ([`crate::problems`]) meet — and the exam's two sheets.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::problems::{Problem, RawProblem, Solved, KINDS};
use crate::render::sheet::{self, Sheets, StudentLine, Titles};
use crate::spec::{self, Language};

/// A checked exam spec.
#[derive(Clone, Debug)]
pub struct ExamSpec {
    pub path: PathBuf,
    /// 64-bit hash of the spec file: variant codes carry its low 30 bits as the spec tag
    /// and mix all of it into their check (see [`crate::variant`]).
    pub hash: u64,
    pub course: String,
    pub exam: String,
    pub date: Option<String>,
    pub author: Option<String>,
    pub language: Language,
    pub problems: Vec<Problem>,
}

/// Reads and checks a spec file.
pub fn load(path: &Path) -> Result<ExamSpec> {
    parse(&spec::read(path)?, path)
}

/// Parses and checks spec text; `path` is used in messages only.
pub fn parse(source: &str, path: &Path) -> Result<ExamSpec> {
    let source = spec::without_bom(source);
    let raw = spec::parse_raw::<RawProblem>(source, path, KINDS)?;
    let invalid = |field: String, message: String| spec::invalid(path, source, &field, message);
    let mut problems = Vec::with_capacity(raw.problems.len());
    for (i, entry) in raw.problems.into_iter().enumerate() {
        let base = format!("problems[{i}]");
        let problem = entry
            .into_problem()
            .map_err(|message| invalid(base.clone(), message))?
            .map_err(|e| invalid(format!("{base}.{}", e.field), e.message))?;
        // Fail fast: pinned values that break a constraint, or ranges under which a
        // constraint cannot be met, are spec errors found here rather than halfway
        // through a class.
        let mut probe = crate::draw::problem_rng(u64::MAX, u64::MAX, i, 0);
        if let Err(e) = problem.draw(&mut probe) {
            let description = problem
                .constraints()
                .into_iter()
                .find(|(name, _)| *name == e.constraint)
                .map_or(String::new(), |(_, d)| format!(" ({d})"));
            return Err(if problem.is_fixed() {
                invalid(
                    format!("{base}.{}", problem.kind()),
                    format!(
                        "the pinned parameters break the constraint `{}`{description}; change them",
                        e.constraint
                    ),
                )
            } else {
                invalid(
                    format!("{base}.{}.draw", problem.kind()),
                    format!(
                        "these ranges cannot satisfy the constraint `{}`{description}: no valid variant in {} tries; \
                         change the ranges (narrower ranges often help) or pin fewer parameters",
                        e.constraint, e.tries
                    ),
                )
            });
        }
        problems.push(problem);
    }
    Ok(ExamSpec {
        path: path.to_path_buf(),
        hash: crate::variant::spec_hash(source),
        course: raw.course,
        exam: raw.exam,
        date: raw.date,
        author: raw.author,
        language: raw.language,
        problems,
    })
}

/// Renders the exam and the solution sheet of one set of variants.
pub fn render_sheets(
    spec: &ExamSpec,
    solved: &[Solved],
    student: Option<&StudentLine>,
) -> Result<Sheets> {
    let blocks = solved
        .iter()
        .enumerate()
        .map(|(i, s)| s.render(spec.language, i + 1))
        .collect::<Result<Vec<_>>>()?;
    let titles = Titles {
        course: &spec.course,
        exam: &spec.exam,
        date: spec.date.as_deref(),
        author: spec.author.as_deref(),
    };
    sheet::assemble(&titles, blocks, student)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(source: &str) -> String {
        parse(source, Path::new("exam.yaml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn unknown_kind_names_the_line_and_the_kinds() {
        let msg =
            err("course: a\nexam: b\nlanguage: hr\nproblems:\n  - softmax_thing:\n      n: 4\n");
        assert!(msg.starts_with("exam.yaml:5:"), "{msg}");
        assert!(msg.contains("softmax_thing"), "{msg}");
        assert!(msg.contains("batchnorm_mlp"), "{msg}");
    }

    #[test]
    fn empty_problem_list_is_an_error() {
        let msg = err("course: a\nexam: b\nlanguage: hr\nproblems: []\n");
        assert!(msg.starts_with("exam.yaml:4: problems:"), "{msg}");
    }

    #[test]
    fn unknown_top_level_field_is_an_error() {
        let msg = err("course: a\nexam: b\nlanguage: hr\nseed: 3\nproblems: []\n");
        assert!(msg.contains("unknown field `seed`"), "{msg}");
        assert!(msg.starts_with("exam.yaml:4:"), "{msg}");
    }
}
