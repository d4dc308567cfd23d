//! The runs store's test cases, shared by `wasm_runs.rs` (a window) and `wasm_runs_worker.rs`
//! (a dedicated worker). Each case uses its own database, deleted first.

use expressivity_lab::app::runs::{RecordError, RunId, RunRecord, RunStatus, RunStore, StoreError};
use expressivity_lab::runs::record::FORMAT_VERSION;
use expressivity_lab::train::{Metrics, TrainConfig};
use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::console_log;
use web_sys::{IdbDatabase, IdbFactory, IdbTransactionMode};

fn record(id: &str, created_ms: f64, seed: u64) -> RunRecord {
    let config = TrainConfig {
        seed,
        ..TrainConfig::default()
    };
    let mut r = RunRecord::start(
        RunId(id.into()),
        format!("run {seed}"),
        created_ms,
        config,
        "CPU".into(),
    );
    r.history = vec![Metrics {
        step: 100,
        loss: 0.75,
        last_loss: Some(0.5),
        accuracy: 0.25,
        answer_accuracy: 0.5,
        free: None,
        agreement: None,
        elapsed_s: None,
    }];
    r.steps_done = 100;
    r.final_accuracy = Some(0.25);
    r
}

async fn fresh(name: &str) -> RunStore {
    RunStore::delete_database(name)
        .await
        .expect("delete the test database");
    RunStore::open_named(name).await.expect("open the store")
}

pub async fn round_trip(db: &str) {
    let store = fresh(db).await;
    assert!(store.list_runs().await.unwrap().runs.is_empty());
    let (a, b, c) = (
        record("a", 1000.0, 1),
        record("b", 3000.0, 2),
        record("c", 2000.0, 3),
    );
    let weights: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    store.put_run(&a).await.unwrap();
    store.put_checkpoint(&b, &weights).await.unwrap();
    store.put_run(&c).await.unwrap();
    store.put_weights(&c.id, &[1, 2, 3]).await.unwrap();

    let list = store.list_runs().await.unwrap();
    let ids: Vec<&str> = list.runs.iter().map(|r| r.id.0.as_str()).collect();
    assert_eq!(ids, ["b", "c", "a"], "newest first");
    assert!(list.unreadable.is_empty());
    assert_eq!(list.runs[0], b);

    assert_eq!(store.get_run(&a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(store.get_run(&RunId("zz".into())).await.unwrap(), None);
    assert_eq!(store.get_weights(&b.id).await.unwrap(), Some(weights));
    assert_eq!(store.get_weights(&c.id).await.unwrap(), Some(vec![1, 2, 3]));
    assert_eq!(store.get_weights(&a.id).await.unwrap(), None);

    // Updating a record replaces it.
    let mut b2 = b.clone();
    b2.status = RunStatus::Finished;
    b2.steps_done = 2000;
    store.put_run(&b2).await.unwrap();
    assert_eq!(store.get_run(&b.id).await.unwrap(), Some(b2.clone()));

    let renamed = store.rename(&a.id, "baseline").await.unwrap();
    assert_eq!(renamed.name, "baseline");
    assert_eq!(
        store.get_run(&a.id).await.unwrap().map(|r| r.name),
        Some("baseline".to_string())
    );
    assert_eq!(
        store.rename(&RunId("zz".into()), "x").await,
        Err(StoreError::NotFound(RunId("zz".into())))
    );
    let noted = store.set_notes(&a.id, "lr too high?").await.unwrap();
    assert_eq!(
        (noted.name.as_str(), noted.notes.as_str()),
        ("baseline", "lr too high?")
    );
    assert_eq!(
        store.get_run(&a.id).await.unwrap().map(|r| r.notes),
        Some("lr too high?".to_string())
    );

    store.delete(&b.id).await.unwrap();
    assert_eq!(store.get_run(&b.id).await.unwrap(), None);
    assert_eq!(
        store.get_weights(&b.id).await.unwrap(),
        None,
        "weights go too"
    );
    let ids: Vec<String> = store
        .list_runs()
        .await
        .unwrap()
        .runs
        .into_iter()
        .map(|r| r.id.0)
        .collect();
    assert_eq!(ids, ["c", "a"]);

    store.clear_all().await.unwrap();
    assert!(store.list_runs().await.unwrap().runs.is_empty());
    assert_eq!(store.get_weights(&c.id).await.unwrap(), None);
    store.close();
    console_log!("{db}: put/list/get/rename/delete/clear round trip ok");
}

pub async fn survives_reopening(db: &str) {
    let store = fresh(db).await;
    let r = record("kept", 5.0, 7);
    store.put_checkpoint(&r, &[9; 1000]).await.unwrap();
    store.close();
    // A closed connection fails with an error, not a panic.
    let closed = store.get_run(&r.id).await;
    assert!(
        matches!(closed, Err(StoreError::Failed { .. })),
        "{closed:?}"
    );
    let again = RunStore::open_named(db).await.unwrap();
    assert_eq!(again.get_run(&r.id).await.unwrap(), Some(r.clone()));
    assert_eq!(again.get_weights(&r.id).await.unwrap(), Some(vec![9; 1000]));
    again.close();
    console_log!("{db}: a record survives closing and reopening");
}

pub async fn corrupted_record_is_isolated(db: &str) {
    let store = fresh(db).await;
    let good = record("good", 10.0, 1);
    store.put_run(&good).await.unwrap();
    let mut newer = record("newer", 20.0, 2);
    newer.checkpoint_version = FORMAT_VERSION + 1;
    store.put_run(&newer).await.unwrap();
    put_raw(
        db,
        "junk",
        &JsValue::from_str("{\"id\": \"junk\", not json"),
    )
    .await;
    put_raw(db, "number", &JsValue::from_f64(42.0)).await;

    let list = store.list_runs().await.unwrap();
    assert_eq!(list.runs, vec![good.clone()]);
    let mut bad: Vec<(String, RecordError)> = list
        .unreadable
        .into_iter()
        .map(|u| (u.id.0, u.error))
        .collect();
    bad.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(bad.len(), 3, "{bad:?}");
    assert!(matches!(bad[0], (ref id, RecordError::Corrupt(_)) if id == "junk"));
    assert!(
        matches!(bad[1], (ref id, RecordError::TooNew { found, .. }) if id == "newer" && found == FORMAT_VERSION + 1)
    );
    assert!(matches!(bad[2], (ref id, RecordError::Corrupt(_)) if id == "number"));
    let message = bad[1].1.to_string();
    assert!(message.contains("newer page"), "{message}");

    let one = store.get_run(&RunId("junk".into())).await;
    assert!(
        matches!(
            one,
            Err(StoreError::Record {
                source: RecordError::Corrupt(_),
                ..
            })
        ),
        "{one:?}"
    );
    // A damaged record can be deleted like any other.
    store.delete(&RunId("junk".into())).await.unwrap();
    assert_eq!(store.list_runs().await.unwrap().unreadable.len(), 2);
    store.close();
    console_log!("{db}: corrupted and newer records are reported one by one: {message}");
}

pub async fn estimate() {
    let estimate = RunStore::estimate().await.unwrap();
    let estimate = estimate.expect("Chromium reports a storage estimate");
    assert!(estimate.quota_bytes > 0, "{estimate:?}");
    console_log!("storage estimate: {estimate}");
}

/// Write `value` under `key` in the `runs` store, bypassing the store's API (as a damaged or
/// foreign record would be).
async fn put_raw(db: &str, key: &str, value: &JsValue) {
    let factory: IdbFactory = Reflect::get(&js_sys::global(), &"indexedDB".into())
        .unwrap()
        .unchecked_into();
    let open = factory.open(db).unwrap();
    let opened = Promise::new(&mut |resolve, reject| {
        open.set_onsuccess(Some(&resolve));
        open.set_onerror(Some(&reject));
    });
    JsFuture::from(opened).await.unwrap();
    let idb: IdbDatabase = open.result().unwrap().unchecked_into();
    let tx = idb
        .transaction_with_str_and_mode("runs", IdbTransactionMode::Readwrite)
        .unwrap();
    tx.object_store("runs")
        .unwrap()
        .put_with_key(value, &JsValue::from_str(key))
        .unwrap();
    let done = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    });
    JsFuture::from(done).await.unwrap();
    idb.close();
}
