//! Finding the line of a field in a YAML spec.
//!
//! serde_yaml reports a location for syntax and type errors but not for the rules the
//! spec checks after parsing (shapes, ranges). This index maps a field path such as
//! `problems[2].<kind>.kernels` back to the line that holds it, for block-style YAML as
//! the README writes it; when a segment cannot be found, the closest parent's line is used.

/// One step of a field path: a map key or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Parses `problems[2].<kind>.kernels` into segments.
pub fn parse_path(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Segment::Key(key.to_string()));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Segment::Index(i));
            }
        }
    }
    out
}

struct Line<'a> {
    number: usize,
    indent: usize,
    text: &'a str,
}

/// Non-empty, non-comment lines; a list item `- key: v` becomes two lines, the dash and
/// the key two columns further in, so that list items and map keys nest uniformly.
fn block_lines(source: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    for (i, raw) in source.lines().enumerate() {
        let mut text = raw.trim_start();
        let mut indent = raw.len() - text.len();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        while let Some(rest) = text.strip_prefix("- ") {
            lines.push(Line {
                number: i + 1,
                indent,
                text: "-",
            });
            let trimmed = rest.trim_start();
            indent += 2 + (rest.len() - trimmed.len());
            text = trimmed;
        }
        lines.push(Line {
            number: i + 1,
            indent,
            text,
        });
    }
    lines
}

/// The 1-based line of `path` in `source` (block-style YAML), or of its closest parent.
pub fn line_of(source: &str, path: &str) -> usize {
    let lines = block_lines(source);
    let mut found_line = 1;
    // The lines below the current node, and the node's own indentation.
    let mut start = 0;
    let mut end = lines.len();
    let mut parent_indent: Option<usize> = None;

    for segment in parse_path(path) {
        let children = &lines[start..end];
        let Some(child_indent) = children
            .iter()
            .map(|l| l.indent)
            .filter(|&i| parent_indent.is_none_or(|p| i > p))
            .min()
        else {
            break;
        };
        let mut at_level = children
            .iter()
            .enumerate()
            .filter(|(_, l)| l.indent == child_indent);
        let hit = match &segment {
            Segment::Key(key) => at_level.find(|(_, l)| {
                l.text.starts_with(key.as_str())
                    && l.text[key.len()..].trim_start().starts_with(':')
            }),
            Segment::Index(i) => at_level.filter(|(_, l)| l.text == "-").nth(*i),
        };
        let Some((pos, line)) = hit else {
            break;
        };
        found_line = line.number;
        let at = start + pos;
        start = at + 1;
        end = lines[start..end]
            .iter()
            .position(|l| l.indent <= line.indent)
            .map_or(end, |p| start + p);
        parent_indent = Some(line.indent);
    }
    found_line
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "\
course: DU1
problems:
  - first_kind:
      X: [[1, 1], [-1, 3]]
      y: [1, 1]
  # a comment
  - second_kind:
      x: [4, -1, 2, 0, 1]
      kernels:
        - [1, 0, -1]
        - [1, 1, -1]
      y: 1
";

    #[test]
    fn parses_paths() {
        assert_eq!(
            parse_path("problems[2].second_kind.kernels[1]"),
            vec![
                Segment::Key("problems".into()),
                Segment::Index(2),
                Segment::Key("second_kind".into()),
                Segment::Key("kernels".into()),
                Segment::Index(1),
            ]
        );
    }

    #[test]
    fn finds_lines_of_fields() {
        assert_eq!(line_of(SPEC, "course"), 1);
        assert_eq!(line_of(SPEC, "problems"), 2);
        assert_eq!(line_of(SPEC, "problems[0]"), 3);
        assert_eq!(line_of(SPEC, "problems[0].first_kind.y"), 5);
        assert_eq!(line_of(SPEC, "problems[1].second_kind"), 7);
        assert_eq!(line_of(SPEC, "problems[1].second_kind.y"), 12);
        assert_eq!(line_of(SPEC, "problems[1].second_kind.kernels[1]"), 11);
    }

    #[test]
    fn falls_back_to_the_closest_parent() {
        assert_eq!(line_of(SPEC, "problems[1].second_kind.missing"), 7);
        assert_eq!(line_of(SPEC, "problems[5]"), 2);
    }
}
