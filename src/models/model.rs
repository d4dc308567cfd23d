//! `Model`: every architecture of the zoo as one body (nanoGPT's `GPT` over its blocks): token
//! embedding + positions, a stack of [`Layer`]s that differ only in their mixer, a final
//! LayerNorm and a linear read-out.

use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;

use super::cache::DecodeCache;
use super::layer::Layer;
use super::mixer::MixerTrace;
use super::positional::Positions;
use super::{AttentionMode, ConfigError, ModelConfig, SequenceModel, SequenceTooLong, Trace};

#[derive(Module, Debug)]
pub struct Model {
    embedding: Embedding,
    positions: Positions,
    layers: Vec<Layer>,
    norm: LayerNorm,
    head: Linear,
    #[module(skip)]
    d_model: usize,
    /// The context: positions `0..max_len`.
    #[module(skip)]
    max_len: usize,
}

impl Model {
    /// Build a freshly initialised model; the config is validated first.
    pub fn new(config: &ModelConfig, device: &Device) -> Result<Self, ConfigError> {
        config.validate()?;
        let d = config.arch.d_model;
        Ok(Self {
            embedding: EmbeddingConfig::new(config.vocab_size, d).init(device),
            positions: Positions::new(config.arch.positional, config.max_len, d, device),
            layers: (0..config.arch.n_layers)
                .map(|_| Layer::new(config, device))
                .collect(),
            norm: LayerNormConfig::new(d).init(device),
            head: LinearConfig::new(d, config.vocab_size).init(device),
            d_model: d,
            max_len: config.max_len,
        }
        .with_mode(config.arch.attention, config.arch.softmax_scale))
    }

    /// The same weights under another attention mode (no effect on linear attention and
    /// recurrent layers).
    pub fn with_mode(mut self, mode: AttentionMode, scale: f32) -> Self {
        self.layers = self
            .layers
            .into_iter()
            .map(|layer| layer.with_mode(mode, scale))
            .collect();
        self
    }

    /// The longest sequence the model takes.
    pub fn context(&self) -> usize {
        self.max_len
    }

    fn check_len(&self, tokens: usize) -> Result<(), SequenceTooLong> {
        if tokens <= self.max_len {
            Ok(())
        } else {
            Err(SequenceTooLong {
                tokens,
                context: self.max_len,
            })
        }
    }

    fn read_out(&self, x: Tensor<3>) -> Tensor<3> {
        self.head.forward(self.norm.forward(x))
    }
}

impl SequenceModel for Model {
    fn forward(&self, tokens: Tensor<2, Int>) -> Result<Tensor<3>, SequenceTooLong> {
        self.check_len(tokens.dims()[1])?;
        let mut x = self.positions.add(self.embedding.forward(tokens), 0);
        for layer in &self.layers {
            x = layer.forward(x).0;
        }
        Ok(self.read_out(x))
    }

    fn forward_with_trace(
        &self,
        tokens: Tensor<2, Int>,
    ) -> Result<(Tensor<3>, Trace), SequenceTooLong> {
        self.check_len(tokens.dims()[1])?;
        let mut x = self.positions.add(self.embedding.forward(tokens), 0);
        let mut trace = Trace::default();
        for layer in &self.layers {
            let (y, layer_trace) = layer.forward(x);
            x = y;
            match layer_trace {
                MixerTrace::Attention(w) => trace.attention.push(w),
                MixerTrace::StateNorms(norms) => trace.state_norms.push(norms),
            }
        }
        Ok((self.read_out(x), trace))
    }

    fn init_cache(&self, batch: usize, device: &Device) -> DecodeCache {
        DecodeCache {
            position: 0,
            layers: self
                .layers
                .iter()
                .map(|layer| layer.empty_cache(batch, self.d_model, device))
                .collect(),
        }
    }

    fn step(
        &self,
        tokens: Tensor<1, Int>,
        cache: &mut DecodeCache,
    ) -> Result<Tensor<2>, SequenceTooLong> {
        let position = cache.position;
        self.check_len(position + 1)?;
        let [b] = tokens.dims();
        let x = self.embedding.forward(tokens.reshape([b, 1]));
        let mut x = self.positions.add(x, position);
        for (layer, state) in self.layers.iter().zip(cache.layers.iter_mut()) {
            x = layer.step(x, position, state);
        }
        cache.position += 1;
        let logits = self.read_out(x);
        let v = logits.dims()[2];
        Ok(logits.reshape([b, v]))
    }
}
