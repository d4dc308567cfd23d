#![allow(clippy::disallowed_methods)] // tests read and write their own files
//! One door in, one door out: what `lab` reads must be a regular file within its cap (a
//! device, a FIFO with no writer, a huge sparse file: refused at once, nothing read), and what
//! it writes never replaces a file of the user's (notes, another claim's results, a trained
//! checkpoint) unless asked, nor one it cannot write, found out before any work.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use std::process::Command;

#[path = "support/lab_cli.rs"]
mod lab_cli;
use lab_cli::{lab, refused, temp_dir};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A FIFO with no writer: opening it for reading would block forever.
fn fifo(dir: &Path) -> PathBuf {
    let path = dir.join("pipe");
    let status = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(status.success());
    path
}

#[test]
fn devices_pipes_and_huge_files_are_refused_unread() {
    let dir = temp_dir("in");
    let pipe = fifo(&dir);
    let sparse = dir.join("sparse.bin");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    for input in [Path::new("/dev/zero"), pipe.as_path()] {
        let input = s(input);
        refused(
            &["train", "--task", "custom", "--data", input],
            "not a regular file",
        );
        refused(&["train", "--resume", input], "not a regular file");
        refused(&["eval", input], "not a regular file");
        refused(
            &["task", "show", "custom", "--data", input],
            "not a regular file",
        );
        refused(
            &["claims", "merge", input, "--out", s(&dir.join("m.jsonl"))],
            "not a regular file",
        );
    }
    refused(&["train", "--resume", s(&sparse)], "3 GiB, more than");
    refused(
        &[
            "claims",
            "merge",
            s(&sparse),
            "--out",
            s(&dir.join("m.jsonl")),
        ],
        "3 GiB, more than",
    );
    // Outputs that are devices or pipes: refused before any run.
    for out in [Path::new("/dev/full"), pipe.as_path()] {
        refused(
            &["claims", "run", "majority", "--quick", "--out", s(out)],
            "not a regular file",
        );
        refused(
            &[
                "claims",
                "tune",
                "nearest-neighbor",
                "--quick",
                "--out",
                s(out),
            ],
            "not a regular file",
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn files_of_the_users_are_never_replaced_unasked() {
    let dir = temp_dir("out");
    // Notes given as a results file: refused, kept byte for byte (a one-line JSON too).
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "my notes").unwrap();
    refused(
        &["claims", "run", "majority", "--quick", "--out", s(&notes)],
        "not a results file",
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes");
    let json = dir.join("one.json");
    std::fs::write(&json, "{\"a\": 1}").unwrap();
    refused(
        &["claims", "run", "majority", "--quick", "--out", s(&json)],
        "not a results file",
    );
    assert_eq!(std::fs::read_to_string(&json).unwrap(), "{\"a\": 1}");

    // A results file of majority: runs, resumes, and is refused as another claim's output.
    let majority = dir.join("majority.jsonl");
    let out = lab(&[
        "claims",
        "run",
        "majority",
        "--quick",
        "--out",
        s(&majority),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = std::fs::read(&majority).unwrap();
    refused(
        &["claims", "run", "dyck", "--quick", "--out", s(&majority)],
        "is not part of `dyck`",
    );
    assert_eq!(std::fs::read(&majority).unwrap(), runs);
    // With a cut last line it is still refused as dyck's, and not rewritten.
    let mut cut = runs.clone();
    cut.extend_from_slice(b"{\"claim\": \"maj");
    std::fs::write(&majority, &cut).unwrap();
    refused(
        &["claims", "run", "dyck", "--quick", "--out", s(&majority)],
        "is not part of `dyck`",
    );
    assert_eq!(std::fs::read(&majority).unwrap(), cut);
    std::fs::write(&majority, &runs).unwrap();

    // Merge into an existing file outside the merge: refused, kept; into one of the parts:
    // fine.
    let other = dir.join("other.jsonl");
    std::fs::write(&other, &runs).unwrap();
    refused(
        &["claims", "merge", s(&majority), "--out", s(&other)],
        "already exists",
    );
    assert_eq!(std::fs::read(&other).unwrap(), runs);
    let out = lab(&["claims", "merge", s(&majority), "--out", s(&majority)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A CSV of the user's beside the results: refused unless --force.
    let fresh = dir.join("fresh.jsonl");
    std::fs::write(dir.join("fresh.csv"), "my,table\n").unwrap();
    refused(
        &["claims", "merge", s(&majority), "--out", s(&fresh)],
        "fresh.csv already exists",
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("fresh.csv")).unwrap(),
        "my,table\n"
    );
    assert!(!fresh.exists());

    // Record values a run cannot have: refused, naming the line.
    let text = String::from_utf8(runs.clone()).unwrap();
    let first = text.lines().next().unwrap();
    let record: serde_json::Value = serde_json::from_str(first).unwrap();
    for (field, value) in [
        ("accuracy", serde_json::json!(7.5)),
        ("correct", serde_json::json!("2".repeat(256))),
    ] {
        let mut bad = record.clone();
        bad[field] = value;
        let path = dir.join(format!("bad-{field}.jsonl"));
        std::fs::write(&path, format!("{bad}\n")).unwrap();
        refused(
            &[
                "claims",
                "merge",
                s(&path),
                "--out",
                s(&dir.join("x.jsonl")),
            ],
            "line 1",
        );
    }

    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn checkpoints_are_kept_and_bad_sizes_or_outputs_refused_before_any_work() {
    let dir = temp_dir("checkpoints");
    // A checkpoint is not replaced by a construction unless asked.
    let model = dir.join("trained.safetensors");
    std::fs::write(&model, b"a trained model").unwrap();
    refused(
        &["construct", "majority", "--size", "5", "--out", s(&model)],
        "already exists",
    );
    assert_eq!(std::fs::read(&model).unwrap(), b"a trained model");
    let out = lab(&[
        "construct",
        "majority",
        "--size",
        "5",
        "--out",
        s(&model),
        "--force",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(std::fs::read(&model).unwrap(), b"a trained model");
    // An error row exits non-zero, and nothing is written for a size it cannot evaluate.
    let built = dir.join("built.safetensors");
    let out = lab(&[
        "construct",
        "equality",
        "--size",
        "8",
        "--sizes",
        "8,4",
        "--out",
        s(&built),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!built.exists());

    // A read-only checkpoint: refused before a million steps, even with --force.
    let read_only = dir.join("ro.safetensors");
    std::fs::write(&read_only, b"keep").unwrap();
    let mut perms = std::fs::metadata(&read_only).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&read_only, perms).unwrap();
    refused(
        &[
            "train",
            "--task",
            "majority",
            "--size",
            "5",
            "--steps",
            "1000000",
            "--save",
            s(&read_only),
            "--force",
        ],
        "read-only",
    );
    // No temporary file is left anywhere in the folder.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains("lab-partial"), "{name}");
    }
    let mut perms = std::fs::metadata(&read_only).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&read_only, perms).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_v1_checkpoint_loads_with_a_notice_and_resume_refuses_flags_it_would_ignore() {
    let gallery = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/v1/majority-softmax.safetensors"
    );
    let out = lab(&["eval", gallery, "--examples", "8"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("notice: ")
            && stderr.contains("format v1: its checksum covers the weights only"),
        "{stderr}"
    );
    // The same file re-saved in the current format carries no notice.
    let dir = temp_dir("v1");
    let current = dir.join("c.safetensors");
    let built = lab(&["construct", "majority", "--size", "5", "--out", s(&current)]);
    assert!(built.status.success());
    let out = lab(&["eval", s(&current), "--examples", "8"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("notice"));
    // --resume with a flag of another run: refused by the parser, naming both.
    let out = lab(&[
        "train",
        "--resume",
        s(&current),
        "--task",
        "parity",
        "--arch",
        "lstm",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--resume") && stderr.contains("--task"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn migrate_rewrites_a_v1_file_in_the_current_format_with_the_same_predictions() {
    let v1 = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/v1/dyck-lstm.safetensors"
    );
    let dir = temp_dir("migrate");
    let out = dir.join("dyck.safetensors");
    let out_str = out.to_str().unwrap();
    let migrated = lab(&["model", "migrate", v1, "--out", out_str]);
    let stderr = String::from_utf8_lossy(&migrated.stderr);
    assert!(migrated.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&migrated.stdout).contains("checkpoint-v3"));
    // The new file loads without the v1 notice and scores exactly what the old one did.
    let (old_rows, old_stderr) = evaluated(v1);
    let (new_rows, new_stderr) = evaluated(out_str);
    assert!(old_stderr.contains("format v1"), "{old_stderr}");
    assert!(!new_stderr.contains("format v1"), "{new_stderr}");
    assert!(!old_rows.is_empty());
    assert_eq!(old_rows, new_rows);
    // An existing output is kept without --force; a file that is not a checkpoint is refused.
    refused(
        &["model", "migrate", v1, "--out", out_str],
        "already exists",
    );
    let junk = dir.join("notes.safetensors");
    std::fs::write(&junk, "my notes").unwrap();
    refused(
        &[
            "model",
            "migrate",
            junk.to_str().unwrap(),
            "--out",
            dir.join("x").to_str().unwrap(),
        ],
        "not a checkpoint",
    );
    // --weights-only drops a resumable file's optimizer state: smaller, the same evaluation,
    // and no longer resumable.
    let resumable = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/checkpoint-v3-burn-optimizer.safetensors"
    );
    let light = dir.join("light.safetensors");
    let light_str = light.to_str().unwrap();
    let out = lab(&[
        "model",
        "migrate",
        resumable,
        "--out",
        light_str,
        "--weights-only",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let size = |p: &str| std::fs::metadata(p).unwrap().len();
    assert!(
        size(light_str) < size(resumable),
        "{} vs {}",
        size(light_str),
        size(resumable)
    );
    assert_eq!(evaluated(resumable).0, evaluated(light_str).0);
    refused(
        &["train", "--resume", light_str, "--steps", "10"],
        "without optimizer state",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `lab eval FILE --examples 64`: its per-size score rows and its stderr (notices).
fn evaluated(file: &str) -> (Vec<String>, String) {
    let out = lab(&["eval", file, "--examples", "64"]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    let rows = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
        .collect();
    (rows, stderr)
}
