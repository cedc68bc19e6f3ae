//! Golden files: the 2022 exam rendered byte for byte as reviewed. Any change to the
//! templates, the number formatting or the key shows up here as a diff to review.
//!
//! After an intended change, rewrite them with
//! `UPDATE_GOLDEN=1 cargo test snapshots` and review `git diff tests/golden`.

use std::path::PathBuf;

use examgen::run::render_spec;

use super::common::{rendered_2022, root, spec_2022};

fn golden_dir() -> PathBuf {
    root().join("tests/golden/du1-2022")
}

fn updating() -> bool {
    std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1")
}

/// The first line where two texts differ, for the failure message.
fn first_difference(got: &str, want: &str) -> String {
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        if g != w {
            return format!("line {}:\n  golden:   {w}\n  rendered: {g}", i + 1);
        }
    }
    format!(
        "one is a prefix of the other ({} vs {} lines, {} vs {} bytes)",
        got.lines().count(),
        want.lines().count(),
        got.len(),
        want.len()
    )
}

fn check_golden(name: &str, rendered: &str) {
    let path = golden_dir().join(name);
    if updating() {
        std::fs::create_dir_all(golden_dir()).expect("create tests/golden/du1-2022");
        std::fs::write(&path, rendered).expect("write the golden file");
        return;
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\n  create it with `UPDATE_GOLDEN=1 cargo test snapshots`",
            path.display()
        )
    });
    assert!(
        rendered == golden,
        "{name} differs from {}\n{}\n  if the change is intended, run `UPDATE_GOLDEN=1 cargo test snapshots` \
         and review `git diff tests/golden`",
        path.display(),
        first_difference(rendered, &golden)
    );
}

#[test]
fn exam_tex_matches_golden() {
    check_golden("exam.tex", &rendered_2022().exam_tex);
}

#[test]
fn solutions_tex_matches_golden() {
    check_golden("solutions.tex", &rendered_2022().solutions_tex);
}

#[test]
fn key_json_matches_golden() {
    check_golden("key.json", &rendered_2022().key_json);
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let a = render_spec(&spec_2022()).expect("renders");
    let b = render_spec(&spec_2022()).expect("renders");
    assert!(
        a.exam_tex == b.exam_tex,
        "exam.tex differs between two renders"
    );
    assert!(
        a.solutions_tex == b.solutions_tex,
        "solutions.tex differs between two renders"
    );
    assert!(
        a.key_json == b.key_json,
        "key.json differs between two renders"
    );
    assert!(!a.exam_tex.is_empty() && !a.key_json.is_empty());
}
