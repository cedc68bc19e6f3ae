//! The last few results of a pure function, kept per thread: a value that many students
//! share (the plot of an activation function, say) is computed once per thread instead of
//! once per student and per drawn candidate.

/// Up to `CAP` keys with their values; the oldest entry makes room for a new one.
pub struct Recent<K, V, const CAP: usize> {
    entries: Vec<(K, V)>,
    next: usize,
}

impl<K: PartialEq, V: Clone, const CAP: usize> Recent<K, V, CAP> {
    pub const fn new() -> Self {
        Recent {
            entries: Vec::new(),
            next: 0,
        }
    }

    /// The value kept for `key`, or `make()` (then kept).
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> V {
        if let Some((_, value)) = self.entries.iter().find(|(k, _)| *k == key) {
            return value.clone();
        }
        let value = make();
        if self.entries.len() < CAP {
            self.entries.push((key, value.clone()));
        } else {
            self.entries[self.next] = (key, value.clone());
            self.next = (self.next + 1) % CAP;
        }
        value
    }
}

impl<K: PartialEq, V: Clone, const CAP: usize> Default for Recent<K, V, CAP> {
    fn default() -> Self {
        Self::new()
    }
}

/// The bits of each float, as a key: equal exactly when the floats are the same values
/// (`0.0` and `-0.0` differ, a NaN equals itself), unlike `==` on floats.
pub fn float_bits(values: impl IntoIterator<Item = f64>) -> Vec<u64> {
    values.into_iter().map(f64::to_bits).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_value_is_returned_and_the_oldest_makes_room() {
        let mut recent: Recent<u32, String, 2> = Recent::new();
        let made = std::cell::Cell::new(0);
        let get = |recent: &mut Recent<u32, String, 2>, k: u32| {
            recent.get_or_insert_with(k, || {
                made.set(made.get() + 1);
                format!("v{k}")
            })
        };
        assert_eq!(get(&mut recent, 1), "v1");
        assert_eq!(get(&mut recent, 2), "v2");
        assert_eq!(get(&mut recent, 1), "v1");
        assert_eq!(get(&mut recent, 3), "v3"); // 1, the oldest, makes room
        assert_eq!(get(&mut recent, 2), "v2");
        assert_eq!(get(&mut recent, 1), "v1"); // made again
        assert_eq!(made.get(), 4);
    }

    #[test]
    fn float_keys_tell_negative_zero_apart() {
        assert_ne!(float_bits([0.0]), float_bits([-0.0]));
        assert_eq!(float_bits([f64::NAN]), float_bits([f64::NAN]));
        assert_eq!(float_bits([1.5, 2.0]), float_bits([1.5, 2.0]));
    }
}
