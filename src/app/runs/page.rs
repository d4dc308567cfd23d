//! The page's side of the runs table: what its buttons do to the stored runs. Each operation
//! opens the runs database, does its work and tells the page's state through an [`Action`];
//! a problem becomes the table's storage line (never silent, never a panic). The training
//! worker writes the runs ([`super::recorder`]); the page lists, renames, deletes, exports and
//! sends a run's checkpoint back to the worker to inspect or resume it.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::store::{RunStore, StoreError};
use crate::app::client::WorkerClient;
use crate::app::files::download;
use crate::app::state::{Action, AppState};
use crate::app::url::query;
use crate::app::wire::protocol::Request;
use crate::runs::export::{export_all, safe_file_stem};
use crate::runs::record::{RunId, RunRecord, RunStatus};
use crate::train::BackendChoice;

/// Why a run still marked running at start-up is not: the tab that trained it went away.
const INTERRUPTED: &str =
    "interrupted (the page was closed or reloaded); Resume continues from its last evaluation";

/// The same, for a run cut off before its first evaluation stored anything to resume from.
const INTERRUPTED_EARLY: &str = "interrupted (the page was closed or reloaded) before its first evaluation: nothing was stored to resume from";

type Dispatch = UseReducerDispatcher<AppState>;

/// Run `work` in the background; its error becomes the table's storage line.
fn spawn(
    dispatch: &Dispatch,
    work: impl std::future::Future<Output = Result<(), String>> + 'static,
) {
    let dispatch = dispatch.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(message) = work.await {
            dispatch.dispatch(Action::RunsStorage(Err(message)));
        }
    });
}

fn text(e: StoreError) -> String {
    e.to_string()
}

async fn open() -> Result<RunStore, String> {
    RunStore::open().await.map_err(text)
}

/// The storage line: how much of the quota the page uses (the table adds how many runs).
async fn usage_line() -> String {
    match RunStore::estimate().await {
        Ok(Some(estimate)) => estimate.to_string(),
        _ => String::new(),
    }
}

/// At start-up: read the stored runs. A run still marked running was cut off by a reload or
/// a crash (no run trains before the page has started): it is marked stopped, resumable from
/// its last evaluation.
pub fn list_at_start(dispatch: &Dispatch) {
    let d = dispatch.clone();
    spawn(dispatch, async move {
        let store = open().await?;
        let mut list = store.list_runs().await.map_err(text)?;
        for record in list.runs.iter_mut() {
            if record.status == RunStatus::Running {
                record.status = RunStatus::Stopped;
                record.message = Some(if record.history.is_empty() {
                    INTERRUPTED_EARLY.into()
                } else {
                    INTERRUPTED.into()
                });
                store.put_run(record).await.map_err(text)?;
            }
        }
        let line = usage_line().await;
        d.dispatch(Action::RunsListed(list));
        d.dispatch(Action::RunsStorage(Ok(line)));
        Ok(())
    });
}

/// The page ended the worker of `run` (it did not answer Stop): store the run as stopped, with
/// `note` as its message. Its last stored checkpoint, if any, stays (Resume continues there).
pub fn mark_stopped(dispatch: &Dispatch, run: RunRecord, note: String) {
    let d = dispatch.clone();
    spawn(dispatch, async move {
        let store = open().await?;
        // The stored version (the user may have renamed it), else the page's last news of it.
        let mut record = store.get_run(&run.id).await.map_err(text)?.unwrap_or(run);
        record.status = RunStatus::Stopped;
        record.message = Some(note);
        store.put_run(&record).await.map_err(text)?;
        d.dispatch(Action::RunChanged(record));
        Ok(())
    });
}

pub fn rename(dispatch: &Dispatch, id: RunId, name: String) {
    let d = dispatch.clone();
    spawn(dispatch, async move {
        let record = open().await?.rename(&id, &name).await.map_err(text)?;
        d.dispatch(Action::RunChanged(record));
        Ok(())
    });
}

pub fn set_notes(dispatch: &Dispatch, id: RunId, notes: String) {
    let d = dispatch.clone();
    spawn(dispatch, async move {
        let record = open().await?.set_notes(&id, &notes).await.map_err(text)?;
        d.dispatch(Action::RunChanged(record));
        Ok(())
    });
}

pub fn delete(dispatch: &Dispatch, id: RunId) {
    let d = dispatch.clone();
    spawn(dispatch, async move {
        open().await?.delete(&id).await.map_err(text)?;
        d.dispatch(Action::RunDeleted(id));
        d.dispatch(Action::RunsStorage(Ok(usage_line().await)));
        Ok(())
    });
}

/// Delete every run (the table asked the user first).
pub fn clear_all(dispatch: &Dispatch) {
    let d = dispatch.clone();
    spawn(dispatch, async move {
        open().await?.clear_all().await.map_err(text)?;
        d.dispatch(Action::RunsCleared);
        d.dispatch(Action::RunsStorage(Ok(usage_line().await)));
        Ok(())
    });
}

/// The run's stored checkpoint, or why there is none.
async fn weights(store: &RunStore, record: &RunRecord) -> Result<Vec<u8>, String> {
    store
        .get_weights(&record.id)
        .await
        .map_err(text)?
        .ok_or_else(|| format!("“{}” has no stored weights yet", record.name))
}

/// Download one run's latest checkpoint (its config is in the file's metadata).
pub fn export_one(dispatch: &Dispatch, record: RunRecord) {
    spawn(dispatch, async move {
        let bytes = weights(&open().await?, &record).await?;
        download(
            &format!(
                "{}.safetensors",
                match safe_file_stem(&record.name) {
                    stem if stem.is_empty() => "run".to_string(),
                    stem => stem,
                }
            ),
            &bytes,
            "application/octet-stream",
        )
    });
}

/// Download every run (checkpoint, config and record) as one zip.
pub fn export_every(dispatch: &Dispatch, runs: Vec<RunRecord>) {
    spawn(dispatch, async move {
        let store = open().await?;
        let mut all = Vec::with_capacity(runs.len());
        for record in runs {
            // A run without weights yet is still listed (config and curves).
            let bytes = store
                .get_weights(&record.id)
                .await
                .map_err(text)?
                .unwrap_or_default();
            all.push((record, bytes));
        }
        let zip = export_all(&all).map_err(|e| e.to_string())?;
        download("expressivity-lab-runs.zip", &zip, "application/zip")
    });
}

/// The page's address with `record`'s config: opening it sets up the same run. The data of a
/// custom task is not in the link (the config carries its fingerprint; the page says so).
pub fn share(dispatch: &Dispatch, record: &RunRecord, choice: BackendChoice) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let link = format!(
        "{}{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
        query(&record.config, choice)
    );
    // Best effort (`navigator.clipboard` needs a secure context): the link is shown in the
    // table either way.
    let navigator: wasm_bindgen::JsValue = window.navigator().into();
    if let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into())
        && clipboard.is_object()
        && let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into())
        && let Some(write) = write.dyn_ref::<js_sys::Function>()
    {
        let _ = write.call1(&clipboard, &link.clone().into());
    }
    dispatch.dispatch(Action::RunLink(link));
}

/// Send stored run `record`'s checkpoint to the worker with the request `make` builds: it is
/// shown from then on.
fn send_run(
    dispatch: &Dispatch,
    client: &WorkerClient,
    record: RunRecord,
    make: impl FnOnce(RunRecord) -> Request + 'static,
) {
    dispatch.dispatch(Action::SelectRun(record.id.clone()));
    let client = client.clone();
    spawn(dispatch, async move {
        let bytes = weights(&open().await?, &record).await?;
        client.send_with_bytes(make(record), bytes);
        Ok(())
    });
}

/// Show a stored run: its checkpoint goes to the worker like a file being loaded.
pub fn open_run(
    dispatch: &Dispatch,
    client: &WorkerClient,
    record: RunRecord,
    choice: BackendChoice,
) {
    send_run(dispatch, client, record, move |record| Request::Load {
        source: format!("run “{}”", record.name),
        choice,
    });
}

/// Continue a stored run from its checkpoint in the worker.
pub fn resume(
    dispatch: &Dispatch,
    client: &WorkerClient,
    record: RunRecord,
    choice: BackendChoice,
) {
    send_run(dispatch, client, record, move |record| Request::Resume {
        run: Box::new(record),
        choice,
    });
}
