//! Figures that many sheets share (the activation plot is the same for every student
//! with the same function): each is written once as its own small document,
//! `figures/<name>.tex`, compiled once with `--pdf`, and included by every sheet that
//! shows it. A sheet still compiles on its own: without the figure's PDF it draws the
//! figure from the TikZ code it carries.

use askama::Template;

use crate::variant::fnv1a64;

/// A figure: its TikZ code and a name derived from that code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figure {
    /// `fig-<16 hex digits>`: equal code, equal name.
    pub name: String,
    pub tikz: String,
}

#[derive(Template)]
#[template(path = "figure.tex")]
struct FigureDocument<'a> {
    tikz: &'a str,
}

impl Figure {
    pub fn new(tikz: String) -> Figure {
        Figure {
            name: format!("fig-{:016x}", fnv1a64(tikz.as_bytes())),
            tikz,
        }
    }

    /// What a sheet writes where the figure goes.
    pub fn reference(&self) -> String {
        format!("\\examgenfigure{{{}}}{{{}}}", self.name, self.tikz)
    }

    /// The figure's own document, `figures/<name>.tex`.
    pub fn document(&self) -> String {
        let mut text = FigureDocument { tikz: &self.tikz }
            .render()
            .expect("the figure template has no fallible parts");
        text.push('\n');
        text
    }

    /// Where the figure's document is written, relative to the output directory.
    pub fn path(&self) -> String {
        Figure::path_of(&self.name)
    }

    /// Where the document of the figure named `name` is written.
    pub fn path_of(name: &str) -> String {
        format!("{FIGURES_DIR}/{name}.tex")
    }
}

/// The directory of shared figures, inside the output directory.
pub const FIGURES_DIR: &str = "figures";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_code() {
        let a = Figure::new("\\begin{tikzpicture}\\end{tikzpicture}".into());
        let b = Figure::new("\\begin{tikzpicture}\\end{tikzpicture}".into());
        let c = Figure::new("\\begin{tikzpicture} \\end{tikzpicture}".into());
        assert_eq!(a, b);
        assert_ne!(a.name, c.name);
        assert!(a.reference().starts_with("\\examgenfigure{fig-"));
        assert!(a.document().contains("\\shipout\\box0"));
        assert_eq!(a.path(), format!("figures/{}.tex", a.name));
    }
}
