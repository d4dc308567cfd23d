#![allow(clippy::disallowed_methods)] // tests read and write their own files
//! The `lab` binary on bad input: a one-line reason on stderr, a non-zero exit, no panic, and
//! no work done before the input is known to be usable.
#![cfg(not(target_arch = "wasm32"))]

use std::process::{Command, Output};

#[path = "support/lab_cli.rs"]
mod lab_cli;
use lab_cli::{lab, refused, succeeded, temp_dir};

/// Your own grid of one small run.
const TINY_GRID: &[&str] = &[
    "claims", "grid", "--task", "majority", "--sizes", "5", "--widths", "8", "--archs", "lstm",
];

#[test]
fn outputs_are_checked_before_training() {
    // A million steps would take hours: these must fail at once.
    let long = [
        "train", "--task", "majority", "--size", "5", "--steps", "1000000", "--save",
    ];
    let dir = temp_dir("train");
    let json = dir.join("m.json");
    refused(
        &[&long[..], &[json.to_str().unwrap()]].concat(),
        "overwritten by its own .json companion",
    );
    assert!(!json.exists());
    refused(
        &[&long[..], &["/nonexistent-folder/m.safetensors"]].concat(),
        "does not exist",
    );
    refused(
        &[&long[..], &[dir.to_str().unwrap()]].concat(),
        "is a folder",
    );
    refused(
        &[TINY_GRID, &["--out", "/nonexistent-folder/r.jsonl"]].concat(),
        "does not exist",
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_custom_grid_of_zero_steps_is_refused() {
    let dir = temp_dir("grid");
    let out = dir.join("r.jsonl");
    refused(
        &[TINY_GRID, &["--steps", "0", "--out", out.to_str().unwrap()]].concat(),
        "--steps must be at least 1",
    );
    assert!(!out.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_run_too_large_for_memory_is_refused_with_its_estimate() {
    refused(
        &[
            "train",
            "--task",
            "nearest-neighbor",
            "--size",
            "64",
            "--bits",
            "16",
            "--width",
            "1024",
            "--layers",
            "12",
            "--heads",
            "64",
            "--batch",
            "4096",
            "--steps",
            "1",
        ],
        "of memory",
    );
}

#[test]
fn a_closed_or_full_stdout_is_not_a_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // The reader stops after one line (`| head -1`): lab stops quietly, with success.
    let mut child = Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(["task", "sample", "--task", "lis", "--count", "100000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.trim().is_empty());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    // A full disk: one line saying so, non-zero.
    if let Ok(full) = std::fs::File::create("/dev/full") {
        let out = Command::new(env!("CARGO_BIN_EXE_lab"))
            .args(["task", "list"])
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("cannot write to stdout"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn errors_escape_control_characters_and_ignored_flags_warn() {
    refused(
        &[
            "task",
            "solve",
            "--task",
            "lis",
            "--input",
            "1 2 \u{1b}[31m <sep>",
        ],
        "\\u{1b}[31m",
    );
    let out = lab(&["task", "solve", "--task", "lis", "--input", "1 \u{7} <sep>"]);
    assert!(!out.stderr.contains(&0x07), "{:?}", out.stderr);
    let out = lab(&[
        "train",
        "--task",
        "majority",
        "--size",
        "3",
        "--arch",
        "lstm",
        "--heads",
        "2",
        "--block",
        "2",
        "--steps",
        "1",
        "--eval-every",
        "1",
        "--width",
        "8",
        "--eval-examples",
        "4",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warning: --heads does not apply to the lstm architecture"));
    assert!(stderr.contains("warning: --block does not apply"));
}

const GALLERY_LIS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/models/lis-standard.safetensors"
);

#[test]
fn eval_checks_what_it_reads_and_how_much_it_does() {
    // Not regular files: refused without reading (a read of /dev/zero would never end).
    refused(&["eval", "/dev/zero"], "not a regular file");
    refused(&["eval", "/"], "is a folder");
    // A sparse file far larger than any checkpoint: refused from its size alone.
    let dir = temp_dir("eval");
    let huge = dir.join("huge.safetensors");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    refused(
        &["eval", huge.to_str().unwrap()],
        "more than the 256 MiB this reads",
    );
    // Example counts out of range.
    refused(
        &["eval", GALLERY_LIS, "--examples", "0"],
        "--examples must be in",
    );
    refused(
        &["eval", GALLERY_LIS, "--examples", "100000000"],
        "--examples must be in",
    );
    // One size the model cannot take: the table shows it, the exit status says so.
    let out = lab(&["eval", GALLERY_LIS, "--sizes", "5,1001", "--examples", "8"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("1001 could not be evaluated"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("1001 error"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn claims_commands_refuse_bad_input_before_running() {
    let out = lab(&["claims", "list"]);
    assert!(out.status.success());
    let listed = String::from_utf8_lossy(&out.stdout);
    for id in [
        "majority",
        "index-lookup",
        "dyck",
        "equality",
        "dp-width-lis",
        "locality",
    ] {
        assert!(listed.contains(id), "{listed}");
    }
    let dir = temp_dir("claims");
    // A grid that searches the rate in every cell has no separate search to run.
    let search = dir.join("search.lr.json");
    refused(
        &[
            "claims",
            "tune",
            "index-lookup",
            "--out",
            search.to_str().unwrap(),
        ],
        "searches the rate itself",
    );
    assert!(!search.exists());
    let out = dir.join("runs.jsonl");
    let out = out.to_str().unwrap();
    refused(
        &["claims", "run", "nope", "--out", out],
        "unknown claim `nope`",
    );
    refused(
        &["claims", "run", "dyck", "--shard", "3/2", "--out", out],
        "--shard takes i/n",
    );
    refused(
        &[
            "claims",
            "run",
            "dyck",
            "--out",
            "/no/such/folder/runs.jsonl",
        ],
        "does not exist",
    );
    // A part that is not a file of run records is refused with its line.
    std::fs::write(dir.join("bad.jsonl"), "not json\n").unwrap();
    refused(
        &[
            "claims",
            "merge",
            dir.join("bad.jsonl").to_str().unwrap(),
            "--out",
            out,
        ],
        "not a run record",
    );
}

/// Without the `gpu` feature, asking for the GPU is a clear error that says how to get one
/// (never a silent run on the CPU); with it and no adapter, the error names wgpu's reason.
#[test]
fn asking_for_the_gpu_is_answered_not_ignored() {
    let expected = if cfg!(feature = "gpu") {
        "GPU"
    } else {
        "--features gpu"
    };
    let dir = temp_dir("gpu");
    for args in [
        &[
            "train", "--task", "majority", "--steps", "1", "--device", "gpu",
        ][..],
        &[
            "claims", "run", "majority", "--quick", "--device", "gpu", "--out",
        ][..],
    ] {
        let mut args = args.to_vec();
        let out = dir.join("claims.jsonl");
        if args.last() == Some(&"--out") {
            args.push(out.to_str().unwrap());
        }
        if cfg!(feature = "gpu") {
            // A GPU may exist: then the command runs; otherwise it must say why not.
            let output = lab(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        } else {
            refused(&args, expected);
        }
    }
}

#[test]
fn your_grid_runs_resumes_and_refuses_a_file_of_another_grid() {
    let dir = temp_dir("grid-resume");
    let out = dir.join("g.jsonl").to_str().unwrap().to_string();
    let grid = [
        "claims", "grid", "--task", "majority", "--sizes", "5", "--widths", "8,16", "--archs",
        "lstm", "--steps", "5",
    ];
    let widths_in = || -> Vec<u64> {
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["width"]
                    .as_u64()
                    .unwrap()
            })
            .collect()
    };
    let first = succeeded(&[&grid[..], &["--out", &out]].concat());
    assert!(first.contains("2 of 2 runs to do"), "{first}");
    assert!(first.contains("smallest width reaching 95 %"), "{first}");
    assert!(first.contains("constant predictor"), "{first}");
    assert_eq!(widths_in(), vec![8, 16]);
    // Run again: both runs are skipped, the file kept.
    let before = std::fs::read(&out).unwrap();
    let again = succeeded(&[&grid[..], &["--out", &out]].concat());
    assert!(
        again.contains("0 of 2 runs to do") && again.contains("2 already"),
        "{again}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
    // Another grid's file is refused and left as it was; --force replaces it.
    let mut other = grid.to_vec();
    other[7] = "8,32";
    refused(
        &[&other[..], &["--out", &out]].concat(),
        "is not a run of this grid",
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
    let text = dir.join("notes.txt");
    std::fs::write(&text, "my notes\n").unwrap();
    refused(
        &[&grid[..], &["--out", text.to_str().unwrap()]].concat(),
        "notes.txt",
    );
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "my notes\n");
    // The retired command says where its work went.
    refused(
        &["sweep", "--preset", "dyck", "--out", &out],
        "lab claims grid",
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A small run of `lab train` (LSTM on MAJORITY) with `extra` flags.
fn tiny_train(extra: &[&str]) -> Output {
    let base = [
        "train",
        "--task",
        "majority",
        "--size",
        "5",
        "--arch",
        "lstm",
        "--width",
        "8",
        "--batch",
        "4",
        "--eval-every",
        "3",
        "--eval-examples",
        "8",
    ];
    lab(&[&base[..], extra].concat())
}

#[test]
fn train_resume_continues_a_saved_run() {
    let dir = temp_dir("resume");
    let first = dir.join("first.safetensors");
    let out = tiny_train(&["--steps", "6", "--save", first.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let resumed = dir.join("resumed.safetensors");
    let out = lab(&[
        "train",
        "--resume",
        first.to_str().unwrap(),
        "--steps",
        "9",
        "--out",
        resumed.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("9 steps (resumed at step 6)"), "{stdout}");
    // Without a terminal, one line an evaluation (only the resumed run's own).
    assert!(stdout.contains("step 9: loss "), "{stdout}");
    assert!(!stdout.contains("step 6: loss "), "{stdout}");
    let json = |path: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path.with_extension("json")).unwrap())
            .unwrap()
    };
    let (before, after) = (json(&first), json(&resumed));
    assert_eq!(after["format"], "expressivity-lab/checkpoint-v3");
    assert_eq!(after["steps_done"], 9);
    assert_eq!(after["train"]["steps"], 9);
    // The history goes on from the saved one (evaluations at steps 3, 6, then 9).
    let history = after["history"].as_array().unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[..2], before["history"].as_array().unwrap()[..]);
    assert_eq!(history[2]["step"], 9);
    assert!(after["resume"]["stream"]["words"].as_u64().unwrap() > 0);
    // Fewer steps than already done, and files without optimizer state, are refused.
    refused(
        &["train", "--resume", first.to_str().unwrap(), "--steps", "4"],
        "more than the 4 of its config",
    );
    refused(
        &[
            "train",
            "--resume",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/checkpoint-v2.safetensors"
            ),
        ],
        "saved without optimizer state",
    );
    refused(
        &["train", "--resume", dir.join("missing").to_str().unwrap()],
        "missing",
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A data file for the custom task: the answer is the class of the last token.
fn classes_file(dir: &std::path::Path) -> std::path::PathBuf {
    let text: String = std::iter::once("# the class of the last token\n".to_string())
        .chain((0..64).map(|i| {
            let class = if i % 2 == 0 { "even" } else { "odd" };
            format!("w{} w{} => {class}\n", i / 8, i % 8)
        }))
        .collect();
    let path = dir.join("classes.txt");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn your_own_data_is_shown_trained_saved_and_evaluated() {
    let dir = temp_dir("custom-data");
    let data = classes_file(&dir);
    let data = data.to_str().unwrap();
    let shown = succeeded(&["task", "show", "custom", "--data", data]);
    for expected in [
        "data: classes.txt (fingerprint ",
        "64 examples · text (prompt => target) format · vocabulary 10 tokens",
        "16 held out for testing, 48 for training",
        "vocabulary (12 tokens): <pad> <q> w0 even w1 odd w2 ",
        "held out for seed 1",
    ] {
        assert!(shown.contains(expected), "{expected}: {shown}");
    }
    // `--data` implies `--task custom`.
    let model = dir.join("m.safetensors");
    let trained = succeeded(&[
        "train",
        "--data",
        data,
        "--steps",
        "300",
        "--width",
        "32",
        "--layers",
        "1",
        "--eval-every",
        "100",
        "--save",
        model.to_str().unwrap(),
    ]);
    assert!(
        trained.contains("custom “classes.txt” (64 examples)"),
        "{trained}"
    );
    assert!(trained.contains("16 held out for testing"), "{trained}");
    let greedy = trained
        .lines()
        .find(|l| l.starts_with("greedy generation"))
        .unwrap_or_else(|| panic!("{trained}"));
    assert!(greedy.contains("16 held-out examples"), "{greedy}");
    // The class of the last token is learnt (100 % here in 300 steps); judged on lines never
    // trained on.
    let answer: f32 = greedy
        .rsplit("answer ")
        .next()
        .and_then(|a| a.trim_end_matches('%').parse().ok())
        .unwrap_or_else(|| panic!("{greedy}"));
    assert!(answer >= 80.0, "{greedy}");
    // The checkpoint holds the data: eval and predict need nothing else.
    std::fs::remove_file(dir.join("classes.txt")).unwrap();
    let evaluated = succeeded(&["eval", model.to_str().unwrap()]);
    assert!(evaluated.contains("custom “classes.txt”"), "{evaluated}");
    assert!(
        evaluated.contains("16 held-out examples per size"),
        "{evaluated}"
    );
    let predicted = succeeded(&["predict", model.to_str().unwrap(), "--input", "w3 w5"]);
    assert!(predicted.starts_with("w3 w5 <q> "), "{predicted}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_data_files_are_refused_with_their_line() {
    let dir = temp_dir("custom-bad");
    let good: String = (0..10).map(|i| format!("{i} => {}\n", i % 2)).collect();
    let cases = [
        (
            format!("{good}\n11 12\n"),
            "line 12: no `=>` between prompt and target",
        ),
        (
            format!("# c\n{good}3=>4\n"),
            "line 12: `3=>4` contains `=>`",
        ),
        (
            format!("{good}1 => 0\n"),
            "line 11: the same prompt as line 2 with another target",
        ),
        (
            format!("{good}x <pad> => 1\n"),
            "line 11: `<pad>` is reserved",
        ),
        (
            "a => b\nc => d\n".to_string(),
            "only 2 distinct examples; at least 8",
        ),
        (
            format!("{{\"prompt\": \"a\", \"target\": \"b\"}}\n{good}"),
            "line 2: not a JSON object",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = dir.join(format!("bad{i}.txt"));
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        refused(&["train", "--data", path, "--steps", "1000000"], expected);
        refused(&["task", "show", "custom", "--data", path], expected);
    }
    let big = dir.join("big.txt");
    std::fs::write(&big, "a => b\n".repeat(700_000)).unwrap();
    refused(
        &["train", "--data", big.to_str().unwrap()],
        "more than the 4 MiB this reads",
    );
    let binary = dir.join("binary.txt");
    std::fs::write(&binary, b"a => b\n\xff => c\n").unwrap();
    refused(
        &["train", "--data", binary.to_str().unwrap()],
        "line 2: not UTF-8 text",
    );
    refused(
        &["train", "--task", "custom"],
        "--task custom needs your data: --data FILE",
    );
    refused(
        &["train", "--task", "dyck", "--data", big.to_str().unwrap()],
        "--data is your own data for --task custom, not for --task dyck",
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A committed record re-runs alone with the command it carries and reproduces (answers
/// identical on this kind of CPU, accuracy within the tolerance elsewhere); a record whose
/// answers were changed does not, and the command says so with a non-zero exit.
#[test]
fn a_committed_run_reproduces_with_the_command_it_carries() {
    let committed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/results/claims/equality-quick.jsonl"
    );
    let text = std::fs::read_to_string(committed).unwrap();
    let first = text.lines().next().unwrap();
    let record: serde_json::Value = serde_json::from_str(first).unwrap();
    let command = record["reproduce"].as_str().expect("a reproduce command");
    assert!(
        command.starts_with("lab claims reproduce equality --quick"),
        "{command}"
    );
    // The recorded command, with the committed file by its absolute path.
    let args: Vec<String> = command
        .split_whitespace()
        .skip(1)
        .map(|a| {
            if a.ends_with(".jsonl") {
                committed.to_string()
            } else {
                a.to_string()
            }
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = lab(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("reproduces"), "{stdout}");
    // The record's commit is older than the build's: both are named.
    let recorded = record["commit"].as_str().expect("a commit");
    assert!(
        stdout.contains(&format!("the record ran at commit {}", &recorded[..12]))
            && stdout.contains("this lab was built from"),
        "{stdout}"
    );
    // The same record with every answer flipped: far outside the tolerance.
    let mut forged = record.clone();
    let flipped: String = record["correct"]
        .as_str()
        .unwrap()
        .chars()
        .map(|c| if c == '1' { '0' } else { '1' })
        .collect();
    let accuracy = 1.0 - record["accuracy"].as_f64().unwrap();
    forged["correct"] = flipped.into();
    forged["accuracy"] = accuracy.into();
    let dir = temp_dir("reproduce");
    let file = dir.join("forged.jsonl");
    std::fs::write(&file, format!("{forged}\n")).unwrap();
    let mut forged_args = args.clone();
    let from = forged_args.len() - 1;
    forged_args[from] = file.to_str().unwrap();
    let out = lab(&forged_args);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("DOES NOT reproduce"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn eval_scores_agreement_as_a_table_or_json_and_refuses_models_without_attention() {
    let gallery = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/models/index-lookup-standard.safetensors"
    );
    let out = lab(&["eval", gallery, "--agreement", "--examples", "32"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("mass on its reads") && stdout.contains("← best"),
        "{stdout}"
    );
    let out = lab(&[
        "eval",
        gallery,
        "--agreement",
        "--format",
        "json",
        "--examples",
        "32",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON alone");
    assert_eq!(json["examples"], 32);
    assert_eq!(json["heads"].as_array().unwrap().len(), 4);
    let chance = json["chance"].as_f64().unwrap();
    assert!((0.0..0.2).contains(&chance), "{chance}");
    // Head ablation: every head silenced in turn, as JSON.
    let out = lab(&[
        "eval",
        gallery,
        "--ablate",
        "--format",
        "json",
        "--examples",
        "16",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON alone");
    let heads = json["heads"].as_array().unwrap();
    assert_eq!(heads.len(), 4);
    assert!(
        heads
            .iter()
            .all(|h| h["exact_drop"]["low"].as_f64().unwrap()
                <= h["exact_drop"]["estimate"].as_f64().unwrap())
    );
    let dyck = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/models/dyck-lstm.safetensors"
    );
    let out = lab(&["eval", dyck, "--agreement"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: --agreement scores attention heads"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // --format belongs to --agreement: clap refuses it alone (usage error, exit 2).
    let out = lab(&["eval", gallery, "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--agreement"));
}

#[test]
fn predict_prints_logits_that_agree_with_its_greedy_completion() {
    let model = "assets/models/lis-standard.safetensors";
    let texts = succeeded(&["predict", model, "--held-out", "3"]);
    assert_eq!(texts.lines().count(), 3, "{texts}");
    let lines = succeeded(&["predict", model, "--held-out", "3", "--logits"]);
    let parsed: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(parsed.len(), 3);
    for (line, text) in parsed.iter().zip(texts.lines()) {
        let tokens = line["tokens"].as_array().unwrap();
        let logits = line["logits"].as_array().unwrap();
        let prompt_len = line["prompt_len"].as_u64().unwrap() as usize;
        // LIS at n = 5: 5 numbers and <sep>, then 5 DP values, <sep> and the answer.
        assert_eq!((prompt_len, tokens.len()), (6, 13), "{line}");
        assert_eq!(logits.len(), tokens.len());
        assert!(
            logits
                .iter()
                .all(|row| row.as_array().unwrap().len() == 251)
        );
        // Same prompt as the text line (the reference sequence with --logits, the greedy one
        // without: they share the prompt).
        let prompt: Vec<&str> = line["text"].as_str().unwrap().split(' ').take(6).collect();
        assert!(text.starts_with(&prompt.join(" ")), "{text} / {line}");
    }
    // Your own prompt: the whole pass's logits pick each token the cached decoder generated.
    let prompt = "60 100 70 80 200 <sep>";
    let line: serde_json::Value =
        serde_json::from_str(succeeded(&["predict", model, "--input", prompt, "--logits"]).trim())
            .unwrap();
    let tokens: Vec<u64> = line["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_u64().unwrap())
        .collect();
    let text = succeeded(&["predict", model, "--input", prompt]);
    assert_eq!(line["text"].as_str().unwrap(), text.trim_end());
    for t in 5..tokens.len() - 1 {
        let row: Vec<f64> = line["logits"][t]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let best = (0..row.len())
            .max_by(|&a, &b| row[a].total_cmp(&row[b]))
            .unwrap();
        assert_eq!(best as u64, tokens[t + 1], "position {t}");
    }
    refused(
        &["predict", model, "--held-out", "0"],
        "--held-out must be in 1..=",
    );
    let out = lab(&["predict", model, "--held-out", "2", "--input", prompt]);
    assert_eq!(out.status.code(), Some(2), "clap refuses both");
}

#[test]
fn the_logit_lens_and_patching_print_their_tables() {
    let model = "assets/models/lis-standard.safetensors";
    let out = lab(&[
        "eval",
        model,
        "--lens",
        "--examples",
        "16",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lens: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(lens["layers"].as_array().unwrap().len(), 4, "{lens}");
    assert_eq!(lens["examples"], 16);
    let out = lab(&[
        "predict",
        model,
        "--input",
        "60 100 70 80 200 <sep>",
        "--patch",
        "60 100 70 80 50 <sep>",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("activation patching: clean answer 4"),
        "{text}"
    );
    // A row per position before the answer (13 tokens: 12 rows), the changed token marked.
    assert_eq!(
        text.lines().filter(|l| l.starts_with("   4*")).count(),
        1,
        "{text}"
    );
    assert_eq!(text.lines().count(), 2 + 12 + 1, "{text}");
    refused(
        &[
            "predict",
            model,
            "--input",
            "60 100 70 80 200 <sep>",
            "--patch",
            "60 100 70 80 210 <sep>",
        ],
        "same answer",
    );
    // Two instruments at once: clap's usage error (exit 2).
    let out = lab(&["eval", model, "--lens", "--probe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

#[test]
fn a_length_curve_spans_the_sizes_that_fit_the_context() {
    let dir = temp_dir("curve");
    let out_file = dir.join("curve.json");
    let out = lab(&[
        "eval",
        "assets/models/majority-softmax.safetensors",
        "--curve",
        "6",
        "--examples",
        "16",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    let sizes: Vec<u64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["size"].as_u64().unwrap())
        .collect();
    // MAJORITY takes odd sizes; the model's context is 63 tokens (N + 2): 1 to 61, log-spaced,
    // and the training size 15 among them.
    assert_eq!(sizes.first(), Some(&1), "{sizes:?}");
    assert_eq!(sizes.last(), Some(&61), "{sizes:?}");
    assert!(sizes.contains(&15), "{sizes:?}");
    assert!(sizes.iter().all(|s| s % 2 == 1), "{sizes:?}");
    assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{sizes:?}");
    assert!((6..=7).contains(&sizes.len()), "{sizes:?}");
    let out = lab(&[
        "eval",
        "assets/models/majority-softmax.safetensors",
        "--curve",
        "6",
        "--sizes",
        "5",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--curve and --sizes exclude each other"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
