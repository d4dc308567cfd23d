//! Any bytes given as a checkpoint: loaded or refused with an error, never a panic, and never
//! a model larger than the file declares.
#![no_main]

use burn::prelude::Device;
use expressivity_lab::train::checkpoint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = checkpoint::read_meta(bytes);
    let _ = checkpoint::migrate_v1(bytes);
    let _ = checkpoint::load(bytes, &Device::flex());
});
