//! Serializable model configuration, validated before any tensor is allocated.

use serde::{Deserialize, Serialize};

/// Why a configuration cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
}

/// A causal pre-LN transformer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransformerConfig {
    pub vocab_size: usize,
    /// Longest sequence the model will see (positions `0..max_len`).
    pub max_len: usize,
    pub d_model: usize,
    pub n_layers: usize,
    pub n_heads: usize,
}

impl TransformerConfig {
    pub const MAX_WIDTH: usize = 1024;
    pub const MAX_LAYERS: usize = 12;
    pub const MAX_LEN: usize = 4096;

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
        check("heads", self.n_heads, 1, 64)?;
        if !self.d_model.is_multiple_of(self.n_heads) {
            return Err(ConfigError::HeadsDoNotDivideWidth {
                d_model: self.d_model,
                n_heads: self.n_heads,
            });
        }
        Ok(())
    }

    pub fn head_dim(&self) -> usize {
        self.d_model / self.n_heads
    }

    /// Number of trainable parameters (matches `Module::num_params`).
    pub fn param_count(&self) -> usize {
        let d = self.d_model;
        let ln = 2 * d;
        let attn = 4 * (d * d + d);
        let mlp = d * 4 * d + 4 * d + 4 * d * d + d;
        let block = 2 * ln + attn + mlp;
        self.vocab_size * d + self.n_layers * block + ln + d * self.vocab_size + self.vocab_size
    }
}
