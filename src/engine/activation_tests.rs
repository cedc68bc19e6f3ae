//! Tests of the activation family: f′ against finite differences, the exact values
//! against the floats, the kink conventions, extreme inputs.

use super::*;
use ndarray::{array, Array3};
use std::f64::consts::LN_2;

/// Members whose f″ does not exist at 0: a kink in f (ELU, leaky ReLU) or in f′
/// (softsign, through |x|). The central difference is not O(h²) there.
fn rough_at_zero(a: &Activation) -> bool {
    matches!(
        a,
        Activation::Elu { .. } | Activation::LeakyRelu { .. } | Activation::Softsign
    )
}

/// Whether x is (within h) at a kink of hard tanh's, where no derivative exists.
fn at_a_bound(a: &Activation, x: f64, h: f64) -> bool {
    matches!(*a, Activation::HardTanh { min, max }
        if (x - min).abs() < 10.0 * h || (x - max).abs() < 10.0 * h)
}

fn central_difference(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / (2.0 * h)
}

fn assert_close(got: f64, want: f64, rel: f64, what: &str) {
    let tol = rel * want.abs().max(got.abs()).max(f64::MIN_POSITIVE);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:e}, want {want:e}, |diff| = {:e}",
        (got - want).abs()
    );
}

#[test]
fn derivative_matches_central_difference() {
    let h = 1e-6;
    for a in family() {
        // 241 points on [−12, 12]; 0 is hit exactly, and skipped only for rough members.
        for k in -120..=120 {
            let x = f64::from(k) * 0.1;
            if (rough_at_zero(&a) && x.abs() < 10.0 * h) || at_a_bound(&a, x, h) {
                continue;
            }
            let numeric = central_difference(|v| a.forward(v), x, h);
            let analytic = a.derivative(x);
            // The difference quotient has error ~ ε·|f|/h + h²·|f‴|, hence an absolute
            // floor scaled by max(1, |f(x)|).
            let tol = 1e-7 * a.forward(x).abs().max(1.0);
            assert!(
                (numeric - analytic).abs() <= tol,
                "{a:?} at x = {x}: numeric {numeric:e}, analytic {analytic:e}"
            );
        }
    }
}

#[test]
fn derivative_at_zero_is_the_right_hand_difference_quotient() {
    let h = 1e-8;
    for a in family().into_iter().filter(rough_at_zero) {
        let right = (a.forward(h) - a.forward(0.0)) / h;
        assert!(
            (right - a.derivative(0.0)).abs() <= 10.0 * h,
            "{a:?}: {right}"
        );
    }
}

#[test]
fn kinks_use_right_hand_derivative() {
    assert_eq!(Activation::Elu { alpha: 0.1 }.derivative(0.0), 1.0);
    assert_eq!(Activation::LeakyRelu { alpha: 0.1 }.derivative(0.0), 1.0);
    assert_eq!(
        Activation::LeakyRelu { alpha: 0.1 }.derivative(-1e-300),
        0.1
    );
    assert_eq!(Activation::Elu { alpha: 0.1 }.forward(0.0), 0.0);
    assert_eq!(Activation::LeakyRelu { alpha: 0.1 }.forward(0.0), 0.0);
}

#[test]
fn finite_at_extreme_inputs() {
    for a in family() {
        for x in [-1000.0, -750.0, 750.0, 1000.0, -1e300, 1e300] {
            assert!(a.forward(x).is_finite(), "{a:?}.forward({x})");
            assert!(a.derivative(x).is_finite(), "{a:?}.derivative({x})");
        }
    }
    let sp = Activation::SOFTPLUS;
    assert_eq!(sp.forward(1000.0), 1000.0);
    assert!(sp.forward(-1000.0) >= 0.0 && sp.forward(-1000.0) < 1e-300);
    assert_eq!(sp.derivative(1000.0), 1.0);
    assert_eq!(sp.derivative(-1000.0), 0.0);
    assert_eq!(Activation::Sigmoid.forward(1000.0), 1.0);
    assert_eq!(Activation::Sigmoid.forward(-1000.0), 0.0);
    assert_eq!(Activation::SILU.forward(1000.0), 1000.0);
    assert_eq!(Activation::SILU.forward(-1000.0), 0.0);
    assert_eq!(Activation::SILU.derivative(1000.0), 1.0);
}

#[test]
fn hand_values() {
    let sp = Activation::SOFTPLUS;
    assert_close(sp.forward(0.0), LN_2, 1e-15, "softplus(0)");
    assert_eq!(sp.derivative(0.0), 0.5);
    assert_close(
        sp.forward(1.0),
        (1.0 + 1f64.exp()).ln(),
        1e-15,
        "softplus(1)",
    );
    assert_eq!(Activation::Sigmoid.forward(0.0), 0.5);
    assert_eq!(Activation::Sigmoid.derivative(0.0), 0.25);
    assert_eq!(Activation::Tanh.forward(0.0), 0.0);
    assert_eq!(Activation::Tanh.derivative(0.0), 1.0);
    assert_eq!(Activation::Softsign.forward(1.0), 0.5);
    assert_eq!(Activation::Softsign.forward(-1.0), -0.5);
    assert_eq!(Activation::Softsign.derivative(1.0), 0.25);
    assert_eq!(Activation::SILU.forward(0.0), 0.0);
    assert_eq!(Activation::SILU.derivative(0.0), 0.5);
    assert_eq!(Activation::LeakyRelu { alpha: 0.1 }.forward(-2.0), -0.2);
    assert_eq!(Activation::Elu { alpha: 1.0 }.forward(2.5), 2.5);
    assert_close(
        Activation::Elu { alpha: 0.5 }.forward(-1.0),
        0.5 * ((-1f64).exp() - 1.0),
        1e-15,
        "elu(-1)",
    );
}

#[test]
fn elu_saturates_to_minus_alpha() {
    for alpha in [0.1, 1.0, 1.7] {
        let elu = Activation::Elu { alpha };
        assert_eq!(elu.forward(-1000.0), -alpha);
        assert_close(elu.forward(-40.0), -alpha, 1e-15, "elu(-40)");
        assert_eq!(elu.derivative(-1000.0), 0.0);
    }
}

#[test]
fn sigmoid_tails_keep_relative_accuracy() {
    // σ(−40) ≈ e^{−40}: a form that computes 1 − σ(40) would return exactly 0 here.
    let s = Activation::Sigmoid;
    let want = (-40f64).exp() / (1.0 + (-40f64).exp());
    assert_close(s.forward(-40.0), want, 1e-14, "sigmoid(-40)");
    assert_close(
        s.derivative(40.0),
        want / (1.0 + want),
        1e-14,
        "sigmoid'(40)",
    );
    for x in [-5.0, -0.3, 0.0, 2.0, 17.0] {
        assert_close(s.forward(x) + s.forward(-x), 1.0, 1e-15, "σ(x) + σ(−x)");
    }
}

#[test]
fn arrays_apply_element_wise_and_keep_shape() {
    let x = Array3::from_shape_fn((2, 3, 2), |(i, j, k)| {
        (i as f64) - 1.5 * (j as f64) + 0.75 * (k as f64)
    });
    let dy = x.mapv(|v| 0.5 - 0.25 * v);
    for a in family() {
        let y = a.forward_array(&x);
        let dx = a.backward_array(&x, &dy);
        assert_eq!(y.shape(), x.shape());
        assert_eq!(dx.shape(), x.shape());
        for ((idx, &xi), &gi) in x.indexed_iter().zip(dy.iter()) {
            assert_eq!(y[idx], a.forward(xi));
            assert_eq!(dx[idx], gi * a.derivative(xi));
        }
    }
}

#[test]
#[should_panic]
fn backward_rejects_mismatched_shapes() {
    let x = array![[1.0, 2.0], [3.0, 4.0]];
    let dy = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    Activation::Tanh.backward_array(&x, &dy);
}

#[test]
fn jacobian_is_diagonal_of_derivatives() {
    let x = array![-2.0, -0.5, 0.0, 3.0];
    for a in family() {
        let j = a.jacobian(&x);
        assert_eq!(j.dim(), (4, 4));
        for r in 0..4 {
            for c in 0..4 {
                let want = if r == c { a.derivative(x[r]) } else { 0.0 };
                assert_eq!(j[[r, c]], want, "{a:?} J[{r},{c}]");
            }
        }
        // The Jacobian applied to dy is the backward pass.
        let dy = array![1.0, -2.0, 0.5, 4.0];
        assert_eq!(j.t().dot(&dy), a.backward_array(&x, &dy));
    }
}

#[test]
fn validate_checks_alpha() {
    for a in family() {
        assert_eq!(a.validate(), Ok(()), "{a:?}");
    }
    for alpha in [0.0, -0.1, f64::NAN, f64::INFINITY] {
        assert!(Activation::Elu { alpha }.validate().is_err(), "elu {alpha}");
        assert!(
            Activation::LeakyRelu { alpha }.validate().is_err(),
            "leaky {alpha}"
        );
    }
    assert!(Activation::Elu { alpha: 2.0 }.validate().is_ok());
    assert!(Activation::LeakyRelu { alpha: 1.0 }.validate().is_err());
    assert!(Activation::Softplus { beta: 0.0 }.validate().is_err());
    assert!(Activation::Silu { beta: f64::NAN }.validate().is_err());
    assert!(Activation::HardTanh { min: 0.5, max: 1.0 }
        .validate()
        .is_err());
    assert!(Activation::HardTanh {
        min: -1.0,
        max: f64::INFINITY
    }
    .validate()
    .is_err());
}

/// Points where every member is exact: 0, ±ln q and ±(ln q)/2 for q = 2, 3, 4 (±ln q
/// over β for the members with β), and the rationals ±1/2, ±1, ±3/2, ±3.
fn exact_points(a: &Activation) -> Vec<LnForm> {
    let beta = match *a {
        Activation::Softplus { beta } | Activation::Silu { beta } => {
            Rational::exactly(beta, 100).unwrap()
        }
        _ => Rational::ONE,
    };
    let mut points = vec![LnForm::ZERO];
    for q in 2..=4 {
        for k in [1, -1] {
            let ln = LnForm::ln(Rational::from_int(k), Rational::from_int(q));
            points.push(ln.scale(Rational::ONE / beta));
            if matches!(a, Activation::Tanh) {
                points.push(ln.scale(Rational::new(1, 2)));
            }
        }
    }
    for (n, d) in [(1, 2), (1, 1), (3, 2), (3, 1)] {
        for k in [1, -1] {
            points.push(LnForm::rational(Rational::new(k * n, d)));
        }
    }
    points
}

/// The exact values agree with the floats at every exact point, and the exact f′ with
/// a finite difference of the float f (one-sided at the kinks, as the conventions say).
#[test]
fn exact_values_match_the_floats_and_finite_differences() {
    let h = 1e-6;
    let mut checked = 0;
    for a in family() {
        for x in exact_points(&a) {
            let Some((f, df)) = a.exact_at(x) else {
                continue;
            };
            checked += 1;
            let xf = x.to_f64();
            assert_close(f.to_f64(), a.forward(xf), 1e-13, &format!("{a:?} f({x})"));
            let d = a.derivative(xf);
            assert!(
                (df.to_f64() - d).abs() <= 1e-13,
                "{a:?} f′({x}): {df} vs {d}"
            );
            let kink = (rough_at_zero(&a) && x.is_zero()) || at_a_bound(&a, xf, h);
            let numeric = if kink {
                (a.forward(xf + h) - a.forward(xf)) / h
            } else {
                central_difference(|v| a.forward(v), xf, h)
            };
            if !matches!(a, Activation::HardTanh { .. }) || !kink {
                assert!(
                    (numeric - df.to_f64()).abs() <= 1e-6,
                    "{a:?} at {x}: exact f′ {df}, finite difference {numeric}"
                );
            }
        }
    }
    assert!(checked >= 140, "only {checked} exact points");
}

#[test]
fn exact_values_by_hand() {
    let r = Rational::new;
    let ln3 = LnForm::ln(Rational::ONE, r(3, 1));
    assert_eq!(
        Activation::Sigmoid.exact_at(ln3),
        Some((LnForm::rational(r(3, 4)), LnForm::rational(r(3, 16))))
    );
    let (f, df) = Activation::SOFTPLUS.exact_at(ln3.scale(r(-1, 1))).unwrap();
    assert_eq!(
        (f, df),
        (
            LnForm::ln(Rational::ONE, r(4, 3)),
            LnForm::rational(r(1, 4))
        )
    );
    let (f, df) = Activation::SILU.exact_at(ln3).unwrap();
    assert_eq!(f, LnForm::ln(r(3, 4), r(3, 1)));
    assert_eq!(df, LnForm::rational(r(3, 4)).plus_ln(r(3, 16), r(3, 1)));
    let half_ln3 = ln3.scale(r(1, 2));
    assert_eq!(
        Activation::Tanh.exact_at(half_ln3).unwrap().0,
        LnForm::rational(r(1, 2))
    );
    let (f, df) = Activation::Elu { alpha: 0.5 }
        .exact_at(ln3.scale(r(-1, 1)))
        .unwrap();
    assert_eq!(
        (f, df),
        (LnForm::rational(r(-1, 3)), LnForm::rational(r(1, 6)))
    );
    let hard = Activation::HardTanh {
        min: -1.0,
        max: 2.0,
    };
    assert_eq!(
        hard.exact_at(LnForm::rational(r(3, 1))),
        Some((LnForm::rational(r(2, 1)), LnForm::rational(Rational::ZERO)))
    );
    // Not exact: σ((ln 3)/2) = √3/(1 + √3); softsign at ln 2.
    assert_eq!(Activation::Sigmoid.exact_at(half_ln3), None);
    assert_eq!(Activation::Softsign.exact_at(ln3), None);
    assert_eq!(Activation::Elu { alpha: 0.1234567 }.exact_at(ln3), None);
}

#[test]
fn names_match_serde_tags_and_all_kinds() {
    let one_of_each = [
        Activation::SOFTPLUS,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Elu { alpha: 1.0 },
        Activation::LeakyRelu { alpha: 0.1 },
        Activation::SILU,
        Activation::Softsign,
        Activation::HardTanh {
            min: -1.0,
            max: 1.0,
        },
    ];
    let names: Vec<_> = one_of_each.iter().map(Activation::name).collect();
    assert_eq!(names, ALL_KINDS);
    for a in one_of_each {
        let json = serde_json::to_value(a).unwrap();
        assert_eq!(json["function"], a.name());
        let back: Activation = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
    }
}

#[test]
fn parses_spec_yaml() {
    let elu: Activation = serde_yaml::from_str("{function: elu, alpha: 1.0}").unwrap();
    assert_eq!(elu, Activation::Elu { alpha: 1.0 });
    let leaky: Activation = serde_yaml::from_str("function: leaky_relu\nalpha: 0.1\n").unwrap();
    assert_eq!(leaky, Activation::LeakyRelu { alpha: 0.1 });
    let sp: Activation = serde_yaml::from_str("{function: softplus}").unwrap();
    assert_eq!(sp, Activation::SOFTPLUS);
    let sp2: Activation = serde_yaml::from_str("{function: softplus, beta: 2}").unwrap();
    assert_eq!(sp2, Activation::Softplus { beta: 2.0 });
    let hard: Activation = serde_yaml::from_str("{function: hard_tanh}").unwrap();
    assert_eq!(
        hard,
        Activation::HardTanh {
            min: -1.0,
            max: 1.0
        }
    );
    assert!(serde_yaml::from_str::<Activation>("{function: elu}").is_err());
    assert!(serde_yaml::from_str::<Activation>("{function: relu6}").is_err());
}
