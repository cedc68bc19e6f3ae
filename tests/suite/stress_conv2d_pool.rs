//! Randomized conv2d_pool variants, each checked against an independent recomputation:
//! the conv (cross-correlation over the zero-padded image), ReLU and max-pool in f64
//! loops written here, the gradient routed by hand, and every gradient (∂L/∂X, ∂L/∂K,
//! ∂L/∂b) against central finite differences of L = Σ G ⊙ M. Max-pool and ReLU are
//! piecewise linear: with integer values and a unique maximum per window (so the maximum
//! is at least 1 above the rest and above 0), a step of 1e-3 crosses no kink that
//! matters, and the differences are exact up to rounding. A zero pre-activation is
//! allowed: it is never a window's maximum, so it gets no gradient either way.
//!
//! The always-run tests draw 2,500 variants; the heavy one 10,000 default and 2,000 wide
//! (`cargo test --test tests stress_conv2d_pool -- --ignored --nocapture`).

use examgen::problems::Solved;
use serde_json::Value;

use super::common::{mat_f64, num};
use super::random_support::{check_golden_params, draw_many, one_problem, stress_counted};

const DEFAULT: &str = "  - conv2d_pool:\n      draw: {}\n";

/// Two channels, padding 1, stride 1 or 2, overlapping pooling allowed by the sizes.
const WIDE: &str = "  - conv2d_pool:
      draw:
        channels: [1, 2]
        image_sizes: [4, 5, 6]
        kernel_sizes: [2, 3]
        strides: [1, 2]
        paddings: [0, 1]
        max_products: 200
        kernel_range: [-1, 1]
        image_range: [-1, 2]
";

/// The kind's hand-work budget as this test reads it: the largest integer any answer
/// shows.
const MAX_INTEGER: f64 = 30.0;

type Channels = Vec<Vec<Vec<f64>>>;

/// One variant as the key gives it.
#[derive(Clone)]
struct Variant {
    x: Channels,
    k: Channels,
    b: f64,
    s: usize,
    p: usize,
    q: usize,
    sq: usize,
    g: Vec<Vec<f64>>,
}

fn channels(v: &Value, what: &str) -> Channels {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is a list of channels"))
        .iter()
        .map(|m| mat_f64(m, what))
        .collect()
}

fn usize_of(v: &Value, what: &str) -> usize {
    v.as_u64().unwrap_or_else(|| panic!("{what} is a size")) as usize
}

impl Variant {
    fn of(pr: &Value) -> Variant {
        Variant {
            x: channels(&pr["image"], "image"),
            k: channels(&pr["kernel"], "kernel"),
            b: num(&pr["bias"], "bias"),
            s: usize_of(&pr["stride"], "stride"),
            p: usize_of(&pr["padding"], "padding"),
            q: usize_of(&pr["pool_size"], "pool_size"),
            sq: usize_of(&pr["pool_stride"], "pool_stride"),
            g: mat_f64(&pr["upstream"], "upstream"),
        }
    }

    /// The padded input entry, 0 outside the image.
    fn xp(&self, c: usize, i: usize, j: usize) -> f64 {
        let (h, w) = (self.x[c].len(), self.x[c][0].len());
        if i < self.p || j < self.p || i - self.p >= h || j - self.p >= w {
            0.0
        } else {
            self.x[c][i - self.p][j - self.p]
        }
    }

    fn conv_size(&self) -> (usize, usize) {
        let kk = self.k[0].len();
        let (h, w) = (self.x[0].len(), self.x[0][0].len());
        let out = |n: usize| {
            assert_eq!((n + 2 * self.p - kk) % self.s, 0, "an exact conv size");
            (n + 2 * self.p - kk) / self.s + 1
        };
        (out(h), out(w))
    }

    /// Z, by four loops.
    fn z(&self) -> Vec<Vec<f64>> {
        let kk = self.k[0].len();
        let (oh, ow) = self.conv_size();
        let mut z = vec![vec![self.b; ow]; oh];
        for (i, row) in z.iter_mut().enumerate() {
            for (j, zij) in row.iter_mut().enumerate() {
                for c in 0..self.x.len() {
                    for u in 0..kk {
                        for v in 0..kk {
                            *zij += self.xp(c, i * self.s + u, j * self.s + v) * self.k[c][u][v];
                        }
                    }
                }
            }
        }
        z
    }

    /// The pooling windows: (window, argmax in Z, number of maxima) over ReLU(Z).
    #[allow(clippy::type_complexity)]
    fn windows(&self, a: &[Vec<f64>]) -> Vec<((usize, usize), (usize, usize), usize)> {
        let (oh, ow) = (a.len(), a[0].len());
        assert_eq!((oh - self.q) % self.sq, 0, "an exact pooled size");
        let (mh, mw) = ((oh - self.q) / self.sq + 1, (ow - self.q) / self.sq + 1);
        let mut out = Vec::new();
        for r in 0..mh {
            for c in 0..mw {
                let mut best = (f64::NEG_INFINITY, (0, 0), 0);
                for u in 0..self.q {
                    for v in 0..self.q {
                        let at = (r * self.sq + u, c * self.sq + v);
                        let val = a[at.0][at.1];
                        if val > best.0 {
                            best = (val, at, 1);
                        } else if val == best.0 {
                            best.2 += 1;
                        }
                    }
                }
                out.push(((r, c), best.1, best.2));
            }
        }
        out
    }

    /// L = Σ G ⊙ maxpool(ReLU(Z)).
    fn loss(&self) -> f64 {
        let a: Vec<Vec<f64>> = self
            .z()
            .iter()
            .map(|r| r.iter().map(|v| v.max(0.0)).collect())
            .collect();
        self.windows(&a)
            .iter()
            .map(|&((r, c), (i, j), _)| self.g[r][c] * a[i][j])
            .sum()
    }
}

fn close(got: f64, want: f64, what: &str) -> Result<(), String> {
    if (got - want).abs() > 1e-6 * want.abs().max(1.0) {
        return Err(format!("{what} = {got}, recomputed {want}"));
    }
    Ok(())
}

/// Central difference of the loss in one parameter `set` changes.
fn fd(v: &Variant, set: impl Fn(&mut Variant, f64)) -> f64 {
    let h = 1e-3;
    let (mut plus, mut minus) = (v.clone(), v.clone());
    set(&mut plus, h);
    set(&mut minus, -h);
    (plus.loss() - minus.loss()) / (2.0 * h)
}

/// Checks one variant; `budget`: whether it is held to the hand-work budget (a drawn
/// one is, a pinned one is the lecturer's choice).
fn check_variant(solved: &Solved, budget: bool) -> Result<(), String> {
    let key = solved.key();
    let (pr, ans) = (&key["params"], &key["answers"]);
    let v = Variant::of(pr);

    // The forward pass, recomputed.
    let z = v.z();
    let a: Vec<Vec<f64>> = z
        .iter()
        .map(|r| r.iter().map(|x| x.max(0.0)).collect())
        .collect();
    let windows = v.windows(&a);
    if mat_f64(&ans["z"], "z") != z {
        return Err(format!("Z is {}, recomputed {z:?}", ans["z"]));
    }
    if mat_f64(&ans["relu"], "relu") != a {
        return Err("ReLU(Z) differs".into());
    }
    let pooled = mat_f64(&ans["pooled"], "pooled");
    for &((r, c), (i, j), maxima) in &windows {
        if maxima != 1 {
            return Err(format!("window ({r}, {c}) has {maxima} maxima"));
        }
        close(pooled[r][c], a[i][j], "a pooled maximum")?;
    }
    close(num(&ans["loss"], "loss"), v.loss(), "L")?;
    if !z.iter().flatten().any(|&x| x < 0.0) {
        return Err("no pre-activation is negative".into());
    }
    if v.g.iter().flatten().any(|&g| g == 0.0) {
        return Err("an upstream entry is zero".into());
    }

    // Every gradient against finite differences of L.
    let gk = channels(&ans["grad_kernel"], "grad_kernel");
    let gx = channels(&ans["grad_image"], "grad_image");
    for c in 0..v.x.len() {
        for (u, row) in gk[c].iter().enumerate() {
            for (w, &got) in row.iter().enumerate() {
                let want = fd(&v, |m, h| m.k[c][u][w] += h);
                close(got, want, &format!("∂L/∂K[{c}][{u}][{w}]"))?;
            }
        }
        for (i, row) in gx[c].iter().enumerate() {
            for (j, &got) in row.iter().enumerate() {
                let want = fd(&v, |m, h| m.x[c][i][j] += h);
                close(got, want, &format!("∂L/∂X[{c}][{i}][{j}]"))?;
            }
        }
    }
    close(
        num(&ans["grad_bias"], "grad_bias"),
        fd(&v, |m, h| m.b += h),
        "∂L/∂b",
    )?;

    // The hand-work budget on every answer (all integers).
    if !budget {
        return Ok(());
    }
    let shown = z
        .iter()
        .flatten()
        .chain(gk.iter().flatten().flatten())
        .chain(gx.iter().flatten().flatten())
        .copied()
        .chain([
            num(&ans["loss"], "loss"),
            num(&ans["grad_bias"], "grad_bias"),
        ]);
    for x in shown {
        if x.fract() != 0.0 || x.abs() > MAX_INTEGER {
            return Err(format!("{x} is beyond the hand-work budget"));
        }
    }
    Ok(())
}

/// Draws `count` variants, checks each, renders every tenth; returns the number of
/// distinct variants.
fn stress(item: &str, count: usize, label: &str) -> usize {
    stress_counted(label, item, count, 10, |_, solved, _| {
        check_variant(solved, true)
    })
    .distinct
}

#[test]
fn default_variants_are_right_and_at_least_500_distinct() {
    let distinct = stress(DEFAULT, 2_000, "conv2d_pool default");
    assert!(
        distinct >= 500,
        "only {distinct} distinct variants in 2,000 draws"
    );
}

#[test]
fn wide_knobs() {
    stress(WIDE, 500, "conv2d_pool wide");
}

/// `cargo test --test tests stress_conv2d_pool -- --ignored --nocapture`.
#[test]
#[ignore]
fn twelve_thousand_variants() {
    assert!(stress(DEFAULT, 10_000, "conv2d_pool default, heavy") >= 500);
    stress(WIDE, 2_000, "conv2d_pool wide, heavy");
}

fn first_default() -> Solved {
    one_problem(DEFAULT)
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .unwrap()
}

#[test]
fn the_checker_catches_a_wrong_gradient() {
    let Solved::Conv2dPool(p, s) = first_default() else {
        panic!("a conv2d_pool variant")
    };
    for tamper in 0..3 {
        let mut s = s.clone();
        match tamper {
            0 => s.grad_kernel[0][(0, 0)] += 1.0,
            1 => s.grad_image[0][(1, 1)] -= 1.0,
            _ => s.grad_bias += 1.0,
        }
        let tampered = Solved::Conv2dPool(p.clone(), s);
        let err = check_variant(&tampered, false).expect_err("a tampered gradient is caught");
        assert!(err.contains('∂'), "{err}");
    }
    assert!(check_variant(&Solved::Conv2dPool(p, s), true).is_ok());
}

/// The committed pinned example with an upstream gradient of 20 in its first window
/// (L = 141): the kind accepts it (a lecturer's choice), the budget check does not.
#[test]
fn the_checker_catches_a_variant_beyond_the_budget() {
    let solved = one_problem(
        "  - conv2d_pool:
      image:
        - [[1, 0, 2, -1, 0], [2, 1, 0, 3, -1], [0, -1, 2, 1, 1], [3, 1, -1, 0, 3], [1, 0, 1, -2, 0]]
      kernel: [[[1, 2], [0, -1]]]
      bias: 1
      upstream: [[20, -1], [1, 3]]
",
    )
    .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
    .expect("a pinned variant is not held to the budget");
    assert!(
        check_variant(&solved, false).is_ok(),
        "right, only too large"
    );
    let err = check_variant(&solved, true).expect_err("beyond the budget");
    assert!(err.contains("beyond the hand-work budget"), "{err}");
}

#[test]
fn golden_first_variants() {
    check_golden_params("conv2d_pool", DEFAULT);
}

/// The committed example spec reads, and its variants keep the checks above.
#[test]
fn the_committed_example_draws_checked_variants() {
    let spec = examgen::exam::load(&super::common::root().join("variants/conv2d_pool.yaml"))
        .expect("variants/conv2d_pool.yaml");
    assert!(
        spec.slots[0].problem().unwrap().is_fixed() && !spec.slots[1].problem().unwrap().is_fixed()
    );
    for problem in spec.slots.iter().filter_map(examgen::slot::Slot::problem) {
        let drawn = !problem.is_fixed();
        draw_many(problem, 50, |i, solved| {
            if let Err(e) = check_variant(solved, drawn) {
                panic!("variant {i}: {e}");
            }
        });
    }
}
