//! `Model`: every architecture of the zoo as one body (nanoGPT's `GPT` over its blocks): token
//! embedding + positions, a stack of [`Layer`]s that differ only in their mixer, a final
//! LayerNorm and a linear read-out.

use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;

use super::cache::DecodeCache;
use super::fused_layer_norm::layer_norm;
use super::fused_linear::linear;
use super::layer::Layer;
use super::mixer::MixerTrace;
use super::positional::Positions;
use super::sequence_model::position_index;
use super::{
    AttentionMode, ConfigError, IndexTokens, ModelConfig, PairedHalves, Rows, SequenceModel,
    SequenceTooLong, Trace,
};

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
    /// Token ids that name positions and get their position code added
    /// ([`super::ArchSpec::index_shares_position`]).
    #[module(skip)]
    index_tokens: Option<IndexTokens>,
    /// The task's two halves, whose pairs get a shared position code
    /// ([`super::ArchSpec::pairs_share_position`]).
    #[module(skip)]
    paired: Option<PairedHalves>,
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
            index_tokens: config.index_tokens,
            paired: config.paired,
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

    /// The length of each half the pairs are laid out for (`None`: pairs share no code).
    pub fn paired_halves(&self) -> Option<usize> {
        self.paired.map(|h| h.n)
    }

    /// The same weights with the pairs laid out for halves of `n` tokens (a curriculum's
    /// smaller sizes); no effect on a model whose pairs do not share a position code.
    pub fn with_pairs_of(mut self, n: usize) -> Self {
        if let Some(halves) = &mut self.paired {
            halves.n = n;
        }
        self
    }

    /// The same weights with head `head` of layer `layer` silenced (zero ablation: its share
    /// of the layer's output is zero); `None` when there is no such attention head.
    pub fn without_head(mut self, layer: usize, head: usize) -> Option<Self> {
        if layer >= self.layers.len() {
            return None;
        }
        let chosen = self.layers.remove(layer);
        if head >= chosen.n_heads() {
            return None;
        }
        self.layers.insert(layer, chosen.without_head(head)?);
        Some(self)
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

    /// Token embeddings `[B, T, d]` of tokens at positions `start..start + T`; an index token
    /// `first + i` also gets the position code of position `i` when index tokens share it, and
    /// the two tokens of pair `i` get the code of `i` when pairs share it.
    fn embed(&self, tokens: Tensor<2, Int>, start: usize) -> Tensor<3> {
        let x = self.embedding.forward(tokens.clone());
        let x = match self.paired {
            Some(halves) => x + self.pair_codes(halves, tokens.dims(), start, &tokens.device()),
            None => x,
        };
        let Some(IndexTokens { first, count }) = self.index_tokens else {
            return x;
        };
        let offset = tokens.sub_scalar(i64::from(first));
        let is_index = offset
            .clone()
            .greater_equal_elem(0)
            .bool_and(offset.clone().lower_elem(count as i64));
        let codes = self.positions.codes(offset, count);
        x + codes * is_index.float().unsqueeze_dim::<3>(2)
    }

    /// `[B, T, d]`: the code of pair `i` at both positions of pair `i`, zero elsewhere. Built
    /// for one sequence (`T` positions) and expanded over the batch.
    fn pair_codes(
        &self,
        halves: PairedHalves,
        [b, t]: [usize; 2],
        start: usize,
        device: &Device,
    ) -> Tensor<3> {
        let pairs = halves.pair_of(start + t);
        let within = &pairs[start..];
        let index: Vec<i64> = within.iter().map(|p| p.map_or(0, |i| i as i64)).collect();
        let mask: Vec<f32> = within
            .iter()
            .map(|p| f32::from(u8::from(p.is_some())))
            .collect();
        let index = Tensor::<1, Int>::from_ints(index.as_slice(), device).reshape([1, t]);
        let mask = Tensor::<1>::from_floats(mask.as_slice(), device).reshape([1, t, 1]);
        (self.positions.codes(index, halves.n) * mask).expand([b, t, self.d_model])
    }

    /// The final LayerNorm and read-out of a residual stream `[B, T, d]` → logits `[B, T, V]`:
    /// the end of every pass, and the logit lens on an earlier layer's residual.
    pub fn read_out(&self, x: Tensor<3>) -> Tensor<3> {
        linear(&self.head, layer_norm(&self.norm, x))
    }

    /// The residual stream of `tokens`: the embedded input (the input of layer 0), then the
    /// stream after each layer — `L + 1` tensors `[B, T, d]`, the last one what the read-out
    /// reads.
    pub fn residual_stream(
        &self,
        tokens: Tensor<2, Int>,
    ) -> Result<Vec<Tensor<3>>, SequenceTooLong> {
        self.check_len(tokens.dims()[1])?;
        let mut x = self.positions.add(self.embed(tokens, 0), 0);
        let mut stream = Vec::with_capacity(self.layers.len() + 1);
        for layer in &self.layers {
            stream.push(x.clone());
            x = layer.forward(x).0;
        }
        stream.push(x);
        Ok(stream)
    }

    /// Logits from the residual stream `x` `[B, T, d]` taken as the input of layer `from`
    /// (`from` = the number of layers: `x` is the final stream): the rest of the pass, for
    /// interventions on an intermediate activation.
    pub fn forward_from(&self, from: usize, x: Tensor<3>) -> Tensor<3> {
        let x = self
            .layers
            .iter()
            .skip(from)
            .fold(x, |x, layer| layer.forward(x).0);
        self.read_out(x)
    }

    /// Number of layers.
    pub fn depth(&self) -> usize {
        self.layers.len()
    }
}

impl SequenceModel for Model {
    fn forward(&self, tokens: Tensor<2, Int>) -> Result<Tensor<3>, SequenceTooLong> {
        self.check_len(tokens.dims()[1])?;
        let mut x = self.positions.add(self.embed(tokens, 0), 0);
        for layer in &self.layers {
            x = layer.forward(x).0;
        }
        Ok(self.read_out(x))
    }

    fn forward_at(
        &self,
        tokens: Tensor<2, Int>,
        rows: &Rows,
    ) -> Result<Tensor<3>, SequenceTooLong> {
        let t = tokens.dims()[1];
        debug_assert_eq!(rows.sequence_len(), t, "rows built for another length");
        match self.layers.split_last() {
            Some((last, earlier)) if !rows.is_all() && rows.sequence_len() == t => {
                self.check_len(t)?;
                let mut x = self.positions.add(self.embed(tokens, 0), 0);
                for layer in earlier {
                    x = layer.forward(x).0;
                }
                Ok(self.read_out(last.forward_at(x, rows)))
            }
            // Nothing to skip (or, from a caller's slip, rows of another length: answered
            // from the whole pass, a row past the end reading the last position).
            _ => {
                let device = tokens.device();
                let within: Vec<usize> = rows
                    .as_slice()
                    .iter()
                    .map(|&r| r.min(t.saturating_sub(1)))
                    .collect();
                Ok(self
                    .forward(tokens)?
                    .select(1, position_index(&within, &device)))
            }
        }
    }

    fn forward_with_trace(
        &self,
        tokens: Tensor<2, Int>,
    ) -> Result<(Tensor<3>, Trace), SequenceTooLong> {
        self.check_len(tokens.dims()[1])?;
        let mut x = self.positions.add(self.embed(tokens, 0), 0);
        let mut trace = Trace::default();
        for layer in &self.layers {
            let (y, layer_trace) = layer.forward(x);
            x = y;
            trace.residuals.push(x.clone());
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
        let x = self.embed(tokens.reshape([b, 1]), position);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::PositionalEncoding;
    use crate::models::positional::sinusoidal_table;

    fn embedded(positional: PositionalEncoding) -> (Model, Vec<f32>, Vec<f32>) {
        let mut config = ModelConfig::transformer(12, 6, 8, 1, 2);
        config.arch.positional = positional;
        config.arch.index_shares_position = true;
        config.index_tokens = Some(IndexTokens { first: 5, count: 4 });
        let device = Device::flex();
        let model = Model::new(&config, &device).unwrap();
        let tokens = Tensor::<1, Int>::from_ints([1, 5, 7, 8, 9], &device).reshape([1, 5]);
        let with = model.embed(tokens.clone(), 0).into_data().iter().collect();
        let plain = model.embedding.forward(tokens).into_data().iter().collect();
        (model, with, plain)
    }

    #[test]
    fn an_index_token_adds_the_code_of_its_position() {
        let (_, with, plain) = embedded(PositionalEncoding::Sinusoidal);
        let code = sinusoidal_table(4, 8);
        let diff: Vec<f32> = with.iter().zip(&plain).map(|(a, b)| a - b).collect();
        // Token 1 is not an index token; 5, 7, 8 are @0, @2, @3; 9 is past the range.
        assert!(diff[..8].iter().all(|d| *d == 0.0));
        for (slot, position) in [(1, 0), (2, 2), (3, 3)] {
            for k in 0..8 {
                let got = diff[slot * 8 + k];
                assert!((got - code[position * 8 + k]).abs() < 1e-5, "{slot} {k}");
            }
        }
        assert!(diff[32..].iter().all(|d| *d == 0.0));
    }

    #[test]
    fn the_two_tokens_of_a_pair_share_its_code_and_decoding_step_by_step_agrees() {
        // x₀ x₁ x₂ | y₀ y₁ y₂ <q> answer: n = 3; a model built for n = 5 and laid out for
        // n = 3 (a curriculum's smaller size) embeds it the same way.
        for (architecture, built_for) in [
            (crate::models::Architecture::Standard, 3),
            (crate::models::Architecture::Lstm, 3),
            (crate::models::Architecture::Standard, 5),
        ] {
            let mut config =
                ModelConfig::transformer(6, 12, 8, 2, 2).with_architecture(architecture);
            config.arch.pairs_share_position = true;
            config.paired = Some(PairedHalves { n: built_for });
            let device = Device::flex();
            let model = Model::new(&config, &device).unwrap().with_pairs_of(3);
            let ids = [1, 0, 1, 2, 1, 1, 0, 3];
            let tokens = Tensor::<1, Int>::from_ints(ids, &device).reshape([1, 8]);
            let with: Vec<f32> = model.embed(tokens.clone(), 0).into_data().iter().collect();
            let plain: Vec<f32> = model
                .embedding
                .forward(tokens.clone())
                .into_data()
                .iter()
                .collect();
            let code = sinusoidal_table(3, 8);
            for (slot, pair) in [
                (0, Some(0)),
                (1, Some(1)),
                (2, Some(2)),
                (3, None),
                (4, Some(0)),
                (5, Some(1)),
                (6, Some(2)),
                (7, None),
            ] {
                for k in 0..8 {
                    let added = with[slot * 8 + k] - plain[slot * 8 + k];
                    let expected = pair.map_or(0.0, |i| code[i * 8 + k]);
                    assert!(
                        (added - expected).abs() < 1e-5,
                        "{architecture:?} slot {slot} k {k}"
                    );
                }
            }
            // The decoder's steps embed each token at its own position: the same logits.
            let full: Vec<f32> = model.forward(tokens).unwrap().into_data().iter().collect();
            let mut cache = model.init_cache(1, &device);
            for (t, &id) in ids.iter().enumerate() {
                let step: Vec<f32> = model
                    .step(Tensor::<1, Int>::from_ints([id], &device), &mut cache)
                    .unwrap()
                    .into_data()
                    .iter()
                    .collect();
                for (k, v) in step.iter().enumerate() {
                    assert!(
                        (v - full[t * 6 + k]).abs() < 1e-4,
                        "{architecture:?} position {t}"
                    );
                }
            }
        }
    }

    #[test]
    fn pairs_sharing_the_code_need_a_task_over_two_halves() {
        let mut config = ModelConfig::transformer(6, 8, 8, 1, 2);
        config.arch.pairs_share_position = true;
        assert_eq!(config.validate(), Err(ConfigError::NoPairs));
        config.paired = Some(PairedHalves { n: 4 });
        // x | y needs 9 positions; the context has 8.
        assert_eq!(config.validate(), Err(ConfigError::NoPairs));
        config.paired = Some(PairedHalves { n: 3 });
        assert!(config.validate().is_ok());
    }

    #[test]
    fn with_learned_positions_the_code_is_the_table_row() {
        let (model, with, plain) = embedded(PositionalEncoding::Learned);
        let device = Device::flex();
        let rows: Vec<f32> = model
            .positions
            .codes(Tensor::<1, Int>::from_ints([2], &device).reshape([1, 1]), 4)
            .into_data()
            .iter()
            .collect();
        for k in 0..8 {
            assert!((with[16 + k] - plain[16 + k] - rows[k]).abs() < 1e-5);
        }
        // The code is the model's own table: not the sinusoidal one.
        assert_ne!(rows, sinusoidal_table(4, 8)[16..24].to_vec());
    }
}
