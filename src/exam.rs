//! A checked exam: the spec's header and its problems, each a registered kind's plan —
//! where [`crate::spec`] (which knows no kind) and the kind registry
//! ([`crate::problems`]) meet — and the exam's two sheets.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::problems::kind::Views;
use crate::problems::{Problem, RawProblem, Solved, KINDS};
use crate::render::sheet::{self, Sheets, StudentLine, Titles};
use crate::slot::Slot;
use crate::spec::moodle::{Tolerances, DEFAULT_TOLERANCE};
use crate::spec::slides::SlidesOptions;
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
    /// How `--slides` lays out the solution slides.
    pub slides: SlidesOptions,
    /// The sheet's problems, in order: each one problem or a pool.
    pub slots: Vec<Slot>,
    /// The absolute tolerances of `moodle.xml`'s blanks, per slot.
    pub moodle: Tolerances,
    /// `examgen grade`'s settings.
    pub grading: crate::spec::grading::GradingOptions,
}

impl ExamSpec {
    /// The absolute tolerance `examgen grade` marks slot `index`'s answers with: the
    /// spec's `grading: {tolerance}`, else the slot's Moodle tolerance.
    pub fn grading_tolerance(&self, index: usize) -> f64 {
        self.grading
            .tolerance
            .map_or_else(|| self.moodle.of_slot(index), |t| t.get())
    }
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
    let mut slots = Vec::with_capacity(raw.problems.len());
    let mut tolerances = Vec::with_capacity(raw.problems.len());
    for (i, mut entry) in raw.problems.into_iter().enumerate() {
        let base = format!("problems[{i}]");
        tolerances.push(entry.take_moodle().map(|m| m.tolerance.get()));
        let slot = match entry.take_pool() {
            None => Slot::single(problem(entry, &base, i, &invalid)?),
            Some(_) if entry.names_a_kind() => {
                return Err(invalid(
                    base,
                    "a list item is either one problem or a `pool:` of problems, not both; \
                     start each with its own `- `"
                        .into(),
                ))
            }
            Some(members) => pool(members, &format!("{base}.pool"), i, &invalid)?,
        };
        slots.push(slot);
    }
    let slides = raw
        .slides
        .check()
        .map_err(|e| invalid(e.field, e.message))?;
    Ok(ExamSpec {
        path: path.to_path_buf(),
        hash: crate::variant::spec_hash(source),
        course: raw.course,
        exam: raw.exam,
        date: raw.date,
        author: raw.author,
        language: raw.language,
        slides,
        slots,
        moodle: Tolerances {
            exam: raw.moodle.map_or(DEFAULT_TOLERANCE, |m| m.tolerance.get()),
            slots: tolerances,
        },
        grading: raw.grading,
    })
}

/// A pool's members, each checked as a problem; they must be worth the same points.
fn pool(
    members: Vec<RawProblem>,
    base: &str,
    position: usize,
    invalid: &impl Fn(String, String) -> crate::error::Error,
) -> Result<Slot> {
    if members.len() < 2 {
        return Err(invalid(
            base.to_string(),
            format!(
                "a pool needs at least two problems (it has {}); list more, or write the problem \
                 without `pool:`",
                members.len()
            ),
        ));
    }
    let mut problems = Vec::with_capacity(members.len());
    let mut points = Vec::with_capacity(members.len());
    for (j, mut member) in members.into_iter().enumerate() {
        let field = format!("{base}[{j}]");
        if member.take_moodle().is_some() {
            return Err(invalid(
                format!("{field}.moodle"),
                "a pool's members share one place on the sheet and one tolerance; write \
                 `moodle:` on the pool's list item, beside `pool:`"
                    .into(),
            ));
        }
        if member.take_pool().is_some() {
            return Err(invalid(
                format!("{field}.pool"),
                "a pool cannot hold a pool; list its problems in the outer pool".into(),
            ));
        }
        let problem = problem(member, &field, position, invalid)?;
        let probe = problem
            .draw(&mut crate::draw::problem_rng(
                u64::MAX,
                u64::MAX,
                position,
                0,
            ))
            .map_err(|e| invalid(field.clone(), e.to_string()))?;
        points.push((field, problem.kind(), probe.points()));
        problems.push(problem);
    }
    if let Some((field, kind, p)) = points.iter().find(|(_, _, p)| *p != points[0].2) {
        let show =
            |p: &crate::spec::Points| p.map_or("no points".to_string(), |n| format!("{n} points"));
        return Err(invalid(
            format!("{field}.{kind}.points"),
            format!(
                "is {} but the pool's first problem has {}; every problem of a pool must be worth \
                 the same to every student",
                show(p),
                show(&points[0].2)
            ),
        ));
    }
    Ok(Slot::pool(problems))
}

/// One problem entry at field path `base`, checked, with a probe draw so that pinned
/// values that break a constraint, or ranges under which a constraint cannot be met, are
/// spec errors found here rather than halfway through a class.
fn problem(
    entry: RawProblem,
    base: &str,
    position: usize,
    invalid: &impl Fn(String, String) -> crate::error::Error,
) -> Result<Problem> {
    let problem = entry
        .into_problem()
        .map_err(|message| invalid(base.to_string(), message))?
        .map_err(|e| invalid(format!("{base}.{}", e.field), e.message))?;
    let mut probe = crate::draw::problem_rng(u64::MAX, u64::MAX, position, 0);
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
    Ok(problem)
}

/// Renders the exam and the solution sheet of one set of variants.
pub fn render_sheets(
    spec: &ExamSpec,
    solved: &[Solved],
    student: Option<&StudentLine>,
) -> Result<Sheets> {
    render_sheets_with(spec, solved, student, false)
}

/// Renders the exam (with its answer sheet when `answer_sheet`) and the solution sheet.
pub fn render_sheets_with(
    spec: &ExamSpec,
    solved: &[Solved],
    student: Option<&StudentLine>,
    answer_sheet: bool,
) -> Result<Sheets> {
    render_sheets_kept(spec, solved, &[], student, answer_sheet)
}

/// [`render_sheets_with`], from the views the draws kept (`views[i]` for `solved[i]`;
/// a problem without any is built afresh).
pub fn render_sheets_kept(
    spec: &ExamSpec,
    solved: &[Solved],
    views: &[Option<Views>],
    student: Option<&StudentLine>,
    answer_sheet: bool,
) -> Result<Sheets> {
    let blocks = solved
        .iter()
        .enumerate()
        .map(|(i, s)| s.render_kept(spec.language, i + 1, views.get(i).and_then(Option::as_ref)))
        .collect::<Result<Vec<_>>>()?;
    let titles = Titles {
        course: &spec.course,
        exam: &spec.exam,
        date: spec.date.as_deref(),
        author: spec.author.as_deref(),
        words: crate::render::lang::words(spec.language).sheet(),
    };
    let answers =
        answer_sheet.then(|| crate::grade::sheet::answer_sheet(&spec.slots, solved, spec.language));
    sheet::assemble(&titles, blocks, student, answers.as_ref())
}

/// Renders the solution slides (`--slides`) of one set of variants, from the same blocks
/// as the solution sheet (and, like it, from the views the draws kept, if any).
pub fn render_slides(
    spec: &ExamSpec,
    solved: &[Solved],
    views: &[Option<Views>],
    student: Option<&StudentLine>,
) -> Result<String> {
    let blocks = solved
        .iter()
        .enumerate()
        .map(|(i, s)| s.render_kept(spec.language, i + 1, views.get(i).and_then(Option::as_ref)))
        .collect::<Result<Vec<_>>>()?;
    let titles = Titles {
        course: &spec.course,
        exam: &spec.exam,
        date: spec.date.as_deref(),
        author: spec.author.as_deref(),
        words: crate::render::lang::words(spec.language).sheet(),
    };
    crate::render::slides::assemble(
        &titles,
        &blocks,
        student,
        spec.slides.aspectratio,
        spec.language,
    )
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

    const HEADER: &str = "course: a\nexam: b\nlanguage: hr\nproblems:\n";

    #[test]
    fn a_pool_member_error_names_its_line_and_path() {
        let msg = err(&format!(
            "{HEADER}  - pool:\n      - softmax_ce:\n          draw: {{}}\n      - softmax_ce:\n          draw: {{logit_range: [0, 0]}}\n"
        ));
        assert!(
            msg.starts_with("exam.yaml:9: problems[0].pool[1].softmax_ce.draw"),
            "{msg}"
        );
        assert!(msg.contains("logits_not_all_equal"), "{msg}");
    }

    #[test]
    fn malformed_pools_are_refused_with_what_to_change() {
        let one = err(&format!(
            "{HEADER}  - pool:\n      - softmax_ce:\n          draw: {{}}\n"
        ));
        assert!(one.starts_with("exam.yaml:5: problems[0].pool:"), "{one}");
        assert!(one.contains("at least two problems"), "{one}");

        let nested = err(&format!(
            "{HEADER}  - pool:\n      - softmax_ce:\n          draw: {{}}\n      - pool:\n          - softmax_ce:\n              draw: {{}}\n"
        ));
        assert!(nested.contains("problems[0].pool[1].pool"), "{nested}");
        assert!(nested.contains("cannot hold a pool"), "{nested}");

        let both = err(&format!(
            "{HEADER}  - softmax_ce:\n      draw: {{}}\n    pool:\n      - softmax_ce:\n          draw: {{}}\n      - softmax_ce:\n          draw: {{}}\n"
        ));
        assert!(both.contains("not both"), "{both}");

        let points = err(&format!(
            "{HEADER}  - pool:\n      - softmax_ce:\n          points: 10\n          draw: {{}}\n      - softmax_ce:\n          points: 12\n          draw: {{}}\n"
        ));
        assert!(
            points.starts_with("exam.yaml:10: problems[0].pool[1].softmax_ce.points:"),
            "{points}"
        );
        assert!(
            points.contains("is 12 points but the pool's first problem has 10 points"),
            "{points}"
        );
    }

    #[test]
    fn moodle_tolerances_default_and_override() {
        let spec = parse(
                            "course: a\nexam: b\nlanguage: hr\nmoodle: {tolerance: 0.05}\nproblems:\n  - softmax_ce:\n      draw: {}\n    moodle: {tolerance: 0.001}\n  - softmax_ce:\n      draw: {}\n",
            Path::new("exam.yaml"),
        )
        .unwrap();
        assert_eq!(
            (spec.moodle.of_slot(0), spec.moodle.of_slot(1)),
            (0.001, 0.05)
        );
        let plain = parse(
            &format!("{HEADER}  - softmax_ce:\n      draw: {{}}\n"),
            Path::new("exam.yaml"),
        )
        .unwrap();
        assert_eq!(plain.moodle.of_slot(0), DEFAULT_TOLERANCE);

        let zero = err(&format!(
            "{HEADER}  - softmax_ce:\n      draw: {{}}\n    moodle: {{tolerance: 0}}\n"
        ));
        assert!(zero.starts_with("exam.yaml:7:"), "{zero}");
        assert!(zero.contains("must be a positive number"), "{zero}");
        let member = err(&format!(
            "{HEADER}  - pool:\n      - softmax_ce:\n          draw: {{}}\n        moodle: {{tolerance: 0.1}}\n      - softmax_ce:\n          draw: {{}}\n"
        ));
        assert!(member.contains("problems[0].pool[0].moodle"), "{member}");
        assert!(member.contains("beside `pool:`"), "{member}");
    }

    #[test]
    fn an_unknown_kind_in_a_pool_lists_the_kinds() {
        let msg = err(&format!(
            "{HEADER}  - pool:\n      - softmax_thing: {{}}\n      - softmax_ce:\n          draw: {{}}\n"
        ));
        assert!(
            msg.contains("softmax_thing") && msg.contains("conv1d"),
            "{msg}"
        );
        assert!(msg.starts_with("exam.yaml:6:"), "{msg}");
    }
}
