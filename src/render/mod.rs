//! LaTeX rendering: number formatting, escaping, and the askama template structs.
//!
//! Templates live in `templates/` (syntax in `askama.toml`): `exam.tex` and
//! `solutions.tex` hold the documents, `hr/<kind>_question.tex` and
//! `hr/<kind>_solution.tex` one problem each (their views live with the kind, in
//! `problems/<kind>/render.rs`); the few phrases whose form depends on a
//! number (plurals, counted nouns) come from [`lang`]. The structs here are thin views: every
//! number is formatted in Rust (exactly, or the render fails), and user text reaches
//! LaTeX only through the `tex` escaper.

pub mod escape;
pub mod figure;
pub mod lang;
pub mod latex;
pub mod math;
pub mod measure;
pub mod sheet;
pub mod slides;
