//! The spec side of the gated_step problem: the serde types as written in a YAML spec
//! (pins and `draw:` knobs) and their checks into a [`Sampler`], so that every error
//! names the field to change before anything is drawn.

use serde::Deserialize;

use super::sampler::{Knobs, Pinned, Sampler};
use super::Cell;
use crate::spec::knobs::{
    every_pinned, ln_base_pin, ln_bases, one_of, pinned_in, range, rows_within, within,
};
use crate::spec::rules::integers;
use crate::spec::{FieldError, Points};

/// The problem as written in a spec: every parameter may be pinned; without a `draw:`
/// section all of them must be (b_hn for the GRU, c for the LSTM).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub points: Points,
    /// `lstm` or `gru`.
    #[serde(default)]
    pub cell: Option<Cell>,
    /// The b of the ln b unit.
    #[serde(default)]
    pub ln_base: Option<u32>,
    /// x_t in units of ln b.
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub x: Option<Vec<i64>>,
    /// h_{t−1} in units of ln b.
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub h: Option<Vec<i64>>,
    /// c_{t−1} (LSTM only), integers.
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub c: Option<Vec<i64>>,
    /// PyTorch's weight_ih_l0, the gates' blocks stacked in PyTorch's order.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub w_ih: Option<Vec<Vec<f64>>>,
    /// PyTorch's weight_hh_l0.
    #[serde(default, deserialize_with = "crate::spec::number::matrix")]
    pub w_hh: Option<Vec<Vec<f64>>>,
    /// b_ih + b_hh in units of ln b (the GRU's n rows: b_in alone).
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub bias: Option<Vec<i64>>,
    /// The GRU's b_hn in units of ln b.
    #[serde(default, deserialize_with = "crate::spec::number::integers")]
    pub b_hn: Option<Vec<i64>>,
    /// Draw the parameters that are not pinned (`draw: {}` for the defaults).
    #[serde(default, deserialize_with = "crate::spec::rules::present")]
    pub draw: Option<Draw>,
}

/// The knobs of a randomized variant, each optional. Ranges are `[min, max]`, inclusive;
/// the values in units of ln b are the integers e.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// The cells drawn from (default [lstm, gru]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub cells: Option<Vec<Cell>>,
    /// The hidden size H (default [1, 2]).
    #[serde(default)]
    pub hidden_range: Option<[usize; 2]>,
    /// The input size D (default [1, 2]).
    #[serde(default)]
    pub input_range: Option<[usize; 2]>,
    /// The bases b of the ln b unit (default [2]).
    #[serde(default, deserialize_with = "crate::spec::number::list")]
    pub ln_bases: Option<Vec<u32>>,
    /// x_t in units of ln b (default [-2, 2]).
    #[serde(default)]
    pub x_range: Option<[i64; 2]>,
    /// h_{t−1} in units of ln b (default [-1, 1]).
    #[serde(default)]
    pub h_range: Option<[i64; 2]>,
    /// c_{t−1} (default [-2, 2]).
    #[serde(default)]
    pub c_range: Option<[i64; 2]>,
    /// The entries of W_ih and W_hh (default [-1, 1]).
    #[serde(default)]
    pub weight_range: Option<[i64; 2]>,
    /// The biases in units of ln b (default [-1, 1]).
    #[serde(default)]
    pub bias_range: Option<[i64; 2]>,
}

/// The sizes a sheet writes out: every gate's blocks are printed.
pub const MAX_SIZE: usize = 2;

/// A cell this kind asks about (the plain RNN has no gates).
fn gated(cell: &Cell) -> Result<(), String> {
    match cell {
        Cell::Rnn => Err("must be lstm or gru: the plain RNN has no gates".into()),
        _ => Ok(()),
    }
}

/// A matrix of integers, checked entry by entry (the error names `field[i][j]`).
fn integer_rows(field: &str, rows: &[Vec<f64>]) -> Result<Vec<Vec<i64>>, FieldError> {
    crate::spec::rules::matrix(field, rows)?;
    for (i, row) in rows.iter().enumerate() {
        integers(&format!("{field}[{i}]"), row)?;
    }
    Ok(rows
        .iter()
        .map(|r| r.iter().map(|&v| v as i64).collect())
        .collect())
}

/// The one size the pins give (`field` has `value` rows or entries, standing for the size
/// `means`), agreeing with each other and with the knob.
struct SizeFromPins {
    name: &'static str,
    knob_field: &'static str,
    found: Option<(usize, String)>,
}

impl SizeFromPins {
    fn new(name: &'static str, knob_field: &'static str) -> Self {
        SizeFromPins {
            name,
            knob_field,
            found: None,
        }
    }

    /// `field` makes the size `size` (it has `count` entries or rows).
    fn add(&mut self, field: &str, count: usize, per: usize) -> Result<(), FieldError> {
        let what = if per == 1 {
            format!("{count} entries")
        } else {
            format!("{count} rows ({per} gates × the {})", self.name)
        };
        if !count.is_multiple_of(per) || count == 0 {
            return Err(FieldError::new(
                field,
                format!("has {what}, which is no {} ({per} per unit)", self.name),
            ));
        }
        let size = count / per;
        match &self.found {
            Some((known, by)) if *known != size => Err(FieldError::new(
                field,
                format!(
                    "has {what} but `{by}` makes the {} {known}; change one",
                    self.name
                ),
            )),
            Some(_) => Ok(()),
            None => {
                self.found = Some((size, field.to_string()));
                Ok(())
            }
        }
    }

    /// The size range: the pinned size (which the knob must allow), else the knob.
    fn finish(self, knob: Option<[usize; 2]>) -> Result<(usize, usize), FieldError> {
        let (lo, hi) = range(knob, self.knob_field, (1, MAX_SIZE))?;
        if lo < 1 || hi > MAX_SIZE {
            return Err(FieldError::new(
                self.knob_field,
                format!("must lie within [1, {MAX_SIZE}]: the sheet writes every gate out"),
            ));
        }
        match self.found {
            Some((size, by)) if size > MAX_SIZE => Err(FieldError::new(
                by,
                format!(
                    "makes the {} {size}, but it must be 1 to {MAX_SIZE} (the sheet writes \
                     every gate out)",
                    self.name
                ),
            )),
            Some((size, by)) if knob.is_some() && !(lo..=hi).contains(&size) => {
                Err(FieldError::new(
                    by,
                    format!(
                        "makes the {} {size} but {} is [{lo}, {hi}]; change or remove one",
                        self.name, self.knob_field
                    ),
                ))
            }
            Some((size, _)) => Ok((size, size)),
            None => Ok((lo, hi)),
        }
    }
}

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        let draw = spec.draw.clone().unwrap_or_default();
        if let Some(cell) = &spec.cell {
            gated(cell).map_err(|m| FieldError::new("cell", m))?;
        }
        pinned_in(spec.cell, "cell", &draw.cells, "draw.cells")?;
        let cells = match spec.cell {
            Some(cell) => vec![cell],
            None => one_of(&draw.cells, "draw.cells", &[Cell::Lstm, Cell::Gru], gated)?,
        };
        if spec.draw.is_none() {
            let gru = spec.cell == Some(Cell::Gru);
            every_pinned(&[
                ("cell", spec.cell.is_some()),
                ("ln_base", spec.ln_base.is_some()),
                ("x", spec.x.is_some()),
                ("h", spec.h.is_some()),
                ("c", gru || spec.c.is_some()),
                ("w_ih", spec.w_ih.is_some()),
                ("w_hh", spec.w_hh.is_some()),
                ("bias", spec.bias.is_some()),
                ("b_hn", !gru || spec.b_hn.is_some()),
            ])?;
        }
        let w_ih = spec
            .w_ih
            .as_deref()
            .map(|rows| integer_rows("w_ih", rows))
            .transpose()?;
        let w_hh = spec
            .w_hh
            .as_deref()
            .map(|rows| integer_rows("w_hh", rows))
            .transpose()?;
        // Only the LSTM has a cell state and only the GRU a b_hn.
        let one_cell = |field: &str, cell: Cell| -> Result<(), FieldError> {
            match spec.cell {
                Some(c) if c == cell => Ok(()),
                Some(c) => Err(FieldError::new(
                    field,
                    format!(
                        "belongs to the {} but the cell is {}; remove it",
                        super::render::cell_name(cell),
                        super::render::cell_name(c)
                    ),
                )),
                None => Err(FieldError::new(
                    field,
                    format!(
                        "belongs to the {}: pin `cell: {}` with it",
                        super::render::cell_name(cell),
                        crate::spec::knobs::spelled(&cell)
                    ),
                )),
            }
        };
        if spec.c.is_some() {
            one_cell("c", Cell::Lstm)?;
        }
        if spec.b_hn.is_some() {
            one_cell("b_hn", Cell::Gru)?;
        }
        let stacked = [
            ("w_ih", w_ih.as_ref().map(Vec::len)),
            ("w_hh", w_hh.as_ref().map(Vec::len)),
            ("bias", spec.bias.as_ref().map(Vec::len)),
        ];
        let mut hidden = SizeFromPins::new("hidden size", "draw.hidden_range");
        let mut input = SizeFromPins::new("input size", "draw.input_range");
        for (field, pinned) in [("h", &spec.h), ("c", &spec.c), ("b_hn", &spec.b_hn)] {
            if let Some(v) = pinned {
                hidden.add(field, v.len(), 1)?;
            }
        }
        if let Some(x) = &spec.x {
            input.add("x", x.len(), 1)?;
        }
        for (field, rows) in stacked {
            let Some(rows) = rows else { continue };
            let Some(cell) = spec.cell else {
                return Err(FieldError::new(
                    field,
                    "stacks one block per gate, so pin `cell` (lstm or gru) with it",
                ));
            };
            hidden.add(field, rows, cell.gates())?;
        }
        if let Some(w) = &w_hh {
            hidden.add("w_hh[0]", w[0].len(), 1)?;
        }
        if let Some(w) = &w_ih {
            input.add("w_ih[0]", w[0].len(), 1)?;
        }
        let hidden = hidden.finish(draw.hidden_range)?;
        let input = input.finish(draw.input_range)?;

        let x_range = range(draw.x_range, "draw.x_range", (-2, 2))?;
        let h_range = range(draw.h_range, "draw.h_range", (-1, 1))?;
        let c_range = range(draw.c_range, "draw.c_range", (-2, 2))?;
        let weight_range = range(draw.weight_range, "draw.weight_range", (-1, 1))?;
        let bias_range = range(draw.bias_range, "draw.bias_range", (-1, 1))?;
        let as_f64 = |v: &[i64]| v.iter().map(|&e| e as f64).collect::<Vec<f64>>();
        let rows_f64 = |m: &[Vec<i64>]| m.iter().map(|r| as_f64(r)).collect::<Vec<_>>();
        for (field, values, knob, knob_field) in [
            ("x", &spec.x, draw.x_range, "draw.x_range"),
            ("h", &spec.h, draw.h_range, "draw.h_range"),
            ("c", &spec.c, draw.c_range, "draw.c_range"),
            ("bias", &spec.bias, draw.bias_range, "draw.bias_range"),
            ("b_hn", &spec.b_hn, draw.bias_range, "draw.bias_range"),
        ] {
            if let Some(v) = values {
                within(field, &as_f64(v), knob, knob_field)?;
            }
        }
        for (field, m) in [("w_ih", &w_ih), ("w_hh", &w_hh)] {
            if let Some(m) = m {
                rows_within(field, &rows_f64(m), draw.weight_range, "draw.weight_range")?;
            }
        }
        let ln_bases = ln_bases(&draw.ln_bases)?;
        if let Some(base) = spec.ln_base {
            ln_base_pin(base, &draw.ln_bases)?;
        }
        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                cell: spec.cell,
                ln_base: spec.ln_base,
                x: spec.x,
                h: spec.h,
                c: spec.c,
                w_ih,
                w_hh,
                bias: spec.bias,
                b_hn: spec.b_hn,
            },
            knobs: Knobs {
                cells,
                hidden,
                input,
                ln_bases,
                x_range,
                h_range,
                c_range,
                weight_range,
                bias_range,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, GRU, LSTM};

    fn error_of(yaml: &str) -> (String, String) {
        let e = sampler(yaml).expect_err("a spec error");
        (e.field, e.message)
    }

    fn field_of(yaml: &str) -> String {
        error_of(yaml).0
    }

    #[test]
    fn the_fixtures_are_fixed() {
        assert!(sampler(LSTM).unwrap().fixed().is_some());
        assert!(sampler(GRU).unwrap().fixed().is_some());
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let (field, message) = error_of(&LSTM.replace("c: [1]\n", ""));
        assert_eq!(field, "c");
        assert!(message.contains("add a `draw:` section"), "{message}");
        assert_eq!(field_of(&GRU.replace("b_hn: [0]\n", "")), "b_hn");
        assert_eq!(field_of(&LSTM.replace("bias: [0, 1, -1, 0]\n", "")), "bias");
    }

    #[test]
    fn cell_only_fields_name_the_cell() {
        let (field, message) = error_of(&format!("{GRU}c: [1]\n"));
        assert_eq!(field, "c");
        assert!(message.contains("belongs to the LSTM"), "{message}");
        let (field, message) = error_of("b_hn: [1]\ndraw: {}\n");
        assert_eq!(field, "b_hn");
        assert!(message.contains("pin `cell: gru`"), "{message}");
        assert_eq!(field_of("cell: rnn\ndraw: {}\n"), "cell");
        assert_eq!(field_of("draw: {cells: [lstm, rnn]}\n"), "draw.cells[1]");
        assert_eq!(field_of("draw: {cells: []}\n"), "draw.cells");
        let (field, message) = error_of("cell: gru\ndraw: {cells: [lstm]}\n");
        assert_eq!(field, "cell");
        assert!(message.ends_with("change or remove one"), "{message}");
        assert_eq!(field_of("bias: [0, 0, 0]\ndraw: {}\n"), "bias");
    }

    #[test]
    fn sizes_must_agree_and_stay_small() {
        let (field, message) = error_of(&LSTM.replace("c: [1]", "c: [1, 0]"));
        assert_eq!(field, "c");
        assert!(message.contains("`h` makes the hidden size 1"), "{message}");
        assert_eq!(field_of(&LSTM.replace("bias: [0, 1, -1, 0]", "bias: [0, 1, -1]")), "bias");
        assert_eq!(field_of(&LSTM.replace("w_ih: [[1], [0], [1], [-1]]", "w_ih: [[1, 0], [0, 0], [1, 0], [-1, 0]]")), "w_ih[0]");
        assert_eq!(field_of("x: [1, 0, 1]\ndraw: {}\n"), "x");
        assert_eq!(field_of("draw: {hidden_range: [1, 3]}\n"), "draw.hidden_range");
        assert_eq!(field_of("draw: {input_range: [0, 2]}\n"), "draw.input_range");
        assert_eq!(field_of("draw: {input_range: [2, 1]}\n"), "draw.input_range");
        let (field, message) = error_of("h: [1, 0]\ndraw: {hidden_range: [1, 1]}\n");
        assert_eq!(field, "h");
        assert!(message.ends_with("change or remove one"), "{message}");
    }

    #[test]
    fn pins_outside_their_knobs_use_the_shared_wording() {
        let (field, message) = error_of("x: [1, 3]\ndraw: {x_range: [-2, 2]}\n");
        assert_eq!(field, "x[1]");
        assert_eq!(message, "is 3 but draw.x_range is [-2, 2]; change or remove one");
        assert_eq!(
            field_of(&format!("{}draw: {{weight_range: [0, 1]}}\n", LSTM)),
            "w_ih[3][0]"
        );
        assert_eq!(field_of("ln_base: 1\ndraw: {}\n"), "ln_base");
        assert_eq!(field_of(&LSTM.replace("w_hh: [[0]", "w_hh: [[0.5]")), "w_hh[0][0]");
    }

    #[test]
    fn an_empty_draw_section_means_the_defaults() {
        let s = sampler("draw:\n").unwrap();
        assert_eq!(s.knobs.hidden, (1, 2));
        assert_eq!(s.knobs.input, (1, 2));
        assert_eq!(s.knobs.weight_range, (-1, 1));
        assert_eq!(s.knobs.cells.len(), 2);
        assert!(s.fixed().is_none());
    }
}
