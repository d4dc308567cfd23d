//! Models: the gallery of pretrained checkpoints shipped with the page (one click loads one and
//! goes straight to the attention map and CoT player), importing a checkpoint file, and
//! exporting the current model as safetensors (config in its metadata) or its config as JSON.

use serde::Deserialize;
use yew::prelude::*;

use crate::app::wire::protocol::ExportKind;

/// One entry of `assets/models/gallery.json` (written by `scripts/gallery`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GalleryEntry {
    pub name: String,
    pub title: String,
    pub description: String,
    /// The `lab train` command that produced it.
    pub command: String,
    pub bytes: usize,
}

/// The shipped gallery (compiled in; the weights are fetched from `models/NAME.safetensors`).
pub fn gallery() -> Vec<GalleryEntry> {
    serde_json::from_str(include_str!("../../../assets/models/gallery.json")).unwrap_or_default()
}

#[derive(Properties, PartialEq)]
pub struct ModelsPanelProps {
    /// Whether there is a model to export.
    pub has_model: bool,
    pub busy: bool,
    pub notice: Option<Result<String, String>>,
    pub on_gallery: Callback<GalleryEntry>,
    pub on_file: Callback<web_sys::File>,
    pub on_export: Callback<ExportKind>,
}

#[function_component(ModelsPanel)]
pub fn models_panel(props: &ModelsPanelProps) -> Html {
    let entries = use_memo((), |_| gallery());
    let on_change = {
        let on_file = props.on_file.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                on_file.emit(file);
            }
            // Choosing the same file again must fire `change` again.
            input.set_value("");
        })
    };
    let export = |kind: ExportKind| {
        let on_export = props.on_export.clone();
        Callback::from(move |_: MouseEvent| on_export.emit(kind))
    };
    let cards = entries.iter().map(|entry| {
        let on_gallery = props.on_gallery.clone();
        let chosen = entry.clone();
        html! {
            <div class="model-card" id={format!("model-{}", entry.name)}>
                <div class="model-title">{&entry.title}</div>
                <div class="model-desc">{&entry.description}</div>
                <code class="model-cmd" title="How it was made">{&entry.command}</code>
                <button class="small-button" disabled={props.busy}
                    onclick={Callback::from(move |_: MouseEvent| on_gallery.emit(chosen.clone()))}>
                    {format!("Load ({} KB)", entry.bytes.div_ceil(1024))}
                </button>
            </div>
        }
    });
    html! {
        <div class="models" id="models">
            <div class="model-grid">{ for cards }</div>
            <div class="model-actions">
                <label class="file-button" for="import-file" title="A .safetensors checkpoint written by this page or by `lab train --save`">
                    {"Import checkpoint…"}
                    <input id="import-file" type="file" accept=".safetensors,application/octet-stream"
                        disabled={props.busy} onchange={on_change} />
                </label>
                <button id="export-model" class="small-button" disabled={props.busy || !props.has_model}
                    onclick={export(ExportKind::Safetensors)}>{"Export model (.safetensors)"}</button>
                <button id="export-json" class="small-button" disabled={props.busy || !props.has_model}
                    onclick={export(ExportKind::Json)}>{"Export config (.json)"}</button>
                <span class="hint">{"Checkpoints hold the weights and, in their metadata, the task, architecture, sizes, seed and training history; `lab eval FILE` evaluates one natively."}</span>
            </div>
            { match &props.notice {
                Some(Ok(message)) => html! { <div class="model-notice" id="model-notice" role="status">{message}</div> },
                Some(Err(message)) => html! { <div class="error" id="model-error" role="alert">{message}</div> },
                None => html! {},
            } }
        </div>
    }
}
