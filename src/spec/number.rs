//! Numbers and lists as a spec may write them, checked while they are read.
//!
//! A pinned number reaches the sheet through the engine's exact-value recognition, which
//! takes anything within 1e-9 of a small fraction for that fraction: `lr: 1e-10` would
//! print as 0 and `5.0000000001` as 5, and a number above 2^53 loses its last digits.
//! So every number of a problem must be finite, at most [`MAX_MAGNITUDE`] in size and a
//! fraction with denominator at most [`MAX_DENOMINATOR`] written exactly; and every list
//! holds at most [`MAX_ENTRIES`] entries, counted as it is read so that a YAML alias
//! repeating a huge list is refused before it is expanded. The checks run inside serde,
//! so the error carries the field path and the YAML line and column.
//!
//! A field opts in with `#[serde(default, deserialize_with = "crate::spec::number::numbers")]`
//! (or `number`, `matrix`, `integer`, `integers`, `list`, after its shape).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Error as _, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::limits::{MAX_DENOMINATOR, MAX_ENTRIES, MAX_MAGNITUDE};
use crate::exact::Rational;

/// Why `x` cannot be a number of a spec, or `None` when it can.
pub fn refusal(x: f64) -> Option<String> {
    if !x.is_finite() {
        return Some("must be a finite number".into());
    }
    if x.abs() > MAX_MAGNITUDE {
        return Some(format!(
            "{x} is too large: numbers in a spec lie within ±{MAX_MAGNITUDE}"
        ));
    }
    match Rational::recognize(x, MAX_DENOMINATOR) {
        Some(r) if r.to_f64() == x => None,
        _ => Some(format!(
            "{x} cannot be shown exactly on the sheet: write a fraction with denominator at most \
             {MAX_DENOMINATOR} exactly (e.g. 0.25, 1.5, 0.001; not 0.123456789 or 1e-10)"
        )),
    }
}

/// A number a sheet can show exactly (see [`refusal`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub f64);

/// The checks run in the visitor, while the parser still knows the number's own field
/// path and position (an error raised after `f64::deserialize` returns would name the
/// enclosing map instead).
impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NumVisitor;
        impl Visitor<'_> for NumVisitor {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("f64")
            }
            fn visit_f64<E: serde::de::Error>(self, x: f64) -> Result<Num, E> {
                match refusal(x) {
                    None => Ok(Num(x)),
                    Some(message) => Err(E::custom(message)),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, x: i64) -> Result<Num, E> {
                self.visit_f64(x as f64)
            }
            fn visit_u64<E: serde::de::Error>(self, x: u64) -> Result<Num, E> {
                self.visit_f64(x as f64)
            }
        }
        d.deserialize_f64(NumVisitor)
    }
}

/// An integer within the magnitude bound of every number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Int(pub i64);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IntVisitor;
        impl Visitor<'_> for IntVisitor {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("i64")
            }
            fn visit_i64<E: serde::de::Error>(self, x: i64) -> Result<Int, E> {
                if x.unsigned_abs() as f64 > MAX_MAGNITUDE {
                    return Err(E::custom(format!(
                        "{x} is too large: numbers in a spec lie within ±{MAX_MAGNITUDE}"
                    )));
                }
                Ok(Int(x))
            }
            fn visit_u64<E: serde::de::Error>(self, x: u64) -> Result<Int, E> {
                match i64::try_from(x) {
                    Ok(x) => self.visit_i64(x),
                    Err(_) => Err(E::custom(format!(
                        "{x} is too large: numbers in a spec lie within ±{MAX_MAGNITUDE}"
                    ))),
                }
            }
        }
        d.deserialize_i64(IntVisitor)
    }
}

/// A vector of numbers, at most [`MAX_ENTRIES`] of them.
struct Row(Vec<f64>);

impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let nums: Vec<Num> = bounded(d, MAX_ENTRIES)?;
        Ok(Row(nums.into_iter().map(|n| n.0).collect()))
    }
}

/// Reads a list of at most `max` entries, refused at the first entry too many.
pub fn bounded<'de, D, T>(d: D, max: usize) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_seq(BoundedSeq(PhantomData, max))
}

/// The visitor behind [`bounded`]: a list of at most `.1` entries.
pub struct BoundedSeq<T>(pub PhantomData<T>, pub usize);

impl<'de, T: Deserialize<'de>> Visitor<'de> for BoundedSeq<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list of at most {} entries", self.1)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<T>()? {
            if out.len() == self.1 {
                return Err(A::Error::custom(format!(
                    "too many entries: at most {} are allowed here",
                    self.1
                )));
            }
            out.push(v);
        }
        Ok(out)
    }
}

/// `deserialize_with` for an optional number.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(Option::<Num>::deserialize(d)?.map(|n| n.0))
}

/// `deserialize_with` for a number with a default.
pub fn required_number<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Num::deserialize(d).map(|n| n.0)
}

/// `deserialize_with` for an optional integer.
pub fn integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<Int>::deserialize(d)?.map(|n| n.0))
}

/// `deserialize_with` for an optional vector of numbers.
pub fn numbers<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
    Ok(Option::<Row>::deserialize(d)?.map(|r| r.0))
}

/// `deserialize_with` for an optional matrix of numbers, one list per row.
pub fn matrix<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Vec<f64>>>, D::Error> {
    struct Rows(Vec<Vec<f64>>);
    impl<'de> Deserialize<'de> for Rows {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let rows: Vec<Row> = bounded(d, MAX_ENTRIES)?;
            Ok(Rows(rows.into_iter().map(|r| r.0).collect()))
        }
    }
    Ok(Option::<Rows>::deserialize(d)?.map(|r| r.0))
}

/// `deserialize_with` for an optional list of integers.
pub fn integers<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<i64>>, D::Error> {
    Ok(list::<D, Int>(d)?.map(|v| v.into_iter().map(|n| n.0).collect()))
}

/// `deserialize_with` for an optional list of other values (sizes, choices).
pub fn list<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct List<T>(Vec<T>);
    impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            bounded(d, MAX_ENTRIES).map(List)
        }
    }
    Ok(Option::<List<T>>::deserialize(d)?.map(|l| l.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_small_fractions_pass() {
        for x in [0.0, 1.0, -0.5, 0.25, 0.01, 765.0, 10000.0, 1.0 / 3.0, 1e6] {
            assert_eq!(refusal(x), None, "{x}");
        }
    }

    #[test]
    fn values_the_sheet_would_misprint_are_refused() {
        for x in [
            1e-10,
            5.000_000_000_1,
            0.123_456_789,
            1e17,
            f64::NAN,
            1e6 + 1.0,
        ] {
            assert!(refusal(x).is_some(), "{x}");
        }
    }
}
