//! Error carried forward: a kind's worked solution replayed on the student's own values.
//!
//! A kind's [`crate::problems::Kind::carry`] walks its solution step by step, the way a
//! marker reads a script: each checkpoint (an intermediate or final value the answer
//! sheet asks for) is computed from the parameters and the *effective* values of the
//! earlier checkpoints — the student's own where the student wrote one, the carried
//! value where the box was left blank. [`Carry::matrix`] and friends record what the
//! checkpoint should be given what came before, and hand back what the student wrote
//! (entry by entry), so the next step goes on from there. With nothing entered the walk
//! is the engine's own solution: every recorded value equals the key's.

use ndarray::{Array1, Array2};

/// One entry of a checkpoint: its answer-sheet label (`h[0][1]`, `loss`) and the value it
/// should have given the student's earlier values.
#[derive(Clone, Debug, PartialEq)]
pub struct Carried {
    /// The checkpoint's name (the key's answer field).
    pub checkpoint: &'static str,
    /// The entry's label: the name with 0-based indices (`h[0][1]`), as key.csv spells it.
    pub label: String,
    pub expected: f64,
}

/// The walk through a kind's solution for one student ([`crate::problems::Kind::carry`]).
pub struct Carry<'a> {
    entered: &'a dyn Fn(&str) -> Option<f64>,
    carried: Vec<Carried>,
}

impl<'a> Carry<'a> {
    /// A walk over the values `entered` gives by label (None: left blank).
    pub fn new(entered: &'a dyn Fn(&str) -> Option<f64>) -> Self {
        Carry {
            entered,
            carried: Vec::new(),
        }
    }

    /// A walk with nothing entered: every checkpoint as the engine computes it.
    pub fn key() -> Carry<'static> {
        Carry::new(&|_| None)
    }

    /// The checkpoints recorded, in the order the kind walked them.
    pub fn finish(self) -> Vec<Carried> {
        self.carried
    }

    fn entry(&mut self, checkpoint: &'static str, label: String, expected: f64) -> f64 {
        let effective = (self.entered)(&label).unwrap_or(expected);
        self.carried.push(Carried {
            checkpoint,
            label,
            expected,
        });
        effective
    }

    /// A scalar checkpoint: records `expected`, returns the student's value (or it).
    pub fn scalar(&mut self, name: &'static str, expected: f64) -> f64 {
        self.entry(name, name.to_string(), expected)
    }

    /// A vector checkpoint, entry by entry (`name[i]`).
    pub fn vector(&mut self, name: &'static str, expected: Array1<f64>) -> Array1<f64> {
        expected
            .iter()
            .enumerate()
            .map(|(i, &v)| self.entry(name, format!("{name}[{i}]"), v))
            .collect()
    }

    /// A matrix checkpoint, entry by entry (`name[i][j]`, as key.json's rows).
    pub fn matrix(&mut self, name: &'static str, expected: Array2<f64>) -> Array2<f64> {
        let mut out = expected.clone();
        for ((i, j), v) in expected.indexed_iter() {
            out[(i, j)] = self.entry(name, format!("{name}[{i}][{j}]"), *v);
        }
        out
    }

    /// Entry `i` of a vector checkpoint walked entry by entry (`name[i]`), when an entry
    /// follows from the ones before.
    pub fn item(&mut self, name: &'static str, i: usize, expected: f64) -> f64 {
        self.entry(name, format!("{name}[{i}]"), expected)
    }

    /// Row `i` of a checkpoint walked row by row (`name[i][j]`), for a table whose row
    /// follows from the row before (a network's layer shapes).
    pub fn row(&mut self, name: &'static str, i: usize, expected: &[f64]) -> Vec<f64> {
        expected
            .iter()
            .enumerate()
            .map(|(j, &v)| self.entry(name, format!("{name}[{i}][{j}]"), v))
            .collect()
    }

    /// [`Carry::row`] for a row held as an array.
    pub fn row_array(
        &mut self,
        name: &'static str,
        i: usize,
        expected: Array1<f64>,
    ) -> Array1<f64> {
        Array1::from(self.row(name, i, &expected.to_vec()))
    }

    /// Slice `i` of a three-index checkpoint (`name[i][j][k]`, e.g. one channel of an
    /// image's gradient), walked slice by slice.
    pub fn slice(&mut self, name: &'static str, i: usize, expected: Array2<f64>) -> Array2<f64> {
        let mut out = expected.clone();
        for ((j, k), v) in expected.indexed_iter() {
            out[(j, k)] = self.entry(name, format!("{name}[{i}][{j}][{k}]"), *v);
        }
        out
    }

    /// A checkpoint given as a list of rows of any lengths (`name[i][j]`).
    pub fn rows(&mut self, name: &'static str, expected: &[Vec<f64>]) -> Vec<Vec<f64>> {
        expected
            .iter()
            .enumerate()
            .map(|(i, row)| {
                row.iter()
                    .enumerate()
                    .map(|(j, &v)| self.entry(name, format!("{name}[{i}][{j}]"), v))
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn entered_values_are_carried_and_the_expectation_recorded() {
        let entered = |label: &str| (label == "a[1]").then_some(10.0);
        let mut c = Carry::new(&entered);
        let a = c.vector("a", array![1.0, 2.0]);
        assert_eq!(a, array![1.0, 10.0]);
        let total = c.scalar("total", a.sum());
        assert_eq!(total, 11.0);
        let m = c.matrix("m", array![[total, 0.0]]);
        assert_eq!(m, array![[11.0, 0.0]]);
        let carried = c.finish();
        let labels: Vec<_> = carried.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["a[0]", "a[1]", "total", "m[0][0]", "m[0][1]"]);
        // a[1] should have been 2, whatever the student wrote; total follows the student.
        assert_eq!(carried[1].expected, 2.0);
        assert_eq!(carried[2].expected, 11.0);
    }

    #[test]
    fn rows_and_slices_belong_to_one_checkpoint() {
        let entered = |label: &str| (label == "t[1][0]").then_some(5.0);
        let mut c = Carry::new(&entered);
        let first = c.row("t", 0, &[1.0, 2.0]);
        let second = c.row("t", 1, &[first[0] + 1.0]);
        assert_eq!(second, vec![5.0]);
        let g = c.slice("g", 1, array![[second[0]]]);
        assert_eq!(g, array![[5.0]]);
        let carried = c.finish();
        let labels: Vec<_> = carried
            .iter()
            .map(|c| (c.checkpoint, c.label.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                ("t", "t[0][0]"),
                ("t", "t[0][1]"),
                ("t", "t[1][0]"),
                ("g", "g[1][0][0]")
            ]
        );
        assert_eq!(carried[2].expected, 2.0);
        assert_eq!(carried[3].expected, 5.0);
    }

    #[test]
    fn with_nothing_entered_the_walk_is_the_expectation() {
        let mut c = Carry::key();
        let v = c.rows("r", &[vec![1.0], vec![2.0, 3.0]]);
        assert_eq!(v, vec![vec![1.0], vec![2.0, 3.0]]);
        assert_eq!(c.finish().len(), 3);
    }
}
