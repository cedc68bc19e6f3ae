//! The activation plot as the solution sheet draws it, read back from the TikZ code:
//! a jump of f′ is a break with a filled dot at the engine's value and an open circle at
//! the other side (never a slanted segment), the kink of f is a plotted point, and the y
//! ticks cover every plotted value, negative ones included. With latexmk, the figures
//! with jumps compile without a warning.

use std::process::Command;

use super::common::{ok, on_path, skip_or_fail, Scratch, HEADER};

/// (spec item, α where f′ jumps at 0 from α to 1).
const MEMBERS: &[(&str, Option<f64>)] = &[
    ("{function: elu, alpha: 2}", Some(2.0)),
    ("{function: elu, alpha: 0.5}", Some(0.5)),
    ("{function: elu, alpha: 1}", None),
    ("{function: leaky_relu, alpha: 0.2}", Some(0.2)),
    ("{function: leaky_relu, alpha: 0.01}", Some(0.01)),
    ("{function: softplus}", None),
    ("{function: sigmoid}", None),
    ("{function: tanh}", None),
    ("{function: silu}", None),
    ("{function: softsign}", None),
];

/// One plot read back from the sheet.
struct Plot {
    ymin: f64,
    ymax: f64,
    yticks: Vec<f64>,
    /// f and f′, each as the pieces between unbounded `(x, nan)` breaks.
    f: Vec<Vec<(f64, f64)>>,
    df: Vec<Vec<(f64, f64)>>,
    /// The `only marks` plots: (style, points).
    marks: Vec<(String, Vec<(f64, f64)>)>,
}

fn option<'a>(axis: &'a str, key: &str) -> &'a str {
    let start = axis
        .find(&format!("{key}="))
        .unwrap_or_else(|| panic!("no {key}= in {axis}"))
        + key.len()
        + 1;
    let rest = &axis[start..];
    if let Some(braced) = rest.strip_prefix('{') {
        &braced[..braced.find('}').unwrap()]
    } else {
        &rest[..rest.find([',', ']']).unwrap()]
    }
}

fn number(text: &str) -> f64 {
    text.trim()
        .parse()
        .unwrap_or_else(|e| panic!("{text:?} is not a number: {e}"))
}

/// `(x, y) (x, y) …` split into pieces at points whose y is `nan`.
fn pieces(list: &str) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![Vec::new()];
    for point in list.split(')').map(str::trim).filter(|p| !p.is_empty()) {
        let (x, y) = point
            .trim_start_matches('(')
            .split_once(',')
            .expect("(x, y)");
        if y.trim() == "nan" {
            out.push(Vec::new());
        } else {
            out.last_mut().unwrap().push((number(x), number(y)));
        }
    }
    out
}

fn coordinates_of(line: &str) -> &str {
    let start = line.find("coordinates {").expect("a coordinate list") + "coordinates {".len();
    &line[start..line.rfind('}').unwrap()]
}

fn parse(tikz: &str) -> Plot {
    let axis = tikz
        .lines()
        .find(|l| l.starts_with("\\begin{axis}"))
        .expect("an axis");
    let plot_line = |style: &str| {
        tikz.lines()
            .find(|l| l.starts_with(&format!("\\addplot[{style}]")))
            .unwrap_or_else(|| panic!("no \\addplot[{style}] in\n{tikz}"))
    };
    Plot {
        ymin: number(option(axis, "ymin")),
        ymax: number(option(axis, "ymax")),
        yticks: option(axis, "ytick").split(',').map(number).collect(),
        f: pieces(coordinates_of(plot_line("thick, blue"))),
        df: pieces(coordinates_of(plot_line("thick, red, dashed"))),
        marks: tikz
            .lines()
            .filter(|l| l.starts_with("\\addplot[only marks"))
            .map(|l| {
                let style = &l[l.find(',').unwrap() + 1..l.find("forget plot").unwrap()];
                (style.trim().to_string(), pieces(coordinates_of(l)).concat())
            })
            .collect(),
    }
}

/// The plots of [`MEMBERS`], in order, from one generated solution sheet.
fn plots(out: &Scratch) -> Vec<Plot> {
    let items: String = MEMBERS
        .iter()
        .map(|(item, _)| format!("  - activation: {item}\n"))
        .collect();
    let spec = out.write("plots.yaml", &format!("{HEADER}{items}"));
    let dir = out.join("out");
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    let sheet = std::fs::read_to_string(dir.join("solutions.tex")).expect("solutions.tex");
    let plots: Vec<Plot> = sheet
        .split("\\examgenfigure{")
        .skip(1)
        .map(|figure| parse(&figure[..figure.find("\\end{tikzpicture}").unwrap()]))
        .collect();
    assert_eq!(plots.len(), MEMBERS.len());
    plots
}

#[test]
fn jumps_are_breaks_with_marked_ends_and_kinks_are_points() {
    let out = Scratch::new("activation-plot-jumps");
    for ((item, jump), plot) in MEMBERS.iter().zip(plots(&out)) {
        let Some(alpha) = *jump else {
            assert_eq!(
                (plot.f.len(), plot.df.len()),
                (1, 1),
                "{item}: smooth, one piece"
            );
            assert!(plot.marks.is_empty(), "{item}: smooth, no marks");
            continue;
        };
        // No segment of f′ crosses 0 (a slanted segment would), and every point of f′
        // at 0 is one of the two sides: nothing strictly between α and 1.
        assert_eq!(plot.df.len(), 2, "{item}: f′ in two pieces");
        for piece in &plot.df {
            for w in piece.windows(2) {
                assert!(
                    !(w[0].0 < 0.0 && w[1].0 > 0.0),
                    "{item}: f′ segment {:?} – {:?} crosses the jump",
                    w[0],
                    w[1]
                );
            }
        }
        let at_zero: Vec<f64> = plot
            .df
            .concat()
            .iter()
            .filter(|p| p.0 == 0.0)
            .map(|p| p.1)
            .collect();
        assert_eq!(
            at_zero,
            [alpha, 1.0],
            "{item}: f′ ends at α and restarts at 1"
        );
        assert_eq!(
            plot.df[0].last().unwrap().0,
            0.0,
            "{item}: the left piece reaches 0"
        );
        // Filled dot at f′(0) = 1 (the right-hand convention), open circle at α.
        let mark = |kind: &str| {
            plot.marks
                .iter()
                .find(|(style, _)| style.starts_with("red") && style.contains(kind))
                .map(|(_, points)| points.clone())
                .unwrap_or_else(|| panic!("{item}: no red {kind} marks: {:?}", plot.marks))
        };
        assert_eq!(mark("mark=*"), [(0.0, 1.0)], "{item}");
        assert_eq!(mark("mark=o"), [(0.0, alpha)], "{item}");
        // The kink of f is a plotted point, and f is not broken there.
        assert_eq!(plot.f.len(), 1, "{item}");
        assert!(
            plot.f[0].contains(&(0.0, 0.0)),
            "{item}: f is not sampled at its kink"
        );
    }
}

#[test]
fn the_y_ticks_cover_every_plotted_value() {
    let out = Scratch::new("activation-plot-ticks");
    for ((item, _), plot) in MEMBERS.iter().zip(plots(&out)) {
        let ys: Vec<f64> = plot
            .f
            .iter()
            .chain(&plot.df)
            .flatten()
            .chain(plot.marks.iter().flat_map(|m| &m.1))
            .map(|p| p.1)
            .collect();
        let min = ys.iter().copied().fold(f64::INFINITY, f64::min);
        let max = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let ticks = &plot.yticks;
        let step = ticks[1] - ticks[0];
        let what = format!("{item}: values in [{min}, {max}], ticks {ticks:?}");
        assert!(
            ticks.windows(2).all(|w| (w[1] - w[0] - step).abs() < 1e-9),
            "{what}"
        );
        // Within a tenth of a step of the outer ticks, inside the frame.
        assert!(ticks.len() <= 8, "{what}: too many ticks to read");
        assert!(ticks[0] <= min + 0.1 * step, "{what}");
        assert!(*ticks.last().unwrap() >= max - 0.1 * step, "{what}");
        assert!(
            plot.ymin < min && max < plot.ymax,
            "{what}: frame {}, {}",
            plot.ymin,
            plot.ymax
        );
        if min < -0.1 * step {
            assert!(
                ticks[0] < 0.0,
                "{what}: a negative value without a negative tick"
            );
        }
    }
}

/// pgfplots draws the breaks (`unbounded coords=jump` with `nan`) and the marks without
/// a warning.
#[test]
fn figures_with_jumps_compile_cleanly() {
    let test = "activation_plot::figures_with_jumps_compile_cleanly";
    if !on_path("latexmk") {
        skip_or_fail(
            test,
            "latexmk is not on PATH (install TeX Live: latexmk and pdflatex)",
        );
        return;
    }
    let dir = Scratch::new("activation-plot-pdf");
    let spec = dir.write(
        "jumps.yaml",
        &format!("{HEADER}  - activation: {{function: elu, alpha: 2}}\n  - activation: {{function: leaky_relu, alpha: 0.2}}\n"),
    );
    let out = dir.join("out");
    ok(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--pdf",
    ]);
    let build = out.join("figures").join(".build");
    let logs: Vec<_> = std::fs::read_dir(&build)
        .expect("figures/.build holds the figures' logs")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    assert_eq!(logs.len(), 2, "{logs:?}");
    for log in logs {
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(!text.contains("Warning"), "{}:\n{text}", log.display());
        let pdf = out
            .join("figures")
            .join(log.with_extension("pdf").file_name().unwrap());
        assert!(pdf.exists(), "{} was not compiled", pdf.display());
    }
    // The sheet's own fallback draws the same TikZ when the figure PDFs are missing.
    std::fs::remove_dir_all(out.join("figures")).unwrap();
    let status = Command::new("latexmk")
        .current_dir(&out)
        .args([
            "-pdf",
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-quiet",
            "-g",
        ])
        .arg("solutions.tex")
        .output()
        .expect("latexmk runs");
    assert!(
        status.status.success(),
        "solutions.tex does not compile without figures/:\n{}",
        String::from_utf8_lossy(&status.stdout)
    );
}
