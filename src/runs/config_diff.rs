//! What changed between two runs' configs: every differing field as a dotted key with its
//! value before and after, and a one-line summary for the runs table ("lr 3e-3→1e-2, width
//! 32→64").
//!
//! Read from the configs' JSON rather than field by field, so that a field added to
//! `TrainConfig`, its task or its model shows up here without touching this file.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::train::TrainConfig;

/// One field that differs. `before` / `after` are the JSON values as text (strings without
/// quotes), `"—"` where the field is absent on that side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigChange {
    /// Dotted path in the config's JSON (`"learning_rate"`, `"task.size"`,
    /// `"task.params.max_value"`).
    pub key: String,
    pub before: String,
    pub after: String,
}

/// Shown for a field absent on one side.
const ABSENT: &str = "—";

/// The fields that differ, most telling first: the keys of [`SHORT_NAMES`] in that order, then
/// the rest alphabetically. Empty when the configs are equal.
pub fn config_diff(before: &TrainConfig, after: &TrainConfig) -> Vec<ConfigChange> {
    let (a, b) = (flatten(before), flatten(after));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort_by_key(|k| (rank(k), *k));
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| ConfigChange {
            key: k.clone(),
            before: a.get(k).cloned().unwrap_or_else(|| ABSENT.into()),
            after: b.get(k).cloned().unwrap_or_else(|| ABSENT.into()),
        })
        .collect()
}

/// Configs side by side: every field whose value is not the same in all of them (most telling
/// first, as [`config_diff`]), with each config's value (`"—"` where it has none), and how many
/// fields they share. One config (or none): nothing differs.
pub fn side_by_side(configs: &[&TrainConfig]) -> (Vec<(String, Vec<String>)>, usize) {
    let flat: Vec<BTreeMap<String, String>> = configs.iter().map(|c| flatten(c)).collect();
    let mut keys: Vec<&String> = flat.iter().flat_map(BTreeMap::keys).collect();
    keys.sort_by_key(|k| (rank(k), *k));
    keys.dedup();
    let mut shared = 0;
    let mut rows = Vec::new();
    for key in keys {
        let values: Vec<String> = flat
            .iter()
            .map(|f| {
                f.get(key)
                    .map_or_else(|| ABSENT.to_string(), |v| compact(v))
            })
            .collect();
        if values.windows(2).all(|w| w[0] == w[1]) {
            shared += 1;
        } else {
            rows.push((short_name(key).to_string(), values));
        }
    }
    (rows, shared)
}

/// At most `max` changes as "lr 3e-3→1e-2, width 32→64" (plus "+N more"); "same config"
/// when there are none.
pub fn diff_summary(changes: &[ConfigChange], max: usize) -> String {
    if changes.is_empty() {
        return "same config".into();
    }
    let mut parts: Vec<String> = changes
        .iter()
        .take(max)
        .map(|c| {
            format!(
                "{} {}→{}",
                short_name(&c.key),
                compact(&c.before),
                compact(&c.after)
            )
        })
        .collect();
    if changes.len() > max {
        parts.push(format!("+{} more", changes.len() - max));
    }
    parts.join(", ")
}

/// What sets a run apart from another, as a name's suffix: at most `max` changes as their new
/// values ("lr 1e-2, seed 2"), each value cut to a few characters (a custom task's data is not
/// a name).
pub fn distinguishing(changes: &[ConfigChange], max: usize) -> String {
    const LONGEST: usize = 12;
    changes
        .iter()
        .take(max)
        .map(|c| {
            let value = compact(&c.after);
            let value = if value.chars().count() > LONGEST {
                format!("{}…", value.chars().take(LONGEST).collect::<String>())
            } else {
                value
            };
            format!("{} {value}", short_name(&c.key))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Table names of the keys people change most, in the order a summary lists them.
const SHORT_NAMES: [(&str, &str); 12] = [
    ("task.task", "task"),
    ("task.size", "size"),
    ("architecture", "arch"),
    ("d_model", "width"),
    ("n_layers", "layers"),
    ("n_heads", "heads"),
    ("attention", "attention"),
    ("learning_rate", "lr"),
    ("steps", "steps"),
    ("batch_size", "batch"),
    ("seed", "seed"),
    ("positional", "positions"),
];

fn rank(key: &str) -> usize {
    SHORT_NAMES
        .iter()
        .position(|(k, _)| *k == key)
        .unwrap_or(SHORT_NAMES.len())
}

fn short_name(key: &str) -> &str {
    SHORT_NAMES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, short)| *short)
}

/// A number as short as it reads: `0.003` → `3e-3`, `0.01` → `1e-2`, `64` → `64`, `0.5` →
/// `0.5`; anything else unchanged.
fn compact(value: &str) -> String {
    match value.parse::<f64>() {
        Ok(v) if v != 0.0 && v.fract() != 0.0 && v.abs() < 0.1 => format!("{v:e}"),
        _ => value.to_string(),
    }
}

/// The config's JSON as `dotted.key → value text`, leaves only (arrays are leaves: a changed
/// list shows as one change).
fn flatten(config: &TrainConfig) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    // A TrainConfig always serializes (plain fields, string keys); `Null` would only hide a
    // difference, never invent one.
    let value = serde_json::to_value(config).unwrap_or(Value::Null);
    walk("", &value, &mut out);
    // A custom task's data is its name, size and fingerprint here, never its examples (a
    // diff cell or a run's name would otherwise hold the whole dataset).
    if let Some(data) = &config.task.data {
        out.retain(|k, _| !k.starts_with("task.data"));
        out.insert(
            "task.data".into(),
            format!(
                "“{}”, {} examples, fingerprint {}",
                data.name(),
                data.len(),
                data.fingerprint_hex()
            ),
        );
    }
    out
}

fn walk(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                walk(&key, v, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Architecture;

    #[test]
    fn side_by_side_lists_only_what_differs_among_all_configs() {
        let a = TrainConfig::default();
        let b = TrainConfig {
            seed: a.seed + 1,
            ..a.clone()
        };
        let c = TrainConfig {
            learning_rate: 0.01,
            ..a.clone()
        };
        let (rows, shared) = side_by_side(&[&a, &b, &c]);
        let keys: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["lr", "seed"], "{rows:?}");
        assert_eq!(rows[0].1[2], "1e-2");
        assert_eq!(
            rows[1].1,
            vec![a.seed.to_string(), b.seed.to_string(), a.seed.to_string()]
        );
        assert!(shared > 10);
        let (none, all) = side_by_side(&[&a]);
        assert!(none.is_empty() && all == shared + 2);
    }

    #[test]
    fn a_custom_task_differs_by_its_data_summary_never_its_examples() {
        let data = |text: &str| {
            std::sync::Arc::new(crate::tasks::CustomData::parse("mine.txt", text).unwrap())
        };
        let lines = |n: usize| {
            (0..n)
                .map(|i| {
                    format!(
                        "w{} w{} => {}",
                        i / 10,
                        i % 10,
                        if i % 2 == 0 { "even" } else { "odd" }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        let a = TrainConfig {
            task: crate::tasks::TaskSpec::custom(data(&lines(300))),
            ..TrainConfig::default()
        };
        let mut b = a.clone();
        b.task = crate::tasks::TaskSpec::custom(data(&lines(301)));
        let changes = config_diff(&a, &b);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].key, "task.data");
        assert!(changes[0].after.contains("301 examples"), "{changes:?}");
        assert!(
            diff_summary(&changes, 3).len() < 200,
            "{}",
            diff_summary(&changes, 3)
        );
        // Against a generated task, the data shows as one change too.
        assert!(
            config_diff(&TrainConfig::default(), &a)
                .iter()
                .all(|c| c.after.len() < 200)
        );
    }

    #[test]
    fn equal_configs_have_no_changes() {
        let c = TrainConfig::default();
        assert!(config_diff(&c, &c).is_empty());
        assert_eq!(diff_summary(&[], 3), "same config");
    }

    #[test]
    fn changes_come_in_a_stable_telling_order_with_a_short_summary() {
        let before = TrainConfig {
            learning_rate: 3e-3,
            ..TrainConfig::default()
        };
        let mut after = before.clone();
        after.learning_rate = 1e-2;
        after.model.d_model = 128;
        after.eval_every = 50;
        after.task.size = 7;
        let changes = config_diff(&before, &after);
        let keys: Vec<&str> = changes.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            ["task.size", "d_model", "learning_rate", "eval_every"]
        );
        assert_eq!(
            changes[2],
            ConfigChange {
                key: "learning_rate".into(),
                before: "0.003".into(),
                after: "0.01".into()
            }
        );
        assert_eq!(
            diff_summary(&changes, 3),
            "size 5→7, width 64→128, lr 3e-3→1e-2, +1 more"
        );
        assert_eq!(
            diff_summary(&changes, 9),
            "size 5→7, width 64→128, lr 3e-3→1e-2, eval_every 100→50"
        );
    }

    #[test]
    fn enum_and_optional_fields_show_as_text_or_absent() {
        let before = TrainConfig::default();
        let mut after = before.clone();
        after.model.architecture = Architecture::Lstm;
        after.softmax_scale_from = Some(0.5);
        let changes = config_diff(&before, &after);
        let arch = changes.iter().find(|c| c.key == "architecture").unwrap();
        assert_ne!(arch.before, arch.after);
        assert!(!arch.after.contains('"'), "{arch:?}");
        let from = changes
            .iter()
            .find(|c| c.key == "softmax_scale_from")
            .unwrap();
        assert_eq!((from.before.as_str(), from.after.as_str()), (ABSENT, "0.5"));
        // Reversed, the same keys in the same order.
        let back = config_diff(&after, &before);
        let keys = |cs: &[ConfigChange]| cs.iter().map(|c| c.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&changes), keys(&back));
    }
}
