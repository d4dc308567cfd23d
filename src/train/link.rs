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
        "index-positions" => match value {
            "on" => {
                model.index_shares_position = true;
                true
            }
            "off" => {
                model.index_shares_position = false;
                true
            }
            _ => false,
        },
        "backend" => BackendChoice::from_key(value)
            .map(|c| *choice = c)
            .is_some(),
        _ => false,
    }
}

fn notice(ignored: &[String]) -> Option<String> {
    (!ignored.is_empty()).then(|| {
        format!(
            "Ignored invalid link parameters: {} (defaults used instead).",
            ignored.join(", ")
        )
    })
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
    let mut config = TrainConfig::default();
    let mut choice = BackendChoice::default();
    let mut ignored = Vec::new();
    for &(key, value) in &pairs {
        if !apply(&mut config, &mut choice, key, value) {
            ignored.push(format!("{key}={value}"));
        }
    }
    if config.validate().is_ok() {
        return FromUrl {
            config,
            choice,
            notice: notice(&ignored),
        };
    }
    let mut config = TrainConfig::default();
    let mut choice = BackendChoice::default();
    let mut ignored = Vec::new();
    for (key, value) in pairs {
        let mut candidate = config.clone();
        let ok = apply(&mut candidate, &mut choice, key, value);
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
    FromUrl {
        config,
        choice,
        notice: notice(&ignored),
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
    if config.model.index_shares_position {
        push("index-positions", "on".into(), String::new());
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
