//! The numpy solution to "implement the activation as a layer" (problem 4, part 3).
//!
//! The course's lab 2 defines an abstract `Layer` with `forward(inputs)`,
//! `backward_inputs(grads)` (dL/dx = grads ⊙ f′(x)) and `backward_params(grads)`; an
//! activation has no parameters, so the last returns `None`. Each generated class caches
//! in `forward` exactly what its `backward_inputs` needs, and works for any array shape
//! because every operation is element-wise.
//!
//! The seed sheet's `np.log(np.exp(x) + 1)` overflows at x ≈ 710, so the code here only
//! ever exponentiates non-positive numbers or goes through `tanh`/`logaddexp`. Where e^{−|x|}
//! may underflow to 0 (the correct limit), that is silenced locally with `np.errstate`,
//! so the layer also runs under `np.seterr(all="raise")`. σ is written
//! `0.5 * (1 + tanh(x / 2))`, an identity that never overflows or underflows.

use crate::engine::activation::Activation;

/// The Python class name of the layer.
pub fn class_name(a: &Activation) -> &'static str {
    match a {
        Activation::Softplus { .. } => "Softplus",
        Activation::Sigmoid => "Sigmoid",
        Activation::Tanh => "Tanh",
        Activation::Elu { .. } => "ELU",
        Activation::LeakyRelu { .. } => "LeakyReLU",
        Activation::Silu { beta } if *beta != 1.0 => "Swish",
        Activation::Silu { .. } => "SiLU",
        Activation::Softsign => "Softsign",
        Activation::HardTanh { .. } => "HardTanh",
    }
}

/// The layer's default `name`: the function's name, except that SiLU with β ≠ 1 is the
/// swish class and is named so.
fn layer_name(a: &Activation) -> &'static str {
    match a {
        Activation::Silu { beta } if *beta != 1.0 => "swish",
        _ => a.name(),
    }
}

/// A Python float literal that reads back as exactly `x` (`1.0`, `0.1`, `1e-07`).
fn py_float(x: f64) -> String {
    if x.is_nan() {
        "float(\"nan\")".to_string()
    } else if x.is_infinite() {
        format!("float(\"{}inf\")", if x < 0.0 { "-" } else { "" })
    } else {
        // Debug is Rust's shortest round-trip form and always has a `.` or an exponent,
        // which is also valid Python.
        format!("{x:?}")
    }
}

/// One member's docstring (paragraphs separated by a blank line), its constants (as
/// `__init__` keyword arguments kept on `self`), and the `forward`/`backward_inputs`
/// bodies.
struct Parts {
    doc: &'static str,
    constants: Vec<(&'static str, f64)>,
    forward: &'static str,
    backward: &'static str,
}

fn parts(a: &Activation) -> Parts {
    match *a {
        // β = 1 keeps the 2022 key's class word for word.
        Activation::Softplus { beta } if beta != 1.0 => Parts {
            doc: "Softplus: f(x) = ln(1 + e^(beta x)) / beta, f'(x) = sigmoid(beta x).",
            constants: vec![("beta", beta)],
            forward: r#"        self.inputs = inputs
        # logaddexp(0, z) = ln(e^0 + e^z) bez preljeva; e^(-|z|) smije podljevom
        # pasti na 0, što je bezopasno.
        with np.errstate(under="ignore"):
            return np.logaddexp(0, self.beta * inputs) / self.beta
"#,
            backward: r#"        # sigmoid(z) = e^(-ln(1 + e^(-z))), bez poništavanja za veliki -z.
        with np.errstate(under="ignore"):
            sigmoid = np.exp(-np.logaddexp(0, -self.beta * self.inputs))
        return grads * sigmoid
"#,
        },
        Activation::Softplus { .. } => Parts {
            doc: "Softplus: f(x) = ln(1 + e^x), f'(x) = sigmoid(x).",
            constants: Vec::new(),
            forward: r#"        self.inputs = inputs
        # logaddexp(0, x) = ln(e^0 + e^x) bez preljeva; e^(-|x|) smije podljevom
        # pasti na 0, što je bezopasno.
        with np.errstate(under="ignore"):
            return np.logaddexp(0, inputs)
"#,
            backward: r#"        sigmoid = 0.5 * (1 + np.tanh(0.5 * self.inputs))
        return grads * sigmoid
"#,
        },
        Activation::Sigmoid => Parts {
            doc: "Sigmoid: f(x) = 1 / (1 + e^(-x)), f'(x) = f(x) * (1 - f(x)).",
            constants: Vec::new(),
            forward: r#"        # Jednako 1 / (1 + e^(-x)), ali bez preljeva za velike |x|.
        self.outputs = 0.5 * (1 + np.tanh(0.5 * inputs))
        return self.outputs
"#,
            backward: r#"        return grads * self.outputs * (1 - self.outputs)
"#,
        },
        Activation::Tanh => Parts {
            doc: "Tanh: f(x) = tanh(x), f'(x) = 1 - tanh(x)^2.",
            constants: Vec::new(),
            forward: r#"        self.outputs = np.tanh(inputs)
        return self.outputs
"#,
            backward: r#"        return grads * (1 - self.outputs ** 2)
"#,
        },
        Activation::Elu { alpha } => Parts {
            doc: "ELU: f(x) = x za x >= 0, alpha * (e^x - 1) za x < 0.\n\n\
                  f'(x) = 1 za x >= 0 (u 0 vrijednost zdesna), alpha * e^x za x < 0.",
            constants: vec![("alpha", alpha)],
            forward: r#"        self.inputs = inputs
        # minimum(x, 0) čuva expm1 od preljeva na grani koju np.where odbacuje.
        self.outputs = np.where(
            inputs >= 0, inputs, self.alpha * np.expm1(np.minimum(inputs, 0))
        )
        return self.outputs
"#,
            backward: r#"        # Za x < 0 je alpha * e^x = f(x) + alpha: koristi izlaz, bez podljeva u exp.
        return grads * np.where(self.inputs >= 0, 1.0, self.outputs + self.alpha)
"#,
        },
        Activation::LeakyRelu { alpha } => Parts {
            doc: "Leaky ReLU: f(x) = x za x >= 0, alpha * x za x < 0.\n\n\
                  f'(x) = 1 za x >= 0 (u 0 vrijednost zdesna), alpha za x < 0.",
            constants: vec![("alpha", alpha)],
            forward: r#"        self.inputs = inputs
        return np.where(inputs >= 0, inputs, self.alpha * inputs)
"#,
            backward: r#"        return grads * np.where(self.inputs >= 0, 1.0, self.alpha)
"#,
        },
        Activation::Silu { beta } if beta != 1.0 => Parts {
            doc: "Swish: f(x) = x * sigmoid(beta x).\n\n\
                  f'(x) = s * (1 + beta x * (1 - s)) uz s = sigmoid(beta x).",
            constants: vec![("beta", beta)],
            forward: r#"        self.inputs = inputs
        # 1 / (1 + e^(-z)) kao e^(-ln(1 + e^(-z))): bez preljeva i bez poništavanja.
        with np.errstate(under="ignore"):
            self.sigmoid = np.exp(-np.logaddexp(0, -self.beta * inputs))
        return inputs * self.sigmoid
"#,
            backward: r#"        s = self.sigmoid
        return grads * s * (1 + self.beta * self.inputs * (1 - s))
"#,
        },
        Activation::Silu { .. } => Parts {
            doc: "SiLU: f(x) = x * sigmoid(x).\n\n\
                  f'(x) = s * (1 + x * (1 - s)) uz s = sigmoid(x).",
            constants: Vec::new(),
            forward: r#"        self.inputs = inputs
        # Jednako 1 / (1 + e^(-x)), ali bez preljeva za velike |x|.
        self.sigmoid = 0.5 * (1 + np.tanh(0.5 * inputs))
        return inputs * self.sigmoid
"#,
            backward: r#"        s = self.sigmoid
        return grads * s * (1 + self.inputs * (1 - s))
"#,
        },
        Activation::Softsign => Parts {
            doc: "Softsign: f(x) = x / (1 + |x|), f'(x) = 1 / (1 + |x|)^2.",
            constants: Vec::new(),
            forward: r#"        self.inputs = inputs
        return inputs / (1 + np.abs(inputs))
"#,
            backward: r#"        return grads / (1 + np.abs(self.inputs)) ** 2
"#,
        },
        Activation::HardTanh { min, max } => Parts {
            doc: "Hard tanh: f(x) = min(max(x, min_val), max_val).\n\n\
                  f'(x) = 1 za min_val < x < max_val, inače 0 (i na granicama).",
            constants: vec![("min_val", min), ("max_val", max)],
            forward: r#"        self.inputs = inputs
        return np.clip(inputs, self.min_val, self.max_val)
"#,
            backward: r#"        inside = (self.inputs > self.min_val) & (self.inputs < self.max_val)
        return grads * inside
"#,
        },
    }
}

/// Python source of the lab-2 `Layer` subclass for `a`; assumes `import numpy as np` and a
/// `Layer` base class in scope. Four-space indentation, ends with a newline.
pub fn layer_class(a: &Activation) -> String {
    let p = parts(a);
    // A multi-line docstring gets its closing quotes on a line of their own (PEP 257).
    let doc = if p.doc.contains('\n') {
        let body: Vec<String> = p
            .doc
            .lines()
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("    {l}")
                }
            })
            .collect();
        format!("{}\n    ", body.join("\n").trim_start())
    } else {
        p.doc.to_string()
    };
    let constant_params: String = p
        .constants
        .iter()
        .map(|(name, value)| format!(", {name}={}", py_float(*value)))
        .collect();
    let constant_init: String = p
        .constants
        .iter()
        .map(|(name, _)| format!("        self.{name} = {name}\n"))
        .collect();
    format!(
        r#"class {class}(Layer):
    """{doc}"""

    has_params = False

    def __init__(self, name="{name}"{constant_params}):
        self.name = name
{constant_init}
    def forward(self, inputs):
{forward}
    def backward_inputs(self, grads):
{backward}
    def backward_params(self, grads):
        # Nema parametara, pa ni gradijenata po parametrima.
        return None
"#,
        class = class_name(a),
        doc = doc,
        name = layer_name(a),
        forward = p.forward,
        backward = p.backward,
    )
}

#[cfg(test)]
mod tests {
    use super::*;


    #[test]
    fn every_class_implements_the_lab_interface() {
        for a in crate::engine::activation::family() {
            let code = layer_class(&a);
            assert!(
                code.starts_with(&format!("class {}(Layer):\n", class_name(&a))),
                "{code}"
            );
            for needle in [
                "def forward(self, inputs):",
                "def backward_inputs(self, grads):",
                "def backward_params(self, grads):",
                "has_params = False",
                "return None",
                &format!("def __init__(self, name=\"{}\"", layer_name(&a)),
                "self.name = name",
            ] {
                assert!(code.contains(needle), "{a:?} lacks {needle:?}:\n{code}");
            }
        }
    }

    #[test]
    fn a_class_is_named_as_itself() {
        let swish = layer_class(&Activation::Silu { beta: 2.0 });
        assert!(swish.starts_with("class Swish(Layer):"), "{swish}");
        assert!(swish.contains("name=\"swish\""), "{swish}");
        assert!(layer_class(&Activation::SILU).contains("name=\"silu\""));
    }

    #[test]
    fn no_overflowing_softplus() {
        for a in crate::engine::activation::family() {
            let code = layer_class(&a);
            assert!(!code.contains("np.log(np.exp"), "{code}");
            assert!(!code.contains("np.log(1 + np.exp"), "{code}");
        }
        assert!(layer_class(&Activation::SOFTPLUS).contains("np.logaddexp(0, inputs)"));
    }

    #[test]
    fn layout_is_python_clean() {
        for a in crate::engine::activation::family() {
            let code = layer_class(&a);
            assert!(code.ends_with('\n') && !code.ends_with("\n\n"), "{a:?}");
            assert!(!code.contains('\t'), "{a:?}");
            for line in code.lines() {
                let indent = line.len() - line.trim_start().len();
                assert_eq!(indent % 4, 0, "{a:?}: {line:?}");
                assert_eq!(line, line.trim_end(), "{a:?}: trailing space in {line:?}");
            }
            // Methods are separated by exactly one blank line.
            assert!(!code.contains("\n\n\n"), "{a:?}:\n{code}");
        }
    }

    #[test]
    fn alpha_is_a_round_trip_python_float() {
        let code = layer_class(&Activation::Elu { alpha: 1.0 });
        assert!(
            code.contains(r#"def __init__(self, name="elu", alpha=1.0):"#),
            "{code}"
        );
        assert!(code.contains("self.alpha = alpha"));
        let code = layer_class(&Activation::LeakyRelu { alpha: 0.1 });
        assert!(code.contains(r#"def __init__(self, name="leaky_relu", alpha=0.1):"#));
        assert_eq!(py_float(1e-7), "1e-7");
        assert_eq!(py_float(0.123456789), "0.123456789");
        assert_eq!(py_float(f64::NEG_INFINITY), "float(\"-inf\")");
        let sp = layer_class(&Activation::SOFTPLUS);
        assert!(
            sp.contains(r#"def __init__(self, name="softplus"):"#),
            "{sp}"
        );
        assert!(!sp.contains("alpha"));
        let hard = layer_class(&Activation::HardTanh { min: -2.0, max: 1.0 });
        assert!(
            hard.contains(r#"def __init__(self, name="hard_tanh", min_val=-2.0, max_val=1.0):"#),
            "{hard}"
        );
        assert!(hard.contains("        self.min_val = min_val\n        self.max_val = max_val\n"));
        let sp2 = layer_class(&Activation::Softplus { beta: 2.0 });
        assert!(sp2.contains(r#"def __init__(self, name="softplus", beta=2.0):"#), "{sp2}");
    }
}
