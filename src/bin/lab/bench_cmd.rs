//! `lab bench decode`: wall-clock time per generated token at growing positions, per
//! architecture, with the cached decoder on the native CPU backend.

use std::time::Instant;

use burn::prelude::*;
use clap::{Args, Subcommand};

use expressivity_lab::models::cost::token_cost;
use expressivity_lab::models::{Architecture, Model, ModelConfig, SequenceModel};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Per-token decode time at positions 64, 256 and 1024 for every architecture.
    Decode(DecodeArgs),
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
    }
}

fn decode(args: &DecodeArgs) -> Result<(), String> {
    let mut positions = args.positions.clone();
    positions.sort_unstable();
    let last = *positions.last().ok_or("no positions")?;
    let max_len = last + args.tokens + 1;
    let device = Device::flex();
    println!(
        "per-token decode time (µs), CPU (flex), width {} · {} layers · {} heads · mean of {} tokens",
        args.width, args.layers, args.heads, args.tokens
    );
    print!("{:<9}", "arch");
    for p in &positions {
        print!(" {:>10}", format!("t={p}"));
    }
    println!(" {:>12} {:>16}", "last/first", "FLOPs last/first");
    for architecture in Architecture::ALL {
        let config = ModelConfig {
            architecture,
            vocab_size: 32,
            max_len,
            d_model: args.width,
            n_layers: args.layers,
            n_heads: args.heads,
            ..ModelConfig::default()
        };
        device.seed(1);
        let model = Model::new(&config, &device).map_err(|e| e.to_string())?;
        let mut cache = model.init_cache(1, &device);
        let token = |i: usize| Tensor::<1, Int>::from_ints([(i % 32) as i64], &device);
        let mut times = Vec::new();
        for &p in &positions {
            while cache.position < p {
                let logits = model.step(token(cache.position), &mut cache);
                logits.into_data();
            }
            let start = Instant::now();
            for _ in 0..args.tokens {
                // Reading the logits is part of generating a token (and forces the work).
                let logits = model.step(token(cache.position), &mut cache);
                logits.into_data();
            }
            times.push(start.elapsed().as_secs_f64() * 1e6 / args.tokens as f64);
        }
        print!("{:<9}", architecture.name());
        for t in &times {
            print!(" {t:>10.0}");
        }
        let flops = |p| token_cost(&config, p).flops as f64;
        println!(
            " {:>12.2} {:>16.2}",
            times[times.len() - 1] / times[0],
            flops(last) / flops(positions[0])
        );
    }
    Ok(())
}
