//! One run of a grid, trained (or a construction built) and scored into a [`GridRecord`]: the
//! one engine every grid runs on — a claim's (`lab claims run`, its live check in the page) and
//! the page's own grid ([`super::custom`]).

use burn::prelude::Device;

use super::claim::{Claim, Metric, Stopping};
use super::construct;
use super::design_id::design_hash;
use super::early_stop::EarlyStop;
use super::error::ClaimError;
use super::plan::PlannedRun;
use super::record::{GridRecord, Provenance};
use super::reproduce;
use crate::train::checkpoint;
use crate::train::eval::{ExampleScore, greedy_each, teacher_forced_each};
use crate::train::held_out::{held_out, validation_set};
use crate::train::session::Phase;
use crate::train::{Session, TrainConfig, TrainError};

/// The share of `scores` that `judged` accepts.
pub(super) fn share(scores: &[ExampleScore], judged: impl Fn(&ExampleScore) -> bool) -> f64 {
    scores.iter().filter(|s| judged(s)).count() as f64 / scores.len().max(1) as f64
}

fn bit_string(scores: &[ExampleScore], judged: impl Fn(&ExampleScore) -> bool) -> String {
    scores
        .iter()
        .map(|s| if judged(s) { '1' } else { '0' })
        .collect()
}

/// What a record says of how its run was made: everything but the scores.
pub struct RecordHead<'a> {
    /// The claim's id (`custom` for the page's own grid).
    pub claim: &'a str,
    pub quick: bool,
    pub run: &'a PlannedRun,
    /// The training budget (0 for a construction).
    pub steps: usize,
    pub batch_size: usize,
    pub metric: Metric,
    pub design: Option<String>,
    pub reproduce: Option<String>,
    pub provenance: &'a Provenance,
    pub started: web_time::Instant,
}

/// What a run scored.
pub struct Scores {
    /// The construction evaluated, for a run that trains nothing.
    pub construction: Option<String>,
    pub attention: String,
    /// Teacher-forced, on the test examples (recorded beside the judged metric).
    pub teacher_forced: Vec<ExampleScore>,
    /// The metric the grid judges, on the same examples.
    pub judged: Vec<ExampleScore>,
    /// The validation stream's metric on the final weights.
    pub validation: Option<f64>,
    /// With early stopping: (steps trained, the step from which the threshold held).
    pub stopped: Option<(usize, Option<usize>)>,
    pub loss: Option<f32>,
}

impl RecordHead<'_> {
    /// The record of this run with its `scores`.
    pub fn record(&self, scores: Scores) -> GridRecord {
        let exact = |s: &ExampleScore| s.exact;
        let series = &self.run.series;
        GridRecord {
            claim: self.claim.to_string(),
            quick: self.quick,
            series: series.name.to_string(),
            architecture: series.architecture.name().to_string(),
            layers: series.layers,
            width: self.run.width,
            size: self.run.size,
            seed: self.run.seed,
            steps: self.steps,
            batch_size: self.batch_size,
            learning_rate: series.learning_rate,
            construction: scores.construction,
            attention: scores.attention,
            metric: self.metric,
            accuracy: share(&scores.judged, exact),
            teacher_forced: share(&scores.teacher_forced, exact),
            answer: share(&scores.judged, |s| s.answer),
            final_loss: scores.loss,
            correct: bit_string(&scores.judged, exact),
            validation: scores.validation,
            design: self.design.clone(),
            steps_trained: scores.stopped.map(|(trained, _)| trained),
            steps_to_threshold: scores.stopped.and_then(|(_, reached)| reached),
            reproduce: self.reproduce.clone(),
            seconds: self.started.elapsed().as_secs_f64(),
            provenance: self.provenance.clone(),
        }
    }
}

/// Train `config` to its end — or, with `stopping.check_every > 0`, until the validation metric
/// has held `stopping.level` at two consecutive checks every `check_every` steps — and score the
/// final weights on the run's test examples (and its validation stream, `config.eval_examples`
/// of each). `on_step` gets the steps done and returns `false` to cancel.
pub async fn train_scored(
    config: TrainConfig,
    metric: Metric,
    stopping: Stopping,
    device: &Device,
    on_step: impl FnMut(usize) -> bool,
) -> Result<Scores, ClaimError> {
    let plain = device.clone().without_autodiff();
    let attention = config.model.attention.name().to_string();
    let task = config.task().map_err(TrainError::from)?;
    let validation_examples = validation_set(task.as_ref(), config.seed, config.eval_examples);
    let mut session = Session::new(device);
    session.start(config)?;
    let validate = async |model: &crate::models::Model| -> Result<f64, ClaimError> {
        let scores = match metric {
            Metric::Accuracy => teacher_forced_each(model, &validation_examples, &plain).await?,
            Metric::GreedyCot => greedy_each(model, &validation_examples, &plain).await?,
        };
        Ok(share(&scores, |s| s.exact))
    };
    // (steps trained, steps to the threshold) and the last check's validation metric, which
    // was taken on the final weights: the loop ends right after a check.
    let mut stopped = None;
    let mut last_check = None;
    if stopping.check_every == 0 {
        session.run_to_end(on_step).await?;
    } else {
        let mut on_step = on_step;
        let mut early = EarlyStop::default();
        while session.phase() == Phase::Running {
            let next = session.step() + stopping.check_every;
            session.run_until(next, &mut on_step).await?;
            let model = session
                .inference_model()
                .ok_or(TrainError::Device("the run has no model".into()))?;
            let value = validate(&model).await?;
            last_check = Some(value);
            if early.observe(session.step(), value, stopping.level) {
                break;
            }
        }
        stopped = Some((session.step(), early.steps_to_threshold()));
    }
    let loss = session.history().last().map(|m| m.final_loss());
    let model = session
        .inference_model()
        .ok_or(TrainError::Device("the run has no model".into()))?;
    let teacher_forced = teacher_forced_each(&model, session.test_set(), &plain).await?;
    let judged = match metric {
        Metric::Accuracy => teacher_forced.clone(),
        Metric::GreedyCot => greedy_each(&model, session.test_set(), &plain).await?,
    };
    let validation = match last_check {
        Some(value) => value,
        None => validate(&model).await?,
    };
    Ok(Scores {
        construction: None,
        attention,
        teacher_forced,
        judged,
        validation: Some(validation),
        stopped,
        loss,
    })
}

/// Train (or build) and evaluate one run of `claim`'s grid. `on_step` gets the training steps
/// done and returns `false` to cancel.
pub async fn execute(
    claim: &Claim,
    quick: bool,
    run: &PlannedRun,
    device: &Device,
    provenance: &Provenance,
    on_step: impl FnMut(usize) -> bool,
) -> Result<GridRecord, ClaimError> {
    let design = claim.design(quick);
    let mut head = RecordHead {
        claim: claim.id,
        quick,
        run,
        steps: design.steps,
        batch_size: design.batch_size,
        metric: claim.metric,
        design: Some(design_hash(claim, quick)),
        reproduce: Some(reproduce::command(claim.id, quick, &run.key())),
        provenance,
        started: web_time::Instant::now(),
    };
    if let Some(mode) = run.series.construction_mode {
        let name = claim.construction.ok_or_else(|| {
            ClaimError::Records(format!("{} has no construction to evaluate", claim.id))
        })?;
        let plain = device.clone().without_autodiff();
        let (_, scores) = construction_scores(
            name,
            run.size,
            Some(mode),
            &[run.seed],
            design.eval_examples,
            &plain,
        )
        .await?;
        head.steps = 0;
        return Ok(head.record(Scores {
            construction: Some(name.to_string()),
            attention: mode.name().to_string(),
            teacher_forced: scores.clone(),
            judged: scores,
            validation: None,
            stopped: None,
            loss: None,
        }));
    }
    let config = claim.train_config(&run.series, run.size, run.width, run.seed, quick);
    let stopping = design.stopping(claim.metric.threshold());
    let scores = train_scored(config, claim.metric, stopping, device, on_step).await?;
    Ok(head.record(scores))
}

/// The construction `name` built for `size`, under `mode` (its own when `None`), scored
/// teacher-forced on the test examples of every seed: its width and the scores.
pub(super) async fn construction_scores(
    name: &str,
    size: usize,
    mode: Option<crate::models::AttentionMode>,
    seeds: &[u64],
    count: usize,
    plain: &Device,
) -> Result<(usize, Vec<ExampleScore>), ClaimError> {
    let built = construct::find(name)?.build(size)?;
    let loaded =
        checkpoint::load(&built.bytes, plain).map_err(|e| ClaimError::Construct(e.into()))?;
    let arch = &loaded.meta.train.model;
    let (width, scale) = (arch.d_model, arch.softmax_scale);
    let task = loaded.meta.train.task().map_err(TrainError::from)?;
    let model = match mode {
        Some(mode) => loaded.model.with_mode(mode, scale),
        None => loaded.model,
    };
    let mut scores = Vec::new();
    for &seed in seeds {
        let examples = held_out(task.as_ref(), seed, count);
        scores.extend(teacher_forced_each(&model, &examples, plain).await?);
    }
    Ok((width, scores))
}
