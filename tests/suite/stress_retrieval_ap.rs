//! Randomized retrieval variants: 10,000 draws, each recomputed independently in integer
//! arithmetic (distances on the coordinate grid, the ranking, the PR table and the AP as
//! a fraction), checked against the constraints, the fairness properties of issue 9
//! (readable similarities a clear step apart), the hand-work budget and the knobs, and
//! rendered (every denominator a rendered sheet shows is read off it); plus the golden
//! parameters of the first variants.

use examgen::problems::Solved;
use examgen::render::sheet::Block;
use examgen::spec::Language;

use super::common::{frac_denominators, mat_f64, vec_f64};
use super::random_support::{self, check_golden_params, one_problem};

const DEFAULT: &str = "  - retrieval_ap:\n      draw: {}\n";

/// More items, three dimensions, integer coordinates, three identities, both similarities.
/// (Seven items would have to take exactly the similarities 1, 1/2, 1/3, 1/4, 1/5, 1/6
/// and 1/8, and AP denominators beyond the budget's 36.)
const WIDE: &str = "  - retrieval_ap:
      draw:
        items: 5
        dim: 3
        coordinates: integer
        coordinate_range: [-2, 3]
        label_range: [0, 2]
        similarities: [inverse_l1, inverse_l2_squared]
";

/// The 2022 query pinned, everything else drawn, squared L2.
const PINNED_QUERY: &str = "  - retrieval_ap:
      query: [1, 1]
      similarity: inverse_l2_squared
      draw:
        items: 5
";

/// The knobs a variant must respect, as the test reads them.
struct Knobs {
    items: usize,
    dim: usize,
    per_unit: i64,
    range: (i64, i64),
    labels: (i64, i64),
    similarities: &'static [&'static str],
}

const DEFAULT_KNOBS: Knobs = Knobs {
    items: 4,
    dim: 2,
    per_unit: 2,
    range: (-1, 4),
    labels: (0, 1),
    similarities: &["inverse_l1"],
};

const WIDE_KNOBS: Knobs = Knobs {
    items: 5,
    dim: 3,
    per_unit: 1,
    range: (-2, 3),
    labels: (0, 2),
    similarities: &["inverse_l1", "inverse_l2_squared"],
};

const PINNED_QUERY_KNOBS: Knobs = Knobs {
    items: 5,
    similarities: &["inverse_l2_squared"],
    ..DEFAULT_KNOBS
};

/// The fairness bounds of drawn similarities and the kind's hand-work budget, as this
/// test reads them: similarity denominators at most 10, any two similarities at least
/// 1/30 apart, and the sheet's largest denominator and numerator (AP's) 36 and 29.
const MAX_SIMILARITY_DENOMINATOR: i64 = 10;
const CLEAR_STEP: i64 = 30;
const MAX_DENOMINATOR: i64 = 36;
const MAX_NUMERATOR: i64 = 29;

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

/// A reduced fraction (numerator, denominator).
fn reduce(n: i64, d: i64) -> (i64, i64) {
    let g = gcd(n, d).max(1);
    (n / g, d / g)
}

/// A coordinate as an integer number of grid steps, if it lies on the grid.
fn steps(v: f64, per_unit: i64) -> Option<i64> {
    let s = v * per_unit as f64;
    (s.fract() == 0.0).then_some(s as i64)
}

/// Checks one variant; returns a description of the first problem found.
fn check(k: &Knobs, solved: &Solved, sheet: Option<&Block>) -> Result<(), String> {
    let key = solved.key();
    let (p, a) = (&key["params"], &key["answers"]);
    let x = mat_f64(&p["X"], "X");
    let query = vec_f64(&p["query"], "query");
    let y: Vec<i64> = p["y"]
        .as_array()
        .ok_or("y")?
        .iter()
        .map(|v| v.as_i64().ok_or("y entry"))
        .collect::<Result<_, _>>()?;
    let label = p["query_label"].as_i64().ok_or("query_label")?;
    let similarity = p["similarity"].as_str().ok_or("similarity")?;

    // The knobs.
    if x.len() != k.items || query.len() != k.dim || x.iter().any(|r| r.len() != k.dim) {
        return Err(format!("shape: {p}"));
    }
    if !k.similarities.contains(&similarity) {
        return Err(format!("similarity {similarity}"));
    }
    let grid = |v: &f64| {
        steps(*v, k.per_unit)
            .filter(|s| (k.range.0 * k.per_unit..=k.range.1 * k.per_unit).contains(s))
    };
    let xs: Vec<Vec<i64>> = x
        .iter()
        .map(|r| r.iter().map(grid).collect::<Option<Vec<_>>>())
        .collect::<Option<_>>()
        .ok_or_else(|| format!("a coordinate off the grid or out of range: {p}"))?;
    let q: Vec<i64> = query
        .iter()
        .map(grid)
        .collect::<Option<_>>()
        .ok_or_else(|| format!("a query coordinate off the grid: {p}"))?;
    if y.iter()
        .chain([&label])
        .any(|l| !(k.labels.0..=k.labels.1).contains(l))
    {
        return Err(format!("a label out of range: {p}"));
    }

    // Distances in grid units (integers): L1 in steps, L2² in steps².
    let (distances, scale): (Vec<i64>, i64) = match similarity {
        "inverse_l1" => (
            xs.iter()
                .map(|r| r.iter().zip(&q).map(|(a, b)| (a - b).abs()).sum())
                .collect(),
            k.per_unit,
        ),
        _ => (
            xs.iter()
                .map(|r| r.iter().zip(&q).map(|(a, b)| (a - b) * (a - b)).sum())
                .collect(),
            k.per_unit * k.per_unit,
        ),
    };
    let mut sorted = distances.clone();
    sorted.sort_unstable();
    if sorted[0] == 0 || sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(format!("distinct_distances: {distances:?}"));
    }
    // Readable similarities a clear step apart: scale/d reduced has a denominator of at
    // most 10, and |scale/d1 − scale/d2| ≥ 1/30 ⇔ 30·scale·|d1 − d2| ≥ d1·d2.
    for &d in &distances {
        if reduce(scale, d).1 > MAX_SIMILARITY_DENOMINATOR {
            return Err(format!("readable_similarities: {scale}/{d}"));
        }
    }
    for (i, &d1) in distances.iter().enumerate() {
        for &d2 in &distances[..i] {
            if CLEAR_STEP * scale * (d1 - d2).abs() < d1 * d2 {
                return Err(format!("similarities_apart: {scale}/{d1} and {scale}/{d2}"));
            }
        }
    }
    // The similarity is scale / distance, exactly.
    let sims = vec_f64(&a["similarities"], "similarities");
    for (s, &dist) in sims.iter().zip(&distances) {
        if (s - scale as f64 / dist as f64).abs() > 1e-12 {
            return Err(format!("similarities {sims:?} for distances {distances:?}"));
        }
    }
    let mut ranking: Vec<usize> = (0..distances.len()).collect();
    ranking.sort_by_key(|&i| distances[i]);
    let key_ranking: Vec<usize> = a["ranking"]
        .as_array()
        .ok_or("ranking")?
        .iter()
        .map(|v| v.as_u64().map(|v| v as usize).ok_or("ranking entry"))
        .collect::<Result<_, _>>()?;
    if key_ranking != ranking {
        return Err(format!("ranking {key_ranking:?}, want {ranking:?}"));
    }
    let relevant: Vec<bool> = y.iter().map(|&l| l == label).collect();
    let total = relevant.iter().filter(|&&r| r).count() as i64;
    if total < 2 {
        return Err("two_relevant".into());
    }
    if total == relevant.len() as i64 {
        return Err("one_irrelevant".into());
    }

    // AP = (1/R) Σ over relevant ranks of P at that rank, as a fraction.
    let (mut num, mut den) = (0i64, 1i64);
    let mut tp = 0;
    let precision = vec_f64(&a["precision"], "precision");
    let recall = vec_f64(&a["recall"], "recall");
    for (rank, &item) in ranking.iter().enumerate() {
        let cutoff = rank as i64 + 1;
        if relevant[item] {
            tp += 1;
            (num, den) = reduce(num * cutoff * total + tp * den, den * cutoff * total);
        }
        if (precision[rank] - tp as f64 / cutoff as f64).abs() > 1e-12
            || (recall[rank] - tp as f64 / total as f64).abs() > 1e-12
        {
            return Err(format!("PR table at cut-off {cutoff}"));
        }
    }
    if num == den {
        return Err("ap_below_one: AP = 1".into());
    }
    let fraction = if den == 1 {
        num.to_string()
    } else {
        format!("{num}/{den}")
    };
    if den > MAX_DENOMINATOR || num > MAX_NUMERATOR {
        return Err(format!("hand_work: AP = {num}/{den}"));
    }
    if a["ap_fraction"] != fraction.as_str() {
        return Err(format!("AP {} but want {fraction}", a["ap_fraction"]));
    }
    let ap = a["ap"].as_f64().ok_or("ap")?;
    if (ap - num as f64 / den as f64).abs() > 1e-12 {
        return Err(format!("AP {ap} but want {fraction}"));
    }

    if let Some(block) = sheet {
        let shown = if den == 1 {
            num.to_string()
        } else {
            format!("\\frac{{{num}}}{{{den}}}")
        };
        // A decimal of at most 3 places is exact and follows with "=", never "≈".
        let mut rest = den;
        let (mut twos, mut fives) = (0, 0);
        while rest % 2 == 0 {
            rest /= 2;
            twos += 1;
        }
        while rest % 5 == 0 {
            rest /= 5;
            fives += 1;
        }
        let relation = if rest == 1 && twos.max(fives) <= 3 {
            "="
        } else {
            "\\approx"
        };
        if !block.solution.contains(&format!("= {shown} {relation} ")) {
            return Err(format!(
                "the sheet does not show AP = {fraction} followed by {relation}"
            ));
        }
        let denominators = frac_denominators(&format!("{}{}", block.question, block.solution));
        if denominators.iter().any(|&d| d as i64 > MAX_DENOMINATOR) {
            return Err(format!("hand_work: the sheet shows {denominators:?}"));
        }
    }
    Ok(())
}

fn stress(item: &str, knobs: &Knobs, count: usize, name: &str) -> f64 {
    let label = format!("retrieval_ap {name}");
    random_support::stress(&label, item, count, 5, |_, solved, sheet| {
        check(knobs, solved, sheet)
    })
}

#[test]
fn stress_retrieval_ap_default() {
    let rate = stress(DEFAULT, &DEFAULT_KNOBS, 4000, "default");
    assert!(rate > 0.05, "acceptance {rate}");
}

#[test]
fn stress_retrieval_ap_wide() {
    stress(WIDE, &WIDE_KNOBS, 3000, "wide");
}

#[test]
fn stress_retrieval_ap_pinned_query() {
    stress(PINNED_QUERY, &PINNED_QUERY_KNOBS, 3000, "pinned query");
}

/// The checker has teeth: the 2022 problem passes, and fails once a coordinate is out of range.
#[test]
fn the_checker_rejects_a_broken_variant() {
    let problem = one_problem(
        "  - retrieval_ap:
      X: [[1, 0], [3, -1], [-0.5, 0.5], [1, 4]]
      y: [1, 1, 0, 1]
      query: [1, 1]
      query_label: 1
",
    );
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(0, 0, 0, 0))
        .expect("the 2022 problem");
    let sheet = solved.render(Language::Hr, 1).expect("the 2022 sheet");
    assert_eq!(check(&DEFAULT_KNOBS, &solved, Some(&sheet)), Ok(()));
    let narrow = Knobs {
        range: (-1, 3),
        ..DEFAULT_KNOBS
    };
    let err = check(&narrow, &solved, None).expect_err("X[3] = [1, 4] is out of range");
    assert!(err.contains("out of range"), "{err}");
}

/// The fairness checks have teeth: a database with 1/4 against 2/9 (1/36 apart) and one
/// with a similarity of 2/13 are pinned (so the kind accepts them) and the checker
/// refuses both.
#[test]
fn the_checker_rejects_unfair_similarities() {
    let refused = |x: &str| {
        let problem = one_problem(&format!(
            "  - retrieval_ap:\n      X: {x}\n      y: [1, 1, 0, 1]\n      query: [0, 0]\n      \
             query_label: 1\n"
        ));
        let solved = problem
            .draw(&mut examgen::draw::problem_rng(0, 0, 0, 0))
            .expect("a pinned database is the lecturer's choice");
        check(&DEFAULT_KNOBS, &solved, None).expect_err("an unfair database")
    };
    let err = refused("[[2, 2], [2, 2.5], [1, 0], [0, 2]]");
    assert!(err.contains("similarities_apart: 2/9 and 2/8"), "{err}");
    let err = refused("[[3, 3.5], [2, 2], [1, 0], [0, 2]]");
    assert!(err.contains("readable_similarities: 2/13"), "{err}");
}

#[test]
fn golden_random_retrieval_ap() {
    check_golden_params("retrieval_ap", DEFAULT);
}
