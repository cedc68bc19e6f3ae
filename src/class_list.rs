//! Class lists: the CSV file of students (`id`, `name`, any other columns ignored), as a
//! spreadsheet writes it — UTF-8 with or without BOM, CRLF or LF, quoted fields.
//!
//! Every problem is reported with the file, the row (1-based line of the file, counting
//! the header) and the column, and what to change. Student ids become file names only
//! through [`file_id`].
//!
//! Ids and names are read in Unicode NFC: macOS and some spreadsheet exports write
//! `č` as `c` + combining caron (NFD), which must print, compare and name files exactly
//! like the precomposed letter, so two ids that differ only in that form are one id.

use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use crate::names::Names;

use crate::error::{Error, Result};

/// One student of a class.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Student {
    pub id: String,
    pub name: String,
}

impl Student {
    /// Says which characters of this student's id and name the sheets cannot show
    /// (they print a `[U+XXXX]` placeholder instead), or `None` when all can be set.
    pub fn unsettable_warning(&self) -> Option<String> {
        unsettable_warning(&self.id, &self.name)
    }
}

/// The students of a class list in file order, their ids and names in one buffer (a run
/// holds the whole class: as `Student`s, 100,000 of them would take about 11 MB).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Students {
    /// Each student's id, then name.
    texts: Names,
}

impl Students {
    /// How many students.
    pub fn len(&self) -> usize {
        self.texts.len() / 2
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The `i`-th student's id.
    pub fn id(&self, i: usize) -> &str {
        self.texts.get(2 * i)
    }

    /// The `i`-th student's name.
    pub fn name(&self, i: usize) -> &str {
        self.texts.get(2 * i + 1)
    }

    /// A copy of the `i`-th student.
    pub fn get(&self, i: usize) -> Student {
        Student {
            id: self.id(i).to_string(),
            name: self.name(i).to_string(),
        }
    }

    /// Copies of the students, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Student> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Adds a student at the end.
    pub fn push(&mut self, id: &str, name: &str) {
        self.texts.push(id);
        self.texts.push(name);
    }

    /// What [`Student::unsettable_warning`] says of each student, in order.
    pub fn unsettable_warnings(&self) -> Vec<String> {
        (0..self.len())
            .filter_map(|i| unsettable_warning(self.id(i), self.name(i)))
            .collect()
    }
}

impl FromIterator<Student> for Students {
    fn from_iter<I: IntoIterator<Item = Student>>(iter: I) -> Students {
        let mut students = Students::default();
        for student in iter {
            students.push(&student.id, &student.name);
        }
        students
    }
}

fn unsettable_warning(id: &str, name: &str) -> Option<String> {
    let mut chars = crate::render::escape::unsettable(id);
    for c in crate::render::escape::unsettable(name) {
        if !chars.contains(&c) {
            chars.push(c);
        }
    }
    if chars.is_empty() {
        return None;
    }
    let listed: Vec<String> = chars
        .iter()
        .map(|&c| format!("{c} (U+{:04X})", u32::from(c)))
        .collect();
    Some(format!(
        "student {id} ({name}): pdflatex cannot set {}, so the sheets print the code point \
         instead; key.json and key.csv keep the name as written",
        listed.join(", ")
    ))
}

/// A checked class list, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassList {
    pub path: PathBuf,
    pub students: Students,
}

fn invalid(path: &Path, line: usize, message: impl Into<String>) -> Error {
    Error::ClassList {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Reads and checks a class list file.
pub fn load(path: &Path) -> Result<ClassList> {
    use std::io::Read;
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    // Read at most one byte past the limit: `/dev/zero` or a runaway export must not
    // fill the memory before it is refused.
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(invalid(
            path,
            1,
            format!(
                "the file is larger than {} MiB; a class list of 100,000 students is about 5 MiB \
                 (is this the right file?)",
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    parse(&bytes, path)
}

/// Largest class-list file read.
pub const MAX_FILE_BYTES: u64 = 32 << 20;
/// Longest `id`, in characters (ids become file names and are typed by staff).
pub const MAX_ID_CHARS: usize = 64;
/// Longest `name`, in characters (it is printed in every page header).
pub const MAX_NAME_CHARS: usize = 200;

/// Parses class-list bytes; `path` is used in messages only.
pub fn parse(bytes: &[u8], path: &Path) -> Result<ClassList> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(invalid(
            path,
            1,
            "the file is empty; the first line must be a header with the columns `id` and `name`",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(csv_error(path, &e)),
        None => return Err(invalid(path, 1, "the file has no header line")),
    };
    let header: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, f)| {
            std::str::from_utf8(f)
                .map(|s| s.trim().to_lowercase())
                .map_err(|_| {
                    invalid(
                        path,
                        1,
                        format!("column {} of the header is not UTF-8 text", i + 1),
                    )
                })
        })
        .collect::<Result<_>>()?;
    let column = |name: &str| header.iter().position(|h| h == name);
    for name in ["id", "name"] {
        let mut at = header.iter().enumerate().filter(|(_, h)| *h == name);
        if let (Some((first, _)), Some((second, _))) = (at.next(), at.next()) {
            return Err(invalid(
                path,
                1,
                format!(
                    "the header has two `{name}` columns (columns {} and {}); keep one of them or rename the other",
                    first + 1,
                    second + 1
                ),
            ));
        }
    }
    let (Some(id_col), Some(name_col)) = (column("id"), column("name")) else {
        let missing: Vec<&str> = ["id", "name"]
            .into_iter()
            .filter(|c| column(c).is_none())
            .collect();
        return Err(invalid(
            path,
            1,
            format!(
                "the header has no `{}` column (found: {}); the first line must name the columns, e.g. `id,name`",
                missing.join("` or `"),
                if header.is_empty() { "nothing".to_string() } else { header.join(", ") }
            ),
        ));
    };

    if let Some(line) = open_quote(bytes) {
        return Err(invalid(
            path,
            line,
            "a field opened with `\"` here is never closed (the file may be cut short); \
             close the quote or remove it",
        ));
    }
    let mut students = Students::default();
    // The line of each student, for the check of ids used twice (done once at the end, by
    // sorting: a map of every id would hold a second copy of the ids).
    let mut rows: Vec<usize> = Vec::new();
    let read = read_students(
        path,
        bytes,
        records,
        id_col,
        name_col,
        &mut students,
        &mut rows,
    );
    // An id used twice is the error when its second line comes before the problem that
    // stopped the reading (if any), as when every row is checked in turn.
    if let Some((first, again)) = first_repeat(&students) {
        return Err(invalid(
            path,
            rows[again],
            format!(
                "the id `{}` is already used on line {}; ids must be unique",
                students.id(again),
                rows[first]
            ),
        ));
    }
    read?;
    if students.is_empty() {
        return Err(invalid(
            path,
            2,
            "the class list has a header but no students",
        ));
    }

    Ok(ClassList {
        path: path.to_path_buf(),
        students,
    })
}

/// Reads the student rows into `students`, and the line of each into `rows`, stopping at
/// the first row that is not a student (`students` then holds the rows before it).
fn read_students(
    path: &Path,
    bytes: &[u8],
    records: csv::ByteRecordsIter<'_, &[u8]>,
    id_col: usize,
    name_col: usize,
    students: &mut Students,
    rows: &mut Vec<usize>,
) -> Result<()> {
    let mut lines = LineCounter::default();
    for record in records {
        let record = record.map_err(|e| csv_error(path, &e))?;
        let line = record
            .position()
            .map_or(0, |p| lines.line_at(bytes, p.byte()));
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let field = |col: usize, what: &str| -> Result<String> {
            let raw = record.get(col).unwrap_or(b"");
            let text = std::str::from_utf8(raw).map_err(|e| {
                invalid(
                    path,
                    line,
                    format!(
                        "column `{what}` is not UTF-8 text (invalid byte at position {}); save the file as UTF-8",
                        e.valid_up_to() + 1
                    ),
                )
            })?;
            let text = text.trim();
            let limit = if what == "id" {
                MAX_ID_CHARS
            } else {
                MAX_NAME_CHARS
            };
            if text.chars().nth(limit).is_some() {
                return Err(invalid(
                    path,
                    line,
                    format!("the `{what}` is longer than {limit} characters; shorten it"),
                ));
            }
            Ok(text.nfc().collect::<String>())
        };
        let id = field(id_col, "id")?;
        let name = field(name_col, "name")?;
        if id.is_empty() {
            return Err(invalid(
                path,
                line,
                "the `id` is empty; every student needs an id",
            ));
        }
        if name.is_empty() {
            return Err(invalid(
                path,
                line,
                "the `name` is empty; every student needs a name (it is printed on the sheets)",
            ));
        }
        if id.contains(['\n', '\r']) || name.contains(['\n', '\r']) {
            return Err(invalid(
                path,
                line,
                "a quoted `id` or `name` runs over a line break; is a `\"` left open here?",
            ));
        }
        if id.chars().any(char::is_control) || name.chars().any(char::is_control) {
            return Err(invalid(
                path,
                line,
                "control characters (such as tabs or line breaks inside quotes) are not allowed in `id` or `name`",
            ));
        }
        students.push(&id, &name);
        rows.push(line);
    }
    Ok(())
}

/// The first id used twice, in the order of the file: (its first student, the student
/// that uses it again), the second as early as any.
fn first_repeat(students: &Students) -> Option<(usize, usize)> {
    let id = |s: u32| students.id(s as usize);
    // A class list of at most 32 MiB has fewer than 2^32 rows.
    let mut order: Vec<u32> = (0..students.len() as u32).collect();
    // Stable: a repeated id's students stay in file order.
    order.sort_by(|&a, &b| id(a).cmp(id(b)));
    order
        .windows(2)
        .filter(|w| id(w[0]) == id(w[1]))
        .map(|w| (w[0] as usize, w[1] as usize))
        .min_by_key(|&(_, again)| again)
}

/// The 1-based lines of the records' byte offsets, counted from the line ends (so CRLF
/// and LF files give the same numbers), incrementally: offsets only grow, so the file is
/// scanned once, not once per record.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: usize,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], offset: u64) -> usize {
        let mut end = (offset as usize).min(bytes.len());
        // With CRLF the reader may place a record's start on the previous line's '\n'.
        while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        if end < self.offset {
            // Not expected (records come in order); count from the start again.
            *self = LineCounter::default();
        }
        self.newlines += bytes[self.offset..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = end;
        self.newlines + 1
    }
}

/// The line of a `"` that opens a quoted field and is never closed, as RFC 4180 reads
/// quotes: one opens a field only at its start, `""` inside a quoted field is a quote,
/// and a `"` in the middle of an unquoted field is text. (The csv reader accepts an
/// unterminated quote on the last row silently, reading the rest of the file as that
/// field: a file cut short would lose students without a word.)
fn open_quote(bytes: &[u8]) -> Option<usize> {
    let mut line = 1;
    let mut opened_on = 0;
    let mut in_quotes = false;
    let mut field_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_quotes {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            }
        } else if b == b'"' && field_start {
            in_quotes = true;
            opened_on = line;
        } else {
            field_start = matches!(b, b',' | b'\n' | b'\r');
        }
        if b == b'\n' {
            line += 1;
        }
        if b == b'"' && in_quotes {
            field_start = false;
        }
        i += 1;
    }
    in_quotes.then_some(opened_on)
}

fn csv_error(path: &Path, e: &csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line() as usize);
    invalid(path, line, format!("not valid CSV: {e}"))
}

/// Longest file-name stem made from an id (file systems allow 255 bytes per name).
const MAX_STEM: usize = 120;

/// A safe file-name stem for a student id, one-to-one: ASCII letters, digits, `-` and `.`
/// are kept, every other byte becomes `_` and two hex digits (so `_` itself is `_5F`), and
/// a leading `.` or `-` is escaped too. No stem names a path outside the output
/// directory, and two ids never share a stem; only an id whose stem would be longer than
/// 120 bytes is cut and given a hash, and a class run checks that no two stems clash.
pub fn file_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for (i, b) in id.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric() || (i > 0 && matches!(b, b'-' | b'.'));
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("_{b:02X}"));
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    if out.len() > MAX_STEM {
        out.truncate(MAX_STEM - 17);
        out.push_str(&format!("-{:016x}", crate::variant::fnv1a64(id.as_bytes())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &[u8]) -> Vec<Student> {
        parse(text, Path::new("class.csv"))
            .unwrap()
            .students
            .iter()
            .collect()
    }

    fn err(text: &[u8]) -> String {
        parse(text, Path::new("class.csv")).unwrap_err().to_string()
    }

    #[test]
    fn reads_what_spreadsheets_write() {
        let s = ok(b"\xEF\xBB\xBFID,Name,email\r\n1,\"Kova\xC4\x8Di\xC4\x87, Ana \"\"A\"\"\",a@x\r\n2,\xC5\xBDeljko \xC4\x90uri\xC4\x87,\r\n");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "Kovačić, Ana \"A\"");
        assert_eq!(s[1].name, "Željko Đurić");
    }

    #[test]
    fn names_the_line_of_each_problem() {
        assert!(err(b"").contains("empty"));
        assert!(err(b"name,email\nAna,x\n").contains("no `id` column"));
        assert!(err(b"id,name\n1,Ana\n2,Ivo\n1,Eva\n").starts_with("class.csv:4:"));
        let crlf = err(b"id,name\r\n7,Ana\r\n7,Ivo\r\n");
        assert!(
            crlf.starts_with("class.csv:3:") && crlf.contains("line 2"),
            "{crlf}"
        );
        assert!(err(b"id,name\n1,Ana\n,Ivo\n").starts_with("class.csv:3:"));
        assert!(err(b"id,name\n1,An\xFFa\n").contains("not UTF-8"));
        assert!(err(b"id,name\n").contains("no students"));
    }

    #[test]
    fn the_first_id_used_again_in_file_order_is_the_error_unless_a_problem_comes_first() {
        // `b` comes again on line 5 (after its line 3), `a` on lines 6 and 7: line 5 is
        // the first row that repeats an id, and it names b's first line.
        let class = "id,name\na,A\nb,B\nc,C\nb,B2\na,A2\na,A3\n";
        assert!(
            err(class.as_bytes()).starts_with("class.csv:5: the id `b` is already used on line 3;"),
            "{}",
            err(class.as_bytes())
        );
        // A row that cannot be read after the repeat: still the repeat.
        let later = format!("{class}d,\n");
        assert!(err(later.as_bytes()).starts_with("class.csv:5: the id `b`"));
        // One before it: that row, as when every row is checked in turn.
        let earlier = "id,name\na,A\nb,B\n,nobody\nb,B2\n";
        let e = err(earlier.as_bytes());
        assert!(
            e.starts_with("class.csv:4:") && e.contains("`id` is empty"),
            "{e}"
        );
        // Ids are compared exactly: `A` is not `a`.
        assert_eq!(ok(b"id,name\na,x\nA,y\n").len(), 2);
    }

    #[test]
    fn ids_and_names_are_read_in_nfc() {
        // "Čolić" and id "Ž1" written as base letters + combining caron/acute (NFD).
        let s = ok("id,name\nZ\u{30C}1,C\u{30C}oli\u{107}\n".as_bytes());
        assert_eq!(s[0].id, "Ž1");
        assert_eq!(s[0].name, "Čolić");
        let e = err("id,name\nŽ1,Ana\nZ\u{30C}1,Ivo\n".as_bytes());
        assert!(
            e.starts_with("class.csv:3:") && e.contains("already used on line 2"),
            "{e}"
        );
    }

    #[test]
    fn warns_about_characters_the_sheets_cannot_show() {
        let student = |id: &str, name: &str| Student {
            id: id.into(),
            name: name.into(),
        };
        let w = student("7", "李小龍 Lee").unsettable_warning().unwrap();
        assert!(
            w.starts_with("student 7 (李小龍 Lee): ")
                && w.contains("李 (U+674E), 小 (U+5C0F), 龍 (U+9F8D)"),
            "{w}"
        );
        let w = student("😀1", "Ana 😀").unsettable_warning().unwrap();
        assert_eq!(w.matches("U+1F600").count(), 1, "{w}");
        for (id, name) in [
            ("1", "Čolić"),
            ("2", "Петровић"),
            ("3", "Nguyễn"),
            ("4", "A\u{200B}na"),
        ] {
            assert_eq!(student(id, name).unsettable_warning(), None, "{name}");
        }
    }

    #[test]
    fn a_duplicated_header_column_is_an_error() {
        let e = err(b"id,name,ID\n1,Ana,2\n");
        assert!(
            e.starts_with("class.csv:1:") && e.contains("two `id` columns (columns 1 and 3)"),
            "{e}"
        );
        let e = err(b"name,id,Name\nAna,1,Eva\n");
        assert!(e.contains("two `name` columns (columns 1 and 3)"), "{e}");
    }

    /// Found by a third review: a file cut short inside a quoted field was read as if
    /// the rest were that field, and rows without a name were accepted.
    #[test]
    fn cut_short_files_and_missing_names_are_errors() {
        for text in [
            &b"id,name\n1,A\n2,\"Unterminated\n"[..],
            b"id,name\n1,A\n2,\"Unterminated",
        ] {
            let e = err(text);
            assert!(
                e.starts_with("class.csv:3:") && e.contains("never closed"),
                "{e}"
            );
        }
        let e = err(b"id,name\n1,\"Ana\n2,Ivan\n");
        assert!(
            e.starts_with("class.csv:2:") && e.contains("never closed"),
            "{e}"
        );
        // Quotes that RFC 4180 reads as text or as an escaped quote are fine.
        let s = ok(b"id,name\n1,O\"Brien\n2,\"Ana \"\"B\"\"\"\n");
        assert_eq!(s[0].name, "O\"Brien");
        assert_eq!(s[1].name, "Ana \"B\"");
        for text in [&b"id,name\n1\n"[..], b"id,name\n1,\n", b"id,name\n1, \n"] {
            let e = err(text);
            assert!(
                e.starts_with("class.csv:2:") && e.contains("`name` is empty"),
                "{e}"
            );
        }
    }

    #[test]
    fn ids_and_names_have_a_length_limit() {
        let long_id = format!("id,name\n{},Ana\n", "1".repeat(MAX_ID_CHARS + 1));
        assert!(err(long_id.as_bytes()).contains("longer than 64"));
        let long_name = format!("id,name\n1,{}\n", "a".repeat(MAX_NAME_CHARS + 1));
        assert!(err(long_name.as_bytes()).contains("longer than 200"));
        let fits = format!(
            "id,name\n{},{}\n",
            "1".repeat(MAX_ID_CHARS),
            "Č".repeat(MAX_NAME_CHARS)
        );
        assert_eq!(ok(fits.as_bytes()).len(), 1);
    }

    #[test]
    fn a_file_over_the_limit_is_refused_unread() {
        let e = load(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(
            e.starts_with("/dev/zero:1:") && e.contains("larger than 32 MiB"),
            "{e}"
        );
    }

    #[test]
    fn line_numbers_of_many_records_are_counted_once() {
        let mut text = String::from("id,name\r\n");
        for k in 0..50_000 {
            text.push_str(&format!("{k},N\r\n"));
        }
        text.push_str("7,Dup\r\n");
        let e = err(text.as_bytes());
        assert!(
            e.starts_with("class.csv:50002:") && e.contains("line 9"),
            "{e}"
        );
    }

    #[test]
    fn file_ids_are_safe_and_distinct() {
        assert_eq!(file_id("0036512345"), "0036512345");
        for bad in ["../etc/passwd", "a/b", "-rf", ".hidden", "a b", ""] {
            let f = file_id(bad);
            assert!(
                !f.contains('/') && !f.starts_with(['-', '.']) && !f.is_empty(),
                "{f}"
            );
        }
        assert_ne!(file_id("a b"), file_id("a_b"));
        assert_ne!(file_id("a/b"), file_id("a_b"));
    }
}
