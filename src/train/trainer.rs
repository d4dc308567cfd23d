//! The training loop: AdamW on masked cross-entropy, losses kept on the device and read back
//! only at checkpoints (every `eval_every` steps), never per step.

use burn::optim::GradientsParams;
use burn::prelude::*;

use super::adamw::AdamW;
use super::batch::make_batch;
use super::checkpoint::{self, CheckpointError};
use super::eval::{EvalReport, GreedyReport, greedy, teacher_forced};
use super::held_out::{TrainingStream, held_out};
use super::loss::masked_cross_entropy;
use super::metrics::{FreeAccuracy, INIT, LAST_LOSS_STEPS, Metrics};
use super::resume::{ResumeState, param_ids, with_param_ids};
use super::schedule::{learning_rate, softmax_scale};
use super::{TrainConfig, TrainError};
use crate::models::{Model, SequenceModel};
use crate::tasks::{Example, Task};

/// `(mean of all, mean of the last LAST_LOSS_STEPS)` of the losses read back; NaN when empty.
fn window_and_last(losses: &[f32]) -> (f32, f32) {
    let mean = |v: &[f32]| {
        if v.is_empty() {
            f32::NAN
        } else {
            v.iter().sum::<f32>() / v.len() as f32
        }
    };
    let tail = &losses[losses.len().saturating_sub(LAST_LOSS_STEPS)..];
    (mean(losses), mean(tail))
}

/// The task of step `step`: a curriculum's smaller size, or the task itself.
fn stage_task<'a>(
    config: &TrainConfig,
    task: &'a dyn Task,
    curriculum: &'a [super::config::SizedTask],
    step: usize,
) -> &'a dyn Task {
    match config.curriculum {
        Some(c) => {
            let size = c.size_at(step, config.steps, config.task.size);
            curriculum
                .iter()
                .find(|(s, _)| *s == size)
                .map_or(task, |(_, t)| t.as_ref())
        }
        None => task,
    }
}

/// A training run in progress.
pub struct Trainer {
    config: TrainConfig,
    task: Box<dyn Task>,
    /// The smaller sizes of a curriculum, smallest first (empty without one).
    curriculum: Vec<super::config::SizedTask>,
    model: Model,
    optimizer: AdamW,
    /// Training examples: never a test prompt, with the generator's label balance.
    stream: TrainingStream,
    test_set: Vec<Example>,
    step: usize,
    pending_losses: Vec<Tensor<1>>,
    device: Device,
    history: Vec<Metrics>,
    /// The weights at the last evaluation with a finite loss (the initial ones at first):
    /// restored when the loss becomes NaN or infinite.
    last_good: (usize, Model),
}

/// Reads every float parameter, which makes burn draw its lazily initialised values.
struct Materialise;

impl burn::module::ModuleVisitor for Materialise {
    fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
        let _ = param.val();
    }
}

impl Trainer {
    /// Validate the config and initialise the model on `device` (autodiff is added here).
    pub fn new(config: TrainConfig, device: &Device) -> Result<Self, TrainError> {
        config.validate()?;
        let task = config.task()?;
        let device = device.clone().autodiff();
        let model_config = config.model()?;
        let model = {
            // burn's device RNG is process-wide: seeding it and drawing the initial weights
            // must not interleave with another trainer doing the same in another thread (the
            // same seed would give other weights).
            let _init = INIT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            device.seed(config.seed);
            let model = Model::new(&model_config, &device)?;
            // burn initialises parameters lazily, at first use: draw them all now, under
            // the lock.
            model.visit(&mut Materialise);
            model
        };
        Ok(Self::assemble(config, task, model, device))
    }

    /// A trainer for `model` (on the autodiff `device`) at step 0 with a fresh optimizer.
    fn assemble(config: TrainConfig, task: Box<dyn Task>, model: Model, device: Device) -> Self {
        let test_set = held_out(task.as_ref(), config.seed, config.eval_examples);
        // Validated with the config (`TrainConfig::validate`).
        let curriculum = config.curriculum_tasks().unwrap_or_default();
        Self {
            curriculum,
            stream: TrainingStream::new(config.seed, &test_set),
            last_good: (0, model.clone()),
            config,
            task,
            model,
            optimizer: AdamW::new(),
            test_set,
            step: 0,
            pending_losses: Vec::new(),
            device,
            history: Vec::new(),
        }
    }

    /// Continue a run saved at an evaluation point: its weights (`model`, loaded on the
    /// autodiff `device`: `checkpoint::load(bytes, &device.autodiff())`), the steps it had done, its history, its resume state and its
    /// optimizer's state ([`Trainer::optimizer_state`]). Trains on exactly as the run would have.
    pub fn resumed(
        config: TrainConfig,
        device: &Device,
        model: Model,
        steps_done: usize,
        history: Vec<Metrics>,
        state: &ResumeState,
        optimizer_state: &[u8],
    ) -> Result<Self, TrainError> {
        config.validate()?;
        if steps_done > config.steps {
            return Err(TrainError::Resume(format!(
                "it has done {steps_done} steps, more than the {} of its config",
                config.steps
            )));
        }
        let task = config.task()?;
        let device = device.clone().autodiff();
        let model = with_param_ids(model.to_device(&device), &state.param_ids)?;
        // On the trainer's own device (burn's `load_record` used `Device::default()`, in the
        // wasm build the WebGPU one, uninitialised when the page trains on the CPU).
        let optimizer = AdamW::from_bytes(optimizer_state, &device)
            .map_err(|e| TrainError::Resume(e.to_string()))?;
        let mut trainer = Self::assemble(config, task, model.clone(), device);
        trainer.optimizer = optimizer;
        trainer.stream =
            TrainingStream::resume(trainer.config.seed, &trainer.test_set, state.stream);
        trainer.step = steps_done;
        trainer.last_good = (steps_done, model);
        trainer.history = history;
        Ok(trainer)
    }

    /// Whether nothing happened since the last evaluation (or the start): the only points a
    /// run can be saved to resume from (no loss is pending, the weights are the last good ones).
    pub fn at_evaluation_point(&self) -> bool {
        self.pending_losses.is_empty() && self.last_good.0 == self.step
    }

    /// Where this run stands besides its weights, step and history.
    pub fn resume_state(&self) -> ResumeState {
        ResumeState {
            stream: self.stream.position(),
            param_ids: param_ids(&self.model),
        }
    }

    /// The optimizer's state (burn's optimizer record, burnpack bytes: see [`AdamW`]), read
    /// synchronously: fine on the CPU backend (native and wasm), not on WebGPU in a browser
    /// (there every synchronous read panics; use [`Trainer::optimizer_state_async`]).
    pub fn optimizer_state(&self) -> Result<Vec<u8>, TrainError> {
        self.optimizer
            .to_bytes()
            .map_err(|e| TrainError::Device(e.to_string()))
    }

    /// [`Trainer::optimizer_state`] with asynchronous reads (the same bytes): works on every
    /// backend, WebGPU in a browser included.
    pub async fn optimizer_state_async(&self) -> Result<Vec<u8>, TrainError> {
        self.optimizer
            .to_bytes_async()
            .await
            .map_err(|e| TrainError::Device(e.to_string()))
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

    /// Training examples redrawn so far because their prompt is a test prompt.
    pub fn rejected_examples(&self) -> usize {
        self.stream.redrawn()
    }

    /// Test prompts trained on: only when the task's prompt space is about the size of the
    /// test set (every redraw was a test prompt too).
    pub fn leaked_test_prompts(&self) -> usize {
        self.stream.leaked()
    }

    /// Replace the model (same architecture), e.g. to continue from other weights.
    pub fn map_model(&mut self, f: impl FnOnce(Model) -> Model) {
        self.model = f(self.model.clone());
    }

    /// The next training example: from the training stream, never a test prompt, with the
    /// generator's label balance (see [`TrainingStream`]). `step` draws its batches here.
    pub fn next_training_example(&mut self) -> Example {
        let task = stage_task(
            &self.config,
            self.task.as_ref(),
            &self.curriculum,
            self.step,
        );
        self.stream.next_example(task)
    }

    /// One optimiser step. Queues device work only; nothing is read back.
    pub fn step(&mut self) -> Result<(), TrainError> {
        let examples: Vec<Example> = (0..self.config.batch_size)
            .map(|_| self.next_training_example())
            .collect();
        let batch = make_batch(&examples, &self.device);
        // A growing softmax scale: this step trains at this step's scale.
        if let Some(from) = self.config.softmax_scale_from {
            let arch = &self.config.model;
            let scale = softmax_scale(from, arch.softmax_scale, self.step, self.config.steps);
            let mode = arch.attention;
            self.model = self.model.clone().with_mode(mode, scale);
        }
        // Logits only where the loss reads them: a classification task's answer is one
        // position of a hundred.
        let (targets, mask) = batch.graded_targets();
        // A curriculum's smaller size lays its pairs out for its own halves; the weights are
        // the same parameters, so the gradients apply to the model as it is.
        let stage = stage_task(
            &self.config,
            self.task.as_ref(),
            &self.curriculum,
            self.step,
        );
        let logits = match (self.model.paired_halves(), stage.paired_halves()) {
            (Some(built), Some(n)) if built != n => self
                .model
                .clone()
                .with_pairs_of(n)
                .forward_at(batch.inputs, &batch.graded)?,
            _ => self.model.forward_at(batch.inputs, &batch.graded)?,
        };
        let loss = masked_cross_entropy(logits, targets, mask);
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        let lr = learning_rate(self.config.learning_rate, self.step, self.config.steps);
        // Fails only when a resumed state does not fit its parameter; the weights stay.
        self.model = self
            .optimizer
            .step(lr, self.model.clone(), grads)
            .map_err(|e| TrainError::Resume(e.to_string()))?;
        self.pending_losses.push(loss.detach());
        self.step += 1;
        Ok(())
    }

    /// Wait for the queued steps to finish (reads the pending losses back); returns their mean.
    /// For benchmarks: `step` only queues work on asynchronous backends.
    pub async fn flush(&mut self) -> Result<f32, TrainError> {
        Ok(window_and_last(&self.read_losses().await?).0)
    }

    /// The losses of the steps queued since the last read, in step order (one read back).
    async fn read_losses(&mut self) -> Result<Vec<f32>, TrainError> {
        let losses = std::mem::take(&mut self.pending_losses);
        if losses.is_empty() {
            return Ok(Vec::new());
        }
        let data = Tensor::cat(losses, 0)
            .into_data_async()
            .await
            .map_err(|e| TrainError::Device(format!("{e:?}")))?;
        Ok(data.iter::<f32>().collect())
    }

    /// Read the losses since the last checkpoint (their mean and the last loss), evaluate on
    /// held-out data and record the metrics. A NaN or infinite loss is an error
    /// ([`TrainError::Diverged`]); the weights stay as they are: the training session decides
    /// what a divergence does (it restores the last good weights, [`Trainer::restore_last_good`]).
    pub async fn checkpoint(&mut self) -> Result<Metrics, TrainError> {
        let (loss, last_loss) = window_and_last(&self.read_losses().await?);
        if !loss.is_finite() && self.step > 0 {
            return Err(TrainError::Diverged {
                step: self.step,
                loss,
                restored: self.last_good.0,
            });
        }
        self.last_good = (self.step, self.model.clone());
        let EvalReport { exact, answer, .. } = self.evaluate().await?;
        let metrics = Metrics {
            step: self.step,
            loss,
            last_loss: Some(last_loss),
            accuracy: exact,
            answer_accuracy: answer,
            free: None,
            agreement: None,
            elapsed_s: None,
        };
        self.history.push(metrics);
        Ok(metrics)
    }

    /// Back to the weights of the last evaluation with a finite loss, with a fresh optimiser
    /// (its moments may hold NaN too); returns that evaluation's step. Only the training
    /// session calls this (one place decides what a divergence does).
    pub(super) fn restore_last_good(&mut self) -> usize {
        let (restored, model) = self.last_good.clone();
        self.model = model;
        self.optimizer = AdamW::new();
        restored
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

    /// Greedy generation with the cached decoder on the held-out set (answer and full CoT).
    pub async fn evaluate_greedy(&self) -> Result<GreedyReport, TrainError> {
        greedy(
            &self.inference_model(),
            &self.test_set,
            &self.device.clone().without_autodiff(),
        )
        .await
    }

    /// Free generation on the held-out set now, recorded in the last evaluation's metrics when
    /// that evaluation is of this step (the page's runs ask for it at every evaluation).
    pub async fn record_free_accuracy(&mut self) -> Result<Option<Metrics>, TrainError> {
        let report = self.evaluate_greedy().await?;
        let step = self.step;
        Ok(self.history.last_mut().filter(|m| m.step == step).map(|m| {
            m.free = Some(FreeAccuracy {
                full: report.full,
                answer: report.answer,
            });
            *m
        }))
    }

    /// Annotate the last evaluation's metrics when that evaluation is of this step (what the
    /// page measures beside the trainer: the best head's agreement, the wall-clock time); the
    /// updated metrics.
    pub fn annotate(&mut self, f: impl FnOnce(&mut Metrics)) -> Option<Metrics> {
        let step = self.step;
        self.history.last_mut().filter(|m| m.step == step).map(|m| {
            f(m);
            *m
        })
    }

    /// The held-out examples.
    pub fn test_set(&self) -> &[Example] {
        &self.test_set
    }

    /// The current weights as a checkpoint file (safetensors with the config in its metadata).
    pub async fn save(&self, note: &str) -> Result<Vec<u8>, CheckpointError> {
        let mut meta = checkpoint::meta_for(&self.config)?;
        meta.steps_done = self.step;
        meta.history = self.history.clone();
        meta.note = note.to_string();
        checkpoint::save(&self.inference_model(), &meta).await
    }

    /// A held-out example (for inspection).
    pub fn test_example(&self, index: usize) -> &Example {
        &self.test_set[index % self.test_set.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_loss_is_the_mean_of_the_final_steps_not_of_the_interval() {
        let losses: Vec<f32> = (0..100).map(|i| 100.0 - i as f32).collect();
        let (mean, last) = window_and_last(&losses);
        assert_eq!(mean, 50.5);
        // Steps 90..100 have losses 10, 9, …, 1.
        assert_eq!(last, 5.5);
        let (mean, last) = window_and_last(&[2.0, 4.0]);
        assert_eq!((mean, last), (3.0, 3.0));
        assert!(window_and_last(&[]).0.is_nan());
    }

    fn disjointness(size: usize, steps: usize, curriculum: Option<&str>) -> TrainConfig {
        TrainConfig {
            task: crate::tasks::TaskSpec {
                size,
                ..crate::tasks::TaskSpec::default_for(crate::tasks::TaskKind::Disjointness)
            },
            steps,
            curriculum: curriculum.map(|c| super::super::Curriculum::parse(c).unwrap()),
            ..TrainConfig::default()
        }
    }

    #[test]
    fn a_curriculum_trains_the_smaller_sizes_first_in_equal_stages() {
        let c = super::super::Curriculum::parse("4:0.5").unwrap();
        assert_eq!(c.stages(16), vec![4, 8]);
        // 100 steps: 50 on smaller sizes, 25 each, then the task's size.
        let sizes: Vec<usize> = [0, 24, 25, 49, 50, 99]
            .iter()
            .map(|&s| c.size_at(s, 100, 16))
            .collect();
        assert_eq!(sizes, vec![4, 4, 8, 8, 16, 16]);
        // The examples drawn follow it: a prompt of size N has 2N bits and a separator.
        let config = disjointness(16, 100, Some("4:0.5"));
        let plain = disjointness(16, 100, None).task().unwrap();
        let mut trainer = Trainer::new(config, &Device::flex()).unwrap();
        let prompt_len = |n: usize| {
            let task = disjointness(n, 100, None).task().unwrap();
            task.generate(&mut crate::tasks::TaskRng::new(1, 0))
                .prompt()
                .len()
        };
        assert_eq!(
            trainer.next_training_example().prompt().len(),
            prompt_len(4)
        );
        trainer.step = 30;
        assert_eq!(
            trainer.next_training_example().prompt().len(),
            prompt_len(8)
        );
        trainer.step = 60;
        let full = trainer.next_training_example();
        assert_eq!(
            full.prompt().len(),
            plain
                .generate(&mut crate::tasks::TaskRng::new(1, 0))
                .prompt()
                .len()
        );
        // Evaluation stays at the task's size.
        assert!(
            trainer
                .test_set
                .iter()
                .all(|ex| ex.prompt().len() == prompt_len(16))
        );
    }

    // Native only: blocks on reading the losses back (no executor on wasm32 here).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_curriculum_with_shared_pair_codes_lays_out_each_size_for_itself() {
        let mut config = disjointness(16, 100, Some("4:0.5"));
        config.model.pairs_share_position = true;
        config.model.d_model = 16;
        config.model.n_layers = 1;
        config.batch_size = 4;
        let mut trainer = Trainer::new(config, &Device::flex()).unwrap();
        // A step at size 4 and one at the task's size 16, each with its own layout.
        for step in [0, 60] {
            trainer.step = step;
            trainer.step().unwrap();
        }
        let losses = pollster::block_on(trainer.read_losses()).unwrap();
        assert_eq!(losses.len(), 2);
        assert!(losses.iter().all(|l| l.is_finite()), "{losses:?}");
        // The model keeps the task's own layout between steps.
        assert_eq!(trainer.model.paired_halves(), Some(16));
    }

    #[test]
    fn a_curriculum_the_task_cannot_follow_is_refused_with_the_reason() {
        let refused = |config: TrainConfig| config.validate().unwrap_err().to_string();
        assert!(refused(disjointness(16, 100, Some("16"))).contains("must start below"));
        assert!(refused(disjointness(16, 100, Some("4:1.5"))).contains("(0, 1]"));
        assert!(refused(disjointness(16, 1, Some("2:0.5"))).contains("cannot give"));
        // Index lookup names its indices @0 … @255 at every size: a curriculum serves it.
        let lookup = TrainConfig {
            task: crate::tasks::TaskSpec {
                size: 16,
                ..crate::tasks::TaskSpec::default_for(crate::tasks::TaskKind::IndexLookup)
            },
            curriculum: Some(super::super::Curriculum::parse("4").unwrap()),
            ..TrainConfig::default()
        };
        assert!(lookup.validate().is_ok());
        assert!(super::super::Curriculum::parse("x:0.5").is_err());
    }

    #[test]
    fn histories_without_the_last_loss_still_read() {
        let old = r#"{"step":5,"loss":1.5,"accuracy":0.5,"answer_accuracy":0.25}"#;
        let m: Metrics = serde_json::from_str(old).unwrap();
        assert_eq!(m.last_loss, None);
        assert_eq!(m.final_loss(), 1.5);
        // Written back, it is the same JSON (checkpoint checksums re-serialise the metadata).
        assert_eq!(serde_json::to_string(&m).unwrap(), old);
        let new = Metrics {
            last_loss: Some(0.5),
            ..m
        };
        assert_eq!(new.final_loss(), 0.5);
        let text = serde_json::to_string(&new).unwrap();
        assert_eq!(serde_json::from_str::<Metrics>(&text).unwrap(), new);
    }
}
