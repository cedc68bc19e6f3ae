//! conv2d_pool: a wrong conv output that becomes its pooling window's maximum, carried
//! through ReLU, the pooling (and the route of G), ∂L/∂Z and the conv's gradients by
//! plain loops.

use std::collections::HashMap;

use serde_json::Value;

use super::{matrix, num, put_matrix};

/// Every window's cells, row-major: (pooled position, conv-output positions).
type Windows = Vec<((usize, usize), Vec<(usize, usize)>)>;

fn windows(key: &Value) -> Windows {
    let p = &key["params"];
    let (q, s) = (
        num(&p["pool_size"]) as usize,
        num(&p["pool_stride"]) as usize,
    );
    let g = matrix(&p["upstream"]);
    let mut out = Vec::new();
    for r in 0..g.len() {
        for c in 0..g[0].len() {
            let cells = (0..q)
                .flat_map(|u| (0..q).map(move |v| (r * s + u, c * s + v)))
                .collect();
            out.push(((r, c), cells));
        }
    }
    out
}

/// The first cell holding a window's largest value, and whether no other cell ties it.
fn maximum(a: &[Vec<f64>], cells: &[(usize, usize)]) -> ((usize, usize), bool) {
    let max = cells
        .iter()
        .map(|&(i, j)| a[i][j])
        .fold(f64::NEG_INFINITY, f64::max);
    let at = *cells.iter().find(|&&(i, j)| a[i][j] == max).unwrap();
    (
        at,
        cells.iter().filter(|&&(i, j)| a[i][j] == max).count() == 1,
    )
}

/// Everything after Z, from Z (the student's), by the problem's definitions.
fn later(key: &Value, z: &[Vec<f64>]) -> Option<HashMap<String, f64>> {
    let p = &key["params"];
    let image: Vec<Vec<Vec<f64>>> = p["image"].as_array()?.iter().map(matrix).collect();
    let kernel: Vec<Vec<Vec<f64>>> = p["kernel"].as_array()?.iter().map(matrix).collect();
    let (stride, padding) = (num(&p["stride"]) as usize, num(&p["padding"]) as usize);
    let g = matrix(&p["upstream"]);
    let relu: Vec<Vec<f64>> = z
        .iter()
        .map(|r| r.iter().map(|v| v.max(0.0)).collect())
        .collect();
    let mut pooled = vec![vec![0.0; g[0].len()]; g.len()];
    let mut grad_a = vec![vec![0.0; z[0].len()]; z.len()];
    for ((r, c), cells) in windows(key) {
        let ((i, j), unique) = maximum(&relu, &cells);
        if !unique {
            return None;
        }
        pooled[r][c] = relu[i][j];
        grad_a[i][j] += g[r][c];
    }
    let grad_z: Vec<Vec<f64>> = (0..z.len())
        .map(|i| {
            (0..z[0].len())
                .map(|j| if z[i][j] > 0.0 { grad_a[i][j] } else { 0.0 })
                .collect()
        })
        .collect();
    let k = kernel[0].len();
    let (h, w) = (image[0].len(), image[0][0].len());
    let mut out = HashMap::new();
    for (ch, (x, kc)) in image.iter().zip(&kernel).enumerate() {
        let mut grad_kernel = vec![vec![0.0; k]; k];
        let mut grad_image = vec![vec![0.0; w]; h];
        for (i, row) in grad_z.iter().enumerate() {
            for (j, &d) in row.iter().enumerate() {
                for u in 0..k {
                    for v in 0..k {
                        // The padded image's (iS + u, jS + v), in X's indices.
                        let (r, c) = (
                            (i * stride + u).checked_sub(padding),
                            (j * stride + v).checked_sub(padding),
                        );
                        if let (Some(r), Some(c)) = (r, c) {
                            if r < h && c < w {
                                grad_kernel[u][v] += d * x[r][c];
                                grad_image[r][c] += d * kc[u][v];
                            }
                        }
                    }
                }
            }
        }
        put_matrix(&mut out, &format!("grad_kernel[{ch}]"), &grad_kernel);
        put_matrix(&mut out, &format!("grad_image[{ch}]"), &grad_image);
    }
    put_matrix(&mut out, "relu", &relu);
    put_matrix(&mut out, "pooled", &pooled);
    put_matrix(&mut out, "grad_z", &grad_z);
    out.insert("grad_bias".into(), grad_z.iter().flatten().sum());
    Some(out)
}

/// A student whose Z has the first window's runner-up one above the window's maximum:
/// the maximum moves, and G with it.
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let mut z = matrix(&key["answers"]["z"]);
    let (_, cells) = windows(key).into_iter().next()?;
    let (top, _) = maximum(&z, &cells);
    let others: Vec<(usize, usize)> = cells.into_iter().filter(|&c| c != top).collect();
    if others.is_empty() {
        return None;
    }
    let (i, j) = maximum(&z, &others).0;
    z[i][j] = z[top.0][top.1] + 1.0;
    Some((format!("z[{i}][{j}]"), z[i][j], later(key, &z)?))
}

#[test]
fn a_wrong_conv_output_is_carried_forward() {
    super::check("conv2d_pool", 30, case);
}
