//! Randomized attention variants, each checked against an independent recomputation:
//! the scores, the softmax over each row (masked keys at −∞ get weight 0), O = AV in f64
//! straight from Q, K, V; the fractions b^{E_ij − m_i} / Σ in integers, O and ∂L/∂V as
//! sums of fractions; ∂L/∂V by central finite differences of L = Σ G ⊙ O; the knobs,
//! the constraints and the hand-work budget; every fifth variant is rendered and its sheet
//! checked for the mask's and the question's wording. Also: the count of distinct
//! variants of the default draw, pins kept, a tampered gradient and a variant beyond the
//! budget caught.
//!
//! The always-run tests draw 3,000 variants (a few seconds in debug); the heavy one
//! 30,000: `cargo test --test tests stress_attention -- --ignored --nocapture`.

use std::collections::HashSet;
use std::path::Path;

use examgen::problems::{Problem, Solved};
use examgen::slot::Slot;
use examgen::spec::Language;
use serde_json::Value;

use super::common::HEADER;
use super::random_support::{draw_many, one_problem, report};

const DEFAULT: &str = "  - attention:\n      draw: {}\n";

/// Up to four positions, d_v up to 3, wider entries, base 3 next to base 2.
const WIDE: &str = "  - attention:
      draw:
        seq_range: [2, 4]
        value_dim_range: [1, 3]
        q_range: [-2, 2]
        v_range: [-3, 3]
        ln_bases: [2, 3]
";

/// The knobs a variant must respect, as the test reads them.
struct Knobs {
    seq: (usize, usize),
    key_dims: &'static [usize],
    value_dims: (usize, usize),
    q: (i64, i64),
    k: (i64, i64),
    v: (i64, i64),
    g: (i64, i64),
    bases: &'static [u32],
}

const DEFAULT_KNOBS: Knobs = Knobs {
    seq: (3, 3),
    key_dims: &[1, 4],
    value_dims: (1, 2),
    q: (-1, 1),
    k: (-1, 1),
    v: (-2, 2),
    g: (-1, 1),
    bases: &[2],
};

const WIDE_KNOBS: Knobs = Knobs {
    seq: (2, 4),
    key_dims: &[1, 4],
    value_dims: (1, 3),
    q: (-2, 2),
    k: (-1, 1),
    v: (-3, 3),
    g: (-1, 1),
    bases: &[2, 3],
};

/// The kind's hand-work budget, as this test reads it: the largest denominator and the
/// largest numerator (or integer) of the weights, O, ∂L/∂V, the powers and their sums.
const MAX_DENOMINATOR: i128 = 24;
const MAX_NUMERATOR: i128 = 24;

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

/// A fraction n/d in lowest terms, d > 0.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Frac(i128, i128);

impl Frac {
    fn new(n: i128, d: i128) -> Frac {
        let g = gcd(n, d).max(1) * d.signum();
        Frac(n / g, d / g)
    }

    fn add(self, o: Frac) -> Frac {
        Frac::new(self.0 * o.1 + o.0 * self.1, self.1 * o.1)
    }

    /// As the key writes it ("3/7", "-1/2", "0", "1").
    fn text(self) -> String {
        if self.1 == 1 {
            self.0.to_string()
        } else {
            format!("{}/{}", self.0, self.1)
        }
    }
}

fn ints(v: &Value, what: &str) -> Result<Vec<Vec<i64>>, String> {
    v.as_array()
        .ok_or(format!("{what} is not a matrix"))?
        .iter()
        .map(|r| {
            r.as_array()
                .ok_or(format!("{what} row is not a list"))?
                .iter()
                .map(|x| {
                    x.as_i64()
                        .ok_or(format!("{what} entry {x} is not an integer"))
                })
                .collect()
        })
        .collect()
}

fn floats(v: &Value, what: &str) -> Result<Vec<Vec<Option<f64>>>, String> {
    v.as_array()
        .ok_or(format!("{what} is not a matrix"))?
        .iter()
        .map(|r| {
            r.as_array()
                .ok_or(format!("{what} row is not a list"))
                .map(|r| r.iter().map(Value::as_f64).collect())
        })
        .collect()
}

fn strings(v: &Value, what: &str) -> Result<Vec<Vec<String>>, String> {
    v.as_array()
        .ok_or(format!("{what} is not a matrix"))?
        .iter()
        .map(|r| {
            r.as_array()
                .ok_or(format!("{what} row is not a list"))?
                .iter()
                .map(|x| x.as_str().map(str::to_string).ok_or(format!("{what}: {x}")))
                .collect()
        })
        .collect()
}

/// softmax over the visible scores of each row; a masked score (None) gets weight 0.
fn attention_weights(s: &[Vec<Option<f64>>]) -> Vec<Vec<f64>> {
    s.iter()
        .map(|row| {
            let max = row
                .iter()
                .flatten()
                .cloned()
                .fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = row
                .iter()
                .map(|x| x.map_or(0.0, |x| (x - max).exp()))
                .collect();
            let total: f64 = e.iter().sum();
            e.iter().map(|x| x / total).collect()
        })
        .collect()
}

/// The scores QKᵀ/√d_k from Q and the keys themselves, None where the mask hides a key.
fn scores(q: &[Vec<f64>], k: &[Vec<f64>], causal: bool) -> Vec<Vec<Option<f64>>> {
    let d_k = q[0].len() as f64;
    q.iter()
        .enumerate()
        .map(|(i, qi)| {
            k.iter()
                .enumerate()
                .map(|(j, kj)| {
                    (!causal || j <= i)
                        .then(|| qi.iter().zip(kj).map(|(a, b)| a * b).sum::<f64>() / d_k.sqrt())
                })
                .collect()
        })
        .collect()
}

/// L = Σ G ⊙ (A V) for the attention of Q over K (both as reals) and V.
fn loss(q: &[Vec<f64>], k: &[Vec<f64>], v: &[Vec<f64>], g: &[Vec<f64>], causal: bool) -> f64 {
    let a = attention_weights(&scores(q, k, causal));
    let mut total = 0.0;
    for (i, ai) in a.iter().enumerate() {
        for (c, gic) in g[i].iter().enumerate() {
            total += gic * ai.iter().zip(v).map(|(w, vj)| w * vj[c]).sum::<f64>();
        }
    }
    total
}

/// Central differences of `f` at every entry of `x`.
fn numeric_gradient(f: impl Fn(&[Vec<f64>]) -> f64, x: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let h = 1e-6;
    x.iter()
        .enumerate()
        .map(|(r, row)| {
            (0..row.len())
                .map(|c| {
                    let (mut plus, mut minus) = (x.to_vec(), x.to_vec());
                    plus[r][c] += h;
                    minus[r][c] -= h;
                    (f(&plus) - f(&minus)) / (2.0 * h)
                })
                .collect()
        })
        .collect()
}

fn as_f64(m: &[Vec<i64>]) -> Vec<Vec<f64>> {
    m.iter()
        .map(|r| r.iter().map(|&x| x as f64).collect())
        .collect()
}

fn check_close(
    got: &[Vec<Option<f64>>],
    want: &[Vec<f64>],
    tol: f64,
    what: &str,
) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{what}: {} rows, want {}", got.len(), want.len()));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if g.len() != w.len() {
            return Err(format!(
                "{what}[{i}]: {} entries, want {}",
                g.len(),
                w.len()
            ));
        }
        for (j, (g, w)) in g.iter().zip(w).enumerate() {
            match g {
                Some(g) if (g - w).abs() <= tol * w.abs().max(1.0) => {}
                _ => return Err(format!("{what}[{i}][{j}] = {g:?}, recomputed {w}")),
            }
        }
    }
    Ok(())
}

fn in_range(m: &[Vec<i64>], (lo, hi): (i64, i64), what: &str) -> Result<(), String> {
    match m.iter().flatten().find(|x| !(lo..=hi).contains(*x)) {
        Some(x) => Err(format!("{what} entry {x} outside [{lo}, {hi}]")),
        None => Ok(()),
    }
}

fn within_budget(values: impl IntoIterator<Item = Frac>, what: &str) -> Result<(), String> {
    for f in values {
        if f.0.abs() > MAX_NUMERATOR || f.1 > MAX_DENOMINATOR {
            return Err(format!(
                "{what} {} is beyond the hand-work budget",
                f.text()
            ));
        }
    }
    Ok(())
}

fn check_variant(solved: &Solved, knobs: &Knobs) -> Result<(), String> {
    let key = solved.key();
    let (pr, a) = (&key["params"], &key["answers"]);
    let q = ints(&pr["Q"], "Q")?;
    let kt = ints(&pr["K"], "K")?;
    let v = ints(&pr["V"], "V")?;
    let g = ints(&pr["G"], "G")?;
    let base = pr["ln_base"].as_u64().ok_or("ln_base")? as u32;
    let causal = pr["causal"].as_bool().ok_or("causal")?;
    let concept = pr["concept"].as_str().ok_or("concept")?;
    let (n, d_k, d_v) = (q.len(), q[0].len(), v[0].len());
    let ln_b = f64::from(base).ln();

    // The knobs and the shapes.
    if !(knobs.seq.0..=knobs.seq.1).contains(&n) || !knobs.key_dims.contains(&d_k) {
        return Err(format!("n = {n}, d_k = {d_k} outside the knobs"));
    }
    if !(knobs.value_dims.0..=knobs.value_dims.1).contains(&d_v) || !knobs.bases.contains(&base) {
        return Err(format!("d_v = {d_v}, b = {base} outside the knobs"));
    }
    for (m, rows, cols, what) in [(&kt, n, d_k, "K"), (&v, n, d_v, "V"), (&g, n, d_v, "G")] {
        if m.len() != rows || m.iter().any(|r| r.len() != cols) {
            return Err(format!("{what} is not {rows} × {cols}"));
        }
    }
    in_range(&q, knobs.q, "Q")?;
    in_range(&kt, knobs.k, "K")?;
    in_range(&v, knobs.v, "V")?;
    in_range(&g, knobs.g, "G")?;
    if pr["d_k"].as_u64() != Some(d_k as u64) {
        return Err("d_k".into());
    }
    let keys: Vec<Vec<f64>> = kt
        .iter()
        .map(|r| r.iter().map(|&x| x as f64 * ln_b).collect())
        .collect();
    let keys_key: Vec<Vec<f64>> = floats(&pr["keys"], "keys")?
        .into_iter()
        .map(|r| r.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
        .collect();
    if keys_key != keys {
        return Err("keys ≠ ln b · K̃".into());
    }

    // The f64 forward pass from Q, K, V alone.
    let (qf, vf, gf) = (as_f64(&q), as_f64(&v), as_f64(&g));
    let s = scores(&qf, &keys, causal);
    let got_s = floats(&a["scores"], "scores")?;
    for (i, (got, want)) in got_s.iter().zip(&s).enumerate() {
        for (j, (x, y)) in got.iter().zip(want).enumerate() {
            let same = match (x, y) {
                (None, None) => true,
                (Some(x), Some(y)) => (x - y).abs() < 1e-12,
                _ => false,
            };
            if !same {
                return Err(format!("S[{i}][{j}] = {x:?}, recomputed {y:?}"));
            }
        }
    }
    let weights = attention_weights(&s);
    check_close(&floats(&a["weights"], "weights")?, &weights, 1e-12, "A")?;
    for (i, row) in weights.iter().enumerate() {
        if (row.iter().sum::<f64>() - 1.0).abs() > 1e-12 {
            return Err(format!("row {i} of A does not sum to 1"));
        }
        if (0..n).any(|j| causal && j > i && row[j] != 0.0) {
            return Err(format!("a masked weight of row {i} is not 0"));
        }
    }
    let output: Vec<Vec<f64>> = weights
        .iter()
        .map(|ai| {
            (0..d_v)
                .map(|c| ai.iter().zip(&vf).map(|(w, vj)| w * vj[c]).sum())
                .collect()
        })
        .collect();
    check_close(&floats(&a["output"], "output")?, &output, 1e-12, "O")?;

    // ∂L/∂V against central differences of L = Σ G ⊙ O.
    let numeric = numeric_gradient(|v| loss(&qf, &keys, v, &gf, causal), &vf);
    check_close(
        &floats(&a["grad_V"], "grad_V")?,
        &numeric,
        1e-7,
        "∂L/∂V (finite differences)",
    )?;

    // The exact values, in integers: E = QK̃ᵀ/√d_k, each row b^{E−m}/Σ.
    let r = (d_k as f64).sqrt() as i128;
    let mut a_exact = vec![vec![Frac(0, 1); n]; n];
    let mut shown: Vec<Frac> = Vec::new();
    let mut exponents_seen = Vec::new();
    for i in 0..n {
        let visible: Vec<usize> = (0..n).filter(|&j| !causal || j <= i).collect();
        let mut e = Vec::new();
        for &j in &visible {
            let dot: i128 = (0..d_k)
                .map(|l| i128::from(q[i][l]) * i128::from(kt[j][l]))
                .sum();
            if dot % r != 0 {
                return Err(format!("QK̃ᵀ[{i}][{j}] = {dot} is not a multiple of √d_k"));
            }
            e.push(dot / r);
        }
        if e.len() >= 2 && e.iter().all(|&x| x == e[0]) {
            return Err(format!("row {i} scores every key alike"));
        }
        let m = *e.iter().min().ok_or("a row without keys")?;
        let powers: Vec<i128> = e
            .iter()
            .map(|&x| i128::from(base).pow((x - m) as u32))
            .collect();
        let total: i128 = powers.iter().sum();
        for (&j, &p) in visible.iter().zip(&powers) {
            a_exact[i][j] = Frac::new(p, total);
            if a_exact[i][j].1 > 64 {
                return Err(format!("A[{i}][{j}] has a denominator above 64"));
            }
        }
        shown.extend(powers.iter().map(|&p| Frac(p, 1)));
        shown.push(Frac(total, 1));
        exponents_seen.push(e);
    }
    let text = |m: &[Vec<Frac>]| -> Vec<Vec<String>> {
        m.iter()
            .map(|r| r.iter().map(|f| f.text()).collect())
            .collect()
    };
    if strings(&a["weights_exact"], "weights_exact")? != text(&a_exact) {
        return Err("A as fractions".into());
    }
    let o_exact: Vec<Vec<Frac>> = (0..n)
        .map(|i| {
            (0..d_v)
                .map(|c| {
                    (0..n).fold(Frac(0, 1), |acc, j| {
                        acc.add(Frac::new(
                            a_exact[i][j].0 * i128::from(v[j][c]),
                            a_exact[i][j].1,
                        ))
                    })
                })
                .collect()
        })
        .collect();
    if strings(&a["output_exact"], "output_exact")? != text(&o_exact) {
        return Err("O as fractions".into());
    }
    let dv_exact: Vec<Vec<Frac>> = (0..n)
        .map(|j| {
            (0..d_v)
                .map(|c| {
                    (0..n).fold(Frac(0, 1), |acc, i| {
                        acc.add(Frac::new(
                            a_exact[i][j].0 * i128::from(g[i][c]),
                            a_exact[i][j].1,
                        ))
                    })
                })
                .collect()
        })
        .collect();
    if strings(&a["grad_V_exact"], "grad_V_exact")? != text(&dv_exact) {
        return Err("∂L/∂V as fractions".into());
    }

    // The question's constraint, and the strongest keys (0-based, null on a tie).
    let strongest: Vec<Option<usize>> = weights
        .iter()
        .map(|row| {
            let max = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let at: Vec<usize> = (0..n).filter(|&j| row[j] == max).collect();
            (at.len() == 1).then(|| at[0])
        })
        .collect();
    let got: Vec<Option<usize>> = a["strongest_keys"]
        .as_array()
        .ok_or("strongest_keys")?
        .iter()
        .map(|x| x.as_u64().map(|x| x as usize))
        .collect();
    if got != strongest {
        return Err(format!("strongest keys {got:?}, recomputed {strongest:?}"));
    }
    match concept {
        "mask" if !causal => return Err("the mask question without the mask".into()),
        "strongest" if strongest.iter().any(Option::is_none) => {
            return Err("the strongest-key question with a tie".into())
        }
        "scaling" | "mask" | "strongest" => {}
        other => return Err(format!("unknown concept {other}")),
    }

    // The hand-work budget, on the reduced fractions and the integers added by hand.
    shown.extend(a_exact.iter().flatten());
    shown.extend(o_exact.iter().flatten());
    shown.extend(dv_exact.iter().flatten());
    within_budget(shown, "a printed value")
}

/// The sheet says what the variant is: the mask or none, and the question asked.
fn check_sheet(solved: &Solved) -> Result<(), String> {
    let key = solved.key();
    let block = solved.render(Language::Hr, 1).map_err(|e| e.to_string())?;
    let causal = key["params"]["causal"].as_bool() == Some(true);
    if block.question.contains("Koristi se kauzalna maska") != causal {
        return Err("the sheet and the key disagree on the mask".into());
    }
    let phrase = match key["params"]["concept"].as_str() {
        Some("scaling") => r"dijele s $\sqrt{d_k}$",
        Some("mask") => "Što kauzalna maska čini",
        _ => "Kojem ključu svaki upit",
    };
    if !block.question.contains(phrase) {
        return Err(format!("the question does not ask `{phrase}`"));
    }
    let worked = block
        .solution
        .split("codelisting")
        .next()
        .unwrap_or_default();
    if worked.contains("0.") {
        return Err("a decimal on the solution sheet".into());
    }
    Ok(())
}

/// Draws `count` variants, checks each, renders every fifth; returns the number of
/// distinct variants (distinct key parameters).
fn stress(item: &str, knobs: &Knobs, count: usize, label: &str) -> usize {
    let problem = one_problem(item);
    assert!(!problem.is_fixed());
    let mut distinct = HashSet::new();
    let rate = draw_many(&problem, count, |i, solved| {
        let checked = check_variant(solved, knobs).and_then(|()| {
            if i % 5 == 0 {
                check_sheet(solved)
            } else {
                Ok(())
            }
        });
        if let Err(e) = checked {
            panic!("{label} variant {i}: {e}\n{}", solved.key()["params"]);
        }
        distinct.insert(solved.fingerprint());
    });
    report(
        label,
        rate,
        &format!("({} distinct of {count})", distinct.len()),
    );
    distinct.len()
}

#[test]
fn default_variants_are_right_and_at_least_500_distinct() {
    let distinct = stress(DEFAULT, &DEFAULT_KNOBS, 2_000, "attention default");
    assert!(
        distinct >= 500,
        "only {distinct} distinct variants in 2,000 draws"
    );
}

#[test]
fn wide_knobs() {
    stress(WIDE, &WIDE_KNOBS, 1_000, "attention wide");
}

/// 20,000 default and 10,000 wide variants:
/// `cargo test --test tests stress_attention -- --ignored --nocapture`.
#[test]
#[ignore]
fn thirty_thousand_variants() {
    let distinct = stress(DEFAULT, &DEFAULT_KNOBS, 20_000, "attention default, heavy");
    assert!(distinct >= 500);
    stress(WIDE, &WIDE_KNOBS, 10_000, "attention wide, heavy");
}

#[test]
fn the_checker_catches_a_wrong_gradient_or_weight() {
    let problem = one_problem(DEFAULT);
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .unwrap();
    assert_eq!(check_variant(&solved, &DEFAULT_KNOBS), Ok(()));
    let Solved::Attention(p, s) = solved else {
        panic!("an attention variant")
    };
    let mut wrong = s.clone();
    wrong.grad_v[[0, 0]] += 0.01;
    let err = check_variant(&Solved::Attention(p.clone(), wrong), &DEFAULT_KNOBS).unwrap_err();
    assert!(err.contains("finite differences"), "{err}");
    let mut wrong = s;
    wrong.weights[[1, 0]] += 1e-6;
    let err = check_variant(&Solved::Attention(p, wrong), &DEFAULT_KNOBS).unwrap_err();
    assert!(err.starts_with("A["), "{err}");
}

/// The budget check has teeth: a pinned row 2^5 + 1 = 33 (the kind accepts a pinned
/// variant, which is not held to the budget) is beyond it.
#[test]
fn the_checker_catches_a_variant_beyond_the_budget() {
    let problem = one_problem(
        "  - attention:\n      Q: [[5], [1]]\n      K: [[1], [0]]\n      V: [[1], [0]]\n      \
         G: [[1], [0]]\n      ln_base: 2\n      causal: false\n      concept: scaling\n",
    );
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .expect("a pinned variant is not held to the budget");
    let knobs = Knobs {
        seq: (2, 2),
        q: (-5, 5),
        ..DEFAULT_KNOBS
    };
    let err = check_variant(&solved, &knobs).unwrap_err();
    assert!(err.contains("beyond the hand-work budget"), "{err}");
}

#[test]
fn every_pinned_parameter_is_kept() {
    let item = "  - attention:\n      V: [[1, 0], [0, 1], [1, 1]]\n      causal: true\n      \
                draw: {ln_bases: [2, 3]}\n";
    let problem = one_problem(item);
    let mut bases = HashSet::new();
    draw_many(&problem, 200, |i, solved| {
        let params = &solved.key()["params"];
        assert_eq!(
            params["V"],
            serde_json::json!([[1, 0], [0, 1], [1, 1]]),
            "variant {i}"
        );
        assert_eq!(params["causal"], true, "variant {i}");
        bases.insert(params["ln_base"].as_u64());
        let knobs = Knobs {
            value_dims: (2, 2),
            v: (0, 1),
            bases: &[2, 3],
            ..DEFAULT_KNOBS
        };
        check_variant(solved, &knobs).unwrap_or_else(|e| panic!("variant {i}: {e}"));
    });
    assert_eq!(bases.len(), 2, "both bases are drawn");
}

/// Knobs no candidate can satisfy are a spec error naming the constraint, and a pinned
/// variant that breaks one is refused when the spec is read.
#[test]
fn impossible_or_broken_specs_name_the_constraint() {
    let parse = |item: &str| {
        examgen::exam::parse(&format!("{HEADER}{item}"), Path::new("s.yaml"))
            .map(|spec| spec.slots.len())
    };
    let err = parse("  - attention:\n      draw: {q_range: [0, 0]}\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("the constraint `no_uniform_row` ("), "{err}");
    let odd = "  - attention:\n      Q: [[1, 0, 0, 0], [0, 1, 0, 0]]\n      \
               K: [[1, 0, 0, 0], [0, 1, 0, 0]]\n      V: [[1], [0]]\n      G: [[1], [0]]\n      \
               ln_base: 2\n      causal: false\n      concept: scaling\n";
    let err = parse(odd).unwrap_err().to_string();
    assert!(err.contains("scores_in_ln_units"), "{err}");
    let even = odd.replace(
        "K: [[1, 0, 0, 0], [0, 1, 0, 0]]",
        "K: [[2, 0, 0, 0], [0, 2, 0, 0]]",
    );
    assert_eq!(parse(&even).ok(), Some(1));
}

/// The committed example spec reads, and its variants keep the checks above.
#[test]
fn the_committed_example_draws_checked_variants() {
    let spec = examgen::exam::load(&super::common::root().join("variants/attention.yaml"))
        .expect("variants/attention.yaml");
    let problems: Vec<&Problem> = spec.slots.iter().filter_map(Slot::problem).collect();
    assert!(problems[0].is_fixed() && !problems[1].is_fixed());
    let pinned = Knobs {
        key_dims: &[4],
        ..DEFAULT_KNOBS
    };
    for (problem, knobs) in problems.into_iter().zip([&pinned, &DEFAULT_KNOBS]) {
        draw_many(problem, 100, |i, solved| {
            check_variant(solved, knobs).unwrap_or_else(|e| panic!("variant {i}: {e}"));
        });
    }
}
