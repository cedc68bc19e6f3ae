//! examgen: randomized, per-student deep-learning exams with worked solutions.
//!
//! The pipeline is spec → solve → render → export, one module each: [`spec`] reads the
//! YAML exam spec, [`problems`] turns parameters into solution records by running the
//! shared numeric [`engine`], [`render`] writes LaTeX through askama templates, and
//! [`export`] writes the answer key and compiles PDFs. [`run`] strings them together for
//! the command line defined in [`cli`].

pub mod class;
pub mod class_list;
pub mod cli;
pub mod draw;
pub mod engine;
pub mod error;
pub mod exact;
pub mod exam;
pub mod export;
pub mod grade;
pub mod invisible;
pub mod names;
pub mod parallel;
pub mod problems;
pub mod recent;
pub mod render;
pub mod run;
pub mod slot;
pub mod sorted_set;
pub mod spec;
pub mod variant;

pub use error::{Error, Result};
