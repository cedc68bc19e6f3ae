//! The answer sheet names every checkpoint of optimizer_steps, triplet_loss, bptt_rnn,
//! conv2d_pool, batchnorm_full, cnn_architecture and backprop_graph in the problem's
//! notation, in both languages: a checkpoint added to a carry walk without a label fails
//! here (the sheet would show its answers-file name alone).

use examgen::spec::Language;

use super::checkpoints::variants_of;

const KINDS: [&str; 7] = [
    "optimizer_steps",
    "triplet_loss",
    "bptt_rnn",
    "conv2d_pool",
    "batchnorm_full",
    "cnn_architecture",
    "backprop_graph",
];

/// How many default variants of each kind are looked at (with its pinned reference).
const VARIANTS: u64 = 40;

#[test]
fn every_checkpoint_has_a_symbol_and_a_note_in_both_languages() {
    let mut failures = Vec::new();
    for kind in KINDS {
        for (i, solved) in variants_of(kind, VARIANTS).iter().enumerate() {
            for language in [Language::Hr, Language::En] {
                let labels = solved.sheet_labels(language);
                let mut names: Vec<&str> = solved
                    .carry(&|_| None)
                    .iter()
                    .map(|c| c.checkpoint)
                    .collect();
                names.dedup();
                for name in names {
                    let found: Vec<_> = labels.iter().filter(|l| l.name == name).collect();
                    match found[..] {
                        [] => failures.push(format!(
                            "{kind} variant {i} {language:?}: {name} has no label"
                        )),
                        [l] if l.symbol.trim().is_empty() || l.note.trim().is_empty() => failures
                            .push(format!(
                                "{kind} variant {i} {language:?}: {name}: empty symbol or note"
                            )),
                        [_] => {}
                        _ => failures.push(format!(
                            "{kind} variant {i} {language:?}: {name} is labelled twice"
                        )),
                    }
                }
            }
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
