//! The answers file a TA types in: one row per student (`id`, optionally `name` and
//! `variant_code`, then one column per answer-sheet box, as `answers-template.csv` has
//! them). Values are decimals with a point or a comma (`0.25`, `0,25`, `-1.5e-3`) or
//! fractions (`29/36`); a blank cell is an answer left blank. The file may be separated
//! by commas (decimal commas then quoted, as spreadsheets write them), semicolons (what
//! a spreadsheet in a decimal-comma locale writes) or tabs.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The largest answers file read (a class of thousands is well under it).
pub const MAX_BYTES: u64 = 64 << 20;

/// One student's row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The line the row starts on (1-based; the header is line 1).
    pub line: u64,
    /// The student's id (or, for a class made with `--count`, the variant code).
    pub who: String,
    /// The variant code, when the file has the column and the cell is filled.
    pub code: Option<String>,
    /// The name, when the file has the column (a fixed exam's key has no names).
    pub name: String,
    /// The entered values by column.
    pub values: HashMap<String, f64>,
}

/// The file, read and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Answers {
    pub path: PathBuf,
    /// Which column names the student: `id`, or `variant_code` when there is no `id`.
    pub key_column: &'static str,
    pub rows: Vec<Row>,
}

fn error(path: &Path, line: u64, message: impl Into<String>) -> Error {
    Error::Answers {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// The separator of a header line: `;` or a tab when the line has one and no comma.
fn separator(header: &str) -> u8 {
    if header.contains(',') {
        b','
    } else if header.contains(';') {
        b';'
    } else if header.contains('\t') {
        b'\t'
    } else {
        b','
    }
}

/// Reads the answers file; `known` tells whether a column is a box of some student's
/// answer sheet.
pub fn read(path: &Path, known: &dyn Fn(&str) -> bool) -> Result<Answers> {
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    if size > MAX_BYTES {
        return Err(error(
            path,
            1,
            format!("the file is {size} bytes; an answers file may have at most {MAX_BYTES}"),
        ));
    }
    let bytes = std::fs::read(path).map_err(read_error)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        error(
            path,
            line,
            "the file is not UTF-8 text; save it from the spreadsheet as CSV UTF-8",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    parse(text, path, known)
}

/// Parses the text of an answers file (`path` for messages).
pub fn parse(text: &str, path: &Path, known: &dyn Fn(&str) -> bool) -> Result<Answers> {
    let header_line = text.lines().next().unwrap_or("");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(header_line))
        .flexible(false)
        .from_reader(text.as_bytes());
    let csv_error = |e: csv::Error| {
        let line = e.position().map_or(1, |p| p.line());
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!(
                "this row has {len} cells but the header has {expected_len}; every row needs \
                 one cell per column (leave a cell empty for a blank answer)"
            ),
            _ => format!("not a readable CSV row: {e}"),
        };
        error(path, line, message)
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut seen = HashSet::new();
    for (i, column) in header.iter().enumerate() {
        if column.is_empty() {
            return Err(error(path, 1, format!("column {} has no name", i + 1)));
        }
        if !seen.insert(column.as_str()) {
            return Err(error(
                path,
                1,
                format!("the column `{column}` appears twice"),
            ));
        }
        if !["id", "name", "variant_code"].contains(&column.as_str()) && !known(column) {
            return Err(error(
                path,
                1,
                format!(
                    "unknown column `{column}`: no student's answer sheet has this box; the \
                     columns are those of answers-template.csv (id, name, variant_code, then \
                     e.g. P1.loss or P2.h[0][1])"
                ),
            ));
        }
    }
    let key_column = if seen.contains("id") {
        "id"
    } else if seen.contains("variant_code") {
        "variant_code"
    } else {
        return Err(error(
            path,
            1,
            "the file needs a column `id` (or `variant_code` for variants made with --count) \
             naming each row's student",
        ));
    };
    let position = |name: &str| header.iter().position(|h| h == name);
    let (who_at, code_at) = (
        position(key_column).expect("checked"),
        position("variant_code"),
    );
    let mut rows: Vec<Row> = Vec::new();
    let mut lines: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let who = record[who_at].trim().to_string();
        if who.is_empty() {
            return Err(error(
                path,
                line,
                format!("the `{key_column}` cell is empty"),
            ));
        }
        if let Some(first) = lines.insert(who.clone(), line) {
            return Err(error(
                path,
                line,
                format!("{key_column} `{who}` has a row already, on line {first}; keep one row per student"),
            ));
        }
        let code = code_at
            .map(|i| record[i].trim().to_string())
            .filter(|c| !c.is_empty());
        let name = position("name").map_or(String::new(), |i| record[i].trim().to_string());
        let mut values = HashMap::new();
        for (column, cell) in header.iter().zip(record.iter()) {
            if ["id", "name", "variant_code"].contains(&column.as_str()) || cell.trim().is_empty() {
                continue;
            }
            let value = number(cell)
                .map_err(|why| error(path, line, format!("{column}: `{}` {why}", cell.trim())))?;
            values.insert(column.clone(), value);
        }
        rows.push(Row {
            line,
            who,
            code,
            name,
            values,
        });
    }
    Ok(Answers {
        path: path.to_path_buf(),
        key_column,
        rows,
    })
}

/// What a cell may hold, for messages.
const FORMS: &str =
    "write a decimal with a point or a comma (0.25, 0,25, -1.5) or a fraction (1/4)";

/// An entered value: a decimal with a point or a comma, or a fraction of two decimals.
pub fn number(cell: &str) -> std::result::Result<f64, String> {
    let text = cell.trim().replace('\u{2212}', "-");
    let value = match text.split_once('/') {
        Some((num, den)) => {
            let (num, den) = (decimal(num.trim())?, decimal(den.trim())?);
            if den == 0.0 {
                return Err("divides by zero".into());
            }
            num / den
        }
        None => decimal(&text)?,
    };
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("is too large; {FORMS}"))
    }
}

/// `[+-]digits[(.|,)digits][e[+-]digits]`.
fn decimal(text: &str) -> std::result::Result<f64, String> {
    let not_a_number = || format!("is not a number; {FORMS}");
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let marks = mantissa
        .bytes()
        .filter(|b| matches!(b, b'.' | b','))
        .count();
    if marks > 1 {
        return Err(format!(
            "has more than one decimal mark (thousands separators are not read); {FORMS}"
        ));
    }
    let (int, frac) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
    let ok = digits(int)
        && digits(frac)
        && !(int.is_empty() && frac.is_empty())
        && exponent.is_none_or(|e| !e.is_empty() && digits(e));
    if !ok {
        return Err(not_a_number());
    }
    text.replace(',', ".").parse().map_err(|_| not_a_number())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_tas_type_them() {
        for (cell, value) in [
            ("0.25", 0.25),
            ("0,25", 0.25),
            (" -1,5 ", -1.5),
            ("\u{2212}2", -2.0),
            ("+3", 3.0),
            ("29/36", 29.0 / 36.0),
            ("-1 / 4", -0.25),
            ("1,5/3", 0.5),
            (",5", 0.5),
            ("2.", 2.0),
            ("1e-3", 0.001),
        ] {
            assert_eq!(number(cell), Ok(value), "{cell}");
        }
        for cell in [
            "abc", "1.000,5", "inf", "NaN", "1/0", "ln2", "", "-", "1e", "1/2/3", "0x10",
        ] {
            assert!(number(cell).is_err(), "{cell}");
        }
    }

    fn known(c: &str) -> bool {
        c.starts_with("P1.")
    }

    fn read_text(text: &str) -> Result<Answers> {
        parse(text, Path::new("answers.csv"), &known)
    }

    #[test]
    fn rows_by_id_with_commas_semicolons_and_blanks() {
        let a = read_text("id,name,P1.loss,P1.p[0]\n1,Ana,\"0,5\",\n2,Ivo,1/2,0.25\n").unwrap();
        assert_eq!(a.key_column, "id");
        assert_eq!(
            a.rows[0].values,
            HashMap::from([("P1.loss".to_string(), 0.5)])
        );
        assert_eq!(a.rows[1].values["P1.p[0]"], 0.25);
        assert_eq!(a.rows[1].line, 3);
        let a = read_text("id;P1.loss\n1;0,5\n").unwrap();
        assert_eq!(a.rows[0].values["P1.loss"], 0.5);
        let a = read_text("variant_code,P1.loss\nAAAA,1\n").unwrap();
        assert_eq!(
            (a.key_column, a.rows[0].who.as_str()),
            ("variant_code", "AAAA")
        );
    }

    #[test]
    fn bad_files_name_the_line_and_the_field() {
        for (text, line, phrase) in [
            ("id,P1.loss\n1,abc\n", 2, "P1.loss: `abc` is not a number"),
            ("id,P9.x\n1,2\n", 1, "unknown column `P9.x`"),
            ("name,P1.loss\nAna,2\n", 1, "needs a column `id`"),
            ("id,P1.loss,P1.loss\n1,2,3\n", 1, "appears twice"),
            ("id,P1.loss\n1,2\n1,3\n", 3, "has a row already, on line 2"),
            (
                "id,P1.loss\n1,2,3\n",
                2,
                "this row has 3 cells but the header has 2",
            ),
            ("id,P1.loss\n,2\n", 2, "the `id` cell is empty"),
        ] {
            let e = read_text(text).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("answers.csv:{line}: ")),
                "{text}: {e}"
            );
            assert!(e.contains(phrase), "{text}: {e}");
        }
    }
}
