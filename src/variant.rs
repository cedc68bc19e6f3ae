//! Variants and their codes: exam seed + student id → student key → per-problem streams,
//! and the short code printed on every sheet from which a variant is rebuilt.
//!
//! A student's key is a 30-bit hash of (seed, student id); problem `i` of the student's
//! variant is drawn from `problem_rng(seed, key, i, salt)` (see [`crate::draw`]). So a
//! variant depends on the seed, the student's own id and the problem's position only:
//! adding, removing or reordering students, or appending problems, changes nobody else's
//! numbers. The salt (0 for almost everyone) is raised only to resolve a clash between two
//! students of one class (see [`crate::class`]).
//!
//! The variant code packs (spec tag, seed, student key, salt) — 30 + 20 + 30 + 5 = 85 bits —
//! into 17 Crockford base-32 symbols plus three check symbols (the value mod 32749, a
//! prime), grouped `XXXX-XXXX-XXXX-XXXX-XXXX`. Crockford's alphabet has no I, L, O or U,
//! reads aloud unambiguously, and decoding accepts lower case, the look-alikes i/l → 1 and
//! o → 0, and the dashes and spaces that PDFs and word processors put between groups.
//! The check catches every single wrong symbol and every swap of two adjacent symbols
//! (and all but 1 in 32749 other typos). The spec tag (30 bits of a hash of the spec
//! file) rejects a code from another spec: tuning a spec (say by editing a comment) until
//! an existing code fits takes about a billion tries, and a made-up string passes both the
//! tag and the check with odds of 1 in 2^45.

use std::fmt;

/// Largest exam seed a code can carry.
pub const MAX_SEED: u64 = (1 << SEED_BITS) - 1;

const TAG_BITS: u32 = 30;
const SEED_BITS: u32 = 20;
const KEY_BITS: u32 = 30;
const SALT_BITS: u32 = 5;
/// Largest clash-resolution salt a code can carry.
pub const MAX_SALT: u32 = (1 << SALT_BITS) - 1;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DATA_SYMBOLS: usize = 17;
const CHECK_SYMBOLS: usize = 3;
/// The check modulus: a prime above 32 (so no single substitution or adjacent swap
/// leaves the remainder unchanged: each changes the value by d·32^k or d·31·32^k with
/// 0 < |d| < 32) that fits three symbols.
const CHECK_MODULUS: u128 = 32749;
/// Characters ignored between symbols: ASCII dash, space and tab, and what PDFs and word
/// processors put in their place (hyphen, non-breaking hyphen, figure dash, en and em
/// dash, minus sign, no-break and narrow no-break space).
pub const SEPARATORS: &[char] = &[
    '-', ' ', '\t', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2212}',
    '\u{00A0}', '\u{202F}',
];

/// FNV-1a, 64-bit: a small, fixed, documented hash (part of the variant contract).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The student key: 30 bits of a hash of the seed and the student's id.
pub fn student_key(seed: u64, id: &str) -> u64 {
    let mut bytes = seed.to_le_bytes().to_vec();
    bytes.extend_from_slice(id.as_bytes());
    crate::draw::splitmix64(fnv1a64(&bytes)) & ((1 << KEY_BITS) - 1)
}

/// The spec tag: 30 bits of a hash of the spec file (line ends normalised to LF).
pub fn spec_tag(spec_source: &str) -> u32 {
    let normalised = spec_source.replace("\r\n", "\n");
    (crate::draw::splitmix64(fnv1a64(normalised.as_bytes())) & ((1 << TAG_BITS) - 1)) as u32
}

/// Everything needed to rebuild one student's variant of one spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VariantCode {
    pub spec_tag: u32,
    pub seed: u64,
    pub student_key: u64,
    pub salt: u32,
}

/// Why a typed code was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("a variant code has 20 symbols (like 0A1B-2C3D-4E5F-6G7H-8J9K), this one has {0}")]
    Length(usize),
    #[error("`{0}` is not a symbol of a variant code (digits and letters except I, L, O, U)")]
    Symbol(char),
    #[error("the check symbols do not match: the code is mistyped (check each symbol)")]
    Checksum,
    #[error("this code belongs to another spec (or another version of this spec file)")]
    OtherSpec,
    #[error("no student of {0} has this code (was it made with another class list or seed?)")]
    NotInClass(String),
}

fn symbol_value(c: char) -> Option<u32> {
    let c = c.to_ascii_uppercase();
    let c = match c {
        'I' | 'L' => '1',
        'O' => '0',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| a as char == c)
        .map(|p| p as u32)
}

/// The three check symbols of a code value.
fn check_symbols(value: u128) -> [char; CHECK_SYMBOLS] {
    let r = (value % CHECK_MODULUS) as usize;
    [
        ALPHABET[r >> 10] as char,
        ALPHABET[(r >> 5) & 31] as char,
        ALPHABET[r & 31] as char,
    ]
}

impl VariantCode {
    /// Creates a code; panics on values that do not fit (callers validate seeds first).
    pub fn new(spec_tag: u32, seed: u64, student_key: u64, salt: u32) -> VariantCode {
        assert!(seed <= MAX_SEED, "seed {seed} does not fit a variant code");
        assert!(student_key < (1 << KEY_BITS) && salt <= MAX_SALT);
        VariantCode {
            spec_tag: spec_tag & ((1 << TAG_BITS) - 1),
            seed,
            student_key,
            salt,
        }
    }

    fn value(&self) -> u128 {
        let mut v = u128::from(self.spec_tag);
        v = (v << SEED_BITS) | u128::from(self.seed);
        v = (v << KEY_BITS) | u128::from(self.student_key);
        (v << SALT_BITS) | u128::from(self.salt)
    }

    /// Parses a typed code (case and [`SEPARATORS`] ignored) and checks it belongs to the
    /// spec with the given tag.
    pub fn parse(text: &str, expected_tag: u32) -> Result<VariantCode, CodeError> {
        let symbols: Vec<char> = text.chars().filter(|c| !SEPARATORS.contains(c)).collect();
        if symbols.len() != DATA_SYMBOLS + CHECK_SYMBOLS {
            return Err(CodeError::Length(symbols.len()));
        }
        let mut value: u128 = 0;
        for &c in &symbols[..DATA_SYMBOLS] {
            let v = symbol_value(c).ok_or(CodeError::Symbol(c))?;
            value = (value << 5) | u128::from(v);
        }
        for &c in &symbols[DATA_SYMBOLS..] {
            symbol_value(c).ok_or(CodeError::Symbol(c))?;
        }
        let typed: Vec<char> = symbols[DATA_SYMBOLS..]
            .iter()
            .map(|&c| ALPHABET[symbol_value(c).unwrap_or(0) as usize] as char)
            .collect();
        if typed != check_symbols(value) {
            return Err(CodeError::Checksum);
        }
        let salt = (value & u128::from(MAX_SALT)) as u32;
        let key = ((value >> SALT_BITS) & ((1 << KEY_BITS) - 1)) as u64;
        let seed = ((value >> (SALT_BITS + KEY_BITS)) & u128::from(MAX_SEED)) as u64;
        let tag = (value >> (SALT_BITS + KEY_BITS + SEED_BITS)) as u32;
        if tag != expected_tag {
            return Err(CodeError::OtherSpec);
        }
        Ok(VariantCode {
            spec_tag: tag,
            seed,
            student_key: key,
            salt,
        })
    }
}

impl fmt::Display for VariantCode {
    /// `XXXX-XXXX-XXXX-XXXX-XXXX`: 17 data symbols and the three check symbols.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.value();
        let symbols = (0..DATA_SYMBOLS)
            .rev()
            .map(|i| ALPHABET[((value >> (5 * i)) & 31) as usize] as char)
            .chain(check_symbols(value));
        let mut out = String::with_capacity(24);
        for (i, c) in symbols.enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> VariantCode {
        VariantCode::new(spec_tag("course: x\n"), 7, student_key(7, "0036512345"), 0)
    }

    #[test]
    fn round_trips() {
        let code = sample();
        let text = code.to_string();
        assert_eq!(text.len(), 24, "{text}");
        assert_eq!(text.split('-').map(str::len).collect::<Vec<_>>(), [4; 5]);
        assert!(
            text.chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8))),
            "{text}"
        );
        assert_eq!(VariantCode::parse(&text, code.spec_tag), Ok(code));
        assert_eq!(
            VariantCode::parse(&text.to_lowercase().replace('-', " "), code.spec_tag),
            Ok(code)
        );
        let max_tag = (1 << TAG_BITS) - 1;
        let max = VariantCode::new(max_tag, MAX_SEED, (1 << KEY_BITS) - 1, MAX_SALT);
        assert_eq!(VariantCode::parse(&max.to_string(), max_tag), Ok(max));
    }

    /// Codes copied from a PDF or a Word document come with typographic dashes and
    /// no-break spaces between the groups.
    #[test]
    fn reads_the_separators_that_documents_print() {
        let code = sample();
        let text = code.to_string();
        for sep in [
            "\u{2013}", "\u{2014}", "\u{2212}", "\u{00A0}", "\u{202F}", "\u{2011}", " - ",
        ] {
            let typed = text.replace('-', sep);
            assert_eq!(
                VariantCode::parse(&typed, code.spec_tag),
                Ok(code),
                "{typed:?}"
            );
        }
    }

    /// Codes spread over the whole value range: tags, seeds, keys and salts at their ends.
    fn many_codes() -> Vec<VariantCode> {
        let mut codes = vec![
            sample(),
            VariantCode::new(0, 0, 0, 0),
            VariantCode::new((1 << TAG_BITS) - 1, MAX_SEED, (1 << KEY_BITS) - 1, MAX_SALT),
        ];
        for k in 0..200u64 {
            let h = crate::draw::splitmix64(k);
            codes.push(VariantCode::new(
                (h >> 34) as u32,
                (h >> 7) & MAX_SEED,
                student_key(k, "x"),
                (h & u64::from(MAX_SALT)) as u32,
            ));
        }
        codes
    }

    #[test]
    fn rejects_every_single_substitution_and_adjacent_swap() {
        for code in many_codes() {
            let text: Vec<char> = code.to_string().chars().filter(|&c| c != '-').collect();
            assert_eq!(text.len(), DATA_SYMBOLS + CHECK_SYMBOLS);
            // Every position, data and check symbols alike.
            for i in 0..text.len() {
                for &a in ALPHABET {
                    let a = a as char;
                    if a == text[i] {
                        continue;
                    }
                    let mut typo = text.clone();
                    typo[i] = a;
                    let typo: String = typo.into_iter().collect();
                    assert_eq!(
                        VariantCode::parse(&typo, code.spec_tag),
                        Err(CodeError::Checksum),
                        "{typo} for {code}"
                    );
                }
                if i + 1 < text.len() && text[i] != text[i + 1] {
                    let mut swapped = text.clone();
                    swapped.swap(i, i + 1);
                    let swapped: String = swapped.into_iter().collect();
                    assert_eq!(
                        VariantCode::parse(&swapped, code.spec_tag),
                        Err(CodeError::Checksum),
                        "{swapped} for {code}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_tag_and_the_check_carry_at_least_40_bits() {
        assert!(TAG_BITS as f64 + (CHECK_MODULUS as f64).log2() >= 40.0);
        const { assert!(CHECK_MODULUS > 32 && CHECK_MODULUS <= 1 << (5 * CHECK_SYMBOLS)) };
        assert!((2..CHECK_MODULUS)
            .take_while(|d| d * d <= CHECK_MODULUS)
            .all(|d| !CHECK_MODULUS.is_multiple_of(d)));
        assert_eq!(
            (TAG_BITS + SEED_BITS + KEY_BITS + SALT_BITS) as usize,
            5 * DATA_SYMBOLS
        );
    }

    #[test]
    fn rejects_wrong_length_symbols_and_other_specs() {
        let code = sample();
        let text = code.to_string();
        assert_eq!(
            VariantCode::parse(&text[..10], code.spec_tag),
            Err(CodeError::Length(8))
        );
        assert!(matches!(
            VariantCode::parse(&text.replace(&text[0..1], "!"), code.spec_tag),
            Err(CodeError::Symbol('!'))
        ));
        assert_eq!(
            VariantCode::parse(&text, code.spec_tag ^ 1),
            Err(CodeError::OtherSpec)
        );
    }

    #[test]
    fn keys_depend_on_seed_and_id_only() {
        assert_eq!(student_key(7, "a"), student_key(7, "a"));
        assert_ne!(student_key(7, "a"), student_key(8, "a"));
        assert_ne!(student_key(7, "a"), student_key(7, "b"));
        assert!(student_key(7, "a") < 1 << KEY_BITS);
    }

    #[test]
    fn the_contract_is_fixed() {
        // Golden values: changing these changes every code ever printed.
        assert_eq!(fnv1a64(b"examgen"), GOLDEN_FNV);
        assert_eq!(student_key(7, "0036512345"), GOLDEN_KEY);
        // Same hash as the former 15-bit tag, more of its bits.
        assert_eq!(spec_tag("course: x\n"), GOLDEN_TAG);
        assert_eq!(spec_tag("course: x\r\n"), GOLDEN_TAG);
        assert_eq!(
            VariantCode::new(GOLDEN_TAG, 7, GOLDEN_KEY, 3).to_string(),
            GOLDEN_CODE
        );
    }

    const GOLDEN_FNV: u64 = 16804078667455440336;
    const GOLDEN_KEY: u64 = 1014630730;
    const GOLDEN_TAG: u32 = 643431792;
    const GOLDEN_CODE: &str = "K5KZ-BG00-07Y7-M2AA-3CNM";
}
