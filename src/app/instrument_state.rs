//! The instruments panel's state: which instrument is shown, which one the worker is running,
//! each one's last result on the kept model, and the length curves laid over each other (kept
//! across models until cleared, so that runs of several seeds make one band). Plain Rust, part
//! of the page's reducer ([`super::state`]), tested natively.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::wire::protocol::{InstrumentKind, Measurement};
use crate::instruments::length::LengthCurve;

/// The most length curves on the chart: past it the oldest goes.
pub const MAX_CURVES: usize = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct Instruments {
    /// The tab shown.
    pub tab: InstrumentKind,
    /// The instrument the worker is running (one at a time).
    pub running: Option<InstrumentKind>,
    /// Each instrument's last result on the kept model under the inference mode.
    pub results: BTreeMap<InstrumentKind, Rc<Result<Measurement, String>>>,
    /// Length curves of this and earlier models, oldest first.
    pub curves: Rc<Vec<LengthCurve>>,
}

impl Default for Instruments {
    fn default() -> Self {
        Self {
            tab: InstrumentKind::Probes,
            running: None,
            results: BTreeMap::new(),
            curves: Rc::default(),
        }
    }
}

impl Instruments {
    /// The model (or its attention mode) changed: its results no longer hold. The length
    /// curves stay: each names its model.
    pub fn forget(&mut self) {
        self.results.clear();
        self.running = None;
    }

    /// The worker was asked to run `kind`.
    pub fn start(&mut self, kind: InstrumentKind) {
        self.tab = kind;
        self.running = Some(kind);
        self.results.remove(&kind);
    }

    /// A result arrived. A length curve joins the chart, replacing one of the same model
    /// (same configuration and seed).
    pub fn measured(&mut self, kind: InstrumentKind, result: Result<Measurement, String>) {
        if self.running == Some(kind) {
            self.running = None;
        }
        if let Ok(Measurement::Length(curve)) = &result {
            let mut curves: Vec<LengthCurve> = (*self.curves).clone();
            curves.retain(|c| c.train != curve.train);
            curves.push(curve.clone());
            let excess = curves.len().saturating_sub(MAX_CURVES);
            curves.drain(..excess);
            self.curves = Rc::new(curves);
        }
        self.results.insert(kind, Rc::new(result));
    }

    /// Remove every length curve.
    pub fn clear_curves(&mut self) {
        self.curves = Rc::default();
        self.results.remove(&InstrumentKind::Length);
    }

    pub fn result(&self, kind: InstrumentKind) -> Option<Rc<Result<Measurement, String>>> {
        self.results.get(&kind).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::TrainConfig;

    fn curve(seed: u64) -> LengthCurve {
        LengthCurve {
            label: format!("seed {seed}"),
            train: TrainConfig {
                seed,
                ..TrainConfig::default()
            },
            points: Vec::new(),
            skipped: Vec::new(),
        }
    }

    #[test]
    fn a_result_ends_its_run_and_a_new_model_forgets_results_but_keeps_curves() {
        let mut s = Instruments::default();
        s.start(InstrumentKind::Length);
        assert_eq!(s.running, Some(InstrumentKind::Length));
        s.measured(InstrumentKind::Length, Ok(Measurement::Length(curve(1))));
        assert_eq!(s.running, None);
        s.start(InstrumentKind::Ablation);
        s.measured(InstrumentKind::Ablation, Err("no heads".into()));
        assert_eq!(s.results.len(), 2);
        s.forget();
        assert!(s.results.is_empty());
        assert_eq!(s.curves.len(), 1, "curves outlive their model");
    }

    #[test]
    fn the_same_model_replaces_its_curve_and_the_oldest_curves_go_past_the_limit() {
        let mut s = Instruments::default();
        for seed in 1..=3 {
            s.measured(InstrumentKind::Length, Ok(Measurement::Length(curve(seed))));
        }
        s.measured(InstrumentKind::Length, Ok(Measurement::Length(curve(2))));
        let seeds: Vec<u64> = s.curves.iter().map(|c| c.train.seed).collect();
        assert_eq!(seeds, vec![1, 3, 2]);
        for seed in 10..30 {
            s.measured(InstrumentKind::Length, Ok(Measurement::Length(curve(seed))));
        }
        assert_eq!(s.curves.len(), MAX_CURVES);
        assert_eq!(s.curves.last().unwrap().train.seed, 29);
        s.clear_curves();
        assert!(s.curves.is_empty() && s.result(InstrumentKind::Length).is_none());
    }

    #[test]
    fn a_late_result_of_another_instrument_does_not_end_the_running_one() {
        let mut s = Instruments::default();
        s.start(InstrumentKind::Probes);
        s.measured(InstrumentKind::Lens, Err("late".into()));
        assert_eq!(s.running, Some(InstrumentKind::Probes));
    }
}
