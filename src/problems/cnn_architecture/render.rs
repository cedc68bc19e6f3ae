//! Question and worked solution of the cnn_architecture problem. The question shows the
//! stack as a table with empty columns to fill; the solution fills them and, under the
//! table, shows each computation as its formula with the numbers substituted. Every
//! integer goes through the sheet's formatter, so the hand-work measure sees it.


use super::solve::{FieldStep, FLOAT32_BYTES};
use super::{Layer, MemoryUnit, Params, Row, Shape, Solution};
use crate::exact::Rational;
use crate::problems::kind::{QuestionView, WorkedView};
use crate::render::lang::{LayerWords, Words};
use crate::render::latex::{self, FormatError, NumberStyle};

/// An integer as the sheet prints it (and the hand-work measure notes it).
fn int(n: i64) -> String {
    latex::rational(Rational::from_int(n), NumberStyle::Fraction)
}

/// A u32 size from the spec, printed as [`int`].
fn size(n: u32) -> String {
    int(n.into())
}

/// The layer as the table names it (math mode inside `$…$` where needed).
pub fn describe(layer: &Layer, words: &LayerWords) -> String {
    let window = |k: u32| format!(r"${}\times{}$", size(k), size(k));
    match *layer {
        Layer::Conv {
            k,
            stride,
            padding,
            out,
        } => format!(
            r"{} {}, $S = {}$, $P = {}$, $C_{{out}} = {}$",
            words.convolution,
            window(k),
            size(stride),
            size(padding),
            size(out)
        ),
        Layer::Maxpool { k, stride } => format!(
            r"{} {}, $S = {}$",
            words.max_pool,
            window(k),
            size(stride.unwrap_or(k))
        ),
        Layer::Avgpool { k, stride } => format!(
            r"{} {}, $S = {}$",
            words.avg_pool,
            window(k),
            size(stride.unwrap_or(k))
        ),
        Layer::Batchnorm => words.batchnorm.to_string(),
        Layer::Relu => "ReLU".to_string(),
        Layer::Flatten => words.flatten.to_string(),
        Layer::Fc { out } => format!(
            "{}, ${}$ {}",
            words.fully_connected,
            size(out),
            words.outputs
        ),
    }
}

/// A shape as the table writes it: `8\times 16\times 16` or `2048`.
fn shape(s: &Shape) -> String {
    match *s {
        Shape::Map { c, h, w } => format!(r"{}\times {}\times {}", int(c), int(h), int(w)),
        Shape::Flat(n) => int(n),
    }
}

/// One row of the question's table.
pub struct QuestionRow {
    pub index: usize,
    pub layer: String,
}

crate::localized!(Question { Hr => "hr/cnn_architecture_question.tex", En => "en/cnn_architecture_question.tex" });

pub struct Question {
    pub input: String,
    pub rows: Vec<QuestionRow>,
    pub bias: bool,
    pub bytes: bool,
    pub batch: String,
    /// The stack has a batchnorm layer (its parameter convention is then stated).
    pub has_batchnorm: bool,
}

impl QuestionView<Params> for Question {
    fn build(p: &Params, words: &dyn Words) -> Result<Self, FormatError> {
        let [c, h, w] = p.input.map(i64::from);
        Ok(Question {
            input: shape(&Shape::Map { c, h, w }),
            rows: p
                .layers
                .iter()
                .enumerate()
                .map(|(i, layer)| QuestionRow {
                    index: i + 1,
                    layer: describe(layer, words.layers()),
                })
                .collect(),
            bias: p.bias,
            bytes: p.memory == MemoryUnit::Bytes,
            batch: p.batch.map(size).unwrap_or_default(),
            has_batchnorm: p.layers.contains(&Layer::Batchnorm),
        })
    }
}

/// One row of the solution: the filled table row and the computations under it.
pub struct SolutionRow {
    pub index: usize,
    pub layer: String,
    pub output: String,
    pub params: String,
    /// The output shape's computation (display math, one or two lines).
    pub shape_work: String,
    /// The parameter count's computation, or None for a layer without parameters.
    pub params_work: Option<String>,
    /// A batch normalisation: the sheet names γ, β and the running buffers.
    pub batchnorm: bool,
}

crate::localized!(SolutionSheet { Hr => "hr/cnn_architecture_solution.tex", En => "en/cnn_architecture_solution.tex" });

pub struct SolutionSheet {
    pub input: String,
    pub rows: Vec<SolutionRow>,
    pub total_terms: String,
    pub total: String,
    pub bias: bool,
    /// The steps of the receptive-field recursion, one align line each.
    pub field_steps: Vec<String>,
    /// 1-based index of the layer whose unit the receptive field is of.
    pub field_layer: usize,
    pub receptive_field: String,
    pub activation_terms: String,
    pub activations: String,
    pub bytes: Option<String>,
    pub torch: String,
}

/// `(n + 2·p − k)/s + 1 = out` for one side (the constraints make the division exact).
fn side_work(n: i64, (k, s, p): (i64, i64, i64), out: i64) -> String {
    let padded = if p == 0 {
        format!("{} - {}", int(n), int(k))
    } else {
        format!(r"{} + 2\cdot {} - {}", int(n), int(p), int(k))
    };
    format!(r"\frac{{{padded}}}{{{}}} + 1 = {}", int(s), int(out))
}

fn shape_work(row: &Row, words: &LayerWords) -> String {
    let (Shape::Map { h, w, .. }, Shape::Map { h: oh, w: ow, .. }) = (row.input, row.output)
    else {
        return match (row.layer, row.input) {
            (Layer::Flatten, Shape::Map { c, h, w }) => format!(
                r"{}\cdot {}\cdot {} = {}",
                int(c),
                int(h),
                int(w),
                int(row.output.size())
            ),
            (Layer::Fc { .. }, _) => format!("n_{{out}} = {}", shape(&row.output)),
            _ => shape(&row.output),
        };
    };
    let Some(window) = row.layer.window() else {
        return format!(r"{} \text{{ ({})}}", shape(&row.output), words.shape_kept);
    };
    if h == w {
        format!(r"H' = W' = {}", side_work(h, window, oh))
    } else {
        format!(
            r"H' = {}, \qquad W' = {}",
            side_work(h, window, oh),
            side_work(w, window, ow)
        )
    }
}

fn params_work(row: &Row, bias: bool) -> Option<String> {
    let b = |out: i64| {
        if bias {
            format!(" + {}", int(out))
        } else {
            String::new()
        }
    };
    Some(match row.layer {
        Layer::Conv { k, out, .. } => format!(
            r"{}\cdot {}\cdot {}\cdot {}{} = {}",
            int(row.input.channels()),
            size(k),
            size(k),
            size(out),
            b(out.into()),
            int(row.params)
        ),
        Layer::Fc { out } => format!(
            r"{}\cdot {}{} = {}",
            int(row.input.size()),
            size(out),
            b(out.into()),
            int(row.params)
        ),
        Layer::Batchnorm => format!(r"2\cdot {} = {}", int(row.input.channels()), int(row.params)),
        _ => return None,
    })
}

fn field_step(l: usize, s: &FieldStep) -> String {
    format!(
        r"r_{{{l}}} &= r_{{{prev}}} + (k_{{{l}}} - 1)\, j_{{{prev}}} = {} + ({} - 1)\cdot {} = {}, & j_{{{l}}} &= j_{{{prev}}}\, s_{{{l}}} = {}\cdot {} = {}",
        int(s.r_before),
        int(s.k),
        int(s.jump_before),
        int(s.r),
        int(s.jump_before),
        int(s.stride),
        int(s.jump),
        prev = l - 1,
    )
}

impl WorkedView<Params, Solution> for SolutionSheet {
    fn build(p: &Params, s: &Solution, words: &dyn Words) -> Result<Self, FormatError> {
        let [c, h, w] = p.input.map(i64::from);
        let rows = s
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| SolutionRow {
                index: i + 1,
                layer: describe(&row.layer, words.layers()),
                output: shape(&row.output),
                params: int(row.params),
                shape_work: shape_work(row, words.layers()),
                params_work: params_work(row, p.bias),
                batchnorm: row.layer == Layer::Batchnorm,
            })
            .collect();
        let with_params: Vec<String> = s
            .rows
            .iter()
            .filter(|r| r.params > 0)
            .map(|r| int(r.params))
            .collect();
        let windows: Vec<(usize, &FieldStep)> = s
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.field.as_ref().map(|f| (i + 1, f)))
            .collect();
        let field_steps = windows
            .iter()
            .enumerate()
            .map(|(l, (_, step))| field_step(l + 1, step))
            .collect();
        let counted: Vec<String> = s
            .rows
            .iter()
            .filter(|r| r.layer != Layer::Flatten)
            .map(|r| int(r.output.size()))
            .collect();
        let bytes = p.batch.filter(|_| p.memory == MemoryUnit::Bytes).map(|n| {
            format!(
                r"M = {}\cdot N\cdot A = {}\cdot {}\cdot {} = {}",
                int(FLOAT32_BYTES),
                int(FLOAT32_BYTES),
                size(n),
                int(s.activations),
                int(s.memory)
            )
        });
        Ok(SolutionSheet {
            input: shape(&Shape::Map { c, h, w }),
            rows,
            total: int(s.total_params),
            total_terms: with_params.join(" + "),
            bias: p.bias,
            field_steps,
            field_layer: windows.last().map_or(0, |(i, _)| *i),
            receptive_field: int(s.receptive_field),
            activation_terms: counted.join(" + "),
            activations: int(s.activations),
            bytes,
            torch: torch_check(p),
        })
    }
}

/// The PyTorch program that prints every row of the table, filled in with the variant's
/// stack (eval mode, so batch normalisation takes one example).
pub fn torch_check(p: &Params) -> String {
    let [c, h, w] = p.input;
    let mut shape = Shape::Map {
        c: c.into(),
        h: h.into(),
        w: w.into(),
    };
    let bias = if p.bias { "True" } else { "False" };
    let mut modules = Vec::new();
    for layer in &p.layers {
        let module = match *layer {
            Layer::Conv {
                k,
                stride,
                padding,
                out,
            } => format!(
                "nn.Conv2d({}, {out}, {k}, stride={stride}, padding={padding}, bias={bias})",
                shape.channels()
            ),
            Layer::Maxpool { k, stride } => {
                format!("nn.MaxPool2d({k}, stride={})", stride.unwrap_or(k))
            }
            Layer::Avgpool { k, stride } => {
                format!("nn.AvgPool2d({k}, stride={})", stride.unwrap_or(k))
            }
            Layer::Batchnorm => match shape {
                Shape::Map { c, .. } => format!("nn.BatchNorm2d({c})"),
                Shape::Flat(n) => format!("nn.BatchNorm1d({n})"),
            },
            Layer::Relu => "nn.ReLU()".to_string(),
            Layer::Flatten => "nn.Flatten()".to_string(),
            Layer::Fc { out } => format!("nn.Linear({}, {out}, bias={bias})", shape.size()),
        };
        modules.push(format!("    {module},\n"));
        shape = super::solve::output_of(layer, &shape).0;
    }
    format!(
        "import torch\n\
         from torch import nn\n\
         \n\
         net = nn.Sequential(\n{}).eval()\n\
         x = torch.zeros(1, {c}, {h}, {w})\n\
         for layer in net:\n    \
             x = layer(x)\n    \
             print(layer, tuple(x.shape[1:]), sum(t.numel() for t in layer.parameters()))\n\
         print(sum(t.numel() for t in net.parameters()))\n",
        modules.concat()
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{sampler, PINNED};
    use super::super::CnnArchitecture;
    use super::*;
    use crate::problems::kind::{hand_work, render, Variant as _};

    #[test]
    fn the_pinned_sheet_shows_every_computation() {
        let p = sampler(PINNED).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert_eq!(sheet.rows[0].shape_work, r"H' = W' = \frac{32 + 2\cdot 1 - 3}{1} + 1 = 32");
        assert_eq!(sheet.rows[0].params_work.as_deref(), Some(r"3\cdot 3\cdot 3\cdot 8 + 8 = 224"));
        assert_eq!(sheet.rows[1].params_work.as_deref(), Some(r"2\cdot 8 = 16"));
        assert_eq!(sheet.rows[3].shape_work, r"H' = W' = \frac{32 - 2}{2} + 1 = 16");
        assert_eq!(sheet.rows[4].shape_work, r"8\cdot 16\cdot 16 = 2048");
        assert_eq!(sheet.rows[5].params_work.as_deref(), Some(r"2048\cdot 10 + 10 = 20490"));
        assert_eq!(sheet.total_terms, "224 + 16 + 20490");
        assert_eq!(sheet.field_steps.len(), 2);
        assert!(sheet.field_steps[1].contains("= 3 + (2 - 1)\\cdot 1 = 4"), "{}", sheet.field_steps[1]);
        assert_eq!(sheet.field_layer, 4);
        assert_eq!(sheet.bytes, None);
        let out = render::<CnnArchitecture>(&p, &s, crate::render::lang::any()).unwrap();
        assert!(out.solution.contains("20730"), "{}", out.solution);
        assert!(out.solution.contains("nn.Linear(2048, 10, bias=True)"), "{}", out.solution);
        let m = hand_work::<CnnArchitecture>(&p, &s).unwrap();
        assert_eq!((m.max_integer, m.fractions, m.max_denominator), (26_634, 0, 1));
    }

    /// The batchnorm convention is stated only when the stack has a batchnorm layer.
    #[test]
    fn the_batchnorm_convention_only_with_a_batchnorm_layer() {
        let with = sampler(PINNED).unwrap().fixed().unwrap();
        let q = render::<CnnArchitecture>(&with, &with.solve(), crate::render::lang::any()).unwrap();
        assert!(q.question.contains(r"$\gamma$ i $\beta$"), "{}", q.question);
        let without = sampler(&PINNED.replace("  - batchnorm\n", "")).unwrap().fixed().unwrap();
        let q = render::<CnnArchitecture>(&without, &without.solve(), crate::render::lang::any())
            .unwrap();
        assert!(!q.question.contains(r"$\gamma$ i $\beta$"), "{}", q.question);
    }

    #[test]
    fn unequal_sides_and_bytes() {
        let yaml = PINNED
            .replace("[3, 32, 32]", "[3, 32, 16]")
            .replace("memory: values", "memory: bytes\nbatch: 2");
        let p = sampler(&yaml).unwrap().fixed().unwrap();
        let s = p.solve();
        let sheet = SolutionSheet::build(&p, &s, crate::render::lang::any()).unwrap();
        assert!(sheet.rows[0].shape_work.contains(r"\qquad W' = "), "{}", sheet.rows[0].shape_work);
        assert_eq!(
            sheet.bytes.as_deref(),
            Some(format!(r"M = 4\cdot N\cdot A = 4\cdot 2\cdot {} = {}", s.activations, s.memory).as_str())
        );
        let q = Question::build(&p, crate::render::lang::any()).unwrap();
        assert_eq!(q.input, r"3\times 32\times 16");
        assert_eq!(q.rows[3].layer, r"sažimanje maksimumom $2\times2$, $S = 2$");
    }
}
