//! Early stopping of a grid's run: the validation metric is checked every
//! [`super::Design::check_every`] steps, and the run stops once it has been at the threshold
//! (plus the design's [`super::Design::stop_margin`]) at two consecutive checks (one lucky
//! check does not stop it). The step of the first of the two is the run's steps-to-threshold.
//! The budget (`steps`) stays the cap.

/// The checks of one run so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EarlyStop {
    /// The step of the current streak's first check at the threshold.
    streak_from: Option<usize>,
    streak: usize,
}

/// Consecutive checks at the threshold that stop a run.
pub const CONSECUTIVE: usize = 2;

impl EarlyStop {
    /// Record the validation metric at `step`; `true` when the run should stop.
    pub fn observe(&mut self, step: usize, metric: f64, threshold: f64) -> bool {
        if metric >= threshold {
            self.streak += 1;
            self.streak_from.get_or_insert(step);
        } else {
            self.streak = 0;
            self.streak_from = None;
        }
        self.streak >= CONSECUTIVE
    }

    /// The step from which the metric stayed at the threshold, once the run stopped on it.
    pub fn steps_to_threshold(&self) -> Option<usize> {
        (self.streak >= CONSECUTIVE)
            .then_some(self.streak_from)
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_consecutive_checks_stop_a_run_and_one_lucky_check_does_not() {
        let mut stop = EarlyStop::default();
        assert!(!stop.observe(250, 0.96, 0.95));
        assert!(!stop.observe(500, 0.90, 0.95), "the streak breaks");
        assert_eq!(stop.steps_to_threshold(), None);
        assert!(!stop.observe(750, 0.95, 0.95));
        assert!(stop.observe(1000, 0.99, 0.95));
        assert_eq!(stop.steps_to_threshold(), Some(750));
    }
}
