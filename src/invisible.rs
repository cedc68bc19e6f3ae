//! Characters that print nothing: one list for the two places user text meets them, the
//! LaTeX escaper (which drops them from names) and the variant-code reader (which skips
//! them in a pasted code).

/// Characters that only steer layout or direction (zero-width space and joiners, bidi
/// marks, embeddings, overrides and isolates, the BOM, variation selectors): they print
/// nothing, and an override would only reorder what the reader sees. The code reader
/// (`variant::is_separator`) skips the same characters in a pasted code, and the sheets'
/// escaper drops them from names.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
            '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}')
}
