//! Any bytes given as a run to resume (`lab train --resume`, the page's Resume): the resume
//! parts of a checkpoint and an optimizer state read or refused, never a panic, and never an
//! allocation larger than the bytes declare and hold.
#![no_main]

use burn::prelude::Device;
use expressivity_lab::train::{AdamW, checkpoint};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let device = Device::flex();
    if let Ok((_, optimizer)) = checkpoint::resume_parts(bytes) {
        let _ = AdamW::from_bytes(&optimizer, &device);
    }
    let _ = AdamW::from_bytes(bytes, &device);
});
