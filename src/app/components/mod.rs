//! One component per panel, and the pieces the panels share (chart, number field, progress bar).
//! Components get the values they show and narrow callbacks, never the page's dispatcher.

pub mod attention_map;
pub mod backend_badge;
pub mod chart;
pub mod config_panel;
pub mod cost_meter;
pub mod cot_player;
pub mod custom_grid;
pub mod gallery_sample;
pub mod loss_chart;
pub mod mode_switch;
pub mod models_panel;
pub mod number_field;
pub mod progress_bar;
pub mod state_summary;
pub mod sweep_chart;
pub mod sweep_panel;
pub mod task_gallery;

pub use attention_map::AttentionMap;
pub use backend_badge::BackendBadge;
pub use chart::Chart;
pub use config_panel::ConfigPanel;
pub use cost_meter::CostMeter;
pub use cot_player::CotPlayer;
pub use gallery_sample::GallerySample;
pub use loss_chart::LossChart;
pub use mode_switch::ModeSwitch;
pub use models_panel::ModelsPanel;
pub use number_field::NumberField;
pub use progress_bar::ProgressBar;
pub use state_summary::StateSummary;
pub use sweep_chart::SweepChart;
pub use sweep_panel::SweepPanel;
pub use task_gallery::TaskGallery;
