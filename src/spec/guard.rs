//! Cheap checks on the spec text before the YAML parser sees it.
//!
//! The parser's own cost grows faster than the text for some shapes: libyaml handles
//! simple keys in flow collections in time quadratic in the nesting depth, so a file of
//! 100,000 nested `[` takes 39 s to parse and 200,000 over 200 s. Real specs nest a
//! handful of levels, so the text is measured first, in one pass each, and refused
//! before it is parsed:
//!
//! - [`too_many_brackets`] counts every `[` and `{` of the file, with no notion of
//!   quotes or comments at all. Nothing can hide a bracket from it, so it bounds the
//!   deepest flow nesting any text can reach, and with it the parse time, whatever the
//!   depth check below misreads. At [`MAX_FLOW_BRACKETS`] = 10,000 the worst case (all of
//!   them nested) parses in well under a second (measured in release builds: 10,000
//!   levels 0.14 s, 20,000 levels 0.5 s; 0.46 s for 10,000 on a machine shared by five
//!   builds; the ignored test `ten_thousand_nested_brackets_parse_quickly` repeats it).
//! - [`too_many_block_indicators`] does the same for block nesting (`- - - x`), counting
//!   every `-` or `?` that ends a token, so nothing hides a block level either.
//! - [`too_deep`] is the friendly check: it names the line where the nesting passes
//!   [`MAX_NESTING`]. It follows YAML's rules for where a quoted scalar starts (at the
//!   start of a scalar only, so the `'` of `author: O'Brien` opens nothing) and skips
//!   comments and block scalars (`|`, `>`, also after a tag or anchor), whose brackets
//!   are text. Where it misreads, the two counts above still bound the parser.

use super::limits::MAX_NESTING;

/// Most `[` and `{` characters a spec may contain, quoted, commented or not. A real spec
/// has a few hundred (every matrix row is one).
pub const MAX_FLOW_BRACKETS: usize = 10_000;

/// Where the text has its `MAX_FLOW_BRACKETS + 1`-th `[` or `{`: 1-based (line, column).
pub fn too_many_brackets(source: &str) -> Option<(usize, usize)> {
    let mut count = 0usize;
    for (n, line) in source.lines().enumerate() {
        for (column, c) in line.chars().enumerate() {
            if c == '[' || c == '{' {
                count += 1;
                if count > MAX_FLOW_BRACKETS {
                    return Some((n + 1, column + 1));
                }
            }
        }
    }
    None
}

/// Most block indicators (`-` or `?` followed by a space or a line end) a spec may
/// contain, quoted, commented or not: like [`MAX_FLOW_BRACKETS`], a bound that nothing can
/// hide from, on the deepest block nesting the parser can be asked to follow (measured:
/// 520,000 levels, 0.25 s and 210 MB; 20,000 cost nothing). A real spec has a few hundred.
pub const MAX_BLOCK_INDICATORS: usize = 20_000;

/// Where the text has its `MAX_BLOCK_INDICATORS + 1`-th block indicator: 1-based (line,
/// column).
pub fn too_many_block_indicators(source: &str) -> Option<(usize, usize)> {
    let mut count = 0usize;
    for (n, line) in source.lines().enumerate() {
        let mut chars = line.chars().enumerate().peekable();
        while let Some((column, c)) = chars.next() {
            let ends_token = chars.peek().is_none_or(|&(_, n)| n == ' ' || n == '\t');
            if (c == '-' || c == '?') && ends_token {
                count += 1;
                if count > MAX_BLOCK_INDICATORS {
                    return Some((n + 1, column + 1));
                }
            }
        }
    }
    None
}

/// Where the text first nests deeper than [`MAX_NESTING`]: 1-based (line, column).
pub fn too_deep(source: &str) -> Option<(usize, usize)> {
    let mut flow = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    let mut quote: Option<char> = None;
    // Inside a block scalar: lines indented deeper than this column are its text.
    let mut block_scalar: Option<usize> = None;
    for (n, line) in source.lines().enumerate() {
        let content = line.trim_start_matches([' ', '\t']);
        let indent = line.len() - content.len();
        if let Some(parent) = block_scalar {
            if content.is_empty() || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        let mut block = indents.len();
        if flow == 0 && quote.is_none() {
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            while indents.last().is_some_and(|&i| i >= indent) {
                indents.pop();
            }
            indents.push(indent);
            block = indents.len();
        }
        // The column of the node a block scalar on this line would belong to: the key
        // after any `- ` items, or the last `- ` when the scalar is the item itself.
        let mut node = indent;
        let mut after_dash = true;
        let mut previous = ' ';
        // Whether the next character starts a scalar (where a quote opens one).
        let mut scalar_start = quote.is_none();
        let mut chars = line.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let followed_by_space = chars.peek().is_none_or(|&(_, n)| n == ' ' || n == '\t');
            match quote {
                Some('"') if c == '\\' => {
                    chars.next();
                }
                // `''` is an escaped quote inside a single-quoted scalar.
                Some('\'') if c == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                    chars.next();
                }
                Some(q) if c == q => {
                    quote = None;
                    scalar_start = false;
                }
                Some(_) => {}
                None => {
                    let starts_node = after_dash && !matches!(c, ' ' | '\t');
                    match c {
                        ' ' | '\t' => {}
                        '#' if previous == ' ' || previous == '\t' => break,
                        // A block item inside a block item on the same line: `- - x`.
                        '-' if scalar_start && followed_by_space => {
                            block += 1;
                            node = at;
                        }
                        '|' | '>' if scalar_start && flow == 0 => {
                            block_scalar = Some(node);
                            break;
                        }
                        // A tag (`!!str`) or an anchor (`&a`) comes before the node it
                        // names: the scalar (quoted, block or plain) starts after it.
                        '!' | '&' if scalar_start => {
                            while chars.peek().is_some_and(|&(_, n)| n != ' ' && n != '\t') {
                                chars.next();
                            }
                            previous = c;
                            continue;
                        }
                        _ => {
                            if starts_node && flow == 0 {
                                node = at;
                            }
                            match c {
                                '"' | '\'' if scalar_start => quote = Some(c),
                                '[' | '{' => flow += 1,
                                ']' | '}' => flow = flow.saturating_sub(1),
                                _ => {}
                            }
                            scalar_start = match c {
                                '[' | '{' => true,
                                ',' => flow > 0,
                                ':' => followed_by_space,
                                '?' => scalar_start && followed_by_space,
                                _ => false,
                            };
                        }
                    }
                    if !matches!(c, ' ' | '\t') {
                        after_dash = c == '-' && scalar_start && followed_by_space;
                    }
                }
            }
            if block + flow > MAX_NESTING {
                return Some((n + 1, line[..at].chars().count() + 1));
            }
            previous = c;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_specs_are_shallow() {
        for spec in ["variants/du1-2022.yaml", "variants/du1-random.yaml"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(spec);
            let text = std::fs::read_to_string(path).unwrap();
            assert_eq!(too_deep(&text), None, "{spec}");
            assert_eq!(too_many_brackets(&text), None, "{spec}");
        }
    }

    #[test]
    fn deep_flow_and_block_nesting_are_found() {
        let flow = format!("x: {}{}\n", "[".repeat(100), "]".repeat(100));
        // `x:` is one level, so the 64th bracket is one too many.
        assert_eq!(too_deep(&flow), Some((1, 3 + MAX_NESTING)));
        let block: String = (0..100)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        assert_eq!(too_deep(&block).map(|(l, _)| l), Some(MAX_NESTING + 1));
        let dashes = format!("x:\n{}1\n", "- ".repeat(100));
        assert!(too_deep(&dashes).is_some());
    }

    #[test]
    fn brackets_in_quotes_and_comments_do_not_count() {
        let text = format!(
            "a: \"{0}\"\nb: '{0}'\nc: 1 # {0}\nd: ['{0}', \"{0}\"]\ne: 'it''s {0}'\n",
            "[".repeat(100)
        );
        assert_eq!(too_deep(&text), None);
    }

    /// The reviewer's bypass: a `'` inside a plain scalar opened a "quote" that hid every
    /// later bracket, so 100,000 levels reached the parser (39 s).
    #[test]
    fn an_apostrophe_inside_a_plain_value_opens_no_quote() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        for before in [
            "author: O'Brien\n",
            "author: O\"Brien\n",
            "author: it's [x]\n",
            "- a'b\n",
        ] {
            let text = format!("{before}problems: {deep}\n");
            assert_eq!(too_deep(&text).map(|(l, _)| l), Some(2), "{before:?}");
        }
    }

    /// The second reviewer's bypass: a tag or an anchor before a block scalar hid the
    /// `|`, so the scalar's text (`x: '`) opened a quote that hid the rest of the file.
    #[test]
    fn a_tag_or_anchor_does_not_hide_a_block_scalar() {
        for head in [
            "author: !!str |\n",
            "author: &a |\n",
            "author: !!str &a >\n",
        ] {
            let text = format!("{head}  x: '\nproblems:\n{}1\n", "- ".repeat(100));
            assert_eq!(too_deep(&text).map(|(l, _)| l), Some(4), "{head:?}");
        }
    }

    #[test]
    fn block_indicators_are_counted_anywhere() {
        let many = format!("a: '{}'\n", "- ".repeat(MAX_BLOCK_INDICATORS + 1));
        assert_eq!(too_many_block_indicators(&many).map(|(l, _)| l), Some(1));
        let negative_numbers = format!("a: [{}]\n", "-1, ".repeat(MAX_BLOCK_INDICATORS + 1));
        assert_eq!(too_many_block_indicators(&negative_numbers), None);
        for spec in ["variants/du1-2022.yaml", "variants/du1-random.yaml"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(spec);
            let text = std::fs::read_to_string(path).unwrap();
            assert_eq!(too_many_block_indicators(&text), None, "{spec}");
        }
    }

    #[test]
    fn a_quote_in_a_comment_opens_nothing() {
        let text = format!(
            "# don't\na: 1 # it's\nproblems: {}{}\n",
            "[".repeat(100),
            "]".repeat(100)
        );
        assert_eq!(too_deep(&text).map(|(l, _)| l), Some(3));
    }

    #[test]
    fn a_block_scalar_is_text_and_ends_where_its_indentation_does() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let text = format!("notes: |\n  it's {deep}\n  \"quoted\n");
        assert_eq!(too_deep(&text), None);
        let folded = format!("- notes: >-\n    {deep}\n  key: 1\n");
        assert_eq!(too_deep(&folded), None);
        // A quote in the block scalar does not leak into the lines after it.
        let after = format!("notes: |\n  don't\nproblems: {deep}\n");
        assert_eq!(too_deep(&after).map(|(l, _)| l), Some(3));
        let item = format!("- |\n  don't\n- {deep}\n");
        assert_eq!(too_deep(&item).map(|(l, _)| l), Some(3));
    }

    #[test]
    fn the_bracket_total_counts_everything() {
        let text = format!("a: '{}'\n", "[".repeat(MAX_FLOW_BRACKETS));
        assert_eq!(too_many_brackets(&text), None);
        let text = format!("# {{\na: '{}'\n", "[".repeat(MAX_FLOW_BRACKETS));
        assert_eq!(too_many_brackets(&text), Some((2, 4 + MAX_FLOW_BRACKETS)));
    }

    /// The bound behind [`MAX_FLOW_BRACKETS`]: the worst text it lets through (every
    /// bracket nested) parses quickly. Heavy in a debug build; run with
    /// `cargo test --release --lib ten_thousand_nested -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn ten_thousand_nested_brackets_parse_quickly() {
        let n = MAX_FLOW_BRACKETS;
        let text = format!("x: {}{}\n", "[".repeat(n), "]".repeat(n));
        let start = std::time::Instant::now();
        let _ = serde_yaml::from_str::<serde_yaml::Value>(&text);
        let took = start.elapsed();
        eprintln!("{n} nested levels parsed in {took:?}");
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    }
}
