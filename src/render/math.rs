//! Engine arrays as exact LaTeX: the bridge between ndarray values and the number
//! formatting of [`super::latex`].
//!
//! Every function here refuses (with a [`FormatError`]) to print a value that is not
//! exact, so a solution sheet never shows a rounded number where the exam promises an
//! exact one. `what` names the quantity in the error message.

use ndarray::{Array1, Array2};

use super::latex::{self, FormatError, NumberStyle};

/// How the numbers of one problem are printed.
#[derive(Clone, Copy, Debug)]
pub struct Fmt {
    pub style: NumberStyle,
}

impl Fmt {
    pub const DECIMAL: Fmt = Fmt {
        style: NumberStyle::Decimal,
    };
    pub const FRACTION: Fmt = Fmt {
        style: NumberStyle::Fraction,
    };

    /// One exact number.
    pub fn num(&self, x: f64, what: &str) -> Result<String, FormatError> {
        latex::exact(x, self.style, what)
    }

    /// A number as it appears after a binary operator: negative values in parentheses.
    pub fn operand(&self, x: f64, what: &str) -> Result<String, FormatError> {
        let s = self.num(x, what)?;
        Ok(if x < 0.0 { latex::parens(&s) } else { s })
    }

    fn entries(&self, a: &Array1<f64>, what: &str) -> Result<Vec<String>, FormatError> {
        latex::exact_vec(a, self.style, what)
    }

    /// A column vector as a bmatrix.
    pub fn col(&self, a: &Array1<f64>, what: &str) -> Result<String, FormatError> {
        Ok(latex::column(&self.entries(a, what)?))
    }

    /// A row vector as a bmatrix.
    pub fn row(&self, a: &Array1<f64>, what: &str) -> Result<String, FormatError> {
        Ok(latex::row(&self.entries(a, what)?))
    }

    /// A vector written inline as [a, b, c].
    pub fn list(&self, a: &Array1<f64>, what: &str) -> Result<String, FormatError> {
        Ok(latex::list(&self.entries(a, what)?))
    }

    /// A matrix as a bmatrix.
    pub fn mat(&self, a: &Array2<f64>, what: &str) -> Result<String, FormatError> {
        Ok(latex::matrix(&latex::exact_mat(
            a.rows(),
            self.style,
            what,
        )?))
    }

    /// A diagonal matrix with the given diagonal.
    pub fn diag(&self, d: &Array1<f64>, what: &str) -> Result<String, FormatError> {
        self.mat(&Array2::from_diag(d), what)
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{array, Array1};

    use super::Fmt;
    use crate::render::latex::FormatError;

    fn named(e: FormatError) -> String {
        let FormatError::NotExact { what, .. } = e;
        what
    }

    #[test]
    fn an_entry_that_is_not_exact_is_named_by_its_place() {
        let f = Fmt::DECIMAL;
        let m = array![[0.5, 1.0], [2.0, std::f64::consts::PI]];
        assert_eq!(named(f.mat(&m, "W").unwrap_err()), "W[1][1]");
        let v: Array1<f64> = array![1.0, 0.25, std::f64::consts::E];
        assert_eq!(named(f.col(&v, "h").unwrap_err()), "h[2]");
        assert_eq!(named(f.list(&v, "x").unwrap_err()), "x[2]");
        assert_eq!(
            f.mat(&array![[0.5, 1.0], [2.0, -0.75]], "W").unwrap(),
            r"\begin{bmatrix} 0.5 & 1 \\ 2 & -0.75 \end{bmatrix}"
        );
        assert_eq!(
            Fmt::FRACTION.col(&array![1.0 / 3.0, 2.0], "h").unwrap(),
            r"\begin{fracmatrix} \dfrac{1}{3} \\ \noalign{\vskip 1ex} 2 \end{fracmatrix}"
        );
    }
}
