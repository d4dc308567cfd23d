//! Serializable model configuration, validated before any tensor is allocated.

use serde::{Deserialize, Serialize};

use super::{Architecture, AttentionMode, PositionalEncoding};

/// Why a configuration cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} must be in {min}..={max}, got {value}")]
    OutOfRange {
        name: &'static str,
        value: usize,
        min: usize,
        max: usize,
    },
    #[error("width {d_model} is not divisible by the number of heads {n_heads}")]
    HeadsDoNotDivideWidth { d_model: usize, n_heads: usize },
    #[error("the softmax scale must be a positive finite number, got {0}")]
    BadScale(f32),
}

/// Every model of the zoo: the architecture plus the sizes and switches that apply to it.
/// Fields that do not apply to an architecture are ignored by it (heads by RNNs, the block
/// size by everything but the sparse transformer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelConfig {
    pub architecture: Architecture,
    pub vocab_size: usize,
    /// Longest sequence the model will see (positions `0..max_len`).
    pub max_len: usize,
    pub d_model: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    /// Softmax, saturated or hard attention (standard and sparse transformers).
    pub attention: AttentionMode,
    /// The `c` of `softmax(c · qᵀk / √d_h)`.
    pub softmax_scale: f32,
    pub positional: PositionalEncoding,
    /// Sparse block size B; `None` means ⌈√max_len⌉.
    pub block_size: Option<usize>,
    /// State size N per channel of the selective SSM.
    pub state_size: usize,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            architecture: Architecture::Standard,
            vocab_size: 16,
            max_len: 64,
            d_model: 64,
            n_layers: 2,
            n_heads: 4,
            attention: AttentionMode::Softmax,
            softmax_scale: 1.0,
            positional: PositionalEncoding::Sinusoidal,
            block_size: None,
            state_size: 16,
        }
    }
}

/// The pre-zoo name of the config, kept for the transformer-only call sites.
pub type TransformerConfig = ModelConfig;

impl ModelConfig {
    pub const MAX_WIDTH: usize = 1024;
    pub const MAX_LAYERS: usize = 12;
    pub const MAX_LEN: usize = 4096;
    pub const MAX_STATE: usize = 64;

    /// A standard softmax transformer with sinusoidal positions.
    pub fn transformer(
        vocab_size: usize,
        max_len: usize,
        d_model: usize,
        n_layers: usize,
        n_heads: usize,
    ) -> Self {
        Self {
            vocab_size,
            max_len,
            d_model,
            n_layers,
            n_heads,
            ..Self::default()
        }
    }

    /// The same sizes with another architecture.
    pub fn with_architecture(mut self, architecture: Architecture) -> Self {
        self.architecture = architecture;
        self
    }

    /// Check every field; the model constructor relies on this.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let check = |name, value: usize, min, max| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(ConfigError::OutOfRange {
                    name,
                    value,
                    min,
                    max,
                })
            }
        };
        check("vocabulary size", self.vocab_size, 2, 1 << 16)?;
        check("max length", self.max_len, 2, Self::MAX_LEN)?;
        check("width", self.d_model, 4, Self::MAX_WIDTH)?;
        check("layers", self.n_layers, 1, Self::MAX_LAYERS)?;
        if self.architecture.has_attention() {
            check("heads", self.n_heads, 1, 64)?;
            if !self.d_model.is_multiple_of(self.n_heads) {
                return Err(ConfigError::HeadsDoNotDivideWidth {
                    d_model: self.d_model,
                    n_heads: self.n_heads,
                });
            }
        }
        if let Some(b) = self.block_size {
            check("block size", b, 1, self.max_len)?;
        }
        if self.architecture == Architecture::Ssm {
            check("state size", self.state_size, 1, Self::MAX_STATE)?;
        }
        if !(self.softmax_scale.is_finite() && self.softmax_scale > 0.0) {
            return Err(ConfigError::BadScale(self.softmax_scale));
        }
        Ok(())
    }

    pub fn head_dim(&self) -> usize {
        self.d_model / self.n_heads.max(1)
    }

    /// The sparse block size actually used: the configured one or ⌈√max_len⌉.
    pub fn block(&self) -> usize {
        self.block_size
            .unwrap_or_else(|| (self.max_len as f64).sqrt().ceil() as usize)
            .max(1)
    }

    /// Inner width of the selective SSM (expansion factor 2, as in Mamba).
    pub fn ssm_inner(&self) -> usize {
        2 * self.d_model
    }

    /// Number of trainable parameters (matches `Module::num_params`).
    pub fn param_count(&self) -> usize {
        let d = self.d_model;
        let v = self.vocab_size;
        let ln = 2 * d;
        let linear = |i: usize, o: usize| i * o + o;
        let layer = match self.architecture {
            Architecture::Standard | Architecture::Sparse | Architecture::Linear => {
                let attn = 4 * linear(d, d);
                let mlp = linear(d, 4 * d) + linear(4 * d, d);
                2 * ln + attn + mlp
            }
            Architecture::Lstm => ln + linear(d, 4 * d) + 4 * d * d,
            Architecture::Gru => ln + linear(d, 3 * d) + linear(d, 3 * d),
            Architecture::Ssm => {
                let di = self.ssm_inner();
                let n = self.state_size;
                ln + linear(d, 2 * di)
                    + linear(di, di)
                    + 2 * linear(di, n)
                    + di * n
                    + di
                    + linear(di, d)
            }
        };
        let positions = match self.positional {
            PositionalEncoding::Learned => self.max_len * d,
            _ => 0,
        };
        v * d + positions + self.n_layers * layer + ln + linear(d, v)
    }
}
