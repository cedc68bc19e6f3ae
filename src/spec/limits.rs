//! Every limit a spec must stay within, in one place.
//!
//! A spec is read by a tool that then draws and solves one variant per student; a spec
//! that asks for a billion-entry vector, a range of two billion labels or a YAML alias
//! bomb would take the machine down instead of failing. These bounds are generous for an
//! exam solved by hand and keep every sampler and solver bounded; the README's "Limits"
//! table lists them. A spec outside them is refused when it is read, naming the field.
//! A limit that only one kind has (how many steps, layers, kernels) is that kind's and
//! lives in its folder.

/// Largest spec file, in bytes.
pub const MAX_SPEC_BYTES: usize = 1 << 20;

/// Deepest nesting of lists and maps in a spec. The deepest field of a real spec is a
/// matrix row inside a problem (depth 5); parsing a file nested 100,000 deep is slow in
/// the YAML parser itself, so the text is checked before it is parsed.
pub const MAX_NESTING: usize = 64;

/// Most problems in one exam.
pub const MAX_PROBLEMS: usize = 50;

/// Most entries of any list in a spec: a vector, the rows of a matrix, the entries of a
/// row, the choices of a set knob. Lists are counted while they are read, so a YAML
/// alias that repeats a huge list is refused before it is expanded.
pub const MAX_ENTRIES: usize = 32;

/// Largest magnitude of a number written in a spec. Sums and products of such numbers
/// over the sizes above stay far below 2^53, where f64 stops holding every integer.
pub const MAX_MAGNITUDE: f64 = 1e6;

/// Largest denominator of a number written in a spec: every number must be a fraction
/// p/q with q at most this, written exactly (0.25, 1.5, 765; not 0.123456789 or
/// 5.0000000001, which the sheets' exact-value check would print as a nearby fraction).
/// It equals the sheets' bound `exact::MAX_DEN` (a test keeps them equal), so
/// what a spec pins is what the sheet prints.
pub const MAX_DENOMINATOR: i64 = 5_040;

/// Largest magnitude of either end of a `[min, max]` range knob. Within it, drawn values
/// and their sums and products stay exactly representable and far from the sheets'
/// zero tolerance (1e-9), and a sampler that walks a range (labels) stays cheap.
pub const MAX_RANGE: i64 = 10_000;

#[cfg(test)]
mod tests {
    #[test]
    fn the_denominator_bound_is_the_sheets() {
        assert_eq!(super::MAX_DENOMINATOR, crate::exact::MAX_DEN);
    }
}
