//! `examgen check`: constraints, acceptance rate and variant counts per problem.

use super::load::{load_spec, render_samples};
use super::{CheckConfig, Report};
use crate::class::{count_variants, probe_rng, VariantCount, ROOM_PER_STUDENT};
use crate::error::{Error, Result};
use crate::problems::Problem;
use crate::render::measure::{Measures, Spread, Summary};

/// `examgen check`.
pub fn check(config: &CheckConfig) -> Result<Report> {
    let spec = load_spec(&config.spec)?;
    render_samples(&spec, &config.spec, config.samples)?;
    let mut report = Report::default();
    report.lines.push(format!(
        "{}: {} problem{}",
        config.spec.display(),
        spec.slots.len(),
        if spec.slots.len() == 1 { "" } else { "s" }
    ));
    for (i, slot) in spec.slots.iter().enumerate() {
        report
            .lines
            .push(format!("problem {} ({}):", i + 1, slot.label()));
        if slot.is_fixed() {
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
        // A pool's members are described one by one: each has its own hand work and
        // constraints, and the lecturer compares them for fairness.
        let indent = if slot.is_pool() { "    " } else { "  " };
        for (m, problem) in slot.members().iter().enumerate() {
            if slot.is_pool() {
                report
                    .lines
                    .push(format!("  member {} ({}):", m + 1, problem.kind()));
            }
            report
                .lines
                .extend(hand_work(problem, i, config.samples, indent)?);
            for (name, description) in problem.constraints() {
                report
                    .lines
                    .push(format!("{indent}constraint {name}: {description}"));
            }
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

/// The hand work of `problem` (at sheet position `position`, or a member of the pool
/// there) over `samples` drawn variants (the probe keys of `count_variants`, never a
/// student's): median, 90th percentile and maximum of each measure, so a lecturer sees
/// how hard the class's variants are. Lines start with `indent`.
fn hand_work(
    problem: &Problem,
    position: usize,
    samples: usize,
    indent: &str,
) -> Result<Vec<String>> {
    let draws = if problem.is_fixed() { 1 } else { samples };
    let mut measures: Vec<Measures> = Vec::with_capacity(draws);
    for j in 0..draws {
        let solved = problem
            .draw(&mut probe_rng(position, j))
            .map_err(|source| Error::Draw {
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
        format!("{indent}hand work (every exact value the solution prints):")
    } else {
        format!(
            "{indent}hand work over {draws} variants (every exact value the solution prints; median / 90th percentile / max):"
        )
    }];
    if let Some(budget) = problem.budget().describe().filter(|_| !problem.is_fixed()) {
        lines.push(format!("{indent}  budget of every drawn variant: {budget}"));
    }
    lines.push(format!(
        "{indent}  largest denominator: {}",
        spread(
            summary.max_denominator,
            reference.map(|m| m.max_denominator)
        )
    ));
    lines.push(format!(
        "{indent}  largest integer or numerator: {}",
        spread(summary.max_integer, reference.map(|m| m.max_integer))
    ));
    lines.push(format!(
        "{indent}  distinct fractions: {}",
        spread(summary.fractions, reference.map(|m| m.fractions as u64))
    ));
    Ok(lines)
}
