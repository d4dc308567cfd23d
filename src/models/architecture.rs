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

/// What tells the model where a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PositionalEncoding {
    None,
    Learned,
    #[default]
    Sinusoidal,
}

impl PositionalEncoding {
    pub const ALL: [PositionalEncoding; 3] = [Self::None, Self::Learned, Self::Sinusoidal];

    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Learned => "learned",
            Self::Sinusoidal => "sinusoidal",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
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
        }
        assert_eq!(Architecture::from_name("mamba2"), None);
    }
}
