//! Links that reproduce a setup, like TensorFlow Playground: a configuration as a query string
//! (`?task=dyck&width=32…`, only what differs from the defaults) and back. Junk in a link is
//! ignored with a notice and never breaks anything. Pure: the page reads and writes its URL
//! with these (`app/url.rs`), and a fuzz target feeds them arbitrary text natively.
//!
//! A link carries the settings, never data: a custom task ("your own data") is written as
//! `task=custom&data=<fingerprint>` (the 16 hex digits of [`CustomData::fingerprint`]) and
//! none of its examples. Opened, such a link applies its other settings to the default task,
//! says in its notice that the data is not in the link, and hands the fingerprint on
//! ([`FromUrl::missing_data`]) so that the page can tell whether a file loaded afterwards is
//! the one the link was made with.

use crate::models::{Architecture, AttentionMode, PositionalEncoding};
use crate::tasks::{CustomData, TaskKind, TaskSpec};
use crate::train::{BackendChoice, TrainConfig};

/// What the URL said, after validation.
pub struct FromUrl {
    pub config: TrainConfig,
    pub choice: BackendChoice,
    /// Which parameters were ignored and why (and, for a custom-task link, that its data is
    /// not in the link).
    pub notice: Option<String>,
    /// Set when the link was made with a custom task: its data must be loaded again.
    pub missing_data: Option<MissingData>,
}

/// What a custom-task link says about the data it does not carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingData {
    /// [`CustomData::fingerprint`] of the sender's data, when the link holds a valid one.
    pub fingerprint: Option<u64>,
}

impl MissingData {
    /// Whether `data` is the data the link was made with (`None`: the link cannot tell).
    pub fn matches(&self, data: &CustomData) -> Option<bool> {
        self.fingerprint.map(|f| f == data.fingerprint())
    }

    /// The sentence the page shows (the link's notice starts with it).
    pub fn message(&self) -> String {
        let which = match self.fingerprint {
            Some(f) => format!(" (fingerprint {f:016x})"),
            None => String::new(),
        };
        format!(
            "This link was made with the sender's own data{which}, and a link carries the settings, never the data: load the same file under “Your own data” to train on it. Until then the default task is shown with the link's other settings."
        )
    }
}

/// The fingerprint in a link: exactly 16 hex digits.
fn parse_fingerprint(value: &str) -> Option<u64> {
    (value.len() == 16)
        .then(|| u64::from_str_radix(value, 16).ok())
        .flatten()
}

/// Set `key` from `value` if the value parses (ranges and combinations are checked later);
/// `false` for an unknown key or an unreadable value.
fn apply(config: &mut TrainConfig, choice: &mut BackendChoice, key: &str, value: &str) -> bool {
    let model = &mut config.model;
    match key {
        // `task` resets size and parameters to the task's defaults: it comes first.
        "task" => TaskKind::from_name(value)
            .map(|k| config.task = TaskSpec::default_for(k))
            .is_ok(),
        "size" => value.parse().map(|v| config.task.size = v).is_ok(),
        // The current task's own parameters, under their names (`brackets=3`).
        name if config.task.task.info().param(name).is_some() => value
            .parse()
            .map(|v| config.task.params.set(name, Some(v)))
            .is_ok(),
        "width" => value.parse().map(|v| model.d_model = v).is_ok(),
        "layers" => value.parse().map(|v| model.n_layers = v).is_ok(),
        "heads" => value.parse().map(|v| model.n_heads = v).is_ok(),
        "steps" => value.parse().map(|v| config.steps = v).is_ok(),
        "batch" => value.parse().map(|v| config.batch_size = v).is_ok(),
        "lr" => value.parse().map(|v| config.learning_rate = v).is_ok(),
        "seed" => value.parse().map(|v| config.seed = v).is_ok(),
        "eval" => value.parse().map(|v| config.eval_every = v).is_ok(),
        "arch" => Architecture::from_name(value)
            .map(|v| model.architecture = v)
            .is_some(),
        "attention" => AttentionMode::from_name(value)
            .map(|v| model.attention = v)
            .is_some(),
        "positional" => PositionalEncoding::from_name(value)
            .map(|v| model.positional = v)
            .is_some(),
        "block" => value.parse().map(|v| model.block_size = Some(v)).is_ok(),
        "window" => on_off(value).map(|v| model.sparse_window = v).is_some(),
        "index-positions" => on_off(value)
            .map(|v| model.index_shares_position = v)
            .is_some(),
        "pair-positions" => on_off(value)
            .map(|v| model.pairs_share_position = v)
            .is_some(),
        "backend" => BackendChoice::from_key(value)
            .map(|c| *choice = c)
            .is_some(),
        _ => false,
    }
}

/// A switch's value in a link: `on` or `off`.
fn on_off(value: &str) -> Option<bool> {
    match value {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    }
}

/// `key=value` as a notice shows it: each part cut to a few dozen characters, so that a long
/// junk parameter cannot fill the page.
fn shown(key: &str, value: &str) -> String {
    const LONGEST: usize = 40;
    let cut = |s: &str| {
        if s.chars().count() > LONGEST {
            format!(
                "{}… ({} characters)",
                s.chars().take(LONGEST).collect::<String>(),
                s.chars().count()
            )
        } else {
            s.to_string()
        }
    };
    format!("{}={}", cut(key), cut(value))
}

/// Why [`apply`] could not take `key=value`: an unknown name, or a value it cannot read.
fn unreadable(config: &TrainConfig, key: &str, value: &str) -> String {
    const KNOWN: [&str; 18] = [
        "task",
        "size",
        "width",
        "layers",
        "heads",
        "steps",
        "batch",
        "lr",
        "seed",
        "eval",
        "arch",
        "attention",
        "positional",
        "block",
        "window",
        "index-positions",
        "pair-positions",
        "backend",
    ];
    let why = if key == "data" {
        "only a link with task=custom carries data="
    } else if KNOWN.contains(&key) || config.task.task.info().param(key).is_some() {
        "not a value it takes"
    } else {
        "unknown parameter"
    };
    format!("{} ({why})", shown(key, value))
}

/// At most this many ignored parameters are listed one by one.
const LISTED: usize = 8;

fn notice(ignored: &[String], missing_data: Option<MissingData>) -> Option<String> {
    let ignored = (!ignored.is_empty()).then(|| {
        let mut listed = ignored[..ignored.len().min(LISTED)].join("; ");
        if ignored.len() > LISTED {
            listed.push_str(&format!("; and {} more", ignored.len() - LISTED));
        }
        format!("Ignored invalid link parameters (defaults used instead): {listed}.")
    });
    let parts: Vec<String> = missing_data
        .map(|m| m.message())
        .into_iter()
        .chain(ignored)
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// A custom-task link: whether it is one (`task=custom`) and its `data=` fingerprint; the
/// pairs left for [`apply`] (a `data=` without `task=custom` stays, to be reported as junk).
fn split_custom<'a>(
    pairs: Vec<(&'a str, &'a str)>,
) -> (Option<MissingData>, Vec<(&'a str, &'a str)>) {
    let custom = pairs
        .iter()
        .any(|&(k, v)| k == "task" && TaskKind::from_name(v) == Ok(TaskKind::Custom));
    if !custom {
        return (None, pairs);
    }
    let fingerprint = pairs
        .iter()
        .find(|&&(k, _)| k == "data")
        .and_then(|&(_, v)| parse_fingerprint(v));
    let rest = pairs
        .into_iter()
        .filter(|&(k, _)| k != "task" && k != "data")
        .collect();
    (Some(MissingData { fingerprint }), rest)
}

/// Parse a query string (`?size=8&width=64…`); invalid values fall back to the defaults.
///
/// Parameters constrain each other (heads must divide the width; size, width, heads and
/// batch together bound the memory), so they are first applied all at once: a link written by
/// [`query`] from a valid configuration always gives it back, whatever its order. Only when
/// the whole is invalid are they taken one at a time, each kept if the configuration stays
/// valid with it.
pub fn parse(query: &str) -> FromUrl {
    let pairs: Vec<(&str, &str)> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .collect();
    let (missing_data, pairs) = split_custom(pairs);
    let mut config = TrainConfig::default();
    let mut choice = BackendChoice::default();
    let mut ignored = Vec::new();
    for &(key, value) in &pairs {
        if !apply(&mut config, &mut choice, key, value) {
            ignored.push(unreadable(&config, key, value));
        }
    }
    if config.validate().is_ok() {
        return FromUrl {
            config,
            choice,
            notice: notice(&ignored, missing_data),
            missing_data,
        };
    }
    let mut config = TrainConfig::default();
    let mut choice = BackendChoice::default();
    let mut ignored = Vec::new();
    for (key, value) in pairs {
        let mut candidate = config.clone();
        if !apply(&mut candidate, &mut choice, key, value) {
            ignored.push(unreadable(&config, key, value));
            continue;
        }
        match candidate.validate() {
            Err(e) if key != "backend" => ignored.push(format!("{} ({e})", shown(key, value))),
            _ => config = candidate,
        }
    }
    // A parameter can be valid alone but not with a later one (heads vs width): re-check.
    if let Err(e) = config.validate() {
        ignored.push(format!("the combination of parameters ({e})"));
        config = TrainConfig::default();
    }
    FromUrl {
        config,
        choice,
        notice: notice(&ignored, missing_data),
        missing_data,
    }
}

/// The non-default parts of a configuration as a query string. A custom task is written as
/// `task=custom&data=<fingerprint>`: never its data, size or parameters.
pub fn query(config: &TrainConfig, choice: BackendChoice) -> String {
    let d = TrainConfig::default();
    let mut parts = Vec::new();
    let mut push = |key: &str, value: String, default: String| {
        if value != default {
            parts.push(format!("{key}={value}"));
        }
    };
    push(
        "task",
        config.task.task.name().into(),
        d.task.task.name().into(),
    );
    if config.task.task == TaskKind::Custom {
        if let Some(data) = &config.task.data {
            push("data", data.fingerprint_hex(), String::new());
        }
    } else {
        push(
            "size",
            config.task.size.to_string(),
            if config.task.task == d.task.task {
                d.task.size.to_string()
            } else {
                String::new()
            },
        );
        for (key, value) in config.task.params.iter() {
            push(key, value.to_string(), String::new());
        }
    }
    push(
        "width",
        config.model.d_model.to_string(),
        d.model.d_model.to_string(),
    );
    push(
        "layers",
        config.model.n_layers.to_string(),
        d.model.n_layers.to_string(),
    );
    push(
        "heads",
        config.model.n_heads.to_string(),
        d.model.n_heads.to_string(),
    );
    push("steps", config.steps.to_string(), d.steps.to_string());
    push(
        "batch",
        config.batch_size.to_string(),
        d.batch_size.to_string(),
    );
    push(
        "lr",
        config.learning_rate.to_string(),
        d.learning_rate.to_string(),
    );
    push("seed", config.seed.to_string(), d.seed.to_string());
    push(
        "eval",
        config.eval_every.to_string(),
        d.eval_every.to_string(),
    );
    push(
        "arch",
        config.model.architecture.name().into(),
        d.model.architecture.name().into(),
    );
    push(
        "attention",
        config.model.attention.name().into(),
        d.model.attention.name().into(),
    );
    push(
        "positional",
        config.model.positional.name().into(),
        d.model.positional.name().into(),
    );
    if let Some(block) = config.model.block_size {
        push("block", block.to_string(), String::new());
    }
    if config.model.index_shares_position {
        push("index-positions", "on".into(), String::new());
    }
    if config.model.pairs_share_position {
        push("pair-positions", "on".into(), String::new());
    }
    if config.model.sparse_window {
        push("window", "on".into(), String::new());
    }
    push(
        "backend",
        choice.key().to_string(),
        BackendChoice::default().key().to_string(),
    );
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}
