//! The knob vocabulary every kind's `draw:` section is written in, checked here once so
//! that each rule says the same thing in the same words whatever the kind:
//!
//! - a size ([`size`], [`size_in`]): fixed by a pinned field, else by the knob, else the
//!   default, and bounded when it is drawn;
//! - a `[min, max]` range ([`range`]) of integers, and a pin that must lie in it
//!   ([`value_within`], [`within`], [`rows_within`]);
//! - a one-of set ([`one_of`]): non-empty, every member allowed, and a pin that must be
//!   one of its members ([`pinned_in`]);
//! - without a `draw:` section, every parameter pinned ([`every_pinned`]).
//!
//! A pin that contradicts a knob the spec gives explicitly is an error naming the exact
//! entry (`X[1][0]`), its value and the knob, so the user knows which of the two to change.
//! What a member or a size must be for a kind (σ from 1 to 6, a base of at least 2) is the
//! kind's own rule; the kind passes it in.

use std::fmt::Display;

use serde::Serialize;

use super::limits::MAX_RANGE;
use super::FieldError;

/// A parameter that is neither pinned nor drawn.
pub fn missing(field: &str) -> FieldError {
    FieldError::new(field, "missing; pin it or add a `draw:` section")
}

/// Without a `draw:` section every parameter must be pinned: the first of `pins`
/// (field, pinned) that is not is the error.
pub fn every_pinned(pins: &[(&str, bool)]) -> Result<(), FieldError> {
    match pins.iter().find(|(_, pinned)| !pinned) {
        Some((field, _)) => Err(missing(field)),
        None => Ok(()),
    }
}

/// A size fixed by a pinned field (its size and name), else by the knob, else the
/// default; a knob that contradicts the pin is an error on the knob.
pub fn size(
    pinned: Option<(usize, &str)>,
    knob: Option<usize>,
    knob_field: &str,
    default: usize,
) -> Result<usize, FieldError> {
    match (pinned, knob) {
        (Some((v, field)), Some(k)) if v != k => Err(FieldError::new(
            knob_field,
            format!("is {k} but the pinned `{field}` makes it {v}; change or remove one"),
        )),
        (Some((v, _)), _) => Ok(v),
        (None, Some(k)) => Ok(k),
        (None, None) => Ok(default),
    }
}

/// [`size`], and a drawn size (not fixed by a pin) must be `min` to `max`: the sheet
/// writes every entry out.
pub fn size_in(
    pinned: Option<(usize, &str)>,
    knob: Option<usize>,
    knob_field: &str,
    default: usize,
    (min, max): (usize, usize),
) -> Result<usize, FieldError> {
    let value = size(pinned, knob, knob_field, default)?;
    if pinned.is_none() && !(min..=max).contains(&value) {
        return Err(FieldError::new(
            knob_field,
            format!("must be {min} to {max}"),
        ));
    }
    Ok(value)
}

/// The end of a `[min, max]` knob: an integer whose magnitude is bounded by
/// [`MAX_RANGE`].
pub trait RangeEnd: Copy + PartialOrd + Display {
    fn magnitude(self) -> u64;
}

impl RangeEnd for i64 {
    fn magnitude(self) -> u64 {
        self.unsigned_abs()
    }
}

impl RangeEnd for usize {
    fn magnitude(self) -> u64 {
        self as u64
    }
}

/// A `[min, max]` knob (inclusive), or the default.
pub fn range<T: RangeEnd>(
    knob: Option<[T; 2]>,
    field: &str,
    default: (T, T),
) -> Result<(T, T), FieldError> {
    match knob {
        Some([lo, hi]) if lo > hi => Err(FieldError::new(
            field,
            format!("min {lo} is greater than max {hi}; write [min, max]"),
        )),
        Some([lo, hi]) if lo.magnitude().max(hi.magnitude()) > MAX_RANGE.unsigned_abs() => {
            Err(FieldError::new(
                field,
                format!("[{lo}, {hi}] is too wide: the ends must lie within ±{MAX_RANGE}"),
            ))
        }
        Some([lo, hi]) => Ok((lo, hi)),
        None => Ok(default),
    }
}

/// A one-of set knob: the values a part is drawn from, or the default. It must name at
/// least one value, and each must keep the kind's rule `member` (its message, on the
/// entry, when it does not).
pub fn one_of<T: Clone>(
    knob: &Option<Vec<T>>,
    field: &str,
    default: &[T],
    member: impl Fn(&T) -> Result<(), String>,
) -> Result<Vec<T>, FieldError> {
    let Some(values) = knob else {
        return Ok(default.to_vec());
    };
    if values.is_empty() {
        return Err(FieldError::new(field, "needs at least one value"));
    }
    for (i, v) in values.iter().enumerate() {
        member(v).map_err(|message| FieldError::new(format!("{field}[{i}]"), message))?;
    }
    Ok(values.clone())
}

/// A value as a spec writes it (`lstm`, `true`, `0.5`), for messages.
pub fn spelled(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(v) => v.to_string(),
        Err(_) => "?".into(),
    }
}

/// The pinned `field` is one of the values of the set knob `knob_field` (when the knob
/// is given): `stack.cell: is lstm but draw.cells is [rnn, gru]; change or remove one`.
pub fn pinned_in<T: PartialEq + Serialize>(
    pinned: Option<T>,
    field: &str,
    knob: &Option<Vec<T>>,
    knob_field: &str,
) -> Result<(), FieldError> {
    match (pinned, knob) {
        (Some(v), Some(values)) if !values.contains(&v) => {
            let listed: Vec<String> = values.iter().map(spelled).collect();
            Err(FieldError::new(
                field,
                format!(
                    "is {} but {knob_field} is [{}]; change or remove one",
                    spelled(&v),
                    listed.join(", ")
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The one wording: `<field>: is 9 but draw.x_range is [0, 4]; change or remove one`.
fn outside(
    field: String,
    value: impl Display,
    lo: impl Display,
    hi: impl Display,
    knob_field: &str,
) -> FieldError {
    FieldError::new(
        field,
        format!("is {value} but {knob_field} is [{lo}, {hi}]; change or remove one"),
    )
}

/// The pinned scalar `field` lies in the knob `knob_field` = `[lo, hi]` (when the knob
/// is given).
pub fn value_within<T: PartialOrd + Display>(
    field: &str,
    value: T,
    knob: Option<[T; 2]>,
    knob_field: &str,
) -> Result<(), FieldError> {
    match knob {
        Some([lo, hi]) if value < lo || value > hi => {
            Err(outside(field.to_string(), value, lo, hi, knob_field))
        }
        _ => Ok(()),
    }
}

/// Every entry of the pinned vector `field` lies in the knob `knob_field` = `[lo, hi]`
/// (when the knob is given).
pub fn within<'a>(
    field: &str,
    values: impl IntoIterator<Item = &'a f64>,
    knob: Option<[i64; 2]>,
    knob_field: &str,
) -> Result<(), FieldError> {
    let Some([lo, hi]) = knob else {
        return Ok(());
    };
    match values
        .into_iter()
        .enumerate()
        .find(|&(_, &v)| v < lo as f64 || v > hi as f64)
    {
        Some((i, v)) => Err(outside(format!("{field}[{i}]"), v, lo, hi, knob_field)),
        None => Ok(()),
    }
}

/// [`within`] for every row of a pinned matrix; the error names `field[row][column]`.
pub fn rows_within<'a, R: IntoIterator<Item = &'a f64>>(
    field: &str,
    rows: impl IntoIterator<Item = R>,
    knob: Option<[i64; 2]>,
    knob_field: &str,
) -> Result<(), FieldError> {
    for (r, row) in rows.into_iter().enumerate() {
        within(&format!("{field}[{r}]"), row, knob, knob_field)?;
    }
    Ok(())
}

/// The base of a logarithm: an integer of at least 2.
fn ln_base(b: &u32) -> Result<(), String> {
    if *b < 2 {
        return Err("must be an integer of at least 2".into());
    }
    Ok(())
}

/// `draw.ln_bases` (default `[2]`): the bases logits are drawn in units of.
pub fn ln_bases(knob: &Option<Vec<u32>>) -> Result<Vec<u32>, FieldError> {
    one_of(knob, "draw.ln_bases", &[2], ln_base)
}

/// A pinned `ln_base`: at least 2, and one of `draw.ln_bases` when that knob is given.
pub fn ln_base_pin(base: u32, knob: &Option<Vec<u32>>) -> Result<(), FieldError> {
    ln_base(&base).map_err(|message| FieldError::new("ln_base", message))?;
    pinned_in(Some(base), "ln_base", knob, "draw.ln_bases")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_exact_entry_its_value_and_the_knob() {
        let e = within("x", &[1.0, 2.0, 9.0], Some([0, 4]), "draw.x_range").unwrap_err();
        assert_eq!(e.field, "x[2]");
        assert_eq!(
            e.message,
            "is 9 but draw.x_range is [0, 4]; change or remove one"
        );
        let rows: [&[f64]; 2] = [&[0.0, 1.0], &[2.0, -3.0]];
        let e = rows_within("X", rows, Some([-1, 4]), "draw.x_range").unwrap_err();
        assert_eq!(e.field, "X[1][1]");
        assert!(
            e.message.starts_with("is -3 but draw.x_range"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_scalar_says_it_in_the_same_words() {
        let e = value_within("n", 6, Some([2, 4]), "draw.n_range").unwrap_err();
        assert_eq!(e.field, "n");
        assert_eq!(
            e.message,
            "is 6 but draw.n_range is [2, 4]; change or remove one"
        );
        assert!(value_within("n", 6, None, "draw.n_range").is_ok());
    }

    #[test]
    fn a_set_pin_says_it_in_the_same_words_as_the_spec_spells_it() {
        #[derive(PartialEq, Serialize)]
        #[serde(rename_all = "snake_case")]
        enum Cell {
            Rnn,
            Lstm,
        }
        let e = pinned_in(
            Some(Cell::Lstm),
            "cell",
            &Some(vec![Cell::Rnn]),
            "draw.cells",
        )
        .unwrap_err();
        assert_eq!(e.field, "cell");
        assert_eq!(
            e.message,
            "is lstm but draw.cells is [rnn]; change or remove one"
        );
        let e = pinned_in(Some(3), "ln_base", &Some(vec![2, 5]), "draw.ln_bases").unwrap_err();
        assert_eq!(
            e.message,
            "is 3 but draw.ln_bases is [2, 5]; change or remove one"
        );
        assert!(pinned_in(Some(3), "ln_base", &None, "draw.ln_bases").is_ok());
        assert!(pinned_in(Some(3), "ln_base", &Some(vec![3]), "draw.ln_bases").is_ok());
    }

    #[test]
    fn a_set_is_not_empty_and_its_members_keep_the_kinds_rule() {
        let rule = |&v: &i64| {
            (v >= 2)
                .then_some(())
                .ok_or_else(|| "at least 2".to_string())
        };
        assert_eq!(one_of(&None, "draw.b", &[2], rule), Ok(vec![2]));
        assert_eq!(
            one_of(&Some(vec![3, 4]), "draw.b", &[2], rule),
            Ok(vec![3, 4])
        );
        let e = one_of(&Some(vec![]), "draw.b", &[2], rule).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("draw.b", "needs at least one value")
        );
        let e = one_of(&Some(vec![3, 1]), "draw.b", &[2], rule).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("draw.b[1]", "at least 2")
        );
    }

    #[test]
    fn a_range_is_ordered_and_bounded_for_every_integer_type() {
        assert_eq!(range(None, "draw.r", (-1i64, 1)), Ok((-1, 1)));
        let e = range(Some([3i64, -1]), "draw.r", (0, 0)).unwrap_err();
        assert_eq!(e.message, "min 3 is greater than max -1; write [min, max]");
        let e = range(Some([5usize, 2]), "draw.n", (4, 4)).unwrap_err();
        assert_eq!(e.message, "min 5 is greater than max 2; write [min, max]");
        let e = range(Some([-20_000i64, 0]), "draw.r", (0, 0)).unwrap_err();
        assert!(
            e.message.starts_with("[-20000, 0] is too wide"),
            "{}",
            e.message
        );
        assert!(range(Some([0usize, 20_000]), "draw.n", (4, 4)).is_err());
    }

    #[test]
    fn a_drawn_size_is_bounded_and_a_pinned_one_must_agree() {
        assert_eq!(size_in(None, None, "draw.n", 2, (1, 4)), Ok(2));
        let e = size_in(None, Some(5), "draw.n", 2, (1, 4)).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("draw.n", "must be 1 to 4")
        );
        // A pinned field may be larger than a drawn one could be.
        assert_eq!(size_in(Some((5, "x")), None, "draw.n", 2, (1, 4)), Ok(5));
        let e = size_in(Some((5, "x")), Some(3), "draw.n", 2, (1, 4)).unwrap_err();
        assert_eq!(
            e.message,
            "is 3 but the pinned `x` makes it 5; change or remove one"
        );
    }

    #[test]
    fn without_draw_the_first_unpinned_parameter_is_named() {
        assert!(every_pinned(&[("x", true), ("y", true)]).is_ok());
        let e = every_pinned(&[("x", true), ("y", false), ("z", false)]).unwrap_err();
        assert_eq!(e.field, "y");
        assert_eq!(e.message, "missing; pin it or add a `draw:` section");
    }

    #[test]
    fn ln_bases_and_their_pin() {
        assert_eq!(ln_bases(&None).unwrap(), vec![2]);
        assert_eq!(ln_bases(&Some(vec![])).unwrap_err().field, "draw.ln_bases");
        assert_eq!(
            ln_bases(&Some(vec![3, 1])).unwrap_err().field,
            "draw.ln_bases[1]"
        );
        assert_eq!(ln_base_pin(1, &None).unwrap_err().field, "ln_base");
        let e = ln_base_pin(3, &Some(vec![2])).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            (
                "ln_base",
                "is 3 but draw.ln_bases is [2]; change or remove one"
            )
        );
        assert!(ln_base_pin(3, &Some(vec![2, 3])).is_ok());
    }

    #[test]
    fn no_knob_or_inside_is_fine() {
        assert!(within("x", &[9.0], None, "draw.x_range").is_ok());
        assert!(within("x", &[0.0, 4.0], Some([0, 4]), "draw.x_range").is_ok());
    }
}
