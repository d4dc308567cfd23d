//! What one evaluation of a run reports ([`Metrics`]), and the lock that keeps seeded weight
//! initialisation deterministic ([`INIT`]): shared by the trainer and checkpoints, owned by
//! neither.

/// Training steps whose losses make a run's "last loss" ([`Metrics::last_loss`]).
pub const LAST_LOSS_STEPS: usize = 10;

/// Metrics at one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Metrics {
    pub step: usize,
    /// Mean training loss over every step since the previous evaluation (the loss curve; with
    /// one evaluation at the end, the mean over the whole run).
    pub loss: f32,
    /// Mean training loss over the last [`LAST_LOSS_STEPS`] steps before this evaluation (fewer
    /// if the interval is shorter): the loss the weights have now. `None` in checkpoints
    /// written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_loss: Option<f32>,
    /// Held-out teacher-forced exact match of the whole CoT + answer.
    pub accuracy: f32,
    /// Held-out accuracy of the final answer token only.
    pub answer_accuracy: f32,
    /// Free generation on the held-out set at this evaluation (the model reads back its own
    /// tokens): recorded by sessions that ask for it (the page's runs); `None` otherwise and in
    /// histories written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free: Option<FreeAccuracy>,
    /// The head that agrees most with the task's algorithm at this evaluation (attention mass
    /// on the positions the algorithm reads, `instruments::agreement`), beside uniform
    /// attention's chance level: recorded by the page's runs of attention models; `None`
    /// otherwise and in histories written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<AgreementPoint>,
    /// Training time (wall clock, seconds) when this evaluation was made, over every session of
    /// the run: recorded by the page's runs (their runs chart can compare on time); `None`
    /// otherwise and in histories written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_s: Option<f32>,
}

/// The best head's agreement with the algorithm at one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AgreementPoint {
    pub layer: usize,
    pub head: usize,
    /// Its mean attention mass on the positions the algorithm reads.
    pub mass: f32,
    /// The same for uniform attention over the visible prefix.
    pub chance: f32,
}

/// Free-generation (greedy) accuracy on the held-out set at one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FreeAccuracy {
    /// Whole generated output (chain of thought and answer) equal to the reference.
    pub full: f32,
    /// Final answer equal to the reference, whatever came before it.
    pub answer: f32,
}

impl Metrics {
    /// The run's loss at this evaluation: [`Self::last_loss`], or the interval's mean for
    /// histories written before the last loss was recorded.
    pub fn final_loss(&self) -> f32 {
        self.last_loss.unwrap_or(self.loss)
    }
}

/// Held while a trainer seeds the device RNG and initialises its weights, and while a
/// checkpoint builds a model (which draws from the same process-wide RNG): a draw in another
/// thread between the seed and the last initial weight would change a seeded run.
pub(crate) static INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
