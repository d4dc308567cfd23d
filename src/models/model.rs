//! `Model`: any architecture of the zoo behind one type, built from a [`ModelConfig`].

use burn::prelude::*;

use super::cache::DecodeCache;
use super::recurrent_net::RecurrentNet;
use super::transformer::Transformer;
use super::{AttentionMode, ConfigError, ModelConfig, SequenceModel, Trace};

#[derive(Module, Debug)]
pub enum Model {
    /// Standard, sparse and linear transformers.
    Transformer(Transformer),
    /// LSTM, GRU and selective SSM.
    Recurrent(RecurrentNet),
}

impl Model {
    /// Build a freshly initialised model; the config is validated first.
    pub fn new(config: &ModelConfig, device: &Device) -> Result<Self, ConfigError> {
        Ok(if config.architecture.is_recurrent() {
            Self::Recurrent(RecurrentNet::new(config, device)?)
        } else {
            Self::Transformer(Transformer::new(config, device)?)
        })
    }

    /// The same weights under another attention mode; recurrent models are unchanged.
    pub fn with_mode(self, mode: AttentionMode, scale: f32) -> Self {
        match self {
            Self::Transformer(t) => Self::Transformer(t.with_mode(mode, scale)),
            other => other,
        }
    }
}

impl SequenceModel for Model {
    fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        match self {
            Self::Transformer(m) => m.forward(tokens),
            Self::Recurrent(m) => m.forward(tokens),
        }
    }

    fn forward_with_trace(&self, tokens: Tensor<2, Int>) -> (Tensor<3>, Trace) {
        match self {
            Self::Transformer(m) => m.forward_with_trace(tokens),
            Self::Recurrent(m) => m.forward_with_trace(tokens),
        }
    }

    fn init_cache(&self, batch: usize, device: &Device) -> DecodeCache {
        match self {
            Self::Transformer(m) => m.init_cache(batch, device),
            Self::Recurrent(m) => m.init_cache(batch, device),
        }
    }

    fn step(&self, tokens: Tensor<1, Int>, cache: &mut DecodeCache) -> Tensor<2> {
        match self {
            Self::Transformer(m) => m.step(tokens, cache),
            Self::Recurrent(m) => m.step(tokens, cache),
        }
    }
}
