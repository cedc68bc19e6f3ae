//! A class's `key.json`, written student by student so that memory does not grow with
//! the class.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::exam::ExamSpec;
use crate::export::files::Staging;
use crate::export::key;

/// `key.json` of a class, written student by student.
pub(super) struct ClassKeyWriter {
    file: std::io::BufWriter<std::fs::File>,
    path: PathBuf,
    first: bool,
}

impl ClassKeyWriter {
    pub(super) fn begin(
        staging: &mut Staging,
        spec: &ExamSpec,
        seed: u64,
    ) -> Result<ClassKeyWriter> {
        let (file, path) = staging.create("key.json")?;
        let mut writer = ClassKeyWriter {
            file: std::io::BufWriter::new(file),
            path,
            first: true,
        };
        // The header's fields, then the students as they come; every value is written by
        // serde_json, only the layout (as `to_string_pretty` lays out a map: keys in order) is ours.
        let header: [(&str, Value); 6] = [
            ("course", json!(spec.course)),
            ("date", json!(spec.date)),
            ("exam", json!(spec.exam)),
            ("format", json!(key::KEY_FORMAT)),
            ("language", json!(spec.language)),
            ("seed", json!(seed)),
        ];
        let mut text = String::from("{");
        for (name, value) in header {
            text.push_str(&format!("\n  {}: {value},", Value::from(name)));
        }
        text.push_str("\n  \"students\": [");
        writer.put(&text)?;
        Ok(writer)
    }

    fn put(&mut self, text: &str) -> Result<()> {
        use std::io::Write;
        self.file
            .write_all(text.as_bytes())
            .map_err(|source| Error::Write {
                path: self.path.clone(),
                source,
            })
    }

    /// One student's entry, on one line: compact JSON, as `Value`'s `to_string` writes
    /// it (made on the render threads).
    pub(super) fn student(&mut self, entry: &str) -> Result<()> {
        let sep = if self.first { "\n    " } else { ",\n    " };
        self.first = false;
        self.put(sep)?;
        self.put(entry)
    }

    pub(super) fn finish(mut self) -> Result<()> {
        use std::io::Write;
        self.put("\n  ]\n}\n")?;
        self.file.flush().map_err(|source| Error::Write {
            path: self.path.clone(),
            source,
        })
    }
}
