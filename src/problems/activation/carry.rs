//! The activation answer sheet's checkpoints, walked on a student's own values: f(0) and
//! f′(0), then the numeric part's table (drawn variants) column by column: y = f(x),
//! the Jacobian's diagonal f′(x) and dL/dx = f′(x) ⊙ g. f and f′ are read off x (the
//! sheet gives both formulas), so the one step that can carry a slip is the backward
//! pass: dL/dx follows the student's own f′(x).

use ndarray::Array1;

use super::tex::activation_tex;
use super::Params;
use crate::exact::LnForm;
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let f = &self.activation;
        c.scalar("value_at_0", f.forward(0.0));
        c.scalar("derivative_at_0", f.derivative(0.0));
        let Some(numeric) = &self.numeric else {
            return;
        };
        let x = Array1::from_iter(numeric.x.iter().map(LnForm::to_f64));
        let g = Array1::from_iter(numeric.upstream.iter().map(|&v| v as f64));
        c.vector("y", f.forward_array(&x));
        let diagonal = c.vector("jacobian_diagonal", x.mapv(|v| f.derivative(v)));
        c.vector("input_gradient", &diagonal * &g);
    }

    /// f(0) and f′(0) are not asked for in so many words: they are read off the sketched
    /// graphs, and where f′ jumps at 0 the key takes the branch x ≥ 0 (the text's
    /// `cases` put 0 there). The Jacobian's box is its diagonal only.
    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let l = SheetLabel::in_language(language);
        let f = &self.activation;
        let name = activation_tex(f).name;
        let kink_at_0 = (f.derivative(-1e-9) - f.derivative(1e-9)).abs() > 1e-6;
        let derivative = if kink_at_0 {
            (
                "derivacija u $x = 0$, grana $x \\geq 0$",
                "derivative at $x = 0$, branch $x \\geq 0$",
            )
        } else {
            (
                "derivacija u $x = 0$ (s grafa)",
                "derivative at $x = 0$ (from the graph)",
            )
        };
        vec![
            l(
                "value_at_0",
                &format!("{name}(0)"),
                "vrijednost funkcije u $x = 0$ (s grafa)",
                "the function's value at $x = 0$ (from the graph)",
            ),
            l(
                "derivative_at_0",
                &format!("{name}'(0)"),
                derivative.0,
                derivative.1,
            ),
            l(
                "y",
                r"\mathbf{y}",
                r"izlaz sloja za zadani $\mathbf{x}$",
                r"the layer's output for the given $\mathbf{x}$",
            ),
            l(
                "jacobian_diagonal",
                r"\frac{\partial y_i}{\partial x_i}",
                "dijagonala jakobijana (ostalo su nule)",
                "the Jacobian's diagonal (the rest is 0)",
            ),
            l(
                "input_gradient",
                r"\frac{\partial L}{\partial \mathbf{x}}",
                "gradijent koji sloj vraća",
                "the gradient the layer returns",
            ),
        ]
    }
}
