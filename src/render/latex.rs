//! Math-mode LaTeX for exact values: fractions, decimals, logarithms, vectors, matrices.
//!
//! Solution sheets must show exact values. Every formatter that takes an `f64` first
//! recognises it as an exact value (see [`crate::exact`]) and returns a
//! [`FormatError`] if it cannot, so a value that should be exact is never printed
//! rounded: the sheet is not written instead. [`approx`] is the only deliberate
//! exception, for "≈" displays next to an exact value.
//!
//! Everything here returns LaTeX *source* for math mode; callers mark it `|safe`.

use crate::exact::{gcd, lcm, LnForm, LnMultiple, Rational};

/// How non-integer rationals are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberStyle {
    /// `\frac{1}{3}`, `-\frac{5}{4}`; integers as integers.
    Fraction,
    /// Terminating decimals as decimals (`0.5`, `-1.25`); anything else falls back to `\frac`.
    Decimal,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum FormatError {
    #[error("{what} = {value} is not an exact {expected}; refusing to print a rounded value")]
    NotExact {
        what: String,
        value: f64,
        expected: String,
    },
}

/// Largest denominator accepted when recognising a float as exact (see the constant in
/// [`crate::exact`], where the engine's side of the check lives too).
pub use crate::exact::MAX_DEN;

fn not_exact(what: &str, value: f64, expected: impl Into<String>) -> FormatError {
    FormatError::NotExact {
        what: what.to_string(),
        value,
        expected: expected.into(),
    }
}

/// Formats an exact rational; the sign goes outside the fraction (`-\frac{1}{3}`).
pub fn rational(r: Rational, style: NumberStyle) -> String {
    super::measure::note(r);
    if r.is_integer() {
        return r.num().to_string();
    }
    if style == NumberStyle::Decimal {
        if let Some(d) = r.terminating_decimal() {
            return d;
        }
    }
    let sign = if r.signum() < 0 { "-" } else { "" };
    format!(r"{sign}\frac{{{}}}{{{}}}", r.num().unsigned_abs(), r.den())
}

/// Recognises `x` as a rational with denominator ≤ [`MAX_DEN`]; `what` names the
/// value in the error so the failing problem can be found.
pub fn exact_rational(x: f64, what: &str) -> Result<Rational, FormatError> {
    Rational::recognize(x, MAX_DEN)
        .ok_or_else(|| not_exact(what, x, format!("rational (denominator <= {MAX_DEN})")))
}

/// Formats `x` exactly, or fails: never a rounded value.
pub fn exact(x: f64, style: NumberStyle, what: &str) -> Result<String, FormatError> {
    exact_rational(x, what).map(|r| rational(r, style))
}

/// Formats `x` as an integer; fails unless it is within 1e-9·max(1, |x|) of one.
pub fn integer(x: f64, what: &str) -> Result<String, FormatError> {
    let n = x.round();
    let in_range = x.is_finite() && n.abs() < i64::MAX as f64;
    if !in_range || (x - n).abs() > 1e-9 * x.abs().max(1.0) {
        return Err(not_exact(what, x, "integer"));
    }
    super::measure::note_integer(n as i64);
    Ok((n as i64).to_string())
}

/// `x` rounded to `digits` decimals, for "≈" displays only; never `-0`.
pub fn approx(x: f64, digits: usize) -> String {
    if x.is_nan() {
        return r"\mathrm{NaN}".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { r"\infty" } else { r"-\infty" }.to_string();
    }
    let s = format!("{x:.digits$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// The decimal that follows an exact value, with its relation: `= 0.5` when `r` is a
/// decimal of at most `digits` places (writing "≈" there would call an exact value an
/// approximation), `\approx 0.806` otherwise, and nothing for an integer, which the
/// exact value already shows.
pub fn decimal_after(r: Rational, digits: usize) -> String {
    if r.is_integer() {
        return String::new();
    }
    match r.terminating_decimal() {
        Some(d) if d.split('.').nth(1).map_or(0, str::len) <= digits => format!("= {d}"),
        _ => format!(r"\approx {}", approx(r.to_f64(), digits)),
    }
}

/// `inner` in parentheses that grow with a fraction inside (`\left(-\frac{2}{3}\right)`);
/// plain ones otherwise, so integer and decimal operands print as before.
pub fn parens(inner: &str) -> String {
    if inner.contains(r"\frac") {
        format!(r"\left({inner}\right)")
    } else {
        format!("({inner})")
    }
}

/// `|inner|` with the bars as opening and closing delimiters, so that a leading minus
/// inside is a sign (`|-1 - 1.5|`), not a binary operator spaced as one.
pub fn abs(inner: &str) -> String {
    format!(r"\lvert {inner} \rvert")
}

/// Plot coordinates `(x, y) (x, y) ...` with a fixed number of decimals: positions on a
/// figure, never printed as answers. Written without float formatting machinery, which
/// dominated the time of a class run.
pub fn coordinates(points: impl IntoIterator<Item = (f64, f64)>, digits: u32) -> String {
    let mut out = String::new();
    for (x, y) in points {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('(');
        push_fixed(&mut out, x, digits);
        out.push_str(", ");
        push_fixed(&mut out, y, digits);
        out.push(')');
    }
    out
}

fn push_fixed(out: &mut String, v: f64, digits: u32) {
    use std::fmt::Write;
    let scale = 10i64.pow(digits);
    let scaled = (v * scale as f64).round();
    if !scaled.is_finite() || scaled.abs() >= 9e15 {
        let _ = write!(out, "{v:.prec$}", prec = digits as usize);
        return;
    }
    let r = scaled as i64;
    if r < 0 {
        out.push('-');
    }
    let r = r.unsigned_abs();
    let scale = scale as u64;
    let _ = write!(out, "{}", r / scale);
    if digits > 0 {
        let _ = write!(out, ".{:0width$}", r % scale, width = digits as usize);
    }
}

/// Formats `coef · ln(base)` with the logarithm in the numerator: `\frac{2\ln 2}{9}`.
pub fn ln_multiple(m: LnMultiple) -> String {
    super::measure::note(m.coef);
    if m.coef.is_zero() {
        return "0".to_string();
    }
    let sign = if m.coef.signum() < 0 { "-" } else { "" };
    let p = m.coef.num().unsigned_abs();
    let ln = format!(r"\ln {}", m.base);
    let numerator = if p == 1 { ln } else { format!("{p}{ln}") };
    if m.coef.is_integer() {
        format!("{sign}{numerator}")
    } else {
        format!(r"{sign}\frac{{{numerator}}}{{{}}}", m.coef.den())
    }
}

/// Formats `a + c·ln q` ([`LnForm`]): `\frac{3}{4} + \frac{3\ln 3}{16}`, `-\ln 2`,
/// `\frac{1}{2}\ln\frac{4}{3}`; the rational part in `style`. An integer argument keeps
/// [`ln_multiple`]'s layout (the logarithm in the numerator); a fractional one, which
/// cannot sit in a numerator legibly, follows its coefficient.
pub fn ln_form(v: LnForm, style: NumberStyle) -> String {
    if !v.has_ln() {
        return rational(v.rational, style);
    }
    super::measure::note(v.arg);
    let magnitude = |c: Rational| {
        if v.arg.is_integer() {
            ln_multiple(LnMultiple {
                coef: c,
                base: u32::try_from(v.arg.num()).unwrap_or(u32::MAX),
            })
        } else {
            super::measure::note(c);
            let ln = format!(r"\ln{}", rational(v.arg, NumberStyle::Fraction));
            if c == Rational::ONE {
                ln
            } else {
                format!("{}{ln}", rational(c, NumberStyle::Fraction))
            }
        }
    };
    if v.rational.is_zero() {
        let sign = if v.coef.signum() < 0 { "-" } else { "" };
        return format!("{sign}{}", magnitude(v.coef.abs()));
    }
    let sign = if v.coef.signum() < 0 { "-" } else { "+" };
    format!(
        "{} {sign} {}",
        rational(v.rational, style),
        magnitude(v.coef.abs())
    )
}

fn exact_ln_multiple(x: f64, base: u32, what: &str) -> Result<LnMultiple, FormatError> {
    LnMultiple::recognize(x, base, MAX_DEN).ok_or_else(|| {
        not_exact(
            what,
            x,
            format!("rational multiple of ln {base} (denominator <= {MAX_DEN})"),
        )
    })
}

/// Formats `x` as an exact rational multiple of `ln(base)`, or fails.
pub fn exact_ln(x: f64, base: u32, what: &str) -> Result<String, FormatError> {
    exact_ln_multiple(x, base, what).map(ln_multiple)
}

/// Column vector: `\begin{bmatrix} a \\ b \end{bmatrix}`.
pub fn column(entries: &[String]) -> String {
    bmatrix(&entries.join(r" \\ "))
}

/// Row vector: `\begin{bmatrix} a & b \end{bmatrix}`.
pub fn row(entries: &[String]) -> String {
    bmatrix(&entries.join(" & "))
}

/// Matrix from rows of already formatted entries.
pub fn matrix(rows: &[Vec<String>]) -> String {
    let mut body = String::new();
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            body.push_str(r" \\ ");
        }
        for (j, entry) in row.iter().enumerate() {
            if j > 0 {
                body.push_str(" & ");
            }
            body.push_str(entry);
        }
    }
    bmatrix(&body)
}

/// A matrix whose entries hold a fraction is set as `fracmatrix` (see the preamble):
/// its fractions at display size (`\dfrac`), which a plain `bmatrix` would shrink to
/// script-like text size, with a gap added below each row (`\\[1ex]` would only
/// deepen the row's strut, which a display fraction already overtops) so that tall
/// entries never touch.
fn bmatrix(body: &str) -> String {
    if body.is_empty() {
        r"\begin{bmatrix} \end{bmatrix}".to_string()
    } else if has_fraction(body) {
        let body = body
            .replace(r"\frac{", r"\dfrac{")
            .replace(r" \\ ", r" \\ \noalign{\vskip 1ex} ");
        format!(r"\begin{{fracmatrix}} {body} \end{{fracmatrix}}")
    } else {
        let mut out = String::with_capacity(body.len() + 32);
        out.push_str(r"\begin{bmatrix} ");
        out.push_str(body);
        out.push_str(r" \end{bmatrix}");
        out
    }
}

fn has_fraction(tex: &str) -> bool {
    tex.contains(r"\frac{")
}

/// Inline vector `[a, b, c]`, as the seed writes `[2, -1, 1]^T`; with a fraction among
/// the entries the brackets grow to its height (`\left[ \frac{1}{3}, -\frac{1}{3} \right]`).
pub fn list(entries: &[String]) -> String {
    let body = entries.join(", ");
    if has_fraction(&body) {
        format!(r"\left[{body}\right]")
    } else {
        format!("[{body}]")
    }
}

/// Formats each entry exactly; errors name the entry as `what[i]`.
pub fn exact_vec<'a>(
    xs: impl IntoIterator<Item = &'a f64>,
    style: NumberStyle,
    what: &str,
) -> Result<Vec<String>, FormatError> {
    exact_each(xs, style, |i| format!("{what}[{i}]"))
}

/// Formats each entry exactly; an entry that is not exact fails with the name
/// `name(i)`, made only then (a sheet formats thousands of entries, and none fails).
pub fn exact_each<'a>(
    xs: impl IntoIterator<Item = &'a f64>,
    style: NumberStyle,
    name: impl Fn(usize) -> String,
) -> Result<Vec<String>, FormatError> {
    xs.into_iter()
        .enumerate()
        .map(|(i, &x)| match Rational::recognize(x, MAX_DEN) {
            Some(r) => Ok(rational(r, style)),
            None => exact(x, style, &name(i)),
        })
        .collect()
}

/// Formats each entry of the rows exactly (`Vec`s, or an ndarray's `rows()`); errors
/// name the entry as `what[i][j]`.
pub fn exact_mat<'a, R: IntoIterator<Item = &'a f64>>(
    rows: impl IntoIterator<Item = R>,
    style: NumberStyle,
    what: &str,
) -> Result<Vec<Vec<String>>, FormatError> {
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| exact_each(row, style, |j| format!("{what}[{i}][{j}]")))
        .collect()
}

/// Splits values that are all rational multiples of `ln(base)` into a common factor
/// `c·ln(base)` and coprime integers, so `ln2/9·[6, -1, 3]` reads as such instead of
/// as three separate fractions. The factor is negative (and the integers
/// non-negative) when no entry is positive; for all-zero input the factor is 0 and
/// the integers are all 0.
pub fn factored_ln_parts(
    xs: &[f64],
    base: u32,
    what: &str,
) -> Result<(LnMultiple, Vec<i64>), FormatError> {
    let coefs: Vec<Rational> = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| exact_ln_multiple(x, base, &format!("{what}[{i}]")).map(|m| m.coef))
        .collect::<Result<_, _>>()?;
    if coefs.iter().all(Rational::is_zero) {
        let zero = LnMultiple {
            coef: Rational::ZERO,
            base,
        };
        return Ok((zero, vec![0; coefs.len()]));
    }
    // gcd of numerators over lcm of denominators is the largest c with every coef/c an integer.
    let num_gcd = coefs.iter().fold(0, |g, c| gcd(g, c.num()));
    let den_lcm = coefs.iter().fold(1, |l, c| lcm(l, c.den()));
    let sign = if coefs.iter().all(|c| c.signum() <= 0) {
        -1
    } else {
        1
    };
    let factor = Rational::new(sign * num_gcd, den_lcm);
    let ints = coefs
        .iter()
        .map(|&c| {
            let q = c / factor;
            debug_assert!(q.is_integer());
            q.num()
        })
        .collect();
    Ok((LnMultiple { coef: factor, base }, ints))
}

/// [`factored_ln_parts`] as LaTeX: `\frac{\ln 2}{9} [6, -1, 3]`.
///
/// A thin space separates the factor from the list only when the factor ends in a bare
/// `\ln b` (`\ln 2 \, [1, 2]`), where `\ln 2 [1, 2]` could be misread as the log of a
/// product; after a `\frac{..}{..}` the grouping is already visible.
pub fn factored_ln_list(xs: &[f64], base: u32, what: &str) -> Result<String, FormatError> {
    let (factor, ints) = factored_ln_parts(xs, base, what)?;
    // The entries are printed values too: the hand-work measure counts them.
    ints.iter().for_each(|&n| super::measure::note_integer(n));
    let entries: Vec<String> = ints.iter().map(i64::to_string).collect();
    if factor.coef.is_zero() {
        return Ok(list(&entries));
    }
    let sep = if factor.coef.is_integer() {
        r" \, "
    } else {
        " "
    };
    Ok(format!("{}{sep}{}", ln_multiple(factor), list(&entries)))
}

#[cfg(test)]
mod coordinate_tests {
    use super::coordinates;

    #[test]
    fn fixed_decimals_match_float_formatting() {
        let cases = [
            (0.333_333_333, 6, "0.333333"),
            (-1.25, 4, "-1.2500"),
            (4.0, 4, "4.0000"),
            (-0.000_000_1, 6, "0.000000"),
            (2.5e-7, 6, "0.000000"),
            (2.6e-7, 6, "0.000000"),
            (7.6e-7, 6, "0.000001"),
            (123.456_789, 2, "123.46"),
        ];
        for (v, digits, want) in cases {
            assert_eq!(
                coordinates([(v, 1.0)], digits),
                format!("({want}, 1.{})", "0".repeat(digits as usize)),
                "{v}"
            );
        }
        assert_eq!(
            coordinates([(0.0, 0.5), (1.0, 0.25)], 2),
            "(0.00, 0.50) (1.00, 0.25)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::{LN_2, PI};

    fn r(n: i64, d: i64) -> Rational {
        Rational::new(n, d)
    }

    fn s(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|x| x.to_string()).collect()
    }

    fn ln2(n: i64, d: i64) -> LnMultiple {
        LnMultiple {
            coef: r(n, d),
            base: 2,
        }
    }

    #[test]
    fn rational_fraction_style() {
        use NumberStyle::Fraction;
        assert_eq!(rational(r(1, 3), Fraction), r"\frac{1}{3}");
        assert_eq!(rational(r(-1, 3), Fraction), r"-\frac{1}{3}");
        assert_eq!(rational(r(29, 36), Fraction), r"\frac{29}{36}");
        assert_eq!(rational(r(1, 2), Fraction), r"\frac{1}{2}");
        assert_eq!(rational(r(6, 1), Fraction), "6");
        assert_eq!(rational(r(-6, 1), Fraction), "-6");
        assert_eq!(rational(Rational::ZERO, Fraction), "0");
    }

    #[test]
    fn rational_decimal_style() {
        use NumberStyle::Decimal;
        assert_eq!(rational(r(1, 2), Decimal), "0.5");
        assert_eq!(rational(r(-5, 4), Decimal), "-1.25");
        assert_eq!(rational(r(3, 1), Decimal), "3");
        assert_eq!(rational(r(1, 8), Decimal), "0.125");
        assert_eq!(rational(r(1, 3), Decimal), r"\frac{1}{3}");
        assert_eq!(rational(r(-29, 36), Decimal), r"-\frac{29}{36}");
    }

    #[test]
    fn exact_formats_recognised_values() {
        use NumberStyle::*;
        assert_eq!(exact(1.0 / 3.0, Fraction, "x").unwrap(), r"\frac{1}{3}");
        assert_eq!(exact(29.0 / 36.0, Fraction, "x").unwrap(), r"\frac{29}{36}");
        assert_eq!(exact(0.5, Decimal, "x").unwrap(), "0.5");
        assert_eq!(exact(1.25, Decimal, "x").unwrap(), "1.25");
        assert_eq!(exact(-0.0, Decimal, "x").unwrap(), "0");
        assert_eq!(exact(6000.0, Fraction, "x").unwrap(), "6000");
        assert_eq!(exact(0.1 + 0.2, Decimal, "x").unwrap(), "0.3");
        assert_eq!(exact(5.0 / 840.0, Fraction, "x").unwrap(), r"\frac{1}{168}");
        assert_eq!(exact_rational(-2.0 / 3.0, "x").unwrap(), r(-2, 3));
    }

    /// The guard: a value that should be exact but is not must never print rounded.
    #[test]
    fn exact_refuses_inexact_values() {
        for x in [0.3333, PI, LN_2, 0.1234567891, f64::NAN, f64::INFINITY] {
            for style in [NumberStyle::Fraction, NumberStyle::Decimal] {
                let err = exact(x, style, "loss").unwrap_err();
                let FormatError::NotExact { what, .. } = &err;
                assert_eq!(what, "loss");
                assert!(err
                    .to_string()
                    .contains("refusing to print a rounded value"));
            }
            assert!(exact_rational(x, "loss").is_err());
        }
        let err = exact(0.3333, NumberStyle::Fraction, "p").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("p = 0.3333 is not an exact rational"));
    }

    #[test]
    fn integers() {
        assert_eq!(integer(3.0, "n").unwrap(), "3");
        assert_eq!(integer(-0.0, "n").unwrap(), "0");
        assert_eq!(integer(6.0 + 1e-12, "n").unwrap(), "6");
        assert_eq!(integer(-7.0, "n").unwrap(), "-7");
        for x in [0.5, 2.000001, f64::NAN, 1e300] {
            let err = integer(x, "n").unwrap_err();
            assert!(
                matches!(err, FormatError::NotExact { ref expected, .. } if expected == "integer")
            );
        }
    }

    #[test]
    fn approximations() {
        assert_eq!(approx(29.0 / 36.0, 3), "0.806");
        assert_eq!(approx(1.0 / 3.0, 2), "0.33");
        assert_eq!(approx(-1.5, 1), "-1.5");
        assert_eq!(approx(-0.0001, 2), "0.00");
        assert_eq!(approx(-0.0, 0), "0");
        assert_eq!(approx(2.0, 0), "2");
    }

    #[test]
    fn ln_multiples() {
        assert_eq!(ln_multiple(ln2(0, 1)), "0");
        assert_eq!(ln_multiple(ln2(1, 1)), r"\ln 2");
        assert_eq!(ln_multiple(ln2(2, 1)), r"2\ln 2");
        assert_eq!(ln_multiple(ln2(-1, 1)), r"-\ln 2");
        assert_eq!(ln_multiple(ln2(1, 3)), r"\frac{\ln 2}{3}");
        assert_eq!(ln_multiple(ln2(-2, 9)), r"-\frac{2\ln 2}{9}");
        let ln10 = LnMultiple {
            coef: r(3, 2),
            base: 10,
        };
        assert_eq!(ln_multiple(ln10), r"\frac{3\ln 10}{2}");
    }

    #[test]
    fn ln_forms() {
        use NumberStyle::*;
        let three = r(3, 1);
        assert_eq!(ln_form(LnForm::rational(r(3, 4)), Fraction), r"\frac{3}{4}");
        assert_eq!(ln_form(LnForm::rational(r(3, 4)), Decimal), "0.75");
        assert_eq!(ln_form(LnForm::ln(r(1, 1), three), Fraction), r"\ln 3");
        assert_eq!(
            ln_form(LnForm::ln(r(-1, 2), three), Fraction),
            r"-\frac{\ln 3}{2}"
        );
        assert_eq!(ln_form(LnForm::ln(r(1, 1), r(1, 3)), Fraction), r"-\ln 3");
        assert_eq!(
            ln_form(LnForm::ln(r(1, 2), r(4, 3)), Fraction),
            r"\frac{1}{2}\ln\frac{4}{3}"
        );
        assert_eq!(
            ln_form(LnForm::ln(r(-1, 1), r(5, 4)), Fraction),
            r"-\ln\frac{5}{4}"
        );
        let mixed = LnForm::rational(r(3, 4)).plus_ln(r(3, 16), three);
        assert_eq!(ln_form(mixed, Fraction), r"\frac{3}{4} + \frac{3\ln 3}{16}");
        assert_eq!(
            ln_form(mixed.scale(r(-2, 1)), Fraction),
            r"-\frac{3}{2} - \frac{3\ln 3}{8}"
        );
        // Every number printed is measured, the logarithm's argument too.
        let (_, m) =
            crate::render::measure::measure(|| ln_form(LnForm::ln(r(1, 2), r(4, 3)), Fraction));
        assert_eq!((m.max_denominator, m.fractions), (3, 2));
    }

    #[test]
    fn exact_ln_values() {
        assert_eq!(exact_ln(LN_2 / 3.0, 2, "l").unwrap(), r"\frac{\ln 2}{3}");
        assert_eq!(
            exact_ln(-2.0 * LN_2 / 9.0, 2, "l").unwrap(),
            r"-\frac{2\ln 2}{9}"
        );
        assert_eq!(exact_ln(0.0, 2, "l").unwrap(), "0");
        assert_eq!(exact_ln(3f64.ln(), 3, "l").unwrap(), r"\ln 3");
        let err = exact_ln(0.5, 2, "l").unwrap_err();
        assert!(err.to_string().contains("rational multiple of ln 2"));
    }

    #[test]
    fn matrices_and_lists() {
        let v = s(&["a", "b"]);
        assert_eq!(column(&v), r"\begin{bmatrix} a \\ b \end{bmatrix}");
        assert_eq!(row(&v), r"\begin{bmatrix} a & b \end{bmatrix}");
        let m = vec![s(&["1", "2"]), s(&["3", "4"])];
        assert_eq!(matrix(&m), r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}");
        assert_eq!(list(&s(&["2", "-1", "1"])), "[2, -1, 1]");
        assert_eq!(list(&[]), "[]");
        assert_eq!(column(&[]), r"\begin{bmatrix} \end{bmatrix}");
    }

    /// Fractions in a matrix at display size with rows apart; in a list, brackets that
    /// grow with them. Integer-only matrices and lists are written as before.
    #[test]
    fn fractions_in_matrices_and_lists() {
        let p = s(&[r"\frac{1}{3}", r"\frac{2}{3}"]);
        assert_eq!(
            column(&p),
            r"\begin{fracmatrix} \dfrac{1}{3} \\ \noalign{\vskip 1ex} \dfrac{2}{3} \end{fracmatrix}"
        );
        assert_eq!(
            row(&p),
            r"\begin{fracmatrix} \dfrac{1}{3} & \dfrac{2}{3} \end{fracmatrix}"
        );
        let lnfrac = vec![s(&[r"\frac{\ln 2}{3}", "0"]), s(&["0", r"\ln 2"])];
        assert_eq!(
            matrix(&lnfrac),
            r"\begin{fracmatrix} \dfrac{\ln 2}{3} & 0 \\ \noalign{\vskip 1ex} 0 & \ln 2 \end{fracmatrix}"
        );
        assert_eq!(
            list(&s(&[r"\frac{1}{3}", r"-\frac{1}{3}"])),
            r"\left[\frac{1}{3}, -\frac{1}{3}\right]"
        );
        assert_eq!(list(&s(&["0.5", "-1"])), "[0.5, -1]");
    }

    #[test]
    fn decimals_after_exact_values() {
        assert_eq!(decimal_after(r(1, 2), 3), "= 0.5");
        assert_eq!(decimal_after(r(3, 8), 3), "= 0.375");
        assert_eq!(decimal_after(r(1, 16), 3), r"\approx 0.062");
        assert_eq!(decimal_after(r(29, 36), 3), r"\approx 0.806");
        assert_eq!(decimal_after(r(-2, 3), 2), r"\approx -0.67");
        assert_eq!(decimal_after(r(1, 1), 3), "");
    }

    #[test]
    fn absolute_values_open_and_close() {
        assert_eq!(abs("-1 - 1.5"), r"\lvert -1 - 1.5 \rvert");
    }

    #[test]
    fn exact_vectors_and_matrices() {
        use NumberStyle::*;
        let v = exact_vec(&[0.5, -1.0, 1.0 / 3.0], Decimal, "w").unwrap();
        assert_eq!(v, s(&["0.5", "-1", r"\frac{1}{3}"]));
        let err = exact_vec(&[0.5, PI], Fraction, "w").unwrap_err();
        assert!(matches!(err, FormatError::NotExact { ref what, .. } if what == "w[1]"));
        let m = exact_mat(&[vec![1.0, 0.25], vec![-2.0, 2.0 / 3.0]], Fraction, "A").unwrap();
        assert_eq!(
            matrix(&m),
            r"\begin{fracmatrix} 1 & \dfrac{1}{4} \\ \noalign{\vskip 1ex} -2 & \dfrac{2}{3} \end{fracmatrix}"
        );
        let err = exact_mat(&[vec![1.0], vec![0.3333]], Fraction, "A").unwrap_err();
        assert!(matches!(err, FormatError::NotExact { ref what, .. } if what == "A[1][0]"));
    }

    #[test]
    fn parentheses_grow_only_around_fractions() {
        assert_eq!(parens("-2"), "(-2)");
        assert_eq!(parens("-0.5"), "(-0.5)");
        assert_eq!(parens(r"-\frac{2}{3}"), r"\left(-\frac{2}{3}\right)");
    }

    #[test]
    fn factored_list_entries_count_as_printed_integers() {
        let ln2 = std::f64::consts::LN_2;
        let xs = [6.0 * ln2 / 9.0, -ln2 / 9.0, 3.0 * ln2 / 9.0];
        let (text, m) = crate::render::measure::measure(|| factored_ln_list(&xs, 2, "g"));
        assert_eq!(text.unwrap(), r"\frac{\ln 2}{9} [6, -1, 3]");
        assert_eq!((m.max_denominator, m.max_integer), (9, 6));
    }

    #[test]
    fn factored_ln_lists() {
        let l = LN_2;
        let xs = [6.0 * l / 9.0, -l / 9.0, 3.0 * l / 9.0];
        assert_eq!(
            factored_ln_list(&xs, 2, "g").unwrap(),
            r"\frac{\ln 2}{9} [6, -1, 3]"
        );
        assert_eq!(
            factored_ln_parts(&xs, 2, "g").unwrap(),
            (ln2(1, 9), vec![6, -1, 3])
        );

        let xs = [-5.0 * l / 9.0, -l / 9.0, -3.0 * l / 9.0];
        assert_eq!(
            factored_ln_list(&xs, 2, "g").unwrap(),
            r"-\frac{\ln 2}{9} [5, 1, 3]"
        );
        assert_eq!(
            factored_ln_parts(&xs, 2, "g").unwrap(),
            (ln2(-1, 9), vec![5, 1, 3])
        );

        assert_eq!(
            factored_ln_list(&[0.0, 0.0, 0.0], 2, "g").unwrap(),
            "[0, 0, 0]"
        );
        assert_eq!(
            factored_ln_parts(&[0.0, 0.0], 2, "g").unwrap(),
            (ln2(0, 1), vec![0, 0])
        );
        assert_eq!(
            factored_ln_list(&[l, 2.0 * l], 2, "g").unwrap(),
            r"\ln 2 \, [1, 2]"
        );
        assert_eq!(
            factored_ln_list(&[2.0 * l, 4.0 * l], 2, "g").unwrap(),
            r"2\ln 2 \, [1, 2]"
        );
        assert_eq!(
            factored_ln_list(&[-l, 0.0], 2, "g").unwrap(),
            r"-\ln 2 \, [1, 0]"
        );
        // Mixed denominators: 1/6 and 1/4 share the factor 1/12.
        assert_eq!(
            factored_ln_parts(&[l / 6.0, -l / 4.0], 2, "g").unwrap(),
            (ln2(1, 12), vec![2, -3])
        );
        assert_eq!(
            factored_ln_list(&[2.0 * l / 3.0], 2, "g").unwrap(),
            r"\frac{2\ln 2}{3} [1]"
        );
        let err = factored_ln_list(&[l, 0.5], 2, "g").unwrap_err();
        assert!(matches!(err, FormatError::NotExact { ref what, .. } if what == "g[1]"));
    }
}
