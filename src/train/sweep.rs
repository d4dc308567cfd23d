//! Sweeps: grids of training runs (architecture × width × problem size) that reproduce the
//! papers' separations, each preset with the claim it tests and an honest verdict on whether
//! the expected shape appeared. Same code native (`lab sweep`) and in the page.

use serde::{Deserialize, Serialize};

use super::eval::teacher_forced;
use super::held_out::sweep_examples;
use super::{Session, TrainConfig, TrainError};
use crate::models::{ArchSpec, Architecture, AttentionMode, PositionalEncoding};
use crate::tasks::{TaskKind, TaskSpec};

/// One run of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRun {
    /// The curve this run belongs to (e.g. "transformer-1L", "lstm").
    pub series: String,
    pub config: TrainConfig,
    /// Sizes to evaluate at after training besides the training size (length
    /// generalisation); the model's context is made long enough for the largest.
    pub eval_sizes: Vec<usize>,
    /// Attention modes to re-evaluate the trained weights under (at every evaluation size).
    #[serde(default)]
    pub switch_modes: Vec<AttentionMode>,
}

/// What identifies a run in a sweep's output: a resumed sweep skips the runs whose key is
/// already there (the steps are part of it, so another `--scale` is another run).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SweepKey {
    /// The task's name (a custom sweep may run any task).
    pub task: String,
    pub series: String,
    pub layers: usize,
    pub width: usize,
    pub size: usize,
    pub steps: usize,
}

impl std::fmt::Display for SweepKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} ({} layers) width {} size {} ({} steps)",
            self.task, self.series, self.layers, self.width, self.size, self.steps
        )
    }
}

impl SweepRun {
    pub fn key(&self) -> SweepKey {
        SweepKey {
            task: self.config.task.task.name().into(),
            series: self.series.clone(),
            layers: self.config.model.n_layers,
            width: self.config.model.d_model,
            size: self.config.task.size,
            steps: self.config.steps,
        }
    }
}

/// What one run reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub series: String,
    pub task: String,
    pub architecture: String,
    pub width: usize,
    pub layers: usize,
    pub size: usize,
    pub steps: usize,
    pub seconds: f64,
    pub final_loss: f32,
    /// Held-out teacher-forced exact match of CoT + answer (decision tasks: accuracy).
    pub accuracy: f32,
    pub answer_accuracy: f32,
    /// `(size, accuracy)` at each extra evaluation size.
    pub by_size: Vec<(usize, f32)>,
    /// `(mode, size, accuracy)` of the same weights switched to another attention mode.
    #[serde(default)]
    pub switched: Vec<(String, usize, f32)>,
}

impl RunResult {
    pub fn key(&self) -> SweepKey {
        SweepKey {
            task: self.task.clone(),
            series: self.series.clone(),
            layers: self.layers,
            width: self.width,
            size: self.size,
            steps: self.steps,
        }
    }
}

/// Whether the expected separation showed up, with the numbers that decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub appeared: bool,
    pub summary: String,
}

/// A finished sweep, as written to `assets/results/<preset>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResults {
    pub preset: String,
    pub claim: String,
    pub runs: Vec<RunResult>,
    pub verdict: Verdict,
}

/// The sweeps that reproduce a separation, and the user's own grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PresetName {
    IndexLookup,
    Dyck,
    Equality,
    DpWidth,
    Majority,
    Custom,
}

impl PresetName {
    /// The presets (every name but `custom`).
    pub const PRESETS: [PresetName; 5] = [
        Self::IndexLookup,
        Self::Dyck,
        Self::Equality,
        Self::DpWidth,
        Self::Majority,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::IndexLookup => "index-lookup",
            Self::Dyck => "dyck",
            Self::Equality => "equality",
            Self::DpWidth => "dp-width",
            Self::Majority => "majority",
            Self::Custom => "custom",
        }
    }

    /// A preset by name (`custom` is built from a grid, not by name).
    pub fn from_name(name: &str) -> Result<Self, SweepError> {
        Self::PRESETS
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| SweepError::UnknownPreset(name.to_string()))
    }
}

impl std::fmt::Display for PresetName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The preset names, comma-separated (for messages and `--help`).
pub fn preset_list() -> String {
    PresetName::PRESETS.map(PresetName::name).join(", ")
}

/// Why a sweep cannot be built or run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SweepError {
    #[error("unknown preset `{0}`; presets: {list}", list = preset_list())]
    UnknownPreset(String),
    #[error("the scale must be in (0, {MAX_SCALE}], got {0}")]
    BadScale(f64),
    #[error("a custom grid needs at least one size, one width and one architecture")]
    EmptyGrid,
    #[error("{0} is not a run of this sweep's grid (another preset, --scale or grid?)")]
    NotInGrid(String),
    #[error("{0} appears twice")]
    Duplicate(String),
    #[error("{0} runs is too many for one sweep (at most {MAX_CUSTOM_RUNS})")]
    TooManyRuns(usize),
    #[error("{architecture} at size {size}, width {width}: {error}")]
    InvalidRun {
        architecture: &'static str,
        size: usize,
        width: usize,
        error: TrainError,
    },
    #[error(transparent)]
    Train(#[from] TrainError),
}

/// A named grid with its claim and its verdict rule.
#[derive(Clone, Debug)]
pub struct Preset {
    pub name: PresetName,
    /// The paper's claim in one sentence (shown under the plot); for a custom grid, what it is.
    pub claim: String,
    /// Whether the grid tests an expected separation (presets) or only measures (custom).
    pub tests_claim: bool,
    pub runs: Vec<SweepRun>,
    judge: fn(&[RunResult]) -> Verdict,
}

impl Preset {
    /// The verdict on the whole grid; on a part of it (a shard, an interrupted sweep) no
    /// verdict: it says how many runs are missing.
    pub fn judge_if_complete(&self, results: &[RunResult]) -> Verdict {
        let done: std::collections::HashSet<SweepKey> =
            results.iter().map(RunResult::key).collect();
        let missing = self
            .runs
            .iter()
            .filter(|r| !done.contains(&r.key()))
            .count();
        if missing == 0 {
            return self.judge(results);
        }
        Verdict {
            appeared: false,
            summary: format!(
                "partial: {missing} of {} runs missing; no verdict until the grid is complete (lab sweep --merge joins the parts)",
                self.runs.len()
            ),
        }
    }

    /// `results` in the order of the grid; refuses a run that is not part of it or appears
    /// twice (e.g. parts of two different sweeps).
    pub fn in_grid_order(&self, results: Vec<RunResult>) -> Result<Vec<RunResult>, SweepError> {
        let order: std::collections::HashMap<SweepKey, usize> = self
            .runs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.key(), i))
            .collect();
        let mut seen = std::collections::HashSet::new();
        for r in &results {
            let key = r.key();
            if !order.contains_key(&key) {
                return Err(SweepError::NotInGrid(key.to_string()));
            }
            if !seen.insert(key.clone()) {
                return Err(SweepError::Duplicate(key.to_string()));
            }
        }
        let mut results = results;
        results.sort_by_key(|r| order.get(&r.key()).copied());
        Ok(results)
    }

    pub fn judge(&self, results: &[RunResult]) -> Verdict {
        (self.judge)(results)
    }
}

/// Attention heads for a width on the sweeps' and claims' grids: 4 from width 32, 2 from 8,
/// else 1 (every width of a doubling grid stays divisible).
pub fn heads_for(width: usize) -> usize {
    match width {
        w if w >= 32 => 4,
        w if w >= 8 => 2,
        _ => 1,
    }
}

/// One run of any sweep: sinusoidal positions for transformers and none for recurrent models,
/// heads by [`heads_for`], batch 32, learning rate 3e-3, evaluation only at the end.
pub fn sweep_config(
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

fn plain_run(series: &str, config: TrainConfig) -> SweepRun {
    SweepRun {
        series: series.into(),
        config,
        eval_sizes: Vec::new(),
        switch_modes: Vec::new(),
    }
}

/// Every (size, width, series) of one task: `series` are (name, architecture, layers).
fn grid(
    task: TaskKind,
    sizes: &[usize],
    widths: &[usize],
    series: &[(&str, Architecture, usize)],
    steps: usize,
) -> Vec<SweepRun> {
    let mut runs = Vec::new();
    for &n in sizes {
        for &w in widths {
            for &(name, arch, layers) in series {
                let mut c = sweep_config(task, n, arch, w, layers);
                c.steps = steps;
                runs.push(plain_run(name, c));
            }
        }
    }
    runs
}

const TRANSFORMER_1L: (&str, Architecture, usize) = ("transformer-1L", Architecture::Standard, 1);
const LSTM: (&str, Architecture, usize) = ("lstm", Architecture::Lstm, 1);

fn index_lookup_runs(steps: usize) -> Vec<SweepRun> {
    let series = [TRANSFORMER_1L, LSTM, ("ssm", Architecture::Ssm, 1)];
    grid(
        TaskKind::IndexLookup,
        &[16, 32, 64, 128],
        &[16, 32, 64],
        &series,
        steps,
    )
}

fn dyck_runs(steps: usize) -> Vec<SweepRun> {
    grid(
        TaskKind::Dyck,
        &[16, 32, 64],
        &[16, 32, 64],
        &[TRANSFORMER_1L, LSTM],
        steps,
    )
}

fn equality_runs(steps: usize) -> Vec<SweepRun> {
    let series = [
        ("transformer-2L", Architecture::Standard, 2),
        TRANSFORMER_1L,
        LSTM,
    ];
    grid(
        TaskKind::Equality,
        &[8, 16, 32],
        &[16, 32, 64],
        &series,
        steps,
    )
}

fn dp_width_runs(steps: usize) -> Vec<SweepRun> {
    let mut runs = Vec::new();
    for (task, sizes) in [
        (TaskKind::Lis, [4, 6, 8]),
        (TaskKind::Ed, [3, 4, 5]),
        (TaskKind::Arithmetic, [2, 3, 4]),
    ] {
        let name = |arch: &str| format!("{}:{arch}", task.name());
        let (standard, sparse, linear) = (name("standard"), name("sparse"), name("linear"));
        let series = [
            (standard.as_str(), Architecture::Standard, 2),
            (sparse.as_str(), Architecture::Sparse, 2),
            (linear.as_str(), Architecture::Linear, 2),
        ];
        runs.extend(grid(task, &sizes, &[32, 64], &series, steps));
    }
    runs
}

fn majority_runs(steps: usize) -> Vec<SweepRun> {
    let mut runs = Vec::new();
    for mode in AttentionMode::ALL {
        for positional in PositionalEncoding::ABSOLUTE {
            let mut c = sweep_config(TaskKind::Majority, 15, Architecture::Standard, 32, 1);
            c.model.attention = mode;
            c.model.positional = positional;
            c.steps = steps;
            let mut r = plain_run(&format!("{}/{}", mode.name(), positional.name()), c);
            r.eval_sizes = vec![31, 63];
            if mode == AttentionMode::Softmax {
                r.switch_modes = vec![AttentionMode::Saturated, AttentionMode::Hard];
            }
            runs.push(r);
        }
    }
    runs
}

/// The largest budget multiplier of a sweep (`lab sweep --scale`).
pub const MAX_SCALE: f64 = 100.0;

/// Build a preset by name; `scale` (0 < scale ≤ [`MAX_SCALE`]) multiplies the step counts:
/// below 1 for quick runs, above 1 for budgets closer to the papers'.
pub fn preset(name: &str, scale: f64) -> Result<Preset, SweepError> {
    if !(scale > 0.0 && scale <= MAX_SCALE) {
        return Err(SweepError::BadScale(scale));
    }
    let name = PresetName::from_name(name)?;
    let steps = |n: usize| ((n as f64 * scale).round() as usize).max(20);
    type Judge = fn(&[RunResult]) -> Verdict;
    let (runs, claim, judge): (Vec<SweepRun>, &str, Judge) = match name {
        PresetName::IndexLookup => (
            index_lookup_runs(steps(1500)),
            "A one-layer transformer of logarithmic width solves index lookup at every length; recurrent models need width linear in the length (Bhattamishra et al. 2024).",
            judge_index_lookup,
        ),
        PresetName::Dyck => (
            dyck_runs(steps(1500)),
            "Bounded-depth Dyck is easy for small recurrent models, while one-layer transformers need more width (Bhattamishra et al. 2024).",
            judge_dyck,
        ),
        PresetName::Equality => (
            equality_runs(steps(1500)),
            "Two-layer transformers of logarithmic width decide string equality; one-layer transformers and RNNs of the same width struggle (Bhattamishra et al. 2024).",
            judge_equality,
        ),
        PresetName::DpWidth => (
            dp_width_runs(steps(1500)),
            "Sparse and linear transformers solve DP problems with chain of thought but need width growing with the size, except on local problems such as arithmetic (Yang et al. 2024).",
            judge_dp_width,
        ),
        PresetName::Majority => (
            majority_runs(steps(1000)),
            "Saturated attention can count, so it computes MAJORITY; hard attention cannot (Merrill et al. 2022). Trained on length 15 (in each mode, and softmax-trained weights switched to saturated/hard), tested on 31 and 63.",
            judge_majority,
        ),
        PresetName::Custom => return Err(SweepError::UnknownPreset(name.name().into())),
    };
    Ok(Preset {
        name,
        claim: claim.to_string(),
        tests_claim: true,
        runs,
        judge,
    })
}

/// A grid of the user's choosing: one task, sizes × widths × architectures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomGrid {
    pub task: TaskKind,
    pub sizes: Vec<usize>,
    pub widths: Vec<usize>,
    pub architectures: Vec<Architecture>,
    pub layers: usize,
    pub steps: usize,
}

/// The largest custom grid accepted (the page runs it in a tab).
pub const MAX_CUSTOM_RUNS: usize = 64;

/// Build a custom grid; every run's config is validated, and the first invalid one is named.
pub fn custom(grid: &CustomGrid) -> Result<Preset, SweepError> {
    if grid.sizes.is_empty() || grid.widths.is_empty() || grid.architectures.is_empty() {
        return Err(SweepError::EmptyGrid);
    }
    let count = grid.sizes.len() * grid.widths.len() * grid.architectures.len();
    if count > MAX_CUSTOM_RUNS {
        return Err(SweepError::TooManyRuns(count));
    }
    let mut runs = Vec::with_capacity(count);
    for &size in &grid.sizes {
        for &width in &grid.widths {
            for &arch in &grid.architectures {
                let config = TrainConfig {
                    steps: grid.steps,
                    ..sweep_config(grid.task, size, arch, width, grid.layers)
                };
                config.validate().map_err(|error| SweepError::InvalidRun {
                    architecture: arch.name(),
                    size,
                    width,
                    error,
                })?;
                runs.push(plain_run(arch.name(), config));
            }
        }
    }
    Ok(Preset {
        name: PresetName::Custom,
        claim: format!(
            "Custom grid: {} at sizes {:?} × widths {:?}, {} layer(s), {} steps per run. No claim is tested; compare the curves.",
            grid.task.name(),
            grid.sizes,
            grid.widths,
            grid.layers,
            grid.steps
        ),
        tests_claim: false,
        runs,
        judge: judge_custom,
    })
}

fn judge_custom(results: &[RunResult]) -> Verdict {
    let mut series: Vec<&str> = results.iter().map(|r| r.series.as_str()).collect();
    series.sort_unstable();
    series.dedup();
    let parts: Vec<String> = series
        .iter()
        .map(|s| format!("{s} {:.2}", series_mean(results, s, |_| true)))
        .collect();
    Verdict {
        appeared: false,
        summary: format!("mean accuracy over the grid: {}", parts.join(", ")),
    }
}

fn mean(values: impl Iterator<Item = f32>) -> f32 {
    let v: Vec<f32> = values.collect();
    if v.is_empty() {
        f32::NAN
    } else {
        v.iter().sum::<f32>() / v.len() as f32
    }
}

fn series_mean(results: &[RunResult], series: &str, filter: impl Fn(&RunResult) -> bool) -> f32 {
    mean(
        results
            .iter()
            .filter(|r| r.series == series && filter(r))
            .map(|r| r.accuracy),
    )
}

fn judge_index_lookup(results: &[RunResult]) -> Verdict {
    let largest = results.iter().map(|r| r.size).max().unwrap_or(0);
    let at = |s: &str| series_mean(results, s, |r| r.size == largest);
    let (t, l, s) = (at("transformer-1L"), at("lstm"), at("ssm"));
    Verdict {
        appeared: t >= l.max(s) + 0.1,
        summary: format!(
            "mean accuracy over widths at N={largest}: transformer-1L {t:.2}, lstm {l:.2}, ssm {s:.2}"
        ),
    }
}

fn judge_dyck(results: &[RunResult]) -> Verdict {
    let smallest = results.iter().map(|r| r.width).min().unwrap_or(0);
    let at = |s: &str| series_mean(results, s, |r| r.width == smallest);
    let (l, t) = (at("lstm"), at("transformer-1L"));
    Verdict {
        appeared: l >= t + 0.05,
        summary: format!(
            "mean accuracy over sizes at width {smallest}: lstm {l:.2}, transformer-1L {t:.2}"
        ),
    }
}

fn judge_equality(results: &[RunResult]) -> Verdict {
    let all = |s: &str| series_mean(results, s, |_| true);
    let (two, one, l) = (all("transformer-2L"), all("transformer-1L"), all("lstm"));
    Verdict {
        appeared: two >= one.max(l) + 0.05,
        summary: format!(
            "mean accuracy over the grid: transformer-2L {two:.2}, transformer-1L {one:.2}, lstm {l:.2}"
        ),
    }
}

fn judge_dp_width(results: &[RunResult]) -> Verdict {
    // Drop from the smallest to the largest size at the smallest width, per task and series.
    let width = results.iter().map(|r| r.width).min().unwrap_or(0);
    let drop = |series: &str| {
        let rs: Vec<&RunResult> = results
            .iter()
            .filter(|r| r.series == series && r.width == width)
            .collect();
        let lo = rs.iter().map(|r| r.size).min().unwrap_or(0);
        let hi = rs.iter().map(|r| r.size).max().unwrap_or(0);
        let acc = |s| mean(rs.iter().filter(|r| r.size == s).map(|r| r.accuracy));
        acc(lo) - acc(hi)
    };
    let mut parts = Vec::new();
    let mut efficient_drop_more = 0;
    let mut comparisons = 0;
    for task in ["lis", "ed"] {
        let std = drop(&format!("{task}:standard"));
        for eff in ["sparse", "linear"] {
            let d = drop(&format!("{task}:{eff}"));
            comparisons += 1;
            if d > std {
                efficient_drop_more += 1;
            }
            parts.push(format!("{task} {eff} drop {d:.2} vs standard {std:.2}"));
        }
    }
    let arith_sparse = drop("arithmetic:sparse");
    parts.push(format!("arithmetic sparse drop {arith_sparse:.2}"));
    Verdict {
        appeared: efficient_drop_more * 2 > comparisons && arith_sparse < 0.2,
        summary: format!(
            "accuracy drop from the smallest to the largest size at width {width}: {}",
            parts.join("; ")
        ),
    }
}

fn judge_majority(results: &[RunResult]) -> Verdict {
    let longest = |r: &RunResult| r.by_size.last().map_or(r.accuracy, |x| x.1);
    let by_mode = |m: &str| {
        mean(
            results
                .iter()
                .filter(|r| r.series.starts_with(&format!("{m}/")))
                .map(longest),
        )
    };
    let (soft, sat, hard) = (by_mode("softmax"), by_mode("saturated"), by_mode("hard"));
    let longest_size = results
        .iter()
        .flat_map(|r| r.switched.iter().map(|s| s.1))
        .max()
        .unwrap_or(0);
    let switched = |m: &str| {
        mean(
            results
                .iter()
                .flat_map(|r| r.switched.iter())
                .filter(|s| s.0 == m && s.1 == longest_size)
                .map(|s| s.2),
        )
    };
    let (sw_sat, sw_hard) = (switched("saturated"), switched("hard"));
    Verdict {
        appeared: sat.max(soft).max(sw_sat) >= hard.max(sw_hard) + 0.1,
        summary: format!(
            "mean accuracy at the longest test length over positional encodings — trained in the mode: softmax {soft:.2}, saturated {sat:.2}, hard {hard:.2}; softmax weights switched: saturated {sw_sat:.2}, hard {sw_hard:.2}"
        ),
    }
}

/// Train one run to the end (a [`Session`]) and evaluate it (also at its extra sizes).
/// `on_step` is called after every step with the steps done (progress bars) and returns
/// `false` to cancel; every ~25 ms of work the loop yields to the event loop (in the page).
pub async fn run_one(
    run: &SweepRun,
    device: &burn::prelude::Device,
    mut on_step: impl FnMut(usize) -> bool,
) -> Result<RunResult, TrainError> {
    let mut config = run.config.clone();
    let longest = run
        .eval_sizes
        .iter()
        .map(|&s| config.task.at_size(s).build().map(|t| t.max_seq_len()))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .max();
    config.context = longest;
    let started = web_time::Instant::now();
    let mut session = Session::new(device);
    session.start(config.clone())?;
    session.run_to_end(&mut on_step).await?;
    let last = *session
        .history()
        .last()
        .ok_or(TrainError::Device("the run recorded no checkpoint".into()))?;
    let model = session
        .inference_model()
        .ok_or(TrainError::Device("the run has no model".into()))?;
    let plain = device.clone().without_autodiff();
    let mut by_size = Vec::new();
    let mut switched = Vec::new();
    let sizes = std::iter::once(config.task.size).chain(run.eval_sizes.iter().copied());
    for (i, size) in sizes.enumerate() {
        let task = config.task.at_size(size).build()?;
        let examples = sweep_examples(task.as_ref(), config.seed, config.eval_examples);
        if i > 0 {
            let report = teacher_forced(&model, &examples, &plain).await?;
            by_size.push((size, report.exact));
        }
        for &mode in &run.switch_modes {
            let other = model.clone().with_mode(mode, 1.0);
            let report = teacher_forced(&other, &examples, &plain).await?;
            switched.push((mode.name().to_string(), size, report.exact));
        }
    }
    Ok(RunResult {
        series: run.series.clone(),
        task: config.task.task.name().into(),
        architecture: config.model.architecture.name().into(),
        width: config.model.d_model,
        layers: config.model.n_layers,
        size: config.task.size,
        steps: config.steps,
        seconds: started.elapsed().as_secs_f64(),
        final_loss: last.final_loss(),
        accuracy: last.accuracy,
        answer_accuracy: last.answer_accuracy,
        by_size,
        switched,
    })
}

/// The results as CSV (one row per run and evaluation size).
pub fn to_csv(results: &SweepResults) -> String {
    let mut out = String::from(
        "preset,series,task,architecture,width,layers,train_size,eval_size,steps,seconds,final_loss,accuracy,answer_accuracy\n",
    );
    for r in &results.runs {
        let mut row = |eval_size: usize, acc: f32, answer: String| {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{:.1},{:.4},{:.4},{}\n",
                results.preset,
                r.series,
                r.task,
                r.architecture,
                r.width,
                r.layers,
                r.size,
                eval_size,
                r.steps,
                r.seconds,
                r.final_loss,
                acc,
                answer
            ));
        };
        row(r.size, r.accuracy, format!("{:.4}", r.answer_accuracy));
        for &(size, acc) in &r.by_size {
            row(size, acc, String::new());
        }
    }
    out
}
