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

/// The activation plot is a shared figure: compiled once into `figures/`, included by
/// the sheet, and the sheet still compiles on its own (drawing the plot itself) when the
/// figure's PDF is not there.
#[test]
fn shared_figures_are_compiled_once_and_sheets_compile_without_them() {
    let test = "pdf::shared_figures";
    if !on_path("latexmk") {
        skip_or_fail(
            test,
            "latexmk is not on PATH (install TeX Live: latexmk and pdflatex)",
        );
        return;
    }
    let dir = Scratch::new("pdf-figures");
    let out = dir.join("out");
    generate_pdf(&out);
    let figures: Vec<_> = std::fs::read_dir(out.join("figures"))
        .expect("figures/ was written")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    assert_eq!(figures.len(), 1, "{figures:?}");
    let solutions = std::fs::read_to_string(out.join("solutions.tex")).unwrap();
    let name = figures[0].trim_end_matches(".pdf");
    assert!(solutions.contains(&format!("\\examgenfigure{{{name}}}")));

    // The same sheet alone, in a directory without figures/: LaTeX draws the plot.
    let alone = dir.join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    std::fs::write(alone.join("solutions.tex"), &solutions).unwrap();
    let status = Command::new("latexmk")
        .current_dir(&alone)
        .args([
            "-pdf",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-quiet",
        ])
        .arg("solutions.tex")
        .output()
        .expect("latexmk runs");
    assert!(
        status.status.success(),
        "solutions.tex does not compile without figures/:\n{}",
        String::from_utf8_lossy(&status.stdout)
    );
    assert!(alone.join("solutions.pdf").exists());
}
