//! Runs and their latest weights in IndexedDB, from the page or from a dedicated Web Worker.
//!
//! Two object stores keyed by [`RunId`]: `runs` holds each [`RunRecord`] as JSON text (so that
//! a damaged record is one unreadable entry, not a structured-clone failure of the whole
//! list), `weights` the bytes of the run's latest checkpoint (a `Uint8Array`).
//!
//! Written on `web-sys` directly rather than with the `idb` or `rexie` crates: `idb` 0.6 does
//! find the factory on any global scope, but its transaction future reports an abort without
//! its reason, and a full disk (`QuotaExceededError`) arrives exactly that way — as an
//! aborted transaction — and must reach the user. The glue is two small adapters
//! ([`watch`], [`transaction_done`]) over a `Promise`.
//!
//! Every failure is a [`StoreError`] with a message for the page; nothing here panics.

use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, Event, IdbDatabase, IdbFactory, IdbObjectStore, IdbOpenDbRequest, IdbRequest,
    IdbTransaction, IdbTransactionMode,
};

use super::list::{RunList, Unreadable};
use crate::runs::record::{RecordError, RunId, RunRecord};
use crate::train::memory::human_bytes;

/// The page's database.
pub const DB_NAME: &str = "expressivity-lab-runs";
/// The database's schema version (object stores, not record contents: records carry their
/// own checkpoint format version).
const DB_VERSION: u32 = 1;
const RUNS: &str = "runs";
const WEIGHTS: &str = "weights";

/// Why the runs could not be stored or read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("this browser gives the page no storage ({0}): runs will not survive a reload")]
    Unavailable(String),
    #[error(
        "the browser's storage for this page is full ({0}): delete runs you no longer need, or clear all, to keep new ones"
    )]
    QuotaExceeded(String),
    #[error(
        "the saved runs were written by a newer version of this page, which this one cannot open: reload the page to update it"
    )]
    NewerDatabase,
    #[error("run {0} is not stored (deleted in another tab?)")]
    NotFound(RunId),
    #[error("run {id}: {source}")]
    Record { id: RunId, source: RecordError },
    #[error("{op} failed: {name}: {message}")]
    Failed {
        op: &'static str,
        name: String,
        message: String,
    },
}

/// How much the browser lets this page store and how much it uses (all storage of the
/// origin, not only the runs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageEstimate {
    pub usage_bytes: u64,
    pub quota_bytes: u64,
}

impl std::fmt::Display for StorageEstimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} used",
            human_bytes(self.usage_bytes),
            human_bytes(self.quota_bytes)
        )
    }
}

/// An open connection to the runs database. Cheap to clone (clones share the connection).
#[derive(Clone, Debug)]
pub struct RunStore {
    db: IdbDatabase,
    /// Closes this connection when another tab opens a newer schema (otherwise its upgrade
    /// would wait for this tab forever); kept alive as long as the connection.
    _on_version_change: Rc<Closure<dyn FnMut(Event)>>,
}

impl PartialEq for RunStore {
    fn eq(&self, other: &Self) -> bool {
        self.db == other.db
    }
}

impl RunStore {
    /// Open (creating on first use) the page's database.
    pub async fn open() -> Result<Self, StoreError> {
        Self::open_named(DB_NAME).await
    }

    /// Open (creating on first use) the database `name` (tests use their own).
    pub async fn open_named(name: &str) -> Result<Self, StoreError> {
        const OP: &str = "opening the runs database";
        let request = factory()?
            .open_with_u32(name, DB_VERSION)
            .map_err(|e| js_error(OP, e))?;
        let upgrade = Closure::<dyn FnMut(Event)>::new({
            let request = request.clone();
            move |_: Event| create_stores(&request)
        });
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let opened = request_done(&request, OP).await;
        request.set_onupgradeneeded(None);
        let db: IdbDatabase = opened?
            .dyn_into()
            .map_err(|v| unexpected(OP, "an IDBDatabase", &v))?;
        let on_version_change = Closure::<dyn FnMut(Event)>::new({
            let db = db.clone();
            move |_: Event| db.close()
        });
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        Ok(Self {
            db,
            _on_version_change: Rc::new(on_version_change),
        })
    }

    /// Close the connection (later calls on it fail with a `Failed` error).
    pub fn close(&self) {
        self.db.close();
    }

    /// Delete the database `name` with everything in it (tests; a page uses
    /// [`Self::clear_all`]). Close connections to it first.
    pub async fn delete_database(name: &str) -> Result<(), StoreError> {
        const OP: &str = "deleting the runs database";
        let request = factory()?
            .delete_database(name)
            .map_err(|e| js_error(OP, e))?;
        request_done(&request, OP).await.map(|_| ())
    }

    /// Store `record` (replacing the stored one with its id).
    pub async fn put_run(&self, record: &RunRecord) -> Result<(), StoreError> {
        const OP: &str = "saving the run";
        let json = record_json(record)?;
        let tx = self.transaction(&[RUNS], IdbTransactionMode::Readwrite, OP)?;
        issue(&tx, || {
            store(&tx, RUNS, OP)?
                .put_with_key(&JsValue::from_str(&json), &key(&record.id))
                .map_err(|e| js_error(OP, e))
        })?;
        transaction_done(&tx, OP).await
    }

    /// Store the bytes of run `id`'s latest checkpoint (replacing the stored ones).
    pub async fn put_weights(&self, id: &RunId, bytes: &[u8]) -> Result<(), StoreError> {
        const OP: &str = "saving the run's weights";
        let tx = self.transaction(&[WEIGHTS], IdbTransactionMode::Readwrite, OP)?;
        issue(&tx, || {
            store(&tx, WEIGHTS, OP)?
                .put_with_key(&Uint8Array::from(bytes), &key(id))
                .map_err(|e| js_error(OP, e))
        })?;
        transaction_done(&tx, OP).await
    }

    /// Store a record and its weights in one transaction: both or neither (what an evaluation
    /// point writes, so that the record's steps always match the stored weights).
    pub async fn put_checkpoint(&self, record: &RunRecord, bytes: &[u8]) -> Result<(), StoreError> {
        const OP: &str = "saving the run and its weights";
        let json = record_json(record)?;
        let tx = self.transaction(&[RUNS, WEIGHTS], IdbTransactionMode::Readwrite, OP)?;
        issue(&tx, || {
            store(&tx, RUNS, OP)?
                .put_with_key(&JsValue::from_str(&json), &key(&record.id))
                .map_err(|e| js_error(OP, e))?;
            store(&tx, WEIGHTS, OP)?
                .put_with_key(&Uint8Array::from(bytes), &key(&record.id))
                .map_err(|e| js_error(OP, e))
        })?;
        transaction_done(&tx, OP).await
    }

    /// The record of run `id`, `None` if there is none.
    pub async fn get_run(&self, id: &RunId) -> Result<Option<RunRecord>, StoreError> {
        const OP: &str = "reading the run";
        let tx = self.transaction(&[RUNS], IdbTransactionMode::Readonly, OP)?;
        let request = store(&tx, RUNS, OP)?
            .get(&key(id))
            .map_err(|e| js_error(OP, e))?;
        let value = request_done(&request, OP).await?;
        if value.is_undefined() {
            return Ok(None);
        }
        parse_record(&value)
            .map(Some)
            .map_err(|source| StoreError::Record {
                id: id.clone(),
                source,
            })
    }

    /// Every stored run, newest first; records that cannot be read are listed apart.
    pub async fn list_runs(&self) -> Result<RunList, StoreError> {
        const OP: &str = "listing the runs";
        let tx = self.transaction(&[RUNS], IdbTransactionMode::Readonly, OP)?;
        let runs = store(&tx, RUNS, OP)?;
        // Both requests are issued and watched before either is awaited; both list in key
        // order.
        let keys = runs.get_all_keys().map_err(|e| js_error(OP, e))?;
        let values = runs.get_all().map_err(|e| js_error(OP, e))?;
        let (keys_watched, values_watched) = (watch(&keys), watch(&values));
        let keys: Array = settled(&keys, keys_watched, OP).await?.unchecked_into();
        let values: Array = settled(&values, values_watched, OP).await?.unchecked_into();
        let mut list = RunList::default();
        for (k, v) in keys.iter().zip(values.iter()) {
            let id = RunId(k.as_string().unwrap_or_else(|| format!("{k:?}")));
            match parse_record(&v) {
                Ok(record) => list.runs.push(record),
                Err(error) => list.unreadable.push(Unreadable { id, error }),
            }
        }
        list.runs.sort_by(|a, b| {
            b.created_ms
                .total_cmp(&a.created_ms)
                .then_with(|| b.id.cmp(&a.id))
        });
        Ok(list)
    }

    /// The latest checkpoint bytes of run `id`, `None` if none were stored.
    pub async fn get_weights(&self, id: &RunId) -> Result<Option<Vec<u8>>, StoreError> {
        const OP: &str = "reading the run's weights";
        let tx = self.transaction(&[WEIGHTS], IdbTransactionMode::Readonly, OP)?;
        let request = store(&tx, WEIGHTS, OP)?
            .get(&key(id))
            .map_err(|e| js_error(OP, e))?;
        let value = request_done(&request, OP).await?;
        if value.is_undefined() {
            return Ok(None);
        }
        match value.dyn_into::<Uint8Array>() {
            Ok(bytes) => Ok(Some(bytes.to_vec())),
            Err(_) => Err(StoreError::Record {
                id: id.clone(),
                source: RecordError::Corrupt("the stored weights are not bytes".into()),
            }),
        }
    }

    /// Rename run `id` (read and written in one transaction); returns the renamed record.
    pub async fn rename(&self, id: &RunId, name: &str) -> Result<RunRecord, StoreError> {
        self.edit(id, "renaming the run", |r| r.name = name.to_string())
            .await
    }

    /// Set run `id`'s notes; the updated record.
    pub async fn set_notes(&self, id: &RunId, notes: &str) -> Result<RunRecord, StoreError> {
        let notes: String = notes.chars().take(crate::runs::record::MAX_NOTES).collect();
        self.edit(id, "saving the run's notes", |r| r.notes = notes)
            .await
    }

    /// Change the stored record of run `id` in one transaction (read, `edit`, write back).
    async fn edit(
        &self,
        id: &RunId,
        op: &'static str,
        edit: impl FnOnce(&mut RunRecord),
    ) -> Result<RunRecord, StoreError> {
        let tx = self.transaction(&[RUNS], IdbTransactionMode::Readwrite, op)?;
        let runs = store(&tx, RUNS, op)?;
        let request = runs.get(&key(id)).map_err(|e| js_error(op, e))?;
        let value = request_done(&request, op).await?;
        if value.is_undefined() {
            return Err(StoreError::NotFound(id.clone()));
        }
        let mut record = parse_record(&value).map_err(|source| StoreError::Record {
            id: id.clone(),
            source,
        })?;
        edit(&mut record);
        let json = record_json(&record)?;
        // Still inside the transaction: the `get` above resolved in its success event's
        // microtasks, where the transaction is active.
        issue(&tx, || {
            runs.put_with_key(&JsValue::from_str(&json), &key(id))
                .map_err(|e| js_error(op, e))
        })?;
        transaction_done(&tx, op).await?;
        Ok(record)
    }

    /// Delete run `id`: its record and its weights (nothing happens if it is not stored).
    pub async fn delete(&self, id: &RunId) -> Result<(), StoreError> {
        const OP: &str = "deleting the run";
        let tx = self.transaction(&[RUNS, WEIGHTS], IdbTransactionMode::Readwrite, OP)?;
        issue(&tx, || {
            for name in [RUNS, WEIGHTS] {
                store(&tx, name, OP)?
                    .delete(&key(id))
                    .map_err(|e| js_error(OP, e))?;
            }
            Ok(())
        })?;
        transaction_done(&tx, OP).await
    }

    /// Delete every run and every weight (the page asks the user first).
    pub async fn clear_all(&self) -> Result<(), StoreError> {
        const OP: &str = "clearing the runs";
        let tx = self.transaction(&[RUNS, WEIGHTS], IdbTransactionMode::Readwrite, OP)?;
        issue(&tx, || {
            for name in [RUNS, WEIGHTS] {
                store(&tx, name, OP)?.clear().map_err(|e| js_error(OP, e))?;
            }
            Ok(())
        })?;
        transaction_done(&tx, OP).await
    }

    /// The browser's estimate of this origin's usage and quota (`navigator.storage`, in a
    /// window or a worker); `None` where the browser does not tell.
    pub async fn estimate() -> Result<Option<StorageEstimate>, StoreError> {
        const OP: &str = "estimating the storage";
        let get = |target: &JsValue, name: &str| {
            Reflect::get(target, &JsValue::from_str(name)).map_err(|e| js_error(OP, e))
        };
        let navigator = get(&js_sys::global(), "navigator")?;
        if navigator.is_undefined() {
            return Ok(None);
        }
        let storage = get(&navigator, "storage")?;
        if storage.is_undefined() {
            return Ok(None);
        }
        let Ok(estimate) = get(&storage, "estimate")?.dyn_into::<Function>() else {
            return Ok(None);
        };
        let promise: Promise = estimate
            .call0(&storage)
            .map_err(|e| js_error(OP, e))?
            .dyn_into()
            .map_err(|v| unexpected(OP, "a Promise", &v))?;
        let value = JsFuture::from(promise).await.map_err(|e| js_error(OP, e))?;
        // Byte counts are well inside f64's exact integers.
        let bytes = |name| get(&value, name).map(|v| v.as_f64().unwrap_or(0.0).max(0.0) as u64);
        Ok(Some(StorageEstimate {
            usage_bytes: bytes("usage")?,
            quota_bytes: bytes("quota")?,
        }))
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: IdbTransactionMode,
        op: &'static str,
    ) -> Result<IdbTransaction, StoreError> {
        let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        self.db
            .transaction_with_str_sequence_and_mode(&names, mode)
            .map_err(|e| js_error(op, e))
    }
}

/// The indexedDB factory of the current global scope (a window or a worker).
fn factory() -> Result<IdbFactory, StoreError> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("indexedDB"))
        .map_err(|e| StoreError::Unavailable(describe(&e)))?;
    if value.is_undefined() || value.is_null() {
        return Err(StoreError::Unavailable(
            "no indexedDB in this scope".to_string(),
        ));
    }
    value
        .dyn_into()
        .map_err(|_| StoreError::Unavailable("indexedDB is not an IDBFactory".to_string()))
}

/// The upgrade of a new (or older) database: create the stores it lacks. A failure aborts the
/// upgrade, so that the open fails with the reason instead of leaving a half-made database.
fn create_stores(request: &IdbOpenDbRequest) {
    let Ok(db) = request.result() else { return };
    let db: IdbDatabase = db.unchecked_into();
    let names = db.object_store_names();
    for name in [RUNS, WEIGHTS] {
        if !names.contains(name) && db.create_object_store(name).is_err() {
            if let Some(tx) = request.transaction() {
                let _ = tx.abort();
            }
            return;
        }
    }
}

fn key(id: &RunId) -> JsValue {
    JsValue::from_str(&id.0)
}

fn store(tx: &IdbTransaction, name: &str, op: &'static str) -> Result<IdbObjectStore, StoreError> {
    tx.object_store(name).map_err(|e| js_error(op, e))
}

fn record_json(record: &RunRecord) -> Result<String, StoreError> {
    record.to_json().map_err(|source| StoreError::Record {
        id: record.id.clone(),
        source,
    })
}

fn parse_record(value: &JsValue) -> Result<RunRecord, RecordError> {
    let json = value
        .as_string()
        .ok_or_else(|| RecordError::Corrupt("the stored record is not text".into()))?;
    RunRecord::from_json(&json)
}

/// Issue a transaction's requests; if one cannot be issued, abort the transaction so that
/// those issued before it are not committed alone.
fn issue<T>(
    tx: &IdbTransaction,
    requests: impl FnOnce() -> Result<T, StoreError>,
) -> Result<(), StoreError> {
    requests().map(|_| ()).inspect_err(|_| {
        // An error here means the transaction is already finished or aborting: nothing more
        // to undo.
        let _ = tx.abort();
    })
}

/// Settles when `request` succeeds or fails. Its handlers are set here, synchronously, so
/// that several requests can be watched before any is awaited (a request's events fire
/// asynchronously, never before this returns). The request's events settle a promise: no Rust
/// closure to keep alive.
fn watch(request: &IdbRequest) -> JsFuture {
    JsFuture::from(Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    }))
}

/// The request's result once `watched` (its [`watch`]) settles, or its error.
async fn settled(
    request: &IdbRequest,
    watched: JsFuture,
    op: &'static str,
) -> Result<JsValue, StoreError> {
    let outcome = watched.await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    match outcome {
        Ok(_) => request.result().map_err(|e| js_error(op, e)),
        Err(_) => Err(dom_error(op, request.error().ok().flatten())),
    }
}

/// The result of a single request, or its error.
async fn request_done(request: &IdbRequest, op: &'static str) -> Result<JsValue, StoreError> {
    settled(request, watch(request), op).await
}

/// Waits until the transaction commits; an abort comes back with its reason (e.g.
/// `QuotaExceededError`, which is reported only this way).
async fn transaction_done(tx: &IdbTransaction, op: &'static str) -> Result<(), StoreError> {
    let promise = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    tx.set_oncomplete(None);
    tx.set_onabort(None);
    outcome.map(|_| ()).map_err(|_| dom_error(op, tx.error()))
}

/// A DOMException as a typed error; `None` (an abort without a reason) as a plain failure.
fn dom_error(op: &'static str, error: Option<DomException>) -> StoreError {
    let Some(error) = error else {
        return StoreError::Failed {
            op,
            name: "AbortError".into(),
            message: "the transaction was aborted".into(),
        };
    };
    match error.name().as_str() {
        "QuotaExceededError" => StoreError::QuotaExceeded(match error.message() {
            // Chromium gives no message: name the error rather than print "()".
            m if m.is_empty() => "QuotaExceededError".into(),
            m => m,
        }),
        "VersionError" => StoreError::NewerDatabase,
        name => StoreError::Failed {
            op,
            name: name.to_string(),
            message: error.message(),
        },
    }
}

/// A thrown JS value (usually a DOMException) as a typed error.
fn js_error(op: &'static str, value: JsValue) -> StoreError {
    if let Some(dom) = value.dyn_ref::<DomException>() {
        return dom_error(op, Some(dom.clone()));
    }
    match value.dyn_ref::<js_sys::Error>() {
        Some(e) => StoreError::Failed {
            op,
            name: String::from(e.name()),
            message: String::from(e.message()),
        },
        None => StoreError::Failed {
            op,
            name: "Error".into(),
            message: describe(&value),
        },
    }
}

fn unexpected(op: &'static str, expected: &str, value: &JsValue) -> StoreError {
    StoreError::Failed {
        op,
        name: "TypeError".into(),
        message: format!("expected {expected}, got {}", describe(value)),
    }
}

fn describe(value: &JsValue) -> String {
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
