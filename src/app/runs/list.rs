//! What the runs store lists: the readable runs and the ones that cannot be read (plain Rust,
//! so that the page's reducer, tested natively, takes it).

use crate::runs::record::{RecordError, RunId, RunRecord, RunStatus};

/// A record that is stored but cannot be used, and why (shown in the table with a delete
/// button; the other runs list as usual).
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub id: RunId,
    pub error: RecordError,
}

/// Every stored run: the readable ones newest first, and the ones that cannot be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunList {
    pub runs: Vec<RunRecord>,
    pub unreadable: Vec<Unreadable>,
}

impl RunList {
    /// The run a reloaded tab shows again: the one it showed (`id`), if it is still listed, no
    /// longer training and stored weights at an evaluation at least once.
    pub fn reopenable(runs: &[RunRecord], id: &str) -> Option<RunRecord> {
        runs.iter()
            .find(|r| r.id.0 == id && r.status != RunStatus::Running && !r.history.is_empty())
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::{Metrics, TrainConfig};

    fn record(id: &str, status: RunStatus, evaluations: usize) -> RunRecord {
        let mut r = RunRecord::start(
            RunId(id.into()),
            id.into(),
            0.0,
            TrainConfig::default(),
            "CPU".into(),
        );
        r.status = status;
        let at = |step| Metrics {
            step,
            loss: 1.0,
            last_loss: None,
            accuracy: 0.5,
            answer_accuracy: 0.5,
            free: None,
            agreement: None,
            elapsed_s: None,
        };
        r.history = (1..=evaluations).map(|k| at(100 * k)).collect();
        r
    }

    #[test]
    fn a_reload_reopens_the_shown_run_only_when_it_has_weights() {
        let runs = vec![
            record("a", RunStatus::Finished, 3),
            record("b", RunStatus::Stopped, 0),
            record("c", RunStatus::Running, 2),
            record("d", RunStatus::Stopped, 1),
        ];
        assert_eq!(
            RunList::reopenable(&runs, "a").map(|r| r.id.0),
            Some("a".into())
        );
        assert_eq!(
            RunList::reopenable(&runs, "d").map(|r| r.id.0),
            Some("d".into())
        );
        // Stopped before its first evaluation: nothing stored to show.
        assert!(RunList::reopenable(&runs, "b").is_none());
        // Still training (another tab's run): not opened from here.
        assert!(RunList::reopenable(&runs, "c").is_none());
        // Deleted since.
        assert!(RunList::reopenable(&runs, "gone").is_none());
    }
}
