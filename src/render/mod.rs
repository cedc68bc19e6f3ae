//! LaTeX rendering: number formatting, escaping, and the askama template structs.

pub mod escape;
pub mod latex;
