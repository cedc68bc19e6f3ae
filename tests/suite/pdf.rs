//! PDFs through the command line with a real latexmk: both sheets compile, are PDFs,
//! and compiling again gives the same bytes. Without latexmk the test skips with a
//! notice, except under `CI=true`, where it fails.

use std::process::Command;

use super::common::{on_path, skip_or_fail, spec_2022, Scratch};

fn generate_pdf(out: &std::path::Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_examgen"))
        .arg("generate")
        .arg("--spec")
        .arg(spec_2022())
        .arg("--out")
        .arg(out)
        .arg("--pdf")
        .output()
        .expect("run examgen");
    assert!(
        output.status.success(),
        "examgen generate --pdf failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn both_sheets_compile_reproducibly() {
    let test = "pdf::both_sheets_compile_reproducibly";
    if !on_path("latexmk") {
        skip_or_fail(
            test,
            "latexmk is not on PATH (install TeX Live: latexmk and pdflatex)",
        );
        return;
    }
    let dir = Scratch::new("pdf-reproducible");
    let (first, second) = (dir.join("first"), dir.join("second"));
    generate_pdf(&first);
    generate_pdf(&second);
    for stem in ["exam", "solutions"] {
        let name = format!("{stem}.pdf");
        let a = std::fs::read(first.join(&name))
            .unwrap_or_else(|e| panic!("{name} was not written: {e}"));
        let b = std::fs::read(second.join(&name)).expect("second PDF");
        assert!(a.starts_with(b"%PDF"), "{name} does not start with %PDF");
        assert!(a.len() > 1000, "{name} is only {} bytes", a.len());
        assert!(a == b, "{name} differs between two compilations");
    }
}
