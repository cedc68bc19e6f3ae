//! Recognition, arithmetic and formatting of exact values.

use super::*;

/// √1.001 lies within 3e-11 of 4003/4001; a looser tolerance took it for that
/// fraction and printed an irrational σ as exact.
#[test]
fn an_irrational_close_to_a_fraction_is_not_recognised() {
    assert_eq!(Rational::recognize(1.001f64.sqrt(), 5040), None);
    assert_eq!(Rational::recognize(1e-11, 5040), None, "nonzero is not 0");
    assert_eq!(
        Rational::recognize(0.1 + 0.2, 5040),
        Some(Rational::new(3, 10))
    );
}

fn r(n: i64, d: i64) -> Rational {
    Rational::new(n, d)
}

#[test]
fn gcd_and_lcm() {
    assert_eq!(gcd(12, 18), 6);
    assert_eq!(gcd(-12, 18), 6);
    assert_eq!(gcd(0, 5), 5);
    assert_eq!(gcd(0, 0), 0);
    assert_eq!(lcm(4, 6), 12);
    assert_eq!(lcm(-4, 6), 12);
    assert_eq!(lcm(0, 6), 0);
    assert_eq!((1..=8).fold(1, lcm), 840);
}

#[test]
#[should_panic(expected = "lcm overflow")]
fn lcm_overflow_panics() {
    lcm(i64::MAX, i64::MAX - 1);
}

#[test]
fn new_reduces_and_normalises_sign() {
    assert_eq!(r(2, 4), r(1, 2));
    assert_eq!(r(1, -2).num(), -1);
    assert_eq!(r(1, -2).den(), 2);
    assert_eq!(r(-3, -6), r(1, 2));
    assert_eq!(r(0, -7), Rational::ZERO);
    assert_eq!(r(0, 7).den(), 1);
    assert_eq!(r(5, 1), Rational::from_int(5));
}

#[test]
#[should_panic(expected = "zero denominator")]
fn new_zero_denominator_panics() {
    r(1, 0);
}

#[test]
fn predicates_and_conversions() {
    assert!(r(4, 2).is_integer());
    assert!(!r(1, 2).is_integer());
    assert!(Rational::ZERO.is_zero());
    assert_eq!(r(-3, 4).abs(), r(3, 4));
    assert_eq!(r(-3, 4).signum(), -1);
    assert_eq!(Rational::ZERO.signum(), 0);
    assert_eq!(r(1, 4).to_f64(), 0.25);
}

#[test]
fn arithmetic() {
    assert_eq!(r(1, 2) + r(1, 3), r(5, 6));
    assert_eq!(r(1, 2) - r(1, 3), r(1, 6));
    assert_eq!(r(2, 3) * r(3, 4), r(1, 2));
    assert_eq!(r(2, 3) / r(4, 9), r(3, 2));
    assert_eq!(-r(2, 3), r(-2, 3));
    let parts = [r(1, 4), r(1, 9), r(4, 9)];
    assert_eq!(parts.iter().sum::<Rational>(), r(29, 36));
    assert_eq!(parts.into_iter().sum::<Rational>(), r(29, 36));
    assert_eq!(
        Vec::<Rational>::new().into_iter().sum::<Rational>(),
        Rational::ZERO
    );
}

#[test]
#[should_panic(expected = "Rational overflow in mul")]
fn overflow_panics() {
    let _ = Rational::from_int(i64::MAX) * Rational::from_int(2);
}

#[test]
#[should_panic(expected = "division by zero")]
fn division_by_zero_panics() {
    let _ = Rational::ONE / Rational::ZERO;
}

#[test]
fn checked_arithmetic_reports_overflow_instead_of_panicking() {
    assert_eq!(r(1, 2).checked_add(r(1, 3)), Some(r(5, 6)));
    assert_eq!(r(1, 2).checked_sub(r(1, 3)), Some(r(1, 6)));
    assert_eq!(r(2, 3).checked_mul(r(3, 4)), Some(r(1, 2)));
    let big = Rational::from_int(i64::MAX);
    assert_eq!(big.checked_mul(Rational::from_int(2)), None);
    assert_eq!(big.checked_add(Rational::ONE), None);
    assert_eq!(Rational::exactly(0.25, 5040), Some(r(1, 4)));
    assert_eq!(Rational::exactly(1.0 / 3.0, 5040), Some(r(1, 3)));
    assert_eq!(Rational::exactly(0.123_456_789_1, 5040), None);
    assert_eq!(Rational::exactly(5.000_000_000_1, 5040), None);
}

#[test]
fn ordering() {
    assert!(r(1, 3) < r(1, 2));
    assert!(r(-1, 2) < r(-1, 3));
    assert!(r(29, 36) > r(4, 5));
    let big = Rational::new(i64::MAX, i64::MAX - 1);
    assert!(big > Rational::ONE);
    let mut v = vec![r(1, 2), r(-1, 3), r(2, 3), Rational::ZERO];
    v.sort();
    assert_eq!(v, vec![r(-1, 3), Rational::ZERO, r(1, 2), r(2, 3)]);
}

#[test]
fn display() {
    assert_eq!(r(1, 3).to_string(), "1/3");
    assert_eq!(r(-29, 36).to_string(), "-29/36");
    assert_eq!(r(6, 2).to_string(), "3");
}

#[test]
fn recognizes_exact_values() {
    let cases: &[(f64, Rational)] = &[
        (1.0 / 3.0, r(1, 3)),
        (29.0 / 36.0, r(29, 36)),
        (2.0 / 3.0, r(2, 3)),
        (-0.5, r(-1, 2)),
        (1.25, r(5, 4)),
        (6000.0, Rational::from_int(6000)),
        (0.0, Rational::ZERO),
        (-0.0, Rational::ZERO),
        // Accumulated round-off from an f64 computation.
        (0.1 + 0.2, r(3, 10)),
        (1.0 / 4.0 + 1.0 / 9.0 + 4.0 / 9.0, r(29, 36)),
    ];
    for &(x, want) in cases {
        assert_eq!(Rational::recognize(x, 10_000), Some(want), "x = {x}");
    }
}

#[test]
fn recognizes_multiples_of_1_over_840() {
    for k in -3000..=3000 {
        let x = k as f64 / 840.0;
        assert_eq!(Rational::recognize(x, 10_000), Some(r(k, 840)), "k = {k}");
    }
}

#[test]
fn rejects_inexact_values() {
    for x in [
        0.1234567891,
        std::f64::consts::PI,
        std::f64::consts::LN_2,
        std::f64::consts::E,
        2f64.sqrt(),
    ] {
        assert_eq!(Rational::recognize(x, 10_000), None, "x = {x}");
    }
    assert_eq!(Rational::recognize(f64::NAN, 10_000), None);
    assert_eq!(Rational::recognize(f64::INFINITY, 10_000), None);
    assert_eq!(Rational::recognize(0.5, 0), None);
    // 1/3 needs denominator 3.
    assert_eq!(Rational::recognize(1.0 / 3.0, 2), None);
}

#[test]
fn recognizes_huge_integers() {
    assert_eq!(
        Rational::recognize(1e17, 10),
        Some(Rational::from_int(100_000_000_000_000_000))
    );
    assert_eq!(Rational::recognize(1e300, 10), None);
}

#[test]
fn ln_multiple_recognition() {
    let ln2 = std::f64::consts::LN_2;
    let m = LnMultiple::recognize(ln2 / 9.0 * 6.0, 2, 10_000).unwrap();
    assert_eq!(
        m,
        LnMultiple {
            coef: r(2, 3),
            base: 2
        }
    );
    let m = LnMultiple::recognize(-ln2 / 9.0, 2, 10_000).unwrap();
    assert_eq!(m.coef, r(-1, 9));
    assert!((m.to_f64() + ln2 / 9.0).abs() < 1e-15);
    let m = LnMultiple::recognize(0.0, 2, 10_000).unwrap();
    assert_eq!(m.coef, Rational::ZERO);
    let m = LnMultiple::recognize(3f64.ln() * 2.5, 3, 10_000).unwrap();
    assert_eq!(m.coef, r(5, 2));
    assert_eq!(LnMultiple::recognize(0.5, 2, 10_000), None);
    assert_eq!(LnMultiple::recognize(ln2, 1, 10_000), None);
    assert_eq!(LnMultiple::recognize(f64::NAN, 2, 10_000), None);
}

#[test]
fn terminating_decimals() {
    assert_eq!(r(1, 2).terminating_decimal().as_deref(), Some("0.5"));
    assert_eq!(r(-5, 4).terminating_decimal().as_deref(), Some("-1.25"));
    assert_eq!(r(3, 1).terminating_decimal().as_deref(), Some("3"));
    assert_eq!(r(1, 8).terminating_decimal().as_deref(), Some("0.125"));
    assert_eq!(r(1, 10).terminating_decimal().as_deref(), Some("0.1"));
    assert_eq!(r(-1, 20).terminating_decimal().as_deref(), Some("-0.05"));
    assert_eq!(r(123, 100).terminating_decimal().as_deref(), Some("1.23"));
    assert_eq!(r(1, 64).terminating_decimal().as_deref(), Some("0.015625"));
    assert_eq!(Rational::ZERO.terminating_decimal().as_deref(), Some("0"));
    assert_eq!(r(1, 3).terminating_decimal(), None);
    assert_eq!(r(1, 6).terminating_decimal(), None);
    // 1/128 needs 7 fractional digits.
    assert_eq!(r(1, 128).terminating_decimal(), None);
}
