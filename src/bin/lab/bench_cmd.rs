//! `lab bench decode`: wall-clock time per generated token at growing positions, per
//! architecture, with the cached decoder on the native CPU backend.

use expressivity_lab::models::ArchSpec;
use std::time::Instant;

use crate::{outln, outprint};
use burn::prelude::*;
use clap::{Args, Subcommand};

use expressivity_lab::models::cost::token_cost;
use expressivity_lab::models::{Architecture, Model, ModelConfig, SequenceModel};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Per-token decode time at positions 64, 256 and 1024 for every architecture.
    Decode(DecodeArgs),
    /// Training throughput (tokens/s) per architecture for the reference configuration
    /// (3 layers, d=256, 4 heads, LIS n=50, batch 32), a small one (2 layers, d=64) and the
    /// claims' grid sizes (index lookup N=128 1 layer d=64, transformer and LSTM;
    /// disjointness N=32 2 layers d=64, transformer).
    Train(TrainBenchArgs),
}

#[derive(Args)]
pub struct TrainBenchArgs {
    /// Timed steps per configuration (after 2 untimed warm-up steps).
    #[arg(long, default_value_t = 5)]
    steps: usize,
    /// Only these architectures (comma-separated; default all).
    #[arg(long, value_delimiter = ',')]
    arch: Vec<String>,
    /// Also split a step of the reference configuration into its phases (batch, forward +
    /// loss, backward, optimiser) for each architecture: where the time goes.
    #[arg(long)]
    breakdown: bool,
}

#[derive(Args)]
pub struct DecodeArgs {
    #[arg(long, default_value_t = 128)]
    width: usize,
    #[arg(long, default_value_t = 2)]
    layers: usize,
    #[arg(long, default_value_t = 4)]
    heads: usize,
    /// Tokens timed at each position (after the cache has been filled up to it).
    #[arg(long, default_value_t = 64)]
    tokens: usize,
    /// Positions to time at (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [64, 256, 1024])]
    positions: Vec<usize>,
}

pub fn run(command: BenchCommand) -> Result<(), String> {
    match command {
        BenchCommand::Decode(args) => decode(&args),
        BenchCommand::Train(args) => {
            train(&args)?;
            if args.breakdown {
                breakdown(&args)?;
            }
            Ok(())
        }
    }
}

/// One training step of the reference configuration split into phases. The flex backend runs
/// each op when it is called, so timing the calls times the work; a read of the loss closes
/// the forward phase to be sure.
fn breakdown(args: &TrainBenchArgs) -> Result<(), String> {
    use burn::optim::grad_clipping::GradientClippingConfig;
    use burn::optim::{AdamWConfig, GradientsParams};
    use expressivity_lab::tasks::{TaskKind, TaskRng, TaskSpec};
    use expressivity_lab::train::TrainConfig;
    use expressivity_lab::train::batch::make_batch;
    use expressivity_lab::train::loss::masked_cross_entropy;

    outln!();
    outln!(
        "where a step goes: reference config (LIS n=50, 3L d=256, batch 32), ms, mean of {} steps",
        args.steps
    );
    outln!(
        "{:<10} {:>8} {:>10} {:>10} {:>10} {:>10}",
        "arch",
        "batch",
        "forward",
        "backward",
        "optimiser",
        "total"
    );
    for architecture in selected(args)? {
        let config = TrainConfig {
            task: TaskSpec::new(TaskKind::Lis, 50),
            model: ArchSpec {
                architecture,
                d_model: 256,
                n_layers: 3,
                n_heads: 4,
                ..TrainConfig::default().model
            },
            ..TrainConfig::default()
        };
        let task = config.task().map_err(|e| e.to_string())?;
        let device = Device::flex().autodiff();
        let mut model = Model::new(&config.model().map_err(|e| e.to_string())?, &device)
            .map_err(|e| e.to_string())?;
        let mut optimizer = AdamWConfig::new()
            .with_weight_decay(0.01)
            .with_grad_clipping(Some(GradientClippingConfig::Norm(1.0)))
            .init();
        let mut rng = TaskRng::new(1, 0);
        let mut totals = [0.0f64; 4];
        for step in 0..args.steps + 2 {
            let mut times = [0.0f64; 4];
            let t = Instant::now();
            let examples: Vec<_> = (0..32).map(|_| task.generate(&mut rng)).collect();
            let batch = make_batch(&examples, &device);
            times[0] = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let loss = masked_cross_entropy(
                model.forward(batch.inputs).map_err(|e| e.to_string())?,
                batch.targets,
                batch.mask,
            );
            let _ = loss.clone().into_scalar::<f32>();
            times[1] = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            times[2] = t.elapsed().as_secs_f64();
            let t = Instant::now();
            model = optimizer.step(3e-3, model, grads);
            times[3] = t.elapsed().as_secs_f64();
            if step >= 2 {
                for (total, time) in totals.iter_mut().zip(times) {
                    *total += time;
                }
            }
        }
        let ms = totals.map(|t| t * 1e3 / args.steps as f64);
        outln!(
            "{:<10} {:>8.1} {:>10.1} {:>10.1} {:>10.1} {:>10.1}",
            architecture.name(),
            ms[0],
            ms[1],
            ms[2],
            ms[3],
            ms.iter().sum::<f64>()
        );
    }
    Ok(())
}

fn selected(args: &TrainBenchArgs) -> Result<Vec<Architecture>, String> {
    if args.arch.is_empty() {
        return Ok(Architecture::ALL.to_vec());
    }
    args.arch
        .iter()
        .map(|a| Architecture::from_name(a).ok_or(format!("unknown architecture `{a}`")))
        .collect()
}

#[allow(clippy::too_many_lines)] // over the 100-line limit from before it: to split
fn train(args: &TrainBenchArgs) -> Result<(), String> {
    use expressivity_lab::tasks::{TaskKind, TaskSpec};
    use expressivity_lab::train::{TrainConfig, Trainer};
    let archs = selected(args)?;
    let device = Device::flex();
    outln!(
        "training throughput, CPU (flex), batch 32, mean of {} steps after 2 warm-up steps",
        args.steps
    );
    outln!(
        "{:<10} {:<30} {:>6} {:>5} {:>7} {:>10} {:>12} {:>14}",
        "arch",
        "config",
        "vocab",
        "seq",
        "prompt",
        "ms/step",
        "steps/s",
        "tokens/s"
    );
    // The reference and small configurations for every architecture, then the sizes the
    // claims' grids train (one small model per core): the 1-layer width-64 transformer and
    // LSTM at index lookup N = 128, the 2-layer width-64 transformer on disjointness N = 32.
    use Architecture::{Lstm, Standard};
    let every: &'static [Architecture] = &Architecture::ALL;
    /// (label, task, size, layers, width, the architectures the row is for)
    type Row = (
        &'static str,
        TaskKind,
        usize,
        usize,
        usize,
        &'static [Architecture],
    );
    let rows: [Row; 4] = [
        (
            "reference: LIS n=50, 3L d=256",
            TaskKind::Lis,
            50,
            3,
            256,
            every,
        ),
        ("small: LIS n=5, 2L d=64", TaskKind::Lis, 5, 2, 64, every),
        (
            "claims: index N=128, 1L d=64",
            TaskKind::IndexLookup,
            128,
            1,
            64,
            &[Standard, Lstm],
        ),
        (
            "claims: disjoint N=32, 2L d=64",
            TaskKind::Disjointness,
            32,
            2,
            64,
            &[Standard],
        ),
    ];
    for (label, kind, size, layers, width, row_archs) in rows {
        for &architecture in archs.iter().filter(|a| row_archs.contains(a)) {
            let config = TrainConfig {
                task: TaskSpec::new(kind, size),
                batch_size: 32,
                steps: args.steps + 2,
                eval_every: 1_000_000,
                eval_examples: 1,
                model: ArchSpec {
                    architecture,
                    d_model: width,
                    n_layers: layers,
                    n_heads: 4,
                    ..TrainConfig::default().model
                },
                ..TrainConfig::default()
            };
            let task = config.task().map_err(|e| e.to_string())?;
            let (vocab, seq) = (task.vocab().len(), task.max_seq_len());
            let prompt = task.sample(0, 1)[0].prompt_len;
            let tokens_per_step = 32 * (seq - 1);
            let mut trainer = Trainer::new(config, &device).map_err(|e| e.to_string())?;
            // The losses stay on the device: a step is only done once something reads it.
            trainer.step().map_err(|e| e.to_string())?;
            trainer.step().map_err(|e| e.to_string())?;
            pollster::block_on(trainer.flush()).map_err(|e| e.to_string())?;
            let start = Instant::now();
            for _ in 0..args.steps {
                trainer.step().map_err(|e| e.to_string())?;
            }
            pollster::block_on(trainer.flush()).map_err(|e| e.to_string())?;
            let seconds = start.elapsed().as_secs_f64() / args.steps as f64;
            outln!(
                "{:<10} {:<30} {:>6} {:>5} {:>7} {:>10.1} {:>12.2} {:>14.0}",
                architecture.name(),
                label,
                vocab,
                seq,
                prompt,
                seconds * 1e3,
                1.0 / seconds,
                tokens_per_step as f64 / seconds
            );
        }
    }
    Ok(())
}

fn decode(args: &DecodeArgs) -> Result<(), String> {
    let mut positions = args.positions.clone();
    positions.sort_unstable();
    let last = *positions.last().ok_or("no positions")?;
    let max_len = last + args.tokens + 1;
    let device = Device::flex();
    outln!(
        "per-token decode time (µs), CPU (flex), width {} · {} layers · {} heads · mean of {} tokens",
        args.width,
        args.layers,
        args.heads,
        args.tokens
    );
    outprint!("{:<9}", "arch");
    for p in &positions {
        outprint!(" {:>10}", format!("t={p}"));
    }
    outln!(" {:>12} {:>16}", "last/first", "FLOPs last/first");
    for architecture in Architecture::ALL {
        let config = ModelConfig {
            vocab_size: 32,
            max_len,
            arch: ArchSpec {
                architecture,
                d_model: args.width,
                n_layers: args.layers,
                n_heads: args.heads,
                ..ArchSpec::default()
            },
            index_tokens: None,
            paired: None,
        };
        device.seed(1);
        let model = Model::new(&config, &device).map_err(|e| e.to_string())?;
        let mut cache = model.init_cache(1, &device);
        let token = |i: usize| Tensor::<1, Int>::from_ints([(i % 32) as i64], &device);
        let mut times = Vec::new();
        for &p in &positions {
            while cache.position < p {
                let logits = model
                    .step(token(cache.position), &mut cache)
                    .map_err(|e| e.to_string())?;
                logits.into_data();
            }
            let start = Instant::now();
            for _ in 0..args.tokens {
                // Reading the logits is part of generating a token (and forces the work).
                let logits = model
                    .step(token(cache.position), &mut cache)
                    .map_err(|e| e.to_string())?;
                logits.into_data();
            }
            times.push(start.elapsed().as_secs_f64() * 1e6 / args.tokens as f64);
        }
        outprint!("{:<9}", architecture.name());
        for t in &times {
            outprint!(" {t:>10.0}");
        }
        let flops = |p| token_cost(&config, p).flops as f64;
        outln!(
            " {:>12.2} {:>16.2}",
            times[times.len() - 1] / times[0],
            flops(last) / flops(positions[0])
        );
    }
    Ok(())
}
