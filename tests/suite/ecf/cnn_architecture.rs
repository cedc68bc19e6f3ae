//! cnn_architecture: a wrong output height, carried through the later rows' shapes and
//! parameters, the total and the activation memory by the problem's formulas.

use std::collections::HashMap;

use serde_json::Value;

use super::{num, put_vector};

/// One layer of key.json's stack: its name and its sizes (k, stride, padding, out).
fn layer(v: &Value) -> (String, [i64; 4]) {
    let Some((name, sizes)) = v.as_object().and_then(|m| m.iter().next()) else {
        return (v.as_str().unwrap().to_string(), [0; 4]);
    };
    let size = |f: &str| sizes.get(f).and_then(Value::as_i64);
    let k = size("k").unwrap_or(0);
    let sizes = [
        k,
        size("stride").unwrap_or(1),
        size("padding").unwrap_or(0),
        size("out").unwrap_or(0),
    ];
    (name.clone(), sizes)
}

/// A student who writes the first feature map one row too high: every later row, the
/// total and the memory from the student's shapes.
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let (p, answers) = (&key["params"], &key["answers"]);
    let mut shapes: Vec<Vec<i64>> = answers["shapes"]
        .as_array()?
        .iter()
        .map(|s| {
            s.as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_i64().unwrap())
                .collect()
        })
        .collect();
    let mut params: Vec<i64> = answers["params"]
        .as_array()?
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    let first = shapes.iter().position(|s| s.len() == 3)?;
    shapes[first][1] += 1;
    let bias = i64::from(p["bias"].as_bool().unwrap());
    let layers: Vec<(String, [i64; 4])> = p["layers"].as_array()?.iter().map(layer).collect();
    for i in first + 1..layers.len() {
        let input = shapes[i - 1].clone();
        let size: i64 = input.iter().product();
        let (name, [k, stride, padding, out]) = &layers[i];
        let side = |n: i64| (n + 2 * padding - k).div_euclid(*stride) + 1;
        (shapes[i], params[i]) = match name.as_str() {
            "conv" => (
                vec![*out, side(input[1]), side(input[2])],
                input[0] * k * k * out + bias * out,
            ),
            "maxpool" | "avgpool" => (vec![input[0], side(input[1]), side(input[2])], 0),
            "batchnorm" => (input.clone(), 2 * input[0]),
            "relu" => (input, 0),
            "flatten" => (vec![size], 0),
            "fc" => (vec![*out], size * out + bias * out),
            other => panic!("layer {other}"),
        };
    }
    let activations: i64 = shapes
        .iter()
        .zip(&layers)
        .filter(|(_, (name, _))| name != "flatten")
        .map(|(s, _)| s.iter().product::<i64>())
        .sum();
    let mut later = HashMap::new();
    for (i, s) in shapes.iter().enumerate().skip(first + 1) {
        let s: Vec<f64> = s.iter().map(|&d| d as f64).collect();
        put_vector(&mut later, &format!("shapes[{i}]"), &s);
    }
    put_vector(
        &mut later,
        "params",
        &params.iter().map(|&v| v as f64).collect::<Vec<_>>(),
    );
    later.insert("total_params".into(), params.iter().sum::<i64>() as f64);
    let memory = if p["memory"] == "bytes" {
        later.insert("activations".into(), activations as f64);
        4.0 * num(&p["batch"]) * activations as f64
    } else {
        activations as f64
    };
    later.insert("memory".into(), memory);
    let wrong = shapes[first][1] as f64;
    Some((format!("shapes[{first}][1]"), wrong, later))
}

#[test]
fn a_wrong_output_height_is_carried_down_the_table() {
    super::check("cnn_architecture", 30, case);
}
