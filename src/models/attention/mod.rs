//! Attention variants. Each returns its output and the weights it actually used.

mod fused_softmax;
pub mod linear;
pub mod mask;
pub mod mode;
pub mod projections;
pub mod relative;
pub mod softmax;

pub use linear::LinearAttention;
pub use mask::Pattern;
pub use softmax::CausalSelfAttention;
