//! Randomized cnn_architecture variants, each checked against an independent
//! recomputation from the key's parameters alone: every output shape by
//! ⌊(H + 2P − K)/S⌋ + 1, every parameter count (and the total a second way, by summing
//! the element counts of the tensors PyTorch would create: weight [C_out, C_in, k, k],
//! bias [C_out], γ and β [C], Linear weight [out, in] and bias [out]), the receptive field
//! by walking back from one output unit to the input interval it covers, the activation
//! memory, the knobs, the stack's rules and the hand-work budget. There are no gradients
//! in this kind, so no finite differences. A sample is rendered.
//!
//! The always-run tests draw 3,000 variants; the heavy one 20,000
//! (`cargo test --test tests stress_cnn_architecture -- --ignored --nocapture`).

use std::path::Path;

use examgen::problems::Solved;
use serde_json::Value;

use super::common::HEADER;
use super::random_support::{check_golden_params, draw_many, one_problem, stress_counted};

const DEFAULT: &str = "  - cnn_architecture:\n      draw: {}\n";

/// Longer stacks, three convolutions, 3×3 pools, more channels.
const WIDE: &str = "  - cnn_architecture:
      draw:
        layers_range: [5, 9]
        convs_range: [2, 3]
        channels: [8, 16, 32]
        pool_windows: [2, 3]
        inputs: [[3, 32, 32], [3, 36, 36], [1, 24, 24]]
";

/// The knobs a variant must respect, as the test reads them.
struct Knobs {
    layers: (usize, usize),
    inputs: &'static [[i64; 3]],
}

const DEFAULT_KNOBS: Knobs = Knobs {
    layers: (4, 7),
    inputs: &[[1, 28, 28], [3, 32, 32], [1, 16, 16], [3, 16, 16]],
};

const WIDE_KNOBS: Knobs = Knobs {
    layers: (5, 9),
    inputs: &[[3, 32, 32], [3, 36, 36], [1, 24, 24]],
};

/// The kind's hand-work budget as this test reads it: the largest integer any sheet
/// prints (there are no fractions).
const MAX_INTEGER: i64 = 120_000;

/// One layer read from the key: its name and its sizes (absent ones 0).
#[derive(Clone, Copy, Debug)]
struct L<'a> {
    name: &'a str,
    k: i64,
    stride: i64,
    padding: i64,
    out: i64,
}

fn layers(v: &Value) -> Vec<L<'_>> {
    v.as_array()
        .expect("layers")
        .iter()
        .map(|l| match l {
            Value::String(name) => L {
                name,
                k: 0,
                stride: 0,
                padding: 0,
                out: 0,
            },
            Value::Object(map) => {
                let (name, sizes) = map.iter().next().expect("a named layer");
                let get = |f: &str| sizes.get(f).and_then(Value::as_i64).unwrap_or(0);
                L {
                    name,
                    k: get("k"),
                    stride: get("stride"),
                    padding: get("padding"),
                    out: get("out"),
                }
            }
            other => panic!("a layer is a name or a map: {other}"),
        })
        .collect()
}

fn ints(v: &Value, what: &str) -> Vec<i64> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is an array"))
        .iter()
        .map(|x| x.as_i64().expect("an integer"))
        .collect()
}

/// The receptive field by brute force: the input interval one output unit of the layers
/// `windows` (k, s) sees, walked back from [0, 0] (padding only shifts it).
fn receptive_field_by_intervals(windows: &[(i64, i64)]) -> i64 {
    let (mut lo, mut hi) = (0i64, 0i64);
    for &(k, s) in windows.iter().rev() {
        lo *= s;
        hi = hi * s + k - 1;
    }
    hi - lo + 1
}

fn check_variant(i: usize, solved: &Solved, knobs: &Knobs) {
    let key = solved.key();
    let (pr, a) = (&key["params"], &key["answers"]);
    let what = |s: &str| format!("variant {i}: {s} ({pr})");
    let input = ints(&pr["input"], "input");
    let stack = layers(&pr["layers"]);
    let bias = pr["bias"].as_bool().expect("bias");
    let b = i64::from(bias);

    // The knobs and the stack's rules.
    assert!(
        knobs
            .inputs
            .iter()
            .any(|k| k.as_slice() == input.as_slice()),
        "{}",
        what("input")
    );
    assert!(
        (knobs.layers.0..=knobs.layers.1).contains(&stack.len()),
        "{}",
        what("layer count")
    );
    let names: Vec<&str> = stack.iter().map(|l| l.name).collect();
    let flatten = names
        .iter()
        .position(|&n| n == "flatten")
        .expect("a flatten");
    assert_eq!(
        names.iter().filter(|&&n| n == "flatten").count(),
        1,
        "{}",
        what("one flatten")
    );
    assert_eq!(names[0], "conv", "{}", what("a convolution first"));
    assert_eq!(
        names[names.len() - 1],
        "fc",
        "{}",
        what("a fully connected layer last")
    );
    for (j, n) in names.iter().enumerate() {
        let window = matches!(*n, "conv" | "maxpool" | "avgpool");
        assert!(!window || j < flatten, "{}", what("a window after flatten"));
        assert!(*n != "fc" || j > flatten, "{}", what("fc before flatten"));
        if n.ends_with("pool") {
            assert!(
                !names[j - 1].ends_with("pool"),
                "{}",
                what("pool after pool")
            );
        }
        if *n == "batchnorm" {
            assert!(
                matches!(names[j - 1], "conv" | "fc"),
                "{}",
                what("batchnorm placement")
            );
        }
    }

    // Shapes, parameters, receptive field and memory, from scratch.
    let (mut c, mut h, mut w) = (input[0], input[1], input[2]);
    let mut flat: Option<i64> = None;
    let mut shapes: Vec<Vec<i64>> = Vec::new();
    let mut params: Vec<i64> = Vec::new();
    let mut tensors: Vec<Vec<i64>> = Vec::new();
    let mut windows: Vec<(i64, i64)> = Vec::new();
    let mut activations = 0i64;
    for l in &stack {
        let size = |c: i64, h: i64, w: i64, flat: Option<i64>| flat.unwrap_or(c * h * w);
        let mut p = 0;
        match l.name {
            "conv" | "maxpool" | "avgpool" => {
                let padded_h = h + 2 * l.padding - l.k;
                let padded_w = w + 2 * l.padding - l.k;
                assert!(
                    padded_h >= 0
                        && padded_w >= 0
                        && padded_h % l.stride == 0
                        && padded_w % l.stride == 0,
                    "{}",
                    what("a division that is not exact")
                );
                let c_in = c;
                (h, w) = (padded_h / l.stride + 1, padded_w / l.stride + 1);
                assert!(h >= 1 && w >= 1, "{}", what("a side below 1"));
                windows.push((l.k, l.stride));
                if l.name == "conv" {
                    c = l.out;
                    p = c_in * l.k * l.k * l.out + b * l.out;
                    tensors.push(vec![l.out, c_in, l.k, l.k]);
                    if bias {
                        tensors.push(vec![l.out]);
                    }
                }
            }
            "batchnorm" => {
                let channels = flat.unwrap_or(c);
                p = 2 * channels;
                tensors.push(vec![channels]);
                tensors.push(vec![channels]);
            }
            "relu" => {}
            "flatten" => flat = Some(c * h * w),
            "fc" => {
                let n_in = size(c, h, w, flat);
                p = n_in * l.out + b * l.out;
                tensors.push(vec![l.out, n_in]);
                if bias {
                    tensors.push(vec![l.out]);
                }
                flat = Some(l.out);
            }
            other => panic!("{}", what(&format!("unknown layer {other}"))),
        }
        if l.name != "flatten" {
            activations += size(c, h, w, flat);
        }
        shapes.push(match flat {
            Some(n) => vec![n],
            None => vec![c, h, w],
        });
        params.push(p);
    }
    let total: i64 = params.iter().sum();
    let by_tensors: i64 = tensors.iter().map(|t| t.iter().product::<i64>()).sum();
    assert_eq!(total, by_tensors, "{}", what("the two parameter counts"));
    let got_shapes: Vec<Vec<i64>> = a["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .map(|s| ints(s, "shape"))
        .collect();
    assert_eq!(got_shapes, shapes, "{}", what("shapes"));
    assert_eq!(
        ints(&a["params"], "params"),
        params,
        "{}",
        what("parameters")
    );
    assert_eq!(a["total_params"].as_i64(), Some(total), "{}", what("total"));
    let field = receptive_field_by_intervals(&windows);
    assert_eq!(
        a["receptive_field"].as_i64(),
        Some(field),
        "{}",
        what("receptive field")
    );
    assert_eq!(
        a["activations"].as_i64(),
        Some(activations),
        "{}",
        what("activations")
    );
    let memory = match (pr["memory"].as_str(), pr["batch"].as_i64()) {
        (Some("values"), None) => activations,
        (Some("bytes"), Some(n)) => 4 * n * activations,
        other => panic!("{}", what(&format!("memory and batch {other:?}"))),
    };
    assert_eq!(a["memory"].as_i64(), Some(memory), "{}", what("memory"));

    // The hand-work budget: the largest integer the sheet prints.
    let largest = shapes
        .iter()
        .flatten()
        .chain(&params)
        .chain(&input)
        .chain([total, activations, memory, field].iter())
        .chain(
            shapes
                .iter()
                .map(|s| s.iter().product::<i64>())
                .collect::<Vec<_>>()
                .iter(),
        )
        .copied()
        .max()
        .unwrap_or(0);
    assert!(
        largest <= MAX_INTEGER,
        "{}",
        what(&format!("{largest} is beyond the hand-work budget"))
    );
}

/// Draws `count` variants, checks each, renders every fifth; returns the number of
/// distinct variants.
fn stress(item: &str, knobs: &Knobs, count: usize, label: &str) -> usize {
    stress_counted(label, item, count, 5, |i, solved, _| {
        check_variant(i, solved, knobs);
        Ok(())
    })
    .distinct
}

#[test]
fn default_variants_are_right_and_at_least_500_distinct() {
    let distinct = stress(DEFAULT, &DEFAULT_KNOBS, 2_000, "cnn_architecture default");
    assert!(
        distinct >= 500,
        "only {distinct} distinct variants in 2,000 draws"
    );
}

#[test]
fn wide_knobs() {
    stress(WIDE, &WIDE_KNOBS, 1_000, "cnn_architecture wide");
}

/// 15,000 default and 5,000 wide variants:
/// `cargo test --test tests stress_cnn_architecture -- --ignored --nocapture`.
#[test]
#[ignore]
fn twenty_thousand_variants() {
    let distinct = stress(
        DEFAULT,
        &DEFAULT_KNOBS,
        15_000,
        "cnn_architecture default, heavy",
    );
    assert!(distinct >= 500);
    stress(WIDE, &WIDE_KNOBS, 5_000, "cnn_architecture wide, heavy");
}

const PINNED: &str = "  - cnn_architecture:
      input: [3, 32, 32]
      layers:
        - conv: {k: 3, padding: 1, out: 8}
        - batchnorm
        - relu
        - maxpool: {k: 2}
        - flatten
        - fc: {out: 10}
      bias: true
      memory: values
";

const PINNED_KNOBS: Knobs = Knobs {
    layers: (6, 6),
    inputs: &[[3, 32, 32]],
};

#[test]
fn the_checker_catches_a_wrong_count() {
    let solved = one_problem(PINNED)
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .unwrap();
    check_variant(0, &solved, &PINNED_KNOBS);
    let tamper = |f: fn(&mut examgen::problems::cnn_architecture::Solution)| {
        let Solved::CnnArchitecture(p, mut s) = solved.clone() else {
            panic!("a cnn_architecture variant")
        };
        f(&mut s);
        let tampered = Solved::CnnArchitecture(p, s);
        std::panic::catch_unwind(|| check_variant(0, &tampered, &PINNED_KNOBS)).is_err()
    };
    assert!(
        tamper(|s| s.rows[1].params += 2),
        "a wrong batch-norm count passed"
    );
    assert!(
        tamper(|s| s.receptive_field -= 1),
        "a wrong receptive field passed"
    );
    assert!(
        tamper(|s| s.activations += 10),
        "a wrong activation count passed"
    );
    assert!(
        tamper(|s| s.rows[3].output =
            examgen::problems::cnn_architecture::Shape::Map { c: 8, h: 15, w: 16 }),
        "a wrong shape passed"
    );
}

/// The budget check has teeth: the same stack on a 3×96×96 input, pinned so that the
/// kind accepts it, has 8·48·48·10 + 10 = 184,330 parameters in its last layer: beyond
/// 120,000. (On 3×64×64 it is 81,930 and 106,506 activations: still within.)
#[test]
fn the_checker_catches_a_variant_beyond_the_budget() {
    let item = PINNED.replace("[3, 32, 32]", "[3, 96, 96]");
    let solved = one_problem(&item)
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .expect("a pinned variant is not held to the budget");
    let knobs = Knobs {
        layers: (6, 6),
        inputs: &[[3, 96, 96]],
    };
    let caught = std::panic::catch_unwind(|| check_variant(0, &solved, &knobs));
    let message = caught
        .expect_err("a 3×96×96 stack passed the budget check")
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("beyond the hand-work budget"), "{message}");
    assert!(solved.hand_work().is_some_and(|m| m.max_integer > 120_000));
}

#[test]
fn golden_first_variants() {
    check_golden_params("cnn_architecture", DEFAULT);
}

#[test]
fn every_pinned_parameter_is_kept() {
    let item = "  - cnn_architecture:\n      input: [1, 28, 28]\n      bias: false\n      memory: bytes\n      draw: {batches: [4]}\n";
    let problem = one_problem(item);
    let knobs = Knobs {
        layers: (4, 7),
        inputs: &[[1, 28, 28]],
    };
    draw_many(&problem, 200, |i, solved| {
        let params = &solved.key()["params"];
        assert_eq!(
            params["input"],
            serde_json::json!([1, 28, 28]),
            "variant {i}"
        );
        assert_eq!(params["bias"], false, "variant {i}");
        assert_eq!(params["batch"], 4, "variant {i}");
        check_variant(i, solved, &knobs);
    });
}

/// Knobs no candidate can satisfy are a spec error naming the constraint, and a pinned
/// variant that breaks one is refused when the spec is read.
#[test]
fn impossible_or_broken_specs_name_the_constraint() {
    let parse = |item: &str| {
        examgen::exam::parse(&format!("{HEADER}{item}"), Path::new("s.yaml"))
            .map(|spec| spec.slots.len())
    };
    let err = parse("  - cnn_architecture:\n      draw: {inputs: [[1, 28, 28]], kernels: [3], strides: [2], convs_range: [1, 1]}\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("the constraint `exact_division` ("), "{err}");
    let err = parse(&PINNED.replace("padding: 1, ", "stride: 2, padding: 1, "))
        .unwrap_err()
        .to_string();
    assert!(err.contains("exact_division"), "{err}");
    let err = parse(&PINNED.replace(
        "        - batchnorm\n        - relu\n",
        "        - relu\n        - batchnorm\n",
    ))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("layers[2]") && err.contains("batch normalisation follows"),
        "{err}"
    );
    assert_eq!(parse(PINNED).ok(), Some(1));
}

/// The committed example spec reads, and its variants keep the checks above.
#[test]
fn the_committed_example_draws_checked_variants() {
    let spec = examgen::exam::load(&super::common::root().join("variants/cnn_architecture.yaml"))
        .expect("variants/cnn_architecture.yaml");
    assert!(!spec.slots[0].problem().unwrap().is_fixed());
    draw_many(spec.slots[0].problem().unwrap(), 100, |i, solved| {
        check_variant(i, solved, &DEFAULT_KNOBS)
    });
}
