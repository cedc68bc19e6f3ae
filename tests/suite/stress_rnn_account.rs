//! Randomized bank-account RNN variants: 10,000 draws, each checked against a plain
//! simulation of the account, the knobs (round amounts, ranges, the stack's sets), the
//! constraints (a withdrawal never needs the same step's deposit, the available amount
//! stays above 0, no amount above the hand-work budget) and, for every 5th, its sheet's
//! wording (no gates for a plain RNN, the concatenated input of a bidirectional stack);
//! plus the golden parameters of the first variants.

use examgen::problems::Solved;
use examgen::render::sheet::Block;
use examgen::spec::Language;
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
    bidirectional: &[false],
    bias: &[1, 2],
};

/// The largest amount a drawn sheet may print (the kind's hand-work budget).
const MAX_AMOUNT: f64 = 15_000.0;

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

/// The sheet's wording about the counted stack: a plain RNN has no gates, and a
/// bidirectional stack of several layers says its later layers take both directions'
/// states, 2H of them.
fn check_wording(stack: &Value, sheet: &Block) -> Result<(), String> {
    let text = format!("{}\n{}", sheet.question, sheet.solution);
    let rnn = stack["cell"] == "rnn";
    let counted_gates = (0..10).any(|n| text.contains(&format!("{n} vrata")));
    if rnn && (counted_gates || text.contains("vratima")) {
        return Err("a plain RNN's sheet speaks of gates (vrata)".into());
    }
    let gates = match stack["cell"].as_str() {
        Some("lstm") => "4 vrata",
        Some("gru") => "3 vrata",
        _ => "nema vrata",
    };
    if !sheet.solution.contains(gates) {
        return Err(format!("the solution does not say `{gates}`"));
    }
    let concatenated =
        stack["bidirectional"].as_bool() == Some(true) && stack["layers"].as_u64() > Some(1);
    let size = format!(
        "dimenzije {}",
        2 * stack["hidden_size"].as_u64().ok_or("hidden_size")?
    );
    if concatenated != (sheet.question.contains("konkatenacija") && text.contains(&size)) {
        return Err(format!(
            "the concatenated input ({size}) is {}stated",
            if concatenated { "not " } else { "wrongly " }
        ));
    }
    let one_layer = stack["layers"].as_u64() == Some(1);
    if one_layer == sheet.solution.contains("sljedećeg sloja") {
        return Err(format!(
            "the input of later layers is {}stated for {} layer(s)",
            if one_layer { "wrongly " } else { "not " },
            stack["layers"]
        ));
    }
    if sheet.question.contains("prije isplate") {
        return Err("a drawn variant's sheet states the deposit-first convention".into());
    }
    Ok(())
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
    assert!(
        available <= MAX_AMOUNT,
        "{}",
        what("an amount over the budget")
    );
    for x in &xs {
        assert!(
            x[1] <= avail,
            "{}",
            what("a withdrawal needs the same step's deposit")
        );
        avail += x[0] - x[1];
        let b = avail - overdraft;
        assert!(avail > 0.0, "{}", what("the available amount reaches 0"));
        assert!(avail <= MAX_AMOUNT, "{}", what("an amount over the budget"));
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
    random_support::stress(label, item, count, 5, |i, solved, sheet| {
        minus += usize::from(check_variant(i, solved, k));
        sheet.map_or(Ok(()), |sheet| {
            check_wording(&solved.key()["params"]["stack"], sheet)
        })
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

/// The wording checker has teeth: the old plain-RNN text ("per gate") and a
/// bidirectional stack without its concatenated input, and later layers described for a
/// one-layer stack, are caught.
#[test]
fn the_checker_catches_wrong_stack_wording() {
    let block = |question: &str, solution: &str| Block {
        number: 1,
        figures: Vec::new(),
        points: String::new(),
        question: question.into(),
        solution: solution.into(),
    };
    let rnn =
        serde_json::json!({"cell": "rnn", "layers": 2, "hidden_size": 3, "bidirectional": false});
    let old = block(
        "Pretpostavite jedan vektor pomaka po vratima.",
        "ćelija RNN nema vrata",
    );
    assert!(check_wording(&rnn, &old).is_err());
    let fixed = block(
        "Pretpostavite jedan vektor pomaka.",
        "ćelija RNN nema vrata; ulaz svakog sljedećeg sloja",
    );
    assert_eq!(check_wording(&rnn, &fixed), Ok(()));
    // A one-layer stack has no later layers to describe.
    let one =
        serde_json::json!({"cell": "rnn", "layers": 1, "hidden_size": 3, "bidirectional": false});
    assert!(check_wording(&one, &fixed).is_err());
    let one_fixed = block(
        "Pretpostavite jedan vektor pomaka.",
        "ćelija RNN nema vrata; Ulaz jedinog sloja",
    );
    assert_eq!(check_wording(&one, &one_fixed), Ok(()));
    let bidirectional =
        serde_json::json!({"cell": "gru", "layers": 2, "hidden_size": 3, "bidirectional": true});
    let silent = block("dvosmjernom GRU mrežom", "ćelija GRU ima 3 vrata");
    assert!(check_wording(&bidirectional, &silent).is_err());
}

/// A pinned variant whose withdrawal needs the same step's deposit is accepted, and its
/// sheet says that the deposit counts first; the 2022 variant's does not need to.
#[test]
fn a_pinned_withdrawal_beyond_the_available_amount_states_the_convention() {
    let sheet = |xs: &str| {
        let item = format!(
            "  - rnn_account:\n      h0: [1000, 2000, 0]\n      xs: {xs}\n      stack: {{cell: rnn, layers: 2, bias: 1}}\n"
        );
        let solved = one_problem(&item)
            .draw(&mut examgen::draw::problem_rng(0, 0, 0, 0))
            .expect("a pinned variant the exam allows");
        solved.render(Language::Hr, 1).expect("renders")
    };
    let convention = "uplata se računa prije isplate";
    assert!(sheet("[[2000, 2500]]").question.contains(convention));
    assert!(!sheet("[[2000, 500]]").question.contains(convention));
}

/// A drawn variant never needs the convention: a pinned `xs` that does is refused under
/// `draw:` by `withdrawal_covered`, when the spec is read.
#[test]
fn a_drawn_plan_refuses_a_withdrawal_beyond_the_available_amount() {
    let text = format!(
        "{}  - rnn_account:\n      xs: [[2000, 2500]]\n      h0: [1000, 2000, 0]\n      draw: {{}}\n",
        super::common::HEADER
    );
    let err = examgen::exam::parse(&text, std::path::Path::new("stress.yaml"))
        .expect_err("the withdrawal needs the deposit");
    assert!(err.to_string().contains("`withdrawal_covered`"), "{err}");
}

#[test]
fn golden_first_variants() {
    check_golden_params("rnn_account", DEFAULT);
}
