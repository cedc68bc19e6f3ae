//! LaTeX rendering: number formatting, escaping, and the askama template structs.

pub mod activation_tex;
pub mod numpy;
