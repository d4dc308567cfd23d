//! Browser tests of the CPU fallback: run in headless Chromium *without*
//! `--enable-unsafe-webgpu` (tests/webdriver-no-webgpu.json), where no adapter exists.
#![cfg(target_arch = "wasm32")]

use burn::prelude::*;
use expressivity_lab::models::ArchSpec;
use expressivity_lab::tasks::{TaskKind, TaskSpec};
use expressivity_lab::train::backend::{self, web};
use expressivity_lab::train::checkpoint;
use expressivity_lab::train::eval::at_size;
use expressivity_lab::train::inspect::inspect;
use expressivity_lab::train::{BackendChoice, TrainConfig, Trainer};
use wasm_bindgen_test::*;

#[path = "support/task_fixture.rs"]
mod task_fixture;

#[path = "support/resume_check.rs"]
mod resume_check;

wasm_bindgen_test_configure!(run_in_browser);

/// The generators give the same examples in the browser as natively (the fixture is written
/// and checked by the native tests in tests/tasks.rs).
#[wasm_bindgen_test]
fn task_samples_are_the_same_as_native() {
    let rendered = task_fixture::render_samples();
    assert_eq!(rendered, task_fixture::EXPECTED);
    console_log!(
        "{} task samples identical to native",
        rendered.lines().count()
    );
}

#[wasm_bindgen_test]
async fn without_an_adapter_every_choice_falls_back_to_cpu_and_trains() {
    let probe = web::probe_adapter().await;
    assert!(
        probe.is_err(),
        "this run expects no WebGPU adapter, found {probe:?}"
    );
    for choice in BackendChoice::ALL {
        let (device, info) = backend::select(choice).await;
        console_log!("{:?} → {} ({})", choice, info.name, info.reason);
        assert!(!info.is_webgpu);
        assert_eq!(info.name, "CPU");
        if choice != BackendChoice::Cpu {
            assert!(
                info.reason.contains("WebGPU"),
                "reason should say why: {}",
                info.reason
            );
        }
        let config = TrainConfig {
            task: TaskSpec::new(TaskKind::Lis, 4),
            steps: 4,
            eval_every: 2,
            eval_examples: 8,
            model: ArchSpec {
                d_model: 16,
                ..TrainConfig::default().model
            },
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::new(config, &device).unwrap();
        while !trainer.is_finished() {
            trainer.step().unwrap();
            if trainer.at_checkpoint() {
                let m = trainer.checkpoint().await.unwrap();
                assert!(m.loss.is_finite());
            }
        }
        let ex = trainer.test_example(0).clone();
        let ins = inspect(&trainer.inference_model(), &ex, trainer.task(), &device)
            .await
            .unwrap();
        assert_eq!(ins.len(), ex.len());
    }
}

/// A checkpoint made natively (`scripts/gallery`) loads in the browser and scores what it
/// scored natively on the same held-out examples (the figure its history recorded, below
/// 100 %, so a wrong weight or a different test set would show).
#[wasm_bindgen_test]
async fn a_native_gallery_checkpoint_loads_and_scores_as_it_did_natively() {
    let bytes = include_bytes!("../assets/models/lis-standard.safetensors");
    let device = burn::prelude::Device::flex();
    let loaded = checkpoint::load(bytes, &device).expect("gallery checkpoint loads");
    let train = &loaded.meta.train;
    let native = *loaded.meta.history.last().expect("history");
    let report = at_size(
        &loaded.model,
        train,
        train.task.size,
        train.eval_examples,
        &device,
    )
    .await
    .unwrap();
    console_log!(
        "gallery lis-standard: native accuracy {:.4}, in the browser {:.4} (greedy {:.4})",
        native.accuracy,
        report.teacher_forced.exact,
        report.greedy.full
    );
    assert!(
        (report.teacher_forced.exact - native.accuracy).abs() <= 2.0 / train.eval_examples as f32
    );
    // Greedy generation follows the reference until its first wrong token, where teacher
    // forcing fails too: the two exact-match sets are the same examples.
    assert_eq!(report.greedy.full, report.teacher_forced.exact);
    // One byte off and the same file is refused.
    let mut damaged = bytes.to_vec();
    let last = damaged.len() - 1;
    damaged[last] ^= 0x40;
    assert!(checkpoint::load(&damaged, &device).is_err());
}

/// A run on the CPU saves and resumes in the browser exactly as if it had not stopped. In this
/// build the default device is the WebGPU one, never initialised here: burn's optimizer loaded
/// its state there and panicked ("Service not yet initialized"); ours loads on the run's device.
#[wasm_bindgen_test]
async fn a_cpu_run_saves_and_resumes_bit_for_bit_in_the_browser() {
    for arch in resume_check::ARCHITECTURES {
        let config = resume_check::config(arch);
        let difference = resume_check::resumed_difference(config, &Device::flex()).await;
        console_log!("{arch:?} on the CPU: resumed vs uninterrupted {difference:e}");
        assert_eq!(difference, 0.0, "{arch:?}");
    }
}
