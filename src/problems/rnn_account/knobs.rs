//! The checks of this kind's own knobs: a money range as multiples of the unit, and a
//! pinned amount that must agree with the unit and its range (the shared vocabulary is in
//! [`crate::spec::knobs`]).
//! Kept apart from `validate` so that the long validation reads as the list of fields.

use crate::spec::knobs::range;
use crate::spec::FieldError;

/// A money range as the multiples of `unit` it holds, `(lo, hi)` in units.
pub(super) fn unit_range(
    knob: Option<[i64; 2]>,
    field: &str,
    default: [i64; 2],
    unit: i64,
    min_allowed: Option<i64>,
) -> Result<(i64, i64), FieldError> {
    let (lo, hi) = range(Some(knob.unwrap_or(default)), field, (0, 0))?;
    if let Some(floor) = min_allowed {
        if lo < floor {
            return Err(FieldError::new(
                field,
                format!("amounts here are at least {floor}, not {lo}"),
            ));
        }
    }
    let (first, last) = (
        lo.div_euclid(unit) + i64::from(lo.rem_euclid(unit) != 0),
        hi.div_euclid(unit),
    );
    if first > last {
        return Err(FieldError::new(
            field,
            format!("holds no multiple of the unit {unit}"),
        ));
    }
    Ok((first, last))
}

/// Largest stack whose parameters are counted: every layer is written out on the sheet,
/// and the counts stay far from overflow.
pub(super) const MAX_LAYERS: usize = 16;
pub(super) const MAX_SIZE: usize = 4096;

/// Most time steps (`draw.transactions`): every step is worked out on the sheet. A pinned
/// `xs` is bounded by [`crate::spec::limits::MAX_ENTRIES`].
pub(super) const MAX_TRANSACTIONS: usize = 16;

/// A pinned amount must be a multiple of an explicit unit and lie in an explicit range.
pub(super) fn pinned_amount(
    value: f64,
    field: &str,
    unit: Option<i64>,
    knob: Option<[i64; 2]>,
    knob_field: &str,
) -> Result<(), FieldError> {
    if let Some(u) = unit {
        if value % u as f64 != 0.0 {
            return Err(FieldError::new(
                field,
                format!("is {value}, not a multiple of draw.unit {u}; change or remove one"),
            ));
        }
    }
    let knob = knob.map(|[lo, hi]| [lo as f64, hi as f64]);
    crate::spec::knobs::value_within(field, value, knob, knob_field)
}
