//! A reload shows again the run the tab showed: the map, the player and the curves come back
//! instead of empty panels. The run's id is kept in the tab's `sessionStorage`, so a new tab or
//! a shared link starts clean, and the run opens as if picked in the table (its stored
//! checkpoint through the worker).

use yew::prelude::*;

use super::list::RunList;
use crate::app::client::WorkerClient;
use crate::app::state::AppState;

const SHOWN_RUN_KEY: &str = "expressivity-lab.shown-run";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Remember the shown run for this tab; once the stored runs are listed after a (re)load,
/// open the remembered one if it can be shown and the page shows nothing else yet.
#[hook]
pub fn use_reopen_after_reload(state: &UseReducerHandle<AppState>, client: &WorkerClient) {
    // Read before anything is written: the id the previous load of this tab left.
    let remembered =
        use_state(|| session_storage().and_then(|s| s.get_item(SHOWN_RUN_KEY).ok().flatten()));
    let tried = use_mut_ref(|| false);
    use_effect_with(state.runs.selected.clone(), |selected| {
        if let (Some(id), Some(storage)) = (selected, session_storage()) {
            // A storage refusal (private mode, quota) only costs the reopening.
            let _ = storage.set_item(SHOWN_RUN_KEY, &id.0);
        }
    });
    let dispatch = state.dispatcher();
    let idle = !state.run.status.is_busy() && state.shown.model.is_none();
    let choice = state.settings.backend_choice;
    let client = client.clone();
    use_effect_with(state.runs.list.clone(), move |list| {
        // The first non-empty listing decides (the list starts empty until the store answers).
        if list.is_empty() || *tried.borrow() {
            return;
        }
        *tried.borrow_mut() = true;
        if let Some(record) = remembered
            .as_deref()
            .filter(|_| idle)
            .and_then(|id| RunList::reopenable(list, id))
        {
            super::page::open_run(&dispatch, &client, record, client.backend(choice));
        }
    });
}
