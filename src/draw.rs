//! Drawing parameters: the per-problem random stream, the sampling primitives, and
//! constraints with bounded rejection sampling.
//!
//! The random stream is part of examgen's public contract: a variant is a pure function
//! of (exam seed, student key, problem position, clash salt). The generator is
//! ChaCha20 (rand_chacha, version pinned) keyed by a SplitMix64 expansion of those four
//! numbers (see [`problem_rng`]); every draw goes through the primitives below, which use
//! only `next_u64` of that generator, so a change of rand's own sampling algorithms cannot
//! move the numbers. Golden tests fix the first variants of every problem type.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The generator behind every draw.
pub type VariantRng = ChaCha20Rng;

/// SplitMix64's mixing function (a bijection on u64 with good avalanche).
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Domain separation, so that these keys never coincide with other uses of SplitMix64.
const DOMAIN: u64 = 0x6578_616D_6765_6E31; // "examgen1"

/// The generator of one problem of one student's variant.
///
/// The 32-byte ChaCha key is four SplitMix64 words of a state that absorbs, in order,
/// the exam seed, the student key, the problem position (0-based) and the salt (0 unless
/// a clash between two students of a class had to be resolved).
pub fn problem_rng(seed: u64, student: u64, position: usize, salt: u32) -> VariantRng {
    let mut state = DOMAIN;
    for word in [seed, student, position as u64, u64::from(salt)] {
        state = splitmix64(state ^ word);
    }
    let mut key = [0u8; 32];
    for (i, chunk) in key.chunks_mut(8).enumerate() {
        state = splitmix64(state.wrapping_add(i as u64));
        chunk.copy_from_slice(&state.to_le_bytes());
    }
    ChaCha20Rng::from_seed(key)
}

/// A uniform integer in `lo..=hi` (unbiased: rejection on the top of the u64 range).
pub fn int_in(rng: &mut VariantRng, lo: i64, hi: i64) -> i64 {
    assert!(lo <= hi, "empty range {lo}..={hi}");
    let span = (hi as i128 - lo as i128 + 1) as u128;
    if span > u128::from(u64::MAX) {
        return rng.next_u64() as i64;
    }
    let span = span as u64;
    let zone = u64::MAX - (u64::MAX % span);
    loop {
        let r = rng.next_u64();
        if r < zone {
            return (lo as i128 + (r % span) as i128) as i64;
        }
    }
}

/// A uniform integer of `lo..=hi` as an f64 (parameters are integers stored as floats).
pub fn uniform(rng: &mut VariantRng, (lo, hi): (i64, i64)) -> f64 {
    int_in(rng, lo, hi) as f64
}

/// A uniform index in `0..n`.
pub fn index(rng: &mut VariantRng, n: usize) -> usize {
    assert!(n > 0, "cannot pick from nothing");
    int_in(rng, 0, n as i64 - 1) as usize
}

/// One element of a non-empty slice.
pub fn pick<'a, T>(rng: &mut VariantRng, items: &'a [T]) -> &'a T {
    &items[index(rng, items.len())]
}

/// True with probability `num / den`.
pub fn chance(rng: &mut VariantRng, num: u64, den: u64) -> bool {
    assert!(den > 0 && num <= den);
    (int_in(rng, 0, den as i64 - 1) as u64) < num
}

/// Fisher–Yates shuffle.
pub fn shuffle<T>(rng: &mut VariantRng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = index(rng, i + 1);
        items.swap(i, j);
    }
}

/// A named property every drawn variant must have, checked on the parameters and their
/// solution.
///
/// A kind declares all of its constraints as values and lists them (`constraints()` of
/// its sampler, which may depend on the sampler's settings); a candidate that is given
/// up names one of them ([`Rejection`]), never a free string, so the list `examgen
/// check` prints is exactly the set that can reject a candidate.
pub struct Constraint<P, S> {
    /// Short snake_case name, used in errors and reports.
    pub name: &'static str,
    /// What it guarantees, in words.
    pub description: &'static str,
    pub holds: fn(&P, &S) -> bool,
}

impl<P, S> std::fmt::Debug for Constraint<P, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "constraint `{}`", self.name)
    }
}

impl<P, S> Constraint<P, S> {
    /// A constraint that only the sampler enforces, while it draws: a pinned value may
    /// break it (so it always holds when checked on a solved variant), but no drawn
    /// candidate does.
    pub const fn while_drawing(name: &'static str, description: &'static str) -> Self {
        Constraint {
            name,
            description,
            holds: |_, _| true,
        }
    }
}

/// Rejection sampling gave up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "no draw satisfied the constraint `{constraint}` in {tries} tries; \
     change the ranges (narrower ranges often help) or pin fewer parameters"
)]
pub struct DrawError {
    /// The constraint that failed most often.
    pub constraint: &'static str,
    pub tries: usize,
}

/// How many candidates a problem may try before it gives up.
pub const MAX_TRIES: usize = 5000;

/// Why a candidate (or a part of one) was given up: one of its kind's constraints.
pub type Rejection<P, S> = &'static Constraint<P, S>;

/// Outcome of one candidate draw before the constraints are checked.
pub type Candidate<P, S> = Result<P, Rejection<P, S>>;

/// A kind's constant list as the references the functions below take.
pub fn all<P: 'static, S: 'static>(
    constraints: &'static [Constraint<P, S>],
) -> Vec<Rejection<P, S>> {
    constraints.iter().collect()
}

/// Whether `name` is one of `constraints`.
pub fn declares<P, S>(constraints: &[&Constraint<P, S>], name: &str) -> bool {
    constraints.iter().any(|c| c.name == name)
}

/// Draws candidates until every constraint holds; fails with the constraint that
/// rejected most candidates. `candidate` may itself reject (naming a constraint) when a
/// constructive step cannot be completed; that constraint must be one of
/// `constraints`, the sampler's full list.
pub fn draw_until<P: 'static, S: 'static>(
    rng: &mut VariantRng,
    mut candidate: impl FnMut(&mut VariantRng) -> Candidate<P, S>,
    solve: impl Fn(&P) -> S,
    constraints: &[&Constraint<P, S>],
) -> Result<(P, S, usize), DrawError> {
    let mut failures: Vec<(&'static str, usize)> = Vec::new();
    for tries in 1..=MAX_TRIES {
        let failed = match candidate(rng) {
            Err(rejection) => {
                // A rejection `check` does not list would be a constraint nobody was told
                // about; every test that draws trips over it.
                debug_assert!(
                    declares(constraints, rejection.name),
                    "a candidate was rejected by `{}`, which its sampler does not list",
                    rejection.name
                );
                rejection.name
            }
            Ok(params) => {
                let solution = solve(&params);
                match constraints.iter().find(|c| !(c.holds)(&params, &solution)) {
                    None => return Ok((params, solution, tries)),
                    Some(c) => c.name,
                }
            }
        };
        match failures.iter_mut().find(|(n, _)| *n == failed) {
            Some((_, count)) => *count += 1,
            None => failures.push((failed, 1)),
        }
    }
    let constraint = failures
        .iter()
        .max_by_key(|(_, count)| *count)
        .map_or("unknown", |(name, _)| name);
    Err(DrawError {
        constraint,
        tries: MAX_TRIES,
    })
}

/// The constraint every kind has that its sheet prints exactly what it claims to.
pub const PRINTED_EXACT: &str = "printed_exact";

/// The [`PRINTED_EXACT`] constraint of a kind: `renders` says whether the kind's own
/// question and solution render, which fails on any value that should be exact and is
/// not.
pub const fn printed_exact<P, S>(renders: fn(&P, &S) -> bool) -> Constraint<P, S> {
    Constraint {
        name: PRINTED_EXACT,
        description: "every value the solution prints as exact is a fraction with denominator \
                      at most 5040 (or such a multiple of ln b), checked with the sheet's own \
                      formatting",
        holds: renders,
    }
}

/// Fixed-or-draw, written once for every kind: a fully pinned problem (`fixed`) is solved
/// and must keep every constraint (the first it breaks is the error, after one "try");
/// otherwise candidates are drawn until one keeps them all (see [`draw_until`]).
pub fn fixed_or_drawn<P: 'static, S: 'static>(
    rng: &mut VariantRng,
    fixed: Option<P>,
    candidate: impl FnMut(&mut VariantRng) -> Candidate<P, S>,
    solve: impl Fn(&P) -> S,
    constraints: &[&Constraint<P, S>],
) -> Result<(P, S, usize), DrawError> {
    let Some(fixed) = fixed else {
        return draw_until(rng, candidate, solve, constraints);
    };
    let solution = solve(&fixed);
    match broken(&fixed, &solution, constraints).first() {
        Some(&constraint) => Err(DrawError {
            constraint,
            tries: 1,
        }),
        None => Ok((fixed, solution, 1)),
    }
}

/// The names of the constraints a fixed (fully pinned) problem breaks.
///
/// [`PRINTED_EXACT`] is left to the commands' loader, which renders a pinned problem
/// once and names the very value that is not exact (a constraint can only give its
/// name); the library's own parse keeps accepting such a problem, whose answer key the
/// engine tests use.
pub fn broken<P, S>(
    params: &P,
    solution: &S,
    constraints: &[&Constraint<P, S>],
) -> Vec<&'static str> {
    constraints
        .iter()
        .filter(|c| c.name != PRINTED_EXACT && !(c.holds)(params, solution))
        .map(|c| c.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_fixed() {
        // Golden: the first words of the first problem of student 0 under seed 0. If this
        // changes, every variant ever printed changes.
        let mut rng = problem_rng(0, 0, 0, 0);
        let first: Vec<u64> = (0..2).map(|_| rng.next_u64()).collect();
        let mut again = problem_rng(0, 0, 0, 0);
        assert_eq!(first, (0..2).map(|_| again.next_u64()).collect::<Vec<_>>());
        assert_eq!(first, GOLDEN_FIRST_WORDS);
    }

    const GOLDEN_FIRST_WORDS: [u64; 2] = [12699455778896686816, 2341146633409122309];

    #[test]
    fn streams_differ_by_each_input() {
        let base = problem_rng(7, 1, 0, 0).next_u64();
        assert_ne!(base, problem_rng(8, 1, 0, 0).next_u64());
        assert_ne!(base, problem_rng(7, 2, 0, 0).next_u64());
        assert_ne!(base, problem_rng(7, 1, 1, 0).next_u64());
        assert_ne!(base, problem_rng(7, 1, 0, 1).next_u64());
    }

    #[test]
    fn int_in_covers_the_range_uniformly() {
        let mut rng = problem_rng(1, 2, 3, 0);
        let mut counts = [0usize; 7];
        for _ in 0..70_000 {
            let v = int_in(&mut rng, -3, 3);
            counts[(v + 3) as usize] += 1;
        }
        for c in counts {
            assert!((9_000..11_000).contains(&c), "{counts:?}");
        }
        assert_eq!(int_in(&mut rng, 5, 5), 5);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut rng = problem_rng(1, 1, 1, 0);
        let mut v: Vec<usize> = (0..20).collect();
        shuffle(&mut rng, &mut v);
        let mut sorted = v.clone();
        sorted.sort();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
        assert_ne!(v, sorted);
    }

    const IMPOSSIBLE: Constraint<i64, ()> = Constraint {
        name: "impossible",
        description: "never holds",
        holds: |_, _| false,
    };

    const EVEN: Constraint<i64, ()> = Constraint {
        name: "even",
        description: "an even number",
        holds: |p, _| p % 2 == 0,
    };

    #[test]
    fn draw_until_names_the_failing_constraint() {
        let mut rng = problem_rng(0, 0, 0, 0);
        let err =
            draw_until(&mut rng, |r| Ok(int_in(r, 0, 9)), |_| (), &[&IMPOSSIBLE]).unwrap_err();
        assert_eq!(err.constraint, "impossible");
        assert_eq!(err.tries, MAX_TRIES);
        let (v, _, _) = draw_until(&mut rng, |r| Ok(int_in(r, 0, 9)), |_| (), &[&EVEN]).unwrap();
        assert_eq!(v % 2, 0);
    }

    #[test]
    fn a_candidate_rejects_with_a_listed_constraint() {
        let mut rng = problem_rng(0, 0, 0, 0);
        let err = draw_until(&mut rng, |_| Err(&EVEN), |_| (), &[&IMPOSSIBLE, &EVEN]).unwrap_err();
        assert_eq!(err.constraint, "even");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "which its sampler does not list")]
    fn a_rejection_the_sampler_does_not_list_is_caught() {
        let mut rng = problem_rng(0, 0, 0, 0);
        let _ = draw_until(&mut rng, |_| Err(&EVEN), |_| (), &[&IMPOSSIBLE]);
    }
}
