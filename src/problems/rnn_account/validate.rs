//! The validation of a spec into a [`Sampler`]: pinned parameters are checked once here,
//! the knobs get their defaults, and a pin that contradicts an explicit knob is an error
//! naming both.

use super::knobs::{pinned_amount, unit_range, MAX_LAYERS, MAX_SIZE, MAX_TRANSACTIONS};
use super::sampler::{Knobs, Pinned};
use super::{Sampler, Spec};
use crate::engine::param_count::Cell;
use crate::problems::{array1, array2};
use crate::spec::knobs::{every_pinned, one_of, pinned_in, size_in};
use crate::spec::{rules, FieldError};

/// Every value of the set is allowed.
fn any<T>(_: &T) -> Result<(), String> {
    Ok(())
}

/// A set member must be `min` to `max`.
fn between(v: usize, min: usize, max: usize) -> Result<(), String> {
    if (min..=max).contains(&v) {
        return Ok(());
    }
    Err(format!("must be {min} to {max}"))
}

/// The bias vectors per gate a stack may count.
fn bias(&b: &usize) -> Result<(), String> {
    if b == 1 || b == 2 {
        return Ok(());
    }
    Err("1 (one bias vector per gate) or 2 (PyTorch's b_ih and b_hh)".into())
}

impl TryFrom<Spec> for Sampler {
    type Error = FieldError;

    /// The sampler of this problem: pinned parameters are checked here, once.
    fn try_from(spec: Spec) -> Result<Sampler, FieldError> {
        let fixed = spec.draw.is_none();
        let stack = spec.stack.unwrap_or_default();
        if fixed {
            every_pinned(&[
                ("h0", spec.h0.is_some()),
                ("xs", spec.xs.is_some()),
                ("stack", spec.stack.is_some()),
                ("stack.cell", stack.cell.is_some()),
                ("stack.layers", stack.layers.is_some()),
                ("stack.bias", stack.bias.is_some()),
            ])?;
        }
        let draw = spec.draw.clone().unwrap_or_default();

        if let Some(h0) = &spec.h0 {
            rules::length("h0", h0, 3, "[available, overdraft, flag]")?;
            if h0.iter().any(|&v| v < 0.0) {
                return Err(FieldError::new(
                    "h0",
                    "a ReLU state cannot be negative; use amounts >= 0",
                ));
            }
        }
        if let Some(xs) = &spec.xs {
            let (_, cols) = rules::matrix("xs", xs)?;
            if cols != 2 {
                return Err(FieldError::new(
                    "xs",
                    "each transaction is [deposit, withdrawal]",
                ));
            }
            for (t, row) in xs.iter().enumerate() {
                if row.iter().any(|&v| v < 0.0) {
                    return Err(FieldError::new(
                        format!("xs[{t}]"),
                        "deposits and withdrawals are amounts >= 0",
                    ));
                }
            }
            if let Some(h0) = &spec.h0 {
                let mut available = h0[0];
                for (t, row) in xs.iter().enumerate() {
                    available += row[0] - row[1];
                    if available < 0.0 {
                        return Err(FieldError::new(
                            format!("xs[{t}]"),
                            format!(
                                "this withdrawal exceeds the allowed overdraft (available \
                                 amount {available}); the exam excludes that case"
                            ),
                        ));
                    }
                }
            }
        }
        for (field, value, max) in [
            ("stack.layers", stack.layers, MAX_LAYERS),
            ("stack.input_size", stack.input_size, MAX_SIZE),
            ("stack.hidden_size", stack.hidden_size, MAX_SIZE),
        ] {
            if let Some(v) = value {
                between(v, 1, max).map_err(|message| FieldError::new(field, message))?;
            }
        }
        if let Some(b) = stack.bias {
            bias(&b).map_err(|message| FieldError::new("stack.bias", message))?;
        }

        // The knobs.
        let unit = draw.unit.unwrap_or(500);
        if unit < 1 {
            return Err(FieldError::new("draw.unit", "must be a positive amount"));
        }
        let transactions = size_in(
            spec.xs.as_ref().map(|xs| (xs.len(), "xs")),
            draw.transactions,
            "draw.transactions",
            3,
            (1, MAX_TRANSACTIONS),
        )?;
        let balance = unit_range(
            draw.balance_range,
            "draw.balance_range",
            [1000, 10000],
            unit,
            None,
        )?;
        let overdraft = unit_range(
            draw.overdraft_range,
            "draw.overdraft_range",
            [1000, 10000],
            unit,
            Some(0),
        )?;
        let deposit = unit_range(
            draw.deposit_range,
            "draw.deposit_range",
            [0, 3000],
            unit,
            Some(0),
        )?;
        let withdrawal = unit_range(
            draw.withdrawal_range,
            "draw.withdrawal_range",
            [0, 6000],
            unit,
            Some(0),
        )?;
        let knobs = Knobs {
            unit,
            transactions,
            balance,
            overdraft,
            deposit,
            withdrawal,
            require_minus: draw.require_minus.unwrap_or(false),
            cells: one_of(&draw.cells, "draw.cells", &[Cell::Rnn, Cell::Lstm, Cell::Gru], any)?,
            layers: one_of(&draw.layers, "draw.layers", &[1, 2, 3], |&l| {
                between(l, 1, MAX_LAYERS)
            })?,
            input_sizes: one_of(&draw.input_sizes, "draw.input_sizes", &[2], |&v| {
                between(v, 1, MAX_SIZE)
            })?,
            hidden_sizes: one_of(&draw.hidden_sizes, "draw.hidden_sizes", &[3], |&v| {
                between(v, 1, MAX_SIZE)
            })?,
            bidirectional: one_of(&draw.bidirectional, "draw.bidirectional", &[false], any)?,
            bias: one_of(&draw.bias, "draw.bias", &[1, 2], bias)?,
        };

        // Pins that contradict an explicit knob.
        if let Some(h0) = &spec.h0 {
            pinned_amount(h0[0], "h0[0]", draw.unit, None, "")?;
            pinned_amount(
                h0[1],
                "h0[1]",
                draw.unit,
                draw.overdraft_range,
                "draw.overdraft_range",
            )?;
            pinned_amount(
                h0[0] - h0[1],
                "h0",
                None,
                draw.balance_range,
                "draw.balance_range (available − overdraft)",
            )?;
        }
        for (t, row) in spec.xs.iter().flatten().enumerate() {
            pinned_amount(
                row[0],
                &format!("xs[{t}][0]"),
                draw.unit,
                draw.deposit_range,
                "draw.deposit_range",
            )?;
            pinned_amount(
                row[1],
                &format!("xs[{t}][1]"),
                draw.unit,
                draw.withdrawal_range,
                "draw.withdrawal_range",
            )?;
        }
        pinned_in(stack.cell, "stack.cell", &draw.cells, "draw.cells")?;
        pinned_in(stack.layers, "stack.layers", &draw.layers, "draw.layers")?;
        pinned_in(
            stack.input_size,
            "stack.input_size",
            &draw.input_sizes,
            "draw.input_sizes",
        )?;
        pinned_in(
            stack.hidden_size,
            "stack.hidden_size",
            &draw.hidden_sizes,
            "draw.hidden_sizes",
        )?;
        pinned_in(
            stack.bidirectional,
            "stack.bidirectional",
            &draw.bidirectional,
            "draw.bidirectional",
        )?;
        pinned_in(stack.bias, "stack.bias", &draw.bias, "draw.bias")?;

        // Without `draw:` the documented defaults stand in for the unpinned sizes.
        let or_default = |v: Option<usize>, d: usize| if fixed { Some(v.unwrap_or(d)) } else { v };
        Ok(Sampler {
            points: spec.points,
            pinned: Pinned {
                h0: spec.h0.as_deref().map(array1),
                xs: spec.xs.as_deref().map(array2),
                cell: stack.cell,
                layers: stack.layers,
                input_size: or_default(stack.input_size, 2),
                hidden_size: or_default(stack.hidden_size, 3),
                bidirectional: if fixed {
                    Some(stack.bidirectional.unwrap_or(false))
                } else {
                    stack.bidirectional
                },
                bias: stack.bias,
            },
            knobs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sampler(yaml: &str) -> Result<Sampler, FieldError> {
        crate::problems::kind::plan_from_yaml::<crate::problems::rnn_account::RnnAccount>(yaml)
    }

    fn field_of(yaml: &str) -> String {
        sampler(yaml).expect_err("a spec error").field
    }

    #[test]
    fn a_missing_parameter_without_draw_is_named() {
        let e = sampler("h0: [1, 0, 1]\nxs: [[1, 0]]\n").unwrap_err();
        assert_eq!(e.field, "stack");
        assert!(e.message.contains("add a `draw:` section"), "{}", e.message);
        assert_eq!(
            field_of("h0: [1, 0, 1]\nxs: [[1, 0]]\nstack: {cell: rnn, bias: 1}\n"),
            "stack.layers"
        );
    }

    #[test]
    fn a_range_with_min_above_max_is_an_error() {
        assert_eq!(
            field_of("draw: {deposit_range: [3000, 0]}\n"),
            "draw.deposit_range"
        );
        assert_eq!(
            field_of("draw: {overdraft_range: [-500, 1000]}\n"),
            "draw.overdraft_range"
        );
        assert_eq!(
            field_of("draw: {unit: 1000, balance_range: [1200, 1800]}\n"),
            "draw.balance_range"
        );
    }

    #[test]
    fn pins_inconsistent_with_knobs_are_errors() {
        assert_eq!(
            field_of("xs: [[1000, 0]]\ndraw: {transactions: 3}\n"),
            "draw.transactions"
        );
        assert_eq!(
            field_of("xs: [[1000, 250]]\ndraw: {unit: 500}\n"),
            "xs[0][1]"
        );
        assert_eq!(
            field_of("h0: [10000, 5000, 765]\ndraw: {overdraft_range: [0, 1000]}\n"),
            "h0[1]"
        );
        assert_eq!(
            field_of("stack: {cell: lstm}\ndraw: {cells: [rnn, gru]}\n"),
            "stack.cell"
        );
        assert_eq!(field_of("draw: {bias: [3]}\n"), "draw.bias[0]");
        assert_eq!(field_of("draw: {layers: []}\n"), "draw.layers");
    }
}
