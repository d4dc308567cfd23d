//! Any text given as a claim's results (`lab claims run --out` appending to it, `claims merge`,
//! a verdict file the page builds in): parsed and merged with itself under its own claim, or
//! refused with a reason; never a panic. (Judging the merged records runs bootstrap intervals:
//! the claims' unit tests cover it; here it would cut the executions a hundredfold.)
#![no_main]

use expressivity_lab::claims::{registry, results, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let _ = results::parse("fuzz.verdict.json", &text);
    let Ok((records, _)) = run::parse_records(&text) else {
        return;
    };
    let Some(first) = records.first() else {
        return;
    };
    let Ok(claim) = registry::find(&first.claim) else {
        return;
    };
    let quick = first.quick;
    let parts = [records.clone(), records];
    let _ = run::merge(&claim, quick, &parts);
});
