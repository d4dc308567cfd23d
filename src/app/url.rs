//! The page's URL holds its configuration (see `train::link` for the format): read at start,
//! rewritten (no new history entry) whenever the configuration changes.

use yew::prelude::*;

pub use crate::train::link::{FromUrl, parse, query};
use crate::train::{BackendChoice, TrainConfig};

/// Read the page's own URL.
pub fn read() -> FromUrl {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    parse(&search)
}

/// Replace the page's URL (no new history entry) with the given configuration.
pub fn write(config: &TrainConfig, choice: BackendChoice) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    let url = format!("{path}{}", query(config, choice));
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Keep the page's URL in step with the configuration (a link reproduces the setup).
#[hook]
pub fn use_url_sync(config: &TrainConfig, choice: BackendChoice) {
    use_effect_with((config.clone(), choice), |(config, choice)| {
        write(config, *choice);
    });
}
