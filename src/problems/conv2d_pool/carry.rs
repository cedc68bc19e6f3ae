//! The conv2d_pool answer sheet's checkpoints, walked on a student's own values: Z,
//! A = ReLU(Z), M, ∂L/∂Z, ∂L/∂K, ∂L/∂b and ∂L/∂X (the loss and the maxima's positions
//! are in the worked solution, but the sheet does not ask for them). A follows the
//! student's Z; each pooling window's maximum is found in the student's A, so M and the
//! route of G (and so ∂L/∂Z, with the ReLU mask of the student's Z) follow the
//! student's forward pass; the conv's gradients follow the student's ∂L/∂Z.

use super::layers::{
    conv_backward, conv_forward, crop, pad, pool_backward, pool_forward, pool_windows,
    relu_forward, relu_mask,
};
use super::Params;
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel};
use crate::spec::Language;

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let shape = self.shape();
        let conv_out = shape.conv_out().expect("an exact conv output size");
        let pooled_out = shape.pooled_out().expect("an exact pooled output size");
        let padded: Vec<_> = self.image.iter().map(|x| pad(x, self.padding)).collect();
        let z = conv_forward(&padded, &self.kernel, self.bias, self.stride, conv_out);
        let z = c.matrix("z", z);
        let a = c.matrix("relu", relu_forward(&z));
        let windows = pool_windows(&a, self.pool, self.pool_stride, pooled_out);
        c.matrix("pooled", pool_forward(&a, &windows, pooled_out));
        let grad_a = pool_backward(a.dim(), &windows, &self.upstream);
        let grad_z = c.matrix("grad_z", &grad_a * &relu_mask(&z));
        let (grad_kernel, grad_bias, grad_padded) =
            conv_backward(&padded, &self.kernel, self.stride, &grad_z);
        for (ch, g) in grad_kernel.into_iter().enumerate() {
            c.slice("grad_kernel", ch, g);
        }
        c.scalar("grad_bias", grad_bias);
        for (ch, g) in grad_padded.iter().enumerate() {
            c.slice("grad_image", ch, crop(g, self.padding));
        }
    }

    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let hr = language == Language::Hr;
        let label = |name, symbol: &str, hr_note: String, en_note: String| {
            SheetLabel::new(name, symbol, if hr { hr_note } else { en_note })
        };
        // The text counts from 1 (z_ij) and names channels X⁽¹⁾, X⁽²⁾ (no superscript
        // with one channel); the boxes count from 0 and always have a channel index.
        let entry = |hr_what: &str, en_what: &str, m: &str| {
            (
                format!(r"{hr_what}\texttt{{[$i$][$j$]}} je ${m}_{{i+1,j+1}}$"),
                format!(r"{en_what}\texttt{{[$i$][$j$]}} is ${m}_{{i+1,j+1}}$"),
            )
        };
        let several = self.image.len() > 1;
        let channel = |matrix: &str, row: &str, col: &str, padded: bool| {
            let (index, of) = if several {
                (format!("[$c$][${row}$][${col}$]"), format!(r"\mathbf{{{matrix}}}^{{(c+1)}}"))
            } else {
                (format!("[0][${row}$][${col}$]"), format!(r"\mathbf{{{matrix}}}"))
            };
            let (hr_padded, en_padded) = if padded {
                (" bez nadopune", " without padding")
            } else {
                ("", "")
            };
            (
                format!(r"\texttt{{{index}}}: redak ${row}{{+}}1$, stupac ${col}{{+}}1$ od ${of}${hr_padded}"),
                format!(r"\texttt{{{index}}}: row ${row}{{+}}1$, column ${col}{{+}}1$ of ${of}${en_padded}"),
            )
        };
        let (z_hr, z_en) = entry("prije ReLU; ", "before ReLU; ", "z");
        let (a_hr, a_en) = entry("", "", "a");
        let (m_hr, m_en) = entry("", "", "m");
        let (gz_hr, gz_en) = (
            r"\texttt{[$i$][$j$]}: po $z_{i+1,j+1}$".to_string(),
            r"\texttt{[$i$][$j$]}: by $z_{i+1,j+1}$".to_string(),
        );
        let (k_hr, k_en) = channel("K", "u", "v", false);
        let (x_hr, x_en) = channel("X", "i", "j", self.padding > 0);
        vec![
            label("z", r"\mathbf{Z}", z_hr, z_en),
            label("relu", r"\mathbf{A} = \mathrm{ReLU}(\mathbf{Z})", a_hr, a_en),
            label("pooled", r"\mathbf{M}", m_hr, m_en),
            label("grad_z", r"\partial L / \partial \mathbf{Z}", gz_hr, gz_en),
            label("grad_kernel", r"\partial L / \partial \mathbf{K}", k_hr, k_en),
            label(
                "grad_bias",
                r"\partial L / \partial b",
                "po pomaku $b$".into(),
                "by the bias $b$".into(),
            ),
            label("grad_image", r"\partial L / \partial \mathbf{X}", x_hr, x_en),
        ]
    }
}
