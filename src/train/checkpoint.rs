//! Checkpoints: one self-contained safetensors file. The weights are the tensors (f32, named by
//! their module path, the names burn-store uses), and the header's metadata holds the JSON of
//! [`CheckpointMeta`]: the run's config (task, architecture, sizes, seed), the vocabulary, the
//! training history and a checksum of the metadata and the weights (integrity against damage
//! and careless edits, not a signature).
//!
//! Format versions (the `format` field of the metadata):
//! - v1 (until the one-body model) named tensors after the two model bodies
//!   (`Transformer.blocks.N.…`, `Recurrent.layers.N.core.…`) and checksummed the weights only.
//! - v2 names them after the one body (`layers.N.mixer.…`, `layers.N.mlp.…`) and checksums the
//!   metadata too.
//! - v3 (this version) may also hold what resuming a run needs: the metadata's `resume`
//!   ([`ResumeState`]: training-stream position and parameter ids) and the optimizer's state as
//!   one U8 tensor, [`OPTIMIZER_TENSOR`] (burn's optimizer record in its burnpack format). A v3
//!   file without them is an inference-only checkpoint (hand-set weights, or a model saved
//!   between two evaluations). The checksum covers every tensor, the optimizer's included.
//!
//! A v1 file is checked as v1, then migrated ([`migrate_v1`]) and loaded; a v2 file loads as it
//! is (its layout is v3's without the resume part). Files of v1 and v2 hold no optimizer state,
//! so they load for inference but cannot be resumed: resuming with a fresh optimizer would
//! silently give another run than the one that stopped (Adam's moments restart from zero), so
//! [`resume_parts`] refuses them with [`CheckpointError::NotResumable`]. The same bytes load
//! natively and in the browser; the JSON is also written next to the file by `lab train --save`
//! for people to read.
//!
//! Saving reads every parameter with an async read (a synchronous read panics on WebGPU, and
//! burn-store's own writer reads synchronously), then writes the file with the `safetensors`
//! crate. Loading validates everything before any weight is replaced — the container, the JSON,
//! the config, the vocabulary, every tensor's name, dtype, shape and finiteness, and the
//! checksum — then applies the tensors through burn-store.

use std::collections::{BTreeMap, HashMap};

use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;
use burn::store::{ModuleSnapshot, SafetensorsStore};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use super::resume::ResumeState;
use super::{Metrics, TrainConfig, TrainError};
use crate::models::{Model, ModelConfig};

/// The format tag this version writes.
pub const FORMAT: &str = "expressivity-lab/checkpoint-v3";
/// The previous format, still read as it is (v3 without the resume part).
pub const FORMAT_V2: &str = "expressivity-lab/checkpoint-v2";
/// The first format, still read (migrated on load).
pub const FORMAT_V1: &str = "expressivity-lab/checkpoint-v1";
/// The tensor holding the optimizer's state in a resumable checkpoint (U8, one dimension).
pub const OPTIMIZER_TENSOR: &str = "__resume__.optimizer";
/// The metadata key under which the JSON of [`CheckpointMeta`] is stored.
pub const META_KEY: &str = "expressivity_lab";
/// Files larger than this are refused before parsing (the page reads files into memory).
pub const MAX_BYTES: usize = 256 << 20;

/// Everything about a checkpoint except its weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta {
    pub format: String,
    /// The run that produced the weights (task, architecture, sizes, seed, budget).
    pub train: TrainConfig,
    /// The model the weights belong to (derived from `train`, stored for readers of the file).
    pub model: ModelConfig,
    /// Token texts by id; must equal the task's vocabulary when loaded.
    pub vocabulary: Vec<String>,
    pub steps_done: usize,
    pub history: Vec<Metrics>,
    /// FNV-1a 64, as 16 hex digits, over this metadata's JSON (with this field empty) and the
    /// tensors' names and bytes in name order. (v1: over the tensors only.)
    #[serde(alias = "weights_fnv1a64")]
    pub fnv1a64: String,
    /// Program and version that wrote the file.
    pub written_by: String,
    /// Free text: how the checkpoint was made (e.g. the `lab` command).
    #[serde(default)]
    pub note: String,
    /// Set when the weights were set by hand rather than trained (then `history` is empty):
    /// which construction, with which parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constructed_by: Option<Provenance>,
    /// Set in resumable checkpoints (v3, saved at an evaluation point of a training run):
    /// where the run's data stream stands and the ids its optimizer state is keyed by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<ResumeState>,
}

/// Where hand-set weights come from: a named construction and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The construction's name (`lab construct NAME`).
    pub construction: String,
    /// Its parameters as `name → value` (e.g. the size it was built for).
    pub params: BTreeMap<String, String>,
}

/// What a file that is not a safetensors file looks like, from its first bytes: the error then
/// says what the user picked rather than how its first bytes fail to parse.
pub fn looks_like(bytes: &[u8]) -> Option<&'static str> {
    let start = &bytes[..bytes.len().min(512)];
    if start.starts_with(b"PK\x03\x04") || start.starts_with(b"PK\x05\x06") {
        return Some(
            "a zip archive (the runs table's “Export all” writes one: the .safetensors files inside it load here)",
        );
    }
    if start.starts_with(&[0x1f, 0x8b]) {
        return Some("a gzip-compressed file (decompress it first)");
    }
    if start.starts_with(b"\x89PNG")
        || start.starts_with(b"\xff\xd8\xff")
        || start.starts_with(b"%PDF")
    {
        return Some("an image or a document, not a model");
    }
    let text = match std::str::from_utf8(start) {
        Ok(text) => text,
        // Cut inside a character at the 512th byte: the valid part.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&start[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('{') || text.starts_with('[') {
        return Some(
            "a JSON file (“Export config” writes a model's metadata as JSON; its weights are in the .safetensors file)",
        );
    }
    // A few bytes say nothing (a checkpoint cut after its first byte can be a letter).
    if text.len() < 8 {
        return None;
    }
    let printable = text
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .count();
    (!text.is_empty() && printable == text.chars().count()).then_some("a text file")
}

/// Why a checkpoint cannot be written or loaded. Every variant names what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {0} bytes; checkpoints larger than {MAX_BYTES} bytes are refused")]
    TooLarge(usize),
    #[error("not a safetensors file (or truncated/corrupted): {0}")]
    Container(String),
    #[error("not a checkpoint: it looks like {0}")]
    NotACheckpoint(&'static str),
    #[error(
        "this safetensors file has no Expressivity Lab metadata (key `{META_KEY}`); was it written by another program?"
    )]
    NoMetadata,
    #[error("the checkpoint's metadata is not valid: {0}")]
    Metadata(String),
    #[error(
        "unsupported checkpoint format `{found}` (this version reads `{FORMAT}`, `{FORMAT_V2}` and `{FORMAT_V1}`)"
    )]
    Format { found: String },
    #[error(
        "this checkpoint ({format}) was saved without optimizer state: it can be loaded and inspected but not resumed (save a run at an evaluation point with this version to resume it)"
    )]
    NotResumable { format: String },
    #[error(
        "tensor `{OPTIMIZER_TENSOR}` must be one dimension of U8 and come with the metadata's `resume`"
    )]
    OptimizerTensor,
    #[error("the checkpoint's config is invalid: {0}")]
    Config(#[from] TrainError),
    #[error("the stored model config does not match the one its training config implies")]
    ModelMismatch,
    #[error(
        "the vocabulary differs from the task's ({stored} stored tokens vs {expected}; first difference at id {at})"
    )]
    Vocabulary {
        stored: usize,
        expected: usize,
        at: usize,
    },
    #[error(
        "the config declares {declared} bytes of weights but the file holds only {stored}: its metadata does not describe these weights"
    )]
    DeclaredSize { declared: u64, stored: u64 },
    #[error("tensor `{0}` is missing")]
    MissingTensor(String),
    #[error("unexpected tensor `{0}` (not a parameter of this model)")]
    UnexpectedTensor(String),
    #[error("tensor `{name}` has shape {found:?}, the model needs {expected:?}")]
    Shape {
        name: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    #[error("tensor `{name}` has dtype {found}, expected F32")]
    Dtype { name: String, found: String },
    #[error("tensor `{0}` contains NaN or infinite values")]
    NonFinite(String),
    #[error(
        "the checksum does not match (stored {stored}, computed {computed}): the file is corrupted or its metadata was edited"
    )]
    Checksum { stored: String, computed: String },
    #[error("applying the weights failed: {0}")]
    Apply(String),
    #[error("reading the weights from the device failed: {0}")]
    Device(String),
}

/// A loaded checkpoint: its metadata and the model with its weights, ready for inference.
#[derive(Debug)]
pub struct Checkpoint {
    pub meta: CheckpointMeta,
    pub model: Model,
}

/// Every float parameter of a module, by its path (`a.b.weight`, the names burn-store uses).
#[derive(Default)]
struct ParamCollector {
    path: Vec<String>,
    found: Vec<(String, Vec<usize>, Tensor<1>)>,
}

impl ModuleVisitor for ParamCollector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.transform_for_save().val();
        let shape = tensor.dims().to_vec();
        let numel = shape.iter().product::<usize>();
        self.found
            .push((self.path.join("."), shape, tensor.reshape([numel])));
    }
}

fn collect(model: &Model) -> Vec<(String, Vec<usize>, Tensor<1>)> {
    let mut collector = ParamCollector::default();
    model.visit(&mut collector);
    collector.found
}

/// The parameter names and shapes of a model built from `config` (nothing is read back).
pub fn expected_tensors(model: &Model) -> BTreeMap<String, Vec<usize>> {
    collect(model)
        .into_iter()
        .map(|(name, shape, _)| (name, shape))
        .collect()
}

/// The v2 checksum: the metadata's canonical JSON (checksum field empty), then the tensors.
fn checksum<'a>(
    meta: &CheckpointMeta,
    tensors: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<String, CheckpointError> {
    let unsigned = CheckpointMeta {
        fnv1a64: String::new(),
        ..meta.clone()
    };
    let json =
        serde_json::to_string(&unsigned).map_err(|e| CheckpointError::Metadata(e.to_string()))?;
    let mut hash = Fnv1a64::new();
    hash.item(META_KEY, json.as_bytes());
    for (name, data) in tensors {
        hash.item(name, data);
    }
    Ok(hash.hex())
}

/// FNV-1a 64 over named byte strings (name, a zero byte, the data).
struct Fnv1a64(u64);

impl Fnv1a64 {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn item(&mut self, name: &str, data: &[u8]) {
        self.feed(name.as_bytes());
        self.feed(&[0]);
        self.feed(data);
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// The v1 checksum: the tensors only.
fn weights_checksum<'a>(tensors: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut hash = Fnv1a64::new();
    for (name, data) in tensors {
        hash.item(name, data);
    }
    hash.hex()
}

/// The metadata for a model trained with `train` (history and steps filled in by the caller).
pub fn meta_for(train: &TrainConfig) -> Result<CheckpointMeta, TrainError> {
    let task = train.task()?;
    Ok(CheckpointMeta {
        format: FORMAT.to_string(),
        model: train.model()?,
        train: train.clone(),
        vocabulary: task.vocab().tokens().to_vec(),
        steps_done: 0,
        history: Vec::new(),
        fnv1a64: String::new(),
        written_by: format!("expressivity-lab {}", env!("CARGO_PKG_VERSION")),
        note: String::new(),
        constructed_by: None,
        resume: None,
    })
}

/// Write `model` and `meta` as one safetensors file. Works on every device (async reads).
pub async fn save(model: &Model, meta: &CheckpointMeta) -> Result<Vec<u8>, CheckpointError> {
    save_resumable(model, meta, None).await
}

/// About how many bytes a run's stored checkpoint takes once it has recorded `evaluations`
/// evaluations: a resumable snapshot (format v3) holds the weights and AdamW's two moments, 4
/// bytes each per parameter, plus metadata (config, resume state, history). What the page
/// says a run will keep in the browser; a test holds it to real snapshots.
pub fn stored_bytes_estimate(params: usize, evaluations: usize) -> u64 {
    12 * params as u64 + 24 * 1024 + 160 * evaluations as u64
}

/// [`save`], with the optimizer's state of a run saved at an evaluation point (then
/// `meta.resume` must be set too: [`resume_parts`] reads both back).
pub async fn save_resumable(
    model: &Model,
    meta: &CheckpointMeta,
    optimizer: Option<&[u8]>,
) -> Result<Vec<u8>, CheckpointError> {
    if optimizer.is_some() != meta.resume.is_some() {
        return Err(CheckpointError::OptimizerTensor);
    }
    let mut weights = BTreeMap::new();
    for (name, shape, tensor) in collect(model) {
        let data = tensor
            .into_data_async()
            .await
            .map_err(|e| CheckpointError::Device(format!("{e:?}")))?;
        weights.insert(name, (shape, data.iter::<f32>().collect()));
    }
    let weights = f32_bytes(&weights)?;
    write(&weights, optimizer, meta.clone())
}

/// Write tensors given on the host (name → shape, row-major values) with `meta` as one
/// checkpoint file, e.g. hand-set weights. The names must be those of the model `meta`
/// describes (see [`expected_tensors`]); loading checks them.
pub fn save_tensors(
    tensors: &BTreeMap<String, (Vec<usize>, Vec<f32>)>,
    meta: &CheckpointMeta,
) -> Result<Vec<u8>, CheckpointError> {
    let meta = CheckpointMeta {
        resume: None,
        ..meta.clone()
    };
    write(&f32_bytes(tensors)?, None, meta)
}

/// Host tensors as little-endian bytes; refuses NaN, infinities and shapes that do not match.
type F32Bytes = BTreeMap<String, (Vec<usize>, Vec<u8>)>;

fn f32_bytes(
    tensors: &BTreeMap<String, (Vec<usize>, Vec<f32>)>,
) -> Result<F32Bytes, CheckpointError> {
    let mut weights = BTreeMap::new();
    for (name, (shape, values)) in tensors {
        if values.iter().any(|v| !v.is_finite()) {
            return Err(CheckpointError::NonFinite(name.clone()));
        }
        if shape.iter().product::<usize>() != values.len() {
            return Err(CheckpointError::Shape {
                name: name.clone(),
                expected: shape.clone(),
                found: vec![values.len()],
            });
        }
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        weights.insert(name.clone(), (shape.clone(), bytes));
    }
    Ok(weights)
}

/// Serialise F32 tensors, the optimizer's state (if any) and metadata as one safetensors file
/// of the current format (the metadata's format tag and checksum are set here).
fn write(
    weights: &F32Bytes,
    optimizer: Option<&[u8]>,
    mut meta: CheckpointMeta,
) -> Result<Vec<u8>, CheckpointError> {
    meta.format = FORMAT.to_string();
    // Every tensor in name order, as the checksum and safetensors want them.
    let mut all: BTreeMap<&str, (Dtype, Vec<usize>, &[u8])> = weights
        .iter()
        .map(|(n, (shape, b))| (n.as_str(), (Dtype::F32, shape.clone(), b.as_slice())))
        .collect();
    if let Some(bytes) = optimizer {
        all.insert(OPTIMIZER_TENSOR, (Dtype::U8, vec![bytes.len()], bytes));
    }
    meta.fnv1a64 = checksum(&meta, all.iter().map(|(n, (_, _, b))| (*n, *b)))?;
    let json =
        serde_json::to_string(&meta).map_err(|e| CheckpointError::Metadata(e.to_string()))?;
    let views = all
        .into_iter()
        .map(|(name, (dtype, shape, bytes))| {
            TensorView::new(dtype, shape, bytes)
                .map(|view| (name.to_string(), view))
                .map_err(|e| CheckpointError::Container(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    safetensors::tensor::serialize(views, Some(HashMap::from([(META_KEY.to_string(), json)])))
        .map_err(|e| CheckpointError::Container(e.to_string()))
}

fn parse(bytes: &[u8]) -> Result<SafeTensors<'_>, CheckpointError> {
    if bytes.is_empty() {
        return Err(CheckpointError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(CheckpointError::TooLarge(bytes.len()));
    }
    SafeTensors::deserialize(bytes).map_err(|e| CheckpointError::Container(e.to_string()))
}

/// Read and check only the metadata (cheap: no weights are touched beyond parsing the header).
/// A one-line notice for a file whose checksum covers less than the current format's: format
/// v1's covers the weights only, so its task, sizes or attention mode could have been edited
/// by hand without the file saying so. `None` for the current formats (and for bytes that are
/// not a checkpoint: loading says why).
pub fn format_notice(bytes: &[u8]) -> Option<String> {
    let meta = read_meta(bytes).ok()?;
    (meta.format == FORMAT_V1).then(|| {
        "format v1: its checksum covers the weights only, not the metadata (task, sizes, \
         attention mode), so an edit there goes unnoticed"
            .to_string()
    })
}

pub fn read_meta(bytes: &[u8]) -> Result<CheckpointMeta, CheckpointError> {
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| {
        if bytes.is_empty() {
            CheckpointError::Empty
        } else {
            match looks_like(bytes) {
                Some(kind) => CheckpointError::NotACheckpoint(kind),
                None => CheckpointError::Container(e.to_string()),
            }
        }
    })?;
    let json = metadata
        .metadata()
        .as_ref()
        .and_then(|m| m.get(META_KEY))
        .ok_or(CheckpointError::NoMetadata)?;
    let meta: CheckpointMeta =
        serde_json::from_str(json).map_err(|e| CheckpointError::Metadata(e.to_string()))?;
    if ![FORMAT, FORMAT_V2, FORMAT_V1].contains(&meta.format.as_str()) {
        return Err(CheckpointError::Format { found: meta.format });
    }
    meta.train.validate()?;
    if meta.train.model()? != meta.model {
        return Err(CheckpointError::ModelMismatch);
    }
    let task = meta.train.task().map_err(TrainError::from)?;
    let expected = task.vocab().tokens();
    if expected != meta.vocabulary.as_slice() {
        let at = expected
            .iter()
            .zip(&meta.vocabulary)
            .position(|(a, b)| a != b)
            .unwrap_or(expected.len().min(meta.vocabulary.len()));
        return Err(CheckpointError::Vocabulary {
            stored: meta.vocabulary.len(),
            expected: expected.len(),
            at,
        });
    }
    Ok(meta)
}

/// The v2 name of a v1 tensor: the two bodies' paths mapped onto the one body's.
fn v1_name(old: &str) -> Option<String> {
    if let Some(rest) = old.strip_prefix("Transformer.") {
        let Some(block) = rest.strip_prefix("blocks.") else {
            return Some(rest.to_string());
        };
        let (n, part) = block.split_once('.')?;
        let part = if let Some(p) = part.strip_prefix("norm_attn.") {
            format!("norm.{p}")
        } else if let Some(p) = part.strip_prefix("norm_mlp.") {
            format!("mlp.norm.{p}")
        } else if part.starts_with("up.") || part.starts_with("down.") {
            format!("mlp.{part}")
        } else if part.starts_with("mixer.") {
            part.to_string()
        } else {
            return None;
        };
        return Some(format!("layers.{n}.{part}"));
    }
    let rest = old.strip_prefix("Recurrent.")?;
    let Some(layer) = rest.strip_prefix("layers.") else {
        return Some(rest.to_string());
    };
    let (n, part) = layer.split_once('.')?;
    let part = match part.strip_prefix("core.") {
        Some(p) => format!("mixer.{p}"),
        None => part.to_string(),
    };
    Some(format!("layers.{n}.{part}"))
}

/// Turn a v1 file into the current file with the same weights: its v1 checksum is verified first,
/// the tensors renamed, and the file re-checksummed. A v2 file is returned unchanged.
pub fn migrate_v1(bytes: &[u8]) -> Result<Vec<u8>, CheckpointError> {
    let file = parse(bytes)?;
    let meta = read_meta(bytes)?;
    if meta.format != FORMAT_V1 {
        return Ok(bytes.to_vec());
    }
    let stored: BTreeMap<String, TensorView<'_>> = file.tensors().into_iter().collect();
    let computed = weights_checksum(stored.iter().map(|(n, v)| (n.as_str(), v.data())));
    if computed != meta.fnv1a64 {
        return Err(CheckpointError::Checksum {
            stored: meta.fnv1a64,
            computed,
        });
    }
    let mut weights = BTreeMap::new();
    for (name, view) in &stored {
        let new = v1_name(name).ok_or_else(|| CheckpointError::UnexpectedTensor(name.clone()))?;
        weights.insert(new, (view.shape().to_vec(), view.data().to_vec()));
    }
    write(&weights, None, meta)
}

/// Validate `bytes` completely and build the model on `device` (no autodiff). Files of the
/// previous format are migrated first.
pub fn load(bytes: &[u8], device: &Device) -> Result<Checkpoint, CheckpointError> {
    if read_meta(bytes)?.format == FORMAT_V1 {
        return load(&migrate_v1(bytes)?, device);
    }
    let file = parse(bytes)?;
    let meta = read_meta(bytes)?;
    // The file must hold at least the weights its config declares before a model of that size
    // is allocated (a small header can declare a huge model); the names and shapes are checked
    // tensor by tensor below.
    let declared = 4 * meta.model.param_count() as u64;
    let stored: u64 = file
        .tensors()
        .iter()
        .map(|(_, v)| v.data().len() as u64)
        .sum();
    if declared > stored {
        return Err(CheckpointError::DeclaredSize { declared, stored });
    }
    // Building a model draws initial weights from burn's process-wide RNG: not while a
    // trainer in another thread seeds and draws its own (see `metrics::INIT`).
    let _init = super::metrics::INIT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut model = Model::new(&meta.model, device).map_err(TrainError::from)?;
    let expected = expected_tensors(&model);
    let mut stored: BTreeMap<String, TensorView<'_>> = file.tensors().into_iter().collect();
    let optimizer = stored.get(OPTIMIZER_TENSOR);
    let optimizer_fits = optimizer.is_none_or(|v| v.dtype() == Dtype::U8 && v.shape().len() == 1);
    if optimizer.is_some() != meta.resume.is_some() || !optimizer_fits {
        return Err(CheckpointError::OptimizerTensor);
    }
    check_tensors(&expected, &stored)?;
    let computed = checksum(&meta, stored.iter().map(|(n, v)| (n.as_str(), v.data())))?;
    if computed != meta.fnv1a64 {
        return Err(CheckpointError::Checksum {
            stored: meta.fnv1a64.clone(),
            computed,
        });
    }
    stored.clear();
    let mut store = SafetensorsStore::from_bytes(Some(bytes.to_vec()));
    let result = model
        .load_from(&mut store)
        .map_err(|e| CheckpointError::Apply(e.to_string()))?;
    if !result.errors.is_empty() || !result.missing.is_empty() {
        return Err(CheckpointError::Apply(format!(
            "{} errors, {} missing tensors",
            result.errors.len(),
            result.missing.len()
        )));
    }
    Ok(Checkpoint { meta, model })
}

/// Every tensor the model needs is stored as finite F32 of the right shape, and nothing else
/// (but the optimizer's state, checked by the caller).
fn check_tensors(
    expected: &BTreeMap<String, Vec<usize>>,
    stored: &BTreeMap<String, TensorView<'_>>,
) -> Result<(), CheckpointError> {
    for (name, shape) in expected {
        let view = stored
            .get(name)
            .ok_or_else(|| CheckpointError::MissingTensor(name.clone()))?;
        if view.dtype() != Dtype::F32 {
            return Err(CheckpointError::Dtype {
                name: name.clone(),
                found: format!("{:?}", view.dtype()),
            });
        }
        if view.shape() != shape.as_slice() {
            return Err(CheckpointError::Shape {
                name: name.clone(),
                expected: shape.clone(),
                found: view.shape().to_vec(),
            });
        }
        if view
            .data()
            .chunks_exact(4)
            .any(|b| !f32::from_le_bytes([b[0], b[1], b[2], b[3]]).is_finite())
        {
            return Err(CheckpointError::NonFinite(name.clone()));
        }
    }
    match stored
        .keys()
        .find(|k| !expected.contains_key(*k) && *k != OPTIMIZER_TENSOR)
    {
        Some(extra) => Err(CheckpointError::UnexpectedTensor(extra.clone())),
        None => Ok(()),
    }
}

/// What resuming a run needs from a checkpoint besides its model ([`load`]): the resume state
/// and the optimizer's state, checked against the file's checksum. Files without them (v1,
/// v2, hand-set weights, a model saved between evaluations) give
/// [`CheckpointError::NotResumable`].
pub fn resume_parts(bytes: &[u8]) -> Result<(ResumeState, Vec<u8>), CheckpointError> {
    let meta = read_meta(bytes)?;
    let not_resumable = || CheckpointError::NotResumable {
        format: meta.format.clone(),
    };
    let state = meta.resume.clone().ok_or_else(not_resumable)?;
    let file = parse(bytes)?;
    let stored: BTreeMap<String, TensorView<'_>> = file.tensors().into_iter().collect();
    let optimizer = stored.get(OPTIMIZER_TENSOR).ok_or_else(not_resumable)?;
    if optimizer.dtype() != Dtype::U8 || optimizer.shape().len() != 1 {
        return Err(CheckpointError::OptimizerTensor);
    }
    let computed = checksum(&meta, stored.iter().map(|(n, v)| (n.as_str(), v.data())))?;
    if computed != meta.fnv1a64 {
        return Err(CheckpointError::Checksum {
            stored: meta.fnv1a64.clone(),
            computed,
        });
    }
    Ok((state, optimizer.data().to_vec()))
}
