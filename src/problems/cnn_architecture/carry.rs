//! The cnn_architecture answer sheet's checkpoints, walked on a student's own values:
//! the table row by row (each layer's output shape, then its parameters), the total,
//! the receptive field, and the activation memory (A, then the bytes, when asked in
//! bytes; A itself when asked in values).
//!
//! Every row is computed from the student's own shape of the row before: a wrong
//! output side carries into the next layer's shape and parameters (a convolution's or
//! batch norm's channels, a fully connected layer's inputs, flatten's size), into the
//! total and into the memory. The table is walked row by row (`Carry::row`,
//! `Carry::item`): a row's shape follows the row before it. The receptive field
//! depends on the kernels and strides only.

use super::key::dims;
use super::solve::{output_of, params_of, FLOAT32_BYTES};
use super::{Layer, MemoryUnit, Params, Shape};
use crate::grade::carry::Carry;
use crate::problems::kind::{Checkpoints, SheetLabel, Variant as _};
use crate::spec::Language;

/// A shape as the student wrote it: [C, H, W] or [n] (entries rounded to integers).
fn shape_of(entered: &[f64]) -> Shape {
    let d: Vec<i64> = entered.iter().map(|v| v.round() as i64).collect();
    match d[..] {
        [c, h, w] => Shape::Map { c, h, w },
        _ => Shape::Flat(d[0]),
    }
}

impl Checkpoints for Params {
    fn carry(&self, c: &mut Carry) {
        let [channels, h, w] = self.input.map(i64::from);
        let mut shape = Shape::Map { c: channels, h, w };
        let (mut total, mut activations) = (0.0, 0.0);
        for (i, layer) in self.layers.iter().enumerate() {
            let (output, _) = output_of(layer, &shape);
            let expected: Vec<f64> = dims(&output).into_iter().map(|d| d as f64).collect();
            let input = shape;
            shape = shape_of(&c.row("shapes", i, &expected));
            if *layer != Layer::Flatten {
                activations += shape.size() as f64;
            }
            total += c.item("params", i, params_of(layer, &input, self.bias) as f64);
        }
        c.scalar("total_params", total);
        c.scalar("receptive_field", self.solve().receptive_field as f64);
        match self.memory {
            MemoryUnit::Values => c.scalar("memory", activations),
            MemoryUnit::Bytes => {
                let a = c.scalar("activations", activations);
                let batch = i64::from(self.batch.unwrap_or(1));
                c.scalar("memory", (FLOAT32_BYTES * batch) as f64 * a)
            }
        };
    }

    /// The text names these values by the table's columns and in words, not by symbols:
    /// the symbols are those words.
    fn labels(&self, language: Language) -> Vec<SheetLabel> {
        let hr = language == Language::Hr;
        let label = |name, hr_label: (&str, &str), en_label: (&str, &str)| {
            let (symbol, note) = if hr { hr_label } else { en_label };
            SheetLabel::new(name, symbol, note)
        };
        let values = (
            (r"\text{aktivacije}", "broj vrijednosti za jedan primjer"),
            (r"\text{activations}", "the number of values of one example"),
        );
        let memory = match self.memory {
            MemoryUnit::Values => values,
            MemoryUnit::Bytes => (
                (r"\text{bajtovi}", "float32, cijela grupa od $N$"),
                (r"\text{bytes}", "float32, the whole batch of $N$"),
            ),
        };
        vec![
            label(
                "shapes",
                (
                    r"C \times H \times W",
                    r"redak \texttt{[$i$]}: sloj \#$i{+}1$; izravnano: jedan broj",
                ),
                (
                    r"C \times H \times W",
                    r"row \texttt{[$i$]}: layer \#$i{+}1$; flattened: one number",
                ),
            ),
            label(
                "params",
                (r"\text{parametri}", r"\texttt{[$i$]}: sloj \#$i{+}1$"),
                (r"\text{parameters}", r"\texttt{[$i$]}: layer \#$i{+}1$"),
            ),
            label(
                "total_params",
                (r"\text{ukupno}", "parametara cijele mreže"),
                (r"\text{total}", "parameters of the whole network"),
            ),
            label(
                "receptive_field",
                (r"\text{receptivno polje}", "piksela po visini (= po širini)"),
                (r"\text{receptive field}", "pixels in height (= in width)"),
            ),
            label("activations", values.0, values.1),
            label("memory", memory.0, memory.1),
        ]
    }
}
