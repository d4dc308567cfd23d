//! The model families the lab compares, the attention modes of softmax-style layers and the
//! positional encodings: the vocabulary shared by configs, the UI and the CLI.

use serde::{Deserialize, Serialize};

/// Which sequence model to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    /// Causal softmax attention over every earlier position.
    #[default]
    Standard,
    /// Child et al.'s fixed block pattern: own block plus the last position of earlier blocks.
    Sparse,
    /// Causal linear attention with φ(x) = elu(x) + 1 (Katharopoulos et al.).
    Linear,
    Lstm,
    Gru,
    /// A small Mamba-style selective state-space model.
    Ssm,
}

impl Architecture {
    pub const ALL: [Architecture; 6] = [
        Self::Standard,
        Self::Sparse,
        Self::Linear,
        Self::Lstm,
        Self::Gru,
        Self::Ssm,
    ];

    /// Short name used in URLs, the CLI and files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Sparse => "sparse",
            Self::Linear => "linear",
            Self::Lstm => "lstm",
            Self::Gru => "gru",
            Self::Ssm => "ssm",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Standard => "Standard transformer",
            Self::Sparse => "Sparse transformer (block pattern)",
            Self::Linear => "Linear transformer",
            Self::Lstm => "LSTM",
            Self::Gru => "GRU",
            Self::Ssm => "Selective SSM (Mamba-style)",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether the model has attention layers (and therefore heads and attention maps).
    pub fn has_attention(self) -> bool {
        matches!(self, Self::Standard | Self::Sparse | Self::Linear)
    }

    /// Whether the attention mode (softmax / saturated / hard) applies.
    pub fn has_attention_modes(self) -> bool {
        matches!(self, Self::Standard | Self::Sparse)
    }

    /// Whether the model carries a fixed-size recurrent state instead of a growing cache.
    pub fn is_recurrent(self) -> bool {
        matches!(self, Self::Lstm | Self::Gru | Self::Ssm)
    }
}

/// How a softmax-style attention layer turns scores into weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum AttentionMode {
    /// `softmax(scale · qᵀk / √d_h)`.
    #[default]
    Softmax,
    /// Uniform weight over every maximal score: the limit of `softmax(c · a)` as c → ∞.
    Saturated,
    /// All weight on the leftmost maximal score.
    Hard,
}

impl AttentionMode {
    pub const ALL: [AttentionMode; 3] = [Self::Softmax, Self::Saturated, Self::Hard];

    pub fn name(self) -> &'static str {
        match self {
            Self::Softmax => "softmax",
            Self::Saturated => "saturated",
            Self::Hard => "hard",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// What tells the model where a token is: a code added to the embeddings (learned or
/// sinusoidal), or a change to the attention scores themselves (RoPE rotates queries and keys
/// by their positions; ALiBi subtracts a per-head multiple of the distance), or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PositionalEncoding {
    None,
    Learned,
    #[default]
    Sinusoidal,
    /// Rotary position embedding (Su et al.): each query and key rotated by angles
    /// proportional to its position, so that their product depends on the distance only.
    Rope,
    /// Attention with linear biases (Press et al.): head `h` of `H` subtracts
    /// `2^(−8(h+1)/H) · (i − j)` from the score of query `i` for key `j`.
    Alibi,
}

impl PositionalEncoding {
    pub const ALL: [PositionalEncoding; 5] = [
        Self::None,
        Self::Learned,
        Self::Sinusoidal,
        Self::Rope,
        Self::Alibi,
    ];
    /// The encodings added to the embeddings (and none): what every architecture takes.
    pub const ABSOLUTE: [PositionalEncoding; 3] = [Self::None, Self::Learned, Self::Sinusoidal];

    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Learned => "learned",
            Self::Sinusoidal => "sinusoidal",
            Self::Rope => "rope",
            Self::Alibi => "alibi",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether the encoding acts inside the attention scores (RoPE, ALiBi) rather than on the
    /// embeddings.
    pub fn in_attention(self) -> bool {
        matches!(self, Self::Rope | Self::Alibi)
    }

    /// Whether `architecture` can use this encoding: RoPE and ALiBi change softmax-style
    /// attention scores, which linear attention and recurrent layers do not compute.
    pub fn applies_to(self, architecture: Architecture) -> bool {
        !self.in_attention() || architecture.has_attention_modes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Architecture::ALL {
            assert_eq!(Architecture::from_name(a.name()), Some(a));
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.name()));
        }
        for m in AttentionMode::ALL {
            assert_eq!(AttentionMode::from_name(m.name()), Some(m));
        }
        for p in PositionalEncoding::ALL {
            assert_eq!(PositionalEncoding::from_name(p.name()), Some(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.name()));
        }
        assert!(PositionalEncoding::Rope.applies_to(Architecture::Sparse));
        assert!(!PositionalEncoding::Alibi.applies_to(Architecture::Linear));
        assert!(!PositionalEncoding::Rope.applies_to(Architecture::Lstm));
        assert!(PositionalEncoding::Learned.applies_to(Architecture::Gru));
        assert_eq!(Architecture::from_name("mamba2"), None);
    }
}
