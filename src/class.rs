//! A class's variants: one seat per student with its key, salt and variant code, and the
//! rule that keeps variants apart.
//!
//! Each student's variant depends only on the seed and the student's own id. Two students
//! of one class could still draw the same variant of a problem; when the problem's variant
//! space is large enough for the class, such a clash is resolved by raising the salt of
//! the student whose (key, id) sorts later, and the salt is carried in the student's code.
//! Students are processed in (key, id) order, never in file order, so reordering the class
//! list changes nothing; adding a student can change another student's numbers only if the
//! newcomer clashes with them, which the run reports.
//!
//! Whatever the variant spaces, no two students of a class share a code: the student key
//! is only 30 bits, so two ids can share it (about 2 pairs in a class of 100,000), and
//! then the later one in (key, id) order takes the next free salt. `regenerate` does not
//! rely on that: a code also carries 20 more bits of the student's hash, which tell the
//! students of a class apart by themselves, so it finds the student without seating the
//! class again (see [`crate::variant`]). The code is, for anonymous variants, the file
//! name. Students' file names are made unique for file systems that ignore case by
//! [`file_stems`], which depends on the ids alone.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::class_list::{file_id, Student, Students};
use crate::draw::problem_rng;
use crate::error::{Error, Result};
use crate::exam::ExamSpec;
use crate::problems::kind::{drawing_in, Views};
use crate::problems::Solved;
use crate::sorted_set::SortedSet;
use crate::variant::{fnv1a64, key_of, student_hash, VariantCode, MAX_SALT};

/// Most anonymous variants one run makes (`--count`): a million seats take a few hundred
/// MB; more is refused before any work.
pub const MAX_COUNT: usize = 1_000_000;

/// One student's place in a class run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seat {
    /// None for anonymous variants (`--count`).
    pub student: Option<Student>,
    pub code: VariantCode,
    /// Stem of the student's file names.
    pub file_stem: String,
}

/// Draws and solves every problem of one variant.
pub fn draw_variant(spec: &ExamSpec, seed: u64, key: u64, salt: u32) -> Result<Vec<Solved>> {
    draw_variant_kept(spec, seed, key, salt).map(|(solved, _)| solved)
}

/// [`draw_variant`], with the views each problem's draw built (in the spec's language)
/// kept for rendering ([`Solved::render_kept`]).
pub fn draw_variant_kept(
    spec: &ExamSpec,
    seed: u64,
    key: u64,
    salt: u32,
) -> Result<(Vec<Solved>, Vec<Option<Views>>)> {
    drawing_in(spec.language, || {
        let mut solved = Vec::with_capacity(spec.slots.len());
        let mut views = Vec::with_capacity(spec.slots.len());
        for (i, slot) in spec.slots.iter().enumerate() {
            let drawn = slot.draw(&mut problem_rng(seed, key, i, salt), i + 1)?;
            views.push(drawn.take_views());
            solved.push(drawn);
        }
        Ok((solved, views))
    })
}

/// The identity of a problem variant: a hash of its parameters.
pub fn fingerprint(solved: &Solved) -> u64 {
    solved.fingerprint()
}

/// The generator of probe draw `j` of problem `position`: a student key outside the
/// range of real keys, so probes (`check`, the variant counts) never coincide with a
/// student.
pub fn probe_rng(position: usize, j: usize) -> crate::draw::VariantRng {
    problem_rng(u64::MAX, (1 << 40) + j as u64, position, 0)
}

/// How much larger than the class a variant space must be for students to be kept apart.
pub const ROOM_PER_STUDENT: usize = 20;

/// How many different variants a problem has, estimated from `samples` draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VariantCount {
    pub samples: usize,
    pub distinct: usize,
    /// Estimated size of the variant space (capture–recapture); None when every sample
    /// was distinct (the space is much larger than the sample).
    pub estimate: Option<f64>,
    /// Candidates drawn per accepted variant (1 = every candidate accepted).
    pub tries_per_variant: f64,
}

impl VariantCount {
    /// Whether `n` students can get different variants without making clashes the rule:
    /// the space must be at least [`ROOM_PER_STUDENT`] times the class, so that a clash
    /// (which raises a student's salt and so redraws all of that student's problems) stays
    /// rare.
    pub fn allows(&self, n: usize) -> bool {
        self.estimate
            .is_none_or(|e| e >= (ROOM_PER_STUDENT * n) as f64)
    }

    /// "about 42" / "more than 2000".
    pub fn describe(&self) -> String {
        match self.estimate {
            Some(e) => format!("about {}", e.round()),
            None => format!("more than {}", self.samples),
        }
    }
}

/// Estimates the variant space of problem `position` from probe draws (student keys
/// outside the range of real keys, so probes never coincide with a student).
pub fn count_variants(spec: &ExamSpec, position: usize, samples: usize) -> Result<VariantCount> {
    count_variants_on(spec, position, samples, 1)
}

/// [`count_variants`] with the probes drawn on `threads` threads (the same count for
/// any number of threads: each probe has its own generator).
pub fn count_variants_on(
    spec: &ExamSpec,
    position: usize,
    samples: usize,
    threads: usize,
) -> Result<VariantCount> {
    let slot = &spec.slots[position];
    let probes: Vec<usize> = (0..samples).collect();
    let drawn = crate::parallel::map_in_order(&probes, threads, "counting the variants", |&j| {
        let mut rng = probe_rng(position, j);
        let (solved, tries) = slot.draw_counted(&mut rng, position + 1)?;
        Ok((fingerprint(&solved), tries))
    })?;
    let tries: usize = drawn.iter().map(|&(_, t)| t).sum();
    let distinct = drawn
        .iter()
        .map(|&(f, _)| f)
        .collect::<HashSet<u64>>()
        .len();
    Ok(VariantCount {
        samples,
        distinct,
        estimate: (distinct < samples).then(|| space_estimate(samples, distinct)),
        tries_per_variant: tries as f64 / samples as f64,
    })
}

/// The N for which drawing `m` times uniformly from N items is expected to show `d`
/// distinct ones: solves N (1 − (1 − 1/N)^m) = d by bisection.
fn space_estimate(m: usize, d: usize) -> f64 {
    let expected = |n: f64| n * (1.0 - (1.0 - 1.0 / n).powf(m as f64));
    let (mut lo, mut hi) = (d as f64, 1e12);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if expected(mid) < d as f64 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// Something the staff should know about a class run.
#[derive(Clone, Debug, PartialEq)]
pub struct Warning(pub String);

/// Who a class run seats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Roster {
    /// The students of a class list.
    Students(Students),
    /// `n` anonymous variants (`--count`): the k-th (from 1) has the id `#k`, which gives
    /// its key, and its code for a file name.
    Anonymous(usize),
}

impl Roster {
    /// How many seats.
    pub fn len(&self) -> usize {
        match self {
            Roster::Students(students) => students.len(),
            Roster::Anonymous(n) => *n,
        }
    }

    /// Whether there is no seat.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id seat `s` is keyed by.
    fn id(&self, s: usize) -> std::borrow::Cow<'_, str> {
        match self {
            Roster::Students(students) => students.id(s).into(),
            Roster::Anonymous(_) => format!("#{}", s + 1).into(),
        }
    }
}

/// Seats a class: keys, clash-free salts where the variant spaces allow, codes. The
/// seats are in class-list order; [`seat_each`] does the same work and hands each seat
/// over with its variant as soon as it is final.
pub fn seat(
    spec: &ExamSpec,
    seed: u64,
    roster: Roster,
    threads: usize,
) -> Result<(Vec<Seat>, Vec<Warning>)> {
    let n = roster.len();
    let (seats, warnings) = seat_each(
        spec,
        seed,
        roster,
        threads,
        |_| Ok(vec![None; n]),
        |seats: &mut Vec<Option<Seat>>, chunk| {
            for seated in chunk {
                seats[seated.index] = Some(seated.seat);
            }
            Ok(())
        },
    )?;
    Ok((seats.into_iter().flatten().collect(), warnings))
}

/// A seat whose salt is final, with its variant.
pub struct Seated {
    /// The seat's place in the class list.
    pub index: usize,
    pub seat: Seat,
    pub solved: Vec<Solved>,
    /// The views the draws of `solved` built, for rendering.
    pub views: Vec<Option<Views>>,
}

/// Students drawn together on all threads before their clashes are resolved. A seated
/// student keeps the views its draw built until it is rendered, so a chunk's views are
/// what memory holds beyond the class's few words per seat: 16 keeps a class of 100,000
/// under 20 MiB (32 measured 20.6 MiB), at the same CPU.
const SEAT_CHUNK: usize = 16;

/// Seats a class as [`seat`] does, handing the seats to `each` a chunk at a time, in
/// (key, id) order, as soon as their salts are final: a student's salt depends only on
/// the students before it in that order. Each student is drawn once (again only for a
/// clash), so the caller renders the variants it is handed instead of drawing them anew.
///
/// Everything that can be told without drawing a student comes first: the checks of the
/// class that can fail (file names, students sharing a key) and the warnings known then
/// (variant spaces, file names), which `ready` gets before any student is drawn; what it
/// returns is handed to every `each`. Returns it, and all the warnings in the order
/// [`seat`] has always given them (the variant spaces', the clashes', the file names').
///
/// Memory grows with the class by a few words per seat (its key, its place in the order,
/// the fingerprints a clash is looked up in) and by the roster itself: a seat's file
/// name is made when it is handed over.
pub fn seat_each<T>(
    spec: &ExamSpec,
    seed: u64,
    roster: Roster,
    threads: usize,
    ready: impl FnOnce(&[Warning]) -> Result<T>,
    mut each: impl FnMut(&mut T, Vec<Seated>) -> Result<()>,
) -> Result<(T, Vec<Warning>)> {
    let n = roster.len();
    // `--count` makes anonymous variants: the warnings speak of variants, not students.
    let (seats_are, seat_is) = match roster {
        Roster::Anonymous(_) => ("variants", "variant"),
        Roster::Students(_) => ("students", "student"),
    };
    let mut warnings = Vec::new();
    let mut keep_apart = Vec::with_capacity(spec.slots.len());
    for (i, slot) in spec.slots.iter().enumerate() {
        if slot.is_fixed() {
            keep_apart.push(false);
            if n > 1 {
                warnings.push(Warning(format!(
                    "problem {} ({}) is fully pinned, so all {n} {seats_are} get the same numbers",
                    i + 1,
                    slot.label()
                )));
            }
            continue;
        }
        let count = count_variants_on(spec, i, n.clamp(200, 1000), threads)?;
        let allows = count.allows(n);
        if !allows {
            warnings.push(Warning(format!(
                "problem {} ({}) has {} distinct variants for {n} {seats_are}, so some {seats_are} may share its numbers",
                i + 1,
                slot.label(),
                count.describe()
            )));
        }
        keep_apart.push(allows);
    }

    // Keys have 30 bits, and a class fewer than 2^32 seats (`--count` at most MAX_COUNT,
    // a class list at most 32 MiB).
    let seats = u32::try_from(n).expect("a class has fewer than 2^32 seats");
    let keys: Vec<u32> = (0..n)
        .map(|s| key_of(student_hash(seed, &roster.id(s))) as u32)
        .collect();
    let mut order: Vec<u32> = (0..seats).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        keys[a]
            .cmp(&keys[b])
            .then_with(|| roster.id(a).cmp(&roster.id(b)))
    });
    // Students' file names depend on the ids alone; an anonymous variant's is its code,
    // known once its salt is. Their warnings come after the clashes', as they always have.
    let mut stem_warnings = Vec::new();
    let renamed = match &roster {
        Roster::Students(students) => {
            let ids: Vec<Option<&str>> = (0..n).map(|s| Some(students.id(s))).collect();
            case_clashes(&ids, &mut stem_warnings)?
        }
        Roster::Anonymous(_) => Vec::new(),
    };

    // More students on one key than a code can tell apart: refused before anything is
    // drawn, naming the first student in seating order who finds every salt taken.
    let mut run = 0;
    for (k, &s) in order.iter().enumerate() {
        run = if k > 0 && keys[order[k - 1] as usize] == keys[s as usize] {
            run + 1
        } else {
            1
        };
        if run > MAX_SALT as usize + 1 {
            return Err(too_many_on_key(seat_is, &roster.id(s as usize)));
        }
    }
    let known: Vec<Warning> = warnings.iter().chain(&stem_warnings).cloned().collect();
    let mut state = ready(&known)?;
    drop(known);

    let keep_any = keep_apart.iter().any(|&k| k);
    // 8 bytes per student and problem kept apart, reserved at once.
    let mut seen: Vec<SortedSet> = keep_apart
        .iter()
        .map(|&keep| SortedSet::with_capacity(if keep { n } else { 0 }))
        .collect();
    // The salts taken on the key of the students just seated, one bit per salt: (key,
    // salt) is a student's code, and students of one key are seated one after another.
    let mut taken: (u64, u32) = (0, 0);
    // A variant with the fingerprints of its problems (only when some are kept apart),
    // taken on the thread that drew it.
    let draw = |key: u64, salt: u32| -> Result<Drawn> {
        let (solved, views) = draw_variant_kept(spec, seed, key, salt)?;
        let prints = match keep_any {
            true => solved.iter().map(fingerprint).collect(),
            false => Vec::new(),
        };
        Ok(Drawn {
            solved,
            views,
            prints,
        })
    };
    for chunk in order.chunks(SEAT_CHUNK) {
        // Every student's first draw, on all threads; clashes (rare) are resolved one by
        // one below. Small classes are drawn faster than threads start.
        let threads = if n < 64 { 1 } else { threads };
        let first = crate::parallel::map_in_order(chunk, threads, "drawing the variants", |&s| {
            draw(u64::from(keys[s as usize]), 0)
        })?;
        let mut seated = Vec::with_capacity(chunk.len());
        for (&s, first) in chunk.iter().zip(first) {
            let s = s as usize;
            let key = u64::from(keys[s]);
            let used = if taken.0 == key { taken.1 } else { 0 };
            let mut first = Some(first);
            let mut variant_of = |salt: u32| -> Result<Drawn> {
                match (salt, first.take()) {
                    (0, Some(drawn)) => Ok(drawn),
                    _ => draw(key, salt),
                }
            };
            let choice = if keep_any {
                choose_salt(used, |salt| {
                    let drawn = variant_of(salt)?;
                    let clash = drawn
                        .prints
                        .iter()
                        .enumerate()
                        .any(|(i, f)| keep_apart[i] && seen[i].contains(f));
                    Ok((drawn, clash))
                })?
            } else {
                choose_salt(used, |salt| Ok((variant_of(salt)?, false)))?
            };
            let (salt, drawn) = match choice {
                Some(SaltChoice::ClashFree(salt, drawn)) => (salt, drawn),
                Some(SaltChoice::Clashing(salt)) => {
                    warnings.push(Warning(format!(
                        "{seat_is} `{}` shares a variant with another {seat_is}: no clash-free variant in {} tries",
                        roster.id(s),
                        MAX_SALT + 1
                    )));
                    (salt, draw(key, salt)?)
                }
                None => return Err(too_many_on_key(seat_is, &roster.id(s))),
            };
            let Drawn {
                solved,
                views,
                prints,
            } = drawn;
            for (i, f) in prints.into_iter().enumerate() {
                if keep_apart[i] {
                    seen[i].insert(f);
                }
            }
            taken = (key, used | (1 << salt));
            let code = VariantCode::new(spec.hash, seed, student_hash(seed, &roster.id(s)), salt);
            let (student, file_stem) = match &roster {
                Roster::Students(students) => {
                    let student = students.get(s);
                    let stem = match renamed.binary_search_by_key(&s, |&(r, _)| r) {
                        Ok(r) => renamed[r].1.clone(),
                        Err(_) => file_id(&student.id),
                    };
                    (Some(student), stem)
                }
                Roster::Anonymous(_) => (None, code.to_string()),
            };
            seated.push(Seated {
                index: s,
                seat: Seat {
                    student,
                    code,
                    file_stem,
                },
                solved,
                views,
            });
        }
        each(&mut state, seated)?;
    }
    warnings.extend(stem_warnings);
    Ok((state, warnings))
}

/// A student's variant as drawn for seating: its problems, the views their draws built,
/// and their fingerprints (empty when no problem is kept apart).
struct Drawn {
    solved: Vec<Solved>,
    views: Vec<Option<Views>>,
    prints: Vec<u64>,
}

/// The error for a student whose key every salt of a code is taken on already.
fn too_many_on_key(seat_is: &str, id: &str) -> Error {
    Error::Usage(format!(
        "{seat_is} `{id}` shares its student key with {} others, more than a code can tell apart; choose another --seed",
        MAX_SALT + 1
    ))
}

/// How a student's salt was chosen.
#[derive(Debug, PartialEq)]
enum SaltChoice<P> {
    /// The first free salt whose variant (`P`) clashes with nobody.
    ClashFree(u32, P),
    /// Every free salt clashes: the first free one, sharing a variant but not a code.
    Clashing(u32),
}

/// Chooses a student's salt. `used` has a bit for each salt that another student with
/// the same key already has, so (key, salt), the code, stays unique; `try_salt` draws a
/// salt's variant and says whether it clashes. None: every salt of the key is taken.
fn choose_salt<P>(
    used: u32,
    mut try_salt: impl FnMut(u32) -> Result<(P, bool)>,
) -> Result<Option<SaltChoice<P>>> {
    let mut free = (0..=MAX_SALT)
        .filter(|salt| used & (1 << salt) == 0)
        .peekable();
    let Some(&first_free) = free.peek() else {
        return Ok(None);
    };
    for salt in free {
        let (prints, clash) = try_salt(salt)?;
        if !clash {
            return Ok(Some(SaltChoice::ClashFree(salt, prints)));
        }
    }
    Ok(Some(SaltChoice::Clashing(first_free)))
}

/// The file-name stem of every seat of a class, from the students' ids (None for an
/// anonymous variant, whose stem is `anonymous(seat)`, its code: codes are distinct and
/// upper case). A student's stem is the [`file_id`] of the id. Stems that differ only in
/// case (`ab12`, `AB12`) would name one file on macOS, Windows and FAT; each of them gets
/// `-` and 8 hex digits of a hash of its id. Nothing is drawn, so `regenerate` finds the
/// class run's names from the class list alone.
pub fn file_stems(
    ids: &[Option<&str>],
    anonymous: impl Fn(usize) -> String,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<String>> {
    let renamed = case_clashes(ids, warnings)?;
    let mut stems: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(s, id)| match id {
            Some(id) => file_id(id),
            None => anonymous(s),
        })
        .collect();
    for (s, stem) in renamed {
        stems[s] = stem;
    }
    Ok(stems)
}

/// The stems [`file_stems`] gives that are not the [`file_id`] of the id — those that
/// differ from another only in case — as (seat, stem) by seat, with their warning; an
/// error when they cannot be told apart. A class is grouped by a hash of its lower-case
/// stems, so that no copy of every stem is held.
fn case_clashes(ids: &[Option<&str>], warnings: &mut Vec<Warning>) -> Result<Vec<(usize, String)>> {
    let id = |s: usize| ids[s].unwrap_or("");
    let named = || (0..ids.len()).filter(|&s| ids[s].is_some());
    let folded = |s: usize| {
        let mut stem = file_id(id(s));
        stem.make_ascii_lowercase();
        stem
    };
    let hashes: Vec<u64> = (0..ids.len())
        .map(|s| ids[s].map_or(0, |_| fnv1a64(folded(s).as_bytes())))
        .collect();
    let mut order: Vec<u32> = named()
        .map(|s| u32::try_from(s).expect("a class has fewer than 2^32 seats"))
        .collect();
    order.sort_by_key(|&s| hashes[s as usize]);
    // Seats of one hash, split by their lower-case stems (two stems may share a hash);
    // each group in class-list order, the groups in the order of their lower-case stems.
    let mut clashes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for run in order
        .chunk_by(|&a, &b| hashes[a as usize] == hashes[b as usize])
        .filter(|run| run.len() > 1)
    {
        let mut by_stem: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &s in run {
            by_stem
                .entry(folded(s as usize))
                .or_default()
                .push(s as usize);
        }
        clashes.extend(by_stem.into_iter().filter(|(_, group)| group.len() > 1));
    }
    drop((hashes, order));
    if clashes.is_empty() {
        return Ok(Vec::new());
    }
    let mut stems: Vec<String> = ids
        .iter()
        .map(|id| id.map(file_id).unwrap_or_default())
        .collect();
    for group in clashes.values_mut() {
        group.sort_by_key(|&s| id(s));
        // Same stem exactly: only ids cut to the longest stem can do that.
        let exact: HashSet<&str> = group.iter().map(|&s| stems[s].as_str()).collect();
        if exact.len() < group.len() {
            return Err(Error::Usage(format!(
                "the ids `{}` and `{}` are too long to tell apart in file names; shorten one",
                id(group[0]),
                id(group[1])
            )));
        }
        for &s in group.iter() {
            stems[s] = format!("{}-{:08x}", stems[s], fnv1a64(id(s).as_bytes()) >> 32);
        }
        warnings.push(Warning(format!(
            "the ids `{}` differ only in upper and lower case, which file systems such as macOS's and Windows' do not tell apart; their files are named with a hash of the id: {}",
            group.iter().map(|&s| id(s)).collect::<Vec<_>>().join("` and `"),
            group
                .iter()
                .map(|&s| format!("{}-exam.tex", stems[s]))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    // A suffixed stem could meet another student's own stem; refuse rather than guess.
    let mut folded = HashMap::new();
    for s in named() {
        if let Some(other) = folded.insert(stems[s].to_lowercase(), s) {
            return Err(Error::Usage(format!(
                "the ids `{}` and `{}` give the same file name on file systems that ignore case; change one",
                id(other),
                id(s)
            )));
        }
    }
    let mut renamed: Vec<(usize, String)> = clashes
        .into_values()
        .flatten()
        .map(|s| (s, std::mem::take(&mut stems[s])))
        .collect();
    renamed.sort_by_key(|&(s, _)| s);
    Ok(renamed)
}

#[cfg(test)]
mod tests {
    use super::{choose_salt, space_estimate, SaltChoice, MAX_SALT};

    fn random_spec() -> crate::exam::ExamSpec {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("variants/du1-random.yaml");
        crate::exam::load(&path).expect("the spec loads")
    }

    #[test]
    fn stems_that_differ_only_in_case_are_renamed_all_of_a_group_and_only_they() {
        let suffix = |id: &str| format!("{:08x}", crate::variant::fnv1a64(id.as_bytes()) >> 32);
        let ids = [
            Some("Ab12"),
            Some("x"),
            None,
            Some("ab12"),
            Some("AB12"),
            Some("zz"),
            Some("ZZ"),
        ];
        let mut warnings = Vec::new();
        let stems = super::file_stems(&ids, |s| format!("anon{s}"), &mut warnings).unwrap();
        for (s, id) in ids.iter().enumerate() {
            let expected = match id {
                None => format!("anon{s}"),
                Some("x") => "x".to_string(),
                Some(id) => format!("{id}-{}", suffix(id)),
            };
            assert_eq!(stems[s], expected);
        }
        // One warning per group, in the order of the lower-case stems, ids sorted.
        assert_eq!(warnings.len(), 2);
        assert!(
            warnings[0].0.contains("`AB12` and `Ab12` and `ab12`"),
            "{}",
            warnings[0].0
        );
        assert!(warnings[1].0.contains("`ZZ` and `zz`"), "{}", warnings[1].0);

        // A renamed stem that is another student's own stem: refused, not guessed.
        let own = format!("ab12-{}", suffix("ab12"));
        let err = super::file_stems(
            &[Some("ab12"), Some("AB12"), Some(&own)],
            |_| String::new(),
            &mut Vec::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("give the same file name"), "{err}");
    }

    #[test]
    fn variant_counts_and_seats_do_not_depend_on_the_number_of_threads() {
        let spec = random_spec();
        for i in 0..spec.slots.len() {
            let one = super::count_variants_on(&spec, i, 120, 1).unwrap();
            for threads in [2, 3] {
                assert_eq!(
                    super::count_variants_on(&spec, i, 120, threads).unwrap(),
                    one
                );
            }
        }
        // 100 anonymous seats: more than one seating chunk, so several parallel draws.
        let seats =
            |threads| super::seat(&spec, 7, super::Roster::Anonymous(100), threads).unwrap();
        let (one, warnings) = seats(1);
        assert_eq!(seats(2), (one.clone(), warnings));
        let codes: std::collections::HashSet<String> =
            one.iter().map(|s| s.code.to_string()).collect();
        assert_eq!(codes.len(), 100);
    }

    #[test]
    fn a_salt_taken_by_the_same_key_is_never_chosen() {
        // Nothing to keep apart: the first salt the key's other students left free.
        let never = |_| Ok(((), false));
        assert_eq!(
            choose_salt(0, never).unwrap(),
            Some(SaltChoice::ClashFree(0, ()))
        );
        assert_eq!(
            choose_salt(0b1, never).unwrap(),
            Some(SaltChoice::ClashFree(1, ()))
        );
        assert_eq!(
            choose_salt(0b1011, never).unwrap(),
            Some(SaltChoice::ClashFree(2, ()))
        );
        // Taken salts are not even drawn; the first free one without a clash wins.
        let mut tried = Vec::new();
        let choice = choose_salt(0b101, |salt| {
            tried.push(salt);
            Ok((salt * 10, salt < 3))
        });
        assert_eq!(choice.unwrap(), Some(SaltChoice::ClashFree(3, 30)));
        assert_eq!(tried, [1, 3]);
    }

    #[test]
    fn without_a_clash_free_variant_the_first_free_salt_is_taken() {
        let always = |salt| Ok((salt, true));
        assert_eq!(
            choose_salt(0, always).unwrap(),
            Some(SaltChoice::Clashing(0))
        );
        assert_eq!(
            choose_salt(0b11, always).unwrap(),
            Some(SaltChoice::Clashing(2))
        );
        let all = u32::MAX >> (31 - MAX_SALT);
        assert_eq!(choose_salt(all, always).unwrap(), None);
        assert_eq!(
            choose_salt(all ^ (1 << 17), always).unwrap(),
            Some(SaltChoice::Clashing(17))
        );
    }

    #[test]
    fn estimates_the_size_of_small_spaces() {
        // 200 draws from 50 items show about 49 distinct ones.
        let e = space_estimate(200, 49);
        assert!((40.0..60.0).contains(&e), "{e}");
        let e = space_estimate(1000, 7);
        assert!((6.5..7.5).contains(&e), "{e}");
    }

    #[test]
    fn a_variant_renders_from_the_views_its_draw_kept_as_from_fresh_views() {
        use crate::spec::Language;
        fn render(
            s: &crate::problems::Solved,
            language: crate::spec::Language,
            i: usize,
            views: Option<&crate::problems::kind::Views>,
        ) -> (String, String, Vec<crate::render::figure::Figure>) {
            let b = s.render_kept(language, i, views).unwrap();
            (b.question, b.solution, b.figures)
        }
        for language in [Language::Hr, Language::En] {
            let mut spec = random_spec();
            spec.language = language;
            let other = match language {
                Language::Hr => Language::En,
                Language::En => Language::Hr,
            };
            for key in 0..12 {
                let (solved, views) = super::draw_variant_kept(&spec, 7, key, 0).unwrap();
                let (next, next_views) = super::draw_variant_kept(&spec, 7, key + 1, 0).unwrap();
                let plain = super::draw_variant(&spec, 7, key, 0).unwrap();
                for (i, s) in solved.iter().enumerate() {
                    assert_eq!(s.fingerprint(), plain[i].fingerprint(), "the same draw");
                    // Every problem of this spec is drawn under constraints, so its
                    // draw built (and kept) its views.
                    let kept = views[i].as_ref();
                    assert!(
                        kept.is_some(),
                        "key {key}, problem {}: no views kept",
                        i + 1
                    );
                    let fresh = render(s, language, i + 1, None);
                    assert_eq!(render(s, language, i + 1, kept), fresh);
                    // Another variant's views, or views in another language, are not used.
                    if next[i].fingerprint() != s.fingerprint() {
                        assert_eq!(render(s, language, i + 1, next_views[i].as_ref()), fresh);
                    }
                    assert_eq!(render(s, other, i + 1, kept), render(s, other, i + 1, None));
                }
            }
        }
    }
}
