//! The checks of one knob or one pin, shared by the validation of every field: a money
//! range as multiples of the unit, a set knob, and a pin that must agree with its knob.
//! Kept apart from `validate` so that the long validation reads as the list of fields.

use crate::spec::FieldError;

/// A money range as the multiples of `unit` it holds, `(lo, hi)` in units.
pub(super) fn unit_range(
    knob: Option<[i64; 2]>,
    field: &str,
    default: [i64; 2],
    unit: i64,
    min_allowed: Option<i64>,
) -> Result<(i64, i64), FieldError> {
    let [lo, hi] = knob.unwrap_or(default);
    if lo > hi {
        return Err(FieldError::new(
            field,
            format!("min {lo} is greater than max {hi}; write [min, max]"),
        ));
    }
    if lo.unsigned_abs().max(hi.unsigned_abs()) > crate::spec::limits::MAX_RANGE.unsigned_abs() {
        return Err(FieldError::new(
            field,
            format!(
                "[{lo}, {hi}] is too wide: the ends must lie within ±{}",
                crate::spec::limits::MAX_RANGE
            ),
        ));
    }
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

/// A set knob: non-empty, every member allowed, or the default.
pub(super) fn set<T: Clone + PartialEq + std::fmt::Debug>(
    knob: &Option<Vec<T>>,
    field: &str,
    default: &[T],
    allowed: impl Fn(&T) -> bool,
    rule: &str,
) -> Result<Vec<T>, FieldError> {
    let Some(values) = knob else {
        return Ok(default.to_vec());
    };
    if values.is_empty() {
        return Err(FieldError::new(field, "needs at least one value"));
    }
    if let Some(i) = values.iter().position(|v| !allowed(v)) {
        return Err(FieldError::new(format!("{field}[{i}]"), rule));
    }
    Ok(values.clone())
}

/// A pinned value must be in an explicitly given set.
pub(super) fn pinned_in<T: PartialEq + std::fmt::Debug>(
    pinned: Option<T>,
    field: &str,
    knob: &Option<Vec<T>>,
    knob_field: &str,
) -> Result<(), FieldError> {
    match (pinned, knob) {
        (Some(v), Some(values)) if !values.contains(&v) => Err(FieldError::new(
            field,
            format!("is {v:?} but {knob_field} is {values:?}; change or remove one"),
        )),
        _ => Ok(()),
    }
}

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
