//! The solution sheet shows exact values (fractions, multiples of ln 2, terminating
//! decimals) and never a rounded one; a spec whose numbers cannot be shown exactly is
//! refused with `Error::NotExact` instead of being printed rounded.

use examgen::run::render_spec;
use examgen::Error;

use super::common::{parse_inline, rendered_2022, solve_spec, Scratch, HEADER};

/// The sheet with the pgfplots coordinate lists removed: the plots are drawn from
/// sampled floats (`(0.333333, 1.000000)`), which are never read as numbers.
fn text_without_plot_coordinates(tex: &str) -> String {
    tex.lines()
        .filter(|l| !(l.starts_with(r"\addplot") && l.contains("coordinates {")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn solutions_show_exact_fractions_and_ln_multiples() {
    let tex = &rendered_2022().solutions_tex;
    for exact in [
        // Problem 2: AP and the table.
        r"= \frac{29}{36} \approx 0.806",
        r"\frac{1}{3}",
        r"\frac{2}{3}",
        r"& $\frac{3}{4}$ & $1$ \\",
        // Problem 3: p and the kernel gradients, factored as render::latex does it.
        r"\mathbf{p} = \mathrm{softmax}(\mathbf{s}) = \begin{fracmatrix} \dfrac{1}{3} \\ \noalign{\vskip 1ex} \dfrac{2}{3} \end{fracmatrix}",
        r"= \frac{\ln 2}{9} [6, -1, 3]",
        r"= -\frac{\ln 2}{9} [5, 1, 3]",
        r"\begin{bmatrix} \ln 2 \\ 2\ln 2 \end{bmatrix} = \begin{bmatrix} \ln 2 \\ \ln 4 \end{bmatrix}",
        // Problem 1: terminating decimals, and the loss as ln 2.
        "1.25",
        r"\begin{bmatrix} 1.25 & 0.25 \\ -0.25 & 1.75 \end{bmatrix}",
        r"= \ln 2 \approx 0.6931",
    ] {
        assert!(tex.contains(exact), "solutions.tex lacks {exact}");
    }
}

#[test]
fn solutions_show_no_rounded_thirds() {
    let tex = text_without_plot_coordinates(&rendered_2022().solutions_tex);
    for rounded in [
        "0.333", "0.666", "0.667", "0.66 ", "0.33 ", "0.66\n", "0.33\n",
    ] {
        assert!(
            !tex.contains(rounded),
            "solutions.tex prints the rounded value {rounded:?}"
        );
    }
    // The filter only removes plot coordinates: the rest of the sheet is still there.
    assert!(tex.contains(r"\frac{29}{36}"));
    assert!(tex.contains(r"\end{document}"));
}

#[test]
fn exam_sheet_shows_the_inputs_exactly() {
    let tex = &rendered_2022().exam_tex;
    assert!(
        tex.contains(r"\mathbf{x} = [4, -1, 2, 0, 1]^T"),
        "conv1d input"
    );
    assert!(tex.contains(r"\begin{bmatrix} 1 & 0 \\ 3 & -1 \\ -0.5 & 0.5 \\ 1 & 4 \end{bmatrix}"));
    assert!(tex.contains(r"\begin{bmatrix} \ln 2 & 0 \\ 0 & \ln 2 \end{bmatrix}"));
    // The questions only: no worked solution on the exam sheet.
    assert!(
        !tex.contains(r"\frac{29}{36}"),
        "the exam sheet gives the AP away"
    );
    assert!(!tex.contains("Rješenje"), "the exam sheet holds a solution");
}

/// σ² of [0, 1, 3] is 14/9, so σ = √14/3 and ĥ is irrational: no exact sheet exists.
const IRRATIONAL_SIGMA: &str = "  - batchnorm_mlp:
      X: [[0, 0], [1, 1], [3, 3]]
      y: [1, 0, 1]
      W1: [[1, 0], [0, 1]]
      b1: [0, 0]
      W2: [[1, 1]]
      b2: [-1]
";

fn assert_not_exact(result: examgen::Result<examgen::run::Rendered>, kind: &str) {
    let err = match result {
        Ok(_) => panic!("rendering a {kind} problem with irrational values succeeded"),
        Err(e) => e,
    };
    let message = err.to_string();
    assert!(
        matches!(&err, Error::NotExact { index: 1, kind: k, .. } if *k == kind),
        "expected NotExact for problem 1 ({kind}), got {err:?}"
    );
    assert!(
        message.contains("refusing to print a rounded value"),
        "{message}"
    );
    assert!(
        message.starts_with(&format!("problem 1 ({kind}):")),
        "{message}"
    );
}

#[test]
fn irrational_batch_std_is_refused() {
    let dir = Scratch::new("exactness-irrational-sigma");
    let path = dir.write("sigma.yaml", &format!("{HEADER}{IRRATIONAL_SIGMA}"));
    assert_not_exact(render_spec(&path), "batchnorm_mlp");
}

#[test]
fn irrational_batch_std_is_refused_by_render_sheets() {
    let spec = parse_inline(IRRATIONAL_SIGMA);
    let solved = solve_spec(&spec);
    // The engine still solves it (the key could hold floats); only the sheet refuses.
    let key = solved[0].key();
    let sigma = key["answers"]["sigma"][0].as_f64().unwrap();
    assert!(
        (sigma - 14f64.sqrt() / 3.0).abs() < 1e-12,
        "sigma = {sigma}"
    );
    match examgen::exam::render_sheets(&spec, &solved, None) {
        Ok(_) => panic!("render_sheets printed an irrational sigma"),
        Err(e) => {
            assert!(matches!(e, Error::NotExact { .. }), "{e:?}");
            assert!(
                e.to_string().contains("refusing to print a rounded value"),
                "{e}"
            );
        }
    }
}

/// Pooled activations of 2/3 and 1/3 make the logits irrational multiples apart, so p
/// cannot be shown exactly. The spec is refused either by the problem's constraints
/// (`integer_pooled`, checked when the problem is drawn) or by the exactness guard of
/// the renderer; either way nothing rounded is printed.
#[test]
fn conv1d_with_irrational_probabilities_is_refused() {
    let yaml = "  - conv1d:
      x: [1, -1, 1, 0, 0]
      kernels:
        - [1, 0, 0]
        - [0, 0, 1]
      ln_base: 2
      W2: [[1, 0], [0, 1]]
      b2: [0, 0]
      y: 0
";
    let dir = Scratch::new("exactness-conv1d");
    let path = dir.write("conv.yaml", &format!("{HEADER}{yaml}"));
    let err = match render_spec(&path) {
        Ok(r) => panic!(
            "a conv1d problem with pooled values 2/3 and 1/3 rendered:\n{}",
            r.solutions_tex
        ),
        Err(e) => e,
    };
    let message = err.to_string();
    match &err {
        Error::NotExact { kind, .. } => {
            assert_eq!(*kind, "conv1d");
            assert!(
                message.contains("refusing to print a rounded value"),
                "{message}"
            );
        }
        Error::SpecInvalid { field, line, .. } => {
            assert_eq!(field, "problems[0].conv1d");
            assert_eq!(*line, 5, "{message}");
            assert!(message.contains("integer_pooled"), "{message}");
            assert!(message.contains("pinned parameters"), "{message}");
        }
        other => panic!("expected NotExact or a broken constraint, got {other:?}"),
    }
}

/// A rounded-looking input is fine when it is exact: 0.125 is printed as 0.125.
#[test]
fn exact_decimals_in_a_spec_render() {
    let yaml = "  - batchnorm_mlp:
      X: [[0.125, 1], [-0.125, 3]]
      y: [1, 0]
      W1: [[1, 0], [0, 1]]
      b1: [0, 0]
      W2: [[1, 1]]
      b2: [-1]
";
    let dir = Scratch::new("exactness-decimals");
    let path = dir.write("dec.yaml", &format!("{HEADER}{yaml}"));
    let rendered = render_spec(&path).expect("exact inputs render");
    assert!(
        rendered.exam_tex.contains("[0.125, 1]^T"),
        "{}",
        rendered.exam_tex
    );
}
