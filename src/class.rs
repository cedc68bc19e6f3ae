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

use std::collections::HashSet;

use crate::class_list::{file_id, Student};
use crate::draw::problem_rng;
use crate::error::{Error, Result};
use crate::problems::Solved;
use crate::spec::ExamSpec;
use crate::variant::{student_key, VariantCode, MAX_SALT};

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
    spec.problems
        .iter()
        .enumerate()
        .map(|(i, problem)| {
            let mut rng = problem_rng(seed, key, i, salt);
            problem.draw(&mut rng).map_err(|source| Error::Draw {
                index: i + 1,
                kind: problem.kind(),
                source,
            })
        })
        .collect()
}

/// The identity of a problem variant: a hash of its parameters.
pub fn fingerprint(solved: &Solved) -> u64 {
    solved.fingerprint()
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
    let problem = &spec.problems[position];
    let mut seen = HashSet::new();
    let mut tries = 0usize;
    for j in 0..samples {
        let mut rng = problem_rng(u64::MAX, (1 << 40) + j as u64, position, 0);
        let (solved, t) = problem
            .draw_counted(&mut rng)
            .map_err(|source| Error::Draw {
                index: position + 1,
                kind: problem.kind(),
                source,
            })?;
        tries += t;
        seen.insert(fingerprint(&solved));
    }
    let distinct = seen.len();
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

/// Seats a class: keys, clash-free salts where the variant spaces allow, codes.
pub fn seat(
    spec: &ExamSpec,
    seed: u64,
    students: Vec<Option<Student>>,
    anonymous_ids: &[String],
    threads: usize,
) -> Result<(Vec<Seat>, Vec<Warning>)> {
    let n = students.len();
    let mut warnings = Vec::new();
    let mut keep_apart = Vec::with_capacity(spec.problems.len());
    for (i, problem) in spec.problems.iter().enumerate() {
        if problem.is_fixed() {
            keep_apart.push(false);
            if n > 1 {
                warnings.push(Warning(format!(
                    "problem {} ({}) is fully pinned, so all {n} students get the same numbers",
                    i + 1,
                    problem.kind()
                )));
            }
            continue;
        }
        let count = count_variants(spec, i, n.clamp(200, 1000))?;
        let allows = count.allows(n);
        if !allows {
            warnings.push(Warning(format!(
                "problem {} ({}) has {} distinct variants for {n} students, so some students may share a variant",
                i + 1,
                problem.kind(),
                count.describe()
            )));
        }
        keep_apart.push(allows);
    }

    let ids: Vec<&str> = students
        .iter()
        .zip(anonymous_ids)
        .map(|(s, anon)| s.as_ref().map_or(anon.as_str(), |s| s.id.as_str()))
        .collect();
    let keys: Vec<u64> = ids.iter().map(|id| student_key(seed, id)).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| (keys[a], ids[a]).cmp(&(keys[b], ids[b])));

    let mut seen: Vec<HashSet<u64>> = vec![HashSet::new(); spec.problems.len()];
    let mut salts = vec![0u32; n];
    // Every student's first draw, computed on all threads; clashes (rare) are resolved
    // one by one below. Nothing to keep apart: everybody keeps salt 0.
    let first: Vec<Vec<u64>> = if keep_apart.iter().any(|&k| k) {
        first_prints(spec, seed, &keys, threads)?
    } else {
        vec![Vec::new(); n]
    };
    for &s in order.iter().filter(|_| keep_apart.iter().any(|&k| k)) {
        let mut chosen = None;
        for salt in 0..=MAX_SALT {
            let prints: Vec<u64> = if salt == 0 {
                first[s].clone()
            } else {
                draw_variant(spec, seed, keys[s], salt)?
                    .iter()
                    .map(fingerprint)
                    .collect()
            };
            let clash = prints
                .iter()
                .enumerate()
                .any(|(i, f)| keep_apart[i] && seen[i].contains(f));
            if !clash {
                chosen = Some((salt, prints));
                break;
            }
        }
        let (salt, prints) = match chosen {
            Some(c) => c,
            None => {
                warnings.push(Warning(format!(
                    "student `{}` shares a variant with another student: no clash-free variant in {} tries",
                    ids[s],
                    MAX_SALT + 1
                )));
                (0, first[s].clone())
            }
        };
        for (i, f) in prints.into_iter().enumerate() {
            seen[i].insert(f);
        }
        salts[s] = salt;
    }

    let mut stems = std::collections::HashMap::new();
    for (s, student) in students.iter().enumerate() {
        if let Some(st) = student {
            if let Some(other) = stems.insert(file_id(&st.id), s) {
                return Err(Error::Usage(format!(
                    "the ids `{}` and `{}` are too long to tell apart in file names; shorten one",
                    ids[other], st.id
                )));
            }
        }
    }
    let seats = students
        .into_iter()
        .enumerate()
        .map(|(s, student)| {
            let code = VariantCode::new(spec.tag, seed, keys[s], salts[s]);
            let file_stem = match &student {
                Some(st) => file_id(&st.id),
                None => code.to_string(),
            };
            Seat {
                student,
                code,
                file_stem,
            }
        })
        .collect();
    Ok((seats, warnings))
}

/// The fingerprints of every student's salt-0 variant, drawn on `threads` threads.
fn first_prints(spec: &ExamSpec, seed: u64, keys: &[u64], threads: usize) -> Result<Vec<Vec<u64>>> {
    // Small classes are drawn faster than threads start.
    let threads = if keys.len() < 64 { 1 } else { threads };
    crate::parallel::map_in_order(keys, threads, "drawing the variants", |&key| {
        Ok(draw_variant(spec, seed, key, 0)?
            .iter()
            .map(fingerprint)
            .collect())
    })
}

#[cfg(test)]
mod tests {
    use super::space_estimate;

    #[test]
    fn estimates_the_size_of_small_spaces() {
        // 200 draws from 50 items show about 49 distinct ones.
        let e = space_estimate(200, 49);
        assert!((40.0..60.0).contains(&e), "{e}");
        let e = space_estimate(1000, 7);
        assert!((6.5..7.5).contains(&e), "{e}");
    }
}
