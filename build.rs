//! Stamps the build with the commit it was built from: `LAB_BUILD_COMMIT` is the checkout's
//! HEAD, with `-dirty` when a tracked file that goes into the build (`src/`, `Cargo.toml`,
//! `Cargo.lock`, this file) differs from it, or "unknown" outside a git checkout. `lab claims`
//! writes it into every grid record: the commit a binary was built from, not the one checked
//! out when it runs (a binary copied aside and run after later commits recorded the later one).
//!
//! The script reruns when HEAD moves (its ref or the packed refs) or a source changes; a commit
//! therefore recompiles the crate once, the price of a stamp that cannot lie.

use std::path::Path;
use std::process::Command;

/// The inputs whose changes make a build dirty.
const SOURCES: [&str; 4] = ["src", "Cargo.toml", "Cargo.lock", "build.rs"];

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn stamp() -> String {
    let Some(head) = git(&["rev-parse", "HEAD"]).filter(|h| !h.is_empty()) else {
        return "unknown".into();
    };
    let mut status = vec!["status", "--porcelain", "--untracked-files=no", "--"];
    status.extend(SOURCES);
    match git(&status) {
        Some(changes) if changes.is_empty() => head,
        _ => format!("{head}-dirty"),
    }
}

fn main() {
    println!("cargo:rustc-env=LAB_BUILD_COMMIT={}", stamp());
    // What moves HEAD: HEAD itself (a checkout), the branch it names (a commit) and the packed
    // refs. Only existing files: cargo reruns the script on every build for a missing one.
    let mut watched: Vec<String> = SOURCES.iter().map(|s| s.to_string()).collect();
    let branch = git(&["rev-parse", "--symbolic-full-name", "HEAD"]).filter(|b| b != "HEAD");
    for name in ["HEAD", "packed-refs"]
        .into_iter()
        .map(String::from)
        .chain(branch)
    {
        if let Some(path) = git(&["rev-parse", "--git-path", &name]) {
            watched.push(path);
        }
    }
    for path in watched.iter().filter(|p| Path::new(p).exists()) {
        println!("cargo:rerun-if-changed={path}");
    }
}
