//! Compact JSON with every object's keys in order, written straight from typed values.
//!
//! key.json has always been written through `serde_json::Value`, whose maps are sorted,
//! so every object in it lists its keys in order; the kinds' key structs declare their
//! fields in reading order instead. Building a `Value` for each problem of each student
//! (a map node and a `String` per field, a boxed value per array entry) was most of the
//! cost of a key entry. [`Sorted`] is a `serde_json` formatter that holds each object's
//! entries until the object ends and writes them in key order, so the bytes are those
//! `Value` writes (numbers and strings are formatted by `serde_json` either way), without
//! the `Value`.
//!
//! [`Plain`] writes as `serde_json` does, except that `-0.0` is written as `0.0`: the text
//! of a variant's fingerprint ([`crate::problems::kind::fingerprint`]), in which two
//! values are alike exactly when `Value` compares them equal.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};

/// Writes `value` as compact JSON with sorted keys onto `out` (the bytes
/// `serde_json::to_value(value)?.to_string()` gives), handing back the values of chosen
/// entries as written: `pick` names each by the entry of the top object it is in and its
/// own key (`("answers", "ap")`), names as JSON writes them unescaped (field names). None
/// for an entry not written.
pub fn write_picking<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    pick: &[(&str, &str)],
) -> serde_json::Result<Vec<Option<String>>> {
    let quoted = |name: &str| format!("\"{name}\"").into_bytes();
    let mut picked = vec![None; pick.len()];
    // The buffers of the thread's last write, emptied but with their room: a class
    // writes a key entry per problem and student, much alike.
    let mut pool = POOL.with(|p| p.take());
    let formatter = Sorted {
        open: Vec::new(),
        arrays: 0,
        pool: &mut pool,
        pick: pick.iter().map(|(o, f)| (quoted(o), quoted(f))).collect(),
        picked: &mut picked,
    };
    let mut ser = serde_json::Serializer::with_formatter(out, formatter);
    let written = value.serialize(&mut ser);
    drop(ser);
    POOL.with(|p| p.replace(pool));
    written?;
    Ok(picked
        .into_iter()
        .map(|bytes| bytes.map(|b| String::from_utf8(b).expect("serde_json writes UTF-8")))
        .collect())
}

/// The formatter of [`write_picking`]: an object's entries wait, each as its key's and its
/// value's bytes, until the object ends.
pub struct Sorted<'a> {
    /// The objects being written, innermost last.
    open: Vec<Object>,
    /// How many arrays are open.
    arrays: usize,
    /// Buffers of finished objects, reused.
    pool: &'a mut Pool,
    /// The entries [`write_picking`] hands back: (top entry, key), quoted.
    pick: Vec<(Vec<u8>, Vec<u8>)>,
    picked: &'a mut Vec<Option<Vec<u8>>>,
}

/// Empty buffers with room, for entries' bytes and for objects' entries.
#[derive(Default)]
struct Pool {
    bytes: Vec<Vec<u8>>,
    entries: Vec<Vec<(Vec<u8>, Vec<u8>)>>,
}

thread_local! {
    static POOL: std::cell::RefCell<Pool> = std::cell::RefCell::new(Pool::default());
}

#[derive(Default)]
struct Object {
    /// The entries so far: the key as written (with its quotes) and the value.
    entries: Vec<(Vec<u8>, Vec<u8>)>,
    /// The key of the entry being written, once written.
    key: Option<Vec<u8>>,
    /// What is being written now: the entry's key, then its value.
    current: Vec<u8>,
    /// How many arrays were open when the object began.
    arrays: usize,
}

/// Where a write goes: the caller's writer outside every object, else the entry being
/// written.
enum Target<'a, W: ?Sized> {
    Outer(&'a mut W),
    Inner(&'a mut Vec<u8>),
}

impl<W: ?Sized + Write> Write for Target<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Target::Outer(w) => w.write(buf),
            Target::Inner(v) => {
                v.extend_from_slice(buf);
                Ok(buf.len())
            }
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Target::Outer(w) => w.write_all(buf),
            Target::Inner(v) => {
                v.extend_from_slice(buf);
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Target::Outer(w) => w.flush(),
            Target::Inner(_) => Ok(()),
        }
    }
}

impl Sorted<'_> {
    fn target<'a, W: ?Sized + Write>(&'a mut self, writer: &'a mut W) -> Target<'a, W> {
        match self.open.last_mut() {
            Some(object) => Target::Inner(&mut object.current),
            None => Target::Outer(writer),
        }
    }

    fn buffer(&mut self) -> Vec<u8> {
        self.pool.bytes.pop().unwrap_or_default()
    }
}

/// Forwards a leaf to the compact formatter, onto the current target.
macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            fn $name<W: ?Sized + Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
                CompactFormatter.$name(&mut self.target(writer) $(, $arg)*)
            }
        )*
    };
}

impl Formatter for Sorted<'_> {
    forward! {
        write_null();
        write_bool(value: bool);
        write_i8(value: i8);
        write_i16(value: i16);
        write_i32(value: i32);
        write_i64(value: i64);
        write_i128(value: i128);
        write_u8(value: u8);
        write_u16(value: u16);
        write_u32(value: u32);
        write_u64(value: u64);
        write_u128(value: u128);
        write_f64(value: f64);
        write_number_str(value: &str);
        begin_string();
        end_string();
        write_string_fragment(fragment: &str);
        write_char_escape(char_escape: CharEscape);
        write_byte_array(value: &[u8]);
        begin_array_value(first: bool);
        end_array_value();
        write_raw_fragment(fragment: &str);
    }

    /// As `Value` holds it: an f64 (0.1f32 is written 0.10000000149011612).
    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        CompactFormatter.write_f64(&mut self.target(writer), f64::from(value))
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.arrays += 1;
        CompactFormatter.begin_array(&mut self.target(writer))
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.arrays -= 1;
        CompactFormatter.end_array(&mut self.target(writer))
    }

    fn begin_object<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        let current = self.buffer();
        let entries = self.pool.entries.pop().unwrap_or_default();
        self.open.push(Object {
            entries,
            key: None,
            current,
            arrays: self.arrays,
        });
        Ok(())
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, _: &mut W, _first: bool) -> io::Result<()> {
        Ok(())
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        let next = self.buffer();
        let object = self.open.last_mut().expect("a key is inside an object");
        object.key = Some(std::mem::replace(&mut object.current, next));
        Ok(())
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        Ok(())
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        let next = self.buffer();
        let object = self.open.last_mut().expect("a value is inside an object");
        let key = object.key.take().expect("a value follows its key");
        let value = std::mem::replace(&mut object.current, next);
        // Only in an object that is itself the value of an entry of the top object (not
        // one in an array there).
        if let [top, inner] = &self.open[..] {
            let within = top.key.as_deref().filter(|_| inner.arrays == top.arrays);
            for (i, (o, f)) in self.pick.iter().enumerate() {
                if within == Some(o.as_slice()) && key == *f {
                    self.picked[i] = Some(value.clone());
                }
            }
        }
        let object = self.open.last_mut().expect("a value is inside an object");
        object.entries.push((key, value));
        Ok(())
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        let mut object = self.open.pop().expect("an object ends after it begins");
        // In the order of the keys themselves, as `Value`'s map: without their quotes,
        // and read back when JSON escaped something in them.
        object
            .entries
            .sort_by(|a, b| key_text(&a.0).cmp(&key_text(&b.0)));
        // Like `Value`'s map, a repeated key keeps its last value (serde never repeats
        // a field; a map of the caller could).
        object.entries.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        let mut out = self.target(writer);
        out.write_all(b"{")?;
        for (i, (key, value)) in object.entries.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(key)?;
            out.write_all(b":")?;
            out.write_all(value)?;
        }
        out.write_all(b"}")?;
        for (mut key, mut value) in object.entries.drain(..) {
            key.clear();
            value.clear();
            self.pool.bytes.extend([key, value]);
        }
        self.pool.entries.push(object.entries);
        object.current.clear();
        self.pool.bytes.push(object.current);
        Ok(())
    }
}

/// A key as written (quoted, maybe escaped) as the text it stands for.
fn key_text(written: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if written.contains(&b'\\') {
        let text: String = serde_json::from_slice(written).expect("keys are JSON strings");
        return text.into_bytes().into();
    }
    let unquoted = written
        .strip_prefix(b"\"")
        .and_then(|k| k.strip_suffix(b"\""));
    unquoted.unwrap_or(written).into()
}

/// Compact JSON as `serde_json` writes it, with `-0.0` written as `0.0` (see the module
/// documentation).
pub struct Plain;

impl Formatter for Plain {
    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        CompactFormatter.write_f64(writer, value + 0.0)
    }

    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        CompactFormatter.write_f32(writer, value + 0.0)
    }
}

/// Writes `value` with [`Plain`] onto `out`.
pub fn write_plain<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Plain);
    value.serialize(&mut ser)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
        let mut out = Vec::new();
        write_picking(&mut out, value, &[]).unwrap();
        String::from_utf8(out).unwrap()
    }
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    struct Inner {
        zeta: f64,
        alpha: Vec<i64>,
        #[serde(rename = "Beta")]
        beta: Option<String>,
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Pair(i32, f64),
        Named { y: u8, x: u8 },
    }

    #[derive(Serialize)]
    struct Outer {
        z: Vec<Inner>,
        m: BTreeMap<String, Inner>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        empty: BTreeMap<String, u8>,
        a: (f64, &'static str),
        shapes: Vec<Shape>,
        nested: Vec<Vec<Inner>>,
        text: &'static str,
        numbers: [f64; 6],
        ab: bool,
        a_b: (),
    }

    fn inner(zeta: f64, text: Option<&str>) -> Inner {
        Inner {
            zeta,
            alpha: vec![-3, 0, 7],
            beta: text.map(str::to_string),
        }
    }

    #[test]
    fn writes_what_value_writes() {
        let outer = Outer {
            z: vec![inner(0.5, None), inner(-0.0, Some("a \"q\" \\ \n é"))],
            m: [
                ("b".to_string(), inner(1e-7, Some(""))),
                ("a".into(), inner(2.0, None)),
            ]
            .into_iter()
            .collect(),
            skipped: None,
            empty: BTreeMap::new(),
            a: (f64::NAN, "x"),
            shapes: vec![
                Shape::Unit,
                Shape::Pair(-1, 1.5),
                Shape::Named { y: 1, x: 2 },
            ],
            nested: vec![vec![], vec![inner(1.0 / 3.0, None)]],
            text: "\u{1} tab\t",
            numbers: [1.0, -0.0, 1e300, f64::INFINITY, 123456789.0, 0.1],
            ab: true,
            a_b: (),
        };
        let want = serde_json::to_value(&outer).unwrap().to_string();
        assert_eq!(to_string(&outer), want);
        // Not trivially: the declared order differs.
        assert_ne!(serde_json::to_string(&outer).unwrap(), want);
        // A key that is a prefix of another, and keys differing in case.
        let keys: BTreeMap<&str, u8> = [("ab", 1), ("a", 2), ("B", 3), ("a_", 4)].into();
        let swapped: Vec<(&str, u8)> = keys.iter().rev().map(|(k, v)| (*k, *v)).collect();
        #[derive(Serialize)]
        struct Fields(#[serde(serialize_with = "as_map")] Vec<(&'static str, u8)>);
        fn as_map<S: serde::Serializer>(v: &[(&str, u8)], s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(v.iter().map(|(k, v)| (k, v)))
        }
        assert_eq!(
            to_string(&Fields(swapped)),
            serde_json::to_value(&keys).unwrap().to_string()
        );
        // Keys a prefix of another before a character below `"`, and escaped keys.
        let odd: BTreeMap<&str, u8> = [
            ("a b", 2),
            ("a", 1),
            ("a\"", 3),
            ("a\u{1}", 4),
            ("a\\", 5),
            ("é", 6),
        ]
        .into();
        let swapped: Vec<(&str, u8)> = odd.iter().rev().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(
            to_string(&Fields(swapped)),
            serde_json::to_value(&odd).unwrap().to_string()
        );
        // An f32 as `Value` holds it.
        let single = (0.1f32, vec![-2.5f32, 1e-3]);
        assert_eq!(
            to_string(&single),
            serde_json::to_value(single).unwrap().to_string()
        );
    }

    #[test]
    fn picked_entries_are_handed_back_as_written() {
        #[derive(Serialize)]
        struct Entry {
            kind: &'static str,
            params: Inner,
            answers: Outer2,
        }
        #[derive(Serialize)]
        struct Outer2 {
            zeta: Inner,
            alpha: Vec<f64>,
            /// Objects in an array: their `alpha` is not `answers.alpha`.
            list: Vec<Inner>,
        }
        let entry = Entry {
            kind: "k",
            params: inner(0.25, Some("s")),
            answers: Outer2 {
                zeta: inner(-1.0, None),
                alpha: vec![1.0 / 3.0, -0.0],
                list: vec![inner(7.0, None)],
            },
        };
        let pick = [
            ("answers", "alpha"),
            ("params", "Beta"),
            ("params", "zeta"),
            ("answers", "zeta"),
            ("answers", "missing"),
            ("kind", "k"),
        ];
        let mut out = Vec::new();
        let picked = write_picking(&mut out, &entry, &pick).unwrap();
        let value = serde_json::to_value(&entry).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), value.to_string());
        let want: Vec<Option<String>> = pick
            .iter()
            .map(|(o, f)| value[o].get(f).map(|v| v.to_string()))
            .collect();
        assert_eq!(picked, want);
        assert_eq!(picked[0].as_deref(), Some("[0.3333333333333333,-0.0]"));
    }

    #[test]
    fn plain_writes_minus_zero_as_zero_and_nothing_else_differently() {
        let values = vec![-0.0, 0.0, -1.5, 2.0, f64::NAN];
        let mut out = Vec::new();
        write_plain(&mut out, &values).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[0.0,0.0,-1.5,2.0,null]");
    }
}
