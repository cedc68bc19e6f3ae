//! The triplet_loss answer sheet's checkpoints, walked on a student's own values: the
//! distances d(a,p) and d(a,n), the argument of the max, the loss, ∂L/∂p, ∂L/∂n, ∂L/∂a;
//! then the class means, the squared distances of the query to them and the predicted
//! class. The hinge follows the student's distances and decides (by its sign) whether the
//! gradients pass; the gradients divide by the student's distances; ∂L/∂a is minus the
//! sum of the student's ∂L/∂p and ∂L/∂n; the prediction is the student's nearest mean.

use ndarray::Array1;

use super::solve::{class_means, distance, forward, hinge, nearest, squared_distance};
use super::{vector, Loss, Params};
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let (a, p, n) = (vector(self.anchor), vector(self.positive), vector(self.negative));
        let d_ap = c.scalar("d_ap", distance(&a, &p));
        let d_an = c.scalar("d_an", distance(&a, &n));
        let h = c.scalar("hinge", hinge(self.loss, d_ap, d_an, self.margin as f64));
        c.scalar("loss_value", forward(self.loss, d_ap, h));
        // As the engine's backward pass, with the student's distances and hinge.
        let through_hinge = |g: Array1<f64>| if h > 0.0 { g } else { Array1::zeros(2) };
        let (grad_p, grad_n) = match self.loss {
            Loss::Triplet => (
                through_hinge((&p - &a) / d_ap),
                through_hinge(-((&n - &a) / d_an)),
            ),
            Loss::Contrastive => (
                (&p - &a) * 2.0,
                through_hinge((&n - &a) / d_an * (-2.0 * h)),
            ),
        };
        let grad_p = c.vector("grad_positive", grad_p);
        let grad_n = c.vector("grad_negative", grad_n);
        c.vector("grad_anchor", (&grad_p + &grad_n).mapv(|g| -g + 0.0));

        let means: Vec<Vec<f64>> = class_means(&self.support)
            .iter()
            .map(|m| m.to_vec())
            .collect();
        let means = c.rows("means", &means);
        let q = vector(self.query);
        let sq = means
            .iter()
            .map(|m| squared_distance(&q, &Array1::from(m.clone())))
            .collect();
        let sq = c.vector("sq_distances", sq);
        c.scalar("predicted", nearest(&sq.to_vec()) as f64);
    }

    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let hr = language == Language::Hr;
        let label = |name, symbol: &str, hr_note: &str, en_note: &str| {
            SheetLabel::new(name, symbol, if hr { hr_note } else { en_note })
        };
        let (distance_hr, distance_en) = ("euklidska, nije kvadrirana", "Euclidean, not squared");
        let (gradient_hr, gradient_en) = ("gradijent, po komponentama", "gradient, by component");
        let hinge = match self.loss {
            Loss::Triplet => r"d(\mathbf{a}, \mathbf{p}) - d(\mathbf{a}, \mathbf{n}) + \alpha",
            Loss::Contrastive => r"m - d(\mathbf{a}, \mathbf{n})",
        };
        vec![
            label("d_ap", r"d(\mathbf{a}, \mathbf{p})", distance_hr, distance_en),
            label("d_an", r"d(\mathbf{a}, \mathbf{n})", distance_hr, distance_en),
            label(
                "hinge",
                hinge,
                r"argument funkcije $\max$ (može biti $< 0$)",
                r"the argument of $\max$ (may be $< 0$)",
            ),
            label("loss_value", "L", "vrijednost gubitka", "the loss"),
            label("grad_positive", r"\partial L / \partial \mathbf{p}", gradient_hr, gradient_en),
            label("grad_negative", r"\partial L / \partial \mathbf{n}", gradient_hr, gradient_en),
            label("grad_anchor", r"\partial L / \partial \mathbf{a}", gradient_hr, gradient_en),
            label(
                "means",
                r"\boldsymbol{\mu}_c",
                r"redak \texttt{[$c$]}: razred $c$",
                r"row \texttt{[$c$]}: class $c$",
            ),
            label(
                "sq_distances",
                r"\lVert \mathbf{q} - \boldsymbol{\mu}_c \rVert^2",
                r"KVADRAT udaljenosti; \texttt{[$c$]}: razred $c$",
                r"SQUARED distance; \texttt{[$c$]}: class $c$",
            ),
            label(
                "predicted",
                r"\hat{c}",
                "broj razreda upita (kao u tablici)",
                "the query's class number (as in the table)",
            ),
        ]
    }
}
