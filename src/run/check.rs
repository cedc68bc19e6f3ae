//! `examgen check`: constraints, acceptance rate and variant counts per problem.

use super::load::{load_spec, render_samples};
use super::{CheckConfig, Report};
use crate::class::count_variants;
use crate::error::Result;

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
                "  distinct variants: {} ({} distinct in {} draws)",
                count.describe(),
                count.distinct,
                count.samples
            ));
        }
        for (name, description) in problem.constraints() {
            report
                .lines
                .push(format!("  constraint {name}: {description}"));
        }
    }
    Ok(report)
}
