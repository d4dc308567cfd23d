//! Any text given as a stored run's record (the page's runs in IndexedDB, a record in an
//! exported runs zip): read or refused with a reason, never a panic.
#![no_main]

use expressivity_lab::runs::RunRecord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(record) = RunRecord::from_json(&text) {
        let _ = record.to_json();
    }
});
