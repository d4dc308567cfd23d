//! A claim of one of the three papers as a first-class object: the statement, the two sides it
//! compares, the experiment fixed before running, the expected shape and the verdict rule.
//! [`super::registry`] lists them; [`super::run`] runs their grids and [`super::verdict`]
//! judges the results.

use serde::{Deserialize, Serialize};

use super::grid_config::grid_config;
use crate::models::{Architecture, AttentionMode};
use crate::tasks::{TaskKind, TaskSpec};
use crate::train::{Curriculum, TrainConfig};

/// Accuracy a decision task must reach (held-out answer accuracy).
pub const DECISION_THRESHOLD: f64 = 0.95;
/// Greedy whole-CoT exact match a DP task must reach.
pub const DP_THRESHOLD: f64 = 0.90;

/// How the theory says the width needed grows with the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Growth {
    /// O(1): the same width at every size.
    Constant,
    /// O(log N).
    Log,
    /// Θ(√L), L the sequence length (Yang et al.'s DP bound).
    SqrtLength,
    /// Θ(N).
    Linear,
}

impl Growth {
    pub fn name(self) -> &'static str {
        match self {
            Self::Constant => "O(1)",
            Self::Log => "O(log N)",
            Self::SqrtLength => "Ω(√L)",
            Self::Linear => "Ω(N)",
        }
    }

    /// The theory's curve at `size` of `task`, up to a constant factor (L = the task's
    /// longest sequence at that size).
    pub fn curve(self, task: TaskKind, size: usize) -> f64 {
        let n = size.max(2) as f64;
        match self {
            Self::Constant => 1.0,
            Self::Log => n.log2(),
            Self::SqrtLength => {
                let length = TaskSpec::new(task, size)
                    .build()
                    .map_or(n, |t| t.max_seq_len() as f64);
                length.sqrt()
            }
            Self::Linear => n,
        }
    }
}

/// What is measured and judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Decision tasks: the answer token on the held-out set (teacher forcing and greedy
    /// decoding agree: there is no CoT).
    Accuracy,
    /// DP tasks: greedy decoding, every CoT token and the answer must match (teacher-forced
    /// exact match is recorded beside it, never judged).
    GreedyCot,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Self::Accuracy => "held-out accuracy",
            Self::GreedyCot => "greedy whole-CoT exact match",
        }
    }

    pub fn threshold(self) -> f64 {
        match self {
            Self::Accuracy => DECISION_THRESHOLD,
            Self::GreedyCot => DP_THRESHOLD,
        }
    }
}

/// One curve of a claim: an architecture with its depth and learning rate, or a
/// construction evaluated under an attention mode.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Series {
    /// Its name in records and tables (`transformer-1L`, `lstm`, `construction/hard`).
    pub name: &'static str,
    pub architecture: Architecture,
    pub layers: usize,
    pub learning_rate: f64,
    /// For an existence claim: evaluate the named construction under this mode (no training).
    pub construction_mode: Option<AttentionMode>,
    /// Index tokens share the position code (`ArchSpec::index_shares_position`).
    pub index_shares_position: bool,
    /// The two tokens of a pair share a position code (`ArchSpec::pairs_share_position`).
    /// Left out of the JSON when off, so that the designs hashed before it existed keep their
    /// hashes (a design hash covers its series).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pairs_share_position: bool,
    /// Sparse transformer with a sliding window of `window_scale · ⌈√max_len⌉` positions
    /// (`ArchSpec::sparse_window`); 0 for the fixed blocks of ⌈√max_len⌉.
    pub window_scale: usize,
}

impl Series {
    /// The same series with a sliding window of `scale · ⌈√max_len⌉` positions.
    pub const fn with_window(self, name: &'static str, scale: usize) -> Self {
        Self {
            name,
            window_scale: scale,
            ..self
        }
    }

    /// The same series with the two tokens of each pair sharing a position code.
    pub const fn sharing_pair_positions(self) -> Self {
        Self {
            pairs_share_position: true,
            ..self
        }
    }

    /// The same series with index tokens sharing the position code.
    pub const fn sharing_index_positions(self) -> Self {
        Self {
            index_shares_position: true,
            ..self
        }
    }
}

/// A trained series: `architecture` with `layers` layers at `learning_rate`.
pub const fn trained(
    name: &'static str,
    architecture: Architecture,
    layers: usize,
    learning_rate: f64,
) -> Series {
    Series {
        name,
        architecture,
        layers,
        learning_rate,
        construction_mode: None,
        index_shares_position: false,
        pairs_share_position: false,
        window_scale: 0,
    }
}

/// One side of the comparison a claim states.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Side {
    /// In the paper's words: "1-layer transformer, width O(log N)".
    pub label: &'static str,
    /// The series that stand for it (each is compared on its own).
    pub series: &'static [&'static str],
    pub growth: Growth,
    /// The constants of the side's growth, fixed before running: the positive side's w*(N)
    /// must stay at or below `a + b · curve(N)` in absolute terms ([`super::sides`]), not only
    /// grow slower than the other side's. Unused on a negative side.
    pub bound: Bound,
}

/// `a + b · curve(N)`: a width allowed at each size (the constructions' widths have this form,
/// e.g. index lookup's 10 + 4⌈log₂(N + 3)⌉).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bound {
    pub a: f64,
    pub b: f64,
}

impl Bound {
    /// No bound (a negative side).
    pub const NONE: Bound = Bound { a: 0.0, b: 0.0 };

    pub const fn new(a: f64, b: f64) -> Self {
        Self { a, b }
    }

    /// The width allowed at `size` of `task` under `growth`.
    pub fn at(self, growth: Growth, task: TaskKind, size: usize) -> f64 {
        self.a + self.b * growth.curve(task, size)
    }

    /// "w* ≤ 16 + 6 · log₂ N".
    pub fn describe(self, growth: Growth) -> String {
        let curve = match growth {
            Growth::Constant => return format!("w* ≤ {}", self.a + self.b),
            Growth::Log => "log₂ N",
            Growth::SqrtLength => "√L",
            Growth::Linear => "N",
        };
        format!("w* ≤ {} + {} · {curve}", self.a, self.b)
    }
}

/// The grid of one run of a claim (the full one or the `--quick` one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Design {
    pub sizes: &'static [usize],
    /// Doubling grid: "not reached" means w* ≥ twice the largest width.
    pub widths: &'static [usize],
    pub seeds: &'static [u64],
    pub steps: usize,
    pub batch_size: usize,
    /// Held-out examples per run (per seed): the bootstrap resamples these.
    pub eval_examples: usize,
    /// The learning-rate search ([`super::tune`]) picks a rate per series *and width* (every
    /// width of the grid) instead of one per series (at the middle width): one rate per series
    /// can be too high for the widest models and too low for the narrowest.
    pub rate_per_width: bool,
    /// Early stopping ([`super::early_stop`]): check the validation metric every this many
    /// steps and stop at two consecutive checks at the threshold, `steps` being the cap; 0
    /// trains the whole budget.
    pub check_every: usize,
    /// The size the learning-rate search runs at ([`super::tune`]); 0 is the grid's smallest.
    /// A size where every rate succeeds cannot tell the rates apart (index lookup at N = 8).
    #[serde(skip_serializing_if = "is_zero")]
    pub tune_size: usize,
    /// The learning rate of each restart, seed by seed (as long as `seeds`): the rate search
    /// runs inside the grid, every cell trying each rate once, and the verdict takes the
    /// restart that validates best (never the test set). Empty: every seed trains at the
    /// searched rate ([`super::rates`]).
    #[serde(skip_serializing_if = "<[f64]>::is_empty")]
    pub restart_rates: &'static [f64],
    /// A curriculum over the size, the same for every series: runs at sizes above its start
    /// train on the smaller sizes first ([`Curriculum`]); `None`: every run at its own size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curriculum: Option<Curriculum>,
    /// Early stopping waits for the validation metric to hold the threshold plus this margin
    /// (a fraction: 0.03 is 3 points), so that a stopped run's test figure does not sit on the
    /// threshold, where whether its cell reached it is close to a coin toss; 0 stops at the
    /// threshold itself. The cap stays `steps`.
    #[serde(skip_serializing_if = "is_zero_f64")]
    pub stop_margin: f64,
    /// The committed design this one extends with more restarts, fixed before the new ones
    /// ran: the same grid, budget and recipe with seeds (and their rates) appended. The runs of
    /// the earlier design's seeds are the same runs under both, so its committed records count
    /// here ([`Design::extension_error`] holds the two to that; the records keep the earlier
    /// design's hash, which [`super::design_id::earlier_design_hash`] recomputes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<&'static Design>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn is_zero_f64(x: &f64) -> bool {
    *x == 0.0
}

/// When a run stops before its cap: the validation metric is checked every `check_every`
/// steps (0: never, the run trains its whole budget) and the run stops at two consecutive
/// checks at `level` or above ([`super::early_stop`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stopping {
    pub check_every: usize,
    pub level: f64,
}

impl Stopping {
    /// Train the whole budget.
    pub const NEVER: Self = Self {
        check_every: 0,
        level: 1.0,
    };
}

impl Design {
    /// A grid over the three seeds of every claim, batch 32.
    pub const fn grid(
        sizes: &'static [usize],
        widths: &'static [usize],
        steps: usize,
        eval_examples: usize,
    ) -> Self {
        Self {
            sizes,
            widths,
            seeds: &[1, 2, 3],
            steps,
            batch_size: 32,
            eval_examples,
            rate_per_width: false,
            check_every: 0,
            tune_size: 0,
            restart_rates: &[],
            curriculum: None,
            stop_margin: 0.0,
            extends: None,
        }
    }

    /// Why `self` is not a faithful extension of the design it names in [`Self::extends`]
    /// (`None` when it is, or extends nothing): the earlier design must be `self` with its
    /// seeds and their rates cut to the earlier ones, extend nothing itself, and every seed of
    /// `self` must be new after them.
    pub fn extension_error(&self) -> Option<String> {
        let earlier = self.extends?;
        let n = earlier.seeds.len();
        if earlier.extends.is_some() {
            return Some(
                "an extension of an extension: extend the latest design's own grid".into(),
            );
        }
        if self.seeds.len() <= n || self.seeds[..n] != *earlier.seeds {
            return Some(format!(
                "seeds {:?} do not begin with the earlier design's {:?} and add to them",
                self.seeds, earlier.seeds
            ));
        }
        let rates_cut = if self.restart_rates.is_empty() {
            &[][..]
        } else if self.restart_rates.len() == self.seeds.len() {
            &self.restart_rates[..n]
        } else {
            return Some("a rate per restart, as many as seeds".into());
        };
        if rates_cut != earlier.restart_rates {
            return Some(format!(
                "the earlier seeds' rates {rates_cut:?} differ from the earlier design's {:?}",
                earlier.restart_rates
            ));
        }
        let same = Self {
            seeds: earlier.seeds,
            restart_rates: earlier.restart_rates,
            extends: None,
            ..self.clone()
        };
        (same != *earlier).then(|| {
            "it changes more than the restarts (sizes, widths, budget or recipe): a changed \
             design is a new grid, re-run whole"
                .into()
        })
    }

    /// The seeds whose runs may carry the earlier design's hash (none without one).
    pub fn earlier_seeds(&self) -> &'static [u64] {
        self.extends.map_or(&[], |d| d.seeds)
    }

    /// How this design's runs stop early on a claim whose threshold is `threshold`.
    pub fn stopping(&self, threshold: f64) -> Stopping {
        Stopping {
            check_every: self.check_every,
            level: (threshold + self.stop_margin).min(1.0),
        }
    }

    /// The design's curriculum in words ("" without one), for cards and `lab claims show`.
    pub fn curriculum_words(&self) -> String {
        self.curriculum.map_or_else(String::new, |c| {
            format!(
                "; a curriculum at sizes above {}: from size {}, doubling, over the first {:.0} % \
                 of the steps",
                c.from,
                c.from,
                100.0 * c.fraction
            )
        })
    }

    /// The rate the restart of `seed` trains with, where the design sets one per restart.
    pub fn restart_rate(&self, seed: u64) -> Option<f64> {
        let i = self.seeds.iter().position(|&s| s == seed)?;
        self.restart_rates.get(i).copied()
    }
}

/// What kind of statement the verdict judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// "Some model of this kind computes it, the other kind cannot": the construction under
    /// the positive side's mode against the negative side's, at every size.
    Existence,
    /// The negative side's w*(N) grows faster than the positive side's.
    Separation,
    /// Both sides' w*(N) grow alike (e.g. sparse attention on a local task).
    NoSeparation,
}

/// A claim: statement, sides, experiment, expected shape and verdict rule.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    /// `lab claims run ID`.
    pub id: &'static str,
    pub statement: &'static str,
    pub paper: &'static str,
    pub theorem: &'static str,
    pub kind: Kind,
    /// The side predicted to need less (or to succeed).
    pub positive: Side,
    /// The side predicted to need more (or to fail).
    pub negative: Side,
    pub task: TaskKind,
    pub metric: Metric,
    pub series: &'static [Series],
    pub full: Design,
    pub quick: Design,
    pub expected: &'static str,
    /// The construction (`claims::construct`) that shows the positive side, if one exists.
    pub construction: Option<&'static str>,
    /// What the negative side can show here.
    pub negative_note: &'static str,
    /// Where this experiment is not faithful to the theorem, and the budget it runs at.
    pub caveats: &'static str,
}

/// What the negative side of every claim can show.
pub const NEGATIVE_NOTE: &str = "The negative side (\"cannot\", \"needs Ω(·)\") is a lower \
    bound over all weights: training shows a trend at our sizes and budget, never a proof.";

impl Claim {
    pub fn design(&self, quick: bool) -> &Design {
        if quick { &self.quick } else { &self.full }
    }

    pub fn series_named(&self, name: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.name == name)
    }

    pub fn threshold(&self) -> f64 {
        self.metric.threshold()
    }

    /// The growth the theory predicts for `series`: its side's (none for a series on no side).
    pub fn growth_of(&self, series: &str) -> Option<Growth> {
        if self.positive.series.contains(&series) {
            Some(self.positive.growth)
        } else if self.negative.series.contains(&series) {
            Some(self.negative.growth)
        } else {
            None
        }
    }

    /// The verdict rule in words (the card prints it).
    pub fn rule(&self) -> String {
        let t = 100.0 * self.threshold();
        match self.kind {
            Kind::Existence => format!(
                "supported if the positive side's 95 % CI lies at or above {t:.0} % at every size \
                 and the negative side's CI lies below {t:.0} % at the largest size; not supported \
                 if the positive side's CI lies below {t:.0} % anywhere or the negative side's \
                 CI lies at or above it at the largest size; otherwise inconclusive"
            ),
            Kind::Separation => format!(
                "w*(N) = smallest width whose cell reaches {t:.0} % (its best restart on validation where runs record it, else its seeds pooled). Supported if, for every pair of series \
                 (positive, negative), the bootstrap 95 % CI of log₂(growth of the negative side's \
                 w* from the smallest to the largest N) − log₂(growth of the positive side's) lies \
                 above 0; not supported if it lies at or below 0; inconclusive if it straddles 0, \
                 if the positive side does not reach {t:.0} % at some size, if the negative side \
                 does not reach it at the smallest size, if the predicted curves {} and {} differ by \
                 less than one step of the doubling width grid, or if a trivial predictor passes",
                self.positive.growth.name(),
                self.negative.growth.name()
            ),
            Kind::NoSeparation => format!(
                "w*(N) = smallest width whose cell reaches {t:.0} % (its best restart on validation where runs record it, else its seeds pooled). Supported if both sides reach {t:.0} % at \
                 every size and the bootstrap 95 % CI of log₂(growth of the second side's w*) − \
                 log₂(growth of the first side's) lies at or below 0; not supported if it lies \
                 above 0; otherwise inconclusive"
            ),
        }
    }

    /// The training config of one trained run.
    pub fn train_config(
        &self,
        series: &Series,
        size: usize,
        width: usize,
        seed: u64,
        quick: bool,
    ) -> TrainConfig {
        let design = self.design(quick);
        let mut config = TrainConfig {
            steps: design.steps,
            batch_size: design.batch_size,
            learning_rate: series.learning_rate,
            seed,
            // Evaluate once, at the end, or at every early-stopping check.
            eval_every: if design.check_every > 0 {
                design.check_every
            } else {
                design.steps
            },
            eval_examples: design.eval_examples,
            ..grid_config(self.task, size, series.architecture, width, series.layers)
        };
        config.model.index_shares_position = series.index_shares_position;
        config.model.pairs_share_position = series.pairs_share_position;
        config.curriculum = design.curriculum.filter(|c| c.from < size);
        if series.window_scale > 0 {
            config.model.sparse_window = true;
            if let Ok(task) = config.task() {
                let root = (task.max_seq_len() as f64).sqrt().ceil() as usize;
                config.model.block_size =
                    Some((series.window_scale * root).min(task.max_seq_len()));
            }
        }
        config
    }
}

// The series of the claims. Learning rates: 3e-3 for every trained model, as on every grid,
// unless a claim's recorded search ([`super::rates`]) chose another.
const LR: f64 = 3e-3;
pub const TRANSFORMER_1L: Series = trained("transformer-1L", Architecture::Standard, 1, LR);
pub const TRANSFORMER_2L: Series = trained("transformer-2L", Architecture::Standard, 2, LR);
pub const LSTM: Series = trained("lstm", Architecture::Lstm, 1, LR);
pub const STANDARD_2L: Series = trained("standard-2L", Architecture::Standard, 2, LR);
pub const SPARSE_2L: Series = trained("sparse-2L", Architecture::Sparse, 2, LR);
/// Sparse with a sliding window of 3⌈√L⌉ positions: on arithmetic that covers the longest CoT
/// step (the m of m-locality; a test checks it at the locality claim's sizes).
pub const SPARSE_WINDOW_2L: Series = SPARSE_2L.with_window("sparse-window-2L", 3);
pub const LINEAR_2L: Series = trained("linear-2L", Architecture::Linear, 2, LR);
pub const SATURATED: Series = Series {
    name: "construction/saturated",
    architecture: Architecture::Standard,
    layers: 1,
    learning_rate: 0.0,
    construction_mode: Some(AttentionMode::Saturated),
    index_shares_position: false,
    pairs_share_position: false,
    window_scale: 0,
};
pub const HARD: Series = Series {
    name: "construction/hard",
    architecture: Architecture::Standard,
    layers: 1,
    learning_rate: 0.0,
    construction_mode: Some(AttentionMode::Hard),
    index_shares_position: false,
    pairs_share_position: false,
    window_scale: 0,
};
