//! Question and worked solution of the triplet_loss problem. The solution works as one
//! does by hand: the offsets first, their lengths as square roots of whole numbers, the
//! hinge, then each gradient as an offset over its distance, and the class means with
//! the query's squared distances to them. Every number goes through the exact formatters.

use ndarray::Array1;

use super::sampler::offset;
use super::{Hinge, Loss, Params, Point, Solution};
use crate::exact::Rational;
use crate::problems::kind::{QuestionView, WorkedView};
use crate::render::lang::Words;
use crate::render::latex::{self, FormatError, NumberStyle};
use crate::render::math::Fmt;

crate::localized!(Question { Hr => "hr/triplet_loss_question.tex", En => "en/triplet_loss_question.tex" });

pub struct Question {
    pub triplet: bool,
    pub a: String,
    pub p: String,
    pub n: String,
    pub margin: String,
    /// One row per class: its number and its support points.
    pub classes: Vec<(usize, String)>,
    /// "dvaju" or "triju".
    pub count: &'static str,
    pub q: String,
}

/// One distance's working: x − a, and √(x₁² + x₂²) = √s = d.
pub struct DistanceStep {
    pub offset: String,
    pub squares: String,
    pub sum: String,
    pub d: String,
}

/// One class's mean and the query's squared distance to it.
pub struct MeanStep {
    pub class: usize,
    /// `\frac{1}{2}\left([0, 0]^T + [2, 2]^T\right) = \frac{1}{2}[2, 2]^T`, or the one point.
    pub sum: String,
    pub mean: String,
    /// `(2 - 1)^2 + (2 - 1)^2 = 1 + 1`.
    pub terms: String,
    pub value: String,
}

crate::localized!(SolutionSheet { Hr => "hr/triplet_loss_solution.tex", En => "en/triplet_loss_solution.tex" });

pub struct SolutionSheet {
    pub triplet: bool,
    pub active: bool,
    pub ap: DistanceStep,
    pub an: DistanceStep,
    pub margin: String,
    /// d(a,p) − d(a,n) + α (triplet) or m − d(a,n) (contrastive), with its value.
    pub hinge_terms: String,
    pub hinge: String,
    pub d_ap_squared: String,
    pub hinge_squared: String,
    pub loss: String,
    /// The coefficient of the offset in ∂L/∂n (contrastive): 2(m − d(a,n))/d(a,n).
    pub coefficient_n: String,
    pub grad_p: String,
    pub grad_n: String,
    /// −∂L/∂p − ∂L/∂n entry by entry.
    pub grad_a_terms: String,
    pub grad_a: String,
    pub means: Vec<MeanStep>,
    pub predicted: usize,
    pub torch: String,
}

/// A whole number as the sheet prints it (noted by the hand-work measure).
fn int(n: i64) -> String {
    latex::rational(Rational::from_int(n), NumberStyle::Fraction)
}

/// A point as an inline vector `[1, -1]`.
fn point(p: Point) -> String {
    latex::list(&[int(p[0]), int(p[1])])
}

/// `3^2` or `(-3)^2`.
fn squared(v: i64) -> String {
    if v < 0 {
        format!("({})^2", int(v))
    } else {
        format!("{}^2", int(v))
    }
}

fn distance_step(from: Point, to: Point) -> Result<DistanceStep, FormatError> {
    let o = offset(from, to);
    let sum = o[0] * o[0] + o[1] * o[1];
    let d = latex::integer((sum as f64).sqrt(), "distance")?;
    Ok(DistanceStep {
        offset: point(o),
        squares: format!("{} + {}", squared(o[0]), squared(o[1])),
        sum: int(sum),
        d,
    })
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, _words: &dyn Words) -> Result<Self, FormatError> {
        Ok(Question {
            triplet: p.loss == Loss::Triplet,
            a: point(p.anchor),
            p: point(p.positive),
            n: point(p.negative),
            margin: int(p.margin),
            classes: p
                .support
                .iter()
                .enumerate()
                .map(|(c, class)| {
                    let points: Vec<String> =
                        class.iter().map(|&x| format!("${}^T$", point(x))).collect();
                    (c, points.join(", "))
                })
                .collect(),
            count: if p.support.len() == 2 { "dvaju" } else { "triju" },
            q: point(p.query),
        })
    }
}

/// `x_1 ∘ y_1, x_2 ∘ y_2` as a list, each y an operand (negatives in parentheses).
fn entrywise(
    x: &Array1<f64>,
    op: &str,
    y: &Array1<f64>,
    what: &str,
) -> Result<String, FormatError> {
    let f = Fmt::FRACTION;
    let entries = x
        .iter()
        .zip(y)
        .map(|(&u, &v)| Ok(format!("{} {op} {}", f.num(u, what)?, f.operand(v, what)?)))
        .collect::<Result<Vec<_>, FormatError>>()?;
    Ok(latex::list(&entries))
}

fn mean_step(
    class: usize,
    points: &[Point],
    mean: &Array1<f64>,
    q: Point,
    value: f64,
) -> Result<MeanStep, FormatError> {
    let f = Fmt::FRACTION;
    let listed: Vec<String> = points.iter().map(|&x| format!("{}^T", point(x))).collect();
    let sum = if points.len() == 1 {
        listed[0].clone()
    } else {
        let total = points
            .iter()
            .fold([0, 0], |acc, x| [acc[0] + x[0], acc[1] + x[1]]);
        let share = latex::rational(Rational::new(1, points.len() as i64), NumberStyle::Fraction);
        format!(
            r"{share}\left({}\right) = {share}{}^T",
            listed.join(" + "),
            point(total)
        )
    };
    let mut brackets = Vec::new();
    let mut squares = Vec::new();
    for i in 0..2 {
        brackets.push(format!(
            "{}^2",
            latex::parens(&format!("{} - {}", int(q[i]), f.operand(mean[i], "mean")?))
        ));
        let diff = q[i] as f64 - mean[i];
        squares.push(f.num(diff * diff, "squared difference")?);
    }
    Ok(MeanStep {
        class,
        sum,
        mean: f.list(mean, "mean")?,
        terms: format!("{} = {}", brackets.join(" + "), squares.join(" + ")),
        value: f.num(value, "squared distance")?,
    })
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, _words: &dyn Words) -> Result<Self, FormatError> {
        let f = Fmt::FRACTION;
        let triplet = p.loss == Loss::Triplet;
        let d_ap = f.num(s.d_ap, "d(a, p)")?;
        let d_an = f.num(s.d_an, "d(a, n)")?;
        let hinge_terms = if triplet {
            format!("{d_ap} - {d_an} + {}", int(p.margin))
        } else {
            format!("{} - {d_an}", int(p.margin))
        };
        let grad_n_coefficient = 2.0 * s.hinge.max(0.0) / s.d_an;
        let means = s
            .means
            .iter()
            .enumerate()
            .map(|(c, m)| mean_step(c, &p.support[c], m, p.query, s.sq_distances[c]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SolutionSheet {
            triplet,
            active: s.hinge_state() == Hinge::Active,
            ap: distance_step(p.anchor, p.positive)?,
            an: distance_step(p.anchor, p.negative)?,
            margin: int(p.margin),
            hinge_terms,
            hinge: f.num(s.hinge, "hinge")?,
            d_ap_squared: f.num(s.d_ap * s.d_ap, "d(a, p)^2")?,
            hinge_squared: f.num(s.hinge.max(0.0).powi(2), "hinge^2")?,
            loss: f.num(s.loss, "L")?,
            coefficient_n: f.num(grad_n_coefficient, "2(m - d(a, n))/d(a, n)")?,
            grad_p: f.list(&s.grad_positive, "dL/dp")?,
            grad_n: f.list(&s.grad_negative, "dL/dn")?,
            grad_a_terms: entrywise(&-&s.grad_positive, "-", &s.grad_negative, "dL/da")?,
            grad_a: f.list(&s.grad_anchor, "dL/da")?,
            means,
            predicted: s.predicted,
            torch: torch_check(p),
        })
    }
}

/// A point as a float64 tensor.
fn tensor(p: Point, grad: bool) -> String {
    let grad = if grad { ", requires_grad=True" } else { "" };
    format!(
        "torch.tensor([{:?}, {:?}], dtype=torch.float64{grad})",
        p[0] as f64, p[1] as f64
    )
}

/// The short PyTorch program that checks the loss, the gradients and the class, filled
/// in with the variant's numbers (float64, so the printout matches the sheet).
pub fn torch_check(p: &Params) -> String {
    let loss = match p.loss {
        Loss::Triplet => format!(
            "# = TripletMarginLoss(margin={m}, eps=0)(a, p, n)\n\
             L = torch.clamp(d(a, p) - d(a, n) + {m}, min=0)",
            m = p.margin
        ),
        Loss::Contrastive => format!(
            "L = d(a, p) ** 2 + torch.clamp({m} - d(a, n), min=0) ** 2",
            m = p.margin
        ),
    };
    let support: Vec<String> = p
        .support
        .iter()
        .map(|class| {
            let rows: Vec<String> = class
                .iter()
                .map(|x| format!("[{:?}, {:?}]", x[0] as f64, x[1] as f64))
                .collect();
            format!("    [{}],\n", rows.join(", "))
        })
        .collect();
    format!(
        "import torch\n\
         \n\
         a = {a}\n\
         p = {p}\n\
         n = {n}\n\
         d = lambda u, v: (u - v).norm()\n\
         {loss}\n\
         L.backward()\n\
         print(L, a.grad, p.grad, n.grad)\n\
         \n\
         S = [\n{support}]\n\
         mu = torch.stack([torch.tensor(s, dtype=torch.float64).mean(dim=0) for s in S])\n\
         q = {q}\n\
         D = ((q - mu) ** 2).sum(dim=1)\n\
         print(mu, D, D.argmin())\n",
        a = tensor(p.anchor, true),
        p = tensor(p.positive, true),
        n = tensor(p.negative, true),
        support = support.concat(),
        q = tensor(p.query, false),
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::super::TripletLoss;
    use super::*;
    use crate::problems::kind::{render, Variant as _};

    #[test]
    fn the_pinned_sheet_shows_every_value_exactly() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert_eq!(sheet.ap.squares, "3^2 + 4^2");
        assert_eq!((sheet.an.sum.as_str(), sheet.an.d.as_str()), ("169", "13"));
        assert_eq!(sheet.hinge_terms, "5 - 13 + 10");
        assert_eq!(sheet.grad_a, r"\left[-\frac{14}{65}, \frac{8}{65}\right]");
        assert_eq!(
            sheet.grad_a_terms,
            r"\left[-\frac{3}{5} - \left(-\frac{5}{13}\right), -\frac{4}{5} - \left(-\frac{12}{13}\right)\right]"
        );
        assert_eq!(
            sheet.means[1].sum,
            r"\frac{1}{3}\left([3, 3]^T + [4, 2]^T + [5, 5]^T\right) = \frac{1}{3}[12, 10]^T"
        );
        assert_eq!(
            sheet.means[1].terms,
            r"(2 - 4)^2 + \left(2 - \frac{10}{3}\right)^2 = 4 + \frac{16}{9}"
        );
        assert_eq!(sheet.means[1].value, r"\frac{52}{9}");
        let out = render::<TripletLoss>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(out.solution.contains(r"\frac{3}{5}"), "{}", out.solution);
        assert!(out.question.contains("nije kvadrirana"), "{}", out.question);
    }

    #[test]
    fn negative_coordinates_are_squared_in_parentheses() {
        assert_eq!(squared(-3), "(-3)^2");
        assert_eq!(squared(4), "4^2");
    }

    #[test]
    fn the_torch_check_names_the_loss() {
        let mut p = sampler(PINNED).unwrap().fixed().unwrap();
        assert!(torch_check(&p).contains("d(a, p) - d(a, n) + 10"));
        p.loss = Loss::Contrastive;
        assert!(torch_check(&p).contains("d(a, p) ** 2 + torch.clamp(10 - d(a, n), min=0) ** 2"));
    }
}
