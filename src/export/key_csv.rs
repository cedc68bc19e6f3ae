//! `key.csv`: one row per student, one column per final answer, for graders with a
//! spreadsheet. Columns are `id`, `name`, `variant_code`, then `P<n>.<answer>` with
//! 0-based indices for array entries (e.g. `P1.W1[0][1]`, `P2.ap`); a pool's columns also
//! name the kind (`P3.softmax_ce.loss`).

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use serde_json::Value;

use super::files::Staging;
use crate::error::{Error, Result};
use crate::problems::Solved;
use crate::slot::Slot;

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

/// The start of problem `index`'s (0-based) columns: `P2`, or for a pool `P3.softmax_ce`
/// (the kind the student got), so that two kinds' answers of the same name never share
/// a column. key.csv and the answer sheet's CSV files name their columns alike.
pub fn column_prefix(slot: &Slot, index: usize, solved: &Solved) -> String {
    if slot.is_pool() {
        format!("P{}.{}", index + 1, solved.kind())
    } else {
        format!("P{}", index + 1)
    }
}

/// The (column, value) pairs of one student's variant: for each problem, the key.json
/// entries its kind declares for key.csv (`Solved::key_csv`), taken from the problem's
/// key entry (`keys[i]` is `solved[i].key()`). The columns of a pool's problem also
/// name the kind the student got (`P3.softmax_ce.loss`), so that two kinds' answers of
/// the same name never share a column.
pub fn answer_cells(slots: &[Slot], solved: &[Solved], keys: &[Value]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, ((slot, problem), key)) in slots.iter().zip(solved).zip(keys).enumerate() {
        let prefix = column_prefix(slot, i, problem);
        let columns = problem.key_csv();
        let fields = columns
            .params
            .iter()
            .map(|f| (f, &key["params"][*f]))
            .chain(columns.answers.iter().map(|f| (f, &key["answers"][*f])));
        for (field, value) in fields {
            flatten(&format!("{prefix}.{field}"), value, &mut out);
        }
    }
    out
}

/// One cell as a spreadsheet must see it. A cell that starts with `=`, `+`, `-`, `@`,
/// a tab or a carriage return is a formula to Excel, LibreOffice and Google Sheets, so a
/// class-list name like `=HYPERLINK("http://x","y")` would run when a grader opens the
/// file; such a cell gets a leading `'` (OWASP's advice against CSV injection), which
/// spreadsheets show as text. Answers stay numbers: a plain decimal (`-0.5`, `-1e-7`)
/// or a fraction of integers (`-3/4`) is left as it is, because it holds no function,
/// cell reference or command, so evaluating it can only give its own value, and a `'`
/// would turn every negative answer into text a grader cannot compute with.
pub fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    let formula_start = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula_start && !is_number(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// `[+-]digits[.digits][e[+-]digits]` or `[+-]digits/digits`, as serde_json and the
/// exact fractions of key.json write answers.
fn is_number(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if let Some((num, den)) = unsigned.split_once('/') {
        return digits(num) && digits(den);
    }
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
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
    let mut out = csv_writer(Vec::new());
    write_header(&mut out, &columns).expect("writing to memory cannot fail");
    for row in rows {
        write_row(&mut out, row, &columns).expect("writing to memory cannot fail");
    }
    let bytes = out.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the cells are UTF-8")
}

/// RFC 4180 with CRLF line ends, fields quoted only when needed.
fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out)
}

fn write_header<W: Write>(out: &mut csv::Writer<W>, columns: &[String]) -> csv::Result<()> {
    let fixed = ["id", "name", "variant_code"].map(String::from);
    let record = fixed.iter().chain(columns).map(|c| cell(c));
    out.write_record(record.map(|c| c.into_owned()))
}

fn write_row<W: Write>(out: &mut csv::Writer<W>, row: &Row, columns: &[String]) -> csv::Result<()> {
    let Row {
        id,
        name,
        code,
        cells,
    } = row;
    let answers = columns.iter().map(|c| {
        cells
            .iter()
            .find(|(k, _)| k == c)
            .map_or("", |(_, v)| v.as_str())
    });
    let record = [id.as_str(), name, code].into_iter().chain(answers);
    out.write_record(record.map(|c| cell(c).into_owned()))
}

/// Writes key.csv for a class one student at a time: rows wait in a scratch file of the
/// staging directory until the header (the union of all columns) is known.
pub struct Writer {
    /// The file it writes: key.csv, or the answer sheet's CSV files.
    name: &'static str,
    rows: BufWriter<std::fs::File>,
    scratch: PathBuf,
    columns: Vec<String>,
}

impl Writer {
    pub fn begin(staging: &mut Staging) -> Result<Writer> {
        Writer::named(staging, "key.csv")
    }

    /// A writer of another file with key.csv's layout (the answer sheet's CSV files).
    pub fn named(staging: &mut Staging, name: &'static str) -> Result<Writer> {
        let scratch = staging.dir().join(format!(".{name}-rows.jsonl"));
        let file = std::fs::File::create(&scratch).map_err(|source| Error::Write {
            path: scratch.clone(),
            source,
        })?;
        Ok(Writer {
            name,
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
        let (file, path) = staging.create(self.name)?;
        let out_error = |e: csv::Error| Error::Write {
            path: path.clone(),
            source: e.into(),
        };
        let mut out = csv_writer(BufWriter::new(file));
        write_header(&mut out, &self.columns).map_err(out_error)?;
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
            write_row(&mut out, &row, &self.columns).map_err(out_error)?;
        }
        out.flush().map_err(|e| out_error(e.into()))?;
        let _ = std::fs::remove_file(&self.scratch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_row(id: &str, name: &str, answer: &str) -> String {
        to_text(&[Row {
            id: id.into(),
            name: name.into(),
            code: "C".into(),
            cells: vec![("P1.ap".into(), answer.into())],
        }])
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(
            one_row("1", "Ana", "0.5"),
            "id,name,variant_code,P1.ap\r\n1,Ana,C,0.5\r\n"
        );
        assert_eq!(
            one_row("1", "Kovačić, Ana \"A\"", "5/12"),
            "id,name,variant_code,P1.ap\r\n1,\"Kovačić, Ana \"\"A\"\"\",C,5/12\r\n"
        );
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for (text, want) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-E1", "'-E1"),
            ("-", "'-"),
            ("-1/", "'-1/"),
            ("-.5", "'-.5"),
            ("-0.5", "-0.5"),
            ("-1.5e-10", "-1.5e-10"),
            ("+2E17", "+2E17"),
            ("-3/4", "-3/4"),
            ("Ana-Marija", "Ana-Marija"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(cell(text), want, "{text:?}");
        }
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
