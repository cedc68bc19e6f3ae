//! Checks shared by every kind's `draw:` section, so that each says the same thing in
//! the same words.
//!
//! A pinned value must lie in a range the spec gives explicitly for it: otherwise the
//! spec says two contradicting things, and the error names the exact entry (`X[1][0]`),
//! its value and the knob, so the user knows which of the two to change.

use std::fmt::Display;

use super::FieldError;

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

/// The `ln_bases` knob of a kind whose values are written in units of ln b: every base at
/// least 2 (so ln b > 0), [2] when not given.
pub fn ln_bases(knob: &Option<Vec<u32>>) -> Result<Vec<u32>, FieldError> {
    let bases = knob.clone().unwrap_or_else(|| vec![2]);
    if bases.is_empty() {
        return Err(FieldError::new("draw.ln_bases", "needs at least one base"));
    }
    if let Some(i) = bases.iter().position(|&b| b < 2) {
        return Err(FieldError::new(
            format!("draw.ln_bases[{i}]"),
            "must be an integer of at least 2",
        ));
    }
    Ok(bases)
}

/// A pinned `ln_base`: at least 2, and one of `draw.ln_bases` when that knob is given.
pub fn ln_base_pin(base: u32, knob: &Option<Vec<u32>>) -> Result<(), FieldError> {
    if base < 2 {
        return Err(FieldError::new(
            "ln_base",
            "must be an integer of at least 2",
        ));
    }
    match knob {
        Some(allowed) if !allowed.contains(&base) => Err(FieldError::new(
            "ln_base",
            format!("is {base} but draw.ln_bases is {allowed:?}; change or remove one"),
        )),
        _ => Ok(()),
    }
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
