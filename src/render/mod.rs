//! LaTeX rendering: number formatting, escaping, and the askama template structs.
