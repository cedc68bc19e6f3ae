//! The 2022 exam against the seed's hand-worked numbers, problem by problem
//! (`/work/shared/seed/000_7b73946fced9b183.txt`). The key is built through the library
//! (`render_spec`) and compared at 1e-12; what the key does not hold (the per-example
//! gradients of problem 1) is checked in the rendered solution sheet.

use std::f64::consts::LN_2;

use super::common::{answers, check_mat, check_vec, key_2022, num, rendered_2022, TOL};
use super::common::{assert_close, vec_f64};

#[test]
fn key_lists_the_five_problems_in_the_seed_order() {
    let kinds: Vec<&str> = key_2022()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "batchnorm_mlp",
            "retrieval_ap",
            "conv1d",
            "activation",
            "rnn_account"
        ]
    );
    assert_eq!(key_2022()["course"], "Duboko učenje 1");
    assert_eq!(key_2022()["language"], "hr");
}

// Problem 1: FC → batchnorm → ReLU → FC → sigmoid, one SGD step (seed eqs. 1–39).

#[test]
fn batchnorm_forward_pass() {
    let a = answers("batchnorm_mlp");
    // (1), (2): h1 = W1 x + b1 with W1 = I, b1 = 0.
    check_mat(a, "h1", &[&[1.0, 1.0], &[-1.0, 3.0]]);
    // (4)–(6): biased statistics.
    check_vec(a, "mu", &[0.0, 2.0]);
    check_vec(a, "var", &[1.0, 1.0]);
    check_vec(a, "sigma", &[1.0, 1.0]);
    // (7), (8).
    check_mat(a, "h_hat", &[&[1.0, -1.0], &[-1.0, 1.0]]);
    // (11)–(14).
    check_vec(a, "s", &[0.0, 0.0]);
    check_vec(a, "p", &[0.5, 0.5]);
    // Mean BCE with p = 1/2 for both examples.
    assert_close(num(&a["loss"], "loss"), LN_2, TOL, "loss");
}

#[test]
fn batchnorm_mean_gradients() {
    let a = answers("batchnorm_mlp");
    // (37)–(38): the mean of the per-example gradients.
    check_mat(a, "grad_W1", &[&[-0.25, -0.25], &[0.25, -0.75]]);
    check_vec(a, "grad_b1", &[-0.25, -0.25]);
    check_mat(a, "grad_W2", &[&[-0.25, -0.25]]);
    check_vec(a, "grad_b2", &[-0.5]);
}

#[test]
fn batchnorm_updated_parameters() {
    let a = answers("batchnorm_mlp");
    // (39), and the same step for the other parameters (lr = 1).
    check_mat(a, "W1", &[&[1.25, 0.25], &[-0.25, 1.75]]);
    check_vec(a, "b1", &[0.25, 0.25]);
    check_mat(a, "W2", &[&[1.25, 1.25]]);
    check_vec(a, "b2", &[-0.5]);
}

/// The per-example gradients are not in the key; the sheet must show the seed's.
#[test]
fn batchnorm_per_example_gradients_on_the_sheet() {
    let tex = &rendered_2022().solutions_tex;
    let expected = [
        // (16), (26): ∂L/∂s = p − y.
        r"\frac{\partial L^{(1)}}{\partial s^{(1)}} = p^{(1)} - y^{(1)} = 0.5 - 1 = -0.5",
        r"\frac{\partial L^{(2)}}{\partial s^{(2)}} = p^{(2)} - y^{(2)} = 0.5 - 1 = -0.5",
        // (17), (27): ∂L/∂W2.
        r"-0.5 \cdot \mathbf{h}_2^{(1)T} = [-0.5, 0]",
        r"-0.5 \cdot \mathbf{h}_2^{(2)T} = [0, -0.5]",
        // (19), (29): ∂L/∂h2 = −0.5 · W2.
        r"-0.5 \cdot \mathbf{W}_2 = [-0.5, -0.5]",
        // (21), (31): through the ReLU.
        r"[-0.5, -0.5] \cdot \begin{bmatrix} 1 & 0 \\ 0 & 0 \end{bmatrix} = [-0.5, 0]",
        r"[-0.5, -0.5] \cdot \begin{bmatrix} 0 & 0 \\ 0 & 1 \end{bmatrix} = [0, -0.5]",
        // (22), (32): through batchnorm with σ = 1.
        r"[-0.5, 0] \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix} = [-0.5, 0]",
        r"[0, -0.5] \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix} = [0, -0.5]",
        // (24), (34): ∂L/∂W1 as outer products.
        r"\begin{bmatrix} -0.5 \\ 0 \end{bmatrix} [1, 1] = \begin{bmatrix} -0.5 & -0.5 \\ 0 & 0 \end{bmatrix}",
        r"\begin{bmatrix} 0 \\ -0.5 \end{bmatrix} [-1, 3] = \begin{bmatrix} 0 & 0 \\ 0.5 & -1.5 \end{bmatrix}",
        // (25), (35): ∂L/∂b1.
        r"\frac{\partial L^{(1)}}{\partial \mathbf{h}_1^{(1)}} \mathbf{I} = [-0.5, 0]",
        r"\frac{\partial L^{(2)}}{\partial \mathbf{h}_1^{(2)}} \mathbf{I} = [0, -0.5]",
        // (38), (39): the summed gradient and the update.
        r"\begin{bmatrix} -0.5 & -0.5 \\ 0.5 & -1.5 \end{bmatrix}",
        r"&= \begin{bmatrix} 1.25 & 0.25 \\ -0.25 & 1.75 \end{bmatrix}",
    ];
    for e in expected {
        assert!(
            tex.contains(e),
            "solutions.tex lacks the seed's step\n  {e}"
        );
    }
}

// Problem 2: retrieval with 1/L1 similarity (seed eq. 40 and the table).

#[test]
fn retrieval_similarities_ranking_and_table() {
    let a = answers("retrieval_ap");
    check_vec(a, "similarities", &[1.0, 0.25, 0.5, 1.0 / 3.0]);
    assert_eq!(a["ranking"], serde_json::json!([0, 2, 3, 1]));
    assert_eq!(a["relevant"], serde_json::json!([true, true, false, true]));
    // The seed's table, read bottom-up (cut-offs 1..4).
    assert_eq!(a["tp"], serde_json::json!([1, 1, 2, 3]));
    assert_eq!(a["fp"], serde_json::json!([0, 1, 1, 1]));
    assert_eq!(a["fn"], serde_json::json!([2, 2, 1, 0]));
    check_vec(a, "precision", &[1.0, 0.5, 2.0 / 3.0, 0.75]);
    check_vec(a, "recall", &[1.0 / 3.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]);
}

#[test]
fn retrieval_average_precision_is_29_36() {
    let a = answers("retrieval_ap");
    assert_close(num(&a["ap"], "ap"), 29.0 / 36.0, TOL, "ap");
    assert_eq!(a["ap_fraction"], "29/36");
}

// Problem 3: conv1d → ReLU → GAP → FC (ln 2) → softmax (seed eqs. 41–65).

#[test]
fn conv1d_forward_pass() {
    let a = answers("conv1d");
    check_mat(a, "h", &[&[2.0, -1.0, 1.0], &[1.0, 1.0, 1.0]]);
    check_mat(a, "relu", &[&[2.0, 0.0, 1.0], &[1.0, 1.0, 1.0]]);
    check_vec(a, "pooled", &[1.0, 1.0]);
    check_vec(a, "s", &[LN_2, 2.0 * LN_2]);
    check_vec(a, "p", &[1.0 / 3.0, 2.0 / 3.0]);
    // L = −ln(2/3).
    assert_close(num(&a["loss"], "loss"), (1.5f64).ln(), TOL, "loss");
    check_vec(a, "grad_s", &[1.0 / 3.0, -1.0 / 3.0]);
}

#[test]
fn conv1d_kernel_gradients() {
    let a = answers("conv1d");
    let c = LN_2 / 9.0;
    // (63) and (65): ln2/9 · [6, −1, 3] and −ln2/9 · [5, 1, 3].
    check_mat(
        a,
        "grad_kernels",
        &[&[6.0 * c, -c, 3.0 * c], &[-5.0 * c, -c, -3.0 * c]],
    );
}

// Problem 4: softplus.

#[test]
fn softplus_values_at_zero() {
    let a = answers("activation");
    assert_close(
        num(&a["value_at_0"], "value_at_0"),
        LN_2,
        TOL,
        "softplus(0)",
    );
    assert_close(
        num(&a["derivative_at_0"], "derivative_at_0"),
        0.5,
        TOL,
        "softplus'(0)",
    );
    let code = a["code"].as_str().expect("the key holds the numpy code");
    assert!(code.starts_with("class Softplus(Layer):"), "{code}");
    // The seed's slips: methods without `self`, and the overflowing log(exp(x) + 1).
    for method in ["forward", "backward_inputs", "backward_params"] {
        assert!(code.contains(&format!("def {method}(self, ")), "{code}");
    }
    assert!(!code.contains("np.log(self.exp_inputs + 1)"), "{code}");
}

// Problem 5: the bank-account RNN (seed eqs. 69–75 and the parameter count).

#[test]
fn rnn_design_matches_the_seed() {
    let a = answers("rnn_account");
    check_mat(
        a,
        "W_hh",
        &[&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &[1.0, -1.0, 0.0]],
    );
    check_mat(a, "W_xh", &[&[1.0, -1.0], &[0.0, 0.0], &[1.0, -1.0]]);
    check_vec(a, "b_h", &[0.0, 0.0, 0.0]);
}

#[test]
fn rnn_forward_pass() {
    let a = answers("rnn_account");
    check_mat(
        a,
        "hs",
        &[
            &[11000.0, 5000.0, 6000.0],
            &[8500.0, 5000.0, 3500.0],
            &[4500.0, 5000.0, 0.0],
        ],
    );
}

#[test]
fn lstm_parameter_count_is_156_not_the_seeds_68() {
    let a = answers("rnn_account");
    let total = a["stack_params"]
        .as_u64()
        .expect("stack_params is an integer");
    assert_ne!(
        total, 68,
        "the seed's slip 4·(3·3 + 2·3 + 2) = 68 was copied"
    );
    assert_eq!(total, 156);
    let layers = a["stack_layers"].as_array().unwrap();
    let totals: Vec<f64> = layers
        .iter()
        .map(|l| num(&l["total"], "stack_layers[].total"))
        .collect();
    assert_eq!(totals, [72.0, 84.0]);
    assert_eq!(
        vec_f64(
            &serde_json::json!(layers
                .iter()
                .map(|l| l["input_size"].clone())
                .collect::<Vec<_>>()),
            "input_size"
        ),
        [2.0, 3.0]
    );
    // The sheet shows the layers and the total, and the third step as h^(3).
    let tex = &rendered_2022().solutions_tex;
    assert!(tex.contains(r"4 \cdot (3 \cdot 2 + 3 \cdot 3 + 1 \cdot 3) = 72"));
    assert!(tex.contains(r"4 \cdot (3 \cdot 3 + 3 \cdot 3 + 1 \cdot 3) = 84"));
    assert!(tex.contains(r"\text{ukupno:}\quad & 156"));
    assert!(!tex.contains("= 68"), "the seed's 68 is on the sheet");
    assert!(tex.contains(r"\mathbf{h}^{(3)} = \mathrm{ReLU}"));
}
