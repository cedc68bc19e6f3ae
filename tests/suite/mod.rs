//! One module per feature; `common` holds the shared helpers.
//!
//! - `golden_2022`: the 2022 key and solution sheet against the seed's hand-worked numbers.
//! - `independent`: the same answers recomputed without examgen's engine.
//! - `exactness`: the solution sheet shows exact values, and refuses to round.
//! - `snapshots`: byte-for-byte golden files (`UPDATE_GOLDEN=1` rewrites them).
//! - `pdf`: the sheets compile with latexmk, reproducibly.
//! - `activation_plot`: the activation plot read back from the sheet: jumps, kinks, ticks.
//! - `class_run`: class lists, variant codes, regeneration, distinct and stable variants.
//! - `integrity_codes`: unique codes per class, exact regeneration, `--count` bounds,
//!   file names on case-insensitive file systems.
//! - `constraints`: `check` lists every constraint that can reject a candidate; one
//!   wording for pinned values outside a knob's range.
//! - `cli`: the command line: help, spec errors with file and line, the output directory.
//! - `numpy_layer`: the generated numpy `Layer` classes agree with the engine.
//! - `fuzz`: proptest fuzzing of the spec, class-list and variant-code parsers (`FUZZ_CASES`).
//! - `names`: names real class lists contain (scripts, NFD, emoji) compile and print.
//! - `bad_input`: bad specs, class lists, codes and outputs give clear errors, no panics;
//!   the cases are folders in `tests/bad_input/` (`UPDATE_EXPECTED=1` rewrites them).
//! - `limits`: hostile specs are refused quickly, naming the field; exact numbers only.
//! - `integrity_output`: all-or-nothing output, stale files, links, the lock, Ctrl-C.
//! - `bank`: every kind compiles cleanly; the bank exam of pools compiles for a class.
//! - `pools`: pool slots: the choice per student, regeneration, sharing over the pool.
//! - `moodle`: `--moodle`'s moodle.xml parsed back: categories, cloze blanks in Moodle's
//!   grammar, values against key.json, weights against points, embedded figures.
//! - `print_pdf`: `--print`: the class's sheets in one PDF, each student from an odd page.
//! - `kinds`: every registered kind, looped over from the registry: golden first variants,
//!   pins kept, key.csv columns, broken examples, fingerprints, listed constraints.

mod common;

mod activation_plot;
mod bad_input;
mod bank;
mod checkpoints;
mod class_run;
mod cli;
mod constraints;
mod ecf;
mod english;
mod exactness;
mod fuzz;
mod golden_2022;
mod grading;
mod independent;
mod integrity_codes;
mod integrity_output;
mod kinds;
mod limits;
mod moodle;
mod names;
mod numpy_layer;
mod pdf;
mod pools;
mod print_pdf;
mod random_support;
mod sheet_labels;
mod slides;
mod snapshots;
mod stress_activation;
mod stress_attention;
mod stress_backprop_graph;
mod stress_batchnorm_full;
mod stress_batchnorm_mlp;
mod stress_bptt_rnn;
mod stress_cnn_architecture;
mod stress_conv1d;
mod stress_conv2d_pool;
mod stress_gated_step;
mod stress_optimizer_steps;
mod stress_retrieval_ap;
mod stress_rnn_account;
mod stress_softmax_ce;
mod stress_triplet_loss;
