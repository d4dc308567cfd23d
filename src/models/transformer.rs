//! Causal pre-LN transformer: token embedding + positions, L blocks (standard, sparse or
//! linear attention), final LayerNorm, linear read-out.

use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;

use super::attention::Pattern;
use super::block::Block;
use super::cache::DecodeCache;
use super::positional::Positions;
use super::{Architecture, AttentionMode, ConfigError, ModelConfig, SequenceModel, Trace};

#[derive(Module, Debug)]
pub struct Transformer {
    embedding: Embedding,
    positions: Positions,
    blocks: Vec<Block>,
    norm: LayerNorm,
    head: Linear,
    #[module(skip)]
    d_model: usize,
    #[module(skip)]
    max_len: usize,
}

impl Transformer {
    /// Build a freshly initialised model; the config is validated first.
    pub fn new(config: &ModelConfig, device: &Device) -> Result<Self, ConfigError> {
        config.validate()?;
        let d = config.d_model;
        let h = config.n_heads;
        let block = |_| match config.architecture {
            Architecture::Linear => Block::linear(d, h, device),
            Architecture::Sparse => Block::softmax(
                d,
                h,
                Pattern::Sparse {
                    block: config.block(),
                },
                device,
            ),
            _ => Block::softmax(d, h, Pattern::Dense, device),
        };
        Ok(Self {
            embedding: EmbeddingConfig::new(config.vocab_size, d).init(device),
            positions: Positions::new(config.positional, config.max_len, d, device),
            blocks: (0..config.n_layers).map(block).collect(),
            norm: LayerNormConfig::new(d).init(device),
            head: LinearConfig::new(d, config.vocab_size).init(device),
            d_model: d,
            max_len: config.max_len,
        }
        .with_mode(config.attention, config.softmax_scale))
    }

    /// The same weights under another attention mode (no effect on linear attention).
    pub fn with_mode(mut self, mode: AttentionMode, scale: f32) -> Self {
        self.blocks = self
            .blocks
            .into_iter()
            .map(|b| b.with_mode(mode, scale))
            .collect();
        self
    }

    fn check_len(&self, t: usize) {
        assert!(
            t <= self.max_len,
            "sequence of {t} tokens exceeds the model's max length {}",
            self.max_len
        );
    }

    fn run(&self, tokens: Tensor<2, Int>, keep_weights: bool) -> (Tensor<3>, Vec<Tensor<4>>) {
        self.check_len(tokens.dims()[1]);
        let mut x = self.positions.add(self.embedding.forward(tokens), 0);
        let mut weights = Vec::new();
        for block in &self.blocks {
            let (y, w) = block.forward(x);
            x = y;
            if keep_weights {
                weights.push(w);
            }
        }
        (self.head.forward(self.norm.forward(x)), weights)
    }
}

impl SequenceModel for Transformer {
    fn forward(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        self.run(tokens, false).0
    }

    fn forward_with_trace(&self, tokens: Tensor<2, Int>) -> (Tensor<3>, Trace) {
        let (logits, attention) = self.run(tokens, true);
        (
            logits,
            Trace {
                attention,
                state_norms: Vec::new(),
            },
        )
    }

    fn init_cache(&self, batch: usize, device: &Device) -> DecodeCache {
        DecodeCache {
            position: 0,
            layers: self
                .blocks
                .iter()
                .map(|b| b.empty_cache(batch, self.d_model, device))
                .collect(),
        }
    }

    fn step(&self, tokens: Tensor<1, Int>, cache: &mut DecodeCache) -> Tensor<2> {
        let position = cache.position;
        self.check_len(position + 1);
        let [b] = tokens.dims();
        let x = self.embedding.forward(tokens.reshape([b, 1]));
        let mut x = self.positions.add(x, position);
        for (block, layer) in self.blocks.iter().zip(cache.layers.iter_mut()) {
            x = block.step(x, position, layer);
        }
        cache.position += 1;
        let logits = self.head.forward(self.norm.forward(x));
        let v = logits.dims()[2];
        logits.reshape([b, v])
    }
}
