//! Causal pre-LN softmax transformer: token embedding + sinusoidal positions, L blocks,
//! final LayerNorm, linear read-out.

use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;

use super::block::Block;
use super::positional::sinusoidal;
use super::{ConfigError, SequenceModel, Trace, TransformerConfig};

#[derive(Module, Debug)]
pub struct Transformer {
    embedding: Embedding,
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
    pub fn new(config: &TransformerConfig, device: &Device) -> Result<Self, ConfigError> {
        config.validate()?;
        let d = config.d_model;
        Ok(Self {
            embedding: EmbeddingConfig::new(config.vocab_size, d).init(device),
            blocks: (0..config.n_layers)
                .map(|_| Block::new(d, config.n_heads, device))
                .collect(),
            norm: LayerNormConfig::new(d).init(device),
            head: LinearConfig::new(d, config.vocab_size).init(device),
            d_model: d,
            max_len: config.max_len,
        })
    }

    fn run(&self, tokens: Tensor<2, Int>, keep_weights: bool) -> (Tensor<3>, Vec<Tensor<4>>) {
        let [_, t] = tokens.dims();
        assert!(
            t <= self.max_len,
            "sequence of {t} tokens exceeds the model's max length {}",
            self.max_len
        );
        let device = tokens.device();
        let mut x = self.embedding.forward(tokens) + sinusoidal(t, self.d_model, &device);
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
        (logits, Trace { attention })
    }
}
