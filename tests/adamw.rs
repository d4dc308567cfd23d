#![allow(clippy::disallowed_methods)] // tests read and write their own files
//! Our AdamW against burn's `ModuleOptimizer` (the reference it replaces): the same weights bit
//! for bit, with gradient clipping firing, and records that load both ways (natively, on the
//! CPU backend).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer, OptimizerRecord};
use burn::prelude::*;
use burn::store::burn_pack::{self, Reader};
use burn::tensor::{Bytes, DType};
use expressivity_lab::models::{ArchSpec, Architecture, Model, PositionalEncoding, SequenceModel};
use expressivity_lab::tasks::{Example, TaskKind, TaskSpec};
use expressivity_lab::train::adamw::{
    AdamW, BETA_1, BETA_2, EPSILON, MAX_GRAD_NORM, OptimizerStateError, WEIGHT_DECAY,
};
use expressivity_lab::train::batch::make_batch;
use expressivity_lab::train::checkpoint;
use expressivity_lab::train::loss::masked_cross_entropy;
use expressivity_lab::train::schedule::learning_rate;
use expressivity_lab::train::{Session, TrainConfig, Trainer};

/// Steps of each comparison.
const STEPS: usize = 24;

/// A small run at a learning rate high enough that gradients exceed the clipping norm.
fn config(arch: Architecture) -> TrainConfig {
    TrainConfig {
        task: TaskSpec::new(TaskKind::Lis, 4),
        model: ArchSpec {
            architecture: arch,
            positional: if arch.is_recurrent() {
                PositionalEncoding::None
            } else {
                PositionalEncoding::Learned
            },
            d_model: 16,
            n_layers: 2,
            n_heads: 2,
            ..ArchSpec::default()
        },
        steps: STEPS,
        batch_size: 8,
        learning_rate: 0.05,
        eval_every: STEPS,
        eval_examples: 16,
        ..TrainConfig::default()
    }
}

/// burn's optimizer as the trainer used it, built from our constants.
fn burn_adamw() -> ModuleOptimizer {
    AdamWConfig::new()
        .with_beta_1(BETA_1)
        .with_beta_2(BETA_2)
        .with_epsilon(EPSILON)
        .with_weight_decay(WEIGHT_DECAY)
        .with_grad_clipping(Some(GradientClippingConfig::Norm(MAX_GRAD_NORM)))
        .init()
}

/// Either optimizer, one step at a time.
enum Optimizer {
    Burn(ModuleOptimizer),
    Ours(AdamW),
}

impl Optimizer {
    fn step(&mut self, lr: f64, model: Model, grads: GradientsParams) -> Model {
        match self {
            Optimizer::Burn(optimizer) => optimizer.step(lr, model, grads),
            Optimizer::Ours(optimizer) => optimizer.step(lr, model, grads).unwrap(),
        }
    }

    fn state(&self) -> Vec<u8> {
        match self {
            Optimizer::Burn(optimizer) => optimizer.to_record().into_bytes().unwrap().to_vec(),
            Optimizer::Ours(optimizer) => optimizer.to_bytes().unwrap(),
        }
    }
}

/// Reads every float parameter (burn initialises them lazily: a clone would draw its own).
struct Materialise;

impl ModuleVisitor for Materialise {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let _ = param.val();
    }
}

/// A run's starting point: its initial model (on the autodiff CPU device) and its batches.
struct Run {
    config: TrainConfig,
    model: Model,
    batches: Vec<Vec<Example>>,
}

fn run(arch: Architecture) -> Run {
    let config = config(arch);
    let device = Device::flex().autodiff();
    device.seed(config.seed);
    let model = Model::new(&config.model().unwrap(), &device).unwrap();
    model.visit(&mut Materialise);
    let mut trainer = Trainer::new(config.clone(), &Device::flex()).unwrap();
    let batches = (0..STEPS)
        .map(|_| {
            (0..config.batch_size)
                .map(|_| trainer.next_training_example())
                .collect()
        })
        .collect();
    Run {
        config,
        model,
        batches,
    }
}

/// The largest L2 norm of a parameter's gradient.
fn largest_grad_norm(model: &Model, grads: &GradientsParams) -> f32 {
    struct Norms<'a> {
        grads: &'a GradientsParams,
        largest: f32,
    }
    impl ModuleVisitor for Norms<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(grad) = self.grads.get::<D>(param.id) {
                let norm = grad.square().sum().sqrt().into_scalar::<f32>();
                self.largest = self.largest.max(norm);
            }
        }
    }
    let mut norms = Norms {
        grads,
        largest: 0.0,
    };
    model.visit(&mut norms);
    norms.largest
}

/// Train `model` on `run`'s batches `steps` with `optimizer`; returns the model and the
/// largest gradient norm seen.
fn train(
    run: &Run,
    mut model: Model,
    steps: std::ops::Range<usize>,
    optimizer: &mut Optimizer,
) -> (Model, f32) {
    let device = Device::flex().autodiff();
    let mut largest = 0.0f32;
    for step in steps {
        let batch = make_batch(&run.batches[step], &device);
        let logits = model.forward(batch.inputs).unwrap();
        let loss = masked_cross_entropy(logits, batch.targets, batch.mask);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        largest = largest.max(largest_grad_norm(&model, &grads));
        let lr = learning_rate(run.config.learning_rate, step, run.config.steps);
        model = optimizer.step(lr, model, grads);
    }
    (model, largest)
}

/// Every float parameter's values as bits, by module path.
fn weights(model: &Model) -> BTreeMap<String, Vec<u32>> {
    #[derive(Default)]
    struct Values {
        path: Vec<String>,
        found: BTreeMap<String, Vec<u32>>,
    }
    impl ModuleVisitor for Values {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let data = param.val().into_data();
            let values = data.iter::<f32>().map(f32::to_bits).collect();
            self.found.insert(self.path.join("."), values);
        }
    }
    let mut values = Values::default();
    model.visit(&mut values);
    values.found
}

/// The largest absolute difference between two models' weights (and how many values differ in
/// their bits).
fn difference(a: &Model, b: &Model) -> (f32, usize) {
    let (a, b) = (weights(a), weights(b));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let mut largest = 0.0f32;
    let mut differ = 0;
    for (x, y) in a.values().zip(b.values()) {
        assert_eq!(x.len(), y.len());
        for (&x, &y) in x.iter().zip(y) {
            largest = largest.max((f32::from_bits(x) - f32::from_bits(y)).abs());
            differ += usize::from(x != y);
        }
    }
    (largest, differ)
}

const ARCHITECTURES: [Architecture; 2] = [Architecture::Standard, Architecture::Lstm];

#[test]
fn our_adamw_trains_bit_for_bit_as_burns() {
    for arch in ARCHITECTURES {
        let run = run(arch);
        let mut burn = Optimizer::Burn(burn_adamw());
        let (by_burn, burn_norm) = train(&run, run.model.clone(), 0..STEPS, &mut burn);
        let mut ours = Optimizer::Ours(AdamW::new());
        let (by_ours, our_norm) = train(&run, run.model.clone(), 0..STEPS, &mut ours);
        println!("{arch:?}: largest gradient norm {burn_norm} (clipped to {MAX_GRAD_NORM})");
        // Clipping fired: some parameter's gradient was longer than the clipping norm.
        assert!(burn_norm > MAX_GRAD_NORM, "{arch:?}: {burn_norm}");
        assert_eq!(burn_norm, our_norm, "{arch:?}: the same gradients");
        assert_eq!(difference(&by_burn, &by_ours), (0.0, 0), "{arch:?}");

        // The test can fail: the weights moved, and another weight decay gives other weights.
        let (moved, _) = difference(&run.model, &by_ours);
        assert!(moved > 1e-2, "{arch:?}: {moved}");
        let mut other = Optimizer::Burn(
            AdamWConfig::new()
                .with_weight_decay(0.02)
                .with_grad_clipping(Some(GradientClippingConfig::Norm(MAX_GRAD_NORM)))
                .init(),
        );
        let (by_other, _) = train(&run, run.model.clone(), 0..STEPS, &mut other);
        assert!(difference(&by_other, &by_ours).1 > 0, "{arch:?}");
    }
}

/// A record's contents: tensors by name (param id, dtype, shape, bytes), scalars, metadata.
type Contents = (
    BTreeMap<String, (Option<u64>, String, Vec<usize>, Vec<u8>)>,
    BTreeMap<String, String>,
    BTreeMap<String, String>,
);

fn contents(bytes: &[u8]) -> Contents {
    let reader = Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec())).unwrap();
    let scalars = reader
        .scalars()
        .iter()
        .map(|(k, v)| (k.clone(), format!("{v:?}")))
        .collect();
    let metadata = reader.metadata().clone();
    let tensors = reader
        .into_tensors()
        .unwrap()
        .into_iter()
        .map(|t| {
            let (name, dtype, shape, id, bytes) = t.into_parts().unwrap();
            let shape = shape.as_slice().to_vec();
            (name, (id, format!("{dtype:?}"), shape, bytes.to_vec()))
        })
        .collect();
    (tensors, scalars, metadata)
}

#[test]
fn records_load_both_ways_and_training_continues_identically() {
    const HALF: usize = STEPS / 2;
    for arch in ARCHITECTURES {
        let run = run(arch);
        let mut burn = Optimizer::Burn(burn_adamw());
        let (half_burn, _) = train(&run, run.model.clone(), 0..HALF, &mut burn);
        let mut ours = Optimizer::Ours(AdamW::new());
        let (half_ours, _) = train(&run, run.model.clone(), 0..HALF, &mut ours);
        assert_eq!(difference(&half_burn, &half_ours), (0.0, 0));

        // The same record: names, ids, scalars, paths and tensor bytes (burn writes its
        // parameters in hash-map order, so the files' layouts differ).
        let (burn_bytes, our_bytes) = (burn.state(), ours.state());
        let burn_record = contents(&burn_bytes);
        assert_eq!(burn_record, contents(&our_bytes), "{arch:?}");
        let (tensors, scalars, paths) = &burn_record;
        assert!(tensors.len() > 10 && !paths.is_empty(), "{arch:?}");
        assert!(scalars.keys().any(|k| k.ends_with(".momentum.time")));
        assert!(scalars.keys().any(|k| k.ends_with(".__rank")));
        // The asynchronous read gives the same bytes.
        let Optimizer::Ours(adamw) = &ours else {
            unreachable!()
        };
        assert_eq!(
            pollster::block_on(adamw.to_bytes_async()).unwrap(),
            our_bytes
        );

        // burn's record into ours, ours into burn's: each continues as the uninterrupted run.
        let (whole, _) = train(&run, half_burn.clone(), HALF..STEPS, &mut burn);
        let mut burn_into_ours =
            Optimizer::Ours(AdamW::from_bytes(&burn_bytes, &Device::flex().autodiff()).unwrap());
        let record = OptimizerRecord::from_bytes(Bytes::from_bytes_vec(our_bytes)).unwrap();
        let mut ours_into_burn = Optimizer::Burn(burn_adamw().load_record(record));
        for (what, optimizer) in [
            ("burn's record in ours", &mut burn_into_ours),
            ("our record in burn's", &mut ours_into_burn),
        ] {
            let (resumed, _) = train(&run, half_ours.clone(), HALF..STEPS, optimizer);
            assert_eq!(difference(&whole, &resumed), (0.0, 0), "{arch:?}: {what}");
        }

        // The test can fail: a fresh optimizer continues differently.
        let mut fresh = Optimizer::Ours(AdamW::new());
        let (restarted, _) = train(&run, half_ours.clone(), HALF..STEPS, &mut fresh);
        assert!(difference(&whole, &restarted).1 > 0, "{arch:?}");
    }
}

#[test]
fn a_state_that_does_not_fit_is_an_error_not_a_panic() {
    let run = run(Architecture::Standard);
    let mut ours = Optimizer::Ours(AdamW::new());
    let _ = train(&run, run.model.clone(), 0..2, &mut ours);
    let bytes = ours.state();
    // Another model (other shapes) with the same parameter ids.
    let mut other = config(Architecture::Standard);
    other.model.d_model = 8;
    let device = Device::flex().autodiff();
    let small = Model::new(&other.model().unwrap(), &device).unwrap();
    let small = with_ids_of(small, &run.model);
    let mut adamw = AdamW::from_bytes(&bytes, &device).unwrap();
    let batch = make_batch(&run.batches[0], &device);
    let loss = masked_cross_entropy(
        small.forward(batch.inputs).unwrap(),
        batch.targets,
        batch.mask,
    );
    let grads = GradientsParams::from_grads(loss.backward(), &small);
    let error = adamw.step(0.01, small, grads).err().unwrap();
    assert!(
        matches!(error, OptimizerStateError::ShapeMismatch { .. }),
        "{error}"
    );

    // Not a record at all.
    let junk = AdamW::from_bytes(b"not a record", &device).err().unwrap();
    assert!(matches!(junk, OptimizerStateError::Unreadable(_)), "{junk}");
    // A truncated one.
    assert!(AdamW::from_bytes(&bytes[..bytes.len() / 2], &device).is_err());
    // Moments whose bytes do not fill their shape, or with no parameter id.
    let record = |first: (Vec<usize>, usize), id: Option<u64>| {
        let tensor = |name: &str, (shape, floats): (Vec<usize>, usize)| {
            let bytes = Bytes::from_bytes_vec(vec![0u8; 4 * floats]);
            burn_pack::Tensor::new(name.into(), DType::F32, shape, id, bytes)
        };
        let tensors = vec![
            tensor("7.momentum.moment_1", first),
            tensor("7.momentum.moment_2", (vec![2, 2], 4)),
        ];
        burn_pack::Writer::new(tensors)
            .with_scalar("7.momentum.time", burn_pack::Scalar::from(3usize))
            .into_bytes()
            .map(|bytes| bytes.to_vec())
    };
    let fits = record((vec![2, 2], 4), Some(7)).unwrap();
    assert_eq!(AdamW::from_bytes(&fits, &device).unwrap().len(), 1);
    // burn-pack refuses to write moments whose bytes do not fill their shape (a hand-made
    // file that has them is refused by `from_bytes` as malformed).
    assert!(record((vec![2, 2], 2), Some(7)).is_err());
    let anonymous = record((vec![2, 2], 4), None).unwrap();
    let error = AdamW::from_bytes(&anonymous, &device).err().unwrap();
    assert!(
        matches!(error, OptimizerStateError::NoParameter(_)),
        "{error}"
    );
}

/// `model` with the parameter ids of `like` (the same module paths).
fn with_ids_of(model: Model, like: &Model) -> Model {
    use burn::module::{ModuleMapper, ParamId};
    struct Ids {
        path: Vec<String>,
        found: BTreeMap<String, ParamId>,
    }
    impl ModuleVisitor for Ids {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.found.insert(self.path.join("."), param.id);
        }
    }
    impl ModuleMapper for Ids {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.pop();
        }
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let (id, tensor, mapper) = param.consume();
            let id = self.found.get(&self.path.join(".")).copied().unwrap_or(id);
            Param::from_mapped_value(id, tensor, mapper)
        }
    }
    let mut ids = Ids {
        path: Vec::new(),
        found: BTreeMap::new(),
    };
    like.visit(&mut ids);
    model.map(&mut ids)
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// How far a fixture resumed here may be from the run that wrote it on another machine: the
/// matrix kernels pick their instructions by CPU (AVX2, AVX-512, …) and round differently, by
/// a few ulps per step (2.4e-7 at most in 603 of the weights on an AVX-512 machine). Runs on
/// one machine stay bit for bit (the tests above).
const OTHER_MACHINE: f32 = 1e-5;

/// A v3 checkpoint saved by `lab train` when the trainer used burn's optimizer resumes with ours
/// as it did with burn's (the second fixture: `lab train --resume` of the first, before the
/// switch), up to the rounding of the machine that wrote it.
#[test]
fn a_checkpoint_saved_with_burns_optimizer_resumes_as_it_did() {
    let read = |name: &str| std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
    let saved = read("checkpoint-v3-burn-optimizer.safetensors");
    let expected = read("checkpoint-v3-burn-optimizer-resumed.safetensors");
    let mut session = Session::resume_from(&saved, &Device::flex(), Some(60)).unwrap();
    assert_eq!(session.step(), 40);
    pollster::block_on(session.run_to_end(|_| true)).unwrap();
    assert_eq!(session.step(), 60);
    let expected = checkpoint::load(&expected, &Device::flex()).unwrap();
    let resumed = session.inference_model().unwrap();
    let (largest, _) = difference(&expected.model, &resumed);
    assert!(largest <= OTHER_MACHINE, "weights differ by {largest}");
    let (ours, theirs) = (session.history(), &expected.meta.history[..]);
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(theirs) {
        assert_eq!(
            (a.step, a.accuracy, a.answer_accuracy),
            (b.step, b.accuracy, b.answer_accuracy),
            "the same accuracies"
        );
        assert!((a.loss - b.loss).abs() <= OTHER_MACHINE, "{a:?} vs {b:?}");
        assert!(
            (a.final_loss() - b.final_loss()).abs() <= OTHER_MACHINE,
            "{a:?} vs {b:?}"
        );
    }

    // The test can fail: the saved weights are far from the resumed ones.
    let start = checkpoint::load(&saved, &Device::flex()).unwrap();
    assert!(difference(&start.model, &resumed).0 > 100.0 * OTHER_MACHINE);
}
