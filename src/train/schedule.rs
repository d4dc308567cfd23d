//! Schedules over a run: the learning rate (linear warm-up, then linear decay to a floor) and
//! the growing softmax scale.

/// Learning rate at `step` (0-based) of `total` steps.
pub fn learning_rate(peak: f64, step: usize, total: usize) -> f64 {
    let warmup = (total / 20).max(1);
    if step < warmup {
        return peak * (step + 1) as f64 / warmup as f64;
    }
    let progress = (step - warmup) as f64 / (total - warmup).max(1) as f64;
    peak * (1.0 - 0.9 * progress.min(1.0))
}

/// Softmax scale at `step` (0-based) of `total` steps, growing geometrically from `from` at
/// the first step to `to` at the last: `softmax(c · a)` with a growing `c` moves softmax
/// attention towards saturated attention (c → ∞) while gradients still flow.
pub fn softmax_scale(from: f32, to: f32, step: usize, total: usize) -> f32 {
    if total <= 1 || step + 1 >= total {
        return to;
    }
    let progress = step as f64 / (total - 1) as f64;
    (f64::from(from) * (f64::from(to) / f64::from(from)).powf(progress)) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_softmax_scale_grows_geometrically_to_its_target() {
        assert_eq!(softmax_scale(1.0, 100.0, 0, 101), 1.0);
        assert!((softmax_scale(1.0, 100.0, 50, 101) - 10.0).abs() < 1e-3);
        assert_eq!(softmax_scale(1.0, 100.0, 100, 101), 100.0);
        assert_eq!(softmax_scale(1.0, 100.0, 500, 101), 100.0);
        assert_eq!(softmax_scale(2.0, 8.0, 0, 1), 8.0);
        let scales: Vec<f32> = (0..10).map(|s| softmax_scale(0.5, 64.0, s, 10)).collect();
        assert!(scales.windows(2).all(|w| w[0] < w[1]), "{scales:?}");
    }

    #[test]
    fn warms_up_then_decays() {
        assert!(learning_rate(1.0, 0, 100) < 0.3);
        assert!((learning_rate(1.0, 4, 100) - 1.0).abs() < 1e-9);
        assert!(learning_rate(1.0, 50, 100) < 1.0);
        assert!((learning_rate(1.0, 99, 100) - 0.1).abs() < 0.02);
    }
}
