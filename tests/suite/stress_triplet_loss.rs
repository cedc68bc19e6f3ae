//! Randomized triplet_loss variants, each checked against an independent recomputation
//! written here from scratch: the distances, the hinge and the loss in f64 from the
//! points, every gradient in closed form and by central finite differences of that loss
//! (all six coordinates of a, p, n), the same gradients, the class means and the squared
//! distances as fractions in integer arithmetic, the class, the knobs, the constraints and
//! the hand-work budget; a sample is rendered. Also: the count of distinct variants of the
//! default draw, pins kept, broken and impossible specs.
//!
//! The always-run tests draw 3,000 variants (a few seconds in debug); the heavy one 30,000
//! (`cargo test --test tests stress_triplet_loss -- --ignored --nocapture`).

use std::collections::HashSet;
use std::path::Path;

use examgen::problems::Solved;
use examgen::spec::Language;
use serde_json::Value;

use super::common::{num, vec_f64, HEADER};
use super::random_support::{draw_many, one_problem, report};

const DEFAULT: &str = "  - triplet_loss:\n      draw: {}\n";

/// Both losses, longer offsets, wider coordinates, one to four support points.
const WIDE: &str = "  - triplet_loss:
      draw:
        losses: [triplet, contrastive]
        hinge_states: [active, inactive]
        coordinate_range: [-4, 4]
        distance_range: [5, 17]
        margin_range: [1, 20]
        support_range: [1, 4]
";

/// The knobs a variant must respect, as the test reads them.
struct Knobs {
    losses: &'static [&'static str],
    coordinates: (i64, i64),
    distances: (i64, i64),
    margins: (i64, i64),
    classes: (usize, usize),
    support: (usize, usize),
    /// Whether the points must be drawn ones (offsets with no zero coordinate).
    drawn_offsets: bool,
}

const DEFAULT_KNOBS: Knobs = Knobs {
    losses: &["triplet"],
    coordinates: (-3, 3),
    distances: (5, 13),
    margins: (1, 12),
    classes: (2, 3),
    support: (2, 3),
    drawn_offsets: true,
};

const WIDE_KNOBS: Knobs = Knobs {
    losses: &["triplet", "contrastive"],
    coordinates: (-4, 4),
    distances: (5, 17),
    margins: (1, 20),
    classes: (2, 3),
    support: (1, 4),
    drawn_offsets: true,
};

/// The kind's hand-work budget, as this test reads it: the largest denominator and the
/// largest integer or numerator of the values the sheet shows.
const MAX_DENOMINATOR: i128 = 65;
const MAX_NUMERATOR: i128 = 400;

/// A fraction as (numerator, denominator), not yet reduced.
type Fraction = (i128, i128);

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

/// `n/d` reduced, with the sign on the numerator.
fn reduced(n: i128, d: i128) -> (i128, i128) {
    let g = gcd(n, d).max(1) * d.signum();
    (n / g, d / g)
}

/// `n/d` as the key writes it ("-14/65", "0", "3").
fn fraction(n: i128, d: i128) -> String {
    match reduced(n, d) {
        (n, 1) => n.to_string(),
        (n, d) => format!("{n}/{d}"),
    }
}

/// The loss of the six coordinates x = (a, p, n), from scratch.
fn loss_of(contrastive: bool, margin: f64, x: &[f64]) -> f64 {
    let d_ap = ((x[2] - x[0]).powi(2) + (x[3] - x[1]).powi(2)).sqrt();
    let d_an = ((x[4] - x[0]).powi(2) + (x[5] - x[1]).powi(2)).sqrt();
    if contrastive {
        d_ap * d_ap + (margin - d_an).max(0.0).powi(2)
    } else {
        (d_ap - d_an + margin).max(0.0)
    }
}

/// Central differences of `f` at `x`, entry by entry.
fn numeric_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let step = 1e-6;
    (0..x.len())
        .map(|i| {
            let (mut plus, mut minus) = (x.to_vec(), x.to_vec());
            plus[i] += step;
            minus[i] -= step;
            (f(&plus) - f(&minus)) / (2.0 * step)
        })
        .collect()
}

fn point(v: &Value, what: &str) -> [i64; 2] {
    let xs: Vec<i64> = v
        .as_array()
        .unwrap_or_else(|| panic!("{what} is an array"))
        .iter()
        .map(|x| x.as_i64().expect("an integer coordinate"))
        .collect();
    assert_eq!(xs.len(), 2, "{what} is a point of the plane");
    [xs[0], xs[1]]
}

fn strings(v: &Value, what: &str) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is an array"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

/// The integer square root of a perfect square.
fn exact_root(sq: i64) -> Option<i64> {
    (0..=sq).find(|r| r * r >= sq).filter(|r| r * r == sq)
}

fn check_variant(i: usize, solved: &Solved, knobs: &Knobs) {
    let key = solved.key();
    let (pr, ans) = (&key["params"], &key["answers"]);
    let what = |s: &str| format!("variant {i}: {s} ({pr})");
    let loss_name = pr["loss"].as_str().expect("loss");
    let contrastive = loss_name == "contrastive";
    let a = point(&pr["anchor"], "anchor");
    let p = point(&pr["positive"], "positive");
    let n = point(&pr["negative"], "negative");
    let q = point(&pr["query"], "query");
    let margin = pr["margin"].as_i64().expect("margin");
    let support: Vec<Vec<[i64; 2]>> = pr["support"]
        .as_array()
        .expect("support")
        .iter()
        .map(|c| {
            c.as_array()
                .expect("a class")
                .iter()
                .map(|x| point(x, "support point"))
                .collect()
        })
        .collect();

    // The knobs.
    let in_coords = |x: [i64; 2]| {
        x.iter()
            .all(|v| (knobs.coordinates.0..=knobs.coordinates.1).contains(v))
    };
    assert!(knobs.losses.contains(&loss_name), "{}", what("loss"));
    assert!(in_coords(a) && in_coords(q), "{}", what("coordinate range"));
    assert!(
        support.iter().flatten().all(|&x| in_coords(x)),
        "{}",
        what("support coordinates")
    );
    assert!(
        (knobs.margins.0..=knobs.margins.1).contains(&margin),
        "{}",
        what("margin range")
    );
    assert!(
        (knobs.classes.0..=knobs.classes.1).contains(&support.len()),
        "{}",
        what("classes")
    );
    assert!(
        support
            .iter()
            .all(|c| (knobs.support.0..=knobs.support.1).contains(&c.len())),
        "{}",
        what("support sizes")
    );

    // The distances: whole numbers (the constraint), recomputed.
    let u = [p[0] - a[0], p[1] - a[1]];
    let v = [n[0] - a[0], n[1] - a[1]];
    let d_ap = exact_root(u[0] * u[0] + u[1] * u[1]).expect("d(a, p) a whole number");
    let d_an = exact_root(v[0] * v[0] + v[1] * v[1]).expect("d(a, n) a whole number");
    assert!(d_ap > 0 && d_an > 0, "{}", what("p = a or n = a"));
    if knobs.drawn_offsets {
        for (o, d) in [(u, d_ap), (v, d_an)] {
            assert!(
                o[0] != 0 && o[1] != 0,
                "{}",
                what("an offset along an axis")
            );
            assert!(
                (knobs.distances.0..=knobs.distances.1).contains(&d),
                "{}",
                what("distance range")
            );
        }
    }
    assert_eq!(
        num(&ans["d_ap"], "d_ap"),
        d_ap as f64,
        "{}",
        what("d(a, p)")
    );
    assert_eq!(
        num(&ans["d_an"], "d_an"),
        d_an as f64,
        "{}",
        what("d(a, n)")
    );

    // The hinge, clear of its kink, and the loss.
    let hinge = if contrastive {
        margin - d_an
    } else {
        d_ap - d_an + margin
    };
    assert!(hinge.abs() >= 1, "{}", what("hinge at the kink"));
    let active = hinge > 0;
    assert_eq!(
        num(&ans["hinge"], "hinge"),
        hinge as f64,
        "{}",
        what("hinge")
    );
    assert_eq!(
        ans["hinge_state"].as_str(),
        Some(if active { "active" } else { "inactive" }),
        "{}",
        what("hinge state")
    );
    let x: Vec<f64> = [a, p, n].iter().flatten().map(|&c| c as f64).collect();
    let loss = loss_of(contrastive, margin as f64, &x);
    let want_loss = if contrastive {
        d_ap * d_ap + hinge.max(0).pow(2)
    } else {
        hinge.max(0)
    };
    assert_eq!(loss, want_loss as f64, "{}", what("loss from scratch"));
    assert_eq!(
        num(&ans["loss_value"], "loss_value"),
        loss,
        "{}",
        what("loss")
    );

    // The gradients as fractions, in integers: (numerators, common denominator).
    let on = i128::from(active);
    let (u, v) = (u.map(i128::from), v.map(i128::from));
    let (d_ap, d_an, h) = (i128::from(d_ap), i128::from(d_an), i128::from(hinge));
    let (grad_p, grad_n): ([Fraction; 2], [Fraction; 2]) = if contrastive {
        (u.map(|c| (2 * c, 1)), v.map(|c| (-2 * h * c * on, d_an)))
    } else {
        (u.map(|c| (c * on, d_ap)), v.map(|c| (-c * on, d_an)))
    };
    let grad_a: Vec<Fraction> = (0..2)
        .map(|j| {
            let ((pn, pd), (nn, nd)) = (grad_p[j], grad_n[j]);
            (-(pn * nd + nn * pd), pd * nd)
        })
        .collect();
    let exact = &ans["grad_exact"];
    for (name, field, want) in [
        ("anchor", "grad_anchor", grad_a.clone()),
        ("positive", "grad_positive", grad_p.to_vec()),
        ("negative", "grad_negative", grad_n.to_vec()),
    ] {
        let want_strings: Vec<String> = want.iter().map(|&(n, d)| fraction(n, d)).collect();
        assert_eq!(
            strings(&exact[name], name),
            want_strings,
            "{}",
            what(&format!("{field} as fractions"))
        );
        let got = vec_f64(&ans[field], field);
        for (g, &(n, d)) in got.iter().zip(&want) {
            assert!(
                (g - n as f64 / d as f64).abs() < 1e-12,
                "{}",
                what(&format!("{field} = {got:?}"))
            );
        }
    }

    // Every gradient against central differences of the loss above.
    let numeric = numeric_gradient(|x| loss_of(contrastive, margin as f64, x), &x);
    let analytic: Vec<f64> = ["grad_anchor", "grad_positive", "grad_negative"]
        .iter()
        .flat_map(|f| vec_f64(&ans[*f], f))
        .collect();
    for (j, (g, fd)) in analytic.iter().zip(&numeric).enumerate() {
        assert!(
            (g - fd).abs() < 1e-6,
            "{}",
            what(&format!("gradient entry {j} = {g}, finite difference {fd}"))
        );
    }

    // The class means and the squared distances, in integers: μ_c = S_c / k_c and
    // ‖q − μ_c‖² = Σ (k_c q − S_c)² / k_c².
    let mut sq: Vec<Fraction> = Vec::new();
    let mut shown: Vec<Fraction> = Vec::new();
    for (c, class) in support.iter().enumerate() {
        let k = class.len() as i128;
        let sum = class.iter().fold([0i128, 0], |s, x| {
            [s[0] + i128::from(x[0]), s[1] + i128::from(x[1])]
        });
        let mean_strings: Vec<String> = sum.iter().map(|&s| fraction(s, k)).collect();
        assert_eq!(
            strings(&ans["means_exact"][c], "means_exact"),
            mean_strings,
            "{}",
            what("a class mean")
        );
        let diffs = [0, 1].map(|j| k * i128::from(q[j]) - sum[j]);
        let num_sq = diffs[0] * diffs[0] + diffs[1] * diffs[1];
        sq.push((num_sq, k * k));
        shown.extend(sum.iter().map(|&s| (s, k)));
        shown.extend(diffs.iter().map(|&d| (d * d, k * k)));
        shown.push((num_sq, k * k));
    }
    let sq_strings: Vec<String> = sq.iter().map(|&(n, d)| fraction(n, d)).collect();
    assert_eq!(
        strings(&ans["sq_distances_exact"], "sq_distances_exact"),
        sq_strings,
        "{}",
        what("squared distances")
    );
    let nearest = (0..sq.len())
        .min_by(|&i, &j| (sq[i].0 * sq[j].1).cmp(&(sq[j].0 * sq[i].1)))
        .expect("a class");
    assert_eq!(
        ans["predicted"].as_u64(),
        Some(nearest as u64),
        "{}",
        what("the class")
    );
    for (c, &(n, d)) in sq.iter().enumerate() {
        let (bn, bd) = sq[nearest];
        // n/d − bn/bd ≥ 1 unless c is the nearest.
        assert!(
            c == nearest || n * bd - bn * d >= d * bd,
            "{}",
            what("the nearest mean is not clear by 1")
        );
    }

    // The hand-work budget, on the reduced fractions the sheet shows.
    shown.extend(grad_a.iter().chain(&grad_p).chain(&grad_n));
    shown.extend([
        (d_ap * d_ap, 1),
        (d_an * d_an, 1),
        (i128::from(want_loss), 1),
    ]);
    for (n, d) in shown {
        let (n, d) = reduced(n, d);
        assert!(
            n.abs() <= MAX_NUMERATOR && d <= MAX_DENOMINATOR,
            "{}",
            what(&format!("{n}/{d} is beyond the hand-work budget"))
        );
    }
}

/// Draws `count` variants, checks each, renders every fifth; returns the number of
/// distinct variants (distinct key parameters).
fn stress(item: &str, knobs: &Knobs, count: usize, label: &str) -> usize {
    let problem = one_problem(item);
    assert!(!problem.is_fixed());
    let mut distinct = HashSet::new();
    let mut active = 0;
    let rate = draw_many(&problem, count, |i, solved| {
        check_variant(i, solved, knobs);
        distinct.insert(solved.key()["params"].to_string());
        active += usize::from(solved.key()["answers"]["hinge_state"] == "active");
        if i % 5 == 0 {
            if let Err(e) = solved.render(Language::Hr, 1) {
                panic!(
                    "variant {i} does not render: {e}\n{}",
                    solved.key()["params"]
                );
            }
        }
    });
    report(
        label,
        rate,
        &format!(
            "({} distinct of {count}, {active} with an active hinge)",
            distinct.len()
        ),
    );
    if item.contains("inactive") {
        assert!(
            (count * 7 / 20..=count * 13 / 20).contains(&active),
            "{label}: {active} of {count} active; the two states should come about equally often"
        );
    } else {
        assert_eq!(
            active, count,
            "{label}: the default draws active hinges only"
        );
    }
    distinct.len()
}

#[test]
fn default_variants_are_right_and_at_least_500_distinct() {
    let distinct = stress(DEFAULT, &DEFAULT_KNOBS, 2_000, "triplet_loss default");
    assert!(
        distinct >= 500,
        "only {distinct} distinct variants in 2,000 draws"
    );
}

#[test]
fn wide_knobs() {
    stress(WIDE, &WIDE_KNOBS, 1_000, "triplet_loss wide");
}

/// 20,000 default and 10,000 wide variants:
/// `cargo test --test tests stress_triplet_loss -- --ignored --nocapture`.
#[test]
#[ignore]
fn thirty_thousand_variants() {
    let distinct = stress(
        DEFAULT,
        &DEFAULT_KNOBS,
        20_000,
        "triplet_loss default, heavy",
    );
    assert!(distinct >= 500);
    stress(WIDE, &WIDE_KNOBS, 10_000, "triplet_loss wide, heavy");
}

/// The first active variant of the default draw.
fn an_active_variant() -> Solved {
    let problem = one_problem(DEFAULT);
    (0..)
        .map(|student| {
            problem
                .draw(&mut examgen::draw::problem_rng(1, student, 0, 0))
                .expect("the default draw succeeds")
        })
        .find(|s| s.key()["answers"]["hinge_state"] == "active")
        .expect("an active variant")
}

#[test]
fn the_checker_catches_a_wrong_gradient() {
    for entry in 0..3 {
        let Solved::TripletLoss(p, mut s) = an_active_variant() else {
            panic!("a triplet_loss variant")
        };
        match entry {
            0 => s.grad_anchor[0] += 0.01,
            1 => s.grad_positive[1] -= 0.01,
            _ => s.grad_negative[0] *= -1.0,
        }
        let tampered = Solved::TripletLoss(p, s);
        let caught = std::panic::catch_unwind(|| check_variant(0, &tampered, &DEFAULT_KNOBS));
        assert!(caught.is_err(), "a wrong gradient {entry} passed the check");
    }
}

/// The budget check has teeth: distances 17 and 13 put the anchor's gradient in 221sts;
/// pinned, the kind accepts the variant (a lecturer's choice), but the budget does not.
#[test]
fn the_checker_catches_a_variant_beyond_the_budget() {
    let item = "  - triplet_loss:\n      loss: triplet\n      anchor: [0, 0]\n      \
                positive: [8, 15]\n      negative: [5, 12]\n      margin: 1\n      \
                support: [[[0, 0], [2, 2]], [[3, 3], [1, 2]]]\n      query: [0, 1]\n";
    let solved = one_problem(item)
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .expect("a pinned variant is not held to the budget");
    let knobs = Knobs {
        distances: (5, 17),
        ..DEFAULT_KNOBS
    };
    let caught = std::panic::catch_unwind(|| check_variant(0, &solved, &knobs));
    let message = caught
        .expect_err("gradients in 221sts passed the budget check")
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("beyond the hand-work budget"), "{message}");
}

#[test]
fn every_pinned_parameter_is_kept() {
    let item = "  - triplet_loss:\n      anchor: [1, -1]\n      margin: 4\n      \
                support: [[[0, 0], [2, 2]], [[3, 3], [-1, 2], [0, -3]]]\n      \
                draw: {losses: [triplet, contrastive]}\n";
    let problem = one_problem(item);
    let mut losses = HashSet::new();
    let knobs = Knobs {
        losses: &["triplet", "contrastive"],
        ..DEFAULT_KNOBS
    };
    draw_many(&problem, 200, |i, solved| {
        let params = &solved.key()["params"];
        assert_eq!(params["anchor"], serde_json::json!([1, -1]), "variant {i}");
        assert_eq!(params["margin"], 4, "variant {i}");
        assert_eq!(
            params["support"],
            serde_json::json!([[[0, 0], [2, 2]], [[3, 3], [-1, 2], [0, -3]]]),
            "variant {i}"
        );
        losses.insert(params["loss"].as_str().map(String::from));
        check_variant(i, solved, &knobs);
    });
    assert_eq!(losses.len(), 2, "both losses are drawn");
}

/// Ranges no candidate can satisfy are a spec error naming the constraint, and a pinned
/// variant that breaks one is refused when the spec is read.
#[test]
fn impossible_or_broken_specs_name_the_constraint() {
    let parse = |item: &str| {
        examgen::exam::parse(&format!("{HEADER}{item}"), Path::new("s.yaml"))
            .map(|spec| spec.slots.len())
    };
    // Offsets of length 5 only: the triplet hinge is the margin itself, never inactive.
    let err = parse(
        "  - triplet_loss:\n      draw: {distance_range: [5, 5], hinge_states: [inactive]}\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("the constraint `margin_for_hinge_state` ("),
        "{err}"
    );
    let pinned = "  - triplet_loss:\n      loss: triplet\n      anchor: [0, 0]\n      \
                  positive: [3, 4]\n      negative: [6, 8]\n      margin: 5\n      \
                  support: [[[0, 0]], [[2, 0]]]\n      query: [1, 0]\n";
    let err = parse(pinned).unwrap_err().to_string();
    assert!(err.contains("hinge_clear"), "{err}");
    let err = parse(&pinned.replace("margin: 5", "margin: 6"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("clear_nearest_mean"), "{err}");
    assert_eq!(
        parse(
            &pinned
                .replace("margin: 5", "margin: 6")
                .replace("query: [1, 0]", "query: [0, 1]")
        )
        .ok(),
        Some(1)
    );
    let err = parse(&pinned.replace("[3, 4]", "[2, 4]"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("integer_distances"), "{err}");
}

/// The committed example spec reads, and its variants keep the checks above.
#[test]
fn the_committed_example_draws_checked_variants() {
    let spec = examgen::exam::load(&super::common::root().join("variants/triplet_loss.yaml"))
        .expect("variants/triplet_loss.yaml");
    assert!(
        spec.slots[0].problem().unwrap().is_fixed() && !spec.slots[1].problem().unwrap().is_fixed()
    );
    // The lecture's support points reach 5.
    let pinned = Knobs {
        coordinates: (-3, 5),
        margins: (10, 10),
        ..DEFAULT_KNOBS
    };
    draw_many(spec.slots[0].problem().unwrap(), 10, |i, solved| {
        check_variant(i, solved, &pinned)
    });
    draw_many(spec.slots[1].problem().unwrap(), 100, |i, solved| {
        check_variant(i, solved, &DEFAULT_KNOBS)
    });
}
