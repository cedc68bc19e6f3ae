//! examgen: randomized, per-student deep-learning exams with worked solutions.
//!
//! The pipeline is spec → draw → solve → render → export, one module each:
//! [`spec`] reads the YAML exam spec, [`problems`] turns parameters into solution
//! records by running the shared numeric [`engine`], [`render`] writes LaTeX through
//! askama templates, and [`export`] writes the answer key and compiles PDFs.

pub mod engine;
pub mod exact;
pub mod render;
