//! Task, model, training and backend settings. Values are validated before they are applied:
//! an impossible combination shows an error and leaves the previous configuration in place.
//! The task list ends with "Your own data" (`custom`): picking it opens [`CustomDataInput`],
//! and the task becomes the custom one only once valid data has been read.

use std::sync::Arc;

use yew::prelude::*;

use super::{CustomDataInput, NumberField, on_select};
use crate::models::{ArchSpec, Architecture, AttentionMode, PositionalEncoding};
use crate::tasks::{CustomData, TaskKind, TaskSpec};
use crate::train::checkpoint::stored_bytes_estimate;
use crate::train::link::MissingData;
use crate::train::memory::human_bytes;
use crate::train::{BackendChoice, TrainConfig};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub config: TrainConfig,
    pub choice: BackendChoice,
    pub disabled: bool,
    /// A new, valid configuration.
    pub on_config: Callback<TrainConfig>,
    pub on_backend: Callback<BackendChoice>,
    /// Set when the page was opened from a custom-task link (`FromUrl::missing_data`): the
    /// data picker starts open and says whether a loaded file is the link's data.
    #[prop_or_default]
    pub missing_data: Option<MissingData>,
    /// The task the configuration had when "Your own data" was picked (the picker is open
    /// while the configuration still has it; see [`crate::app::state::AppState::awaiting_data`]).
    pub picking: Option<TaskKind>,
    pub on_picking: Callback<Option<TaskKind>>,
}

/// Apply a candidate configuration when it is valid; otherwise show why and keep the old one.
fn submit(
    candidate: TrainConfig,
    error: &UseStateHandle<Option<String>>,
    on_config: &Callback<TrainConfig>,
) {
    match candidate.validate() {
        Ok(()) => {
            error.set(None);
            on_config.emit(candidate);
        }
        Err(why) => error.set(Some(why.to_string())),
    }
}

/// One numeric field: `apply` writes the parsed value into a candidate config.
fn number_field(
    props: &Props,
    error: &UseStateHandle<Option<String>>,
    (id, label): (&'static str, String),
    value: String,
    (min, max, step): (String, String, &'static str),
    apply: fn(&mut TrainConfig, &str) -> bool,
) -> Html {
    let config = props.config.clone();
    let on_config = props.on_config.clone();
    let error = error.clone();
    let shown = label.clone();
    let onchange = Callback::from(move |text: String| {
        let mut candidate = config.clone();
        if !apply(&mut candidate, text.trim()) {
            error.set(Some(format!("{label}: `{text}` is not a valid number")));
            return;
        }
        submit(candidate, &error, &on_config);
    });
    html! {
        <NumberField id={id} label={shown} value={value} min={min} max={max} step={step}
            disabled={props.disabled} {onchange} />
    }
}

/// One drop-down over named choices: `apply` writes the picked one into a candidate config.
#[allow(clippy::too_many_arguments)]
fn select_field<T: Copy + PartialEq + 'static>(
    props: &Props,
    error: &UseStateHandle<Option<String>>,
    id: &'static str,
    label: &'static str,
    options: &[(T, &'static str, &'static str)],
    selected: T,
    apply: fn(&mut TrainConfig, T),
) -> Html {
    let config = props.config.clone();
    let on_config = props.on_config.clone();
    let error = error.clone();
    let values: Vec<(T, &'static str)> = options.iter().map(|(v, k, _)| (*v, *k)).collect();
    let onchange = Callback::from(move |e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        let Some((value, _)) = values.iter().find(|(_, k)| *k == select.value()) else {
            return;
        };
        let mut candidate = config.clone();
        apply(&mut candidate, *value);
        submit(candidate, &error, &on_config);
    });
    html! {
        <label class="field" for={id}>
            <span>{label}</span>
            <select id={id} disabled={props.disabled} {onchange}>
                { for options.iter().map(|(v, key, text)| html! {
                    <option value={*key} selected={*v == selected}>{*text}</option>
                }) }
            </select>
        </label>
    }
}

fn parse_into<T: std::str::FromStr>(slot: &mut T, text: &str) -> bool {
    text.parse().map(|v| *slot = v).is_ok()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn mode_title(mode: AttentionMode) -> &'static str {
    match mode {
        AttentionMode::Softmax => "Softmax",
        AttentionMode::Saturated => "Saturated (uniform over maxima)",
        AttentionMode::Hard => "Hard (leftmost maximum)",
    }
}

fn positional_title(p: PositionalEncoding) -> &'static str {
    match p {
        PositionalEncoding::None => "None",
        PositionalEncoding::Learned => "Learned",
        PositionalEncoding::Sinusoidal => "Sinusoidal",
        PositionalEncoding::Rope => "RoPE (rotary, in attention)",
        PositionalEncoding::Alibi => "ALiBi (linear biases, in attention)",
    }
}

/// The sparse transformer's two patterns, keyed by `ArchSpec::sparse_window`.
const SPARSE_PATTERNS: [(bool, &str, &str); 2] = [
    (false, "fixed", "Fixed blocks (own block + block ends)"),
    (true, "window", "Sliding window (last B + block ends)"),
];

fn architecture_hint(a: Architecture) -> &'static str {
    match a {
        Architecture::Standard => {
            "Causal pre-LN transformer; every token attends to all earlier ones."
        }
        Architecture::Sparse => {
            "Each token attends to its own block (or, with the sliding window, the last B tokens) and to the last token of every earlier block: O(B + L/B) keys per token."
        }
        Architecture::Linear => {
            "Attention with φ(x) = elu(x) + 1; decoding keeps a d_h × d_h state per head, whatever the length."
        }
        Architecture::Lstm => "Recurrent: a fixed-size state (h, c) per layer.",
        Architecture::Gru => "Recurrent: a fixed-size state h per layer.",
        Architecture::Ssm => {
            "Mamba-style selective state space: input-dependent Δ, B, C; diagonal A; gated output."
        }
    }
}

/// The task drop-down: the generated tasks, then "Your own data". Picking a generated task
/// applies it; picking your own data only opens the data picker, since a custom task without
/// data cannot be a configuration.
fn task_field(props: &Props, error: &UseStateHandle<Option<String>>, open: bool) -> Html {
    let c = &props.config;
    let selected = if open { TaskKind::Custom } else { c.task.task };
    let onchange = {
        let (config, on_config) = (c.clone(), props.on_config.clone());
        let (error, on_picking) = (error.clone(), props.on_picking.clone());
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let Ok(kind) = TaskKind::from_name(&select.value()) else {
                return;
            };
            if kind == TaskKind::Custom {
                on_picking.emit(Some(config.task.task));
                return;
            }
            on_picking.emit(None);
            let mut candidate = config.clone();
            candidate.task = TaskSpec::default_for(kind);
            submit(candidate, &error, &on_config);
        })
    };
    let kinds = TaskKind::all().iter().chain([&TaskKind::Custom]);
    html! {
        <label class="field" for="cfg-task">
            <span>{"Task"}</span>
            <select id="cfg-task" disabled={props.disabled} {onchange}>
                { for kinds.map(|k| html! {
                    <option value={k.name()} selected={*k == selected}>{k.info().title}</option>
                }) }
            </select>
        </label>
    }
}

/// The data picker of "Your own data": valid data becomes the run's task (validated like any
/// other change; an error leaves the configuration as it was).
fn custom_field(props: &Props, error: &UseStateHandle<Option<String>>) -> Html {
    let c = &props.config;
    let on_data = {
        let (config, on_config, error) = (c.clone(), props.on_config.clone(), error.clone());
        Callback::from(move |data: Arc<CustomData>| {
            let mut candidate = config.clone();
            candidate.task = TaskSpec::custom(data);
            submit(candidate, &error, &on_config);
        })
    };
    html! {
        <CustomDataInput id="custom" eval_examples={c.eval_examples} current={c.task.data.clone()}
            expected={props.missing_data} disabled={props.disabled} {on_data} />
    }
}

#[function_component(ConfigPanel)]
pub fn config_panel(props: &Props) -> Html {
    let error = use_state(|| None::<String>);
    let c = &props.config;
    let custom = props.picking == Some(c.task.task) || c.task.task == TaskKind::Custom;
    let on_backend = on_select(&props.on_backend, BackendChoice::from_key);
    let info = c.task.task.info();
    let architectures: Vec<_> = Architecture::ALL
        .iter()
        .map(|a| (*a, a.name(), a.title()))
        .collect();
    let modes: Vec<_> = AttentionMode::ALL
        .iter()
        .map(|m| (*m, m.name(), mode_title(*m)))
        .collect();
    let positionals: Vec<_> = PositionalEncoding::ALL
        .iter()
        .filter(|p| p.applies_to(c.model.architecture))
        .map(|p| (*p, p.name(), positional_title(*p)))
        .collect();
    let params = c.model().map_or(0, |m| m.param_count());
    html! {
        <div class="config-panel">
            <h2>{"Task"}</h2>
            { task_field(props, &error, custom) }
            if custom {
                { custom_field(props, &error) }
            } else {
                <p class="hint">{format!("{}{}.", capitalise(info.tests), if info.chain_of_thought { ", with chain of thought" } else { "" })}</p>
                { number_field(props, &error, ("cfg-size", format!("Size: {}", info.size_meaning)), c.task.size.to_string(),
                    (info.min_size.to_string(), info.max_size.to_string(), "1"), |c, t| parse_into(&mut c.task.size, t)) }
            }
            <h2>{"Model"}</h2>
            { select_field(props, &error, "cfg-arch", "Architecture", &architectures, c.model.architecture, |c, a| {
                // Recurrent models know where they are from the recurrence itself.
                if a.is_recurrent() != c.model.architecture.is_recurrent() {
                    c.model.positional = if a.is_recurrent() { PositionalEncoding::None } else { PositionalEncoding::Sinusoidal };
                } else if !c.model.positional.applies_to(a) {
                    // RoPE and ALiBi act in softmax-style scores, which linear attention has not.
                    c.model.positional = PositionalEncoding::Sinusoidal;
                }
                c.model.architecture = a;
            }) }
            <p class="hint">{architecture_hint(c.model.architecture)}</p>
            { number_field(props, &error, ("cfg-layers", "Layers".into()), c.model.n_layers.to_string(), ("1".into(), ArchSpec::MAX_LAYERS.to_string(), "1"), |c, t| parse_into(&mut c.model.n_layers, t)) }
            { number_field(props, &error, ("cfg-width", "Width d".into()), c.model.d_model.to_string(), ("4".into(), ArchSpec::MAX_WIDTH.to_string(), "4"), |c, t| parse_into(&mut c.model.d_model, t)) }
            if c.model.architecture.has_attention() {
                { number_field(props, &error, ("cfg-heads", "Heads".into()), c.model.n_heads.to_string(), ("1".into(), ArchSpec::MAX_HEADS.to_string(), "1"), |c, t| parse_into(&mut c.model.n_heads, t)) }
            }
            if c.model.architecture.has_attention_modes() {
                { select_field(props, &error, "cfg-attention", "Attention", &modes, c.model.attention, |c, m| c.model.attention = m) }
            }
            if c.model.architecture == Architecture::Sparse {
                { select_field(props, &error, "cfg-pattern", "Sparse pattern", &SPARSE_PATTERNS, c.model.sparse_window, |c, w| c.model.sparse_window = w) }
                { number_field(props, &error, ("cfg-block", "Block size B (0 = √L)".into()), c.model.block_size.unwrap_or(0).to_string(), ("0".into(), "4096".into(), "1"),
                    |c, t| match t.parse::<usize>() { Ok(0) => { c.model.block_size = None; true } Ok(b) => { c.model.block_size = Some(b); true } Err(_) => false }) }
            }
            { select_field(props, &error, "cfg-positional", "Positions", &positionals, c.model.positional, |c, p| c.model.positional = p) }
            <div class="params">{format!("{params} parameters")}</div>
            if params > 0 {
                <div class="params" id="run-storage-estimate"
                    title="Each run is kept in this browser's storage (the runs table) with its latest checkpoint: weights and optimizer state, rewritten at each evaluation, so that it can be reopened and resumed">
                    { format!("a run keeps about {} in this browser",
                        human_bytes(stored_bytes_estimate(params, c.steps / c.eval_every.max(1) + 1))) }
                </div>
            }
            <h2>{"Training"}</h2>
            { number_field(props, &error, ("cfg-steps", "Steps".into()), c.steps.to_string(), ("1".into(), "1000000".into(), "50"), |c, t| parse_into(&mut c.steps, t)) }
            { number_field(props, &error, ("cfg-batch", "Batch".into()), c.batch_size.to_string(), ("1".into(), "4096".into(), "1"), |c, t| parse_into(&mut c.batch_size, t)) }
            { number_field(props, &error, ("cfg-lr", "Learning rate".into()), c.learning_rate.to_string(), ("0.000001".into(), "1".into(), "0.0001"), |c, t| parse_into(&mut c.learning_rate, t)) }
            { number_field(props, &error, ("cfg-seed", "Seed".into()), c.seed.to_string(), ("0".into(), "18446744073709551615".into(), "1"), |c, t| parse_into(&mut c.seed, t)) }
            <label class="field" for="cfg-backend">
                <span>{"Backend"}</span>
                <select id="cfg-backend" disabled={props.disabled} onchange={on_backend}>
                    { for BackendChoice::ALL.iter().map(|choice| html! {
                        <option value={choice.key()} selected={*choice == props.choice}>{choice.label()}</option>
                    }) }
                </select>
            </label>
            if let Some(message) = &*error {
                <div class="error" role="alert" id="config-error">{message}</div>
            }
        </div>
    }
}
