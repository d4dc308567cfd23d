//! Analytic cost of generating one token: floating-point operations and the bytes of cache or
//! state read, as a function of the position. Drives the cost meter and `lab model cost`.
//! A multiply-add counts as 2 FLOPs; element-wise work is counted roughly (a few per value).

use serde::Serialize;

use super::attention::Pattern;
use super::{Architecture, ModelConfig};

/// What generating the token at one position costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TokenCost {
    pub position: usize,
    pub flops: u64,
    /// Bytes of cache/state the model reads for this token (f32).
    pub state_bytes: u64,
}

/// Cost of feeding the token at `position` (0-based) and producing the next-token logits.
pub fn token_cost(config: &ModelConfig, position: usize) -> TokenCost {
    let d = config.arch.d_model as u64;
    let v = config.vocab_size as u64;
    let mlp = 2 * (2 * d * 4 * d) + 8 * d;
    let norms = 2 * 5 * d;
    let (layer_flops, layer_floats) = match config.arch.architecture {
        Architecture::Standard | Architecture::Sparse => {
            let pattern = if config.arch.architecture == Architecture::Sparse {
                config.sparse_pattern()
            } else {
                Pattern::Dense
            };
            let keys = pattern.keys_read(position) as u64;
            let heads = config.arch.n_heads as u64;
            let attention = 2 * d * keys * 2 + 3 * heads * keys;
            (4 * 2 * d * d + attention + mlp + norms, 2 * d * keys)
        }
        Architecture::Linear => {
            let dh = config.head_dim() as u64;
            let state = d * dh;
            // φ(k)ᵀv into S, φ(q)S, and the normaliser updates.
            let attention = 2 * state + 2 * state + 6 * d;
            (4 * 2 * d * d + attention + mlp + norms, state + d)
        }
        Architecture::Lstm => (2 * 2 * d * 4 * d + 12 * d + 5 * d, 2 * d),
        Architecture::Gru => (2 * 2 * d * 3 * d + 12 * d + 5 * d, d),
        Architecture::Ssm => {
            let di = config.ssm_inner() as u64;
            let n = config.arch.state_size as u64;
            let projections = 2 * d * 2 * di + 2 * di * di + 2 * 2 * di * n + 2 * di * d;
            (projections + 8 * di * n + 10 * di + 5 * d, di * n)
        }
    };
    let layers = config.arch.n_layers as u64;
    TokenCost {
        position,
        flops: layers * layer_flops + 2 * d * v + 5 * d,
        state_bytes: 4 * layers * layer_floats,
    }
}

/// Costs at the given positions.
pub fn cost_curve(config: &ModelConfig, positions: &[usize]) -> Vec<TokenCost> {
    positions.iter().map(|&p| token_cost(config, p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(architecture: Architecture) -> ModelConfig {
        ModelConfig {
            max_len: 1024,
            ..ModelConfig::default()
        }
        .with_architecture(architecture)
    }

    #[test]
    fn standard_grows_linearly_recurrent_stays_flat_sparse_in_between() {
        let at = |a, t| token_cost(&config(a), t);
        let growth = |a| at(a, 1000).state_bytes as f64 / at(a, 100).state_bytes as f64;
        assert!((growth(Architecture::Standard) - 1001.0 / 101.0).abs() < 1e-9);
        for a in [
            Architecture::Linear,
            Architecture::Lstm,
            Architecture::Gru,
            Architecture::Ssm,
        ] {
            assert_eq!(at(a, 5), at(a, 900).with_position(5), "{a:?}");
        }
        let sparse = at(Architecture::Sparse, 1000);
        assert!(sparse.state_bytes < at(Architecture::Standard, 1000).state_bytes / 10);
        assert!(sparse.flops < at(Architecture::Standard, 1000).flops);
        assert!(sparse.state_bytes > at(Architecture::Sparse, 10).state_bytes);
    }

    impl TokenCost {
        fn with_position(mut self, position: usize) -> Self {
            self.position = position;
            self
        }
    }
}
