//! One component per panel.

pub mod attention_map;
pub mod backend_badge;
pub mod config_panel;
pub mod cost_meter;
pub mod cot_player;
pub mod loss_chart;
pub mod models_panel;
pub mod progress_bar;
pub mod state_summary;
pub mod sweep_panel;
pub mod task_gallery;

pub use attention_map::AttentionMap;
pub use backend_badge::BackendBadge;
pub use config_panel::ConfigPanel;
pub use cost_meter::CostMeter;
pub use cot_player::CotPlayer;
pub use loss_chart::LossChart;
pub use models_panel::ModelsPanel;
pub use progress_bar::ProgressBar;
pub use state_summary::StateSummary;
pub use sweep_panel::SweepPanel;
pub use task_gallery::TaskGallery;
