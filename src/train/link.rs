//! Links that reproduce a setup, like TensorFlow Playground: a configuration as a query string
//! (`?task=dyck&width=32…`, only what differs from the defaults) and back. Junk in a link is
//! ignored with a notice and never breaks anything. Pure: the page reads and writes its URL
//! with these (`app/url.rs`), and a fuzz target feeds them arbitrary text natively.

use crate::models::{Architecture, AttentionMode, PositionalEncoding};
use crate::tasks::{TaskKind, TaskSpec};
use crate::train::{BackendChoice, TrainConfig};

/// What the URL said, after validation.
pub struct FromUrl {
    pub config: TrainConfig,
    pub choice: BackendChoice,
    /// Which parameters were ignored and why.
    pub notice: Option<String>,
}

/// Parse a query string (`?size=8&width=64…`); invalid values fall back to the defaults.
pub fn parse(query: &str) -> FromUrl {
    let mut config = TrainConfig::default();
    let mut choice = BackendChoice::default();
    let mut ignored = Vec::new();
    for pair in query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let mut candidate = config.clone();
        let ok = match key {
            // `task` resets size and parameters to the task's defaults: it comes first.
            "task" => TaskKind::from_name(value)
                .map(|k| candidate.task = TaskSpec::default_for(k))
                .is_ok(),
            "size" => value.parse().map(|v| candidate.task.size = v).is_ok(),
            // The current task's own parameters, under their names (`brackets=3`).
            name if candidate.task.task.info().param(name).is_some() => value
                .parse()
                .map(|v| candidate.task.params.set(name, Some(v)))
                .is_ok(),
            "width" => value.parse().map(|v| candidate.model.d_model = v).is_ok(),
            "layers" => value.parse().map(|v| candidate.model.n_layers = v).is_ok(),
            "heads" => value.parse().map(|v| candidate.model.n_heads = v).is_ok(),
            "steps" => value.parse().map(|v| candidate.steps = v).is_ok(),
            "batch" => value.parse().map(|v| candidate.batch_size = v).is_ok(),
            "lr" => value.parse().map(|v| candidate.learning_rate = v).is_ok(),
            "seed" => value.parse().map(|v| candidate.seed = v).is_ok(),
            "arch" => Architecture::from_name(value)
                .map(|v| candidate.model.architecture = v)
                .is_some(),
            "attention" => AttentionMode::from_name(value)
                .map(|v| candidate.model.attention = v)
                .is_some(),
            "positional" => PositionalEncoding::from_name(value)
                .map(|v| candidate.model.positional = v)
                .is_some(),
            "block" => value
                .parse()
                .map(|v| candidate.model.block_size = Some(v))
                .is_ok(),
            "backend" => match BackendChoice::from_key(value) {
                Some(c) => {
                    choice = c;
                    true
                }
                None => false,
            },
            _ => false,
        };
        let valid = ok && (key == "backend" || candidate.validate().is_ok());
        if valid {
            config = candidate;
        } else {
            ignored.push(format!("{key}={value}"));
        }
    }
    // A parameter can be valid alone but not with a later one (heads vs width): re-check.
    if config.validate().is_err() {
        ignored.push("the combination of parameters".into());
        config = TrainConfig::default();
    }
    let notice = (!ignored.is_empty()).then(|| {
        format!(
            "Ignored invalid link parameters: {} (defaults used instead).",
            ignored.join(", ")
        )
    });
    FromUrl {
        config,
        choice,
        notice,
    }
}

/// The non-default parts of a configuration as a query string.
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
