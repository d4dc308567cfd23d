//! A run saved at its first evaluation point and resumed, against the same run uninterrupted,
//! on one device: shared by the browser tests on the CPU fallback and on WebGPU (every read is
//! asynchronous, the only kind WebGPU allows in a browser).

use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;
use expressivity_lab::models::{ArchSpec, Architecture, Model, PositionalEncoding};
use expressivity_lab::tasks::{TaskKind, TaskSpec};
use expressivity_lab::train::{Session, TrainConfig};

/// A run small enough for software WebGPU: two evaluation points.
pub fn config(arch: Architecture) -> TrainConfig {
    TrainConfig {
        task: TaskSpec::new(TaskKind::Lis, 4),
        model: ArchSpec {
            architecture: arch,
            positional: PositionalEncoding::None,
            d_model: 16,
            n_layers: 1,
            n_heads: 2,
            ..ArchSpec::default()
        },
        steps: 8,
        batch_size: 4,
        eval_every: 4,
        eval_examples: 8,
        ..TrainConfig::default()
    }
}

/// Every float parameter's values, in module order (read asynchronously).
pub async fn weights(model: &Model) -> Vec<f32> {
    struct Collect(Vec<Tensor<1>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.val().flatten(0, D - 1));
        }
    }
    let mut collect = Collect(Vec::new());
    model.visit(&mut collect);
    let data = Tensor::cat(collect.0, 0).into_data_async().await.unwrap();
    data.iter::<f32>().collect()
}

/// The largest weight difference between `config` run whole and saved at its first
/// evaluation point (a resumable snapshot), then resumed from the bytes, all on `device`.
pub async fn resumed_difference(config: TrainConfig, device: &Device) -> f32 {
    let mut whole = Session::new(device);
    whole.start(config.clone()).unwrap();
    whole.run_to_end(|_| true).await.unwrap();
    let reference = weights(&whole.inference_model().unwrap()).await;

    let mut first = Session::new(device);
    first.start(config.clone()).unwrap();
    first.advance(usize::MAX, || false).await;
    assert_eq!(first.step(), config.eval_every);
    let bytes = first.snapshot().await.expect("a resumable snapshot");
    drop(first);
    let mut resumed = Session::resume_from(&bytes, device, None).expect("resumes");
    resumed.run_to_end(|_| true).await.unwrap();
    assert_eq!(resumed.step(), config.steps);
    let resumed = weights(&resumed.inference_model().unwrap()).await;
    assert_eq!(reference.len(), resumed.len());
    reference
        .iter()
        .zip(&resumed)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max)
}

/// The architectures checked: a transformer and a recurrent network.
pub const ARCHITECTURES: [Architecture; 2] = [Architecture::Standard, Architecture::Lstm];
