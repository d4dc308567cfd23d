//! One pre-LN residual layer of the body: `x + Mixer(LN(x))`, then, for attention mixers,
//! the MLP `x + MLP(LN(x))`. Every architecture of the zoo is a stack of these; only the mixer
//! differs.

use burn::nn::{LayerNorm, LayerNormConfig};
use burn::prelude::*;

use crate::models::Rows;

use super::cache::LayerCache;
use super::fused_layer_norm::layer_norm;
use super::mixer::{Mixer, MixerTrace};
use super::mlp::Mlp;
use super::{AttentionMode, ModelConfig};

#[derive(Module, Debug)]
pub struct Layer {
    norm: LayerNorm,
    mixer: Mixer,
    /// Present for attention layers, absent for recurrent ones.
    mlp: Option<Mlp>,
}

impl Layer {
    pub fn new(config: &ModelConfig, device: &Device) -> Self {
        let d = config.arch.d_model;
        let mixer = Mixer::new(config, device);
        Self {
            norm: LayerNormConfig::new(d).init(device),
            mlp: mixer.wants_mlp().then(|| Mlp::new(d, device)),
            mixer,
        }
    }

    /// The same weights under another attention mode.
    pub fn with_mode(mut self, mode: AttentionMode, scale: f32) -> Self {
        self.mixer = self.mixer.with_mode(mode, scale);
        self
    }

    pub fn n_heads(&self) -> usize {
        self.mixer.n_heads()
    }

    /// The same weights with attention head `h` silenced (`None` for a recurrent layer).
    pub fn without_head(mut self, h: usize) -> Option<Self> {
        self.mixer = self.mixer.without_head(h)?;
        Some(self)
    }

    fn finish(&self, x: Tensor<3>) -> Tensor<3> {
        match &self.mlp {
            Some(mlp) => mlp.forward(x),
            None => x,
        }
    }

    /// `[B, T, d]` → (`[B, T, d]`, this layer's trace).
    pub fn forward(&self, x: Tensor<3>) -> (Tensor<3>, MixerTrace) {
        let (mixed, trace) = self.mixer.forward(layer_norm(&self.norm, x.clone()));
        (self.finish(x + mixed), trace)
    }

    /// [`forward`](Self::forward) read only at the positions `rows` (sorted, `< T`):
    /// `[B, T, d]` → `[B, R, d]`; the MLP runs on those rows alone.
    pub fn forward_at(&self, x: Tensor<3>, rows: &Rows) -> Tensor<3> {
        let mixed = self
            .mixer
            .forward_at(layer_norm(&self.norm, x.clone()), rows);
        let device = x.device();
        self.finish(x.select(1, rows.index(&device)) + mixed)
    }

    pub fn empty_cache(&self, batch: usize, d_model: usize, device: &Device) -> LayerCache {
        self.mixer.empty_cache(batch, d_model, device)
    }

    /// One token: `[B, 1, d]` → `[B, 1, d]`, updating this layer's cache.
    pub fn step(&self, x: Tensor<3>, position: usize, cache: &mut LayerCache) -> Tensor<3> {
        let mixed = self
            .mixer
            .step(layer_norm(&self.norm, x.clone()), position, cache);
        self.finish(x + mixed)
    }
}
