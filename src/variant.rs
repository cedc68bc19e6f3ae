//! Variants and their codes: exam seed + student id → student key → per-problem streams,
//! and the short code printed on every sheet from which a variant is rebuilt.
//!
//! A student's hash is 64 bits of (seed, student id); its low 30 bits are the student
//! key, and problem `i` of the student's variant is drawn from
//! `problem_rng(seed, key, i, salt)` (see [`crate::draw`]). So a variant depends on the
//! seed, the student's own id and the problem's position only: adding, removing or
//! reordering students, or appending problems, changes nobody else's numbers. The salt
//! (0 for almost everyone) is raised only to resolve a clash between two students of one
//! class (see [`crate::class`]).
//!
//! The variant code packs, most significant first, the spec tag (30 bits), the seed (20),
//! the student key (30), the student's identity check (20) and the salt (5) — 105 bits —
//! into 21 Crockford base-32 symbols plus three check symbols, grouped
//! `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`. The identity check is the next 20 bits of the student
//! hash (bits 30..50): two ids of a class share a 30-bit key now and then (about 2 pairs in
//! 100,000 students), but 50 bits tell them apart, so `regenerate` finds the student by
//! the code alone, whoever else is on the list, and rebuilds the variant with the salt in
//! the code.
//!
//! Crockford's alphabet has no I, L, O or U and reads aloud unambiguously. A typed code
//! is normalised with NFKC (full-width letters and digits read as ASCII), then every
//! Unicode space, dash and invisible format character counts as a separator, lower case
//! is read as upper case, and the look-alikes i/l read as 1 and o as 0: what PDFs, word
//! processors and chat programs put between and into the groups is read.
//!
//! The check is (value + spec hash) mod 32749, a prime, written in three symbols. It
//! catches every single wrong symbol and every swap of two adjacent symbols (each changes
//! the value by d·32^k or d·31·32^k with 0 < |d| < 32, never a multiple of the prime; the
//! constant offset does not change that), and all but 1 in 32749 other typos. The spec
//! hash (64 bits of a hash of the spec file) guards against codes of another spec twice:
//! its low 30 bits are the tag in the code, and the whole hash is mixed into the check,
//! so a code made for another spec passes only if the tags match (1 in 2^30) and the
//! check offsets do too (1 in 32749): about 45 bits. A made-up string passes with the
//! same odds.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// Largest exam seed a code can carry.
pub const MAX_SEED: u64 = (1 << SEED_BITS) - 1;

const TAG_BITS: u32 = 30;
const SEED_BITS: u32 = 20;
const KEY_BITS: u32 = 30;
const IDENTITY_BITS: u32 = 20;
const SALT_BITS: u32 = 5;
/// Largest clash-resolution salt a code can carry.
pub const MAX_SALT: u32 = (1 << SALT_BITS) - 1;
/// The bits of a student hash that a code carries: key and identity check.
pub const STUDENT_BITS: u32 = KEY_BITS + IDENTITY_BITS;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DATA_SYMBOLS: usize = 21;
const CHECK_SYMBOLS: usize = 3;
/// Symbols of a code, check symbols included.
pub const SYMBOLS: usize = DATA_SYMBOLS + CHECK_SYMBOLS;
/// The check modulus: a prime above 32 (so no single substitution or adjacent swap
/// leaves the remainder unchanged: each changes the value by d·32^k or d·31·32^k with
/// 0 < |d| < 32) that fits three symbols.
const CHECK_MODULUS: u128 = 32749;

/// Whether a character of a typed code (after NFKC) is a separator: any Unicode
/// whitespace, any dash (Unicode's Dash property, plus the soft hyphen) and the invisible
/// characters that copying from PDFs, web pages and chat programs leaves behind (the ones
/// the sheets' escaper drops too: zero-width space and joiners, word joiner, byte-order
/// mark, direction marks).
pub fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || crate::invisible::is_invisible(c)
        || matches!(
            c,
            '-' | '\u{00AD}' | '\u{058A}' | '\u{05BE}' | '\u{1400}' | '\u{1806}' | '\u{2010}'
                ..='\u{2015}'
                    | '\u{2053}'
                    | '\u{207B}'
                    | '\u{208B}'
                    | '\u{2212}'
                    | '\u{2E17}'
                    | '\u{2E1A}'
                    | '\u{2E3A}'
                    | '\u{2E3B}'
                    | '\u{2E40}'
                    | '\u{2E5D}'
                    | '\u{301C}'
                    | '\u{3030}'
                    | '\u{30A0}'
                    | '\u{FE31}'
                    | '\u{FE32}'
                    | '\u{FE58}'
                    | '\u{FE63}'
                    | '\u{FF0D}'
                    | '\u{10EAD}'
        )
}

/// The symbols of a typed code: NFKC-normalised, separators dropped (case and
/// look-alikes are left to the symbol decoder).
pub fn typed_symbols(text: &str) -> Vec<char> {
    text.nfkc().filter(|&c| !is_separator(c)).collect()
}

/// FNV-1a, 64-bit: a small, fixed, documented hash (part of the variant contract).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The student hash: 64 bits of a hash of the seed and the student's id. Its low 30 bits
/// are the student key, the next 20 the identity check a code carries.
pub fn student_hash(seed: u64, id: &str) -> u64 {
    let mut bytes = seed.to_le_bytes().to_vec();
    bytes.extend_from_slice(id.as_bytes());
    crate::draw::splitmix64(fnv1a64(&bytes))
}

/// The student key: the low 30 bits of the student hash, from which the variant is drawn.
pub fn student_key(seed: u64, id: &str) -> u64 {
    key_of(student_hash(seed, id))
}

/// The student key of a student hash.
pub fn key_of(student_hash: u64) -> u64 {
    student_hash & ((1 << KEY_BITS) - 1)
}

/// The spec hash: 64 bits of a hash of the spec file (line ends normalised to LF). Its
/// low 30 bits are the tag a code carries; all of it enters the check.
pub fn spec_hash(spec_source: &str) -> u64 {
    let normalised = spec_source.replace("\r\n", "\n");
    crate::draw::splitmix64(fnv1a64(normalised.as_bytes()))
}

/// The spec tag: the low 30 bits of the spec hash.
pub fn spec_tag(spec_hash: u64) -> u32 {
    (spec_hash & ((1 << TAG_BITS) - 1)) as u32
}

/// Everything needed to rebuild one student's variant of one spec, and to tell the
/// student apart from everyone else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VariantCode {
    /// The whole hash of the spec the code belongs to (the code itself carries 30 bits).
    pub spec_hash: u64,
    pub seed: u64,
    /// The student's hash bits that the code carries: key (low 30) and identity (next 20).
    pub student: u64,
    pub salt: u32,
}

/// Why a typed code was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error(
        "a variant code has 24 symbols (like 0A1B-2C3D-4E5F-6G7H-8J9K-MN0P), this one has {0}"
    )]
    Length(usize),
    #[error("`{0}` is not a symbol of a variant code (digits and letters except I, L, O, U)")]
    Symbol(char),
    #[error("the check symbols do not match: the code is mistyped (check each symbol)")]
    Checksum,
    #[error("this code belongs to another spec (or another version of this spec file)")]
    OtherSpec,
    #[error("no student of {0} has this code (was it made with another class list or seed?)")]
    NotInClass(String),
    #[error(
        "{0} has several students whose ids this code fits ({1}); find the student by the code in the class run's key.json or key.csv"
    )]
    Ambiguous(String, String),
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

/// The check of a code value for a spec: (value + spec hash) mod the prime.
fn check(value: u128, spec_hash: u64) -> usize {
    ((value % CHECK_MODULUS + u128::from(spec_hash) % CHECK_MODULUS) % CHECK_MODULUS) as usize
}

/// The three check symbols of a check.
fn check_symbols(r: usize) -> [char; CHECK_SYMBOLS] {
    [
        ALPHABET[r >> 10] as char,
        ALPHABET[(r >> 5) & 31] as char,
        ALPHABET[r & 31] as char,
    ]
}

impl VariantCode {
    /// Creates a code from the spec hash, the seed, the student hash (only its low 50
    /// bits are kept) and the salt; panics on values that do not fit (callers validate
    /// seeds first).
    pub fn new(spec_hash: u64, seed: u64, student_hash: u64, salt: u32) -> VariantCode {
        assert!(seed <= MAX_SEED, "seed {seed} does not fit a variant code");
        assert!(salt <= MAX_SALT);
        VariantCode {
            spec_hash,
            seed,
            student: student_hash & ((1 << STUDENT_BITS) - 1),
            salt,
        }
    }

    /// The 30-bit student key the variant is drawn from.
    pub fn student_key(&self) -> u64 {
        key_of(self.student)
    }

    /// Whether this code was made for the student with this hash (key and identity).
    pub fn fits(&self, student_hash: u64) -> bool {
        student_hash & ((1 << STUDENT_BITS) - 1) == self.student
    }

    /// The spec tag the code carries.
    pub fn spec_tag(&self) -> u32 {
        spec_tag(self.spec_hash)
    }

    fn value(&self) -> u128 {
        let mut v = u128::from(self.spec_tag());
        v = (v << SEED_BITS) | u128::from(self.seed);
        v = (v << STUDENT_BITS) | u128::from(self.student);
        (v << SALT_BITS) | u128::from(self.salt)
    }

    /// Parses a typed code (see [`typed_symbols`]; case ignored, look-alikes read) and
    /// checks it belongs to the spec with the given hash.
    pub fn parse(text: &str, spec_hash: u64) -> Result<VariantCode, CodeError> {
        let symbols = typed_symbols(text);
        if symbols.len() != SYMBOLS {
            return Err(CodeError::Length(symbols.len()));
        }
        let mut value: u128 = 0;
        for &c in &symbols[..DATA_SYMBOLS] {
            let v = symbol_value(c).ok_or(CodeError::Symbol(c))?;
            value = (value << 5) | u128::from(v);
        }
        let mut typed = 0usize;
        for &c in &symbols[DATA_SYMBOLS..] {
            typed = (typed << 5) | symbol_value(c).ok_or(CodeError::Symbol(c))? as usize;
        }
        let salt = (value & u128::from(MAX_SALT)) as u32;
        let student = ((value >> SALT_BITS) & ((1 << STUDENT_BITS) - 1)) as u64;
        let seed = ((value >> (SALT_BITS + STUDENT_BITS)) & u128::from(MAX_SEED)) as u64;
        let below_tag = SALT_BITS + STUDENT_BITS + SEED_BITS;
        let tag = (value >> below_tag) as u32;
        if tag != spec_tag(spec_hash) {
            // A code whose check fits once this spec's tag is put back differs from a code
            // of this spec in its first six symbols only: a typo there, not another spec.
            let ours =
                (u128::from(spec_tag(spec_hash)) << below_tag) | (value & ((1 << below_tag) - 1));
            return Err(if typed == check(ours, spec_hash) {
                CodeError::Checksum
            } else {
                CodeError::OtherSpec
            });
        }
        if typed != check(value, spec_hash) {
            return Err(CodeError::Checksum);
        }
        Ok(VariantCode {
            spec_hash,
            seed,
            student,
            salt,
        })
    }
}

impl fmt::Display for VariantCode {
    /// `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`: 21 data symbols and the three check symbols.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.value();
        let symbols = (0..DATA_SYMBOLS)
            .rev()
            .map(|i| ALPHABET[((value >> (5 * i)) & 31) as usize] as char)
            .chain(check_symbols(check(value, self.spec_hash)));
        let mut out = String::with_capacity(SYMBOLS + SYMBOLS / 4);
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
        VariantCode::new(
            spec_hash("course: x\n"),
            7,
            student_hash(7, "0036512345"),
            0,
        )
    }

    const MAX_STUDENT: u64 = (1 << STUDENT_BITS) - 1;

    #[test]
    fn round_trips() {
        let code = sample();
        let text = code.to_string();
        assert_eq!(text.len(), 29, "{text}");
        assert_eq!(text.split('-').map(str::len).collect::<Vec<_>>(), [4; 6]);
        assert!(
            text.chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8))),
            "{text}"
        );
        assert_eq!(VariantCode::parse(&text, code.spec_hash), Ok(code));
        assert_eq!(
            VariantCode::parse(&text.to_lowercase().replace('-', " "), code.spec_hash),
            Ok(code)
        );
        let max = VariantCode::new(u64::MAX, MAX_SEED, u64::MAX, MAX_SALT);
        assert_eq!(max.student, MAX_STUDENT);
        assert_eq!(VariantCode::parse(&max.to_string(), u64::MAX), Ok(max));
    }

    /// Codes copied from a PDF, a Word document, a web page or a chat come with
    /// typographic dashes, no-break and zero-width spaces, and sometimes full-width forms.
    #[test]
    fn reads_the_separators_that_documents_print() {
        let code = sample();
        let text = code.to_string();
        for sep in [
            "\u{2013}", "\u{2014}", "\u{2212}", "\u{00A0}", "\u{202F}", "\u{2011}", " - ",
            "\u{200B}", "\u{FF0D}", "\u{FE58}", "\u{FE63}", "\u{2015}", "\u{2060}", "\u{FEFF}",
            "\u{200C}", "\u{200D}", "\u{3000}", "\u{2028}", "\u{00AD}", "\u{200E}", "",
        ] {
            let typed = text.replace('-', sep);
            assert_eq!(
                VariantCode::parse(&typed, code.spec_hash),
                Ok(code),
                "{typed:?}"
            );
        }
        // Invisible characters inside a group, and around the code.
        let typed = format!(
            "\u{FEFF}{}\u{200B}\n",
            text.replacen('-', "\u{200B}-\u{200D}", 2)
        );
        assert_eq!(VariantCode::parse(&typed, code.spec_hash), Ok(code));
        // Full-width letters and digits (East Asian input methods) read as ASCII.
        let wide: String = text
            .chars()
            .map(|c| char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap())
            .collect();
        assert_eq!(
            VariantCode::parse(&wide, code.spec_hash),
            Ok(code),
            "{wide}"
        );
    }

    /// Codes spread over the whole value range: tags, seeds, students and salts at their
    /// ends.
    fn many_codes() -> Vec<VariantCode> {
        let mut codes = vec![
            sample(),
            VariantCode::new(0, 0, 0, 0),
            VariantCode::new(u64::MAX, MAX_SEED, u64::MAX, MAX_SALT),
        ];
        for k in 0..200u64 {
            let h = crate::draw::splitmix64(k);
            codes.push(VariantCode::new(
                crate::draw::splitmix64(h),
                (h >> 7) & MAX_SEED,
                student_hash(k, "x"),
                (h & u64::from(MAX_SALT)) as u32,
            ));
        }
        codes
    }

    /// Exhaustive over 203 codes: every other symbol at every position, every swap of
    /// different neighbours. A swap across the tag's end (symbols 6 and 7) changes the tag
    /// and the seed, and is read as a code of another spec.
    #[test]
    fn rejects_every_single_substitution_and_adjacent_swap() {
        for code in many_codes() {
            let text: Vec<char> = code.to_string().chars().filter(|&c| c != '-').collect();
            assert_eq!(text.len(), SYMBOLS);
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
                        VariantCode::parse(&typo, code.spec_hash),
                        Err(CodeError::Checksum),
                        "{typo} for {code}"
                    );
                }
                if i + 1 < text.len() && text[i] != text[i + 1] {
                    let mut swapped = text.clone();
                    swapped.swap(i, i + 1);
                    let swapped: String = swapped.into_iter().collect();
                    let parsed = VariantCode::parse(&swapped, code.spec_hash);
                    if i == TAG_SYMBOLS - 1 {
                        assert!(parsed.is_err(), "{swapped} for {code}");
                    } else {
                        assert_eq!(parsed, Err(CodeError::Checksum), "{swapped} for {code}");
                    }
                }
            }
        }
    }

    const TAG_SYMBOLS: usize = (TAG_BITS / 5) as usize;

    #[test]
    fn the_layout_fills_the_symbols() {
        const { assert!(CHECK_MODULUS > 32 && CHECK_MODULUS <= 1 << (5 * CHECK_SYMBOLS)) };
        assert!((2..CHECK_MODULUS)
            .take_while(|d| d * d <= CHECK_MODULUS)
            .all(|d| !CHECK_MODULUS.is_multiple_of(d)));
        assert_eq!(
            (TAG_BITS + SEED_BITS + KEY_BITS + IDENTITY_BITS + SALT_BITS) as usize,
            5 * DATA_SYMBOLS
        );
        assert_eq!(TAG_BITS % 5, 0);
    }

    /// What a forger who matched the 30-bit tag of spec B (by tuning a spec file A until
    /// its tag is B's) produces: a code made with spec A's hash, carrying B's tag. The
    /// check of spec A does not fit spec B but for 1 pair in 32749.
    #[test]
    fn a_code_of_another_spec_with_a_matching_tag_is_rejected() {
        let pairs = 20_000u64;
        let mut accepted = 0;
        for k in 0..pairs {
            let b = crate::draw::splitmix64(k);
            // Spec A: another hash, with B's tag in its low bits.
            let a =
                (crate::draw::splitmix64(b) & !((1 << TAG_BITS) - 1)) | (b & ((1 << TAG_BITS) - 1));
            assert_ne!(a, b);
            let forged = VariantCode::new(a, k & MAX_SEED, student_hash(k, "y"), (k % 32) as u32);
            assert_eq!(forged.spec_tag(), spec_tag(b));
            match VariantCode::parse(&forged.to_string(), b) {
                Ok(_) => accepted += 1,
                Err(e) => assert_eq!(e, CodeError::Checksum),
            }
            assert_eq!(VariantCode::parse(&forged.to_string(), a), Ok(forged));
        }
        // Expected 20,000 / 32749 ≈ 0.6.
        assert!(accepted <= 4, "{accepted} of {pairs} forged codes accepted");
    }

    #[test]
    fn rejects_wrong_length_symbols_and_other_specs() {
        let code = sample();
        let text = code.to_string();
        assert_eq!(
            VariantCode::parse(&text[..10], code.spec_hash),
            Err(CodeError::Length(8))
        );
        assert_eq!(
            VariantCode::parse(&format!("{text}\u{200B}7"), code.spec_hash),
            Err(CodeError::Length(25))
        );
        assert!(matches!(
            VariantCode::parse(&text.replace(&text[0..1], "!"), code.spec_hash),
            Err(CodeError::Symbol('!'))
        ));
        // Another spec file: its tag differs.
        assert_eq!(
            VariantCode::parse(&text, spec_hash("course: y\n")),
            Err(CodeError::OtherSpec)
        );
    }

    #[test]
    fn keys_depend_on_seed_and_id_only() {
        assert_eq!(student_key(7, "a"), student_key(7, "a"));
        assert_ne!(student_key(7, "a"), student_key(8, "a"));
        assert_ne!(student_key(7, "a"), student_key(7, "b"));
        assert!(student_key(7, "a") < 1 << KEY_BITS);
        assert_eq!(
            student_key(7, "a"),
            student_hash(7, "a") & ((1 << KEY_BITS) - 1)
        );
        let code = VariantCode::new(0, 7, student_hash(7, "a"), 0);
        assert_eq!(code.student_key(), student_key(7, "a"));
        assert!(code.fits(student_hash(7, "a")));
        assert!(!code.fits(student_hash(7, "b")));
    }

    #[test]
    fn the_contract_is_fixed() {
        // Golden values: changing these changes every code ever printed.
        assert_eq!(fnv1a64(b"examgen"), GOLDEN_FNV);
        assert_eq!(student_key(7, "0036512345"), GOLDEN_KEY);
        // The key is the low bits of the hash; the former 30-bit tag, the low bits of the
        // spec hash.
        assert_eq!(spec_tag(spec_hash("course: x\n")), GOLDEN_TAG);
        assert_eq!(spec_hash("course: x\r\n"), spec_hash("course: x\n"));
        assert_eq!(spec_hash("course: x\n"), GOLDEN_SPEC_HASH);
        assert_eq!(student_hash(7, "0036512345"), GOLDEN_STUDENT_HASH);
        assert_eq!(
            VariantCode::new(GOLDEN_SPEC_HASH, 7, GOLDEN_STUDENT_HASH, 3).to_string(),
            GOLDEN_CODE
        );
    }

    const GOLDEN_FNV: u64 = 16804078667455440336;
    const GOLDEN_KEY: u64 = 1014630730;
    const GOLDEN_TAG: u32 = 643431792;
    const GOLDEN_SPEC_HASH: u64 = 2516954111809289584;
    const GOLDEN_STUDENT_HASH: u64 = 15303568007926253898;
    const GOLDEN_CODE: &str = "K5KZ-BG00-079J-0NY7-M2AA-3H1B";
}
