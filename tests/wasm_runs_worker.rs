//! The runs store on the browser's real IndexedDB (headless Chromium), in a dedicated Web
//! Worker: the factory comes from the worker's global scope, not from a window.
#![cfg(target_arch = "wasm32")]

#[path = "support/runs_store_cases.rs"]
mod cases;

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
async fn put_list_get_rename_delete_clear_round_trip() {
    cases::round_trip("runs-worker-round-trip").await;
}

#[wasm_bindgen_test]
async fn a_record_survives_closing_and_reopening() {
    cases::survives_reopening("runs-worker-reopen").await;
}

#[wasm_bindgen_test]
async fn a_corrupted_or_newer_record_is_reported_and_the_others_still_list() {
    cases::corrupted_record_is_isolated("runs-worker-corrupt").await;
}

#[wasm_bindgen_test]
async fn the_storage_estimate_is_reported() {
    cases::estimate().await;
}
