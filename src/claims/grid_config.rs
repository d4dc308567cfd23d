//! The training config of one run of any grid (a claim's, the page's own): sinusoidal positions
//! for transformers and none for recurrent models, heads by [`heads_for`], batch 32, learning
//! rate 3e-3, evaluation only at the end.

use crate::models::{ArchSpec, Architecture, PositionalEncoding};
use crate::tasks::{TaskKind, TaskSpec};
use crate::train::TrainConfig;

/// Attention heads for a width on the grids: 4 from width 32, 2 from 8, else 1 (every width of
/// a doubling grid stays divisible).
pub fn heads_for(width: usize) -> usize {
    match width {
        w if w >= 32 => 4,
        w if w >= 8 => 2,
        _ => 1,
    }
}

/// One run of a grid at `size` of `task`: `arch` with `layers` layers of width `width`.
pub fn grid_config(
    task: TaskKind,
    size: usize,
    arch: Architecture,
    width: usize,
    layers: usize,
) -> TrainConfig {
    TrainConfig {
        task: TaskSpec::new(task, size),
        model: ArchSpec {
            architecture: arch,
            positional: if arch.is_recurrent() {
                PositionalEncoding::None
            } else {
                PositionalEncoding::Sinusoidal
            },
            d_model: width,
            n_layers: layers,
            n_heads: heads_for(width),
            ..ArchSpec::default()
        },
        batch_size: 32,
        learning_rate: 3e-3,
        eval_every: 100_000,
        eval_examples: 256,
        seed: 1,
        ..TrainConfig::default()
    }
}
