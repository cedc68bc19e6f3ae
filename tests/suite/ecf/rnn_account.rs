//! rnn_account: a wrong balance after the first step, carried through the later steps of
//! the account by its own rules (plain arithmetic, not the RNN's matrices); and the
//! answers the sheet leaves to the marker are exactly the open ones.

use std::collections::HashMap;

use serde_json::Value;

use super::super::checkpoints::variants_of;
use super::{matrix, put_vector};

/// A student who writes 1000 too much as the first step's available amount: every later
/// state follows from it by the account's rules — available' = available + deposit −
/// withdrawal, the overdraft kept. The flag (the state's third element) has no box: the
/// text lets it be any positive value, so it is graded by hand.
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let xs = matrix(&key["params"]["xs"]);
    let first = &matrix(&key["answers"]["hs"])[0];
    let (mut available, overdraft) = (first[0] + 1000.0, first[1]);
    let wrong = available;
    let mut later = HashMap::new();
    for (t, x) in xs.iter().enumerate().skip(1) {
        let (deposit, withdrawal) = (x[0], x[1]);
        available = (available + deposit - withdrawal).max(0.0);
        put_vector(&mut later, &format!("hs[{t}]"), &[available, overdraft]);
    }
    Some(("hs[0][0]".into(), wrong, later))
}

#[test]
fn a_wrong_balance_is_carried_forward() {
    super::check("rnn_account", 30, case);
}

/// The sheet leaves out exactly what the text leaves open: the design (W_hh, W_xh, b_h,
/// not final answers of key.csv at all) and every step's flag hs[t][2]; the available
/// amount, the overdraft and the parameter count keep their boxes.
#[test]
fn only_the_open_answers_are_left_to_the_marker() {
    for solved in variants_of("rnn_account", 10) {
        let key = solved.key();
        let steps = matrix(&key["answers"]["hs"]).len();
        let flags: Vec<String> = (0..steps).map(|t| format!("hs[{t}][2]")).collect();
        assert_eq!(solved.graded_by_hand(), flags);
        let boxes: Vec<String> = solved
            .carry(&|_| None)
            .into_iter()
            .map(|c| c.label)
            .collect();
        let mut expected: Vec<String> = (0..steps)
            .flat_map(|t| [format!("hs[{t}][0]"), format!("hs[{t}][1]")])
            .collect();
        expected.push("stack_params".into());
        assert_eq!(boxes, expected);
    }
}
