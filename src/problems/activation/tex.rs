//! LaTeX for the activation family: the name, f(x) and f′(x) as printed on the sheet.
//!
//! All strings are math-mode bodies without `$`. Every formula is built by a function of
//! the variable, so the Jacobian can print f′(x_1), …, f′(x_4) without a textual
//! `x → x_{i}` replacement (which would also hit the x in `\exp` or `\max` one day).
//! Piecewise members use `cases` (amsmath) and put the kink x = 0 in the `x \geq 0`
//! branch, the right-hand convention of [`Activation::derivative`].
//!
//! Alpha is printed with Rust's shortest round-trip format (`0.1`, `1.7`), never rounded:
//! a rounded coefficient would make the printed formula disagree with the printed numbers.

use crate::engine::activation::Activation;

/// The three LaTeX pieces for one activation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivationTex {
    /// The function's name, e.g. `\operatorname{softplus}`.
    pub name: String,
    /// The body of f(x), e.g. `\ln\left(1 + e^{x}\right)`.
    pub definition: String,
    /// The body of f′(x), e.g. `\frac{e^{x}}{1 + e^{x}}`.
    pub derivative: String,
}

/// Name, f(x) and f′(x) in the variable `x`.
pub fn activation_tex(a: &Activation) -> ActivationTex {
    ActivationTex {
        name: name(a).to_string(),
        definition: definition_in(a, "x"),
        derivative: derivative_in(a, "x"),
    }
}

/// f′ evaluated symbolically at `var`, e.g. `x_{1}` gives `\frac{e^{x_{1}}}{1 + e^{x_{1}}}`.
///
/// `var` must be a single symbol (optionally subscripted): it is inserted unparenthesised,
/// so `a + b` would turn `-x` into `-a + b`.
pub fn derivative_at(a: &Activation, var: &str) -> String {
    derivative_in(a, var)
}

fn name(a: &Activation) -> &'static str {
    match a {
        Activation::Softplus { .. } => r"\operatorname{softplus}",
        Activation::Sigmoid => r"\sigma",
        Activation::Tanh => r"\tanh",
        Activation::Elu { .. } => r"\operatorname{ELU}",
        Activation::LeakyRelu { .. } => r"\operatorname{LeakyReLU}",
        // SiLU with β ≠ 1 goes by its other name; β shows in the definition.
        Activation::Silu { beta } if *beta != 1.0 => r"\operatorname{swish}",
        Activation::Silu { .. } => r"\operatorname{SiLU}",
        Activation::Softsign => r"\operatorname{softsign}",
        Activation::HardTanh { .. } => r"\operatorname{HardTanh}",
    }
}

/// `v` times β, with β = 1 elided (the plain softplus and SiLU read as in the course).
fn times_beta(beta: f64, v: &str) -> String {
    scaled(beta, v)
}

/// The factor 1/β in front of softplus's logarithm: empty for β = 1, an integer when
/// 1/β is one (β = 0.5 gives `2`), else `\frac{1}{β}`.
fn over_beta(beta: f64) -> String {
    let inverse = 1.0 / beta;
    if beta == 1.0 {
        String::new()
    } else if inverse.fract() == 0.0 && inverse * beta == 1.0 {
        format!("{inverse}")
    } else {
        format!(r"\frac{{1}}{{{beta}}}")
    }
}

/// Hard tanh's three pieces, the bounds printed unrounded.
fn clamp_cases(v: &str, min: f64, max: f64, low: &str, mid: &str, high: &str) -> String {
    format!(
        r"\begin{{cases}} {low}, & {v} \leq {min} \\ {mid}, & {min} < {v} < {max} \\ {high}, & {v} \geq {max} \end{{cases}}"
    )
}

/// `term` times α, with α = 1 elided so ELU(α = 1) reads `e^{x}` and not `1 e^{x}`.
fn scaled(alpha: f64, term: &str) -> String {
    if alpha == 1.0 {
        term.to_string()
    } else {
        format!("{alpha} {term}")
    }
}

/// `cases` with the kink at 0 assigned to the upper (x ≥ 0) branch.
fn split_at_zero(v: &str, nonnegative: &str, negative: &str) -> String {
    format!(r"\begin{{cases}} {nonnegative}, & {v} \geq 0 \\ {negative}, & {v} < 0 \end{{cases}}")
}

fn definition_in(a: &Activation, v: &str) -> String {
    match *a {
        Activation::Softplus { beta } => format!(
            r"{}\ln\left(1 + e^{{{}}}\right)",
            over_beta(beta),
            times_beta(beta, v)
        ),
        Activation::Sigmoid => format!(r"\frac{{1}}{{1 + e^{{-{v}}}}}"),
        Activation::Tanh => format!(r"\frac{{e^{{{v}}} - e^{{-{v}}}}}{{e^{{{v}}} + e^{{-{v}}}}}"),
        Activation::Elu { alpha } => split_at_zero(
            v,
            v,
            &if alpha == 1.0 {
                format!(r"e^{{{v}}} - 1")
            } else {
                format!(r"{alpha}\left(e^{{{v}}} - 1\right)")
            },
        ),
        Activation::LeakyRelu { alpha } => split_at_zero(v, v, &scaled(alpha, v)),
        Activation::Silu { beta } => {
            format!(r"\frac{{{v}}}{{1 + e^{{-{}}}}}", times_beta(beta, v))
        }
        Activation::Softsign => format!(r"\frac{{{v}}}{{1 + \left|{v}\right|}}"),
        Activation::HardTanh { min, max } => {
            clamp_cases(v, min, max, &format!("{min}"), v, &format!("{max}"))
        }
    }
}

fn derivative_in(a: &Activation, v: &str) -> String {
    match *a {
        Activation::Softplus { beta } => {
            let z = times_beta(beta, v);
            format!(r"\frac{{e^{{{z}}}}}{{1 + e^{{{z}}}}}")
        }
        // The course writes σ′ in terms of σ itself; the sheet names the function σ. Plain
        // parentheses around a bare variable: `\left(` would add a gap after `\sigma`.
        Activation::Sigmoid => {
            format!(r"\sigma({v})\left(1 - \sigma({v})\right)")
        }
        Activation::Tanh => format!(r"1 - \tanh^{{2}}({v})"),
        Activation::Elu { alpha } => split_at_zero(v, "1", &scaled(alpha, &format!("e^{{{v}}}"))),
        Activation::LeakyRelu { alpha } => split_at_zero(v, "1", &format!("{alpha}")),
        // Quotient rule on x / (1 + e^{−x}); explicit, since σ is not defined on a SiLU sheet.
        Activation::Silu { beta } => {
            let z = times_beta(beta, v);
            format!(
                r"\frac{{1 + e^{{-{z}}} + {z} e^{{-{z}}}}}{{\left(1 + e^{{-{z}}}\right)^{{2}}}}"
            )
        }
        Activation::Softsign => format!(r"\frac{{1}}{{\left(1 + \left|{v}\right|\right)^{{2}}}}"),
        Activation::HardTanh { min, max } => clamp_cases(v, min, max, "0", "1", "0"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;


    /// Braces balanced, `\left`/`\right` paired, `cases` closed, no `$`.
    fn assert_well_formed(tex: &str) {
        let mut depth = 0i32;
        let mut prev = ' ';
        for c in tex.chars() {
            // `\{` and `\}` are literal braces in LaTeX and do not group.
            if prev != '\\' {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            assert!(depth >= 0, "unbalanced braces in {tex}");
            prev = c;
        }
        assert_eq!(depth, 0, "unbalanced braces in {tex}");
        assert_eq!(
            tex.matches(r"\left").count(),
            tex.matches(r"\right").count(),
            "{tex}"
        );
        assert_eq!(
            tex.matches(r"\begin{cases}").count(),
            tex.matches(r"\end{cases}").count()
        );
        assert!(!tex.contains('$'), "{tex}");
    }

    #[test]
    fn softplus_matches_the_seed_sheet() {
        let t = activation_tex(&Activation::SOFTPLUS);
        assert_eq!(t.name, r"\operatorname{softplus}");
        assert_eq!(t.definition, r"\ln\left(1 + e^{x}\right)");
        assert_eq!(t.derivative, r"\frac{e^{x}}{1 + e^{x}}");
        assert_eq!(
            derivative_at(&Activation::SOFTPLUS, "x_{1}"),
            r"\frac{e^{x_{1}}}{1 + e^{x_{1}}}"
        );
    }

    #[test]
    fn all_members_are_well_formed() {
        for a in crate::engine::activation::family() {
            let t = activation_tex(&a);
            for s in [&t.name, &t.definition, &t.derivative] {
                assert_well_formed(s);
            }
            assert_well_formed(&derivative_at(&a, "x_{3}"));
            assert_eq!(derivative_at(&a, "x"), t.derivative, "{a:?}");
        }
    }

    #[test]
    fn variable_is_substituted_everywhere() {
        // No command used here contains the letter x, so any x left over is a variable
        // that was hard-coded instead of substituted.
        for a in crate::engine::activation::family() {
            let d = derivative_at(&a, "z_{2}");
            assert!(!d.contains('x'), "{a:?}: {d}");
            assert!(d.contains("z_{2}"), "{a:?}: {d}");
        }
    }

    #[test]
    fn piecewise_members_print_alpha_unrounded() {
        let elu = activation_tex(&Activation::Elu { alpha: 0.1 });
        assert_eq!(
            elu.definition,
            r"\begin{cases} x, & x \geq 0 \\ 0.1\left(e^{x} - 1\right), & x < 0 \end{cases}"
        );
        assert_eq!(
            elu.derivative,
            r"\begin{cases} 1, & x \geq 0 \\ 0.1 e^{x}, & x < 0 \end{cases}"
        );
        let elu1 = activation_tex(&Activation::Elu { alpha: 1.0 });
        assert_eq!(
            elu1.definition,
            r"\begin{cases} x, & x \geq 0 \\ e^{x} - 1, & x < 0 \end{cases}"
        );
        assert_eq!(
            elu1.derivative,
            r"\begin{cases} 1, & x \geq 0 \\ e^{x}, & x < 0 \end{cases}"
        );
        let leaky = activation_tex(&Activation::LeakyRelu { alpha: 0.01 });
        assert_eq!(
            leaky.definition,
            r"\begin{cases} x, & x \geq 0 \\ 0.01 x, & x < 0 \end{cases}"
        );
        assert_eq!(
            leaky.derivative,
            r"\begin{cases} 1, & x \geq 0 \\ 0.01, & x < 0 \end{cases}"
        );
        // Shortest round-trip, not a fixed number of decimals.
        let odd = activation_tex(&Activation::Elu { alpha: 0.123456789 });
        assert!(
            odd.definition.contains("0.123456789\\left("),
            "{}",
            odd.definition
        );
    }

    #[test]
    fn constants_show_in_the_formulas() {
        let sp = activation_tex(&Activation::Softplus { beta: 2.0 });
        assert_eq!(sp.definition, r"\frac{1}{2}\ln\left(1 + e^{2 x}\right)");
        assert_eq!(sp.derivative, r"\frac{e^{2 x}}{1 + e^{2 x}}");
        let half = activation_tex(&Activation::Softplus { beta: 0.5 });
        assert_eq!(half.definition, r"2\ln\left(1 + e^{0.5 x}\right)");
        let swish = activation_tex(&Activation::Silu { beta: 2.0 });
        assert_eq!(swish.name, r"\operatorname{swish}");
        assert_eq!(swish.definition, r"\frac{x}{1 + e^{-2 x}}");
        assert_eq!(activation_tex(&Activation::SILU).name, r"\operatorname{SiLU}");
        let hard = activation_tex(&Activation::HardTanh { min: -1.0, max: 2.0 });
        assert_eq!(
            hard.definition,
            r"\begin{cases} -1, & x \leq -1 \\ x, & -1 < x < 2 \\ 2, & x \geq 2 \end{cases}"
        );
        assert_eq!(
            hard.derivative,
            r"\begin{cases} 0, & x \leq -1 \\ 1, & -1 < x < 2 \\ 0, & x \geq 2 \end{cases}"
        );
    }

    #[test]
    fn smooth_members_hand_checked() {
        let cases = [
            (Activation::Sigmoid, r"\sigma(t)\left(1 - \sigma(t)\right)"),
            (Activation::Tanh, r"1 - \tanh^{2}(t)"),
            (
                Activation::SILU,
                r"\frac{1 + e^{-t} + t e^{-t}}{\left(1 + e^{-t}\right)^{2}}",
            ),
            (
                Activation::Softsign,
                r"\frac{1}{\left(1 + \left|t\right|\right)^{2}}",
            ),
        ];
        for (a, want) in cases {
            assert_eq!(derivative_at(&a, "t"), want);
        }
        assert_eq!(
            activation_tex(&Activation::Sigmoid).definition,
            r"\frac{1}{1 + e^{-x}}"
        );
        assert_eq!(
            activation_tex(&Activation::Softsign).definition,
            r"\frac{x}{1 + \left|x\right|}"
        );
    }
}
