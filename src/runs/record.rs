//! One run as the runs table keeps it: its config, its curves, how far it got and where. The
//! page stores it as JSON (IndexedDB, `app::runs::store`) next to the run's latest checkpoint;
//! `lab` and the "export all" zip read the same JSON.
//!
//! Every record carries the checkpoint format version it was written with, so that a page
//! older than the record says so instead of misreading it.

use serde::{Deserialize, Serialize};

use crate::train::checkpoint;
use crate::train::{Metrics, TrainConfig};

/// The name a new run gets (the user can rename it in the table): what it trains.
pub fn default_name(config: &TrainConfig) -> String {
    format!(
        "{} {} · {} · d {}",
        config.task.task.name(),
        config.task.size,
        config.model.architecture.name(),
        config.model.d_model
    )
}

/// A name for a new run of `config` that none of `earlier` (newest first) has: its
/// [`default_name`]; if taken, that name and what differs from the newest run of the same name
/// ("lis 5 · standard · d 64 · lr 1e-2, seed 2"); if still taken, a count ("… #2").
pub fn distinct_name(config: &TrainConfig, earlier: &[RunRecord]) -> String {
    let base = default_name(config);
    let taken = |name: &str| earlier.iter().any(|r| r.name == name);
    if !taken(&base) {
        return base;
    }
    let mut name = base.clone();
    if let Some(previous) = earlier.iter().find(|r| r.name.starts_with(&base)) {
        let changes = super::config_diff::config_diff(&previous.config, config);
        if !changes.is_empty() {
            name = format!(
                "{base} · {}",
                super::config_diff::distinguishing(&changes, 2)
            );
        }
    }
    let mut count = 2;
    let mut candidate = name.clone();
    while taken(&candidate) {
        candidate = format!("{name} #{count}");
        count += 1;
    }
    candidate
}

/// The checkpoint format version this build writes: the `N` of [`checkpoint::FORMAT`]'s
/// `…-vN`, read at compile time so that the two never disagree (a tag without a version fails
/// the build, not a user's page).
pub const FORMAT_VERSION: u32 = version_of(checkpoint::FORMAT);

/// The number after the last `-v` of `tag` (`"expressivity-lab/checkpoint-v2"` → 2).
const fn version_of(tag: &str) -> u32 {
    let bytes = tag.as_bytes();
    let mut start = bytes.len();
    while start > 0 && bytes[start - 1].is_ascii_digit() {
        start -= 1;
    }
    assert!(
        start >= 2 && start < bytes.len() && bytes[start - 2] == b'-' && bytes[start - 1] == b'v',
        "checkpoint format tag must end in -v<number>"
    );
    let mut value = 0u32;
    let mut i = start;
    while i < bytes.len() {
        value = value * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    value
}

/// Names one run; the key of its record and of its weights.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub String);

impl RunId {
    /// A new id from the creation time (ms since the epoch) and a number that tells apart runs
    /// started in the same millisecond (a counter, or a few random bits).
    pub fn new(created_ms: f64, nonce: u32) -> Self {
        Self(format!(
            "run-{:013}-{nonce:08x}",
            created_ms.max(0.0) as u64
        ))
    }
}

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Training (or was, when the page closed: a record found `Running` at start-up was
    /// interrupted and can be resumed from its last evaluation).
    Running,
    /// Stopped by the user before its last step.
    Stopped,
    /// All steps done.
    Finished,
    /// The loss became NaN or infinite; the weights are those of the last finite evaluation.
    Diverged,
    /// Ended by an error (see [`RunRecord::message`]).
    Failed,
}

impl RunStatus {
    /// A word for the table.
    pub fn label(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Stopped => "stopped",
            Self::Finished => "finished",
            Self::Diverged => "diverged",
            Self::Failed => "failed",
        }
    }
}

/// Everything the runs table shows about one run, and what resuming it needs besides the
/// weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: RunId,
    /// The user's name for the run (renamable).
    pub name: String,
    /// When the run was started, in ms since the Unix epoch.
    pub created_ms: f64,
    pub status: RunStatus,
    pub config: TrainConfig,
    /// One entry per evaluation. Non-finite losses are stored as `null` (JSON has no NaN) and
    /// read back as NaN.
    #[serde(with = "history_json")]
    pub history: Vec<Metrics>,
    pub steps_done: usize,
    /// Held-out accuracy at the last evaluation (`None` before the first).
    pub final_accuracy: Option<f32>,
    /// Seconds spent training (over every session of the run).
    pub elapsed_s: f64,
    /// The backend it trained on, as the page shows it ("WebGPU", "CPU").
    pub backend: String,
    /// The checkpoint format version of the stored weights ([`FORMAT_VERSION`] when written by
    /// this build).
    pub checkpoint_version: u32,
    /// Why a run failed or diverged, for the table's tooltip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Whether the stored checkpoint can be resumed (weights, optimizer state and data-stream
    /// position at an evaluation point); records written before this field read as `false`.
    #[serde(default)]
    pub resumable: bool,
    /// The user's notes on the run (what it was for, what it showed); empty by default.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// Why a stored record cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    #[error(
        "written by a newer page (checkpoint format v{found}; this page reads up to v{supported}), cannot open: reload the page to update it"
    )]
    TooNew { found: u32, supported: u32 },
    #[error("unreadable run record: {0}")]
    Corrupt(String),
}

impl RunRecord {
    /// A record for a run that starts now: no history, no steps, status `Running`.
    pub fn start(
        id: RunId,
        name: String,
        created_ms: f64,
        config: TrainConfig,
        backend: String,
    ) -> Self {
        Self {
            id,
            name,
            created_ms,
            status: RunStatus::Running,
            config,
            history: Vec::new(),
            steps_done: 0,
            final_accuracy: None,
            elapsed_s: 0.0,
            backend,
            checkpoint_version: FORMAT_VERSION,
            message: None,
            resumable: false,
            notes: String::new(),
        }
    }

    /// The record as stored.
    pub fn to_json(&self) -> Result<String, RecordError> {
        serde_json::to_string(self).map_err(|e| RecordError::Corrupt(e.to_string()))
    }

    /// Read a stored record: one of a newer format is refused before its fields are looked at
    /// (they may mean something else there).
    pub fn from_json(json: &str) -> Result<Self, RecordError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| RecordError::Corrupt(e.to_string()))?;
        let version = value
            .get("checkpoint_version")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| RecordError::Corrupt("no checkpoint_version".into()))?;
        if version > u64::from(FORMAT_VERSION) {
            return Err(RecordError::TooNew {
                found: u32::try_from(version).unwrap_or(u32::MAX),
                supported: FORMAT_VERSION,
            });
        }
        serde_json::from_value(value).map_err(|e| RecordError::Corrupt(e.to_string()))
    }

    /// "lis 5": the table's task column.
    pub fn task_label(&self) -> String {
        format!("{} {}", self.config.task.task.name(), self.config.task.size)
    }

    /// The settings people vary, in one line: "d 64 · 3 layers · 4 heads softmax · lr 3e-3 ·
    /// batch 32 · seed 1" (heads and attention only where they apply).
    pub fn settings_label(&self) -> String {
        let (c, m) = (&self.config, &self.config.model);
        let mut parts = vec![format!("d {}", m.d_model), format!("{} layers", m.n_layers)];
        if m.architecture.has_attention_modes() {
            parts.push(format!("{} heads {}", m.n_heads, m.attention.name()));
        } else if m.architecture.has_attention() {
            parts.push(format!("{} heads", m.n_heads));
        }
        parts.push(format!("lr {:e}", c.learning_rate));
        parts.push(format!("batch {}", c.batch_size));
        parts.push(format!("seed {}", c.seed));
        parts.join(" · ")
    }

    /// Steps done of the planned ones: "1500 / 2000".
    pub fn steps_label(&self) -> String {
        format!("{} / {}", self.steps_done, self.config.steps)
    }

    /// "12.5 % free (87.5 % t-f)", "87.5 % t-f", or "—" before the first evaluation. Free
    /// generation at the last evaluation first, when the run recorded it (the page's runs
    /// do); the teacher-forced figure ("t-f", which flatters a chain of thought) beside it.
    pub fn accuracy_label(&self) -> String {
        let forced = match self.final_accuracy {
            Some(a) if a.is_finite() => format!("{:.1} % t-f", 100.0 * a),
            _ => "—".into(),
        };
        match self.history.last().and_then(|m| m.free) {
            Some(free) => format!("{:.1} % free ({forced})", 100.0 * free.full),
            None => forced,
        }
    }

    /// Training time as "42 s", "3 min 05 s" or "1 h 02 min".
    pub fn elapsed_label(&self) -> String {
        duration_label(self.elapsed_s)
    }
}

/// The longest notes a run keeps (characters).
pub const MAX_NOTES: usize = 2000;

/// A duration as "42 s", "3 min 05 s" or "1 h 02 min".
pub fn duration_label(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
    }
}

/// The history with non-finite values written as `null` and read back as NaN, so that a
/// diverged run's record stays readable.
mod history_json {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::train::{AgreementPoint, FreeAccuracy, Metrics};

    #[derive(Deserialize)]
    struct Stored {
        step: usize,
        loss: Option<f32>,
        #[serde(default)]
        last_loss: Option<f32>,
        accuracy: Option<f32>,
        answer_accuracy: Option<f32>,
        #[serde(default)]
        free: Option<FreeAccuracy>,
        #[serde(default)]
        agreement: Option<AgreementPoint>,
        #[serde(default)]
        elapsed_s: Option<f32>,
    }

    pub fn serialize<S: Serializer>(history: &[Metrics], s: S) -> Result<S::Ok, S::Error> {
        history.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Metrics>, D::Error> {
        let stored = Vec::<Stored>::deserialize(d)?;
        let nan = |v: Option<f32>| v.unwrap_or(f32::NAN);
        Ok(stored
            .into_iter()
            .map(|m| Metrics {
                step: m.step,
                loss: nan(m.loss),
                last_loss: m.last_loss,
                accuracy: nan(m.accuracy),
                answer_accuracy: nan(m.answer_accuracy),
                free: m.free,
                agreement: m.agreement,
                elapsed_s: m.elapsed_s,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::FreeAccuracy;

    #[test]
    fn new_runs_get_names_no_earlier_run_has_saying_what_differs() {
        let config = TrainConfig::default();
        let base = default_name(&config);
        assert_eq!(distinct_name(&config, &[]), base);
        let mut first = record();
        first.name = base.clone();
        first.config = config.clone();
        // The same config again: a count.
        assert_eq!(
            distinct_name(&config, &[first.clone()]),
            format!("{base} #2")
        );
        // Another rate and seed: the name says so.
        let mut other = config.clone();
        other.learning_rate = 1e-2;
        other.seed = 2;
        let named = distinct_name(&other, &[first.clone()]);
        assert_eq!(named, format!("{base} · lr 1e-2, seed 2"));
        // Taken too: a count after it; every name differs from every earlier one.
        let mut second = first.clone();
        second.name = named.clone();
        second.config = other.clone();
        let third = distinct_name(&other, &[second.clone(), first.clone()]);
        assert_ne!(third, named);
        assert_ne!(third, base);
        // A custom task's data is not a name: values are cut short.
        let changes = crate::runs::config_diff::config_diff(&config, &other);
        assert!(
            crate::runs::config_diff::distinguishing(&changes, 2)
                .chars()
                .count()
                < 40
        );
    }

    fn record() -> RunRecord {
        let mut r = RunRecord::start(
            RunId::new(1_764_000_000_000.0, 7),
            "first".into(),
            1_764_000_000_000.0,
            TrainConfig::default(),
            "CPU".into(),
        );
        r.history = vec![
            Metrics {
                step: 100,
                loss: 1.5,
                last_loss: Some(1.4),
                accuracy: 0.25,
                answer_accuracy: 0.5,
                free: Some(FreeAccuracy {
                    full: 0.125,
                    answer: 0.375,
                }),
                agreement: Some(crate::train::AgreementPoint {
                    layer: 0,
                    head: 1,
                    mass: 0.75,
                    chance: 0.25,
                }),
                elapsed_s: Some(12.5),
            },
            Metrics {
                step: 200,
                loss: f32::NAN,
                last_loss: None,
                accuracy: 0.0,
                answer_accuracy: 0.0,
                free: None,
                agreement: None,
                elapsed_s: None,
            },
        ];
        r.steps_done = 200;
        r.status = RunStatus::Diverged;
        r
    }

    #[test]
    fn the_version_is_the_checkpoint_tags() {
        assert_eq!(version_of("expressivity-lab/checkpoint-v2"), 2);
        assert_eq!(version_of("x-v17"), 17);
        assert!(checkpoint::FORMAT.ends_with(&format!("-v{FORMAT_VERSION}")));
    }

    #[test]
    fn a_record_round_trips_through_json_with_a_nan_loss() {
        let r = record();
        let back = RunRecord::from_json(&r.to_json().unwrap()).unwrap();
        assert!(back.history[1].loss.is_nan());
        assert_eq!(back.history[0], r.history[0]);
        assert_eq!(back.config, r.config);
        assert_eq!((back.id, back.name, back.status), (r.id, r.name, r.status));
        assert_eq!(back.checkpoint_version, FORMAT_VERSION);
    }

    #[test]
    fn a_newer_record_is_refused_and_junk_is_corrupt() {
        let mut r = record();
        r.checkpoint_version = FORMAT_VERSION + 1;
        // A newer page may have changed any field: only the version is read.
        let mut json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
        json["config"] = serde_json::json!("something else");
        let err = RunRecord::from_json(&json.to_string()).unwrap_err();
        assert_eq!(
            err,
            RecordError::TooNew {
                found: FORMAT_VERSION + 1,
                supported: FORMAT_VERSION
            }
        );
        assert!(err.to_string().contains("newer page"), "{err}");
        assert!(matches!(
            RunRecord::from_json("{not json"),
            Err(RecordError::Corrupt(_))
        ));
        assert!(matches!(
            RunRecord::from_json(r#"{"checkpoint_version": 1}"#),
            Err(RecordError::Corrupt(_))
        ));
    }

    #[test]
    fn table_labels() {
        let mut r = record();
        r.final_accuracy = Some(0.875);
        r.elapsed_s = 185.0;
        assert_eq!(r.task_label(), "lis 5");
        assert_eq!(r.steps_label(), "200 / 2000");
        // The last evaluation has no free-generation figure: teacher-forced, and said so.
        assert_eq!(r.accuracy_label(), "87.5 % t-f");
        let mut free = r.clone();
        free.history.reverse();
        assert_eq!(free.accuracy_label(), "12.5 % free (87.5 % t-f)");
        assert_eq!(r.elapsed_label(), "3 min 05 s");
        r.elapsed_s = 3725.0;
        assert_eq!(r.elapsed_label(), "1 h 02 min");
        r.elapsed_s = 41.6;
        assert_eq!(r.elapsed_label(), "42 s");
        r.final_accuracy = None;
        assert_eq!(r.accuracy_label(), "—");
        assert_eq!(
            r.settings_label(),
            "d 64 · 3 layers · 4 heads softmax · lr 3e-3 · batch 32 · seed 1"
        );
        r.config.model.architecture = crate::models::Architecture::Lstm;
        assert_eq!(
            r.settings_label(),
            "d 64 · 3 layers · lr 3e-3 · batch 32 · seed 1"
        );
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let a = RunId::new(9_000.0, 0xffff_ffff);
        let b = RunId::new(10_000.0, 0);
        assert!(a < b, "{a} {b}");
    }
}
