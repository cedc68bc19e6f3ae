//! Cheap checks on the spec text before the YAML parser sees it.
//!
//! The parser's own cost grows faster than the text for some shapes: a file of 100,000
//! nested `[` takes over a minute to parse. Real specs nest a handful of levels, so the
//! text's nesting is measured first, in one pass, and a file deeper than
//! [`MAX_NESTING`] is refused before it is parsed. The measure is deliberately coarse (it
//! may count a level too many, never too few): block indentation levels, `- ` items on
//! one line, and open flow brackets outside quotes and comments.

use super::limits::MAX_NESTING;

/// Where the text first nests deeper than [`MAX_NESTING`]: 1-based (line, column).
pub fn too_deep(source: &str) -> Option<(usize, usize)> {
    let mut flow = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    let mut quote: Option<char> = None;
    for (n, line) in source.lines().enumerate() {
        let mut block = indents.len();
        if flow == 0 && quote.is_none() {
            let content = line.trim_start();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let indent = line.len() - content.len();
            while indents.last().is_some_and(|&i| i >= indent) {
                indents.pop();
            }
            indents.push(indent);
            block = indents.len();
        }
        let mut previous = ' ';
        let mut chars = line.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match quote {
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '"' | '\'' => quote = Some(c),
                    '#' if previous.is_whitespace() => break,
                    '[' | '{' => flow += 1,
                    ']' | '}' => flow = flow.saturating_sub(1),
                    // A block item inside a block item on the same line: `- - x`.
                    '-' if previous.is_whitespace()
                        && chars.peek().is_none_or(|&(_, n)| n == ' ') =>
                    {
                        block += 1
                    }
                    _ => {}
                },
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
        let text = format!("a: \"{0}\"\nb: '{0}'\nc: 1 # {0}\n", "[".repeat(100));
        assert_eq!(too_deep(&text), None);
    }
}
