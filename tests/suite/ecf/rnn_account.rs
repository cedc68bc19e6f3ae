//! rnn_account: a wrong balance after the first step, carried through the later steps of
//! the account by its own rules (plain arithmetic, not the RNN's matrices).

use std::collections::HashMap;

use serde_json::Value;

use super::{matrix, put_vector};

/// A student who writes 1000 too much as the first step's available amount: every later
/// state follows from it by the account's rules — available' = available + deposit −
/// withdrawal, the overdraft kept, and the flag = max(0, available' − overdraft).
pub fn case(key: &Value) -> Option<(String, f64, HashMap<String, f64>)> {
    let xs = matrix(&key["params"]["xs"]);
    let mut state = matrix(&key["answers"]["hs"])[0].clone();
    state[0] += 1000.0;
    let wrong = state[0];
    let mut later = HashMap::new();
    for (t, x) in xs.iter().enumerate().skip(1) {
        let (deposit, withdrawal) = (x[0], x[1]);
        let available = state[0] + deposit - withdrawal;
        let overdraft = state[1];
        state = vec![
            available.max(0.0),
            overdraft.max(0.0),
            (available - overdraft).max(0.0),
        ];
        put_vector(&mut later, &format!("hs[{t}]"), &state);
    }
    Some(("hs[0][0]".into(), wrong, later))
}

#[test]
fn a_wrong_balance_is_carried_forward() {
    super::check("rnn_account", 30, case);
}
