//! Constructions: the positive side of a theorem as hand-set weights in the lab's own
//! [`Model`], written as an ordinary checkpoint whose metadata names the construction and its
//! parameters (no training history). Everything that reads a trained checkpoint — `lab eval`,
//! the attention map, the page — reads these too, and the same evaluator judges them.
//!
//! One file per construction; each exports a [`Construction`] listed in [`ALL`].

mod codes;
pub mod disjointness;
pub mod dyck;
pub mod equality;
pub mod index_lookup;
pub mod majority;
pub mod nearest_neighbor;
pub mod pair_bits;
mod weights;

use std::collections::BTreeMap;

use crate::models::{Model, ModelConfig};
use crate::tasks::TaskKind;
use crate::train::checkpoint::{self, CheckpointError, CheckpointMeta, Provenance};
use crate::train::{TrainConfig, TrainError};

pub use weights::Weights;

/// Why a construction cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConstructError {
    #[error("unknown construction `{name}` (known: {known})")]
    Unknown { name: String, known: String },
    #[error("the {name} construction is built for sizes {min}..={max}, got {size}")]
    Size {
        name: &'static str,
        size: usize,
        min: usize,
        max: usize,
    },
    #[error(transparent)]
    Config(#[from] TrainError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// A bug in a construction: it set a tensor the model does not have, or outside its shape.
    #[error("construction bug: {0}")]
    Bug(String),
}

/// What a construction shows and for which task and sizes it is built.
#[derive(Debug)]
pub struct Construction {
    /// `lab construct NAME`.
    pub name: &'static str,
    pub task: TaskKind,
    /// The theorem it realises, with its paper, in one sentence.
    pub claim: &'static str,
    /// The model it sets, in a few words.
    pub model: &'static str,
    pub min_size: usize,
    pub max_size: usize,
    pub default_size: usize,
    /// The sizes one built instance is valid for (measured: `lab eval FILE --sizes …`).
    pub valid_sizes: ValidSizes,
    /// Config and weights for one size.
    build: fn(usize) -> Result<Built, ConstructError>,
}

/// The task sizes the weights built for size N are valid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidSizes {
    /// Any size up to N (the weights do not depend on the length; the context built for N
    /// bounds it): MAJORITY's uniform head, index lookup's position codes, nearest neighbour,
    /// the Dyck LSTM.
    UpToBuilt,
    /// N only: the weights encode the length (equality and disjointness pair xᵢ with yᵢ at
    /// offset N + 1; at other lengths they answer at chance).
    BuiltOnly,
}

/// Refuse to evaluate a constructed checkpoint (its `meta`) at a task `size` its construction
/// is not valid for; `Ok` for trained checkpoints and valid sizes.
pub fn check_size(meta: &CheckpointMeta, size: usize) -> Result<(), String> {
    let Some(provenance) = &meta.constructed_by else {
        return Ok(());
    };
    let Ok(construction) = find(&provenance.construction) else {
        return Ok(());
    };
    let built = meta.train.task.size;
    let valid = match construction.valid_sizes {
        ValidSizes::UpToBuilt => size <= built,
        ValidSizes::BuiltOnly => size == built,
    };
    if valid {
        return Ok(());
    }
    let range = match construction.valid_sizes {
        ValidSizes::UpToBuilt => format!("sizes up to {built}"),
        ValidSizes::BuiltOnly => format!("size {built} only (its weights encode the length)"),
    };
    Err(format!(
        "this {} construction was built for size {built} and is valid for {range}, not {size}: \
         build one with `lab construct {} --size {size}`",
        construction.name, construction.name
    ))
}

/// Refuse a prompt of `prompt_len` tokens for a constructed checkpoint valid at its built size
/// only when size-N prompts of its task (`task`, built at N) have another length.
pub fn check_prompt(
    meta: &CheckpointMeta,
    task: &dyn crate::tasks::Task,
    prompt_len: usize,
) -> Result<(), String> {
    let Some(construction) = meta
        .constructed_by
        .as_ref()
        .and_then(|p| find(&p.construction).ok())
    else {
        return Ok(());
    };
    if construction.valid_sizes != ValidSizes::BuiltOnly {
        return Ok(());
    }
    let expected = task
        .generate(&mut crate::tasks::TaskRng::new(0, 0))
        .prompt_len;
    if prompt_len == expected {
        return Ok(());
    }
    let built = meta.train.task.size;
    Err(format!(
        "this {} construction was built for size {built} (prompts of {expected} tokens) and is \
         valid there only (its weights encode the length); this prompt has {prompt_len} tokens: \
         build one for its size with `lab construct {} --size N`",
        construction.name, construction.name
    ))
}

/// A construction's output before it is written: the config it is an instance of, the
/// weights, and the parameters worth recording (size, width, code bits, …).
#[derive(Debug)]
pub struct Built {
    pub train: TrainConfig,
    pub weights: Weights,
    pub params: BTreeMap<String, String>,
}

/// A construction written as a checkpoint.
#[derive(Debug)]
pub struct Constructed {
    /// The safetensors file (load with [`checkpoint::load`]).
    pub bytes: Vec<u8>,
    pub meta: CheckpointMeta,
}

/// Every construction, in the order of the claims.
pub const ALL: &[Construction] = &[
    majority::CONSTRUCTION,
    index_lookup::CONSTRUCTION,
    dyck::CONSTRUCTION,
    equality::CONSTRUCTION,
    disjointness::CONSTRUCTION,
    nearest_neighbor::CONSTRUCTION,
];

/// The construction called `name`.
pub fn find(name: &str) -> Result<&'static Construction, ConstructError> {
    ALL.iter()
        .find(|c| c.name == name)
        .ok_or_else(|| ConstructError::Unknown {
            name: name.to_string(),
            known: ALL.iter().map(|c| c.name).collect::<Vec<_>>().join(", "),
        })
}

impl Construction {
    /// Set the weights for `size` and write them as a checkpoint recording this construction
    /// and its parameters (`steps_done` 0, empty history).
    pub fn build(&self, size: usize) -> Result<Constructed, ConstructError> {
        if !(self.min_size..=self.max_size).contains(&size) {
            return Err(ConstructError::Size {
                name: self.name,
                size,
                min: self.min_size,
                max: self.max_size,
            });
        }
        let built = (self.build)(size)?;
        let mut meta = checkpoint::meta_for(&built.train)?;
        meta.note = format!("lab construct {} --size {size}", self.name);
        meta.constructed_by = Some(Provenance {
            construction: self.name.to_string(),
            params: built.params,
        });
        let bytes = checkpoint::save_tensors(built.weights.tensors(), &meta)?;
        let meta = checkpoint::read_meta(&bytes)?;
        Ok(Constructed { bytes, meta })
    }
}

/// The training config a construction is an instance of: its task at `size` and `model`, no
/// training (the budget fields keep their defaults; one step is the least that validates).
fn instance_of(task: crate::tasks::TaskSpec, model: crate::models::ArchSpec) -> TrainConfig {
    TrainConfig {
        task,
        model,
        context: None,
        steps: 1,
        ..TrainConfig::default()
    }
}

/// All-zero weights for the model `train` describes, LayerNorm gains set to one.
fn zero_weights(train: &TrainConfig) -> Result<(ModelConfig, Weights), ConstructError> {
    let config = train.model()?;
    let model = Model::new(&config, &burn::prelude::Device::flex()).map_err(TrainError::from)?;
    Ok((
        config,
        Weights::zeros(&checkpoint::expected_tensors(&model)),
    ))
}

/// The id of `text` in a construction's vocabulary (a missing token is a bug of the builder).
pub(crate) fn token(vocab: &crate::tasks::Vocab, text: &str) -> Result<usize, ConstructError> {
    vocab
        .id(text)
        .map(|i| i as usize)
        .map_err(|e| ConstructError::Bug(e.to_string()))
}
