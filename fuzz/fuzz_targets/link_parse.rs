//! Any text as the page's link (query string): a configuration that validates, never a panic;
//! a parsed configuration's own link parses back to it.
#![no_main]

use expressivity_lab::train::link::{parse, query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let parsed = parse(&text);
    assert!(parsed.config.validate().is_ok());
    let again = parse(&query(&parsed.config, parsed.choice));
    assert_eq!(again.config, parsed.config);
    assert!(again.notice.is_none());
});
