//! Burn modules: embeddings, attention variants, blocks, recurrent layers, decoding caches,
//! and what they expose for visualisation. Nothing here knows about tasks.

pub mod architecture;
pub mod attention;
pub mod cache;
pub mod check;
pub mod config;
pub mod cost;
pub mod fast_exp;
mod flex_io;
mod fused_gelu;
mod fused_layer_norm;
mod fused_linear;
#[cfg(test)]
mod fused_test_values;
mod gemm_product;
pub mod layer;
pub mod mixer;
pub mod mlp;
pub mod model;
pub mod positional;
pub mod recurrent;
pub mod sequence_model;
mod widest_vectors;

pub use architecture::{Architecture, AttentionMode, PositionalEncoding};
pub use cache::DecodeCache;
pub use config::{ArchSpec, ConfigError, IndexTokens, ModelConfig, PairedHalves, RangeError};
pub use cost::TokenCost;
pub use model::Model;
pub use sequence_model::{Rows, SequenceModel, SequenceTooLong, Trace};
