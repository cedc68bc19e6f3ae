//! A slot of an exam: one place on the sheet, filled by one problem or by a pool of
//! problems of which each student gets one.
//!
//! A pool is the lecturer's way to give a class different kinds of problem in one place
//! (R/exams calls it an exercise vector): its members are whole problem entries, of any
//! kinds, or several parameterisations of one kind. The member a student gets is drawn
//! from that student's stream of the slot, before the member draws its own parameters,
//! so the choice is part of the variant and a variant code reproduces it like any
//! parameter. A slot of one problem draws nothing for the choice: its stream is exactly
//! the problem's, as before pools existed.
//!
//! Distinct variants of a pool are counted over the pool (a variant is the member's
//! parameters), so the sharing warning and the clash rule of [`crate::class`] apply to
//! pools unchanged.

use crate::draw::{self, VariantRng};
use crate::error::{Error, Result};
use crate::problems::{Problem, Solved};

/// Most problems one pool may list (counted while the spec is read).
pub const MAX_POOL: usize = 20;

/// One place on the sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    /// One problem, or the members of a pool (at least two), in spec order.
    members: Vec<Problem>,
}

impl Slot {
    /// A slot holding one problem.
    pub fn single(problem: Problem) -> Self {
        Slot {
            members: vec![problem],
        }
    }

    /// A pool: each student gets one of `members` (at least one).
    pub fn pool(members: Vec<Problem>) -> Self {
        assert!(!members.is_empty(), "a pool has members");
        Slot { members }
    }

    /// The problems a student can get here (one, unless a pool).
    pub fn members(&self) -> &[Problem] {
        &self.members
    }

    /// The slot's problem, unless it is a pool.
    pub fn problem(&self) -> Option<&Problem> {
        (!self.is_pool()).then(|| &self.members[0])
    }

    /// Whether the slot is a pool of several problems.
    pub fn is_pool(&self) -> bool {
        self.members.len() > 1
    }

    /// The slot as messages name it: the kind, or `pool: a | b | c`.
    pub fn label(&self) -> String {
        if self.is_pool() {
            let kinds: Vec<&str> = self.members.iter().map(Problem::kind).collect();
            format!("pool: {}", kinds.join(" | "))
        } else {
            self.members[0].kind().to_string()
        }
    }

    /// Whether every student gets the same numbers here.
    pub fn is_fixed(&self) -> bool {
        !self.is_pool() && self.members[0].is_fixed()
    }

    /// The member a student's stream picks (the first draw of a pool's stream; a single
    /// problem takes nothing from the stream).
    pub fn choose(&self, rng: &mut VariantRng) -> &Problem {
        if self.is_pool() {
            &self.members[draw::index(rng, self.members.len())]
        } else {
            &self.members[0]
        }
    }

    /// Draws one variant of the slot at 1-based sheet position `index` (for messages);
    /// also returns how many candidates the member's draw took.
    pub fn draw_counted(&self, rng: &mut VariantRng, index: usize) -> Result<(Solved, usize)> {
        let problem = self.choose(rng);
        problem.draw_counted(rng).map_err(|source| Error::Draw {
            index,
            kind: problem.kind(),
            source,
        })
    }

    /// Draws one variant of the slot at 1-based sheet position `index`.
    pub fn draw(&self, rng: &mut VariantRng, index: usize) -> Result<Solved> {
        self.draw_counted(rng, index).map(|(solved, _)| solved)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::draw::problem_rng;

    const HEADER: &str = "course: C\nexam: E\nlanguage: hr\nproblems:\n";

    fn slots(problems: &str) -> Vec<Slot> {
        crate::exam::parse(&format!("{HEADER}{problems}"), Path::new("s.yaml"))
            .expect("valid spec")
            .slots
    }

    const POOL: &str =
        "  - pool:\n      - softmax_ce:\n          draw: {}\n      - conv1d:\n          draw: {}\n";

    #[test]
    fn a_single_problem_takes_nothing_from_the_stream_for_the_choice() {
        let slot = &slots("  - softmax_ce:\n      draw: {}\n")[0];
        let problem = &slot.members()[0];
        for student in 0..20 {
            let by_slot = slot.draw(&mut problem_rng(5, student, 0, 0), 1).unwrap();
            let by_problem = problem.draw(&mut problem_rng(5, student, 0, 0)).unwrap();
            assert_eq!(by_slot.key(), by_problem.key());
        }
    }

    #[test]
    fn a_pool_gives_every_member_to_some_students_and_reproduces_the_choice() {
        let slot = &slots(POOL)[0];
        assert!(slot.is_pool() && !slot.is_fixed());
        assert_eq!(slot.label(), "pool: softmax_ce | conv1d");
        let mut kinds = std::collections::BTreeMap::new();
        for student in 0..200 {
            let once = slot.draw(&mut problem_rng(5, student, 0, 0), 1).unwrap();
            let again = slot.draw(&mut problem_rng(5, student, 0, 0), 1).unwrap();
            assert_eq!(once.key(), again.key(), "student {student}");
            *kinds.entry(once.kind()).or_insert(0) += 1;
        }
        // Uniform choice: each of the two members about 100 times in 200.
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        assert!(
            kinds.values().all(|&n| (70..=130).contains(&n)),
            "{kinds:?}"
        );
    }

    #[test]
    fn a_pool_of_two_pinned_problems_is_not_fixed() {
        let slot = &slots(
            "  - pool:\n      - softmax_ce: {logits: [1, 0], ln_base: 2, y: 0}\n      - softmax_ce: {logits: [2, 0], ln_base: 2, y: 1}\n",
        )[0];
        assert!(!slot.is_fixed());
        let keys: std::collections::HashSet<String> = (0..40)
            .map(|s| {
                slot.draw(&mut problem_rng(1, s, 0, 0), 1).unwrap().key()["params"].to_string()
            })
            .collect();
        assert_eq!(keys.len(), 2);
    }
}
