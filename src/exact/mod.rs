//! Exact values: rationals and rational multiples of logarithms.
//!
//! The numeric engine computes in `f64`, but solution sheets must show exact values
//! (1/3, 29/36, (ln 2)/9), never a rounded 0.333333. This module recognises exact
//! values from floats *with a check* — a candidate is accepted only if it reproduces
//! the float to within a tight tolerance — and carries them in exact types so the
//! renderer can print them. Recognition returns `None` rather than guessing.

use std::cmp::Ordering;
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Div, Mul, Neg, Sub};

mod ln_form;
mod softmax;

pub use ln_form::LnForm;
pub use softmax::softmax_of_powers;

/// Relative tolerance used to accept a recognised value: f64 round-off on the
/// small computations of an exam is ~1e-15, so 1e-12 leaves room for accumulated
/// error. It must be far tighter than the spacing of fractions with small
/// denominators (about 1/5040² ≈ 4e-8 apart): at 1e-9 about one irrational value in
/// 70 sat close enough to some fraction to be taken for it (√1.001 for 4003/4001);
/// at 1e-12 about one in 60,000, and the kinds' own constraints check exactness
/// structurally where it matters.
const REL_TOL: f64 = 1e-12;

/// Largest denominator accepted when recognising a float as exact.
///
/// This bound, with the recognition tolerance (`exact`'s 1e-12 relative), is what gives
/// the exactness check its teeth: a random float lies within tolerance t of *some* p/q
/// with q ≤ N with probability ≈ 0.6·N²·t, so a large N would accept nearly anything
/// (π passes as 103993/33102 at N = 100 000 and t = 1e-9) and 10 000 would let every
/// 4-digit rounded decimal such as 0.3333 through as 3333/10000. 5040 = 7! still covers
/// exam denominators such as 840 = lcm(1..8); at t = 1e-12 about one random float in
/// 65,000 is taken for a fraction (at the earlier 1e-9, one in 65).
pub const MAX_DEN: i64 = 5_040;

/// Greatest common divisor, always non-negative; `gcd(0, 0) == 0`.
///
/// Panics if the result does not fit in `i64` (only `gcd(i64::MIN, 0)` and friends).
pub fn gcd(a: i64, b: i64) -> i64 {
    let g = gcd_u128(a.unsigned_abs() as u128, b.unsigned_abs() as u128);
    i64::try_from(g).expect("gcd overflow: result does not fit in i64")
}

/// Least common multiple, always non-negative; zero if either argument is zero.
///
/// Panics on overflow: a silently wrapped denominator would print a wrong answer.
pub fn lcm(a: i64, b: i64) -> i64 {
    if a == 0 || b == 0 {
        return 0;
    }
    let (a, b) = (a.unsigned_abs() as u128, b.unsigned_abs() as u128);
    let l = a / gcd_u128(a, b) * b;
    i64::try_from(l).unwrap_or_else(|_| panic!("lcm overflow: lcm({a}, {b}) does not fit in i64"))
}

fn gcd_u128(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn gcd_i128(a: i128, b: i128) -> i128 {
    // Callers only pass values that came from i64 products, so the result fits i128.
    gcd_u128(a.unsigned_abs(), b.unsigned_abs()) as i128
}

/// An exact rational number, always stored reduced with a positive denominator,
/// so derived `Eq` and `Hash` are value equality.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rational {
    num: i64,
    den: i64,
}

impl Rational {
    pub const ZERO: Rational = Rational { num: 0, den: 1 };
    pub const ONE: Rational = Rational { num: 1, den: 1 };

    /// Builds `num / den` in lowest terms.
    ///
    /// Panics if `den == 0`: a zero denominator is a programming error, not data.
    pub fn new(num: i64, den: i64) -> Rational {
        assert!(den != 0, "Rational::new: zero denominator ({num}/0)");
        Self::from_i128(num as i128, den as i128, "new")
    }

    pub fn from_int(n: i64) -> Rational {
        Rational { num: n, den: 1 }
    }

    pub fn num(&self) -> i64 {
        self.num
    }

    pub fn den(&self) -> i64 {
        self.den
    }

    pub fn to_f64(&self) -> f64 {
        self.num as f64 / self.den as f64
    }

    pub fn is_integer(&self) -> bool {
        self.den == 1
    }

    pub fn is_zero(&self) -> bool {
        self.num == 0
    }

    /// Panics only for `i64::MIN` numerators, where the result is unrepresentable.
    pub fn abs(&self) -> Rational {
        Rational {
            num: self
                .num
                .checked_abs()
                .expect("Rational overflow in abs: numerator is i64::MIN"),
            den: self.den,
        }
    }

    pub fn signum(&self) -> i64 {
        self.num.signum()
    }

    /// Reduces an i128 fraction and narrows it back to i64, panicking with the
    /// operation's name on overflow: exam arithmetic never legitimately gets there,
    /// and wrapping would silently print a wrong answer.
    fn from_i128(num: i128, den: i128, op: &str) -> Rational {
        debug_assert!(den != 0);
        let g = gcd_i128(num, den);
        let (mut num, mut den) = (num / g, den / g);
        if den < 0 {
            num = -num;
            den = -den;
        }
        match (i64::try_from(num), i64::try_from(den)) {
            (Ok(num), Ok(den)) => Rational { num, den },
            _ => panic!("Rational overflow in {op}: {num}/{den} does not fit in i64"),
        }
    }

    /// Like [`Rational::from_i128`], but `None` instead of a panic when the reduced
    /// fraction does not fit in i64.
    fn try_from_i128(num: i128, den: i128) -> Option<Rational> {
        debug_assert!(den != 0);
        let g = gcd_i128(num, den);
        let (num, den) = (num / g, den / g);
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        Some(Rational {
            num: i64::try_from(num).ok()?,
            den: i64::try_from(den).ok()?,
        })
    }

    /// `self + rhs`, or `None` if the result does not fit: for checks on values whose
    /// size the spec bounds only loosely, where an overflow means "not shown exactly".
    pub fn checked_add(self, rhs: Rational) -> Option<Rational> {
        let (a, b, c, d) = wide(self, rhs);
        Rational::try_from_i128(a * d + c * b, b * d)
    }

    /// `self - rhs`, or `None` if the result does not fit.
    pub fn checked_sub(self, rhs: Rational) -> Option<Rational> {
        let (a, b, c, d) = wide(self, rhs);
        Rational::try_from_i128(a * d - c * b, b * d)
    }

    /// `self · rhs`, or `None` if the result does not fit.
    pub fn checked_mul(self, rhs: Rational) -> Option<Rational> {
        let (a, b, c, d) = wide(self, rhs);
        Rational::try_from_i128(a * c, b * d)
    }

    /// The rational that `x` is exactly (not within a tolerance), if its denominator is at
    /// most `max_den`: what a spec number or a drawn coordinate is.
    pub fn exactly(x: f64, max_den: i64) -> Option<Rational> {
        Rational::recognize(x, max_den).filter(|r| r.to_f64() == x)
    }

    /// Recognises `x` as the simplest rational `p/q` with `q <= max_den` that
    /// reproduces it: `|x - p/q| <= 1e-12 * max(1, |x|)`.
    ///
    /// Candidates are the continued-fraction convergents of `|x|` (the best rational
    /// approximations), tried in order of increasing denominator, so noise such as
    /// `0.1 + 1e-17` comes back as `1/10` rather than a huge fraction. Returns `None`
    /// for non-finite `x`, for `max_den < 1`, and when no candidate passes the check.
    pub fn recognize(x: f64, max_den: i64) -> Option<Rational> {
        let tol = REL_TOL * x.abs().max(1.0);
        best_rational(x, max_den, |r| (x - r.to_f64()).abs() <= tol)
    }

    /// The decimal expansion when it terminates within 6 fractional digits
    /// (denominator of the form 2^a·5^b), e.g. `"0.5"`, `"-1.25"`, `"3"`.
    ///
    /// Always uses `.` as the decimal point: the output is LaTeX source, not a
    /// locale-dependent display string.
    pub fn terminating_decimal(&self) -> Option<String> {
        const MAX_DIGITS: u32 = 6;
        let mut rest = self.den;
        let (mut twos, mut fives) = (0u32, 0u32);
        while rest % 2 == 0 {
            rest /= 2;
            twos += 1;
        }
        while rest % 5 == 0 {
            rest /= 5;
            fives += 1;
        }
        if rest != 1 {
            return None;
        }
        let digits = twos.max(fives);
        if digits > MAX_DIGITS {
            return None;
        }
        let sign = if self.num < 0 { "-" } else { "" };
        let scale = 10i128.pow(digits);
        // den divides 10^digits, so this is exact.
        let scaled = (self.num as i128).abs() * (scale / self.den as i128);
        let (int_part, frac_part) = (scaled / scale, scaled % scale);
        if digits == 0 {
            Some(format!("{sign}{int_part}"))
        } else {
            let width = digits as usize;
            Some(format!("{sign}{int_part}.{frac_part:0width$}"))
        }
    }
}

/// Walks the continued-fraction convergents of `|x|` with denominator `<= max_den`
/// and returns the first (smallest-denominator) one that `accept` approves.
fn best_rational(x: f64, max_den: i64, accept: impl Fn(Rational) -> bool) -> Option<Rational> {
    if !x.is_finite() || max_den < 1 {
        return None;
    }
    let sign: i128 = if x < 0.0 { -1 } else { 1 };
    let ax = x.abs();
    // Beyond 2^53 every f64 is an integer; the expansion below would only add noise.
    if ax >= 9.0e15 {
        if ax.fract() == 0.0 && ax < i64::MAX as f64 {
            let r = Rational::from_int(sign as i64 * ax as i64);
            return accept(r).then_some(r);
        }
        return None;
    }
    let max_den = max_den as i128;
    // Convergent recurrence h_n = a_n h_{n-1} + h_{n-2}, same for k.
    let (mut h_prev, mut h_prev2) = (1i128, 0i128);
    let (mut k_prev, mut k_prev2) = (0i128, 1i128);
    let mut y = ax;
    // Convergent denominators grow at least like Fibonacci numbers, so ~90 terms
    // exceed any i64 bound; the cap only guards against pathological float loops.
    for _ in 0..100 {
        let a = y.floor();
        let a_int = a as i128;
        let h = a_int * h_prev + h_prev2;
        let k = a_int * k_prev + k_prev2;
        if k > max_den || h > i64::MAX as i128 {
            return None;
        }
        // Consecutive convergents are in lowest terms (h_n k_{n-1} - h_{n-1} k_n = ±1)
        // and k > 0, and both fit i64 (checked above): no gcd to take.
        debug_assert_eq!(gcd_i128(h, k), 1);
        let r = Rational {
            num: (sign * h) as i64,
            den: k as i64,
        };
        if accept(r) {
            return Some(r);
        }
        let frac = y - a;
        if frac <= 0.0 {
            return None;
        }
        y = 1.0 / frac;
        if !y.is_finite() {
            return None;
        }
        (h_prev2, h_prev) = (h_prev, h);
        (k_prev2, k_prev) = (k_prev, k);
    }
    None
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

impl Add for Rational {
    type Output = Rational;
    fn add(self, rhs: Rational) -> Rational {
        let (a, b, c, d) = wide(self, rhs);
        Rational::from_i128(a * d + c * b, b * d, "add")
    }
}

impl Sub for Rational {
    type Output = Rational;
    fn sub(self, rhs: Rational) -> Rational {
        let (a, b, c, d) = wide(self, rhs);
        Rational::from_i128(a * d - c * b, b * d, "sub")
    }
}

impl Mul for Rational {
    type Output = Rational;
    fn mul(self, rhs: Rational) -> Rational {
        let (a, b, c, d) = wide(self, rhs);
        Rational::from_i128(a * c, b * d, "mul")
    }
}

impl Div for Rational {
    type Output = Rational;
    fn div(self, rhs: Rational) -> Rational {
        assert!(!rhs.is_zero(), "Rational division by zero ({self} / 0)");
        let (a, b, c, d) = wide(self, rhs);
        Rational::from_i128(a * d, b * c, "div")
    }
}

impl Neg for Rational {
    type Output = Rational;
    fn neg(self) -> Rational {
        Rational::from_i128(-(self.num as i128), self.den as i128, "neg")
    }
}

/// Widens both operands to i128: products of two i64 values cannot overflow there.
fn wide(x: Rational, y: Rational) -> (i128, i128, i128, i128) {
    (x.num as i128, x.den as i128, y.num as i128, y.den as i128)
}

impl Ord for Rational {
    fn cmp(&self, other: &Rational) -> Ordering {
        // Denominators are positive, so cross-multiplication preserves order.
        let (a, b, c, d) = wide(*self, *other);
        (a * d).cmp(&(c * b))
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Rational) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Sum for Rational {
    fn sum<I: Iterator<Item = Rational>>(iter: I) -> Rational {
        iter.fold(Rational::ZERO, |acc, r| acc + r)
    }
}

impl<'a> Sum<&'a Rational> for Rational {
    fn sum<I: Iterator<Item = &'a Rational>>(iter: I) -> Rational {
        iter.copied().sum()
    }
}

/// `coef · ln(base)`: the exact form of values like a cross-entropy loss of
/// uniform predictions, which no rational can represent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LnMultiple {
    pub coef: Rational,
    /// At least 2, so that `ln(base)` is positive and non-zero.
    pub base: u32,
}

impl LnMultiple {
    pub fn to_f64(&self) -> f64 {
        self.coef.to_f64() * f64::from(self.base).ln()
    }

    /// Recognises `x` as `(p/q) · ln(base)` with `q <= max_den`, accepting only if
    /// `|x - (p/q)·ln(base)| <= 1e-12 * max(1, |x|)` — the same check as
    /// [`Rational::recognize`], applied to `x` itself rather than to `x / ln(base)`.
    ///
    /// Returns `None` for `base < 2` (ln would be zero or negative) and non-finite `x`.
    pub fn recognize(x: f64, base: u32, max_den: i64) -> Option<LnMultiple> {
        if base < 2 || !x.is_finite() {
            return None;
        }
        let ln_base = f64::from(base).ln();
        let tol = REL_TOL * x.abs().max(1.0);
        let coef = best_rational(x / ln_base, max_den, |r| {
            (x - r.to_f64() * ln_base).abs() <= tol
        })?;
        Some(LnMultiple { coef, base })
    }
}

#[cfg(test)]
mod tests;
