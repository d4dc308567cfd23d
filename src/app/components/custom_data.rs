//! "Your own data": paste lines of `prompt => target` (or JSON lines) or upload a file, see
//! what was read — examples, vocabulary, the held-out split — or the error with its line, and
//! hand valid data to the parent (the config panel makes it the run's task; the task gallery
//! shows samples of it). A bad file changes nothing: only valid data is ever emitted.
//!
//! Element ids (for tests), with `{id}` the `id` prop (`custom` in the config panel):
//! `{id}-text` the text area, `{id}-use` the button that reads it, `{id}-file` the file input,
//! `{id}-result` what was read (after success), `{id}-error` the error (with its line).

use std::sync::Arc;

use yew::prelude::*;

use crate::app::files::read_file;
use crate::tasks::CustomData;
use crate::tasks::custom_format::MAX_BYTES;
use crate::train::link::MissingData;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Prefix of the element ids (unique on the page).
    pub id: AttrValue,
    /// Held-out examples asked for (the config's), for the split shown.
    pub eval_examples: usize,
    /// The data in use now, if any.
    #[prop_or_default]
    pub current: Option<Arc<CustomData>>,
    /// The data a link was made with (it does not carry the data itself).
    #[prop_or_default]
    pub expected: Option<MissingData>,
    #[prop_or_default]
    pub disabled: bool,
    /// Valid data, read from the text area or a file.
    pub on_data: Callback<Arc<CustomData>>,
}

/// The outcome of the last read: what was read, or why it was refused.
#[derive(Clone, PartialEq)]
enum Outcome {
    None,
    Read(Arc<CustomData>),
    Refused(String),
}

/// What the text area starts with: the format in three lines.
const PLACEHOLDER: &str = "# one example per line: prompt tokens => target tokens\n\
                           a b c => c b a\n\
                           1 2 3 => 6\n\
                           # or JSON lines: {\"prompt\": \"a b c\", \"target\": \"c b a\"}";

/// Whether `data` is the data a link was made with, as a sentence (nothing when no link asks).
fn link_match(expected: Option<MissingData>, data: &CustomData) -> Option<String> {
    let expected = expected?;
    Some(match expected.matches(data) {
        Some(true) => "This is the data the link was made with.".into(),
        Some(false) => format!(
            "This is not the data the link was made with (its fingerprint is {}, the link's {:016x}).",
            data.fingerprint_hex(),
            expected.fingerprint.unwrap_or_default()
        ),
        None => "The link did not say which data it was made with.".into(),
    })
}

#[function_component(CustomDataInput)]
pub fn custom_data_input(props: &Props) -> Html {
    let text = use_state(String::new);
    let outcome = use_state(|| Outcome::None);
    // Every path ends here: emit valid data, show the error otherwise (nothing else changes).
    let settle = {
        let (outcome, on_data) = (outcome.clone(), props.on_data.clone());
        Callback::from(move |result: Result<CustomData, String>| match result {
            Ok(data) => {
                let data = Arc::new(data);
                outcome.set(Outcome::Read(data.clone()));
                on_data.emit(data);
            }
            Err(why) => outcome.set(Outcome::Refused(why)),
        })
    };
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let on_use = {
        let (text, settle) = (text.clone(), settle.clone());
        Callback::from(move |_: MouseEvent| {
            settle.emit(CustomData::parse("pasted data", &text).map_err(|e| e.to_string()));
        })
    };
    let on_file = {
        let settle = settle.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            // Choosing the same file again must fire `change` again.
            input.set_value("");
            let settle = settle.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let result = match read_file(&file, MAX_BYTES).await {
                    Ok(bytes) => {
                        CustomData::from_bytes(&name, &bytes).map_err(|e| format!("{name}: {e}"))
                    }
                    Err(why) => Err(why),
                };
                settle.emit(result);
            });
        })
    };
    let id = |part: &str| format!("{}-{part}", props.id);
    let shown = match &*outcome {
        Outcome::Read(data) => Some(data.clone()),
        _ => props.current.clone(),
    };
    html! {
        <div class="custom-data" id={id("panel")}>
            <label class="field custom-text" for={id("text")}>
                <span>{"Paste your examples"}</span>
                <textarea id={id("text")} rows="6" spellcheck="false" placeholder={PLACEHOLDER}
                    value={(*text).clone()} disabled={props.disabled} oninput={on_input} />
            </label>
            <div class="custom-actions">
                <button id={id("use")} class="small-button" disabled={props.disabled || text.trim().is_empty()}
                    onclick={on_use}>{"Use these examples"}</button>
                <label class="file-button" for={id("file")}
                    title={format!("A text file of `prompt => target` lines or JSON lines, at most {} MB", MAX_BYTES >> 20)}>
                    {"Upload a file…"}
                    <input id={id("file")} type="file" accept=".txt,.tsv,.jsonl,.json,text/plain"
                        disabled={props.disabled} onchange={on_file} />
                </label>
            </div>
            <p class="hint">
                {"One example per line: prompt tokens, then "}<code>{"=>"}</code>{", then target tokens, separated by spaces; lines starting with "}
                <code>{"#"}</code>{" are comments. A link to this page carries the settings, never the data."}
            </p>
            if let Outcome::Refused(why) = &*outcome {
                <div class="error" role="alert" id={id("error")}>{why}</div>
            }
            if let Some(data) = shown {
                <div class="custom-result" role="status" id={id("result")}>
                    <strong>{format!("{}: ", data.name())}</strong>
                    {data.describe(props.eval_examples)}
                    <span class="hint">{format!(" · fingerprint {}", data.fingerprint_hex())}</span>
                    if let Some(sentence) = link_match(props.expected, &data) {
                        <div class="hint">{sentence}</div>
                    }
                </div>
            }
        </div>
    }
}
