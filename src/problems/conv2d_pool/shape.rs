//! The geometry of one variant: image, kernel, stride, padding and pooling sizes, and the
//! output sizes they give. A conv or pooling output size is ⌊(H + 2P − K)/S⌋ + 1; the
//! problem refuses every geometry where the floor would drop something (the division
//! must be exact), so that no input row or column is silently left out of the sheet.

/// The sizes of one variant (square kernel and pooling window, image H × W).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    /// The kernel is K × K (one per input channel, one output channel).
    pub kernel: usize,
    pub stride: usize,
    /// Zero padding on every side.
    pub padding: usize,
    /// The pooling window is Q × Q.
    pub pool: usize,
    pub pool_stride: usize,
}

/// Why a geometry has no integer output size: (the quantity, a message with the formula
/// and the numbers).
pub type Misfit = (Stage, String);

/// Which stage a misfit is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Conv,
    Pool,
}

/// ⌊(n + 2p − k)/s⌋ + 1 when the division is exact and the window fits; else why not.
/// `names` are the symbols of n, k, s and p as the sheet writes them (p's empty when the
/// stage has no padding).
fn exact_out(n: usize, k: usize, s: usize, p: usize, names: [&str; 4]) -> Result<usize, String> {
    let [n_name, k_name, s_name, p_name] = names;
    let span = n + 2 * p;
    let (symbols, numbers) = if p_name.is_empty() {
        (format!("{n_name} − {k_name}"), format!("{n} − {k}"))
    } else {
        (
            format!("{n_name} + 2{p_name} − {k_name}"),
            format!("{n} + {} − {k}", 2 * p),
        )
    };
    if k > span {
        return Err(format!(
            "the window {k_name} = {k} does not fit: {symbols} = {numbers} is negative"
        ));
    }
    if !(span - k).is_multiple_of(s) {
        return Err(format!(
            "the output size ⌊({symbols})/{s_name}⌋ + 1 = ⌊({numbers})/{s}⌋ + 1 is not \
             exact: {symbols} = {} is not divisible by {s_name} = {s}",
            span - k
        ));
    }
    Ok((span - k) / s + 1)
}

impl Shape {
    /// The conv output size (rows, columns).
    pub fn conv_out(&self) -> Result<(usize, usize), Misfit> {
        let out = |n, name| {
            exact_out(n, self.kernel, self.stride, self.padding, [name, "K", "S", "P"])
                .map_err(|m| (Stage::Conv, m))
        };
        Ok((out(self.height, "H")?, out(self.width, "W")?))
    }

    /// The pooled output size (rows, columns).
    pub fn pooled_out(&self) -> Result<(usize, usize), Misfit> {
        let (rows, cols) = self.conv_out()?;
        let out = |n| {
            exact_out(n, self.pool, self.pool_stride, 0, ["O", "Q", "S_p", ""])
                .map_err(|m| (Stage::Pool, format!("pooling the {rows}×{cols} conv output: {m}")))
        };
        Ok((out(rows)?, out(cols)?))
    }

    /// The multiplications of the forward conv a student writes out: kernel entries
    /// times image entries that are not padding, over every output and channel.
    pub fn products(&self) -> usize {
        let Ok((rows, cols)) = self.conv_out() else {
            return usize::MAX;
        };
        let inside = |o: usize, n: usize| {
            // Kernel offsets u where o·S + u − P lands inside 0..n.
            (0..self.kernel)
                .filter(|&u| {
                    let at = o * self.stride + u;
                    at >= self.padding && at - self.padding < n
                })
                .count()
        };
        let per_row: usize = (0..rows).map(|i| inside(i, self.height)).sum();
        let per_col: usize = (0..cols).map(|j| inside(j, self.width)).sum();
        self.channels * per_row * per_col
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(n: usize, k: usize, s: usize, p: usize) -> Shape {
        Shape {
            channels: 1,
            height: n,
            width: n,
            kernel: k,
            stride: s,
            padding: p,
            pool: 2,
            pool_stride: 2,
        }
    }

    #[test]
    fn output_sizes_follow_the_formula_and_refuse_a_floor() {
        assert_eq!(shape(5, 2, 1, 0).conv_out(), Ok((4, 4)));
        assert_eq!(shape(5, 2, 1, 0).pooled_out(), Ok((2, 2)));
        assert_eq!(shape(4, 3, 1, 1).pooled_out(), Ok((2, 2)));
        let (stage, message) = shape(5, 2, 2, 0).conv_out().unwrap_err();
        assert_eq!(stage, Stage::Conv);
        assert!(message.contains("⌊(H + 2P − K)/S⌋ + 1 = ⌊(5 + 0 − 2)/2⌋ + 1"), "{message}");
        let (stage, message) = shape(5, 3, 1, 0).pooled_out().unwrap_err();
        assert_eq!(stage, Stage::Pool);
        assert!(message.contains("⌊(O − Q)/S_p⌋ + 1 = ⌊(3 − 2)/2⌋ + 1"), "{message}");
        assert!(shape(2, 3, 1, 0).conv_out().is_err());
    }

    #[test]
    fn padding_products_are_not_counted() {
        assert_eq!(shape(5, 2, 1, 0).products(), 64);
        assert_eq!(shape(4, 3, 1, 0).products(), 36);
        // Rows: outputs 0 and 3 see 2 image rows, 1 and 2 see 3: 10 per axis.
        assert_eq!(shape(4, 3, 1, 1).products(), 100);
    }
}
