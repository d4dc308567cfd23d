//! Burn modules: embeddings, attention, blocks, the transformer, and what they expose for
//! visualisation. Nothing here knows about tasks.

pub mod attention;
pub mod block;
pub mod config;
pub mod positional;
pub mod sequence_model;
pub mod transformer;

pub use config::{ConfigError, TransformerConfig};
pub use sequence_model::{SequenceModel, Trace};
pub use transformer::Transformer;
