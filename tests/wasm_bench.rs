//! Training throughput in the browser (not a test of correctness; run by `scripts/bench-browser`,
//! not by `scripts/test`): the reference configuration of `lab bench train` — LIS n=50,
//! standard transformer, 3 layers, d=256, 4 heads, batch 32 — timed the same way (warm-up steps,
//! then timed steps and one read at the end), on the wasm CPU backend and on WebGPU. Runs in a
//! dedicated worker, as training in the page should. Prints `BENCH …` lines.
#![cfg(target_arch = "wasm32")]

use burn::prelude::Device;
use expressivity_lab::models::ArchSpec;
use expressivity_lab::tasks::{TaskKind, TaskSpec};
use expressivity_lab::train::backend::web;
use expressivity_lab::train::{TrainConfig, Trainer};
use wasm_bindgen_test::*;
use web_time::Instant;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// Timed steps: few, because the software WebGPU adapter is slow.
const STEPS: usize = 3;

/// (label, LIS size, layers, width): the two configurations of `lab bench train`.
const CONFIGS: [(&str, usize, usize, usize); 2] = [
    ("small: LIS n=5, 2L d=64", 5, 2, 64),
    ("reference: LIS n=50, 3L d=256", 50, 3, 256),
];

async fn tokens_per_second(
    device: &Device,
    label: &str,
    config: (&str, usize, usize, usize),
) -> f64 {
    let (name, size, layers, width) = config;
    let config = TrainConfig {
        task: TaskSpec::new(TaskKind::Lis, size),
        batch_size: 32,
        steps: STEPS + 2,
        eval_every: 1_000_000,
        eval_examples: 1,
        model: ArchSpec {
            d_model: width,
            n_layers: layers,
            n_heads: 4,
            ..TrainConfig::default().model
        },
        ..TrainConfig::default()
    };
    let seq = config.task().unwrap().max_seq_len();
    let mut trainer = Trainer::new(config, device).unwrap();
    trainer.step().unwrap();
    trainer.step().unwrap();
    trainer.flush().await.unwrap();
    let start = Instant::now();
    for _ in 0..STEPS {
        trainer.step().unwrap();
    }
    let loss = trainer.flush().await.unwrap();
    let seconds = start.elapsed().as_secs_f64() / STEPS as f64;
    let tps = (32 * (seq - 1)) as f64 / seconds;
    console_log!(
        "BENCH browser {label}{}, {name}: {:.0} ms/step, {tps:.0} tokens/s (loss {loss:.3})",
        if cfg!(feature = "fusion") {
            " with fusion"
        } else {
            ""
        },
        seconds * 1e3
    );
    assert!(loss.is_finite());
    tps
}

/// Both configurations on the CPU, then on WebGPU (the reference one last: on the software
/// adapter it takes minutes per step).
#[wasm_bindgen_test]
async fn bench_training_cpu_and_webgpu() {
    for config in CONFIGS {
        tokens_per_second(&Device::flex(), "wasm CPU (flex)", config).await;
    }
    match web::probe_adapter().await {
        Ok(adapter) => {
            let gpu = web::webgpu_device().await.expect("WebGPU device");
            for config in CONFIGS {
                tokens_per_second(&gpu, &format!("WebGPU ({})", adapter.description), config).await;
            }
        }
        Err(why) => console_log!("BENCH browser WebGPU: no adapter ({why})"),
    }
}
