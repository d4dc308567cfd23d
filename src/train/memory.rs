//! How much memory a training run needs, estimated from its configuration before anything is
//! allocated, and how much this machine (or tab) may use. A run over the cap is refused with
//! the estimate instead of aborting on an allocation failure.

use crate::models::{Architecture, ModelConfig};

/// Bytes a training step needs, roughly: the parameters with their gradients, the optimiser's
/// two moments and the two copies the trainer keeps (last good weights, inference model), plus
/// the activations autodiff keeps for the backward pass (and their gradients).
pub fn training_bytes(model: &ModelConfig, batch: usize) -> u64 {
    let arch = &model.arch;
    let (b, t, d) = (batch as u64, model.max_len as u64, arch.d_model as u64);
    let layers = arch.n_layers as u64;
    // Floats kept per token and layer: norms, projections, MLP (4d) and residuals for
    // attention; gates and states for the RNNs; the scan's per-channel states for the SSM.
    let per_token = match arch.architecture {
        Architecture::Standard | Architecture::Sparse | Architecture::Linear => 18 * d,
        Architecture::Lstm | Architecture::Gru => 16 * d,
        Architecture::Ssm => 3 * 2 * d * arch.state_size as u64 + 12 * d,
    };
    // Scores, weights and their gradient, `[B, H, T, T]` per layer.
    let attention = if arch.architecture.has_attention() {
        3 * b * arch.n_heads as u64 * t * t
    } else {
        0
    };
    let logits = 3 * b * t * model.vocab_size as u64;
    let activations = 2 * (layers * (b * t * per_token + attention) + logits);
    let parameters = 6 * model.param_count() as u64;
    4 * (activations + parameters)
}

/// The most a run may need: in the page well inside wasm32's 4 GiB address space; natively
/// half the machine's physical memory (8 GiB when it cannot be read).
pub fn memory_cap() -> u64 {
    const GIB: u64 = 1 << 30;
    if cfg!(target_arch = "wasm32") {
        return 2 * GIB;
    }
    physical_memory().map_or(8 * GIB, |total| total / 2)
}

/// `MemTotal` of `/proc/meminfo` (Linux), in bytes.
fn physical_memory() -> Option<u64> {
    #[allow(clippy::disallowed_methods)] // a kernel file, not a user's
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Bytes as a short human figure (`1.5 GB`, `320 MB`, `2.2 MB`, `374 KB`).
pub fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    match b {
        b if b >= 1e9 => format!("{:.1} GB", b / 1e9),
        b if b >= 1e7 => format!("{:.0} MB", b / 1e6),
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b => format!("{:.0} KB", (b / 1e3).max(1.0)),
    }
}
