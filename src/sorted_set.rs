//! A set of 64-bit numbers that takes 8 bytes per number, however many there are.
//!
//! Seating a class looks every student's fingerprints up among those of the students
//! before (see [`crate::class`]). A hash set takes its table's size, a power of two of at
//! least 8/7 of the numbers, 9 bytes a slot: 1.2 MB per problem for 100,000 students,
//! 2.4 MB for 115,000. Here the numbers are a sorted run, reserved once, and a short
//! sorted buffer that is merged into the run, in place, when it is full.

/// The numbers inserted; the buffer holds at most `BUFFER` of them.
#[derive(Clone, Debug, Default)]
pub struct SortedSet {
    run: Vec<u64>,
    buffer: Vec<u64>,
}

/// How many numbers wait in the buffer before they are merged into the run: a merge moves
/// the whole run, so it is done once every `BUFFER` insertions.
const BUFFER: usize = 1024;

impl SortedSet {
    /// An empty set with room for `n` numbers.
    pub fn with_capacity(n: usize) -> SortedSet {
        SortedSet {
            run: Vec::with_capacity(n),
            buffer: Vec::with_capacity(BUFFER.min(n)),
        }
    }

    /// Whether `x` is in the set.
    pub fn contains(&self, x: &u64) -> bool {
        self.buffer.binary_search(x).is_ok() || self.run.binary_search(x).is_ok()
    }

    /// Adds `x`; false when it was there already.
    pub fn insert(&mut self, x: u64) -> bool {
        if self.run.binary_search(&x).is_ok() {
            return false;
        }
        let Err(at) = self.buffer.binary_search(&x) else {
            return false;
        };
        self.buffer.insert(at, x);
        if self.buffer.len() >= BUFFER {
            self.merge();
        }
        true
    }

    /// How many numbers.
    pub fn len(&self) -> usize {
        self.run.len() + self.buffer.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Merges the buffer into the run, from the back, without a second copy of the run.
    fn merge(&mut self) {
        let (old, extra) = (self.run.len(), self.buffer.len());
        self.run.resize(old + extra, 0);
        let (mut i, mut j, mut k) = (old, extra, old + extra);
        while j > 0 {
            if i > 0 && self.run[i - 1] > self.buffer[j - 1] {
                self.run[k - 1] = self.run[i - 1];
                i -= 1;
            } else {
                self.run[k - 1] = self.buffer[j - 1];
                j -= 1;
            }
            k -= 1;
        }
        self.buffer.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn agrees_with_a_hash_set_across_many_merges() {
        let mut set = SortedSet::with_capacity(10);
        let mut reference = HashSet::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for step in 0..5 * BUFFER as u64 {
            // Numbers from a small range, so that many come again.
            x = crate::draw::splitmix64(x);
            let n = x % (3 * BUFFER as u64) + (step % 2) * u64::MAX / 2;
            assert_eq!(
                set.contains(&n),
                reference.contains(&n),
                "{n} before insert"
            );
            assert_eq!(set.insert(n), reference.insert(n), "{n}");
            assert!(set.contains(&n));
            assert_eq!(set.len(), reference.len());
        }
        assert!(set.run.len() > BUFFER, "the run was merged into");
        assert!(
            set.run.windows(2).all(|w| w[0] < w[1]),
            "the run stays sorted"
        );
        for n in 0..4 * BUFFER as u64 {
            assert_eq!(set.contains(&n), reference.contains(&n), "{n}");
        }
        assert!(!SortedSet::default().contains(&0) && SortedSet::default().is_empty());
    }
}
