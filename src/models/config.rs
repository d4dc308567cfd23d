//! Serializable model configuration, validated before any tensor is allocated.

use serde::{Deserialize, Serialize};

use super::attention::mask::Pattern;
use super::{Architecture, AttentionMode, PositionalEncoding};

/// A number outside its allowed range (shared by the model's and the training run's checks).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{name} must be between {min} and {max}, got {value}")]
pub struct RangeError {
    pub name: &'static str,
    pub value: f64,
    pub min: f64,
    pub max: f64,
}

/// `Ok` when `min <= value <= max`; the error names the quantity.
pub fn check_range<T: Into<f64>>(
    name: &'static str,
    value: T,
    min: T,
    max: T,
) -> Result<(), RangeError> {
    let (value, min, max) = (value.into(), min.into(), max.into());
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(RangeError {
            name,
            value,
            min,
            max,
        })
    }
}

/// The same check for counts (`usize` has no lossless `Into<f64>`; every count here is far
/// below 2⁵³).
pub fn check_count(
    name: &'static str,
    value: usize,
    min: usize,
    max: usize,
) -> Result<(), RangeError> {
    check_range(name, value as f64, min as f64, max as f64)
}

/// Why a configuration cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    OutOfRange(#[from] RangeError),
    #[error("width {d_model} is not divisible by the number of heads {n_heads}")]
    HeadsDoNotDivideWidth { d_model: usize, n_heads: usize },
    #[error(
        "{} positions act inside softmax-style attention scores: they need a standard or sparse transformer, not {}",
        .0.name(), .1.name()
    )]
    PositionsNeedAttention(PositionalEncoding, Architecture),
    #[error("RoPE rotates pairs of a head's dimensions: the head dimension must be even, got {0}")]
    RopeOddHeadDim(usize),
    #[error("the softmax scale must be a positive finite number, got {0}")]
    BadScale(f32),
    #[error("index tokens sharing the position code need a task with index tokens (index lookup)")]
    NoIndexTokens,
    #[error(
        "pairs sharing the position code need a task over two halves x | y (equality, disjointness)"
    )]
    NoPairs,
}

/// The layout `x₀ … x_{n−1} | y₀ … y_{n−1} …`: position `i` and position `n + 1 + i` are the
/// pair `i` (`i < n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairedHalves {
    pub n: usize,
}

impl PairedHalves {
    /// The pair index of each of the first `t` positions, or `None` (the separator, the rest).
    pub fn pair_of(&self, t: usize) -> Vec<Option<usize>> {
        (0..t)
            .map(|p| match p {
                p if p < self.n => Some(p),
                p if p > self.n && p <= 2 * self.n => Some(p - self.n - 1),
                _ => None,
            })
            .collect()
    }
}

/// Token ids that name positions: `first + i` stands for position `i` (`i < count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexTokens {
    pub first: u32,
    pub count: usize,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// What a user chooses about a model: the architecture and the sizes and switches that apply
/// to it. Fields that do not apply to an architecture are ignored by it (heads by RNNs, the
/// block size by everything but the sparse transformer). A training run holds one
/// (flattened into its JSON); the vocabulary and the context come from the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArchSpec {
    pub architecture: Architecture,
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
    /// Index tokens (`@i` of index lookup) include the position code of position `i` in their
    /// embedding: the model's own code (learned table or sinusoidal), the sinusoidal one when
    /// the model adds no positions (RNNs), so that looking up `@i` can match position `i`
    /// without learning one embedding per index — as the index-lookup construction does.
    /// Off by default (and absent from files written before it existed).
    #[serde(skip_serializing_if = "is_false")]
    pub index_shares_position: bool,
    /// Sparse transformer: each query reads the last B positions (a sliding window) plus the
    /// last position of every earlier block, instead of its own fixed block. A dependency on
    /// the previous B positions is then always in reach, also at a block's start. Off by
    /// default (and absent from files written before it existed).
    #[serde(skip_serializing_if = "is_false")]
    pub sparse_window: bool,
    /// In a task over two halves (`x | y <q>`: equality, disjointness), `xᵢ` and `yᵢ` both
    /// get the position code of `i` added to their embedding (besides the model's own
    /// positions), so that a token can find its partner without learning the offset — as the
    /// pair-bits constructions do with their shared code. Off by default (and absent from files
    /// written before it existed).
    #[serde(skip_serializing_if = "is_false")]
    pub pairs_share_position: bool,
}

impl Default for ArchSpec {
    fn default() -> Self {
        Self {
            architecture: Architecture::Standard,
            d_model: 64,
            n_layers: 2,
            n_heads: 4,
            attention: AttentionMode::Softmax,
            softmax_scale: 1.0,
            positional: PositionalEncoding::Sinusoidal,
            block_size: None,
            state_size: 16,
            index_shares_position: false,
            sparse_window: false,
            pairs_share_position: false,
        }
    }
}

impl ArchSpec {
    pub const MAX_WIDTH: usize = 1024;
    pub const MAX_LAYERS: usize = 12;
    pub const MAX_HEADS: usize = 64;
    pub const MAX_STATE: usize = 64;

    /// Check every field for a model whose context is `max_len`.
    pub fn validate(&self, max_len: usize) -> Result<(), ConfigError> {
        check_count("width", self.d_model, 4, Self::MAX_WIDTH)?;
        check_count("layers", self.n_layers, 1, Self::MAX_LAYERS)?;
        if self.architecture.has_attention() {
            check_count("heads", self.n_heads, 1, Self::MAX_HEADS)?;
            if !self.d_model.is_multiple_of(self.n_heads) {
                return Err(ConfigError::HeadsDoNotDivideWidth {
                    d_model: self.d_model,
                    n_heads: self.n_heads,
                });
            }
        }
        if !self.positional.applies_to(self.architecture) {
            return Err(ConfigError::PositionsNeedAttention(
                self.positional,
                self.architecture,
            ));
        }
        if self.positional == PositionalEncoding::Rope
            && !(self.d_model / self.n_heads).is_multiple_of(2)
        {
            return Err(ConfigError::RopeOddHeadDim(self.d_model / self.n_heads));
        }
        if let Some(b) = self.block_size {
            check_count("block size", b, 1, max_len)?;
        }
        if self.architecture == Architecture::Ssm {
            check_count("state size", self.state_size, 1, Self::MAX_STATE)?;
        }
        if !(self.softmax_scale.is_finite() && self.softmax_scale > 0.0) {
            return Err(ConfigError::BadScale(self.softmax_scale));
        }
        Ok(())
    }
}

/// A model to build: the user's [`ArchSpec`] plus what the task fixes (vocabulary size and
/// context length).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    #[serde(flatten)]
    pub arch: ArchSpec,
    pub vocab_size: usize,
    /// Longest sequence the model will see (positions `0..max_len`).
    pub max_len: usize,
    /// The task's index tokens, when they share the position code
    /// ([`ArchSpec::index_shares_position`]; set from the task by the training config).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_tokens: Option<IndexTokens>,
    /// The task's two halves, when their pairs share the position code
    /// ([`ArchSpec::pairs_share_position`]; set from the task by the training config).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired: Option<PairedHalves>,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            arch: ArchSpec::default(),
            vocab_size: 16,
            max_len: 64,
            index_tokens: None,
            paired: None,
        }
    }
}

impl ModelConfig {
    pub const MAX_LEN: usize = 4096;

    /// A standard softmax transformer with sinusoidal positions.
    pub fn transformer(
        vocab_size: usize,
        max_len: usize,
        d_model: usize,
        n_layers: usize,
        n_heads: usize,
    ) -> Self {
        Self {
            arch: ArchSpec {
                d_model,
                n_layers,
                n_heads,
                ..ArchSpec::default()
            },
            vocab_size,
            max_len,
            index_tokens: None,
            paired: None,
        }
    }

    /// The same sizes with another architecture.
    pub fn with_architecture(mut self, architecture: Architecture) -> Self {
        self.arch.architecture = architecture;
        self
    }

    /// Check every field; the model constructor relies on this.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_count("vocabulary size", self.vocab_size, 2, 1 << 16)?;
        check_count("max length", self.max_len, 2, Self::MAX_LEN)?;
        match (self.arch.index_shares_position, self.index_tokens) {
            (true, None) => return Err(ConfigError::NoIndexTokens),
            (_, Some(t)) => {
                check_count("index tokens", t.count, 1, Self::MAX_LEN)?;
                if t.first as usize + t.count > self.vocab_size {
                    return Err(ConfigError::NoIndexTokens);
                }
            }
            _ => {}
        }
        match (self.arch.pairs_share_position, self.paired) {
            (true, None) => return Err(ConfigError::NoPairs),
            (_, Some(p)) if p.n == 0 || 2 * p.n + 1 > self.max_len => {
                return Err(ConfigError::NoPairs);
            }
            _ => {}
        }
        self.arch.validate(self.max_len)
    }

    pub fn head_dim(&self) -> usize {
        self.arch.d_model / self.arch.n_heads.max(1)
    }

    /// The sparse block size actually used: the configured one or ⌈√max_len⌉.
    pub fn block(&self) -> usize {
        self.arch
            .block_size
            .unwrap_or_else(|| (self.max_len as f64).sqrt().ceil() as usize)
            .max(1)
    }

    /// The attention pattern of the sparse transformer (fixed blocks or a sliding window).
    pub fn sparse_pattern(&self) -> Pattern {
        let block = self.block();
        if self.arch.sparse_window {
            Pattern::Window { block }
        } else {
            Pattern::Sparse { block }
        }
    }

    /// Inner width of the selective SSM (expansion factor 2, as in Mamba).
    pub fn ssm_inner(&self) -> usize {
        2 * self.arch.d_model
    }

    /// Number of trainable parameters (matches `Module::num_params`).
    pub fn param_count(&self) -> usize {
        let d = self.arch.d_model;
        let v = self.vocab_size;
        let ln = 2 * d;
        let linear = |i: usize, o: usize| i * o + o;
        let layer = match self.arch.architecture {
            Architecture::Standard | Architecture::Sparse | Architecture::Linear => {
                let attn = 4 * linear(d, d);
                let mlp = linear(d, 4 * d) + linear(4 * d, d);
                2 * ln + attn + mlp
            }
            Architecture::Lstm => ln + linear(d, 4 * d) + 4 * d * d,
            Architecture::Gru => ln + linear(d, 3 * d) + linear(d, 3 * d),
            Architecture::Ssm => {
                let di = self.ssm_inner();
                let n = self.arch.state_size;
                ln + linear(d, 2 * di)
                    + linear(di, di)
                    + 2 * linear(di, n)
                    + di * n
                    + di
                    + linear(di, d)
            }
        };
        let positions = match self.arch.positional {
            PositionalEncoding::Learned => self.max_len * d,
            _ => 0,
        };
        v * d + positions + self.arch.n_layers * layer + ln + linear(d, v)
    }
}
