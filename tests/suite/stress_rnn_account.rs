//! Randomized bank-account RNN variants: 10,000 draws, each checked against a plain
//! simulation of the account, the knobs (round amounts, ranges, the stack's sets) and
//! the constraints, and rendered; plus the golden parameters of the first variants.

use examgen::problems::Solved;
use serde_json::Value;

use super::common::{mat_f64, vec_f64};
use super::random_support::{self, check_golden_params, one_problem};

const DEFAULT: &str = "  - rnn_account:\n      draw: {}\n";

const WIDE: &str = "  - rnn_account:
      draw:
        unit: 100
        transactions: 5
        balance_range: [-2000, 3000]
        overdraft_range: [2000, 4000]
        deposit_range: [0, 1500]
        withdrawal_range: [100, 2500]
        require_minus: true
        cells: [gru, lstm]
        layers: [2, 4]
        input_sizes: [2, 4]
        hidden_sizes: [3, 8]
        bidirectional: [true]
        bias: [2]
";

struct Knobs {
    unit: f64,
    steps: usize,
    balance: (f64, f64),
    overdraft: (f64, f64),
    deposit: (f64, f64),
    withdrawal: (f64, f64),
    require_minus: bool,
    cells: &'static [&'static str],
    layers: &'static [u64],
    inputs: &'static [u64],
    hiddens: &'static [u64],
    bidirectional: &'static [bool],
    bias: &'static [u64],
}

const DEFAULT_KNOBS: Knobs = Knobs {
    unit: 500.0,
    steps: 3,
    balance: (1000.0, 10000.0),
    overdraft: (1000.0, 10000.0),
    deposit: (0.0, 3000.0),
    withdrawal: (0.0, 6000.0),
    require_minus: false,
    cells: &["rnn", "lstm", "gru"],
    layers: &[1, 2, 3],
    inputs: &[2],
    hiddens: &[3],
    bidirectional: &[false, true],
    bias: &[1, 2],
};

const WIDE_KNOBS: Knobs = Knobs {
    unit: 100.0,
    steps: 5,
    balance: (-2000.0, 3000.0),
    overdraft: (2000.0, 4000.0),
    deposit: (0.0, 1500.0),
    withdrawal: (100.0, 2500.0),
    require_minus: true,
    cells: &["gru", "lstm"],
    layers: &[2, 4],
    inputs: &[2, 4],
    hiddens: &[3, 8],
    bidirectional: &[true],
    bias: &[2],
};

fn round_in(v: f64, unit: f64, (lo, hi): (f64, f64)) -> bool {
    v % unit == 0.0 && v >= lo && v <= hi
}

/// Σ over layers and directions of gates · ((I_l + H)·H + bias·H).
fn stack_params(stack: &Value) -> u64 {
    let gates = match stack["cell"].as_str().unwrap() {
        "rnn" => 1,
        "gru" => 3,
        "lstm" => 4,
        other => panic!("unknown cell {other}"),
    };
    let dirs = if stack["bidirectional"].as_bool().unwrap() {
        2
    } else {
        1
    };
    let (i, h) = (
        stack["input_size"].as_u64().unwrap(),
        stack["hidden_size"].as_u64().unwrap(),
    );
    let bias = stack["bias"].as_u64().unwrap();
    (0..stack["layers"].as_u64().unwrap())
        .map(|l| {
            let input = if l == 0 { i } else { dirs * h };
            dirs * gates * ((input + h) * h + bias * h)
        })
        .sum()
}

/// Checks one variant; returns whether the account goes into minus.
fn check_variant(i: usize, solved: &Solved, k: &Knobs) -> bool {
    let key = solved.key();
    let (pr, a) = (&key["params"], &key["answers"]);
    let what = |s: &str| format!("variant {i}: {s} ({pr})");
    let h0 = vec_f64(&pr["h0"], "h0");
    let xs = mat_f64(&pr["xs"], "xs");
    let (available, overdraft, flag) = (h0[0], h0[1], h0[2]);
    let balance = available - overdraft;

    // The knobs.
    assert_eq!(xs.len(), k.steps, "{}", what("transactions"));
    assert!(
        round_in(overdraft, k.unit, k.overdraft),
        "{}",
        what("overdraft")
    );
    assert!(
        round_in(balance, k.unit, k.balance),
        "{}",
        what("initial balance")
    );
    assert_eq!(
        flag,
        balance.max(0.0),
        "{}",
        what("the flag of h0 is the positive balance")
    );
    for x in &xs {
        assert!(round_in(x[0], k.unit, k.deposit), "{}", what("deposit"));
        assert!(
            round_in(x[1], k.unit, k.withdrawal),
            "{}",
            what("withdrawal")
        );
        assert!(x[0] > 0.0 || x[1] > 0.0, "{}", what("an empty transaction"));
    }
    let stack = &pr["stack"];
    assert!(
        k.cells.contains(&stack["cell"].as_str().unwrap()),
        "{}",
        what("cell")
    );
    assert!(
        k.layers.contains(&stack["layers"].as_u64().unwrap()),
        "{}",
        what("layers")
    );
    assert!(
        k.inputs.contains(&stack["input_size"].as_u64().unwrap()),
        "{}",
        what("input size")
    );
    assert!(
        k.hiddens.contains(&stack["hidden_size"].as_u64().unwrap()),
        "{}",
        what("hidden size")
    );
    assert!(
        k.bidirectional
            .contains(&stack["bidirectional"].as_bool().unwrap()),
        "{}",
        what("directions")
    );
    assert!(
        k.bias.contains(&stack["bias"].as_u64().unwrap()),
        "{}",
        what("bias")
    );
    assert_eq!(
        a["stack_params"].as_u64(),
        Some(stack_params(stack)),
        "{}",
        what("parameter count")
    );

    // The account, simulated; the constraints on it.
    assert!(balance != 0.0, "{}", what("a zero initial balance"));
    assert_eq!(flag > 0.0, balance > 0.0, "{}", what("initial flag"));
    let mut avail = available;
    let mut minus = false;
    let mut want = Vec::new();
    for x in &xs {
        avail += x[0] - x[1];
        let b = avail - overdraft;
        assert!(avail >= 0.0, "{}", what("the overdraft is exceeded"));
        assert!(b != 0.0, "{}", what("a zero balance"));
        minus |= b < 0.0;
        want.push(vec![avail, overdraft, b.max(0.0)]);
    }
    assert_eq!(mat_f64(&a["hs"], "hs"), want, "{}", what("the states"));
    if k.require_minus {
        assert!(minus, "{}", what("the account never goes into minus"));
    }
    minus
}

fn stress(item: &str, k: &Knobs, count: usize, label: &str) {
    let mut minus = 0usize;
    random_support::stress(label, item, count, 5, |i, solved, _| {
        minus += usize::from(check_variant(i, solved, k));
        Ok(())
    });
    eprintln!(
        "{label}: in minus {:.1}%",
        100.0 * minus as f64 / count as f64
    );
    assert!(minus > 0, "no variant goes into minus");
}

#[test]
fn ten_thousand_default_variants() {
    stress(DEFAULT, &DEFAULT_KNOBS, 8_000, "rnn_account default");
}

#[test]
fn wide_knobs_requiring_minus() {
    stress(WIDE, &WIDE_KNOBS, 2_000, "rnn_account wide");
}

#[test]
fn the_checker_catches_a_wrong_state() {
    let problem = one_problem(DEFAULT);
    let solved = problem
        .draw(&mut examgen::draw::problem_rng(1, 1, 0, 0))
        .unwrap();
    let Solved::RnnAccount(p, mut s) = solved else {
        panic!("an rnn_account variant")
    };
    s.trace.hs[[1, 2]] += 500.0;
    let tampered = Solved::RnnAccount(p, s);
    let caught = std::panic::catch_unwind(|| check_variant(0, &tampered, &DEFAULT_KNOBS));
    assert!(caught.is_err(), "a wrong state passed the simulation check");
}

#[test]
fn golden_first_variants() {
    check_golden_params("rnn_account", DEFAULT);
}
