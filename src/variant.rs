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
//! The variant code packs (spec tag, seed, student key, salt) into 70 bits, written as 14
//! Crockford base-32 symbols plus two check symbols (the value mod 1021, a prime), grouped
//! `XXXX-XXXX-XXXX-XXXX`. Crockford's alphabet has no I, L, O or U, reads aloud
//! unambiguously, and decoding accepts lower case and the look-alikes i/l → 1 and o → 0.
//! The check catches every single wrong symbol and every swap of two adjacent symbols
//! (and all but 1 in 1021 other typos); the spec tag (15 bits of a hash of the spec file)
//! rejects a code from another spec.

use std::fmt;

/// Largest exam seed a code can carry.
pub const MAX_SEED: u64 = (1 << SEED_BITS) - 1;

const TAG_BITS: u32 = 15;
const SEED_BITS: u32 = 20;
const KEY_BITS: u32 = 30;
const SALT_BITS: u32 = 5;
/// Largest clash-resolution salt a code can carry.
pub const MAX_SALT: u32 = (1 << SALT_BITS) - 1;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DATA_SYMBOLS: usize = 14;
const CHECK_SYMBOLS: usize = 2;
/// The check modulus: a prime above 32 (so no single substitution or adjacent swap
/// leaves the remainder unchanged) that fits two symbols.
const CHECK_MODULUS: u128 = 1021;

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

/// The spec tag: 15 bits of a hash of the spec file (line ends normalised to LF).
pub fn spec_tag(spec_source: &str) -> u16 {
    let normalised = spec_source.replace("\r\n", "\n");
    (crate::draw::splitmix64(fnv1a64(normalised.as_bytes())) & ((1 << TAG_BITS) - 1)) as u16
}

/// Everything needed to rebuild one student's variant of one spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VariantCode {
    pub spec_tag: u16,
    pub seed: u64,
    pub student_key: u64,
    pub salt: u32,
}

/// Why a typed code was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("a variant code has 16 symbols (like 0A1B-2C3D-4E5F-6G7H), this one has {0}")]
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

/// The two check symbols of a code value.
fn check_symbols(value: u128) -> [char; CHECK_SYMBOLS] {
    let r = (value % CHECK_MODULUS) as usize;
    [ALPHABET[r >> 5] as char, ALPHABET[r & 31] as char]
}

impl VariantCode {
    /// Creates a code; panics on values that do not fit (callers validate seeds first).
    pub fn new(spec_tag: u16, seed: u64, student_key: u64, salt: u32) -> VariantCode {
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

    /// Parses a typed code (case and dashes/spaces ignored) and checks it belongs to the
    /// spec with the given tag.
    pub fn parse(text: &str, expected_tag: u16) -> Result<VariantCode, CodeError> {
        let symbols: Vec<char> = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\t'))
            .collect();
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
        let tag = (value >> (SALT_BITS + KEY_BITS + SEED_BITS)) as u16;
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
    /// `XXXX-XXXX-XXXX-XXXX`: 14 data symbols and the two check symbols.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.value();
        let symbols = (0..DATA_SYMBOLS)
            .rev()
            .map(|i| ALPHABET[((value >> (5 * i)) & 31) as usize] as char)
            .chain(check_symbols(value));
        let mut out = String::with_capacity(19);
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
        assert_eq!(text.len(), 19, "{text}");
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
        let max = VariantCode::new(0x7fff, MAX_SEED, (1 << KEY_BITS) - 1, MAX_SALT);
        assert_eq!(VariantCode::parse(&max.to_string(), 0x7fff), Ok(max));
    }

    #[test]
    fn rejects_every_single_substitution_and_adjacent_swap() {
        let code = sample();
        let text: Vec<char> = code.to_string().chars().filter(|&c| c != '-').collect();
        for i in 0..DATA_SYMBOLS {
            for &a in ALPHABET {
                let a = a as char;
                if a == text[i] {
                    continue;
                }
                let mut typo = text.clone();
                typo[i] = a;
                let typo: String = typo.into_iter().collect();
                assert!(VariantCode::parse(&typo, code.spec_tag).is_err(), "{typo}");
            }
            if i + 1 < DATA_SYMBOLS && text[i] != text[i + 1] {
                let mut swapped = text.clone();
                swapped.swap(i, i + 1);
                let swapped: String = swapped.into_iter().collect();
                assert!(
                    VariantCode::parse(&swapped, code.spec_tag).is_err(),
                    "{swapped}"
                );
            }
        }
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
    }

    const GOLDEN_FNV: u64 = 16804078667455440336;
    const GOLDEN_KEY: u64 = 1014630730;
}
