//! `key.csv`: one row per student, one column per final answer, for graders with a
//! spreadsheet. Columns are `id`, `name`, `variant_code`, then `P<n>.<answer>` with
//! 0-based indices for array entries (e.g. `P1.W1[0][1]`, `P2.ap`).

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use serde_json::Value;

use super::files::Staging;
use crate::error::{Error, Result};

/// The answers of each kind that go into the CSV (the rest stay in key.json).
fn final_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "batchnorm_mlp" => &["loss", "W1", "b1", "W2", "b2"],
        "retrieval_ap" => &["ranking", "ap", "ap_fraction"],
        "conv1d" => &["p", "loss", "grad_kernels"],
        "activation" => &["value_at_0", "derivative_at_0"],
        "rnn_account" => &["hs", "stack_params"],
        _ => &[],
    }
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), item, out);
            }
        }
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Null => out.push((prefix.to_string(), String::new())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// The (column, value) pairs of one student's variant, from the problems' key entries
/// (`Solved::key`).
pub fn answer_cells(keys: &[Value]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let kind = key["kind"].as_str().unwrap_or_default();
        if kind == "activation" {
            out.push((
                format!("P{}.function", i + 1),
                key["params"]["function"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ));
        }
        for field in final_fields(kind) {
            flatten(
                &format!("P{}.{field}", i + 1),
                &key["answers"][*field],
                &mut out,
            );
        }
    }
    out
}

/// One CSV field, quoted when needed (RFC 4180).
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// One student's row: id, name, variant code and the answer cells.
pub struct Row {
    pub id: String,
    pub name: String,
    pub code: String,
    pub cells: Vec<(String, String)>,
}

/// Builds the CSV text; the header is the union of the cells' columns in order of first
/// appearance.
pub fn to_text(rows: &[Row]) -> String {
    let mut columns: Vec<String> = Vec::new();
    for Row { cells, .. } in rows {
        for (c, _) in cells {
            if !columns.contains(c) {
                columns.push(c.clone());
            }
        }
    }
    let mut text = header(&columns);
    for row in rows {
        text.push_str(&line(row, &columns));
    }
    text
}

fn header(columns: &[String]) -> String {
    let mut text = String::from("id,name,variant_code");
    for c in columns {
        text.push(',');
        text.push_str(&csv_field(c));
    }
    text.push_str("\r\n");
    text
}

fn line(row: &Row, columns: &[String]) -> String {
    let Row {
        id,
        name,
        code,
        cells,
    } = row;
    let mut text = format!("{},{},{}", csv_field(id), csv_field(name), csv_field(code));
    for c in columns {
        text.push(',');
        if let Some((_, v)) = cells.iter().find(|(k, _)| k == c) {
            text.push_str(&csv_field(v));
        }
    }
    text.push_str("\r\n");
    text
}

/// Writes key.csv for a class one student at a time: rows wait in a scratch file of the
/// staging directory until the header (the union of all columns) is known.
pub struct Writer {
    rows: BufWriter<std::fs::File>,
    scratch: PathBuf,
    columns: Vec<String>,
}

impl Writer {
    pub fn begin(staging: &mut Staging) -> Result<Writer> {
        let scratch = staging.dir().join(".key-rows.jsonl");
        let file = std::fs::File::create(&scratch).map_err(|source| Error::Write {
            path: scratch.clone(),
            source,
        })?;
        Ok(Writer {
            rows: BufWriter::new(file),
            scratch,
            columns: Vec::new(),
        })
    }

    fn io_error(&self) -> impl Fn(std::io::Error) -> Error + '_ {
        |source| Error::Write {
            path: self.scratch.clone(),
            source,
        }
    }

    pub fn row(&mut self, row: &Row) -> Result<()> {
        for (c, _) in &row.cells {
            if !self.columns.contains(c) {
                self.columns.push(c.clone());
            }
        }
        let record = serde_json::json!([row.id, row.name, row.code, row.cells]);
        writeln!(self.rows, "{record}").map_err(self.io_error())
    }

    pub fn finish(mut self, staging: &mut Staging) -> Result<()> {
        self.rows.flush().map_err(self.io_error())?;
        let (file, path) = staging.create("key.csv")?;
        let out_error = |source| Error::Write {
            path: path.clone(),
            source,
        };
        let mut out = BufWriter::new(file);
        out.write_all(header(&self.columns).as_bytes())
            .map_err(out_error)?;
        let input = std::fs::File::open(&self.scratch).map_err(self.io_error())?;
        for record in std::io::BufReader::new(input).lines() {
            let record = record.map_err(self.io_error())?;
            let (id, name, code, cells): (String, String, String, Vec<(String, String)>) =
                serde_json::from_str(&record).expect("rows are written by Writer::row");
            let row = Row {
                id,
                name,
                code,
                cells,
            };
            out.write_all(line(&row, &self.columns).as_bytes())
                .map_err(out_error)?;
        }
        out.flush().map_err(out_error)?;
        let _ = std::fs::remove_file(&self.scratch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(csv_field("Ana"), "Ana");
        assert_eq!(csv_field("Kovačić, Ana"), "\"Kovačić, Ana\"");
        assert_eq!(csv_field("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn header_is_the_union_of_columns() {
        let row = |id: &str, column: &str| Row {
            id: id.into(),
            name: "N".into(),
            code: "C".into(),
            cells: vec![(column.into(), id.into())],
        };
        let rows = vec![row("1", "P1.x"), row("2", "P1.y")];
        assert_eq!(
            to_text(&rows),
            "id,name,variant_code,P1.x,P1.y\r\n1,N,C,1,\r\n2,N,C,,2\r\n"
        );
    }
}
