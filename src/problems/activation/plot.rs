//! The plot of f and f′ on the activation sheet, drawn honestly for any member and any α.
//!
//! A polyline through evenly spaced samples lies about a function that is not smooth: a
//! jump of f′ becomes a slanted segment (ELU′ with α = 2 would "rise to 1.76 at −0.125 and
//! fall to 1"), and a kink between two samples is cut off. So the samples include every
//! point where f or f′ jumps (found from the engine itself, not from a list of members),
//! a curve is broken at each jump, and the jump's two sides are marked the way a textbook
//! does: a filled dot at the value the engine gives there (its right-hand convention), an
//! open circle at the other side's limit.
//!
//! The axes are a box with the tick labels outside it, so no curve runs through a label,
//! and the y ticks are chosen from the drawn values, so every curve's range has ticks.

use std::cell::RefCell;

use askama::Template;

use super::{PLOT_RANGE, PLOT_STEPS};
use crate::engine::activation::Activation;
use crate::render::figure::Figure;
use crate::recent::{float_bits, Recent};
use crate::render::latex::coordinates;

/// Decimals of a plot position: far below what a printed figure resolves.
const DIGITS: u32 = 6;

/// A jump smaller than this (relative to the values) is not drawn as one: smooth curves
/// change by a few ulps between neighbouring floats, a visible jump by far more.
const JUMP_TOLERANCE: f64 = 1e-9;

/// At most this many tick intervals on the y axis, so the labels stay readable.
const MAX_Y_INTERVALS: f64 = 7.0;

/// How far, in steps, a drawn value may lie past the outer tick: less than the limits'
/// margin ([`YAxis::limits`]), so it stays inside the frame.
const OVERHANG: f64 = 0.1;

/// (x, f(x), f′(x)) on the plot's grid plus every point where f or f′ jumps inside it,
/// in increasing x; the values are the engine's own, so a jump point carries the engine's
/// convention there.
///
/// A function of the member alone, so each thread keeps the last few members' samples
/// (every candidate of a draw is solved, and few members are drawn).
pub fn samples(a: &Activation) -> Vec<(f64, f64, f64)> {
    type Kept = Recent<(u8, [u64; 2]), Vec<(f64, f64, f64)>, 16>;
    thread_local! {
        static KEPT: RefCell<Kept> = const { RefCell::new(Recent::new()) };
    }
    KEPT.with(|kept| {
        kept.borrow_mut()
            .get_or_insert_with(a.bits(), || sample(|x| a.forward(x), |x| a.derivative(x)))
    })
}

/// [`samples`] of any f and f′.
fn sample(f: impl Fn(f64) -> f64, df: impl Fn(f64) -> f64) -> Vec<(f64, f64, f64)> {
    let grid: Vec<f64> = (0..=PLOT_STEPS)
        .map(|i| -PLOT_RANGE + 2.0 * PLOT_RANGE * i as f64 / PLOT_STEPS as f64)
        .collect();
    let mut xs = grid.clone();
    for w in grid.windows(2) {
        xs.extend(jump_between(&f, w[0], w[1]));
        xs.extend(jump_between(&df, w[0], w[1]));
    }
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    xs.into_iter().map(|x| (x, f(x), df(x))).collect()
}

/// A point strictly inside (lo, hi) where g jumps, if there is one: bisection keeps the
/// half whose ends differ more, which for a jump stays at least the jump's size and for a
/// smooth function shrinks with the interval.
fn jump_between(g: impl Fn(f64) -> f64, lo: f64, hi: f64) -> Option<f64> {
    let (mut a, mut b) = (lo, hi);
    let (mut ga, mut gb) = (g(a), g(b));
    loop {
        let m = a + (b - a) / 2.0;
        if m <= a || m >= b {
            break;
        }
        let gm = g(m);
        if (gm - ga).abs() >= (gb - gm).abs() {
            (b, gb) = (m, gm);
        } else {
            (a, ga) = (m, gm);
        }
        if !is_jump(ga, gb) {
            return None;
        }
    }
    // a and b are neighbouring floats with g jumping between them. The jump is at the
    // one a formula names (1 rather than 0.9999999999999999, 1/3 rather than the float
    // after it): the nearest float to the fraction with the smaller denominator.
    let at = match (denominator(a), denominator(b)) {
        (Some(qa), Some(qb)) if qa < qb => a,
        (Some(_), None) => a,
        _ => b,
    };
    (at > lo && at < hi).then_some(at)
}

/// The smallest q ≤ 1000 such that x is the float nearest to some p/q.
fn denominator(x: f64) -> Option<u32> {
    (1..=1000u32).find(|&q| (x * q as f64).round() / q as f64 == x)
}

fn is_jump(left: f64, right: f64) -> bool {
    (left - right).abs() > JUMP_TOLERANCE * left.abs().max(right.abs()).max(1.0)
}

/// One curve as drawn: pieces broken at its jumps, and the jumps' end marks.
#[derive(Clone, Debug, Default, PartialEq)]
struct Curve {
    /// Continuous pieces, each in increasing x; a jump ends one and starts the next at the
    /// same x.
    pub pieces: Vec<Vec<(f64, f64)>>,
    /// The value the engine gives at a jump.
    pub closed: Vec<(f64, f64)>,
    /// A one-sided limit at a jump that differs from the engine's value there.
    pub open: Vec<(f64, f64)>,
}

impl Curve {
    /// Draws g through the sampled `(x, g(x))`, asking g for the one-sided limits at
    /// each sample (its values at the neighbouring floats). At an end of the domain only
    /// the side inside it counts.
    fn new(g: impl Fn(f64) -> f64, points: &[(f64, f64)]) -> Curve {
        let mut curve = Curve::default();
        let mut piece = Vec::new();
        for (i, &(x, at)) in points.iter().enumerate() {
            let left = if i == 0 { at } else { g(x.next_down()) };
            let right = if i + 1 == points.len() { at } else { g(x.next_up()) };
            if !is_jump(left, right) {
                piece.push((x, at));
                continue;
            }
            if !piece.is_empty() {
                piece.push((x, left));
                curve.pieces.push(std::mem::take(&mut piece));
            }
            piece.push((x, right));
            curve.closed.push((x, at));
            for side in [left, right] {
                if is_jump(side, at) {
                    curve.open.push((x, side));
                }
            }
        }
        curve.pieces.push(piece);
        curve
    }

    /// Every drawn value.
    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.pieces
            .iter()
            .flatten()
            .chain(&self.closed)
            .chain(&self.open)
            .map(|p| p.1)
    }

    /// The pieces as one pgfplots coordinate list, broken by an unbounded point between
    /// pieces (the axis has `unbounded coords=jump`).
    fn coordinates(&self) -> String {
        self.pieces
            .iter()
            .map(|piece| coordinates(piece.iter().copied(), DIGITS))
            .collect::<Vec<_>>()
            .join(" (0, nan) ")
    }
}

/// The y axis: ticks every `step` from `ticks[0]` to the last, covering every drawn value.
#[derive(Clone, Debug, PartialEq)]
struct YAxis {
    pub ticks: Vec<f64>,
    pub step: f64,
}

impl YAxis {
    /// The coarsest-but-readable ticks over [min(lo, 0), max(hi, 0)]: the smallest nice step
    /// with at most [`MAX_Y_INTERVALS`] intervals. The x axis (y = 0) is always in view.
    fn covering(lo: f64, hi: f64) -> YAxis {
        let (lo, hi) = (lo.min(0.0), hi.max(0.0));
        const STEPS: [f64; 10] = [0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0];
        // A value less than a tenth of a step past a tick counts as on it (softplus(4) =
        // 4.018 gets a top tick of 4, not 5); the limits' margin keeps it in the frame.
        let bounds = |step: f64| ((lo / step + OVERHANG).floor(), (hi / step - OVERHANG).ceil());
        let step = STEPS
            .into_iter()
            .find(|&s| {
                let (first, last) = bounds(s);
                last - first <= MAX_Y_INTERVALS
            })
            .unwrap_or(*STEPS.last().expect("not empty"));
        let (first, last) = bounds(step);
        let ticks = (first as i64..=last as i64)
            .map(|k| k as f64 * step)
            .collect();
        YAxis { ticks, step }
    }

    /// The axis limits: a margin of twice [`OVERHANG`] past the outer ticks, so a curve or
    /// a mark on or a little past an outer tick is not drawn on the frame.
    fn limits(&self) -> (f64, f64) {
        let margin = 2.0 * OVERHANG * self.step;
        (self.ticks[0] - margin, self.ticks[self.ticks.len() - 1] + margin)
    }
}

/// The plot's geometry: both curves and the y axis.
#[derive(Clone, Debug, PartialEq)]
struct Drawing {
    pub f: Curve,
    pub df: Curve,
    pub y: YAxis,
}

impl Drawing {
    fn new(a: &Activation, samples: &[(f64, f64, f64)]) -> Drawing {
        Drawing::of(|x| a.forward(x), |x| a.derivative(x), samples)
    }

    /// The drawing of any f and f′ through their samples.
    fn of(
        f: impl Fn(f64) -> f64,
        df: impl Fn(f64) -> f64,
        samples: &[(f64, f64, f64)],
    ) -> Drawing {
        let pick = |value: fn(&(f64, f64, f64)) -> f64| -> Vec<(f64, f64)> {
            samples.iter().map(|s| (s.0, value(s))).collect()
        };
        let f = Curve::new(f, &pick(|s| s.1));
        let df = Curve::new(df, &pick(|s| s.2));
        let (lo, hi) = f
            .values()
            .chain(df.values())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let y = YAxis::covering(lo, hi);
        Drawing { f, df, y }
    }
}

/// The plot (a shared figure), see `templates/hr/activation_plot.tex`.
#[derive(Template)]
#[template(path = "hr/activation_plot.tex")]
struct Plot<'a> {
    name: &'a str,
    range: String,
    ymin: String,
    ymax: String,
    yticks: String,
    f_coordinates: String,
    df_coordinates: String,
    /// The jump marks that exist, each a pgfplots style and its coordinates.
    marks: Vec<(&'static str, String)>,
}

/// The figure of f and f′ for the function typeset as `name`.
///
/// The same for every student with the same member, so each thread keeps the last few.
pub fn figure(a: &Activation, samples: &[(f64, f64, f64)], name: &str) -> Figure {
    type Key = ((u8, [u64; 2]), Vec<u64>, String);
    thread_local! {
        static KEPT: RefCell<Recent<Key, Figure, 16>> = const { RefCell::new(Recent::new()) };
    }
    let flat = samples.iter().flat_map(|&(x, f, df)| [x, f, df]);
    let key = (a.bits(), float_bits(flat), name.to_string());
    KEPT.with(|kept| {
        kept.borrow_mut()
            .get_or_insert_with(key, || draw(a, samples, name))
    })
}

fn draw(a: &Activation, samples: &[(f64, f64, f64)], name: &str) -> Figure {
    let d = Drawing::new(a, samples);
    let (ymin, ymax) = d.y.limits();
    let marks = [
        ("blue, mark=*", &d.f.closed),
        ("blue, mark=o, fill=white", &d.f.open),
        ("red, mark=*", &d.df.closed),
        ("red, mark=o, fill=white", &d.df.open),
    ]
    .into_iter()
    .filter(|(_, points)| !points.is_empty())
    .map(|(style, points)| (style, coordinates(points.iter().copied(), DIGITS)))
    .collect();
    let plot = Plot {
        name,
        range: position(PLOT_RANGE),
        ymin: position(ymin),
        ymax: position(ymax),
        yticks: d.y.ticks.iter().map(|&t| position(t)).collect::<Vec<_>>().join(","),
        f_coordinates: d.f.coordinates(),
        df_coordinates: d.df.coordinates(),
        marks,
    }
    .render()
    .expect("the plot template has no fallible parts");
    Figure::new(plot)
}

/// A tick or an axis limit, with up to four decimals (ticks are multiples of 0.1 or
/// coarser) and no trailing zeros.
fn position(v: f64) -> String {
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "-0" => "0".to_string(),
        t => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept samples and figures are what computing them afresh gives, for every
    /// member, whatever was asked for before (more members than are kept), and a figure
    /// of other samples is another figure.
    #[test]
    fn kept_samples_and_figures_are_the_fresh_ones() {
        let mut members = family();
        members.extend([0.5, 1.0, 2.0].map(|max| Activation::HardTanh { min: -1.0, max }));
        assert!(members.len() > 16, "more members than a thread keeps");
        let bits = |s: &[(f64, f64, f64)]| float_bits(s.iter().flat_map(|&(x, f, d)| [x, f, d]));
        for _round in 0..2 {
            for a in &members {
                let fresh = sample(|x| a.forward(x), |x| a.derivative(x));
                assert_eq!(bits(&samples(a)), bits(&fresh), "{a:?}");
                assert_eq!(figure(a, &fresh, "f"), draw(a, &fresh, "f"), "{a:?}");
                assert_eq!(figure(a, &fresh, "g"), draw(a, &fresh, "g"), "{a:?}");
                let fewer = &fresh[1..];
                assert_eq!(figure(a, fewer, "f"), draw(a, fewer, "f"), "{a:?}");
                assert_ne!(figure(a, fewer, "f"), figure(a, &fresh, "f"), "{a:?}");
            }
        }
    }

    /// Every member, the parameterised ones with α that make a jump and one that does not
    /// (read as a spec writes them, so the list does not depend on the members' fields).
    fn family() -> Vec<Activation> {
        let mut specs: Vec<String> = ["softplus", "sigmoid", "tanh", "silu", "softsign"]
            .iter()
            .map(|f| format!(r#"{{"function": "{f}"}}"#))
            .collect();
        for alpha in [0.1, 0.5, 1.0, 2.0, 3.0] {
            specs.push(format!(r#"{{"function": "elu", "alpha": {alpha}}}"#));
        }
        for alpha in [0.01, 0.1, 0.2, 0.5, 0.9] {
            specs.push(format!(r#"{{"function": "leaky_relu", "alpha": {alpha}}}"#));
        }
        specs
            .iter()
            .map(|s| serde_json::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}")))
            .collect()
    }

    /// The members whose f′ jumps at 0, with f′(0⁻) = α and f′(0) = f′(0⁺) = 1.
    fn jumping() -> Vec<(Activation, f64)> {
        family()
            .into_iter()
            .filter_map(|a| match a {
                Activation::Elu { alpha } | Activation::LeakyRelu { alpha } if alpha != 1.0 => {
                    Some((a, alpha))
                }
                _ => None,
            })
            .collect()
    }

    fn drawing(a: &Activation) -> Drawing {
        Drawing::new(a, &samples(a))
    }

    /// No drawn segment of `curve` crosses `at`, and every drawn point at `at` is one of
    /// the two sides: a slanted segment across a jump is caught either way.
    fn assert_broken_at(curve: &Curve, at: f64, sides: [f64; 2], what: &str) {
        for piece in &curve.pieces {
            for w in piece.windows(2) {
                assert!(
                    !(w[0].0 < at && w[1].0 > at),
                    "{what}: segment {:?} – {:?} crosses the jump at {at}",
                    w[0],
                    w[1]
                );
            }
            for &(x, y) in piece {
                if x == at {
                    assert!(
                        sides.iter().any(|s| (y - s).abs() < 1e-12),
                        "{what}: ({x}, {y}) lies between the sides {sides:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_jump_of_the_derivative_is_drawn_as_a_jump_with_its_ends_marked() {
        for (a, alpha) in jumping() {
            let d = drawing(&a);
            let what = format!("{a:?}");
            assert_broken_at(&d.df, 0.0, [alpha, 1.0], &what);
            assert_eq!(d.df.pieces.len(), 2, "{what}");
            assert_eq!(d.df.pieces[0].last(), Some(&(0.0, alpha)), "{what}");
            assert_eq!(d.df.pieces[1].first(), Some(&(0.0, 1.0)), "{what}");
            // Filled: the engine's value at 0 (its right-hand convention); open: the left.
            assert_eq!(d.df.closed, vec![(0.0, a.derivative(0.0))], "{what}");
            assert_eq!(d.df.open, vec![(0.0, alpha)], "{what}");
            // f is continuous: one piece, no marks.
            assert_eq!((d.f.pieces.len(), d.f.closed.len()), (1, 0), "{what}");
        }
    }

    #[test]
    fn smooth_curves_are_one_piece_without_marks() {
        for a in family() {
            let d = drawing(&a);
            let jumps = jumping().iter().any(|(j, _)| *j == a);
            for (curve, name) in [(&d.f, "f"), (&d.df, "f′")] {
                if name == "f′" && jumps {
                    continue;
                }
                assert_eq!(curve.pieces.len(), 1, "{a:?} {name}");
                assert!(curve.closed.is_empty() && curve.open.is_empty(), "{a:?} {name}");
            }
        }
    }

    #[test]
    fn the_kink_at_zero_is_a_sample() {
        for (a, _) in jumping() {
            assert!(drawing(&a).f.pieces[0].contains(&(0.0, 0.0)), "{a:?}");
        }
    }

    /// A clamp with bounds off the grid (−0.3 and 1/3, the grid steps by 0.125): the kinks
    /// of f and the jumps of f′ are found and sampled exactly, at the float a formula
    /// names, and the engine's convention (1 on the closed interval) is the filled dot.
    #[test]
    fn kinks_between_grid_points_are_found_exactly() {
        let (lo, hi) = (-0.3, 1.0 / 3.0);
        let f = |x: f64| x.clamp(lo, hi);
        let df = |x: f64| if (lo..=hi).contains(&x) { 1.0 } else { 0.0 };
        let s = sample(f, df);
        assert!(s.iter().any(|p| p.0 == lo) && s.iter().any(|p| p.0 == hi));
        assert!(s.windows(2).all(|w| w[0].0 < w[1].0), "sorted, no repeats");
        let d = Drawing::of(f, df, &s);
        assert!(d.f.pieces[0].contains(&(lo, lo)) && d.f.pieces[0].contains(&(hi, hi)));
        assert_eq!(d.df.pieces.len(), 3);
        assert_broken_at(&d.df, lo, [0.0, 1.0], "clamp lower bound");
        assert_broken_at(&d.df, hi, [0.0, 1.0], "clamp upper bound");
        assert_eq!(d.df.closed, vec![(lo, 1.0), (hi, 1.0)]);
        assert_eq!(d.df.open, vec![(lo, 0.0), (hi, 0.0)]);
    }

    #[test]
    fn the_y_ticks_cover_every_curve() {
        for a in family() {
            let d = drawing(&a);
            let values: Vec<f64> = d.f.values().chain(d.df.values()).collect();
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let (ticks, step) = (&d.y.ticks, d.y.step);
            let (first, last) = (ticks[0], ticks[ticks.len() - 1]);
            let what = format!("{a:?}: values in [{min}, {max}], ticks {ticks:?}");
            assert!(first <= min + OVERHANG * step, "{what}");
            assert!(last >= max - OVERHANG * step, "{what}");
            assert!(first <= 0.0 && last >= 0.0, "{what}");
            assert!(ticks.len() >= 3 && ticks.len() <= 8, "{what}");
            let (ymin, ymax) = d.y.limits();
            assert!(ymin < min && max < ymax, "{what}: limits {ymin}, {ymax}");
        }
        // The sheet's example: ELU with α = 2 reaches −1.96, so −2 and −1 are ticks.
        let elu = drawing(&Activation::Elu { alpha: 2.0 });
        assert_eq!(elu.y.ticks, [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn the_figure_breaks_the_derivative_and_marks_the_jump() {
        let a = Activation::Elu { alpha: 2.0 };
        let tikz = figure(&a, &samples(&a), r"\operatorname{ELU}").tikz;
        assert!(tikz.contains("(0.000000, 2.000000) (0, nan) (0.000000, 1.000000)"), "{tikz}");
        assert!(tikz.contains("red, mark=*, forget plot] coordinates {(0.000000, 1.000000)}"));
        assert!(tikz.contains("red, mark=o, fill=white, forget plot] coordinates {(0.000000, 2.000000)}"));
        assert!(tikz.contains("ytick={-2,-1,0,1,2,3,4}"), "{tikz}");
        let tanh = Activation::Tanh;
        let smooth = figure(&tanh, &samples(&tanh), r"\tanh").tikz;
        assert!(!smooth.contains("nan") && !smooth.contains("only marks"), "{smooth}");
        assert_eq!(position(-0.0), "0");
        assert_eq!(position(-2.2), "-2.2");
        assert_eq!(position(0.25), "0.25");
    }
}
