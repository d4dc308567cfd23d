//! Any bytes given as your own data (`lab train --data`, the page's file or paste): read as a
//! dataset or refused with a reason, never a panic.
#![no_main]

use expressivity_lab::tasks::custom::CustomData;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = CustomData::from_bytes("fuzz.txt", bytes);
});
