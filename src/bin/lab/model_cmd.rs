//! `lab model check` and `lab model cost`: the zoo's equivalences and analytic costs;
//! `lab model migrate`: a checkpoint of an older format rewritten in the current one.

use crate::{outln, outprint};
use clap::{Args, Subcommand};

use expressivity_lab::models::check::{TOLERANCE, check_model};
use expressivity_lab::models::cost::token_cost;
use expressivity_lab::models::{
    ArchSpec, Architecture, AttentionMode, Model, ModelConfig, PositionalEncoding,
};

#[derive(Subcommand)]
pub enum ModelCommand {
    /// Check cached decoding = full forward and causality for every architecture and attention
    /// mode; print a table; exit non-zero on any mismatch.
    Check(SizeArgs),
    /// Print FLOPs and cache/state bytes per generated token as position grows.
    Cost(SizeArgs),
    /// Rewrite a checkpoint of format v1 in the current format, with the same weights: its v1
    /// checksum is verified first, and the new file's checksum covers its metadata too. A file
    /// already in the current format is copied unchanged (or, with --weights-only, without its
    /// optimizer state).
    Migrate(MigrateArgs),
}

#[derive(Args)]
pub struct MigrateArgs {
    /// The checkpoint to read (.safetensors).
    file: std::path::PathBuf,
    /// Where to write the current-format file (refused if it exists, unless --force).
    #[arg(long)]
    out: std::path::PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
    /// Drop a resumable file's optimizer state (a third or more of a small model's file): the
    /// result loads, evaluates and predicts exactly the same, but cannot be resumed.
    #[arg(long)]
    weights_only: bool,
}

#[derive(Args)]
pub struct SizeArgs {
    #[arg(long, default_value_t = 32)]
    width: usize,
    #[arg(long, default_value_t = 2)]
    layers: usize,
    #[arg(long, default_value_t = 4)]
    heads: usize,
    /// Sparse block size (default ⌈√max-len⌉).
    #[arg(long)]
    block: Option<usize>,
    /// The sparse transformer reads a sliding window of --block positions (plus block ends).
    #[arg(long)]
    window: bool,
    /// Sequence length decoded by the check (several sparse blocks).
    #[arg(long, default_value_t = 96)]
    len: usize,
    #[arg(long, default_value_t = 1024)]
    max_len: usize,
    #[arg(long, default_value_t = 20)]
    vocab: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

impl SizeArgs {
    fn config(
        &self,
        architecture: Architecture,
        attention: AttentionMode,
        positional: PositionalEncoding,
    ) -> ModelConfig {
        ModelConfig {
            arch: ArchSpec {
                architecture,
                attention,
                positional,
                d_model: self.width,
                n_layers: self.layers,
                n_heads: self.heads,
                block_size: self.block,
                sparse_window: self.window,
                ..ArchSpec::default()
            },
            vocab_size: self.vocab,
            max_len: self.max_len,
            index_tokens: None,
            paired: None,
        }
    }
}

/// Every architecture with each attention mode that applies to it.
pub fn variants() -> Vec<(Architecture, AttentionMode)> {
    Architecture::ALL
        .into_iter()
        .flat_map(|a| {
            let modes: &[AttentionMode] = if a.has_attention_modes() {
                &AttentionMode::ALL
            } else {
                &[AttentionMode::Softmax]
            };
            modes.iter().map(move |&m| (a, m))
        })
        .collect()
}

fn mode_label(a: Architecture, m: AttentionMode) -> &'static str {
    if a.has_attention_modes() {
        m.name()
    } else {
        "-"
    }
}

pub fn run(command: ModelCommand) -> Result<(), String> {
    match command {
        ModelCommand::Check(args) => check(&args),
        ModelCommand::Cost(args) => cost(&args),
        ModelCommand::Migrate(args) => migrate(&args),
    }
}

fn migrate(args: &MigrateArgs) -> Result<(), String> {
    use expressivity_lab::files;
    use expressivity_lab::train::checkpoint;
    let out = crate::out_path::output(&args.out, args.force)?;
    let bytes = files::read_bytes(&args.file, checkpoint::MAX_BYTES as u64)?;
    let from = checkpoint::read_meta(&bytes)
        .map_err(|e| format!("{}: {e}", args.file.display()))?
        .format;
    let mut migrated =
        checkpoint::migrate_v1(&bytes).map_err(|e| format!("{}: {e}", args.file.display()))?;
    // The new file must load: checked before it is written.
    let device = burn::prelude::Device::flex();
    let loaded = checkpoint::load(&migrated, &device)
        .map_err(|e| format!("the migrated file does not load: {e}"))?;
    if args.weights_only && loaded.meta.resume.is_some() {
        let meta = checkpoint::CheckpointMeta {
            resume: None,
            ..loaded.meta
        };
        migrated = pollster::block_on(checkpoint::save(&loaded.model, &meta))
            .map_err(|e| format!("writing the weights: {e}"))?;
        checkpoint::load(&migrated, &device)
            .map_err(|e| format!("the weights-only file does not load: {e}"))?;
    }
    out.write(&migrated)?;
    outln!(
        "{} ({from}) → {} ({}{}): the same weights, {} bytes",
        args.file.display(),
        out.path().display(),
        checkpoint::FORMAT,
        if args.weights_only {
            ", weights only"
        } else {
            ""
        },
        migrated.len()
    );
    Ok(())
}

fn check(args: &SizeArgs) -> Result<(), String> {
    if args.len > args.max_len || args.len < 2 {
        return Err(format!("--len must be in 2..={}", args.max_len));
    }
    let device = burn::prelude::Device::flex();
    outln!(
        "width {} · {} layers · {} heads · {} tokens decoded · tolerance {TOLERANCE:e}",
        args.width,
        args.layers,
        args.heads,
        args.len
    );
    outln!(
        "{:<9} {:<10} {:<10} {:>11} {:>11} {:>11} {:>9} {:>13} {:>13} {:>14} {:>6}",
        "arch",
        "mode",
        "positions",
        "max|Δ|step",
        "max|Δ|rows",
        "max|Δ|caus",
        "params",
        "FLOPs@t=64",
        "FLOPs@t=512",
        "state B@t=512",
        "ok"
    );
    let mut failures = Vec::new();
    // Each variant with sinusoidal positions, and where they apply, RoPE and ALiBi (which
    // change the scores: the cached decoder must apply them to the keys it holds).
    let checks: Vec<_> = variants()
        .into_iter()
        .flat_map(|(a, m)| {
            [
                PositionalEncoding::Sinusoidal,
                PositionalEncoding::Rope,
                PositionalEncoding::Alibi,
            ]
            .into_iter()
            .filter(move |p| p.applies_to(a))
            .map(move |p| (a, m, p))
        })
        .collect();
    for &(architecture, mode, positional) in &checks {
        let config = args.config(architecture, mode, positional);
        device.seed(args.seed);
        let model = Model::new(&config, &device).map_err(|e| e.to_string())?;
        let report =
            pollster::block_on(check_model(&model, &config, args.len, args.seed, &device))?;
        let ok = report.passes();
        outln!(
            "{:<9} {:<10} {:<10} {:>11.2e} {:>11.2e} {:>11.2e} {:>9} {:>13} {:>13} {:>14} {:>6}",
            architecture.name(),
            mode_label(architecture, mode),
            positional.name(),
            report.cached_vs_full,
            report.rows_vs_full,
            report.causality,
            config.param_count(),
            token_cost(&config, 64).flops,
            token_cost(&config, 512).flops,
            token_cost(&config, 512).state_bytes,
            if ok { "yes" } else { "NO" }
        );
        if !ok {
            failures.push(format!(
                "{} {} {}",
                architecture.name(),
                mode.name(),
                positional.name()
            ));
        }
    }
    if failures.is_empty() {
        outln!("all {} variants agree", checks.len());
        Ok(())
    } else {
        Err(format!("mismatch in {}", failures.join(", ")))
    }
}

fn cost(args: &SizeArgs) -> Result<(), String> {
    let positions = [0, 16, 64, 256, 1023];
    outprint!("{:<9} {:>10}", "arch", "params");
    for p in positions {
        outprint!(" {:>20}", format!("t={p} FLOPs/bytes"));
    }
    outln!();
    for architecture in Architecture::ALL {
        let config = args.config(
            architecture,
            AttentionMode::Softmax,
            PositionalEncoding::Sinusoidal,
        );
        config.validate().map_err(|e| e.to_string())?;
        outprint!("{:<9} {:>10}", architecture.name(), config.param_count());
        for p in positions.into_iter().filter(|&p| p < args.max_len) {
            let c = token_cost(&config, p);
            outprint!(" {:>20}", format!("{}/{}", c.flops, c.state_bytes));
        }
        outln!();
    }
    Ok(())
}
