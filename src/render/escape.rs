//! The one path through which user text (student names, ids, exam titles) reaches LaTeX.
//!
//! Anything a user typed must print literally in pdflatex text mode and must never be
//! interpreted as markup: `\input{/etc/passwd}` or `\write18{...}` in a name would
//! otherwise read files or run commands at compile time. askama applies [`Tex`] to
//! every expression in a `.tex` template (see `askama.toml`), so templates only opt
//! out, with `|safe`, for math that Rust formatted itself.
//!
//! Real class lists also hold names that T1 fonts cannot show, and one character
//! pdflatex cannot set stops the whole sheet. So every character is set one of four
//! ways: as itself (T1 and the text companion symbols), with LaTeX accent commands over
//! its base letter (Vietnamese and other stacked diacritics), inside a T2A or LGR font
//! encoding group (Cyrillic, Greek; the preamble loads them only when a sheet uses
//! them, see [`encodings_used`]), or as a visible `[U+XXXX]` placeholder, which
//! [`unsettable`] reports so the run can warn. Invisible format characters (zero-width,
//! bidi controls) are dropped: they carry no letter and pdflatex cannot set them.

use std::fmt::{self, Write};

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Escapes `s` so that pdflatex (UTF-8 input, T1 fonts) prints it literally in text mode.
pub fn escape_tex(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    write_tex(&mut out, s).expect("writing to a String cannot fail");
    out
}

/// askama escaper for `.tex` templates; configured in `askama.toml`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tex;

impl askama::filters::Escaper for Tex {
    fn write_escaped_str<W: Write>(&self, dest: W, string: &str) -> fmt::Result {
        write_tex(dest, string)
    }
}

/// A font encoding besides T1 that escaped text may switch to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FontEncoding {
    /// Cyrillic (texlive-lang-cyrillic).
    T2A,
    /// Greek (texlive-lang-greek).
    Lgr,
}

impl FontEncoding {
    pub const ALL: [FontEncoding; 2] = [FontEncoding::T2A, FontEncoding::Lgr];

    /// The name `fontenc` and `\fontencoding` take.
    pub fn name(self) -> &'static str {
        match self {
            FontEncoding::T2A => "T2A",
            FontEncoding::Lgr => "LGR",
        }
    }

    /// What the escaper writes to open a group in this encoding.
    fn opening(self) -> &'static str {
        match self {
            FontEncoding::T2A => r"{\fontencoding{T2A}\selectfont ",
            FontEncoding::Lgr => r"{\fontencoding{LGR}\selectfont ",
        }
    }
}

/// The extra font encodings that escaped text in `tex` switches to, for the preamble.
/// Only the escaper writes these groups (user text cannot: its backslashes are escaped),
/// so a sheet without Cyrillic or Greek keeps the plain T1 preamble.
pub fn encodings_used(tex: &str) -> Vec<FontEncoding> {
    FontEncoding::ALL
        .into_iter()
        .filter(|e| tex.contains(e.opening()))
        .collect()
}

/// The characters of `s` that pdflatex cannot set and that the escaper replaces with a
/// `[U+XXXX]` placeholder, each once, in order of first appearance.
pub fn unsettable(s: &str) -> Vec<char> {
    let mut out = Vec::new();
    for piece in pieces(s) {
        if let Piece::Placeholder(c) = piece {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// How one character (or a letter with its combining marks) is set.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    /// A character T1 (with the text companion symbols) sets; LaTeX specials are escaped.
    T1(char),
    /// A T1 letter under accent commands, innermost first (e.g. `^` then `'` for ế).
    Accented(char, Vec<&'static str>),
    /// A letter of a script set in another font encoding.
    Script(FontEncoding, char),
    /// A character nothing here can set.
    Placeholder(char),
}

fn write_tex<W: Write>(mut dest: W, s: &str) -> fmt::Result {
    // Printable ASCII (most of what templates print: words, labels, codes) is one T1
    // piece per character, nothing dropped or grouped: written as [`write_pieces`]
    // writes it, without building the pieces.
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            write_t1(&mut dest, c, chars.peek().copied())?;
        }
        return Ok(());
    }
    write_pieces(dest, s)
}

/// [`write_tex`] for any text: piece by piece.
fn write_pieces<W: Write>(mut dest: W, s: &str) -> fmt::Result {
    let pieces = pieces(s);
    let mut group: Option<FontEncoding> = None;
    for (i, piece) in pieces.iter().enumerate() {
        let wanted = match piece {
            Piece::Script(e, _) => Some(*e),
            _ => None,
        };
        if group != wanted {
            if group.is_some() {
                dest.write_char('}')?;
            }
            if let Some(e) = wanted {
                dest.write_str(e.opening())?;
            }
            group = wanted;
        }
        match piece {
            Piece::T1(c) => {
                let next = match pieces.get(i + 1) {
                    Some(Piece::T1(n)) => Some(*n),
                    _ => None,
                };
                write_t1(&mut dest, *c, next)?;
            }
            Piece::Accented(base, accents) => {
                let mut text = String::new();
                write_t1(&mut text, *base, None)?;
                for accent in accents {
                    text = format!("{accent}{{{text}}}");
                }
                dest.write_str(&text)?;
            }
            Piece::Script(_, c) => dest.write_char(*c)?,
            Piece::Placeholder(c) => write!(dest, r"{{\scriptsize[U+{:04X}]}}", u32::from(*c))?,
        }
    }
    if group.is_some() {
        dest.write_char('}')?;
    }
    Ok(())
}

/// One T1 character; `next` is the character written after it, for ligatures.
fn write_t1<W: Write>(mut dest: W, c: char, next: Option<char>) -> fmt::Result {
    match c {
        '\\' => dest.write_str(r"\textbackslash{}"),
        '{' => dest.write_str(r"\{"),
        '}' => dest.write_str(r"\}"),
        '$' | '&' | '%' | '#' | '_' => {
            dest.write_char('\\')?;
            dest.write_char(c)
        }
        '~' => dest.write_str(r"\textasciitilde{}"),
        '^' => dest.write_str(r"\textasciicircum{}"),
        // In OT1 these slots hold other glyphs (¡ ¿ —), in T1 `<<`/`>>` ligate to
        // guillemets, and babel may make `"` active; the text commands print literally.
        '<' => dest.write_str(r"\textless{}"),
        '>' => dest.write_str(r"\textgreater{}"),
        '|' => dest.write_str(r"\textbar{}"),
        '"' => dest.write_str(r"\textquotedbl{}"),
        '`' => dest.write_str(r"\textasciigrave{}"),
        // A user string placed right after `\item` or `\\` must not be read as
        // an optional argument.
        '[' => dest.write_str("{[}"),
        ']' => dest.write_str("{]}"),
        // Break T1 ligatures (`--` → en dash, `''` → ”, `,,` → „) so text stays literal.
        '-' | '\'' | ',' if next == Some(c) => {
            dest.write_char(c)?;
            dest.write_str("{}")
        }
        c => dest.write_char(c),
    }
}

/// `s` as pieces: format characters dropped, line and other separators turned into a
/// space, and each letter taken together with the combining marks that follow it.
fn pieces(s: &str) -> Vec<Piece> {
    let mut clusters: Vec<Vec<char>> = Vec::new();
    for c in s.chars() {
        let c = match c {
            // A newline could end a paragraph or a command argument; a tab is just space.
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => ' ',
            c if is_other_space(c) => ' ',
            c if c.is_control() || crate::invisible::is_invisible(c) => continue,
            c => c,
        };
        match clusters.last_mut() {
            Some(cluster) if is_combining_mark(c) => cluster.push(c),
            _ => clusters.push(vec![c]),
        }
    }
    clusters.iter().filter_map(|c| piece(c)).collect()
}

/// Spaces of other widths than T1 has; a plain space stands in for them.
fn is_other_space(c: char) -> bool {
    matches!(
        c,
        '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

fn piece(cluster: &[char]) -> Option<Piece> {
    if let [c] = cluster {
        if let Some(p) = single(*c) {
            return Some(p);
        }
    }
    // A letter written as base + marks (NFD, as macOS and some spreadsheets save it)
    // prints as its precomposed form when there is one.
    let composed: Vec<char> = cluster.iter().copied().nfc().collect();
    if let [c] = composed[..] {
        if let Some(p) = single(c) {
            return Some(p);
        }
    }
    let decomposed: Vec<char> = cluster.iter().copied().nfd().collect();
    let (&base, marks) = decomposed.split_first()?;
    if is_combining_mark(base) {
        // A mark with no letter to sit on (the text starts with it).
        return None;
    }
    match single(base) {
        Some(Piece::T1(base)) => {
            // Marks above go on the letter first, marks below around that: `\d{\^{e}}`
            // keeps T1's precomposed ê under the dot. A mark without a LaTeX accent
            // (Vietnamese horn and hook) is left out; the letter stays readable.
            let above = marks.iter().filter_map(|&m| accent(m).filter(|a| a.1));
            let below = marks.iter().filter_map(|&m| accent(m).filter(|a| !a.1));
            let accents: Vec<&'static str> = above.chain(below).map(|a| a.0).collect();
            Some(if accents.is_empty() {
                Piece::T1(base)
            } else {
                Piece::Accented(base, accents)
            })
        }
        Some(script @ Piece::Script(..)) => Some(script),
        _ => Some(Piece::Placeholder(cluster[0])),
    }
}

/// How a lone character is set, if it can be.
fn single(c: char) -> Option<Piece> {
    let code = u32::from(c);
    if c.is_ascii() || in_ranges(code, T1_TS1) {
        Some(Piece::T1(c))
    } else if in_ranges(code, T2A_CYRILLIC) {
        Some(Piece::Script(FontEncoding::T2A, c))
    } else if in_ranges(code, LGR_GREEK) {
        Some(Piece::Script(FontEncoding::Lgr, c))
    } else {
        None
    }
}

/// The LaTeX accent command for a combining mark, and whether it sits above the letter.
fn accent(mark: char) -> Option<(&'static str, bool)> {
    Some(match mark {
        '\u{0300}' => (r"\`", true),
        '\u{0301}' => (r"\'", true),
        '\u{0302}' => (r"\^", true),
        '\u{0303}' => (r"\~", true),
        '\u{0304}' => (r"\=", true),
        '\u{0306}' => (r"\u", true),
        '\u{0307}' => (r"\.", true),
        '\u{0308}' => (r#"\""#, true),
        '\u{030A}' => (r"\r", true),
        '\u{030B}' => (r"\H", true),
        '\u{030C}' => (r"\v", true),
        '\u{0323}' => (r"\d", false),
        '\u{0327}' => (r"\c", false),
        '\u{0328}' => (r"\k", false),
        '\u{0331}' => (r"\b", false),
        _ => return None,
    })
}

fn in_ranges(code: u32, ranges: &[(u32, u32)]) -> bool {
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < code {
                std::cmp::Ordering::Less
            } else if lo > code {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Non-ASCII characters that pdflatex with `inputenc` utf8 sets in T1 text: those
/// declared in TeX Live 2022's `t1enc.dfu` and `ts1enc.dfu` and in `utf8.def` itself.
#[rustfmt::skip]
const T1_TS1: &[(u32, u32)] = &[
    (0x00A0, 0x00B7), (0x00B9, 0x0125), (0x0128, 0x0137), (0x0139, 0x013E),
    (0x0141, 0x0148), (0x014A, 0x0165), (0x0168, 0x017E), (0x0192, 0x0192),
    (0x01C4, 0x01D4), (0x01E2, 0x01E3), (0x01E6, 0x01EB), (0x01F0, 0x01F0),
    (0x01F4, 0x01F5), (0x0218, 0x021B), (0x0232, 0x0233), (0x0237, 0x0237),
    (0x02C6, 0x02C7), (0x02D8, 0x02D9), (0x02DB, 0x02DD), (0x0E3F, 0x0E3F),
    (0x1E02, 0x1E03), (0x1E0D, 0x1E0D), (0x1E1E, 0x1E21), (0x1E25, 0x1E25),
    (0x1E30, 0x1E31), (0x1E37, 0x1E37), (0x1E43, 0x1E43), (0x1E45, 0x1E45),
    (0x1E47, 0x1E47), (0x1E5B, 0x1E5B), (0x1E63, 0x1E63), (0x1E6D, 0x1E6D),
    (0x1E8E, 0x1E91), (0x1E9E, 0x1E9E), (0x1EF2, 0x1EF3), (0x2010, 0x2016),
    (0x2018, 0x201A), (0x201C, 0x201E), (0x2020, 0x2022), (0x2026, 0x2026),
    (0x2030, 0x2031), (0x2039, 0x203B), (0x203D, 0x203D), (0x2044, 0x2044),
    (0x204E, 0x204E), (0x2052, 0x2052), (0x20A1, 0x20A1), (0x20A4, 0x20A4),
    (0x20A6, 0x20A6), (0x20A9, 0x20A9), (0x20AB, 0x20AC), (0x20B1, 0x20B1),
    (0x2103, 0x2103), (0x2116, 0x2117), (0x211E, 0x211E), (0x2120, 0x2120),
    (0x2122, 0x2122), (0x2126, 0x2127), (0x212E, 0x212E), (0x2190, 0x2193),
    (0x2329, 0x232A), (0x2422, 0x2423), (0x25E6, 0x25E6), (0x25EF, 0x25EF),
    (0x266A, 0x266A), (0x27E8, 0x27E9), (0x3008, 0x3009), (0xFB00, 0xFB06),
];

/// The Cyrillic letters of `t2aenc.dfu` (texlive-lang-cyrillic).
#[rustfmt::skip]
const T2A_CYRILLIC: &[(u32, u32)] = &[
    (0x0400, 0x045F), (0x0490, 0x0493), (0x0496, 0x049D), (0x04A0, 0x04A5),
    (0x04AA, 0x04AB), (0x04AE, 0x04B3), (0x04B6, 0x04BB), (0x04C0, 0x04C2),
    (0x04D0, 0x04DF), (0x04E2, 0x04E9), (0x04EC, 0x04F5), (0x04F8, 0x04F9),
];

/// The Greek letters of `lgrenc.dfu` (texlive-lang-greek), monotonic and polytonic.
#[rustfmt::skip]
const LGR_GREEK: &[(u32, u32)] = &[
    (0x0374, 0x0375), (0x037A, 0x037A), (0x037E, 0x037E), (0x0384, 0x038A),
    (0x038C, 0x038C), (0x038E, 0x03A1), (0x03A3, 0x03CE), (0x03D0, 0x03D2),
    (0x03D5, 0x03D6), (0x03D8, 0x03DD), (0x03DF, 0x03E1), (0x03F0, 0x03F1),
    (0x03F4, 0x03F5), (0x1F00, 0x1F15), (0x1F18, 0x1F1D), (0x1F20, 0x1F45),
    (0x1F48, 0x1F4D), (0x1F50, 0x1F57), (0x1F59, 0x1F59), (0x1F5B, 0x1F5B),
    (0x1F5D, 0x1F5D), (0x1F5F, 0x1F7D), (0x1F80, 0x1FB4), (0x1FB6, 0x1FC4),
    (0x1FC6, 0x1FD3), (0x1FD6, 0x1FDB), (0x1FDD, 0x1FEF), (0x1FF2, 0x1FF4),
    (0x1FF6, 0x1FFE),
];

#[cfg(test)]
mod tests {
    use super::*;
    use askama::filters::Escaper;

    /// Characters that may appear unescaped in the output of `escape_tex`.
    fn is_dangerous_unescaped(prev: Option<char>, c: char) -> bool {
        matches!(c, '$' | '&' | '%' | '#' | '_') && prev != Some('\\')
    }

    #[test]
    fn escapes_every_special() {
        let cases = [
            ("\\", r"\textbackslash{}"),
            ("{", r"\{"),
            ("}", r"\}"),
            ("$", r"\$"),
            ("&", r"\&"),
            ("%", r"\%"),
            ("#", r"\#"),
            ("_", r"\_"),
            ("~", r"\textasciitilde{}"),
            ("^", r"\textasciicircum{}"),
            ("<", r"\textless{}"),
            (">", r"\textgreater{}"),
            ("|", r"\textbar{}"),
            ("\"", r"\textquotedbl{}"),
            ("`", r"\textasciigrave{}"),
            ("[", "{[}"),
            ("]", "{]}"),
        ];
        for (input, want) in cases {
            assert_eq!(escape_tex(input), want, "input {input:?}");
        }
    }

    #[test]
    fn plain_text_unchanged() {
        assert_eq!(escape_tex("Ana Horvat 0036512345"), "Ana Horvat 0036512345");
        assert_eq!(
            escape_tex("Deep Learning: exam 1."),
            "Deep Learning: exam 1."
        );
        assert_eq!(escape_tex("O'Brien, Ana-Marija"), "O'Brien, Ana-Marija");
        assert_eq!(escape_tex(""), "");
    }

    #[test]
    fn croatian_letters_pass_through() {
        let s = "Čedomir Ćosić, Đurđa Šimić, Žaklina Žužić — čćđšž ČĆĐŠŽ";
        assert_eq!(escape_tex(s), s);
    }

    #[test]
    fn neutralises_injections() {
        assert_eq!(
            escape_tex(r"\input{/etc/passwd}"),
            r"\textbackslash{}input\{/etc/passwd\}"
        );
        assert_eq!(
            escape_tex(r"\write18{rm -rf /}"),
            r"\textbackslash{}write18\{rm -rf /\}"
        );
        assert_eq!(
            escape_tex(r"\catcode`\@=0"),
            r"\textbackslash{}catcode\textasciigrave{}\textbackslash{}@=0"
        );
        assert_eq!(
            escape_tex(r"\def\x{\end{document}}"),
            r"\textbackslash{}def\textbackslash{}x\{\textbackslash{}end\{document\}\}"
        );
        assert_eq!(
            escape_tex("^^5cinput"),
            r"\textasciicircum{}\textasciicircum{}5cinput"
        );
        assert_eq!(escape_tex("$x$ & 100% #1 a_b"), r"\$x\$ \& 100\% \#1 a\_b");
    }

    #[test]
    fn no_backslash_survives_as_a_command_start() {
        let nasty = "\\\\\\{}}{$$&%#_~^<>|\"`[]\n\t\x07\\immediate\\write18{id}";
        let out = escape_tex(nasty);
        // Every backslash in the output starts one of our own escapes.
        let allowed = [
            r"\textbackslash{}",
            r"\{",
            r"\}",
            r"\$",
            r"\&",
            r"\%",
            r"\#",
            r"\_",
            r"\textasciitilde{}",
            r"\textasciicircum{}",
            r"\textless{}",
            r"\textgreater{}",
            r"\textbar{}",
            r"\textquotedbl{}",
            r"\textasciigrave{}",
        ];
        for (i, _) in out.match_indices('\\') {
            assert!(
                allowed.iter().any(|a| out[i..].starts_with(a)),
                "unexpected command at {i} in {out:?}"
            );
        }
        let mut prev = None;
        for c in out.chars() {
            assert!(
                !is_dangerous_unescaped(prev, c),
                "unescaped {c:?} in {out:?}"
            );
            assert!(!c.is_control(), "control char in {out:?}");
            prev = Some(c);
        }
    }

    #[test]
    fn whitespace_and_control_characters() {
        assert_eq!(escape_tex("a\nb\r\nc\td"), "a b  c d");
        assert_eq!(escape_tex("a\x00b\x07c\x1bd\u{7f}e"), "abcde");
        // A blank line would start a new paragraph mid-argument.
        assert!(!escape_tex("a\n\nb").contains('\n'));
    }

    #[test]
    fn ligatures_are_broken() {
        assert_eq!(escape_tex("a--b---c"), "a-{}-b-{}-{}-c");
        assert_eq!(escape_tex("''x''"), "'{}'x'{}'");
        assert_eq!(escape_tex(",,"), ",{},");
    }

    #[test]
    fn invisible_characters_are_dropped_and_separators_are_spaces() {
        assert_eq!(
            escape_tex("A\u{200B}na\u{200D} \u{202E}Ivo\u{202C}\u{2066}x\u{2069}\u{FEFF}\u{200F}"),
            "Ana Ivox"
        );
        assert_eq!(
            escape_tex("Ana\u{2028}Ivo\u{2029}Eva\u{3000}M"),
            "Ana Ivo Eva M"
        );
        // A dropped character between two hyphens must not make an en dash.
        assert_eq!(escape_tex("a-\u{200B}-b"), "a-{}-b");
        assert!(unsettable("A\u{200B}na\u{202E}\u{2028}").is_empty());
    }

    #[test]
    fn nfd_letters_print_like_nfc() {
        let nfd = "C\u{30C}olic\u{301} Z\u{30C}eljko D\u{30C}ogic\u{301}";
        assert_eq!(escape_tex(nfd), "Čolić Željko Dˇogić".replace("Dˇ", "Ď"));
        assert_eq!(escape_tex("S\u{30C}ime Kos\u{30C}ir"), "Šime Košir");
    }

    #[test]
    fn cyrillic_and_greek_runs_switch_encoding() {
        assert_eq!(
            escape_tex("Јелена Петровић (Jelena)"),
            r"{\fontencoding{T2A}\selectfont Јелена} {\fontencoding{T2A}\selectfont Петровић} (Jelena)"
        );
        assert_eq!(
            escape_tex("Γιώργος"),
            r"{\fontencoding{LGR}\selectfont Γιώργος}"
        );
        // й written as и + combining breve composes to the T2A letter.
        assert_eq!(escape_tex("и\u{306}"), r"{\fontencoding{T2A}\selectfont й}");
        assert_eq!(
            encodings_used(&escape_tex("Ана & Ελένη")),
            [FontEncoding::T2A, FontEncoding::Lgr]
        );
        assert!(encodings_used(&escape_tex("Čolić \\fontencoding{T2A}")).is_empty());
        assert!(unsettable("Ана Ελένη").is_empty());
    }

    #[test]
    fn other_latin_letters_get_accent_commands() {
        assert_eq!(escape_tex("Nguyễn Thị Ánh"), r"Nguy\~{\^{e}}n Th\d{i} Ánh");
        assert_eq!(escape_tex("Trần Đặng"), r"Tr\`{\^{a}}n Đ\d{\u{a}}ng");
        // The Vietnamese horn and hook above have no LaTeX accent: the letter stays.
        assert_eq!(escape_tex("Phạm Thư Lưu Hoa Ở"), r"Ph\d{a}m Thu Luu Hoa O");
        assert!(unsettable("Nguyễn Thị Ánh Trần Đặng Thư").is_empty());
    }

    #[test]
    fn what_cannot_be_set_becomes_a_placeholder_and_is_reported() {
        assert_eq!(escape_tex("王 Ana"), r"{\scriptsize[U+738B]} Ana");
        assert_eq!(
            escape_tex("Ana 👩\u{200D}💻"),
            r"Ana {\scriptsize[U+1F469]}{\scriptsize[U+1F4BB]}"
        );
        assert_eq!(unsettable("李小龍 李"), ['李', '小', '龍']);
        assert_eq!(unsettable("Ana 😀\u{FE0F}"), ['😀']);
        assert_eq!(unsettable("さくら"), ['さ', 'く', 'ら']);
        assert!(unsettable("Ana-Marija O'Brien, Čolić — “x” 50 €").is_empty());
    }

    #[test]
    fn escaper_matches_escape_tex() {
        let input = r"Ana \& Ivo {č} 50% ~";
        let mut out = String::new();
        Tex.write_escaped_str(&mut out, input).unwrap();
        assert_eq!(out, escape_tex(input));
        let mut out = String::new();
        Tex.write_escaped_char(&mut out, '%').unwrap();
        assert_eq!(out, r"\%");
    }

    #[test]
    fn printable_ascii_is_written_as_the_pieces_would_write_it() {
        let by_pieces = |s: &str| {
            let mut out = String::new();
            write_pieces(&mut out, s).unwrap();
            out
        };
        let printable: Vec<char> = (b' '..=b'~').map(char::from).collect();
        let mut cases: Vec<String> = Vec::new();
        for &a in &printable {
            for &b in &printable {
                cases.push(format!("{a}{b}"));
            }
        }
        // Longer strings from a fixed generator: runs of ligature characters and
        // specials next to letters.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            let len = (state % 24) as usize;
            let text: String = (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    printable[(state >> 33) as usize % printable.len()]
                })
                .collect();
            cases.push(text);
        }
        cases.extend(
            [
                "",
                "--",
                "---",
                "''",
                ",,",
                "a--b",
                "x_1^2 & {y} % #",
                "[ ] \\ ~",
            ]
            .map(String::from),
        );
        for case in &cases {
            assert_eq!(escape_tex(case), by_pieces(case), "{case:?}");
        }
        // Anything else takes the pieces' way: the fast path is for printable ASCII only.
        assert_eq!(escape_tex("a\tb"), "a b");
        assert_eq!(escape_tex("\u{200B}x"), "x");
    }
}
