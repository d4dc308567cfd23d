//! Training, evaluation and inspection: joins `tasks` and `models`. Same code native and wasm,
//! generic over burn's `Device`. Reads from the device are async and rare (every k steps).

pub mod adamw;
pub mod backend;
pub mod batch;
pub mod checkpoint;
pub mod config;
pub mod eval;
pub mod held_out;
pub mod inspect;
pub mod link;
pub mod loss;
pub mod memory;
pub mod metrics;
pub mod resume;
pub mod schedule;
pub mod session;
pub mod trainer;
pub mod yield_now;

pub use adamw::{AdamW, OptimizerStateError};
pub use backend::{BackendChoice, BackendInfo};
pub use checkpoint::{Checkpoint, CheckpointError, CheckpointMeta, Provenance};
pub use config::{Curriculum, TrainConfig, TrainError};
pub use eval::{EvalReport, GreedyReport};
pub use inspect::Inspection;
pub use metrics::{AgreementPoint, FreeAccuracy, Metrics};
pub use resume::ResumeState;
pub use session::{Command, Event, Outcome, Phase, Session, SessionError};
pub use trainer::Trainer;
