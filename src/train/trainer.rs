//! The training loop: AdamW on masked cross-entropy, losses kept on the device and read back
//! only at checkpoints (every `eval_every` steps), never per step.

use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;

use super::batch::make_batch;
use super::eval::{EvalReport, teacher_forced};
use super::loss::masked_cross_entropy;
use super::schedule::learning_rate;
use super::{TrainConfig, TrainError};
use crate::models::{Model, SequenceModel};
use crate::tasks::{Example, Task, TaskRng};

/// Stream ids that keep training and test data apart for one seed.
const TRAIN_STREAM: u64 = 0;
const TEST_STREAM: u64 = 1;

/// Metrics at one checkpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    pub step: usize,
    /// Mean training loss since the previous checkpoint.
    pub loss: f32,
    /// Held-out teacher-forced exact match of the whole CoT + answer.
    pub accuracy: f32,
    /// Held-out accuracy of the final answer token only.
    pub answer_accuracy: f32,
}

/// A training run in progress.
pub struct Trainer {
    config: TrainConfig,
    task: Box<dyn Task>,
    model: Model,
    optimizer: ModuleOptimizer,
    train_rng: TaskRng,
    test_set: Vec<Example>,
    step: usize,
    pending_losses: Vec<Tensor<1>>,
    device: Device,
    history: Vec<Metrics>,
}

impl Trainer {
    /// Validate the config and initialise the model on `device` (autodiff is added here).
    pub fn new(config: TrainConfig, device: &Device) -> Result<Self, TrainError> {
        config.validate()?;
        let task = config.task()?;
        let device = device.clone().autodiff();
        device.seed(config.seed);
        let model = Model::new(&config.model()?, &device)?;
        // Per-parameter gradient-norm clipping at 1.0 keeps the small, high-learning-rate runs of
        // the sweeps stable.
        let optimizer = AdamWConfig::new()
            .with_weight_decay(0.01)
            .with_grad_clipping(Some(GradientClippingConfig::Norm(1.0)))
            .init();
        let mut test_rng = TaskRng::new(config.seed, TEST_STREAM);
        let test_set = (0..config.eval_examples)
            .map(|_| task.generate(&mut test_rng))
            .collect();
        Ok(Self {
            train_rng: TaskRng::new(config.seed, TRAIN_STREAM),
            config,
            task,
            model,
            optimizer,
            test_set,
            step: 0,
            pending_losses: Vec::new(),
            device,
            history: Vec::new(),
        })
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn task(&self) -> &dyn Task {
        self.task.as_ref()
    }

    pub fn steps_done(&self) -> usize {
        self.step
    }

    pub fn is_finished(&self) -> bool {
        self.step >= self.config.steps
    }

    /// Whether the step just taken ends an evaluation interval (or the run).
    pub fn at_checkpoint(&self) -> bool {
        self.step > 0 && (self.step.is_multiple_of(self.config.eval_every) || self.is_finished())
    }

    pub fn history(&self) -> &[Metrics] {
        &self.history
    }

    /// The model without autodiff, for evaluation and inspection.
    pub fn inference_model(&self) -> Model {
        self.model.valid()
    }

    /// One optimiser step. Queues device work only; nothing is read back.
    pub fn step(&mut self) {
        let examples: Vec<Example> = (0..self.config.batch_size)
            .map(|_| self.task.generate(&mut self.train_rng))
            .collect();
        let batch = make_batch(&examples, &self.device);
        let logits = self.model.forward(batch.inputs);
        let loss = masked_cross_entropy(logits, batch.targets, batch.mask);
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        let lr = learning_rate(self.config.learning_rate, self.step, self.config.steps);
        self.model = self.optimizer.step(lr, self.model.clone(), grads);
        self.pending_losses.push(loss.detach());
        self.step += 1;
    }

    /// Wait for the queued steps to finish (reads the pending losses back); returns their mean.
    /// For benchmarks: `step` only queues work on asynchronous backends.
    pub async fn flush(&mut self) -> Result<f32, TrainError> {
        let losses = std::mem::take(&mut self.pending_losses);
        if losses.is_empty() {
            return Ok(f32::NAN);
        }
        Tensor::cat(losses, 0)
            .mean()
            .into_scalar_async::<f32>()
            .await
            .map_err(|e| TrainError::Device(format!("{e:?}")))
    }

    /// Read the mean loss since the last checkpoint, evaluate on held-out data and record the
    /// metrics. A NaN or infinite loss is an error.
    pub async fn checkpoint(&mut self) -> Result<Metrics, TrainError> {
        let losses = std::mem::take(&mut self.pending_losses);
        let loss = if losses.is_empty() {
            f32::NAN
        } else {
            Tensor::cat(losses, 0)
                .mean()
                .into_scalar_async::<f32>()
                .await
                .map_err(|e| TrainError::Device(format!("{e:?}")))?
        };
        if !loss.is_finite() && self.step > 0 {
            return Err(TrainError::Diverged {
                step: self.step,
                loss,
            });
        }
        let EvalReport { exact, answer, .. } = self.evaluate().await?;
        let metrics = Metrics {
            step: self.step,
            loss,
            accuracy: exact,
            answer_accuracy: answer,
        };
        self.history.push(metrics);
        Ok(metrics)
    }

    /// Teacher-forced exact match on the held-out set.
    pub async fn evaluate(&self) -> Result<EvalReport, TrainError> {
        teacher_forced(
            &self.inference_model(),
            &self.test_set,
            &self.device.clone().without_autodiff(),
        )
        .await
    }

    /// A held-out example (for inspection).
    pub fn test_example(&self, index: usize) -> &Example {
        &self.test_set[index % self.test_set.len()]
    }
}
