//! The validation of a spec into a [`Sampler`]: pinned parameters are checked once here,
//! the knobs get their defaults, and a pin that contradicts an explicit knob is an error
//! naming both.

use super::knobs::{pinned_amount, pinned_in, set, unit_range, MAX_LAYERS, MAX_SIZE, MAX_TRANSACTIONS};
use super::sampler::{Knobs, Pinned};
use super::{Sampler, Spec};
use crate::engine::param_count::Cell;
use crate::problems::{array1, array2};
use crate::spec::rules::missing;
use crate::spec::{rules, FieldError};

impl Spec {
    /// The sampler of this problem: pinned parameters are checked here, once.
    pub fn sampler(self) -> Result<Sampler, FieldError> {
        let fixed = self.draw.is_none();
        let stack = self.stack.unwrap_or_default();
        if fixed {
            let pins = [
                ("h0", self.h0.is_some()),
                ("xs", self.xs.is_some()),
                ("stack", self.stack.is_some()),
                ("stack.cell", stack.cell.is_some()),
                ("stack.layers", stack.layers.is_some()),
                ("stack.bias", stack.bias.is_some()),
            ];
            if let Some((field, _)) = pins.iter().find(|(_, pinned)| !pinned) {
                return Err(missing(field));
            }
        }
        let draw = self.draw.clone().unwrap_or_default();

        if let Some(h0) = &self.h0 {
            rules::length("h0", h0, 3, "[available, overdraft, flag]")?;
            if h0.iter().any(|&v| v < 0.0) {
                return Err(FieldError::new(
                    "h0",
                    "a ReLU state cannot be negative; use amounts >= 0",
                ));
            }
        }
        if let Some(xs) = &self.xs {
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
            if let Some(h0) = &self.h0 {
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
        if stack.layers == Some(0) || stack.input_size == Some(0) || stack.hidden_size == Some(0) {
            return Err(FieldError::new(
                "stack",
                "layers, input_size and hidden_size must be at least 1",
            ));
        }
        if stack.layers.is_some_and(|l| l > MAX_LAYERS) {
            return Err(FieldError::new(
                "stack.layers",
                format!("at most {MAX_LAYERS} layers (the sheet lists every layer)"),
            ));
        }
        for (field, size) in [
            ("stack.input_size", stack.input_size),
            ("stack.hidden_size", stack.hidden_size),
        ] {
            if size.is_some_and(|v| v > MAX_SIZE) {
                return Err(FieldError::new(field, format!("at most {MAX_SIZE}")));
            }
        }
        if matches!(stack.bias, Some(b) if b != 1 && b != 2) {
            return Err(FieldError::new(
                "stack.bias",
                "1 (one bias vector per gate) or 2 (PyTorch's b_ih and b_hh)",
            ));
        }

        // The knobs.
        let unit = draw.unit.unwrap_or(500);
        if unit < 1 {
            return Err(FieldError::new("draw.unit", "must be a positive amount"));
        }
        let transactions = match (draw.transactions, &self.xs) {
            (Some(0), _) => {
                return Err(FieldError::new(
                    "draw.transactions",
                    "needs at least one transaction",
                ))
            }
            (Some(t), _) if t > MAX_TRANSACTIONS => {
                return Err(FieldError::new(
                    "draw.transactions",
                    format!(
                        "is {t}; at most {} (every step is worked out on the sheet)",
                        MAX_TRANSACTIONS
                    ),
                ))
            }
            (Some(t), Some(xs)) if t != xs.len() => {
                return Err(FieldError::new(
                    "draw.transactions",
                    format!(
                        "is {t} but the pinned `xs` has {} rows; change or remove one",
                        xs.len()
                    ),
                ))
            }
            (_, Some(xs)) => xs.len(),
            (Some(t), None) => t,
            (None, None) => 3,
        };
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
            cells: set(
                &draw.cells,
                "draw.cells",
                &[Cell::Rnn, Cell::Lstm, Cell::Gru],
                |_| true,
                "",
            )?,
            layers: set(
                &draw.layers,
                "draw.layers",
                &[1, 2, 3],
                |&l| (1..=MAX_LAYERS).contains(&l),
                "must be 1 to 16",
            )?,
            input_sizes: set(
                &draw.input_sizes,
                "draw.input_sizes",
                &[2],
                |&v| (1..=MAX_SIZE).contains(&v),
                "must be 1 to 4096",
            )?,
            hidden_sizes: set(
                &draw.hidden_sizes,
                "draw.hidden_sizes",
                &[3],
                |&v| (1..=MAX_SIZE).contains(&v),
                "must be 1 to 4096",
            )?,
            bidirectional: set(
                &draw.bidirectional,
                "draw.bidirectional",
                &[false, true],
                |_| true,
                "",
            )?,
            bias: set(
                &draw.bias,
                "draw.bias",
                &[1, 2],
                |b| *b == 1 || *b == 2,
                "1 or 2",
            )?,
        };

        // Pins that contradict an explicit knob.
        if let Some(h0) = &self.h0 {
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
        for (t, row) in self.xs.iter().flatten().enumerate() {
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
            points: self.points,
            pinned: Pinned {
                h0: self.h0.as_deref().map(array1),
                xs: self.xs.as_deref().map(array2),
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
        serde_yaml::from_str::<Spec>(yaml)
            .expect("valid YAML")
            .sampler()
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
