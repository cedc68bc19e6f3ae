//! The shared numeric engine: every number on a solution sheet is computed here.
//!
//! Each operation lives in its own file with its forward and backward pass side by side;
//! arrays are `f64` ndarrays, batches are `(n_examples, n_features)`.

pub mod activation;
