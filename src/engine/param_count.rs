//! Parameter counts of stacked recurrent networks (RNN, LSTM, GRU).
//!
//! Per direction, a layer with input size `I`, hidden size `H` and `g` gates has
//! `g·(H·I + H·H + b·H)` parameters, where `b` is the number of bias vectors per gate:
//! 1 in the textbook formulation, 2 in PyTorch (`b_ih` and `b_hh`). Layer 1 reads the
//! input; layer `l > 1` reads the previous layer's output, of size `H`, or `2H` when
//! bidirectional because both directions' states are concatenated.

use serde::{Deserialize, Serialize};

/// The recurrent cell type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    Rnn,
    Lstm,
    Gru,
}

impl Cell {
    /// Weight blocks per cell: 1 for a plain RNN, 4 for LSTM (i, f, g, o), 3 for GRU (r, z, n).
    pub fn gates(&self) -> usize {
        match self {
            Cell::Rnn => 1,
            Cell::Lstm => 4,
            Cell::Gru => 3,
        }
    }
}

/// A stack of recurrent layers, described as a problem states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecurrentStack {
    pub cell: Cell,
    pub layers: usize,
    pub input_size: usize,
    pub hidden_size: usize,
    pub bidirectional: bool,
    /// Bias vectors per gate: 1 (textbook) or 2 (PyTorch).
    pub bias: usize,
}

/// Parameter counts of one layer, both directions included when bidirectional.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerParams {
    /// 1-based layer number.
    pub layer: usize,
    /// The size of the vector this layer reads at each time step.
    pub input_size: usize,
    pub input_weights: usize,
    pub recurrent_weights: usize,
    pub biases: usize,
    pub total: usize,
}

impl RecurrentStack {
    fn directions(&self) -> usize {
        if self.bidirectional {
            2
        } else {
            1
        }
    }

    /// One entry per layer, first layer first.
    pub fn per_layer(&self) -> Vec<LayerParams> {
        let blocks = self.directions() * self.cell.gates();
        let h = self.hidden_size;
        (1..=self.layers)
            .map(|layer| {
                let input_size = if layer == 1 {
                    self.input_size
                } else {
                    self.directions() * h
                };
                let input_weights = blocks * h * input_size;
                let recurrent_weights = blocks * h * h;
                let biases = blocks * self.bias * h;
                LayerParams {
                    layer,
                    input_size,
                    input_weights,
                    recurrent_weights,
                    biases,
                    total: input_weights + recurrent_weights + biases,
                }
            })
            .collect()
    }

    /// Parameters of the whole stack.
    pub fn total(&self) -> usize {
        self.per_layer().iter().map(|l| l.total).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(
        cell: Cell,
        layers: usize,
        input: usize,
        hidden: usize,
        bidir: bool,
        bias: usize,
    ) -> RecurrentStack {
        RecurrentStack {
            cell,
            layers,
            input_size: input,
            hidden_size: hidden,
            bidirectional: bidir,
            bias,
        }
    }

    #[test]
    fn lstm_two_layers_textbook_bias() {
        // Layer 1: 4·(3·2 + 3·3 + 3) = 72; layer 2: 4·(3·3 + 3·3 + 3) = 84.
        let s = stack(Cell::Lstm, 2, 2, 3, false, 1);
        let layers = s.per_layer();
        assert_eq!(
            layers.iter().map(|l| l.total).collect::<Vec<_>>(),
            vec![72, 84]
        );
        assert_eq!(layers[1].input_size, 3);
        assert_eq!(
            layers[0],
            LayerParams {
                layer: 1,
                input_size: 2,
                input_weights: 24,
                recurrent_weights: 36,
                biases: 12,
                total: 72
            }
        );
        assert_eq!(s.total(), 156);
    }

    #[test]
    fn lstm_two_layers_pytorch_bias() {
        // Layer 1: 4·(6 + 9 + 6) = 84; layer 2: 4·(9 + 9 + 6) = 96.
        let s = stack(Cell::Lstm, 2, 2, 3, false, 2);
        assert_eq!(
            s.per_layer().iter().map(|l| l.total).collect::<Vec<_>>(),
            vec![84, 96]
        );
        assert_eq!(s.total(), 180);
    }

    #[test]
    fn bidirectional_gru_matches_pytorch() {
        // nn.GRU(10, 20, num_layers=2, bidirectional=True):
        // layer 1: 2·3·(20·10 + 20·20 + 2·20) = 3840; layer 2 reads 40: 2·3·(800 + 400 + 40) = 7440.
        let s = stack(Cell::Gru, 2, 10, 20, true, 2);
        let layers = s.per_layer();
        assert_eq!(layers[1].input_size, 40);
        assert_eq!(
            layers.iter().map(|l| l.total).collect::<Vec<_>>(),
            vec![3840, 7440]
        );
        assert_eq!(s.total(), 11280);
    }

    #[test]
    fn single_layer_pytorch_classics() {
        // nn.RNN(10, 20): 200 + 400 + 40 = 640; nn.LSTM(10, 20): 4·640 = 2560.
        assert_eq!(stack(Cell::Rnn, 1, 10, 20, false, 2).total(), 640);
        assert_eq!(stack(Cell::Lstm, 1, 10, 20, false, 2).total(), 2560);
        assert_eq!(stack(Cell::Gru, 1, 10, 20, false, 2).total(), 1920);
    }

    #[test]
    fn serde_round_trip() {
        let s = stack(Cell::Gru, 2, 10, 20, true, 2);
        let json = serde_json::to_string(&s).expect("serializes");
        assert!(json.contains("\"cell\":\"gru\""));
        let back: RecurrentStack = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, s);
    }
}
