//! Learning-rate schedule: linear warm-up, then linear decay to a floor.

/// Learning rate at `step` (0-based) of `total` steps.
pub fn learning_rate(peak: f64, step: usize, total: usize) -> f64 {
    let warmup = (total / 20).max(1);
    if step < warmup {
        return peak * (step + 1) as f64 / warmup as f64;
    }
    let progress = (step - warmup) as f64 / (total - warmup).max(1) as f64;
    peak * (1.0 - 0.9 * progress.min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warms_up_then_decays() {
        assert!(learning_rate(1.0, 0, 100) < 0.3);
        assert!((learning_rate(1.0, 4, 100) - 1.0).abs() < 1e-9);
        assert!(learning_rate(1.0, 50, 100) < 1.0);
        assert!((learning_rate(1.0, 99, 100) - 0.1).abs() < 0.02);
    }
}
