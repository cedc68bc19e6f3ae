//! The sampler of the gated_step problem: the checked pins and knobs, and the draw of a
//! candidate in the order the random-stream contract fixes (cell, H, D, ln_base, x, h,
//! c, W_ih, W_hh, bias, b_hn). The constraints are checked on the whole candidate.

use super::{Cell, Params};
use crate::draw::{int_in, pick, VariantRng};
use crate::spec::Points;

/// Draws this problem's parameters (pinned ones are kept) under
/// [`super::CONSTRAINTS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) points: Points,
    pub(super) pinned: Pinned,
    pub(super) knobs: Knobs,
}

/// The knobs after defaults and pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Knobs {
    pub(super) cells: Vec<Cell>,
    /// H and D, inclusive (both ends equal when a pin fixes them).
    pub(super) hidden: (usize, usize),
    pub(super) input: (usize, usize),
    pub(super) ln_bases: Vec<u32>,
    pub(super) x_range: (i64, i64),
    pub(super) h_range: (i64, i64),
    pub(super) c_range: (i64, i64),
    pub(super) weight_range: (i64, i64),
    pub(super) bias_range: (i64, i64),
}

/// The parameters a spec pins.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Pinned {
    pub(super) cell: Option<Cell>,
    pub(super) ln_base: Option<u32>,
    pub(super) x: Option<Vec<i64>>,
    pub(super) h: Option<Vec<i64>>,
    pub(super) c: Option<Vec<i64>>,
    pub(super) w_ih: Option<Vec<Vec<i64>>>,
    pub(super) w_hh: Option<Vec<Vec<i64>>>,
    pub(super) bias: Option<Vec<i64>>,
    pub(super) b_hn: Option<Vec<i64>>,
}

fn vector(rng: &mut VariantRng, len: usize, (lo, hi): (i64, i64)) -> Vec<i64> {
    (0..len).map(|_| int_in(rng, lo, hi)).collect()
}

fn matrix(rng: &mut VariantRng, rows: usize, cols: usize, range: (i64, i64)) -> Vec<Vec<i64>> {
    (0..rows).map(|_| vector(rng, cols, range)).collect()
}

/// A size in `lo..=hi`; one fixed by a pin (lo = hi) takes nothing from the stream.
fn size(rng: &mut VariantRng, (lo, hi): (usize, usize)) -> usize {
    if lo == hi {
        lo
    } else {
        int_in(rng, lo as i64, hi as i64) as usize
    }
}

/// A pinned value, or one drawn by `draw` (which then takes from the stream).
fn kept<T: Clone>(pin: &Option<T>, draw: impl FnOnce() -> T) -> T {
    match pin {
        Some(v) => v.clone(),
        None => draw(),
    }
}

impl Sampler {
    /// The fully pinned variant, if every parameter is pinned.
    pub(super) fn fixed(&self) -> Option<Params> {
        let p = &self.pinned;
        let cell = p.cell?;
        let (c, b_hn) = match cell {
            Cell::Gru => (Vec::new(), p.b_hn.clone()?),
            _ => (p.c.clone()?, Vec::new()),
        };
        Some(Params {
            points: self.points,
            cell,
            ln_base: p.ln_base?,
            x: p.x.clone()?,
            h: p.h.clone()?,
            c,
            w_ih: p.w_ih.clone()?,
            w_hh: p.w_hh.clone()?,
            bias: p.bias.clone()?,
            b_hn,
        })
    }

    pub(super) fn candidate(&self, rng: &mut VariantRng) -> Params {
        let (k, p) = (&self.knobs, &self.pinned);
        let cell = kept(&p.cell, || *pick(rng, &k.cells));
        let hidden = size(rng, k.hidden);
        let input = size(rng, k.input);
        let ln_base = kept(&p.ln_base, || *pick(rng, &k.ln_bases));
        let x = kept(&p.x, || vector(rng, input, k.x_range));
        let h = kept(&p.h, || vector(rng, hidden, k.h_range));
        let c = match cell {
            Cell::Gru => Vec::new(),
            _ => kept(&p.c, || vector(rng, hidden, k.c_range)),
        };
        let rows = cell.gates() * hidden;
        let w_ih = kept(&p.w_ih, || matrix(rng, rows, input, k.weight_range));
        let w_hh = kept(&p.w_hh, || matrix(rng, rows, hidden, k.weight_range));
        let bias = kept(&p.bias, || vector(rng, rows, k.bias_range));
        let b_hn = match cell {
            Cell::Gru => kept(&p.b_hn, || vector(rng, hidden, k.bias_range)),
            _ => Vec::new(),
        };
        Params {
            points: self.points,
            cell,
            ln_base,
            x,
            h,
            c,
            w_ih,
            w_hh,
            bias,
            b_hn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, LSTM};
    use super::super::GatedStep as K;
    use super::super::CONSTRAINTS;
    use super::Cell;
    use crate::draw::{all, broken, problem_rng};
    use crate::problems::Kind as _;

    #[test]
    fn a_pinned_variant_is_fixed_and_takes_one_try() {
        let s = sampler(LSTM).unwrap();
        let (p, sol, tries) = K::draw(&s, &mut problem_rng(1, 2, 3, 0)).unwrap();
        assert_eq!(tries, 1);
        assert_eq!(p.c, vec![1]);
        assert_eq!(broken(&p, &sol, &all(CONSTRAINTS)), Vec::<&str>::new());
    }

    #[test]
    fn pinned_parameters_are_kept_and_the_rest_drawn_within_the_knobs() {
        let s = sampler("cell: gru\nx: [1, -1]\ndraw: {weight_range: [-1, 1]}\n").unwrap();
        let mut hidden = std::collections::BTreeSet::new();
        for student in 0..60 {
            let (p, sol, _) = K::draw(&s, &mut problem_rng(3, student, 0, 0)).unwrap();
            assert_eq!((p.cell, p.x.clone()), (Cell::Gru, vec![1, -1]));
            assert!(p.c.is_empty() && p.b_hn.len() == p.h.len());
            assert_eq!(p.w_ih.len(), 3 * p.h.len());
            assert!(p.w_ih.iter().flatten().all(|w| (-1..=1).contains(w)));
            assert!(broken(&p, &sol, &all(CONSTRAINTS)).is_empty());
            hidden.insert(p.h.len());
        }
        assert_eq!(hidden.len(), 2, "both hidden sizes are drawn");
    }

    #[test]
    fn impossible_knobs_name_the_constraint() {
        let s = sampler("draw: {weight_range: [0, 0], bias_range: [0, 0]}\n").unwrap();
        let err = K::draw(&s, &mut problem_rng(0, 0, 0, 0)).unwrap_err();
        assert_eq!(err.constraint, "gates_vary");
    }
}
