//! The integration tests of examgen, as one test binary with a module per feature (see
//! `suite/mod.rs`). Files directly in `tests/` are separate binaries, so every module
//! lives under `tests/suite/`.

mod suite;
