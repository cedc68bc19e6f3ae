//! activation: a wrong entry of the Jacobian's diagonal, carried into the backward pass
//! dL/dx_i = f′(x_i)·g_i.

use std::collections::HashMap;

use serde_json::Value;

use super::{put_vector, vector};

/// A student who adds 1 to f′(x_1) (drawn variants; the 2022 one has no numeric part).
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let mut diagonal = vector(key["answers"].get("jacobian_diagonal")?);
    let g = vector(&key["params"]["upstream"]);
    diagonal[0] += 1.0;
    let input_gradient: Vec<f64> = diagonal.iter().zip(&g).map(|(d, g)| d * g).collect();
    let mut later = HashMap::new();
    put_vector(&mut later, "input_gradient", &input_gradient);
    Some(("jacobian_diagonal[0]".into(), diagonal[0], later))
}

#[test]
fn a_wrong_derivative_is_carried_into_the_backward_pass() {
    super::check("activation", 30, case);
}
