//! Question and worked solution of the conv2d_pool problem. The solution works as one
//! does by hand: the output sizes from the formula, one conv output written out term by
//! term, then the matrices; each pooling window's maximum named; the gradient routed to
//! those maxima only, so ∂L/∂K is a short sum of (gradient · patch) terms and ∂L/∂X a
//! short sum of (gradient · kernel) placements. Indices on the sheet are 1-based.

use ndarray::Array2;

use super::layers::patch;
use super::{Params, Solution};
use crate::problems::kind::{QuestionView, WorkedView};
use crate::render::lang::Words;
use crate::render::latex::FormatError;
use crate::render::math::Fmt;

const F: Fmt = Fmt::FRACTION;

crate::localized!(Question { Hr => "hr/conv2d_pool_question.tex", En => "en/conv2d_pool_question.tex" });

pub struct Question {
    /// `\mathbf{X}^{(1)} = ...` per channel (no superscript with one channel).
    pub image: Vec<String>,
    pub kernel: Vec<String>,
    pub bias: String,
    pub stride: usize,
    pub padding: usize,
    pub pool: usize,
    pub pool_stride: usize,
    pub upstream: String,
}

/// One channel's backward pass through the conv.
pub struct ChannelGrad {
    /// "^{(1)}" or "".
    pub sup: String,
    /// The routed terms of ∂L/∂K_c, lines of a `split`.
    pub kernel_terms: String,
    pub kernel: String,
    /// ∂L/∂(padded X_c), when there is padding.
    pub padded: Option<String>,
    pub image: String,
}

crate::localized!(SolutionSheet { Hr => "hr/conv2d_pool_solution.tex", En => "en/conv2d_pool_solution.tex" });

pub struct SolutionSheet {
    pub conv_size: String,
    pub pool_size: String,
    pub padding: usize,
    pub padded: Vec<String>,
    pub first_terms: String,
    pub z: String,
    pub a: String,
    /// One line per pooling window: its maximum and where it is.
    pub windows: Vec<String>,
    pub pooled: String,
    pub upstream: String,
    pub loss_terms: String,
    pub grad_a: String,
    pub mask: String,
    pub grad_z: String,
    pub bias_terms: String,
    pub grad_bias: String,
    pub channels: Vec<ChannelGrad>,
    pub torch: String,
}

/// The superscript of channel `c` (0-based) when there are several.
fn sup(c: usize, channels: usize) -> String {
    if channels > 1 {
        format!("^{{({})}}", c + 1)
    } else {
        String::new()
    }
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, _words: &dyn Words) -> Result<Self, FormatError> {
        let c = p.image.len();
        let named = |name: &str, m: &[Array2<f64>]| -> Result<Vec<String>, FormatError> {
            m.iter()
                .enumerate()
                .map(|(i, x)| Ok(format!(r"\mathbf{{{name}}}{} = {}", sup(i, c), F.mat(x, name)?)))
                .collect()
        };
        Ok(Question {
            image: named("X", &p.image)?,
            kernel: named("K", &p.kernel)?,
            bias: F.num(p.bias, "b")?,
            stride: p.stride,
            padding: p.padding,
            pool: p.pool,
            pool_stride: p.pool_stride,
            upstream: F.mat(&p.upstream, "G")?,
        })
    }
}

/// "O = (H + 2P − K)/S + 1 = (5 + 2·0 − 2)/1 + 1 = 4", per axis when they differ.
fn size_line(symbol: &str, ns: (usize, usize), k: usize, s: usize, p: Option<usize>, outs: (usize, usize)) -> String {
    let line = |axis: &str, n: usize, out: usize| {
        let (names, nums) = match p {
            Some(p) => (format!("{axis} + 2P - K"), format!("{n} + 2 \\cdot {p} - {k}")),
            None => (format!("{axis} - K_p"), format!("{n} - {k}")),
        };
        let stride = if p.is_some() { "S" } else { "S_p" };
        format!(r"{symbol} = \frac{{{names}}}{{{stride}}} + 1 = \frac{{{nums}}}{{{s}}} + 1 = {out}")
    };
    if ns.0 == ns.1 {
        line(if p.is_some() { "H" } else { "O" }, ns.0, outs.0)
    } else {
        let (a, b) = if p.is_some() { ("H", "W") } else { ("O_h", "O_w") };
        format!(r"{}, \quad {}", line(a, ns.0, outs.0), line(b, ns.1, outs.1))
    }
}

/// Terms joined by " + ", `per_line` to a line of a `split` environment.
fn lines(terms: &[String], per_line: usize) -> String {
    terms
        .chunks(per_line)
        .map(|chunk| chunk.join(" + "))
        .collect::<Vec<_>>()
        .join(r" \\ &\quad + ")
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, _words: &dyn Words) -> Result<Self, FormatError> {
        let shape = p.shape();
        let c = p.image.len();
        let k = shape.kernel;
        let conv_out = s.z.dim();
        let pooled_out = s.pooled.dim();

        // z_11 term by term, channel by channel.
        let mut first = Vec::new();
        for (x, w) in s.padded.iter().zip(&p.kernel) {
            let seen = patch(x, k, p.stride, (0, 0));
            for (xv, wv) in seen.iter().zip(w.iter()) {
                first.push(format!(r"{} \cdot {}", F.operand(*xv, "x")?, F.operand(*wv, "k")?));
            }
        }
        first.push(F.operand(p.bias, "b")?);
        let first_terms = format!(
            "z_{{11}} &= {} \\\\ &= {}",
            lines(&first, 7),
            F.num(s.z[(0, 0)], "z_11")?
        );

        let windows = s
            .windows
            .iter()
            .map(|w| {
                let (r, col) = w.at;
                let cells: Vec<String> = (0..p.pool)
                    .flat_map(|u| (0..p.pool).map(move |v| (r * p.pool_stride + u, col * p.pool_stride + v)))
                    .map(|ij| F.num(s.a[ij], "a"))
                    .collect::<Result<_, _>>()?;
                Ok(format!(
                    r"m_{{{}{}}} = \max\{{{}\}} = {} = a_{{{}{}}}",
                    r + 1,
                    col + 1,
                    cells.join(", "),
                    F.num(s.pooled[w.at], "m")?,
                    w.argmax.0 + 1,
                    w.argmax.1 + 1
                ))
            })
            .collect::<Result<Vec<_>, FormatError>>()?;

        let loss_terms = s
            .windows
            .iter()
            .map(|w| Ok(format!(r"{} \cdot {}", F.operand(p.upstream[w.at], "g")?, F.operand(s.pooled[w.at], "m")?)))
            .collect::<Result<Vec<_>, FormatError>>()?;
        let loss_terms = format!("{} = {}", loss_terms.join(" + "), F.num(s.loss, "L")?);

        // The positions the gradient reaches (∂L/∂Z ≠ 0), row-major.
        let routed: Vec<((usize, usize), f64)> =
            s.grad_z.indexed_iter().filter(|(_, &g)| g != 0.0).map(|(ij, &g)| (ij, g)).collect();
        let bias_terms = routed
            .iter()
            .map(|&(_, g)| F.operand(g, "dz"))
            .collect::<Result<Vec<_>, _>>()?
            .join(" + ");

        let mut channels = Vec::with_capacity(c);
        for ch in 0..c {
            let terms = routed
                .iter()
                .map(|&(ij, g)| {
                    Ok(format!(r"{} \cdot {}", F.operand(g, "dz")?, F.mat(&patch(&s.padded[ch], k, p.stride, ij), "patch")?))
                })
                .collect::<Result<Vec<_>, FormatError>>()?;
            let per_line = if k <= 2 { 4 } else { 3 };
            channels.push(ChannelGrad {
                sup: sup(ch, c),
                kernel_terms: lines(&terms, per_line),
                kernel: F.mat(&s.grad_kernel[ch], "dL/dK")?,
                padded: if p.padding > 0 { Some(F.mat(&s.grad_padded[ch], "dL/dXpad")?) } else { None },
                image: F.mat(&s.grad_image[ch], "dL/dX")?,
            });
        }

        Ok(SolutionSheet {
            conv_size: size_line("O", (shape.height, shape.width), k, p.stride, Some(p.padding), conv_out),
            pool_size: size_line("O_p", conv_out, p.pool, p.pool_stride, None, pooled_out),
            padding: p.padding,
            padded: s
                .padded
                .iter()
                .enumerate()
                .map(|(i, x)| Ok(format!(r"\mathbf{{X}}{}_P = {}", sup(i, c), F.mat(x, "padded X")?)))
                .collect::<Result<_, FormatError>>()?,
            first_terms,
            z: F.mat(&s.z, "Z")?,
            a: F.mat(&s.a, "A")?,
            windows,
            pooled: F.mat(&s.pooled, "M")?,
            upstream: F.mat(&p.upstream, "G")?,
            loss_terms,
            grad_a: F.mat(&s.grad_a, "dL/dA")?,
            mask: F.mat(&s.relu_mask, "ReLU'")?,
            grad_z: F.mat(&s.grad_z, "dL/dZ")?,
            bias_terms,
            grad_bias: F.num(s.grad_bias, "dL/db")?,
            channels,
            torch: torch_check(p),
        })
    }
}

/// A Python list of floats per row of `m`.
fn py_rows(m: &Array2<f64>) -> Vec<String> {
    m.rows()
        .into_iter()
        .map(|r| format!("[{}]", r.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")))
        .collect()
}

/// A Python nested list of floats on one line (a small matrix).
fn py(m: &Array2<f64>) -> String {
    format!("[{}]", py_rows(m).join(", "))
}

/// The short PyTorch program that checks every answer, filled in with the variant's
/// numbers (float64; one line per channel so no line overflows the listing).
pub fn torch_check(p: &Params) -> String {
    // One image row per line: a whole 5 × 5 channel on one line would overflow.
    let channels = |m: &[Array2<f64>]| {
        m.iter()
            .map(|c| {
                let rows: String = py_rows(c).iter().map(|r| format!("     {r},\n")).collect();
                format!("    [\n{rows}    ],\n")
            })
            .collect::<String>()
    };
    format!(
        "import torch\n\
         import torch.nn.functional as F\n\
         \n\
         torch.set_default_dtype(torch.float64)\n\
         X = torch.tensor([\n{x}]).unsqueeze(0).requires_grad_()\n\
         K = torch.tensor([\n{k}]).unsqueeze(0).requires_grad_()\n\
         b = torch.tensor([{b:?}], requires_grad=True)\n\
         G = torch.tensor({g}).view(1, 1, {gh}, {gw})\n\
         \n\
         Z = F.conv2d(X, K, b, stride={s}, padding={pad})\n\
         M = F.max_pool2d(torch.relu(Z), {q}, stride={sq})\n\
         (G * M).sum().backward()\n\
         print(Z, M, sep='\\n')\n\
         print(K.grad, b.grad, X.grad, sep='\\n')\n",
        x = channels(&p.image),
        k = channels(&p.kernel),
        b = p.bias,
        g = py(&p.upstream),
        gh = p.upstream.nrows(),
        gw = p.upstream.ncols(),
        s = p.stride,
        pad = p.padding,
        q = p.pool,
        sq = p.pool_stride,
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::super::Conv2dPool;
    use super::*;
    use crate::problems::kind::{render, Variant as _};

    #[test]
    fn the_pinned_sheet_shows_the_hand_worked_steps() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert_eq!(
            sheet.conv_size,
            r"O = \frac{H + 2P - K}{S} + 1 = \frac{5 + 2 \cdot 0 - 2}{1} + 1 = 4"
        );
        assert!(sheet.first_terms.starts_with(r"z_{11} &= 1 \cdot 1 + 0 \cdot 2 + 2 \cdot 0 + 1 \cdot (-1) + 1"), "{}", sheet.first_terms);
        assert_eq!(sheet.windows[0], r"m_{11} = \max\{1, 5, 6, 0\} = 6 = a_{21}");
        assert_eq!(sheet.bias_terms, "2 + (-1) + 1 + 3");
        assert_eq!(sheet.loss_terms, r"2 \cdot 6 + (-1) \cdot 6 + 1 \cdot 6 + 3 \cdot 7 = 33");
        let out = render::<Conv2dPool>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(out.solution.contains("unakrsna korelacija"), "the convention is printed");
        assert!(out.question.contains("PyTorchu (jezgra se ne okre"), "{}", out.question);
        assert!(out.question.contains(r"\mathrm{ReLU}'(0) = 0"), "{}", out.question);
    }
}
