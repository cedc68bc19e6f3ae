//! The one path through which user text (student names, ids, exam titles) reaches LaTeX.
//!
//! Anything a user typed must print literally in pdflatex text mode and must never be
//! interpreted as markup: `\input{/etc/passwd}` or `\write18{...}` in a name would
//! otherwise read files or run commands at compile time. askama applies [`Tex`] to
//! every expression in a `.tex` template (see `askama.toml`), so templates only opt
//! out, with `|safe`, for math that Rust formatted itself.

use std::fmt::{self, Write};

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

fn write_tex<W: Write>(mut dest: W, s: &str) -> fmt::Result {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => dest.write_str(r"\textbackslash{}")?,
            '{' => dest.write_str(r"\{")?,
            '}' => dest.write_str(r"\}")?,
            '$' | '&' | '%' | '#' | '_' => {
                dest.write_char('\\')?;
                dest.write_char(c)?;
            }
            '~' => dest.write_str(r"\textasciitilde{}")?,
            '^' => dest.write_str(r"\textasciicircum{}")?,
            // In OT1 these slots hold other glyphs (¡ ¿ —), in T1 `<<`/`>>` ligate to
            // guillemets, and babel may make `"` active; the text commands print literally.
            '<' => dest.write_str(r"\textless{}")?,
            '>' => dest.write_str(r"\textgreater{}")?,
            '|' => dest.write_str(r"\textbar{}")?,
            '"' => dest.write_str(r"\textquotedbl{}")?,
            '`' => dest.write_str(r"\textasciigrave{}")?,
            // A user string placed right after `\item` or `\\` must not be read as
            // an optional argument.
            '[' => dest.write_str("{[}")?,
            ']' => dest.write_str("{]}")?,
            // A newline could end a paragraph or a command argument; a tab is just space.
            '\n' | '\r' | '\t' => dest.write_char(' ')?,
            c if c.is_control() => {}
            // Break T1 ligatures (`--` → en dash, `''` → ”, `,,` → „) so text stays literal.
            '-' | '\'' | ',' if chars.peek() == Some(&c) => {
                dest.write_char(c)?;
                dest.write_str("{}")?;
            }
            c => dest.write_char(c)?,
        }
    }
    Ok(())
}

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
    fn escaper_matches_escape_tex() {
        let input = r"Ana \& Ivo {č} 50% ~";
        let mut out = String::new();
        Tex.write_escaped_str(&mut out, input).unwrap();
        assert_eq!(out, escape_tex(input));
        let mut out = String::new();
        Tex.write_escaped_char(&mut out, '%').unwrap();
        assert_eq!(out, r"\%");
    }
}
