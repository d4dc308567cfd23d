//! Task generators, vocabularies, solvers and DP traces. Pure Rust: no tensors here.
//!
//! Every task turns `(size, params, seed)` into the same examples on every platform (native
//! and wasm): randomness comes from [`rng::TaskRng`] (ChaCha8 with integer-only draws), never
//! the OS. All tasks implement [`Task`]; [`TaskSpec`] builds one from a serialisable request.
//!
//! Each task file describes itself (`INFO`: name, sizes, parameters, paper, claim);
//! [`registry`] lists them. Task files import only the leaves (`info`, `kind`, `task`, …),
//! never the registry.
//!
//! One task is not generated: [`custom`] ("your own data") serves the lines of a user's file
//! (format: [`custom_format`]); its spec carries the data ([`TaskSpec::data`]).

pub mod arithmetic;
pub mod bit_string;
pub mod custom;
pub mod custom_format;
pub mod disjointness;
pub mod dyck;
pub mod ed;
pub mod equality;
pub mod error;
pub mod example;
pub mod index_lookup;
pub mod info;
pub mod kind;
pub mod lis;
pub mod locality;
pub mod majority;
pub mod nearest_neighbor;
pub mod pair_bits;
pub mod params;
pub mod parity;
pub mod registry;
pub mod rng;
pub mod spec;
pub mod task;
pub mod vocab;

pub use arithmetic::Arithmetic;
pub use custom::{Custom, CustomData};
pub use custom_format::DataError;
pub use disjointness::Disjointness;
pub use dyck::Dyck;
pub use ed::Ed;
pub use equality::Equality;
pub use error::TaskError;
pub use example::{Cell, CellTrace, Example, Grade, Segment};
pub use index_lookup::IndexLookup;
pub use info::{Paper, ParamInfo, TaskInfo};
pub use kind::TaskKind;
pub use lis::Lis;
pub use locality::Locality;
pub use majority::Majority;
pub use nearest_neighbor::NearestNeighbor;
pub use params::TaskParams;
pub use parity::Parity;
pub use rng::TaskRng;
pub use spec::TaskSpec;
pub use task::{Task, TaskBase};
pub use vocab::Vocab;
