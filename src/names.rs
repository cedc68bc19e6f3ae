//! Many short texts in one buffer: the names of a run's files, the ids and names of a
//! class list.
//!
//! A class of 100,000 students stages 200,000 files and more; as separate `String`s their
//! names would take about 70 bytes each, here they take their length and 4 bytes. The
//! commit plan holds and serializes them (as a JSON list of strings), and looks names up
//! in them by sorting ([`Names::sorted`]), not through a second copy.

use serde::de::{SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Texts (file names, relative paths; ids and names) in the order they were added.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    text: String,
    /// Where each name ends in `text`.
    ends: Vec<u32>,
}

impl Names {
    /// No names.
    pub fn new() -> Names {
        Names::default()
    }

    /// Adds a name at the end.
    pub fn push(&mut self, name: &str) {
        self.text.push_str(name);
        let end = u32::try_from(self.text.len()).expect("file names stay below 4 GB in all");
        self.ends.push(end);
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `i`-th name.
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// The names in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The names in sorted order, each once, for lookups ([`Sorted::contains`]).
    pub fn sorted(&self) -> Sorted<'_> {
        let n = u32::try_from(self.len()).expect("fewer than 2^32 names");
        let mut order: Vec<u32> = (0..n).collect();
        order.sort_unstable_by(|&a, &b| self.get(a as usize).cmp(self.get(b as usize)));
        order.dedup_by(|a, b| self.get(*a as usize) == self.get(*b as usize));
        Sorted { names: self, order }
    }
}

/// [`Names`] in sorted order, without copies of them.
pub struct Sorted<'a> {
    names: &'a Names,
    order: Vec<u32>,
}

impl<'a> Sorted<'a> {
    /// Whether `name` is one of the names.
    pub fn contains(&self, name: &str) -> bool {
        self.order
            .binary_search_by(|&i| self.names.get(i as usize).cmp(name))
            .is_ok()
    }

    /// The names, sorted, each once.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.order.iter().map(|&i| self.names.get(i as usize))
    }
}

impl<S: AsRef<str>> FromIterator<S> for Names {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Names {
        let mut names = Names::new();
        names.extend(iter);
        names
    }
}

impl<S: AsRef<str>> Extend<S> for Names {
    fn extend<I: IntoIterator<Item = S>>(&mut self, iter: I) {
        for name in iter {
            self.push(name.as_ref());
        }
    }
}

impl Serialize for Names {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for name in self.iter() {
            seq.serialize_element(name)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Names, D::Error> {
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = Names;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of file names")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Names, A::Error> {
                let mut names = Names::new();
                while let Some(name) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    names.push(&name);
                }
                Ok(names)
            }
        }
        deserializer.deserialize_seq(List)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_names_in_order_and_finds_them_sorted() {
        let names: Names = ["b/x.tex", "a.tex", "", "b/x.tex", "c.pdf"]
            .iter()
            .collect();
        assert_eq!(names.len(), 5);
        assert_eq!(
            names.iter().collect::<Vec<_>>(),
            ["b/x.tex", "a.tex", "", "b/x.tex", "c.pdf"]
        );
        let sorted = names.sorted();
        assert_eq!(
            sorted.iter().collect::<Vec<_>>(),
            ["", "a.tex", "b/x.tex", "c.pdf"]
        );
        assert!(sorted.contains("a.tex") && sorted.contains("c.pdf") && sorted.contains(""));
        assert!(!sorted.contains("b") && !sorted.contains("d"));
    }

    #[test]
    fn travels_as_a_json_list_of_strings() {
        let names: Names = ["print/exams.pdf", "ä \"q\".tex"].iter().collect();
        let json = serde_json::to_string(&names).unwrap();
        assert_eq!(json, r#"["print/exams.pdf","ä \"q\".tex"]"#);
        assert_eq!(serde_json::from_str::<Names>(&json).unwrap(), names);
        assert_eq!(
            serde_json::to_string(&serde_json::from_str::<Vec<String>>(&json).unwrap()).unwrap(),
            json
        );
        assert!(serde_json::from_str::<Names>(r#"{"a": 1}"#).is_err());
    }
}
