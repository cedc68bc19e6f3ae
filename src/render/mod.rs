//! LaTeX rendering: number formatting, escaping, and the askama template structs.
//!
//! Templates live in `templates/` (syntax in `askama.toml`): `exam.tex` and
//! `solutions.tex` hold the documents, `hr/<kind>_question.tex` and
//! `hr/<kind>_solution.tex` one problem each; the few phrases whose form depends on a
//! number (plurals, counted nouns) come from [`lang`]. The structs here are thin views: every
//! number is formatted in Rust (exactly, or the render fails), and user text reaches
//! LaTeX only through the `tex` escaper.

pub mod activation;
pub mod activation_tex;
pub mod batchnorm_mlp;
pub mod conv1d;
pub mod escape;
pub mod figure;
pub mod lang;
pub mod latex;
pub mod math;
pub mod numpy;
pub mod retrieval_ap;
pub mod rnn_account;
pub mod sheet;
