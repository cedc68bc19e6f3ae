//! The hand work a sheet asks for, measured on every exact value it prints.
//!
//! A per-student exam is fair only if every variant takes about the same hand work, and
//! the work is in every value the worked solution shows, not only in the final answers.
//! The number formatter ([`super::latex`]) is the one place every exact value passes
//! through on its way to a sheet, so it notes each one here while a measurement is
//! running ([`measure`]); outside a measurement noting costs one thread-local check.

use std::cell::RefCell;
use std::collections::BTreeSet;

use crate::exact::Rational;

/// What a sheet asks of a student's hand: the largest denominator of any fraction it
/// prints, the largest magnitude of any integer (or numerator) it prints, and how many
/// different fractions (by absolute value, integers excluded) it prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Measures {
    pub max_denominator: u64,
    pub max_integer: u64,
    pub fractions: usize,
}

/// The most hand work a kind's drawn variants may ask for (see [`Measures`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub max_denominator: u64,
    pub max_integer: u64,
    pub max_fractions: usize,
}

impl Budget {
    /// No limit: what a kind declares before it has a budget.
    pub const UNLIMITED: Budget = Budget {
        max_denominator: u64::MAX,
        max_integer: u64::MAX,
        max_fractions: usize::MAX,
    };

    /// The budget in words, for reports; None for [`Budget::UNLIMITED`].
    pub fn describe(&self) -> Option<String> {
        (*self != Budget::UNLIMITED).then(|| {
            let limit = |v: u64| {
                if v == u64::MAX {
                    "any".to_string()
                } else {
                    v.to_string()
                }
            };
            format!(
                "largest denominator {}, largest integer or numerator {}, at most {} \
                 different fractions",
                limit(self.max_denominator),
                limit(self.max_integer),
                limit(self.max_fractions as u64)
            )
        })
    }

    /// Whether `m` stays within the budget.
    pub fn allows(&self, m: &Measures) -> bool {
        m.max_denominator <= self.max_denominator
            && m.max_integer <= self.max_integer
            && m.fractions <= self.max_fractions
    }
}

/// One measure over many variants: the median, the 90th percentile and the maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spread {
    pub median: u64,
    pub p90: u64,
    pub max: u64,
}

impl Spread {
    /// The spread of `values` (None when there are none).
    pub fn of(mut values: Vec<u64>) -> Option<Spread> {
        values.sort_unstable();
        // Nearest rank: the smallest value with at least q% of the values at or below it.
        let at = |q: usize| values[(values.len() * q).div_ceil(100).max(1) - 1];
        Some(Spread {
            median: *values.get((values.len().checked_sub(1)?) / 2)?,
            p90: at(90),
            max: *values.last()?,
        })
    }
}

/// The three measures over many variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub max_denominator: Spread,
    pub max_integer: Spread,
    pub fractions: Spread,
}

impl Summary {
    /// The spread of each measure over `measures` (None when there are none).
    pub fn of(measures: &[Measures]) -> Option<Summary> {
        let pick = |f: fn(&Measures) -> u64| Spread::of(measures.iter().map(f).collect());
        Some(Summary {
            max_denominator: pick(|m| m.max_denominator)?,
            max_integer: pick(|m| m.max_integer)?,
            fractions: pick(|m| m.fractions as u64)?,
        })
    }
}

struct Recorder {
    max_denominator: u64,
    max_integer: u64,
    fractions: BTreeSet<(u64, u64)>,
}

impl Default for Recorder {
    /// Integers only, until a fraction is noted: the largest denominator is 1.
    fn default() -> Self {
        Recorder {
            max_denominator: 1,
            max_integer: 0,
            fractions: BTreeSet::new(),
        }
    }
}

thread_local! {
    static RECORDER: RefCell<Option<Recorder>> = const { RefCell::new(None) };
}

/// Runs `f` and measures every exact value it formats.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Measures) {
    let outer = RECORDER.with(|r| r.replace(Some(Recorder::default())));
    let value = f();
    let recorded = RECORDER.with(|r| r.replace(outer)).unwrap_or_default();
    let measures = Measures {
        max_denominator: recorded.max_denominator,
        max_integer: recorded.max_integer,
        fractions: recorded.fractions.len(),
    };
    (value, measures)
}

/// Notes one exact value about to be printed.
pub(super) fn note(r: Rational) {
    RECORDER.with(|cell| {
        if let Some(rec) = cell.borrow_mut().as_mut() {
            let num = r.num().unsigned_abs();
            let den = r.den().unsigned_abs();
            rec.max_integer = rec.max_integer.max(num);
            if den > 1 {
                rec.max_denominator = rec.max_denominator.max(den);
                rec.fractions.insert((num, den));
            }
        }
    });
}

/// Notes one integer about to be printed.
pub(super) fn note_integer(n: i64) {
    note(Rational::from_int(n));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_only_inside_a_measurement() {
        note(Rational::new(1, 99));
        let ((), m) = measure(|| {
            note(Rational::new(-5, 6));
            note(Rational::new(5, 6));
            note(Rational::new(-50, 3));
            note_integer(-42);
        });
        assert_eq!(
            m,
            Measures {
                max_denominator: 6,
                max_integer: 50,
                fractions: 2
            }
        );
        let ((), empty) = measure(|| ());
        assert_eq!(
            empty,
            Measures {
                max_denominator: 1,
                max_integer: 0,
                fractions: 0
            }
        );
    }

    #[test]
    fn nested_measurements_do_not_mix() {
        let (inner, outer) = measure(|| {
            note(Rational::new(1, 7));
            measure(|| note(Rational::new(1, 9))).1
        });
        assert_eq!(inner.max_denominator, 9);
        assert_eq!(outer.max_denominator, 7);
    }

    #[test]
    fn spreads_are_order_statistics() {
        assert_eq!(Spread::of(Vec::new()), None);
        assert_eq!(
            Spread::of(vec![5]),
            Some(Spread {
                median: 5,
                p90: 5,
                max: 5
            })
        );
        // Nearest rank: of 1..=10, 90% are at or below 9.
        assert_eq!(Spread::of((1..=10).collect()).map(|s| s.p90), Some(9));
        let values: Vec<u64> = (1..=11).rev().collect();
        assert_eq!(
            Spread::of(values),
            Some(Spread {
                median: 6,
                p90: 10,
                max: 11
            })
        );
    }

    #[test]
    fn an_unlimited_budget_is_not_described() {
        assert_eq!(Budget::UNLIMITED.describe(), None);
        let b = Budget {
            max_denominator: 27,
            ..Budget::UNLIMITED
        };
        assert_eq!(
            b.describe().as_deref(),
            Some(
                "largest denominator 27, largest integer or numerator any, at most any \
                 different fractions"
            )
        );
    }

    #[test]
    fn budget_limits_each_measure() {
        let b = Budget {
            max_denominator: 9,
            max_integer: 20,
            max_fractions: 3,
        };
        let ok = Measures {
            max_denominator: 9,
            max_integer: 20,
            fractions: 3,
        };
        assert!(b.allows(&ok));
        assert!(!b.allows(&Measures {
            max_denominator: 10,
            ..ok
        }));
        assert!(!b.allows(&Measures {
            max_integer: 21,
            ..ok
        }));
        assert!(!b.allows(&Measures { fractions: 4, ..ok }));
    }
}
