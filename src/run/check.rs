//! `examgen check`: constraints, acceptance rate and variant counts per problem.

use super::load::{load_spec, render_samples};
use super::{CheckConfig, Report};
use crate::class::{count_variants, VariantCount, ROOM_PER_STUDENT};
use crate::draw::problem_rng;
use crate::error::{Error, Result};
use crate::exam::ExamSpec;
use crate::render::measure::{Measures, Spread, Summary};

/// `examgen check`.
pub fn check(config: &CheckConfig) -> Result<Report> {
    let spec = load_spec(&config.spec)?;
    render_samples(&spec, &config.spec, config.samples)?;
    let mut report = Report::default();
    report.lines.push(format!(
        "{}: {} problems",
        config.spec.display(),
        spec.problems.len()
    ));
    for (i, problem) in spec.problems.iter().enumerate() {
        report
            .lines
            .push(format!("problem {} ({}):", i + 1, problem.kind()));
        if problem.is_fixed() {
            report.lines.push("  fully pinned: 1 variant".to_string());
        } else {
            let count = count_variants(&spec, i, config.samples)?;
            report.lines.push(format!(
                "  acceptance rate: {:.1}% ({:.2} candidates per variant)",
                100.0 / count.tries_per_variant,
                count.tries_per_variant
            ));
            report.lines.push(format!(
                "  distinct variants: {} ({} distinct in {} draws); {}",
                count.describe(),
                count.distinct,
                count.samples,
                class_size(&count)
            ));
        }
        report.lines.extend(hand_work(&spec, i, config.samples)?);
        for (name, description) in problem.constraints() {
            report
                .lines
                .push(format!("  constraint {name}: {description}"));
        }
    }
    Ok(report)
}

/// The class a problem's variant space supports without students sharing a variant
/// (see [`VariantCount::allows`]).
fn class_size(count: &VariantCount) -> String {
    match count.estimate {
        Some(e) => format!(
            "enough for a class of {} without shared variants",
            (e / ROOM_PER_STUDENT as f64).floor()
        ),
        None => format!(
            "enough for a class of more than {} without shared variants",
            count.samples / ROOM_PER_STUDENT
        ),
    }
}

/// The hand work of problem `position` over `samples` drawn variants (the probe keys of
/// `count_variants`, never a student's): median, 90th percentile and maximum of each
/// measure, so a lecturer sees how hard the class's variants are.
fn hand_work(spec: &ExamSpec, position: usize, samples: usize) -> Result<Vec<String>> {
    let problem = &spec.problems[position];
    let draws = if problem.is_fixed() { 1 } else { samples };
    let mut measures: Vec<Measures> = Vec::with_capacity(draws);
    for j in 0..draws {
        let mut rng = problem_rng(u64::MAX, (1 << 40) + j as u64, position, 0);
        let solved = problem.draw(&mut rng).map_err(|source| Error::Draw {
            index: position + 1,
            kind: problem.kind(),
            source,
        })?;
        // `render_samples` has rendered these variants: every value is exact.
        measures.extend(solved.hand_work());
    }
    let Some(summary) = Summary::of(&measures) else {
        return Ok(Vec::new());
    };
    let reference = problem.reference_hand_work();
    let spread = |s: Spread, published: Option<u64>| {
        let published = published.map_or(String::new(), |v| format!(" (2022 exam: {v})"));
        if draws == 1 {
            format!("{}{published}", s.max)
        } else {
            format!("{} / {} / {}{published}", s.median, s.p90, s.max)
        }
    };
    let mut lines = vec![if draws == 1 {
        "  hand work (every exact value the solution prints):".to_string()
    } else {
        format!(
            "  hand work over {draws} variants (every exact value the solution prints; median / 90th percentile / max):"
        )
    }];
    if let Some(budget) = problem.budget().describe().filter(|_| !problem.is_fixed()) {
        lines.push(format!("    budget of every drawn variant: {budget}"));
    }
    lines.push(format!(
        "    largest denominator: {}",
        spread(
            summary.max_denominator,
            reference.map(|m| m.max_denominator)
        )
    ));
    lines.push(format!(
        "    largest integer or numerator: {}",
        spread(summary.max_integer, reference.map(|m| m.max_integer))
    ));
    lines.push(format!(
        "    distinct fractions: {}",
        spread(summary.fractions, reference.map(|m| m.fractions as u64))
    ));
    Ok(lines)
}
