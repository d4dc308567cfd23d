//! The trainer's optimiser: AdamW with per-parameter gradient-norm clipping, our own so that
//! its state lives on the trainer's device and can be read back asynchronously.
//!
//! It computes bit for bit what burn 0.22's `ModuleOptimizer` built by
//! `AdamWConfig::new().with_weight_decay(0.01).with_grad_clipping(Some(Norm(1.0))).init()`
//! computes (same tensor ops in the same order, same f32/f64 scalars), and reads and writes
//! that optimizer's record (burnpack bytes, the same names, scalars and metadata), so resumable
//! checkpoints (format v3) written before or by burn resume identically. Why not burn's: its
//! `load_record` creates the state on `Device::default()` — in the wasm build the WebGPU device,
//! uninitialised when a page trains on the CPU — and its `to_record` reads synchronously, which
//! panics on WebGPU in a browser.
//!
//! # The record (burn's `OptimizerRecord` bytes)
//! Per parameter id `{id}`: tensors `{id}.momentum.moment_1` and `{id}.momentum.moment_2`
//! (F32, the parameter's shape, tagged with the id), scalars `{id}.momentum.time` (steps taken,
//! unsigned) and `{id}.__rank` (the parameter's rank), metadata `{id}` → the parameter's module
//! path.

use std::collections::BTreeMap;

use burn::module::{Module, ModuleMapper, Param, ParamId};
use burn::optim::GradientsParams;
use burn::optim::grad_clipping::GradientClipping;
use burn::prelude::*;
use burn::store::burn_pack::{self, Reader, Scalar, Writer};
use burn::tensor::kind::BridgeTensor;
use burn::tensor::{Bytes, TensorData};

/// Exponential decay of the first moment (burn's default).
pub const BETA_1: f32 = 0.9;
/// Exponential decay of the second moment (burn's default).
pub const BETA_2: f32 = 0.999;
/// Added to the square root of the second moment (burn's default).
pub const EPSILON: f32 = 1e-5;
/// Decoupled weight decay: each step multiplies the weights by `1 - lr · WEIGHT_DECAY`.
pub const WEIGHT_DECAY: f32 = 0.01;
/// Each parameter's gradient is scaled down to this L2 norm when it is longer: keeps the small,
/// high-learning-rate runs of the grids stable.
pub const MAX_GRAD_NORM: f32 = 1.0;

/// Record names, as burn's `#[derive(RecordState)]` on `AdamWState { momentum:
/// AdaptiveMomentumState { time, moment_1, moment_2, max_moment_2 } }` writes them.
const MOMENT_1: &str = "momentum.moment_1";
const MOMENT_2: &str = "momentum.moment_2";
const TIME: &str = "momentum.time";
/// burn's `ModuleOptimizer` stores each parameter's rank under this scalar.
const RANK: &str = "__rank";

/// Why an optimizer state could not be read, written or applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptimizerStateError {
    #[error("the optimizer state is not a burnpack record: {0}")]
    Unreadable(String),
    #[error("the optimizer state's tensor {0} names no parameter")]
    NoParameter(String),
    #[error("the optimizer state of parameter {id} is malformed: {reason}")]
    Malformed { id: u64, reason: String },
    #[error(
        "the optimizer state of parameter {id} has shape {state:?} but the parameter has {param:?}"
    )]
    ShapeMismatch {
        id: u64,
        state: Vec<usize>,
        param: Vec<usize>,
    },
    #[error("reading the optimizer state from the device failed: {0}")]
    Device(String),
    #[error("writing the optimizer state failed: {0}")]
    Write(String),
}

/// Runs `$body` with `const $d: usize` set to the runtime `$rank` (burn's tensors have ranks 1
/// to 8 here); `None` for any other rank.
macro_rules! with_rank {
    ($rank:expr, $d:ident => $body:expr) => {
        match $rank {
            1 => {
                const $d: usize = 1;
                Some($body)
            }
            2 => {
                const $d: usize = 2;
                Some($body)
            }
            3 => {
                const $d: usize = 3;
                Some($body)
            }
            4 => {
                const $d: usize = 4;
                Some($body)
            }
            5 => {
                const $d: usize = 5;
                Some($body)
            }
            6 => {
                const $d: usize = 6;
                Some($body)
            }
            7 => {
                const $d: usize = 7;
                Some($body)
            }
            8 => {
                const $d: usize = 8;
                Some($body)
            }
            _ => None,
        }
    };
}

/// One parameter's moments. The tensors are rank-erased (a parameter of any rank has one) and
/// live on the inner (non-autodiff) device, as burn's do.
#[derive(Clone)]
struct Moments {
    /// Steps this parameter has taken (≥ 1): the bias correction's exponent.
    time: usize,
    /// The parameter's rank: the `D` of `first` and `second`.
    rank: usize,
    /// First moment (`moment_1`).
    first: BridgeTensor,
    /// Second moment (`moment_2`).
    second: BridgeTensor,
    /// The parameter's module path, written to the record as burn does (it matches optimizer
    /// groups by it).
    path: Option<String>,
}

/// One parameter's state as read back for the record.
struct ReadMoments {
    id: u64,
    time: usize,
    rank: usize,
    first: TensorData,
    second: TensorData,
    path: Option<String>,
}

/// AdamW over every float parameter of a module, state keyed by [`ParamId`]. See the module
/// docs for what it reproduces.
#[derive(Clone, Default)]
pub struct AdamW {
    /// By parameter id (ordered, so records are written in one order).
    states: BTreeMap<u64, Moments>,
}

impl AdamW {
    /// A fresh optimizer: no parameter has taken a step.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parameters that have a state (took a step, or were loaded).
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether no parameter has a state.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// One step at learning rate `lr` for every parameter of `module` that has a gradient in
    /// `grads`. An error (a loaded state that does not fit its parameter) leaves that
    /// parameter and its state as they were.
    pub fn step<M: Module>(
        &mut self,
        lr: f64,
        module: M,
        mut grads: GradientsParams,
    ) -> Result<M, OptimizerStateError> {
        let mut mapper = StepMapper {
            lr,
            states: &mut self.states,
            grads: &mut grads,
            path: Vec::new(),
            error: None,
        };
        let module = module.map(&mut mapper);
        match mapper.error {
            Some(error) => Err(error),
            None => Ok(module),
        }
    }

    /// The state as burn's optimizer record (burnpack bytes), read synchronously: fine on the
    /// CPU backends, not on WebGPU in a browser (use [`AdamW::to_bytes_async`] there).
    pub fn to_bytes(&self) -> Result<Vec<u8>, OptimizerStateError> {
        let mut read = Vec::with_capacity(self.states.len());
        for (&id, state) in &self.states {
            let first = read_now(id, state.rank, &state.first)?;
            let second = read_now(id, state.rank, &state.second)?;
            read.push(state.read_back(id, first, second));
        }
        write_record(read)
    }

    /// [`AdamW::to_bytes`] with asynchronous reads: works on every backend, WebGPU in a
    /// browser included. The same bytes.
    pub async fn to_bytes_async(&self) -> Result<Vec<u8>, OptimizerStateError> {
        let mut read = Vec::with_capacity(self.states.len());
        for (&id, state) in &self.states {
            let first = read_async(id, state.rank, &state.first).await?;
            let second = read_async(id, state.rank, &state.second).await?;
            read.push(state.read_back(id, first, second));
        }
        write_record(read)
    }

    /// The optimizer saved by [`AdamW::to_bytes`] (or by burn's `ModuleOptimizer` for AdamW),
    /// its tensors created on `device` (the autodiff association is dropped: the state is not
    /// differentiated). As burn's `load_record`, a parameter whose entries are incomplete gets
    /// no state (it starts afresh at its next step).
    pub fn from_bytes(bytes: &[u8], device: &Device) -> Result<Self, OptimizerStateError> {
        let device = device.clone().without_autodiff();
        let unreadable = |e: burn_pack::Error| OptimizerStateError::Unreadable(format!("{e}"));
        let reader =
            Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec())).map_err(unreadable)?;
        let scalars = reader.scalars().clone();
        let paths: BTreeMap<u64, String> = reader
            .metadata()
            .iter()
            .filter_map(|(key, path)| Some((key.parse().ok()?, path.clone())))
            .collect();
        // Each parameter's rank: its `__rank` scalar, else (as burn) its tensors' rank.
        let mut ranks: BTreeMap<u64, usize> = scalars
            .iter()
            .filter_map(|(key, value)| {
                let id = key.strip_suffix(&format!(".{RANK}"))?.parse().ok()?;
                Some((id, usize::try_from(*value).ok()?))
            })
            .collect();
        let mut tensors = BTreeMap::new();
        for tensor in reader.into_tensors().map_err(unreadable)? {
            let (name, dtype, shape, param_id, bytes) = tensor.into_parts().map_err(unreadable)?;
            let id = param_id.ok_or_else(|| OptimizerStateError::NoParameter(name.clone()))?;
            let data = TensorData::from_bytes(bytes, shape, dtype);
            ranks.entry(id).or_insert(data.rank());
            tensors.insert(name, data);
        }
        let mut states = BTreeMap::new();
        for (id, rank) in ranks {
            let time = scalars
                .get(&format!("{id}.{TIME}"))
                .and_then(|&time| usize::try_from(time).ok());
            let first = tensors.remove(&format!("{id}.{MOMENT_1}"));
            let second = tensors.remove(&format!("{id}.{MOMENT_2}"));
            let (Some(time), Some(first), Some(second)) = (time, first, second) else {
                continue;
            };
            let malformed = |reason: String| OptimizerStateError::Malformed { id, reason };
            if first.shape() != second.shape() || first.rank() != rank {
                return Err(malformed(format!(
                    "rank {rank}, moments of shapes {:?} and {:?}",
                    first.shape().as_slice(),
                    second.shape().as_slice()
                )));
            }
            if first.dtype() != second.dtype() || !first.dtype().is_float() {
                return Err(malformed(format!("moments of type {:?}", first.dtype())));
            }
            // burn-pack checks offsets, not that the bytes fill the shape (a short tensor
            // would panic where it is created).
            let filled = |data: &TensorData| {
                data.as_bytes().len() == data.num_elements() * data.dtype().size()
            };
            if !filled(&first) || !filled(&second) {
                return Err(malformed(
                    "moments whose bytes do not fill their shape".into(),
                ));
            }
            let tensor = |data: TensorData| with_rank!(rank, D => Tensor::<D>::from_data(data, &device).into_bridge());
            let (Some(first), Some(second)) = (tensor(first), tensor(second)) else {
                return Err(unsupported_rank(id, rank));
            };
            let path = paths.get(&id).cloned();
            let state = Moments {
                time,
                rank,
                first,
                second,
                path,
            };
            states.insert(id, state);
        }
        Ok(Self { states })
    }
}

impl Moments {
    /// This state with its moments read back.
    fn read_back(&self, id: u64, first: TensorData, second: TensorData) -> ReadMoments {
        ReadMoments {
            id,
            time: self.time,
            rank: self.rank,
            first,
            second,
            path: self.path.clone(),
        }
    }
}

/// A rank this optimizer cannot hold (burn's tensors take 1 to 8 here).
fn unsupported_rank(id: u64, rank: usize) -> OptimizerStateError {
    OptimizerStateError::Malformed {
        id,
        reason: format!("rank {rank}"),
    }
}

/// A moment's values, read synchronously.
fn read_now(
    id: u64,
    rank: usize,
    tensor: &BridgeTensor,
) -> Result<TensorData, OptimizerStateError> {
    with_rank!(rank, D => Tensor::<D>::from_bridge(tensor.clone()).try_into_data())
        .ok_or_else(|| unsupported_rank(id, rank))?
        .map_err(|e| OptimizerStateError::Device(format!("{e:?}")))
}

/// A moment's values, read asynchronously.
async fn read_async(
    id: u64,
    rank: usize,
    tensor: &BridgeTensor,
) -> Result<TensorData, OptimizerStateError> {
    with_rank!(rank, D => Tensor::<D>::from_bridge(tensor.clone()).into_data_async().await)
        .ok_or_else(|| unsupported_rank(id, rank))?
        .map_err(|e| OptimizerStateError::Device(format!("{e:?}")))
}

/// burn's `OptimizerRecord::into_bytes` for these states: one tensor per moment (tagged with
/// its parameter id), the `time` and `__rank` scalars, the paths as metadata.
fn write_record(states: Vec<ReadMoments>) -> Result<Vec<u8>, OptimizerStateError> {
    let mut tensors = Vec::with_capacity(2 * states.len());
    let mut scalars = BTreeMap::new();
    let mut paths = BTreeMap::new();
    for state in states {
        let id = state.id;
        for (leaf, data) in [(MOMENT_1, state.first), (MOMENT_2, state.second)] {
            let (bytes, shape, dtype) = data.into_parts();
            let name = format!("{id}.{leaf}");
            tensors.push(burn_pack::Tensor::new(name, dtype, shape, Some(id), bytes));
        }
        scalars.insert(format!("{id}.{TIME}"), Scalar::from(state.time));
        scalars.insert(format!("{id}.{RANK}"), Scalar::from(state.rank));
        if let Some(path) = state.path {
            paths.insert(id.to_string(), path);
        }
    }
    let mut writer = Writer::new(tensors);
    for (key, value) in &scalars {
        writer = writer.with_scalar(key, *value);
    }
    for (key, value) in &paths {
        writer = writer.with_metadata(key, value);
    }
    let bytes = writer
        .into_bytes()
        .map_err(|e| OptimizerStateError::Write(format!("{e}")))?;
    Ok(bytes.to_vec())
}

/// burn's `ModuleOptimizerMapper` for one AdamW group with norm clipping: takes each float
/// parameter's gradient out of `grads` and replaces the parameter by its update.
struct StepMapper<'a> {
    lr: f64,
    states: &'a mut BTreeMap<u64, Moments>,
    grads: &'a mut GradientsParams,
    /// The module path of the parameter being visited.
    path: Vec<String>,
    /// The first state that did not fit its parameter.
    error: Option<OptimizerStateError>,
}

impl ModuleMapper for StepMapper<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.remove::<D>(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        // Taken out of the map (as burn does) so that the old moments are dropped once used.
        let previous = match self.states.remove(&id.val()) {
            None => None,
            Some(state) => match state_tensors::<D>(id.val(), &state, &grad) {
                Ok(previous) => Some(previous),
                Err(error) => {
                    self.states.insert(id.val(), state);
                    self.error.get_or_insert(error);
                    return Param::from_mapped_value(id, tensor, mapper);
                }
            },
        };
        let tensor = self.update(id, tensor, grad, previous);
        Param::from_mapped_value(id, tensor, mapper)
    }
}

impl StepMapper<'_> {
    /// The updated parameter (burn's `map_float` body, for AdamW with norm clipping).
    fn update<const D: usize>(
        &mut self,
        id: ParamId,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        previous: Option<(usize, Tensor<D>, Tensor<D>)>,
    ) -> Tensor<D> {
        let device = grad.device();
        // The parameter's autodiff state, put back on the update (burn's `ParameterContext`).
        let require_grad = tensor.is_require_grad();
        let distributed = tensor.is_distributed();
        let checkpointing = tensor.gradient_checkpointing_strategy();

        let tensor = if tensor.device() != device {
            tensor.to_device(&device)
        } else {
            tensor
        };
        // The state follows the gradient's device, as burn's `to_device` of the state does.
        let previous = previous.map(|(time, first, second)| {
            (time, first.to_device(&device), second.to_device(&device))
        });
        // burn's own clipping: a pure function of the gradient, the same ops by construction.
        let grad = GradientClipping::Norm(MAX_GRAD_NORM).clip_gradient(grad);
        let (updated, time, first, second) = adamw(self.lr, tensor.inner(), grad, previous);
        self.states.insert(
            id.val(),
            Moments {
                time,
                rank: D,
                first: first.into_bridge(),
                second: second.into_bridge(),
                path: Some(self.path.join(".")),
            },
        );

        let mut updated = Tensor::from_inner(updated);
        if let Some(strategy) = checkpointing {
            updated = updated.with_gradient_checkpointing_strategy(strategy);
        }
        if require_grad {
            updated = updated.require_grad();
        }
        if distributed {
            updated = updated.set_distributed(id);
        }
        updated
    }
}

/// A parameter's stored `(time, moment_1, moment_2)` as rank-`D` tensors, checked against its
/// gradient's shape.
fn state_tensors<const D: usize>(
    id: u64,
    state: &Moments,
    grad: &Tensor<D>,
) -> Result<(usize, Tensor<D>, Tensor<D>), OptimizerStateError> {
    let param = grad.shape().as_slice().to_vec();
    let mismatch = |state: Vec<usize>| OptimizerStateError::ShapeMismatch {
        id,
        state,
        param: param.clone(),
    };
    if state.rank != D {
        return Err(mismatch(vec![0; state.rank]));
    }
    let first = Tensor::<D>::from_bridge(state.first.clone());
    let second = Tensor::<D>::from_bridge(state.second.clone());
    if first.shape().as_slice() != param.as_slice() {
        return Err(mismatch(first.shape().as_slice().to_vec()));
    }
    Ok((state.time, first, second))
}

/// One AdamW step of a parameter (burn's `AdamW::step` with `AdaptiveMomentumW::transform`,
/// op for op): returns the updated parameter, the step count and the new moments.
fn adamw<const D: usize>(
    lr: f64,
    tensor: Tensor<D>,
    grad: Tensor<D>,
    previous: Option<(usize, Tensor<D>, Tensor<D>)>,
) -> (Tensor<D>, usize, Tensor<D>, Tensor<D>) {
    let factor_1 = 1.0 - BETA_1;
    let factor_2 = 1.0 - BETA_2;
    let (time, first, second) = match previous {
        Some((time, first, second)) => (
            time + 1,
            first
                .mul_scalar(BETA_1)
                .add(grad.clone().mul_scalar(factor_1)),
            second
                .mul_scalar(BETA_2)
                .add(grad.square().mul_scalar(factor_2)),
        ),
        None => (
            1,
            grad.clone().mul_scalar(factor_1),
            grad.square().mul_scalar(factor_2),
        ),
    };
    // burn converts the step count to i32 for the bias corrections.
    let exponent = time as i32;
    let first_corrected = first.clone().div_scalar(1f32 - BETA_1.powi(exponent));
    let second_corrected = second.clone().div_scalar(1f32 - BETA_2.powi(exponent));
    let delta = first_corrected.div(second_corrected.sqrt().add_scalar(EPSILON));

    // Decoupled weight decay, in f64 as burn computes it (the f32 constant widened).
    let decay_rate = lr * (WEIGHT_DECAY as f64);
    let decayed = if decay_rate == 0.0 {
        tensor
    } else {
        tensor.mul_scalar(1.0 - decay_rate)
    };
    (decayed - delta.mul_scalar(lr), time, first, second)
}
