//! The worked solution of the optimizer_steps problem: the optimiser's steps through
//! [`super::engine`], which keeps every intermediate the sheet shows.

use super::{Params, Solution};

impl crate::problems::kind::Variant for Params {
    type Solution = Solution;

    fn points(&self) -> crate::spec::Points {
        self.points
    }

    fn solve(&self) -> Solution {
        super::engine::run(self)
    }
}
