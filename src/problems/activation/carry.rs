//! The activation answer sheet's checkpoints, walked on a student's own values: f(0) and
//! f′(0), then the numeric part's table (drawn variants) column by column: y = f(x),
//! the Jacobian's diagonal f′(x) and dL/dx = f′(x) ⊙ g. f and f′ are read off x (the
//! sheet gives both formulas), so the one step that can carry a slip is the backward
//! pass: dL/dx follows the student's own f′(x).

use ndarray::Array1;

use super::Params;
use crate::exact::LnForm;
use crate::grade::carry::Carry;
use crate::problems::kind::Checkpoints;

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
}
