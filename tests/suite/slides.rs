//! The solution slides (`--slides`): beamer compiles them without a warning or an
//! overfull box at 4:3 and 16:9, for the 2022 exam and for every kind; `slides.tex` is
//! written without `--pdf`; `regenerate --slides` gives the class run's slides; the
//! spec's `slides.aspectratio` is checked. Without latexmk the compiling tests skip with a
//! notice, except under `CI=true`, where they fail.

use std::path::Path;

use examgen::problems::KINDS;

use super::common::{examgen, key, ok, on_path, read, root, skip_or_fail, Scratch, HEADER};
use super::pdf::{log_complaints, logs};

/// The 2022 spec with a `slides:` section after its `language:` line.
fn spec_2022_with(slides: &str) -> String {
    let text = std::fs::read_to_string(root().join("variants/du1-2022.yaml")).unwrap();
    assert!(text.contains("\nlanguage: hr\n"));
    text.replacen(
        "\nlanguage: hr\n",
        &format!("\nlanguage: hr\nslides: {slides}\n"),
        1,
    )
}

/// `generate --pdf --slides` of a spec into `out`; the slides' log has no complaint (nor
/// has any other log of the run), and the slides have the given beamer aspect ratio.
fn compiles_cleanly(spec: &Path, out: &Path, extra: &[&str], ratio: u32) {
    let mut args = vec![
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--pdf",
        "--slides",
    ];
    args.extend_from_slice(extra);
    ok(&args);
    assert!(out.join("slides.pdf").exists(), "no slides.pdf");
    let tex = String::from_utf8(read(out, "slides.tex")).unwrap();
    assert!(
        tex.starts_with("% t: ") && tex.contains(&format!("aspectratio={ratio}]{{beamer}}")),
        "{}",
        &tex[..200]
    );
    let logs = logs(out);
    assert!(
        logs.iter().any(|l| l.ends_with("slides.log")),
        "no slides.log in {logs:?}"
    );
    let mut found = Vec::new();
    for log in logs {
        let text = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
        found.extend(
            log_complaints(&text)
                .into_iter()
                .map(|c| format!("{}: {c}", log.display())),
        );
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_2022_slides_compile_cleanly_at_4_3_and_16_9() {
    if !on_path("latexmk") {
        skip_or_fail(
            "slides::the_2022_slides_compile_cleanly",
            "latexmk is not on PATH",
        );
        return;
    }
    let dir = Scratch::new("slides-2022");
    compiles_cleanly(
        &root().join("variants/du1-2022.yaml"),
        &dir.join("43"),
        &[],
        43,
    );
    let wide = dir.write("du1-2022-169.yaml", &spec_2022_with("{aspectratio: 169}"));
    compiles_cleanly(&wide, &dir.join("169"), &[], 169);
}

#[test]
fn every_kinds_slides_compile_cleanly_at_4_3_and_16_9() {
    if !on_path("latexmk") {
        skip_or_fail(
            "slides::every_kinds_slides_compile_cleanly",
            "latexmk is not on PATH",
        );
        return;
    }
    let dir = Scratch::new("slides-every-kind");
    let problems: String = KINDS
        .iter()
        .map(|kind| format!("  - {kind}:\n      points: 10\n      draw: {{}}\n"))
        .collect();
    for ratio in [43, 169] {
        let header = HEADER.replace(
            "problems:\n",
            &format!("slides: {{aspectratio: {ratio}}}\nproblems:\n"),
        );
        let spec = dir.write(
            &format!("every-kind-{ratio}.yaml"),
            &format!("{header}{problems}"),
        );
        let out = dir.join(&format!("out-{ratio}"));
        compiles_cleanly(&spec, &out, &["--seed", "5"], ratio);
        let kinds = key(&out)["problems"].as_array().unwrap().len();
        assert_eq!(kinds, KINDS.len());
    }
}

#[test]
fn slides_without_pdf_write_slides_tex_with_a_frame_per_heading() {
    let dir = Scratch::new("slides-tex");
    let out = dir.join("out");
    ok(&[
        "generate",
        "--spec",
        root().join("variants/du1-2022.yaml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--slides",
    ]);
    let tex = String::from_utf8(read(&out, "slides.tex")).unwrap();
    assert!(!out.join("slides.pdf").exists());
    assert!(
        tex.contains("aspectratio=43]{beamer}"),
        "4:3 is the default"
    );
    for title in [
        "{Zadatak 1}",
        "{Zadatak 1 -- Unaprijedni prolaz}",
        "{Zadatak 1 -- Ažuriranje parametara}",
        "{Zadatak 2 -- Rješenje}",
    ] {
        assert!(
            tex.contains(&format!("\\begin{{frame}}[allowframebreaks=0.75]{title}")),
            "no frame {title}"
        );
    }
    // The listings' frames are fragile (beamer reads them verbatim), and only those.
    let fragile = tex.matches(",fragile]").count();
    let listings = tex.matches("\\begin{codelisting}").count();
    assert!(
        listings >= 2 && fragile >= 1 && fragile <= listings,
        "{fragile} {listings}"
    );
    // The sheet's own files are there too, unchanged by --slides.
    assert_eq!(
        read(&out, "solutions.tex"),
        read(&root().join("tests/golden/du1-2022"), "solutions.tex")
    );
}

#[test]
fn regenerate_slides_are_the_class_runs() {
    let dir = Scratch::new("slides-regenerate");
    let spec = root().join("variants/du1-bank.yaml");
    let class = root().join("variants/class-example.csv");
    let out = dir.join("class");
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--students",
        class.to_str().unwrap(),
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
        "--slides",
    ]);
    let student = &key(&out)["students"][2];
    let id = student["id"].as_str().unwrap();
    let code = student["variant_code"].as_str().unwrap();
    let slides = format!("{id}-slides.tex");
    let class_slides = String::from_utf8(read(&out, &slides)).unwrap();
    assert!(class_slides.contains(code), "the code is on the slides");
    let again = dir.join("again");
    ok(&[
        "regenerate",
        "--spec",
        spec.to_str().unwrap(),
        code,
        "--students",
        class.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--slides",
    ]);
    assert_eq!(read(&again, &slides), class_slides.as_bytes());
    // Without --slides, neither run writes slides.
    let plain = dir.join("plain");
    ok(&[
        "regenerate",
        "--spec",
        spec.to_str().unwrap(),
        code,
        "--out",
        plain.to_str().unwrap(),
    ]);
    let names: Vec<String> = std::fs::read_dir(&plain)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("slides")), "{names:?}");
}

#[test]
fn an_aspect_ratio_beamer_does_not_have_is_refused_with_its_line() {
    let dir = Scratch::new("slides-ratio");
    let spec = dir.write("wide.yaml", &spec_2022_with("\n  aspectratio: 1610"));
    let out = examgen(&["check", "--spec", spec.to_str().unwrap(), "--samples", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = spec_2022_with("\n  aspectratio: 1610")
        .lines()
        .position(|l| l.contains("aspectratio"))
        .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!(
            "wide.yaml:{line}: slides.aspectratio: is 1610 but must be 43 (4:3) or 169 (16:9)"
        )),
        "{stderr}"
    );
    let unknown = dir.write("unknown.yaml", &spec_2022_with("{ratio: 169}"));
    let out = examgen(&["check", "--spec", unknown.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `ratio`"));
}
