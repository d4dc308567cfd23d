//! Attention variants. Each returns its output and the weights it actually used.

pub mod softmax;

pub use softmax::CausalSelfAttention;
