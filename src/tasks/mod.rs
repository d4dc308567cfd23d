//! Task generators, vocabularies, solvers and DP traces. Pure Rust: no tensors here.
//!
//! Every task turns `(size, seed)` into the same examples on every platform (native and wasm):
//! randomness comes from [`rng::TaskRng`] (ChaCha8 with integer-only draws), never the OS.

pub mod error;
pub mod example;
pub mod lis;
pub mod rng;
pub mod vocab;

pub use error::TaskError;
pub use example::{Cell, CellTrace, Example, Grade, Segment};
pub use lis::Lis;
pub use rng::TaskRng;
pub use vocab::Vocab;
