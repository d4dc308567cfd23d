//! Browser tests on burn's WebGPU backend. Run in headless Chromium started with
//! `--enable-unsafe-webgpu` (tests/webdriver-webgpu.json): a missing adapter is a failure here,
//! never a skip. They run in a dedicated worker (WebGPU is exposed there too), which keeps
//! the page responsive while SwiftShader compiles shaders.
#![cfg(target_arch = "wasm32")]

use burn::prelude::*;
use expressivity_lab::models::ArchSpec;
use expressivity_lab::models::check::check_model;
use expressivity_lab::models::{Architecture, Model, ModelConfig, SequenceModel, SequenceTooLong};
use expressivity_lab::tasks::{TaskKind, TaskSpec};
use expressivity_lab::train::backend::{self, web};
use expressivity_lab::train::checkpoint;
use expressivity_lab::train::{BackendChoice, TrainConfig, Trainer};
use wasm_bindgen_test::*;

#[path = "support/resume_check.rs"]
mod resume_check;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

async fn webgpu() -> Device {
    let adapter = web::probe_adapter()
        .await
        .unwrap_or_else(|why| panic!("--enable-unsafe-webgpu is set but: {why}"));
    console_log!(
        "WebGPU adapter: {} (fallback: {})",
        adapter.description,
        adapter.is_fallback
    );
    web::webgpu_device()
        .await
        .expect("burn's WebGPU device initialises")
}

async fn read(t: Result<Tensor<3>, SequenceTooLong>) -> Vec<f32> {
    t.expect("within the context")
        .into_data_async()
        .await
        .expect("async read")
        .iter::<f32>()
        .collect()
}

#[wasm_bindgen_test]
async fn forward_on_webgpu_matches_cpu() {
    let gpu = webgpu().await;
    let cpu = Device::flex();
    let config = ModelConfig::transformer(40, 24, 32, 2, 4);
    cpu.seed(3);
    let model_cpu = Model::new(&config, &cpu).unwrap();
    let model_gpu = model_cpu.clone().to_device(&gpu);
    let ids: Vec<i64> = (0..2 * 24).map(|i| (i * 7 + 3) % 40).collect();
    let input = |d: &Device| Tensor::<1, Int>::from_ints(ids.as_slice(), d).reshape([2, 24]);
    let a = read(model_cpu.forward(input(&cpu))).await;
    let b = read(model_gpu.forward(input(&gpu))).await;
    assert_eq!(a.len(), b.len());
    let max_diff = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    console_log!("max |logit(WebGPU) - logit(CPU)| = {max_diff:e}");
    assert!(max_diff <= 1e-3, "WebGPU and CPU disagree by {max_diff}");
}

#[wasm_bindgen_test]
async fn every_architecture_agrees_with_the_cpu_and_decodes_with_its_cache_on_webgpu() {
    let gpu = webgpu().await;
    let cpu = Device::flex();
    for architecture in Architecture::ALL {
        let config = ModelConfig {
            vocab_size: 11,
            max_len: 12,
            arch: ArchSpec {
                architecture,
                d_model: 16,
                n_layers: 1,
                n_heads: 2,
                block_size: Some(3),
                state_size: 4,
                ..ArchSpec::default()
            },
            index_tokens: None,
            paired: None,
        };
        cpu.seed(5);
        let model_cpu = Model::new(&config, &cpu).unwrap();
        let model_gpu = model_cpu.clone().to_device(&gpu);
        let ids: Vec<i64> = (0..2 * 12).map(|i| (i * 5 + 1) % 11).collect();
        let input = |d: &Device| Tensor::<1, Int>::from_ints(ids.as_slice(), d).reshape([2, 12]);
        let a = read(model_cpu.forward(input(&cpu))).await;
        let b = read(model_gpu.forward(input(&gpu))).await;
        let max_diff = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        let report = check_model(&model_gpu, &config, 12, 3, &gpu).await.unwrap();
        console_log!(
            "{}: max |logit(WebGPU) - logit(CPU)| = {max_diff:e}; on WebGPU cached vs full {:e}, causality {:e}",
            architecture.name(),
            report.cached_vs_full,
            report.causality
        );
        assert!(
            max_diff <= 1e-3,
            "{architecture:?}: WebGPU and CPU disagree by {max_diff}"
        );
        assert!(
            report.cached_vs_full <= 1e-3,
            "{architecture:?}: {report:?}"
        );
        assert!(report.causality <= 1e-3, "{architecture:?}: {report:?}");
        assert!(report.rows_vs_full <= 1e-3, "{architecture:?}: {report:?}");
    }
}

#[wasm_bindgen_test]
async fn training_steps_on_webgpu_lower_the_loss() {
    let gpu = webgpu().await;
    let config = TrainConfig {
        task: TaskSpec::new(TaskKind::Lis, 4),
        steps: 20,
        eval_every: 10,
        eval_examples: 16,
        batch_size: 16,
        model: ArchSpec {
            d_model: 32,
            ..TrainConfig::default().model
        },
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(config, &gpu).unwrap();
    while !trainer.is_finished() {
        trainer.step().unwrap();
        if trainer.at_checkpoint() {
            let m = trainer.checkpoint().await.expect("checkpoint");
            console_log!("WebGPU step {} loss {:.4}", m.step, m.loss);
        }
    }
    let h = trainer.history();
    assert!(
        h.last().unwrap().loss < 0.8 * h[0].loss,
        "loss {} -> {}",
        h[0].loss,
        h.last().unwrap().loss
    );

    // Saving reads the weights asynchronously (a synchronous read would kill the page on
    // WebGPU); the file loads back on WebGPU and on the CPU with the same logits.
    let bytes = trainer.save("webgpu test").await.expect("save on WebGPU");
    let cpu = Device::flex();
    let on_gpu = checkpoint::load(&bytes, &gpu).expect("load on WebGPU");
    let on_cpu = checkpoint::load(&bytes, &cpu).expect("load on CPU");
    let ids: Vec<i64> = trainer
        .test_example(0)
        .tokens
        .iter()
        .map(|&t| i64::from(t))
        .collect();
    let input = |d: &Device| Tensor::<1, Int>::from_ints(ids.as_slice(), d).reshape([1, ids.len()]);
    let a = read(trainer.inference_model().forward(input(&gpu))).await;
    let b = read(on_gpu.model.forward(input(&gpu))).await;
    let c = read(on_cpu.model.forward(input(&cpu))).await;
    let diff = |x: &[f32], y: &[f32]| {
        x.iter()
            .zip(y)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0f32, f32::max)
    };
    console_log!(
        "checkpoint of {} bytes: trained vs reloaded on WebGPU {:e}, vs reloaded on CPU {:e}",
        bytes.len(),
        diff(&a, &b),
        diff(&a, &c)
    );
    assert_eq!(a, b, "reloading on WebGPU changes the logits");
    assert!(diff(&a, &c) <= 1e-3);
    assert_eq!(on_cpu.meta.history, trainer.history());
}

#[wasm_bindgen_test]
async fn explicit_webgpu_choice_uses_the_adapter() {
    let (_, info) = backend::select(BackendChoice::WebGpu).await;
    console_log!("WebGPU choice → {} ({})", info.name, info.reason);
    assert!(info.is_webgpu, "{}", info.reason);
    // Auto never prefers a software adapter over the CPU for these small models.
    let (_, auto) = backend::select(BackendChoice::Auto).await;
    let probe = web::probe_adapter().await.unwrap();
    assert_eq!(auto.is_webgpu, !probe.is_fallback, "{}", auto.reason);
}

/// A run on WebGPU saves a resumable snapshot (its optimizer state read asynchronously: a
/// synchronous read would kill the page) and resumes from it on WebGPU as if it had not stopped.
#[wasm_bindgen_test]
async fn a_webgpu_run_saves_and_resumes_in_the_browser() {
    let gpu = webgpu().await;
    // The transformer only: on SwiftShader every new kernel compiles for seconds, and the LSTM's
    // many small kernels doubled the test (~4 min for both); the CPU fallback test covers both.
    for arch in resume_check::ARCHITECTURES.into_iter().take(1) {
        let config = resume_check::config(arch);
        let difference = resume_check::resumed_difference(config, &gpu).await;
        console_log!("{arch:?} on WebGPU: resumed vs uninterrupted {difference:e}");
        assert!(difference <= 1e-6, "{arch:?}: {difference}");
    }
}
