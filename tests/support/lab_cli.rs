//! Running the `lab` binary in tests: its output, a refusal's shape, a scratch folder.
//! Shared by `tests/cli.rs` and `tests/files.rs` (`#[path]` module).
#![allow(dead_code)] // each test file uses its own part of it

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub fn lab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(args)
        .output()
        .expect("lab runs")
}

/// The stdout of a run that must succeed (the assertion shows its stderr otherwise).
pub fn succeeded(args: &[&str]) -> String {
    let out = lab(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Refused within a minute with exit 1 and one `error: …` line containing `expected`, without
/// a panic.
pub fn refused(args: &[&str], expected: &str) {
    let started = Instant::now();
    let out = lab(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{args:?} took {:?}",
        started.elapsed()
    );
}

/// An empty folder of its own for test `name` (emptied if a former run left it).
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lab-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
