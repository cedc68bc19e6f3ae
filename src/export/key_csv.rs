//! `key.csv`: one row per student, one column per final answer, for graders with a
//! spreadsheet. Columns are `id`, `name`, `variant_code`, then `P<n>.<answer>` with
//! 0-based indices for array entries (e.g. `P1.W1[0][1]`, `P2.ap`); a pool's columns also
//! name the kind (`P3.softmax_ce.loss`).

use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;

use serde_json::value::RawValue;

use super::files::Staging;
use crate::error::{Error, Result};
use crate::problems::Solved;
use crate::slot::Slot;

/// The cells of a value as key.json writes it: an array's entries get a column each,
/// a string its text, null an empty cell, and anything else (numbers) its JSON, as
/// written (reading a number back could change its last digit).
fn flatten_raw(prefix: &str, text: &str, out: &mut Vec<(String, String)>) {
    match text.as_bytes().first() {
        Some(b'[') => {
            let items: Vec<&RawValue> = read(text);
            for (i, item) in items.into_iter().enumerate() {
                flatten_raw(&format!("{prefix}[{i}]"), item.get(), out);
            }
        }
        Some(b'"') => out.push((prefix.to_string(), read(text))),
        _ if text == "null" => out.push((prefix.to_string(), String::new())),
        _ => out.push((prefix.to_string(), text.to_string())),
    }
}

/// A part of a key entry, which examgen wrote itself.
fn read<'a, T: serde::Deserialize<'a>>(text: &'a str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("key.json is JSON ({e}): {text}"))
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
/// entries its kind declares for key.csv (`Solved::key_csv`), as `Solved::write_key`
/// wrote them and handed them back (`picked[i]`: params, then answers). The columns of
/// a pool's problem also name the kind the student got (`P3.softmax_ce.loss`), so that
/// two kinds' answers of the same name never share a column.
pub fn answer_cells(
    slots: &[Slot],
    solved: &[Solved],
    picked: &[Vec<Option<String>>],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, ((slot, problem), picked)) in slots.iter().zip(solved).zip(picked).enumerate() {
        let prefix = column_prefix(slot, i, problem);
        for ((_, field), value) in problem.key_csv().entries().zip(picked) {
            let column = format!("{prefix}.{field}");
            match value {
                Some(raw) => flatten_raw(&column, raw, &mut out),
                None => out.push((column, String::new())),
            }
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
/// staging directory until the header (the union of all columns) is known. A column
/// keeps the place it got when it first appeared, so the rows wait with their cells'
/// places rather than their columns' names.
pub struct Writer {
    /// The file it writes: key.csv, or the answer sheet's CSV files.
    name: &'static str,
    rows: BufWriter<std::fs::File>,
    scratch: PathBuf,
    columns: Vec<String>,
    /// Each column's place in `columns`.
    places: std::collections::HashMap<String, u32>,
}

/// A row as it waits in the scratch file: id, name, code, and (place, value) cells.
type Waiting<'a> = (&'a str, &'a str, &'a str, Vec<(u32, &'a str)>);

impl Writer {
    pub fn begin(staging: &mut Staging) -> Result<Writer> {
        Writer::named(staging, "key.csv")
    }

    /// A writer of another file with key.csv's layout (the answer sheet's CSV files).
    pub fn named(staging: &mut Staging, name: &'static str) -> Result<Writer> {
        let scratch = staging.dir().join(format!(".{name}-rows"));
        let file = std::fs::File::create(&scratch).map_err(|source| Error::Write {
            path: scratch.clone(),
            source,
        })?;
        Ok(Writer {
            name,
            rows: BufWriter::new(file),
            scratch,
            columns: Vec::new(),
            places: Default::default(),
        })
    }

    fn io_error(&self) -> impl Fn(std::io::Error) -> Error + '_ {
        |source| Error::Write {
            path: self.scratch.clone(),
            source,
        }
    }

    pub fn row(&mut self, row: &Row) -> Result<()> {
        let mut cells = Vec::with_capacity(row.cells.len());
        for (column, value) in &row.cells {
            let place = match self.places.get(column) {
                Some(&place) => place,
                None => {
                    let place = u32::try_from(self.columns.len()).expect("fewer than 2^32 columns");
                    self.places.insert(column.clone(), place);
                    self.columns.push(column.clone());
                    place
                }
            };
            cells.push((place, value.as_str()));
        }
        let waiting: Waiting = (&row.id, &row.name, &row.code, cells);
        let record = postcard::to_stdvec(&waiting).expect("a row always serializes");
        let length = u32::try_from(record.len()).expect("a row is under 4 GiB");
        self.rows
            .write_all(&length.to_le_bytes())
            .and_then(|()| self.rows.write_all(&record))
            .map_err(self.io_error())
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
        let mut input = std::io::BufReader::new(input);
        let mut record = Vec::new();
        let mut length = [0u8; 4];
        loop {
            match input.read_exact(&mut length) {
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                other => other.map_err(self.io_error())?,
            }
            record.resize(u32::from_le_bytes(length) as usize, 0);
            input.read_exact(&mut record).map_err(self.io_error())?;
            let (id, name, code, cells): Waiting =
                postcard::from_bytes(&record).expect("rows are written by Writer::row");
            let mut line = Vec::with_capacity(3 + self.columns.len());
            line.extend([id, name, code].map(cell));
            let fixed = line.len();
            line.resize(fixed + self.columns.len(), "".into());
            // A column a row names twice shows its first value, as `to_text` does
            // (backprop_graph's params and answers both have a `loss`).
            for (place, value) in cells.into_iter().rev() {
                line[fixed + place as usize] = cell(value);
            }
            out.write_record(line.iter().map(|c| c.as_bytes()))
                .map_err(out_error)?;
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

    /// The class writer (rows waiting by their cells' places) writes what `to_text`
    /// writes: columns in order of first appearance, gaps empty, a column named twice in
    /// a row showing its first value, every cell as a spreadsheet must see it.
    #[test]
    fn the_class_writer_writes_what_to_text_writes() {
        let row = |id: &str, name: &str, cells: &[(&str, &str)]| Row {
            id: id.into(),
            name: name.into(),
            code: "C-1".into(),
            cells: cells
                .iter()
                .map(|(c, v)| (c.to_string(), v.to_string()))
                .collect(),
        };
        let rows = vec![
            row(
                "1",
                "Ana, \"A\"",
                &[("P1.loss", "mse"), ("P1.x[0]", "-1/2"), ("P1.loss", "8.0")],
            ),
            row("2", "=cmd", &[("P2.y", "3"), ("P1.x[0]", "0.5")]),
            row("3", "Ivan", &[]),
            row(
                "4",
                "Zoë",
                &[
                    ("P1.loss", "l1"),
                    ("P3.z", "=1"),
                    ("P2.y", ""),
                    ("P1.loss", "2"),
                ],
            ),
        ];
        let dir = std::env::temp_dir().join(format!("examgen-keycsv-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut staging =
            Staging::begin(&dir, false, crate::export::commit::Mode::Replace).unwrap();
        let mut writer = Writer::begin(&mut staging).unwrap();
        for r in &rows {
            writer.row(r).unwrap();
        }
        writer.finish(&mut staging).unwrap();
        let written = std::fs::read_to_string(staging.dir().join("key.csv")).unwrap();
        drop(staging);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(written, to_text(&rows));
        assert!(
            written.contains("\r\n1,\"Ana, \"\"A\"\"\",C-1,mse,-1/2,,\r\n"),
            "{written}"
        );
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
