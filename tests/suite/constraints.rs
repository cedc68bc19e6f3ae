//! Constraints are values: the list `examgen check` prints for a problem is exactly the
//! set of constraints that can reject a candidate of it (conditional ones included), and
//! every draw failure names one of them. Pinned values outside a knob's range are
//! reported in one wording by every kind.

use std::path::Path;

use super::common::{examgen, root, Scratch, HEADER};

/// Ranges no candidate can satisfy, one or more per kind, with the constraint the draw
/// failure is expected to blame.
const IMPOSSIBLE: &[(&str, &str)] = &[
    (
        "  - conv1d:\n      draw: {kernel_range: [0, 0]}\n",
        "no_relu_kink",
    ),
    (
        "  - rnn_account:\n      draw: {require_minus: true, withdrawal_range: [0, 0]}\n",
        "reaches_minus",
    ),
    (
        "  - retrieval_ap:\n      draw: {coordinate_range: [0, 0]}\n",
        "distinct_distances",
    ),
    (
        "  - batchnorm_mlp:\n      draw: {sigmas: [1], x_range: [0, 0]}\n",
        "sigma_in_set",
    ),
];

/// The spec is read with a trial draw, so an impossible range is a spec error naming
/// the constraint and, when the sampler lists it, its description in parentheses.
#[test]
fn every_draw_failure_names_a_listed_constraint() {
    for (yaml, blamed) in IMPOSSIBLE {
        let text = format!("{HEADER}{yaml}");
        let err = examgen::exam::parse(&text, Path::new("s.yaml"))
            .expect_err(yaml)
            .to_string();
        assert!(
            err.contains(&format!("the constraint `{blamed}` (")),
            "{yaml}: the draw failed on a constraint that is not listed with its description: {err}"
        );
    }
}

/// Draws from the committed specs reject many candidates; a rejection by a constraint
/// the sampler does not list trips `draw_until`'s debug assertion.
#[test]
fn the_committed_specs_reject_only_with_listed_constraints() {
    for file in ["du1-random.yaml", "du1-2022.yaml"] {
        let spec = examgen::exam::load(&root().join("variants").join(file)).expect(file);
        for (i, slot) in spec.slots.iter().enumerate() {
            for student in 0..40 {
                let mut rng = examgen::draw::problem_rng(7, student, i, 0);
                slot.draw(&mut rng, i + 1).expect(file);
            }
        }
    }
}

/// The constraint lines `check` prints for each problem, by its heading.
fn check_sections(spec: &Path) -> Vec<(String, Vec<String>)> {
    let out = examgen(&["check", "--spec", spec.to_str().unwrap(), "--samples", "20"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if line.starts_with("problem ") {
            sections.push((line.to_string(), Vec::new()));
        } else if let Some(rest) = line.trim().strip_prefix("constraint ") {
            let name = rest.split(':').next().unwrap_or_default().to_string();
            sections.last_mut().expect("a heading first").1.push(name);
        }
    }
    sections
}

#[test]
fn check_lists_the_constraints_a_sampler_can_reject_with() {
    let sections = check_sections(&root().join("variants/du1-random.yaml"));
    let of = |kind: &str| {
        &sections
            .iter()
            .find(|(heading, _)| heading.contains(&format!("({kind})")))
            .unwrap_or_else(|| panic!("no {kind} in {sections:?}"))
            .1
    };
    assert!(
        of("conv1d").iter().any(|n| n == "no_relu_kink"),
        "{sections:?}"
    );
    assert!(
        of("conv1d").iter().any(|n| n == "distinct_kernels"),
        "{sections:?}"
    );
    // du1-random sets draw.require_minus for its rnn_account.
    assert!(
        of("rnn_account").iter().any(|n| n == "reaches_minus"),
        "{sections:?}"
    );

    // Without require_minus nothing rejects as reaches_minus, and it is not listed.
    let dir = Scratch::new("constraints-check");
    let spec = dir.write(
        "s.yaml",
        &format!("{HEADER}  - rnn_account:\n      draw: {{unit: 500}}\n"),
    );
    let sections = check_sections(&spec);
    assert!(!sections[0].1.is_empty(), "{sections:?}");
    assert!(
        !sections[0].1.iter().any(|n| n == "reaches_minus"),
        "{sections:?}"
    );
}

/// Every kind names the exact entry, its value and the knob, in the same words.
#[test]
fn pinned_values_outside_a_range_are_reported_in_one_wording() {
    let cases = [
        (
            "  - batchnorm_mlp:\n      X: [[1, 1], [-1, 3]]\n      draw: {x_range: [0, 3]}\n",
            "problems[0].batchnorm_mlp.X[1][0]: is -1 but draw.x_range is [0, 3]; change or remove one",
        ),
        (
            "  - retrieval_ap:\n      query: [9, 1]\n      draw: {coordinate_range: [0, 4]}\n",
            "problems[0].retrieval_ap.query[0]: is 9 but draw.coordinate_range is [0, 4]; change or remove one",
        ),
        (
            "  - conv1d:\n      x: [1, 2, 9]\n      draw: {x_range: [0, 4]}\n",
            "problems[0].conv1d.x[2]: is 9 but draw.x_range is [0, 4]; change or remove one",
        ),
        (
            "  - activation:\n      n: 6\n      draw: {n_range: [2, 4]}\n",
            "problems[0].activation.n: is 6 but draw.n_range is [2, 4]; change or remove one",
        ),
    ];
    let dir = Scratch::new("constraints-wording");
    for (yaml, want) in cases {
        let spec = dir.write("s.yaml", &format!("{HEADER}{yaml}"));
        let out = examgen(&["check", "--spec", spec.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{yaml}{stderr}");
        let want = format!("{}:6: {want}", spec.display());
        assert!(
            stderr.contains(&want),
            "{yaml}\nwant: {want}\ngot: {stderr}"
        );
    }
}
