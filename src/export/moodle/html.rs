//! The LaTeX of a rendered question or solution as HTML for Moodle: math stays TeX for
//! Moodle's MathJax filter (`\( … \)`, `\[ … \]`), and the text-mode LaTeX that the
//! templates use — lists, emphasis, sections, `center`, `tabular`, `codelisting`, figures —
//! becomes HTML, since a browser shows text-mode macros as typed.
//!
//! This is not a LaTeX interpreter: it knows exactly the constructs examgen's templates
//! write (the unit test converts every kind's question and solution and fails on any
//! text-mode macro left over), and it leaves an unknown macro as typed so that test
//! finds it.

use crate::render::figure::Figure;

/// Converted text and the figures it shows (as `@@PLUGINFILE@@/<name>.png`).
#[derive(Debug, Default)]
pub struct Html {
    pub html: String,
    pub figures: Vec<Figure>,
}

/// Page-breaking settings the sheets' templates write (a task list that never starts on
/// the page after its lead-in): they mean nothing on a web page.
const PAGE_BREAKING: &[&str] = &["\\csname @beginparpenalty\\endcsname=10000\\relax "];

/// Converts one rendered block (question or solution).
pub fn convert(latex: &str) -> Html {
    let mut latex = latex.to_string();
    for setting in PAGE_BREAKING {
        latex = latex.replace(setting, "");
    }
    let mut out = Html::default();
    text(&latex, &mut out);
    out
}

/// Math environments at text level, and the MathJax display that replaces each.
fn display_math(env: &str, body: &str) -> Option<String> {
    let inner = match env {
        "equation" | "equation*" => body.to_string(),
        "align" | "align*" => format!("\\begin{{aligned}}{body}\\end{{aligned}}"),
        "gather" | "gather*" => format!("\\begin{{gathered}}{body}\\end{{gathered}}"),
        _ => return None,
    };
    Some(format!("\\[{}\\]", math(&inner)))
}

/// Math as MathJax reads it: the preamble's own environment and the spacing commands
/// MathJax lacks are replaced, and `&`, `<`, `>` are escaped for HTML (MathJax reads
/// the text the browser shows, so they come back as typed).
fn math(tex: &str) -> String {
    let mut tex = strip_comments(tex)
        .replace("{fracmatrix}", "{bmatrix}")
        .replace("\\notag", "");
    for command in ["\\noalign", "\\renewcommand{\\arraystretch}"] {
        while let Some(at) = tex.find(command) {
            let after = at + command.len();
            let end = group_end(&tex, after).unwrap_or(after);
            tex.replace_range(at..end, "");
        }
    }
    escape(&tex)
}

/// HTML escaping of text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// The text without `%` comments (a `\%` is a percent sign).
fn strip_comments(tex: &str) -> String {
    let mut out = String::with_capacity(tex.len());
    let mut chars = tex.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '%' => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The end (exclusive) of the `{…}` group starting at byte `at` (after spaces), or None
/// when there is no group there.
fn group_end(s: &str, at: usize) -> Option<usize> {
    let rest = &s[at..];
    let start = at + (rest.len() - rest.trim_start().len());
    if !s[start..].starts_with('{') {
        return None;
    }
    let mut depth = 0usize;
    let mut chars = s[start..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(start + i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// The `{…}` argument at byte `at`: its content and the byte after it.
fn argument(s: &str, at: usize) -> Option<(&str, usize)> {
    let end = group_end(s, at)?;
    let open = at + s[at..].find('{')?;
    Some((&s[open + 1..end - 1], end))
}

/// The byte where `\end{env}` closing the environment whose body starts at `from` begins,
/// counting nested environments of the same name.
fn env_end(s: &str, from: usize, env: &str) -> Option<usize> {
    let (open, close) = (format!("\\begin{{{env}}}"), format!("\\end{{{env}}}"));
    let mut depth = 1;
    let mut at = from;
    loop {
        let next_close = at + s[at..].find(&close)?;
        match s[at..next_close].find(&open) {
            Some(o) => {
                depth += 1;
                at = at + o + open.len();
            }
            None => {
                depth -= 1;
                if depth == 0 {
                    return Some(next_close);
                }
                at = next_close + close.len();
            }
        }
    }
}

/// Splits `s` at each top-level occurrence of `separator` (outside groups, environments
/// and math).
fn split_top<'a>(s: &'a str, separator: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let (mut depth, mut in_math, mut start) = (0i32, false, 0);
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if depth == 0 && !in_math && rest.starts_with(separator) {
            // `\item` must not match `\itemsep`; `\\` is matched whole.
            let boundary = separator.ends_with('\\')
                || !rest[separator.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic());
            if boundary {
                parts.push(&s[start..i]);
                i += separator.len();
                start = i;
                continue;
            }
        }
        // The environment's name is a balanced group of its own.
        if rest.starts_with("\\begin{") {
            depth += 1;
            i += "\\begin".len();
        } else if rest.starts_with("\\end{") {
            depth -= 1;
            i += "\\end".len();
        } else if rest.starts_with("\\[") || rest.starts_with("\\(") {
            in_math = true;
            i += 2;
        } else if rest.starts_with("\\]") || rest.starts_with("\\)") {
            in_math = false;
            i += 2;
        } else if bytes[i] == b'\\' {
            i += 1 + rest[1..].chars().next().map_or(0, char::len_utf8);
        } else {
            match bytes[i] {
                b'{' => depth += 1,
                b'}' => depth -= 1,
                b'$' => in_math = !in_math,
                _ => {}
            }
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The name of the command at the start of `s` (after its backslash).
fn command_name(s: &str) -> &str {
    let len = s
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphabetic())
        .map_or(s.len(), |(i, _)| i);
    let name = &s[..len];
    if s[len..].starts_with('*') {
        &s[..len + 1]
    } else {
        name
    }
}

/// Skips a TeX dimension (`1ex`, `-2pt`, `0.5em`) at the start of `s`; its length.
fn dimension_len(s: &str) -> usize {
    let trimmed = s.trim_start();
    let lead = s.len() - trimmed.len();
    let number = trimmed
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == '-'))
        .map_or(trimmed.len(), |(i, _)| i);
    let unit = trimmed[number..]
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphabetic())
        .map_or(trimmed.len() - number, |(i, _)| i);
    lead + number + unit
}

/// Text mode: appends the HTML of `s` to `out`.
fn text(s: &str, out: &mut Html) {
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let c = rest.chars().next().expect("i < len");
        match c {
            '$' => {
                let end = rest[1..].find('$').map_or(s.len(), |e| i + 1 + e);
                out.html
                    .push_str(&format!("\\({}\\)", math(&s[i + 1..end.min(s.len())])));
                i = (end + 1).min(s.len());
            }
            '%' => {
                i += rest.find('\n').map_or(rest.len(), |e| e + 1);
            }
            '~' => {
                out.html.push_str("&nbsp;");
                i += 1;
            }
            '{' | '}' => i += 1,
            '\n' if rest[1..].trim_start_matches([' ', '\t']).starts_with('\n') => {
                out.html.push_str("<br><br>\n");
                i += 1 + rest[1..].find('\n').unwrap_or(0) + 1;
            }
            '\\' => i += command(s, i, out),
            _ => {
                out.html.push_str(&escape(&c.to_string()));
                i += c.len_utf8();
            }
        }
    }
}

/// A command at byte `at` of `s` (at its backslash) in text mode; returns its length.
fn command(s: &str, at: usize, out: &mut Html) -> usize {
    let rest = &s[at + 1..];
    let Some(first) = rest.chars().next() else {
        return 1;
    };
    if !first.is_ascii_alphabetic() {
        let close = match first {
            '[' => Some("\\]"),
            '(' => Some("\\)"),
            _ => None,
        };
        if let Some(close) = close {
            let end = rest.find(close).map_or(s.len(), |e| at + 1 + e);
            let body = &s[at + 2..end];
            let (open, shut) = if first == '[' {
                ("\\[", "\\]")
            } else {
                ("\\(", "\\)")
            };
            out.html.push_str(&format!("{open}{}{shut}", math(body)));
            return (end + 2).min(s.len()) - at;
        }
        match first {
            '\\' => out.html.push_str("<br>\n"),
            ' ' | '\n' => out.html.push(' '),
            ',' => out.html.push('\u{202f}'),
            '%' | '&' | '#' | '_' | '$' | '{' | '}' => {
                out.html.push_str(&escape(&first.to_string()))
            }
            _ => {
                out.html.push('\\');
                out.html.push(first);
            }
        }
        return 1 + first.len_utf8();
    }
    let name = command_name(rest);
    let after = at + 1 + name.len();
    let wrap = |tag: &str, out: &mut Html| -> usize {
        match argument(s, after) {
            Some((body, end)) => {
                out.html.push_str(&format!("<{tag}>"));
                text(body, out);
                let close = tag.split(' ').next().unwrap_or(tag);
                out.html.push_str(&format!("</{close}>"));
                end - at
            }
            None => after - at,
        }
    };
    match name {
        "begin" => environment(s, at, out),
        "textbf" => wrap("strong", out),
        "emph" | "textit" => wrap("em", out),
        "texttt" => wrap("code", out),
        "subsection*" | "subsection" | "section*" | "section" => wrap("h4", out),
        "paragraph" => wrap("strong", out),
        "examgenfigure" => {
            let (_, name_end) = argument(s, after).unwrap_or(("", after));
            let (tikz, end) = argument(s, name_end).unwrap_or(("", name_end));
            figure(tikz.to_string(), out);
            end - at
        }
        "renewcommand" => {
            let (_, first_end) = argument(s, after).unwrap_or(("", after));
            argument(s, first_end).map_or(first_end, |(_, e)| e) - at
        }
        "vskip" | "hskip" | "vspace" | "hspace" => match argument(s, after) {
            Some((_, end)) => end - at,
            None => name.len() + 1 + dimension_len(&s[after..]),
        },
        "noindent" | "par" | "centering" | "smallskip" | "medskip" | "bigskip" => {
            if matches!(name, "par" | "smallskip" | "medskip" | "bigskip") {
                out.html.push_str("<br>\n");
            }
            after - at
        }
        "newline" | "linebreak" => {
            out.html.push_str("<br>\n");
            after - at
        }
        "quad" | "qquad" => {
            out.html.push('\u{2003}');
            after - at
        }
        "ldots" | "dots" => {
            out.html.push('…');
            after - at
        }
        "toprule" | "midrule" | "bottomrule" | "hline" => after - at,
        _ => {
            // Unknown: kept as typed, so the test over every kind finds it.
            out.html.push('\\');
            out.html.push_str(name);
            after - at
        }
    }
}

/// `\begin{env}…\end{env}` at byte `at`; returns its length.
fn environment(s: &str, at: usize, out: &mut Html) -> usize {
    let after_begin = at + "\\begin".len();
    let Some((env, body_start)) = argument(s, after_begin) else {
        out.html.push_str("\\begin");
        return "\\begin".len();
    };
    let Some(body_end) = env_end(s, body_start, env) else {
        out.html.push_str("\\begin");
        return "\\begin".len();
    };
    let end = body_end + format!("\\end{{{env}}}").len();
    let body = &s[body_start..body_end];
    if let Some(display) = display_math(env, body) {
        out.html.push_str(&display);
        return end - at;
    }
    match env {
        "enumerate" | "itemize" => {
            let tag = if env == "enumerate" { "ol" } else { "ul" };
            out.html.push_str(&format!("<{tag}>\n"));
            for item in split_top(body, "\\item").into_iter().skip(1) {
                out.html.push_str("<li>");
                text(item.trim(), out);
                out.html.push_str("</li>\n");
            }
            out.html.push_str(&format!("</{tag}>\n"));
        }
        "center" => {
            out.html.push_str("<div style=\"text-align:center\">");
            text(body, out);
            out.html.push_str("</div>\n");
        }
        "minipage" => {
            let inner = argument(body, 0).map_or(body, |(_, e)| &body[e..]);
            text(inner, out);
        }
        "tabular" => table(body, out),
        "codelisting" => {
            let code = body
                .strip_prefix('[')
                .and_then(|b| b.find(']').map(|e| &b[e + 1..]))
                .unwrap_or(body);
            let code = code.strip_prefix('\n').unwrap_or(code);
            out.html.push_str(&format!("<pre>{}</pre>\n", escape(code)));
        }
        "tikzpicture" => figure(s[at..end].to_string(), out),
        _ => {
            // Unknown: kept as typed, so the test over every kind finds it.
            out.html.push_str(&format!("\\begin{{{env}}}"));
            text(body, out);
            out.html.push_str(&format!("\\end{{{env}}}"));
        }
    }
    end - at
}

/// A `tabular` body (after its column spec) as an HTML table.
fn table(body: &str, out: &mut Html) {
    let rows = argument(body, 0).map_or(body, |(_, e)| &body[e..]);
    out.html
        .push_str("<table style=\"border-collapse:collapse\" cellpadding=\"4\">\n");
    for row in split_top(rows, "\\\\") {
        let row = row.trim();
        let mut cleaned = row.to_string();
        for rule in ["\\toprule", "\\midrule", "\\bottomrule", "\\hline"] {
            cleaned = cleaned.replace(rule, "");
        }
        if cleaned.trim().is_empty() {
            continue;
        }
        out.html.push_str("<tr>");
        for cell in split_top(&cleaned, "&") {
            let cell = cell.trim();
            if let Some(rest) = cell.strip_prefix("\\multicolumn") {
                let (span, e1) = argument(rest, 0).unwrap_or(("1", 0));
                let (_, e2) = argument(rest, e1).unwrap_or(("", e1));
                let (content, _) = argument(rest, e2).unwrap_or(("", e2));
                out.html.push_str(&format!(
                    "<td colspan=\"{}\" style=\"text-align:right\">",
                    escape(span.trim())
                ));
                text(content, out);
            } else {
                out.html.push_str("<td>");
                text(cell, out);
            }
            out.html.push_str("</td>");
        }
        out.html.push_str("</tr>\n");
    }
    out.html.push_str("</table>\n");
}

/// A figure drawn by `tikz`, shown as an image file of the question.
fn figure(tikz: String, out: &mut Html) {
    let figure = Figure::new(tikz);
    out.html.push_str(&format!(
        "<img src=\"@@PLUGINFILE@@/{}.png\" alt=\"\" style=\"max-width:100%\">",
        figure.name
    ));
    if !out.figures.contains(&figure) {
        out.figures.push(figure);
    }
}

/// The text-mode macros left in converted HTML (math removed): empty when the
/// conversion is complete.
pub fn leftover_macros(html: &str) -> Vec<String> {
    let mut outside = String::new();
    let mut rest = html;
    while let Some(open) = rest.find("\\(").into_iter().chain(rest.find("\\[")).min() {
        outside.push_str(&rest[..open]);
        let close = if rest[open..].starts_with("\\(") {
            "\\)"
        } else {
            "\\]"
        };
        rest = rest[open..]
            .find(close)
            .map_or("", |e| &rest[open + e + 2..]);
    }
    outside.push_str(rest);
    let pre_free: String = split_pre(&outside);
    pre_free
        .match_indices('\\')
        .map(|(i, _)| pre_free[i..].chars().take(20).collect())
        .collect()
}

/// The text without `<pre>` blocks (code keeps its backslashes: `"\n"` in Python).
fn split_pre(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find("<pre>") {
        out.push_str(&rest[..open]);
        rest = rest[open..]
            .find("</pre>")
            .map_or("", |e| &rest[open + e..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_macros_become_html_and_math_stays_tex() {
        let h = convert(
            "Zadano je $x < 1$ i \\textbf{jako} \\emph{vrlo}~\\texttt{np.ndarray}:\n\\begin{enumerate}\n  \\item prvo\n  \\item drugo $a \\& b$\n\\end{enumerate}\n\\begin{align*}\na &= \\begin{fracmatrix} 1 \\\\ \\noalign{\\vskip 1ex} 2 \\end{fracmatrix} \\notag\n\\end{align*}",
        );
        assert_eq!(
            h.html,
            "Zadano je \\(x &lt; 1\\) i <strong>jako</strong> <em>vrlo</em>&nbsp;<code>np.ndarray</code>:\n<ol>\n<li>prvo</li>\n<li>drugo \\(a \\&amp; b\\)</li>\n</ol>\n\n\\[\\begin{aligned}\na &amp;= \\begin{bmatrix} 1 \\\\  2 \\end{bmatrix} \n\\end{aligned}\\]"
        );
        assert!(leftover_macros(&h.html).is_empty());
    }

    #[test]
    fn tables_listings_and_figures() {
        let h = convert(
            "\\begin{center}\n\\renewcommand{\\arraystretch}{1.4}\n\\begin{tabular}{cl}\n\\toprule\na & $b$ \\\\\n\\midrule\n\\multicolumn{2}{r}{ukupno} \\\\\n\\bottomrule\n\\end{tabular}\n\\end{center}\n\\begin{codelisting}\nprint(\"\\n\", a < b)\n\\end{codelisting}\n\\examgenfigure{fig-1}{\\begin{tikzpicture}\\draw (0,0) -- (1,1);\\end{tikzpicture}}",
        );
        assert!(
            h.html.contains("<tr><td>a</td><td>\\(b\\)</td></tr>"),
            "{}",
            h.html
        );
        assert!(h.html.contains("<td colspan=\"2\""), "{}", h.html);
        assert!(
            h.html
                .contains("<pre>print(&quot;\\n&quot;, a &lt; b)\n</pre>"),
            "{}",
            h.html
        );
        assert_eq!(h.figures.len(), 1);
        assert!(h
            .html
            .contains(&format!("@@PLUGINFILE@@/{}.png", h.figures[0].name)));
        assert!(
            leftover_macros(&h.html).is_empty(),
            "{:?}",
            leftover_macros(&h.html)
        );
    }

    #[test]
    fn an_unknown_macro_is_left_for_the_check() {
        let h = convert("a \\foo{b} \\begin{weird}c\\end{weird}");
        assert_eq!(leftover_macros(&h.html).len(), 3, "{}", h.html);
    }

    /// Every kind's question and solution (its default draw), converted: no text-mode
    /// macro is left.
    #[test]
    fn every_kind_converts_completely() {
        for kind in crate::problems::KINDS {
            let spec = crate::problems::default_draw_spec(kind);
            for seed in 0..3 {
                let mut rng = crate::draw::problem_rng(seed, 1, 0, 0);
                let solved = spec.slots[0].draw(&mut rng, 1).unwrap();
                let block = solved.render(spec.language, 1).unwrap();
                for (what, latex) in [("question", &block.question), ("solution", &block.solution)]
                {
                    let html = convert(latex).html;
                    let left = leftover_macros(&html);
                    assert!(left.is_empty(), "{kind} {what}: {left:?}\n{html}");
                    assert!(!html.contains("$"), "{kind} {what}: a `$` is left\n{html}");
                }
            }
        }
    }
}
