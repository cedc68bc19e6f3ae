//! Values of the form a + c·ln q (a, c, q rational, q > 0): what an activation and its
//! derivative are at the points where they are exact. σ(ln 3) = 3/4 is rational, but
//! softplus(−ln 3) = ln(4/3), SiLU(ln 3) = (3/4)·ln 3 and SiLU′(ln 3) = 3/4 + (3/16)·ln 3
//! are not, and no rational multiple of ln 2 alone ([`super::LnMultiple`]) covers them.

use std::fmt;

use super::Rational;

/// `rational + coef · ln(arg)`, kept with `arg ≥ 1` (ln(1/q) is written −ln q) and with
/// `coef = 0, arg = 1` when there is no logarithm, so that equal forms print alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LnForm {
    pub rational: Rational,
    pub coef: Rational,
    pub arg: Rational,
}

impl LnForm {
    pub const ZERO: LnForm = LnForm {
        rational: Rational::ZERO,
        coef: Rational::ZERO,
        arg: Rational::ONE,
    };

    /// A rational value.
    pub fn rational(r: Rational) -> LnForm {
        LnForm {
            rational: r,
            ..LnForm::ZERO
        }
    }

    /// `coef · ln(arg)`.
    ///
    /// Panics if `arg ≤ 0`: the logarithm of a non-positive number is a bug in the caller.
    pub fn ln(coef: Rational, arg: Rational) -> LnForm {
        LnForm::ZERO.plus_ln(coef, arg)
    }

    /// `self + coef · ln(arg)`; `self` must not carry a logarithm of another argument.
    ///
    /// Panics if `arg ≤ 0`, or if `self` already has a different logarithm (the sum of
    /// two logarithms is not a form this type keeps).
    pub fn plus_ln(self, coef: Rational, arg: Rational) -> LnForm {
        assert!(arg.signum() > 0, "ln of a non-positive number ({arg})");
        let (coef, arg) = if arg < Rational::ONE {
            (-coef, Rational::ONE / arg)
        } else {
            (coef, arg)
        };
        if coef.is_zero() || arg == Rational::ONE {
            return self;
        }
        if self.has_ln() {
            assert_eq!(self.arg, arg, "two different logarithms in one value");
            return LnForm {
                coef: self.coef + coef,
                ..self
            }
            .normalized();
        }
        LnForm { coef, arg, ..self }
    }

    fn normalized(self) -> LnForm {
        if self.coef.is_zero() {
            LnForm::rational(self.rational)
        } else {
            self
        }
    }

    /// Whether the value has a logarithm part.
    pub fn has_ln(&self) -> bool {
        !self.coef.is_zero()
    }

    /// The value, when it is rational.
    pub fn as_rational(&self) -> Option<Rational> {
        (!self.has_ln()).then_some(self.rational)
    }

    /// `k · self`.
    pub fn scale(self, k: Rational) -> LnForm {
        LnForm {
            rational: self.rational * k,
            coef: self.coef * k,
            arg: self.arg,
        }
        .normalized()
    }

    /// `self + r`.
    pub fn plus(self, r: Rational) -> LnForm {
        LnForm {
            rational: self.rational + r,
            ..self
        }
    }

    pub fn to_f64(&self) -> f64 {
        let ln = if self.has_ln() {
            self.coef.to_f64() * (self.arg.num() as f64 / self.arg.den() as f64).ln()
        } else {
            0.0
        };
        self.rational.to_f64() + ln
    }

    pub fn is_zero(&self) -> bool {
        self.rational.is_zero() && !self.has_ln()
    }

    /// The sign of the value (ln q > 0 for q > 1, so only a mixed form needs the float).
    pub fn signum(&self) -> i64 {
        match (self.rational.signum(), self.coef.signum()) {
            (a, 0) => a,
            (0, c) => c,
            (a, c) if a == c => a,
            _ => self.to_f64().signum() as i64,
        }
    }

    /// e^self as a rational, when the value is an integer multiple of ln q (or 0):
    /// e^{k ln q} = q^k. None otherwise, or when the power does not fit.
    pub fn exp(&self) -> Option<Rational> {
        if !self.rational.is_zero() {
            return None;
        }
        if !self.has_ln() {
            return Some(Rational::ONE);
        }
        if !self.coef.is_integer() {
            return None;
        }
        let k = u32::try_from(self.coef.num().unsigned_abs()).ok()?;
        let num = self.arg.num().checked_pow(k)?;
        let den = self.arg.den().checked_pow(k)?;
        Some(if self.coef.signum() > 0 {
            Rational::new(num, den)
        } else {
            Rational::new(den, num)
        })
    }
}

/// Plain text for keys: `3/4`, `ln 3`, `-1/2 ln 4/3`, `3/4 + 3/16 ln 3`.
impl fmt::Display for LnForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.has_ln() {
            return write!(f, "{}", self.rational);
        }
        let ln = format!("ln {}", self.arg);
        let term = |c: Rational| {
            if c == Rational::ONE {
                ln.clone()
            } else {
                format!("{c} {ln}")
            }
        };
        if self.rational.is_zero() {
            if self.coef == -Rational::ONE {
                return write!(f, "-{ln}");
            }
            return write!(f, "{}", term(self.coef));
        }
        let sign = if self.coef.signum() < 0 { "-" } else { "+" };
        write!(f, "{} {sign} {}", self.rational, term(self.coef.abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> Rational {
        Rational::new(n, d)
    }

    #[test]
    fn arguments_below_one_are_turned_over() {
        let v = LnForm::ln(r(1, 2), r(1, 3));
        assert_eq!((v.coef, v.arg), (r(-1, 2), r(3, 1)));
        assert!((v.to_f64() + 0.5 * 3f64.ln()).abs() < 1e-15);
        assert_eq!(LnForm::ln(r(5, 1), Rational::ONE), LnForm::ZERO);
        assert_eq!(LnForm::ln(Rational::ZERO, r(7, 1)), LnForm::ZERO);
    }

    #[test]
    fn sums_and_scales_keep_one_logarithm() {
        let v = LnForm::rational(r(3, 4)).plus_ln(r(3, 16), r(3, 1));
        assert!((v.to_f64() - (0.75 + 3.0 / 16.0 * 3f64.ln())).abs() < 1e-15);
        let w = v.scale(r(-2, 1));
        assert_eq!(w.rational, r(-3, 2));
        assert_eq!(w.coef, r(-3, 8));
        assert_eq!(v.plus_ln(r(-3, 16), r(3, 1)), LnForm::rational(r(3, 4)));
        assert_eq!(v.scale(Rational::ZERO), LnForm::ZERO);
        assert_eq!(v.plus(r(1, 4)).rational, Rational::ONE);
    }

    #[test]
    #[should_panic(expected = "two different logarithms")]
    fn two_logarithms_are_refused() {
        let _ = LnForm::ln(Rational::ONE, r(2, 1)).plus_ln(Rational::ONE, r(3, 1));
    }

    #[test]
    fn exponentials_of_integer_multiples_are_powers() {
        assert_eq!(LnForm::ln(r(2, 1), r(3, 1)).exp(), Some(r(9, 1)));
        assert_eq!(LnForm::ln(r(-1, 1), r(4, 3)).exp(), Some(r(3, 4)));
        assert_eq!(LnForm::ZERO.exp(), Some(Rational::ONE));
        assert_eq!(LnForm::ln(r(1, 2), r(3, 1)).exp(), None);
        assert_eq!(LnForm::rational(Rational::ONE).exp(), None);
        assert_eq!(LnForm::ln(r(90, 1), r(3, 1)).exp(), None);
        for v in [LnForm::ln(r(2, 1), r(3, 1)), LnForm::ln(r(-3, 1), r(5, 2))] {
            let e = v.exp().unwrap().to_f64();
            assert!((e - v.to_f64().exp()).abs() <= 1e-13 * e, "{v}");
        }
    }

    #[test]
    fn signs_and_text() {
        let mixed = LnForm::rational(r(1, 2)).plus_ln(r(-1, 1), r(2, 1));
        assert_eq!(mixed.signum(), -1);
        assert_eq!(mixed.to_string(), "1/2 - ln 2");
        assert_eq!(LnForm::ln(r(-1, 1), r(3, 1)).to_string(), "-ln 3");
        assert_eq!(LnForm::ln(r(1, 2), r(4, 3)).to_string(), "1/2 ln 4/3");
        assert_eq!(LnForm::rational(r(-3, 4)).to_string(), "-3/4");
        assert_eq!(
            LnForm::rational(r(3, 4))
                .plus_ln(r(3, 16), r(3, 1))
                .to_string(),
            "3/4 + 3/16 ln 3"
        );
        assert_eq!(LnForm::ZERO.signum(), 0);
    }
}
