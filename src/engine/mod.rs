//! The shared numeric engine: every number on a solution sheet is computed here.
//!
//! Each operation lives in its own file with its forward and backward pass side by side;
//! arrays are `f64` ndarrays, batches are `(n_examples, n_features)`.

pub mod activation;
pub mod batchnorm;
pub mod conv1d;
pub mod gradcheck;
pub mod linear;
pub mod loss;
pub mod param_count;
pub mod pooling;
pub mod relu;
pub mod retrieval;
pub mod rnn;
pub mod sgd;
pub mod sigmoid;
pub mod softmax;
