//! A stack of recurrent layers (LSTM, GRU or selective SSM) with the transformer's shell:
//! token embedding + optional positions, pre-LN residual layers `x + Core(LN(x))`, final
//! LayerNorm and a linear read-out.

use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;

use super::cache::{DecodeCache, LayerCache};
use super::positional::Positions;
use super::recurrent::{GruLayer, LstmLayer, SsmLayer};
use super::{Architecture, ConfigError, ModelConfig, SequenceModel, Trace};

/// One per layer; boxing would not save anything worth the indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Core {
    Lstm(LstmLayer),
    Gru(GruLayer),
    Ssm(SsmLayer),
}

impl Core {
    fn forward(&self, x: Tensor<3>) -> (Tensor<3>, Tensor<2>) {
        match self {
            Self::Lstm(l) => l.forward(x),
            Self::Gru(l) => l.forward(x),
            Self::Ssm(l) => l.forward(x),
        }
    }

    fn step(&self, x: Tensor<3>, cache: &mut LayerCache) -> Tensor<3> {
        match self {
            Self::Lstm(l) => l.step(x, cache),
            Self::Gru(l) => l.step(x, cache),
            Self::Ssm(l) => l.step(x, cache),
        }
    }

    fn empty_cache(&self, batch: usize, device: &Device) -> LayerCache {
        match self {
            Self::Lstm(l) => l.empty_cache(batch, device),
            Self::Gru(l) => l.empty_cache(batch, device),
            Self::Ssm(l) => l.empty_cache(batch, device),
        }
    }
}

#[derive(Module, Debug)]
pub struct RecurrentLayer {
    norm: LayerNorm,
    core: Core,
}

#[derive(Module, Debug)]
pub struct RecurrentNet {
    embedding: Embedding,
    positions: Positions,
    layers: Vec<RecurrentLayer>,
    norm: LayerNorm,
    head: Linear,
    #[module(skip)]
    max_len: usize,
}

impl RecurrentNet {
    pub fn new(config: &ModelConfig, device: &Device) -> Result<Self, ConfigError> {
        config.validate()?;
        let d = config.d_model;
        let core = || match config.architecture {
            Architecture::Gru => Core::Gru(GruLayer::new(d, device)),
            Architecture::Ssm => Core::Ssm(SsmLayer::new(
                d,
                config.ssm_inner(),
                config.state_size,
                device,
            )),
            _ => Core::Lstm(LstmLayer::new(d, device)),
        };
        Ok(Self {
            embedding: EmbeddingConfig::new(config.vocab_size, d).init(device),
            positions: Positions::new(config.positional, config.max_len, d, device),
            layers: (0..config.n_layers)
                .map(|_| RecurrentLayer {
                    norm: LayerNormConfig::new(d).init(device),
                    core: core(),
                })
                .collect(),
            norm: LayerNormConfig::new(d).init(device),
            head: LinearConfig::new(d, config.vocab_size).init(device),
            max_len: config.max_len,
        })
    }

    fn check_len(&self, t: usize) {
        assert!(
            t <= self.max_len,
            "sequence of {t} tokens exceeds the model's max length {}",
            self.max_len
        );
    }
}

impl SequenceModel for RecurrentNet {
    fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        self.forward_with_trace(tokens).0
    }

    fn forward_with_trace(&self, tokens: Tensor<2, Int>) -> (Tensor<3>, Trace) {
        self.check_len(tokens.dims()[1]);
        let mut x = self.positions.add(self.embedding.forward(tokens), 0);
        let mut state_norms = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let (y, norms) = layer.core.forward(layer.norm.forward(x.clone()));
            x = x + y;
            state_norms.push(norms);
        }
        let logits = self.head.forward(self.norm.forward(x));
        (
            logits,
            Trace {
                attention: Vec::new(),
                state_norms,
            },
        )
    }

    fn init_cache(&self, batch: usize, device: &Device) -> DecodeCache {
        DecodeCache {
            position: 0,
            layers: self
                .layers
                .iter()
                .map(|l| l.core.empty_cache(batch, device))
                .collect(),
        }
    }

    fn step(&self, tokens: Tensor<1, Int>, cache: &mut DecodeCache) -> Tensor<2> {
        let position = cache.position;
        self.check_len(position + 1);
        let [b] = tokens.dims();
        let x = self.embedding.forward(tokens.reshape([b, 1]));
        let mut x = self.positions.add(x, position);
        for (layer, state) in self.layers.iter().zip(cache.layers.iter_mut()) {
            let y = layer.core.step(layer.norm.forward(x.clone()), state);
            x = x + y;
        }
        cache.position += 1;
        let logits = self.head.forward(self.norm.forward(x));
        let v = logits.dims()[2];
        logits.reshape([b, v])
    }
}
