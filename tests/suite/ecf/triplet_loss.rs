//! triplet_loss: a wrong distance d(a, p), carried through the hinge, the loss and the
//! gradients by plain arithmetic.

use std::collections::HashMap;

use serde_json::Value;

use super::{put_vector, vector};

/// Everything after d(a, n) that d(a, p) reaches, from the student's d(a, p).
fn later(key: &Value, d_ap: f64) -> HashMap<String, f64> {
    let p = &key["params"];
    let (a, pos, neg) = (
        vector(&p["anchor"]),
        vector(&p["positive"]),
        vector(&p["negative"]),
    );
    let margin = p["margin"].as_f64().unwrap();
    let triplet = p["loss"].as_str().unwrap() == "triplet";
    let pa = [pos[0] - a[0], pos[1] - a[1]];
    let na = [neg[0] - a[0], neg[1] - a[1]];
    let d_an = (na[0] * na[0] + na[1] * na[1]).sqrt();
    let hinge = if triplet {
        d_ap - d_an + margin
    } else {
        margin - d_an
    };
    let active = hinge > 0.0;
    let (loss, grad_p, grad_n) = if triplet {
        let on = if active { 1.0 } else { 0.0 };
        (
            hinge.max(0.0),
            [on * pa[0] / d_ap, on * pa[1] / d_ap],
            [-on * na[0] / d_an, -on * na[1] / d_an],
        )
    } else {
        let pull = if active { hinge } else { 0.0 };
        (
            d_ap * d_ap + pull * pull,
            [2.0 * pa[0], 2.0 * pa[1]],
            [-2.0 * pull * na[0] / d_an, -2.0 * pull * na[1] / d_an],
        )
    };
    let grad_a = [-grad_p[0] - grad_n[0], -grad_p[1] - grad_n[1]];
    let mut out = HashMap::new();
    out.insert("hinge".into(), hinge);
    out.insert("loss_value".into(), loss);
    put_vector(&mut out, "grad_positive", &grad_p);
    put_vector(&mut out, "grad_negative", &grad_n);
    put_vector(&mut out, "grad_anchor", &grad_a);
    out
}

/// A student whose d(a, p) is one too large.
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let p = &key["params"];
    let (a, pos) = (vector(&p["anchor"]), vector(&p["positive"]));
    let d_ap = ((pos[0] - a[0]).powi(2) + (pos[1] - a[1]).powi(2)).sqrt() + 1.0;
    Some(("d_ap".into(), d_ap, later(key, d_ap)))
}

#[test]
fn a_wrong_distance_is_carried_forward() {
    super::check("triplet_loss", 30, case);
}
