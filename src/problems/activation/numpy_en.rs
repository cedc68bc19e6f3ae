//! The numpy layer class of an English sheet: the class [`super::numpy`] writes, with its
//! Croatian comments and docstrings put into English. The Croatian class is the 2022
//! key's, word for word, so it stays the one source and English is a translation of its
//! prose, fragment by fragment; the tests check that no Croatian is left in any member's
//! class.

use super::numpy::layer_class;
use crate::engine::activation::Activation;
use crate::spec::Language;

/// Croatian fragments of the classes' comments and docstrings and their English, longest
/// first where one contains another.
const ENGLISH: &[(&str, &str)] = &[
    (
        "ln(e^0 + e^z) bez preljeva; e^(-|z|) smije podljevom",
        "ln(e^0 + e^z) without overflow; e^(-|z|) may underflow",
    ),
    (
        "ln(e^0 + e^x) bez preljeva; e^(-|x|) smije podljevom",
        "ln(e^0 + e^x) without overflow; e^(-|x|) may underflow",
    ),
    ("pasti na 0, što je bezopasno.", "to 0, which is harmless."),
    (
        "bez poništavanja za veliki -z.",
        "without cancellation for a large -z.",
    ),
    (
        "Jednako 1 / (1 + e^(-x)), ali bez preljeva za velike |x|.",
        "Equal to 1 / (1 + e^(-x)), but without overflow for a large |x|.",
    ),
    (
        "minimum(x, 0) čuva expm1 od preljeva na grani koju np.where odbacuje.",
        "minimum(x, 0) keeps expm1 from overflowing on the branch np.where drops.",
    ),
    (
        "Za x < 0 je alpha * e^x = f(x) + alpha: koristi izlaz, bez podljeva u exp.",
        "For x < 0, alpha * e^x = f(x) + alpha: use the output, no underflow in exp.",
    ),
    (
        "kao e^(-ln(1 + e^(-z))): bez preljeva i bez poništavanja.",
        "as e^(-ln(1 + e^(-z))): no overflow and no cancellation.",
    ),
    (
        "Nema parametara, pa ni gradijenata po parametrima.",
        "No parameters, so no gradients with respect to parameters.",
    ),
    (
        " za min_val < x < max_val, inače 0 (i na granicama).",
        " for min_val < x < max_val, else 0 (also at the bounds).",
    ),
    ("(u 0 vrijednost zdesna)", "(at 0 the right-hand value)"),
    (" za x >= 0", " for x >= 0"),
    (" za x < 0", " for x < 0"),
    (" uz s = ", " with s = "),
];

/// The Python class of the layer for `a`, its comments and docstring in `language`.
pub fn layer_class_in(a: &Activation, language: Language) -> String {
    let class = layer_class(a);
    match language {
        Language::Hr => class,
        Language::En => ENGLISH
            .iter()
            .fold(class, |code, (hr, en)| code.replace(hr, en)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::activation::Activation;

    /// Every member's class, with the constants that change its docstring.
    fn members() -> Vec<Activation> {
        vec![
            Activation::Softplus { beta: 1.0 },
            Activation::Softplus { beta: 2.0 },
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Elu { alpha: 1.0 },
            Activation::LeakyRelu { alpha: 0.25 },
            Activation::Silu { beta: 1.0 },
            Activation::Silu { beta: 2.0 },
            Activation::Softsign,
            Activation::HardTanh {
                min: -1.0,
                max: 1.0,
            },
        ]
    }

    #[test]
    fn no_croatian_is_left_in_an_english_class() {
        const CROATIAN: &[&str] = &[
            "za", "uz", "bez", "je", "i", "na", "od", "kao", "ali", "nema", "inače", "pa",
        ];
        for a in members() {
            let code = layer_class_in(&a, Language::En);
            assert!(
                !code.contains(['č', 'ć', 'đ', 'š', 'ž']),
                "{}: {code}",
                a.name()
            );
            // Python itself has no Croatian word but `is`-like keywords: look at words.
            let lower = code.to_lowercase();
            let croatian: Vec<&str> = lower
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| CROATIAN.contains(w))
                .collect();
            assert!(croatian.is_empty(), "{}: {croatian:?} in\n{code}", a.name());
        }
    }
}
