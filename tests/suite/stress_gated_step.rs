//! Randomized gated_step variants, each checked against an independent recomputation:
//! the LSTM or GRU step in f64 straight from the key's parameters (PyTorch's equations,
//! written here again), the gates, c_t and h_t as exact fractions in i128 (σ(n ln b) =
//! bⁿ/(bⁿ + 1), tanh(½ j ln b) = (bʲ − 1)/(bʲ + 1)), ∂L/∂x exactly and by central finite
//! differences of L = Σ c_t (LSTM) or Σ h_t (GRU), the knobs, the constraints and the
//! hand-work budget; every fifth variant is rendered.
//!
//! The always-run test draws 2,000 default variants (a few seconds in debug); the heavy
//! one 20,000 (`cargo test --test tests stress_gated_step -- --ignored --nocapture`).

use examgen::problems::Solved;
use serde_json::Value;

use super::common::{num, vec_f64};
use super::random_support::{check_golden_params, one_problem, stress};

const DEFAULT: &str = "  - gated_step:\n      draw: {}\n";

/// The kind's hand-work budget as this test reads it, on the exact values of the key.
const MAX_DENOMINATOR: i128 = 225;
const MAX_NUMERATOR: i128 = 120;

/// An exact fraction in i128, reduced, with a positive denominator.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Q(i128, i128);

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

impl Q {
    fn new(n: i128, d: i128) -> Q {
        let g = gcd(n, d).max(1) * d.signum();
        Q(n / g, d / g)
    }
    fn int(n: i64) -> Q {
        Q(i128::from(n), 1)
    }
    fn add(self, o: Q) -> Q {
        Q::new(self.0 * o.1 + o.0 * self.1, self.1 * o.1)
    }
    fn sub(self, o: Q) -> Q {
        self.add(Q(-o.0, o.1))
    }
    fn mul(self, o: Q) -> Q {
        Q::new(self.0 * o.0, self.1 * o.1)
    }
    fn f(self) -> f64 {
        self.0 as f64 / self.1 as f64
    }
    fn text(self) -> String {
        if self.1 == 1 {
            self.0.to_string()
        } else {
            format!("{}/{}", self.0, self.1)
        }
    }
}

const ONE: Q = Q(1, 1);

/// b^e as a fraction (e may be negative).
fn power(b: i128, e: i64) -> Q {
    let p = b.pow(e.unsigned_abs() as u32);
    if e >= 0 {
        Q(p, 1)
    } else {
        Q(1, p)
    }
}

/// σ(n ln b) = bⁿ / (bⁿ + 1).
fn sigma_exact(b: i128, n: i64) -> Q {
    let p = power(b, n);
    Q::new(p.0, p.0 + p.1)
}

/// tanh(½ j ln b) = (bʲ − 1) / (bʲ + 1).
fn tanh_half_exact(b: i128, j: i64) -> Q {
    let p = power(b, j);
    Q::new(p.0 - p.1, p.0 + p.1)
}

/// `rational + coef ln b` as key.json writes it (`1/9 + 2/3 ln 2`, `-ln 2`).
fn ln_text(rational: Q, coef: Q, b: u32) -> String {
    if coef.0 == 0 {
        return rational.text();
    }
    let ln = format!("ln {b}");
    let term = |c: Q| {
        if c == ONE {
            ln.clone()
        } else {
            format!("{} {ln}", c.text())
        }
    };
    if rational.0 == 0 {
        return if coef == Q(-1, 1) {
            format!("-{ln}")
        } else {
            term(coef)
        };
    }
    let sign = if coef.0 < 0 { "-" } else { "+" };
    format!(
        "{} {sign} {}",
        rational.text(),
        term(Q(coef.0.abs(), coef.1))
    )
}

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

/// The parameters as the test reads them from the key.
struct Step {
    gru: bool,
    b: u32,
    x: Vec<i64>,
    h: Vec<i64>,
    c: Vec<i64>,
    w_ih: Vec<Vec<i64>>,
    w_hh: Vec<Vec<i64>>,
    bias: Vec<i64>,
    b_hn: Vec<i64>,
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .map(|a| a.iter().map(|e| e.as_i64().expect("an integer")).collect())
        .unwrap_or_default()
}

fn int_rows(v: &Value) -> Vec<Vec<i64>> {
    v.as_array().expect("rows").iter().map(ints).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("strings")
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

impl Step {
    fn read(p: &Value) -> Step {
        Step {
            gru: p["cell"] == "gru",
            b: p["ln_base"].as_u64().expect("ln_base") as u32,
            x: ints(&p["x"]),
            h: ints(&p["h"]),
            c: ints(&p["c"]),
            w_ih: int_rows(&p["w_ih"]),
            w_hh: int_rows(&p["w_hh"]),
            bias: ints(&p["bias"]),
            b_hn: ints(&p["b_hn"]),
        }
    }

    fn hidden(&self) -> usize {
        self.h.len()
    }

    /// The step in f64 at the input x (real values), from scratch: gates [gate][unit],
    /// c_t, h_t.
    fn forward(&self, x: &[f64]) -> (Vec<Vec<f64>>, Vec<f64>, Vec<f64>) {
        let l = f64::from(self.b).ln();
        let hh: Vec<f64> = self.h.iter().map(|&e| e as f64 * l).collect();
        let nh = self.hidden();
        let lin = |g: usize, j: usize, with_h: bool| -> f64 {
            let row = g * nh + j;
            let wx: f64 = self.w_ih[row]
                .iter()
                .zip(x)
                .map(|(&w, v)| w as f64 * v)
                .sum();
            let uh: f64 = self.w_hh[row]
                .iter()
                .zip(&hh)
                .map(|(&w, v)| w as f64 * v)
                .sum();
            wx + if with_h { uh } else { 0.0 } + self.bias[row] as f64 * l
        };
        if self.gru {
            let r: Vec<f64> = (0..nh).map(|j| sigmoid(lin(0, j, true))).collect();
            let z: Vec<f64> = (0..nh).map(|j| sigmoid(lin(1, j, true))).collect();
            let n: Vec<f64> = (0..nh)
                .map(|j| {
                    let uh: f64 = self.w_hh[2 * nh + j]
                        .iter()
                        .zip(&hh)
                        .map(|(&w, v)| w as f64 * v)
                        .sum();
                    (lin(2, j, false) + r[j] * (uh + self.b_hn[j] as f64 * l)).tanh()
                })
                .collect();
            let h = (0..nh)
                .map(|j| (1.0 - z[j]) * n[j] + z[j] * hh[j])
                .collect();
            (vec![r, z, n], Vec::new(), h)
        } else {
            let gates: Vec<Vec<f64>> = (0..4)
                .map(|g| {
                    (0..nh)
                        .map(|j| {
                            let a = lin(g, j, true);
                            if g == 2 {
                                a.tanh()
                            } else {
                                sigmoid(a)
                            }
                        })
                        .collect()
                })
                .collect();
            let c: Vec<f64> = (0..nh)
                .map(|j| gates[1][j] * self.c[j] as f64 + gates[0][j] * gates[2][j])
                .collect();
            let h = (0..nh).map(|j| gates[3][j] * c[j].tanh()).collect();
            (gates, c, h)
        }
    }

    fn loss(&self, x: &[f64]) -> f64 {
        let (_, c, h) = self.forward(x);
        if self.gru {
            h.iter().sum()
        } else {
            c.iter().sum()
        }
    }

    /// The exact gates [gate][unit], c_t (LSTM), h_t = (rational, coef of ln b) and
    /// ∂L/∂x = (rational, coef of ln b); Err when a pre-activation is not exact.
    #[allow(clippy::type_complexity)]
    fn exact(&self) -> Result<(Vec<Vec<Q>>, Vec<Q>, Vec<(Q, Q)>, Vec<(Q, Q)>), String> {
        let b = i128::from(self.b);
        let nh = self.hidden();
        let dot = |row: &[i64], v: &[i64]| -> i64 { row.iter().zip(v).map(|(a, b)| a * b).sum() };
        let units = |g: usize, j: usize| {
            let row = g * nh + j;
            dot(&self.w_ih[row], &self.x) + dot(&self.w_hh[row], &self.h) + self.bias[row]
        };
        let mut da: Vec<Vec<(Q, Q)>> = Vec::new();
        let (gates, c, h) = if self.gru {
            let r: Vec<Q> = (0..nh).map(|j| sigma_exact(b, units(0, j))).collect();
            let z: Vec<Q> = (0..nh).map(|j| sigma_exact(b, units(1, j))).collect();
            let mut n = Vec::new();
            let mut m = Vec::new();
            for (j, &rj) in r.iter().enumerate() {
                let k = dot(&self.w_ih[2 * nh + j], &self.x) + self.bias[2 * nh + j];
                let mj = dot(&self.w_hh[2 * nh + j], &self.h) + self.b_hn[j];
                let twice = Q::int(2).mul(Q::int(k).add(rj.mul(Q::int(mj))));
                if twice.1 != 1 {
                    return Err(format!("2·a_n[{j}] = {} is not an integer", twice.text()));
                }
                n.push(tanh_half_exact(b, twice.0 as i64));
                m.push(mj);
            }
            let h = (0..nh)
                .map(|j| (ONE.sub(z[j]).mul(n[j]), z[j].mul(Q::int(self.h[j]))))
                .collect();
            let dn: Vec<Q> = (0..nh)
                .map(|j| ONE.sub(z[j]).mul(ONE.sub(n[j].mul(n[j]))))
                .collect();
            let zero = Q(0, 1);
            da.push(
                (0..nh)
                    .map(|j| (zero, dn[j].mul(Q::int(m[j])).mul(r[j]).mul(ONE.sub(r[j]))))
                    .collect(),
            );
            da.push(
                (0..nh)
                    .map(|j| {
                        let dz = z[j].mul(ONE.sub(z[j]));
                        (Q(-n[j].0, n[j].1).mul(dz), Q::int(self.h[j]).mul(dz))
                    })
                    .collect(),
            );
            da.push(dn.iter().map(|&d| (d, zero)).collect());
            (vec![r, z, n], Vec::new(), h)
        } else {
            let gates: Vec<Vec<Q>> = (0..4)
                .map(|g| {
                    (0..nh)
                        .map(|j| {
                            let n = units(g, j);
                            if g == 2 {
                                tanh_half_exact(b, 2 * n)
                            } else {
                                sigma_exact(b, n)
                            }
                        })
                        .collect()
                })
                .collect();
            let (i, f, g) = (&gates[0], &gates[1], &gates[2]);
            let c: Vec<Q> = (0..nh)
                .map(|j| f[j].mul(Q::int(self.c[j])).add(i[j].mul(g[j])))
                .collect();
            let zero = Q(0, 1);
            da.push(
                (0..nh)
                    .map(|j| (g[j].mul(i[j]).mul(ONE.sub(i[j])), zero))
                    .collect(),
            );
            da.push(
                (0..nh)
                    .map(|j| (Q::int(self.c[j]).mul(f[j]).mul(ONE.sub(f[j])), zero))
                    .collect(),
            );
            da.push(
                (0..nh)
                    .map(|j| (i[j].mul(ONE.sub(g[j].mul(g[j]))), zero))
                    .collect(),
            );
            (gates, c, Vec::new())
        };
        let grad = (0..self.x.len())
            .map(|d| {
                let mut sum = (Q(0, 1), Q(0, 1));
                for (g, units) in da.iter().enumerate() {
                    for (j, (a, c)) in units.iter().enumerate() {
                        let w = Q::int(self.w_ih[g * nh + j][d]);
                        sum = (sum.0.add(w.mul(*a)), sum.1.add(w.mul(*c)));
                    }
                }
                sum
            })
            .collect();
        Ok((gates, c, h, grad))
    }
}

fn close(got: f64, want: f64, tol: f64, what: &str) -> Result<(), String> {
    if (got - want).abs() <= tol * want.abs().max(1.0) {
        Ok(())
    } else {
        Err(format!("{what}: key {got}, recomputed {want}"))
    }
}

fn within_budget(q: Q, what: &str) -> Result<(), String> {
    if q.1 > MAX_DENOMINATOR || q.0.abs() > MAX_NUMERATOR {
        return Err(format!(
            "{what} = {} is beyond the hand-work budget",
            q.text()
        ));
    }
    Ok(())
}

/// The independent check of one variant's key entry.
fn check_key(key: &Value) -> Result<(), String> {
    let (p, a) = (&key["params"], &key["answers"]);
    let s = Step::read(p);
    let (nh, nd) = (s.hidden(), s.x.len());
    let names: &[&str] = if s.gru {
        &["r", "z", "n"]
    } else {
        &["i", "f", "g", "o"]
    };
    // The knobs of the default draw and the constraints.
    if !(1..=2).contains(&nh) || !(1..=2).contains(&nd) {
        return Err(format!("sizes H = {nh}, D = {nd}"));
    }
    let in_range = |v: &[i64], lo: i64, hi: i64| v.iter().all(|e| (lo..=hi).contains(e));
    if !in_range(&s.x, -2, 2) || !in_range(&s.h, -1, 1) || !in_range(&s.c, -2, 2) {
        return Err("x, h or c outside its default range".into());
    }
    let flat: Vec<i64> = s.w_ih.iter().chain(&s.w_hh).flatten().copied().collect();
    if !in_range(&flat, -1, 1) || !in_range(&s.bias, -1, 1) || !in_range(&s.b_hn, -1, 1) {
        return Err("a weight or bias outside its default range".into());
    }
    if s.x.iter().all(|&e| e == 0) {
        return Err("x is all zero".into());
    }
    let l = f64::from(s.b).ln();
    if s.h.iter().any(|&e| (e as f64 * l).abs() >= 1.0) {
        return Err("|h_{t-1}| >= 1".into());
    }
    // The exact values and the budget.
    let (gates, c, h, grad) = s.exact()?;
    for (g, name) in names.iter().enumerate() {
        let want: Vec<String> = gates[g].iter().map(|q| q.text()).collect();
        if strings(&a["gates_exact"][g]) != want {
            return Err(format!(
                "gate {name}: key {}, exact {want:?}",
                a["gates_exact"][g]
            ));
        }
        for (j, q) in gates[g].iter().enumerate() {
            within_budget(*q, &format!("{name}[{j}]"))?;
            close(vec_f64(&a[*name], name)[j], q.f(), 1e-12, name)?;
        }
    }
    let x_real: Vec<f64> = s.x.iter().map(|&e| e as f64 * l).collect();
    let (g64, c64, h64) = s.forward(&x_real);
    for (g, name) in names.iter().enumerate() {
        for (j, &want) in g64[g].iter().enumerate() {
            close(vec_f64(&a[*name], name)[j], want, 1e-12, name)?;
        }
    }
    if s.gru {
        for (j, &(rational, coef)) in h.iter().enumerate() {
            within_budget(rational, "h_t")?;
            within_budget(coef, "h_t")?;
            if strings(&a["h_exact"])[j] != ln_text(rational, coef, s.b) {
                return Err(format!("h_exact[{j}]: key {}", a["h_exact"]));
            }
            close(
                vec_f64(&a["h"], "h")[j],
                rational.f() + coef.f() * l,
                1e-12,
                "h = exact",
            )?;
        }
    } else {
        let want: Vec<String> = c.iter().map(|q| q.text()).collect();
        if strings(&a["c_exact"]) != want {
            return Err(format!("c_exact: key {}, exact {want:?}", a["c_exact"]));
        }
        for (j, q) in c.iter().enumerate() {
            within_budget(*q, "c_t")?;
            close(vec_f64(&a["c"], "c")[j], c64[j], 1e-12, "c_t")?;
            let o = gates[3][j];
            let text = if q.0 == 0 {
                "0".to_string()
            } else {
                format!("{}*tanh({})", o.text(), q.text())
            };
            if strings(&a["h_exact"])[j] != text {
                return Err(format!("h_exact[{j}]: key {}, want {text}", a["h_exact"]));
            }
        }
        close(
            num(&a["dc_dc_prev"][0], "dc/dc"),
            gates[1][0].f(),
            1e-12,
            "∂c_t/∂c_{t-1} = f",
        )?;
    }
    for (j, &want) in h64.iter().enumerate() {
        close(vec_f64(&a["h"], "h")[j], want, 1e-12, "h_t")?;
    }
    // The gradient: exactly, and against central differences of L at the real x.
    let key_grad = vec_f64(&a["grad_x"], "grad_x");
    for (d, &(rational, coef)) in grad.iter().enumerate() {
        within_budget(rational, "dL/dx")?;
        within_budget(coef, "dL/dx")?;
        if strings(&a["grad_x_exact"])[d] != ln_text(rational, coef, s.b) {
            return Err(format!("grad_x_exact[{d}]: key {}", a["grad_x_exact"]));
        }
        close(
            key_grad[d],
            rational.f() + coef.f() * l,
            1e-12,
            "dL/dx = exact",
        )?;
        let eps = 1e-6;
        let (mut plus, mut minus) = (x_real.clone(), x_real.clone());
        plus[d] += eps;
        minus[d] -= eps;
        let numeric = (s.loss(&plus) - s.loss(&minus)) / (2.0 * eps);
        if (key_grad[d] - numeric).abs() > 1e-7 {
            return Err(format!(
                "∂L/∂x[{d}] = {}, finite difference {numeric}",
                key_grad[d]
            ));
        }
    }
    Ok(())
}

fn check(_i: usize, solved: &Solved) -> Result<(), String> {
    check_key(&solved.key())
}

/// Draws `count` default variants, checks each and returns the number of distinct ones.
fn run(count: usize, label: &str) -> usize {
    let mut distinct = std::collections::HashSet::new();
    let mut cells = std::collections::HashSet::new();
    stress(label, DEFAULT, count, 5, |i, solved, _| {
        distinct.insert(solved.fingerprint());
        cells.insert(solved.key()["params"]["cell"].to_string());
        check(i, solved)
    });
    assert_eq!(cells.len(), 2, "both cells are drawn");
    distinct.len()
}

#[test]
fn default_variants_are_right_and_at_least_500_distinct() {
    let distinct = run(2_000, "gated_step default");
    assert!(
        distinct >= 500,
        "only {distinct} distinct variants in 2,000 draws"
    );
}

/// 20,000 default variants:
/// `cargo test --test tests stress_gated_step -- --ignored --nocapture`.
#[test]
#[ignore]
fn twenty_thousand_variants() {
    let distinct = run(20_000, "gated_step default, heavy");
    assert!(distinct >= 500);
}

#[test]
fn the_checker_catches_a_wrong_gradient() {
    let problem = one_problem(DEFAULT);
    for student in 0..4 {
        let solved = problem
            .draw(&mut examgen::draw::problem_rng(1, student, 0, 0))
            .unwrap();
        let Solved::GatedStep(p, mut s) = solved else {
            panic!("a gated_step variant")
        };
        s.step.grad_x[0] += 0.01;
        let err = check_key(&Solved::GatedStep(p, s).key()).expect_err("caught");
        assert!(err.contains("∂L/∂x") || err.contains("dL/dx"), "{err}");
    }
}

/// The budget check has teeth: g = tanh(2 ln 2) = 15/17 and i = 4/5 give
/// ∂L/∂a_g = 4/5 · 64/289, pinned so that the kind accepts it.
#[test]
fn the_checker_catches_a_variant_beyond_the_budget() {
    let problem = one_problem(
        "  - gated_step:\n      cell: lstm\n      ln_base: 2\n      x: [1]\n      h: [0]\n      \
         c: [1]\n      w_ih: [[1], [0], [1], [0]]\n      w_hh: [[0], [0], [0], [0]]\n      \
         bias: [1, 0, 1, 1]\n",
    );
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .expect("a pinned variant is not held to the budget");
    let err = check_key(&solved.key()).expect_err("caught");
    assert!(err.contains("beyond the hand-work budget"), "{err}");
}

#[test]
fn golden_first_variants() {
    check_golden_params("gated_step", DEFAULT);
}

/// The committed example spec reads; its lecture step is the hand-worked one.
#[test]
fn the_committed_example_is_the_hand_worked_step() {
    let spec = examgen::exam::load(&super::common::root().join("variants/gated_step.yaml"))
        .expect("variants/gated_step.yaml");
    assert!(
        spec.slots[0].problem().unwrap().is_fixed() && !spec.slots[1].problem().unwrap().is_fixed()
    );
    let solved = spec.slots[0]
        .problem()
        .unwrap()
        .draw(&mut examgen::draw::problem_rng(0, 0, 0, 0))
        .unwrap();
    let key = solved.key();
    assert_eq!(key["answers"]["c_exact"], serde_json::json!(["9/10"]));
    check_key(&key).expect("the lecture step checks");
}
