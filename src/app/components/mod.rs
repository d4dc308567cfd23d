//! One component per panel, and the pieces the panels share (chart, number field, progress bar).
//! Components get the values they show and narrow callbacks, never the page's dispatcher.

pub mod ablation_chart;
pub mod agreement_curve;
pub mod agreement_grid;
pub mod attention_map;
pub mod backend_badge;
pub mod chart;
pub mod claim_card;
pub mod claim_construction;
pub mod claim_live;
pub mod claim_plot;
pub mod claim_sides;
pub mod claims_panel;
pub mod config_panel;
pub mod cost_meter;
pub mod cot_player;
pub mod custom_data;
pub mod custom_grid;
pub mod dp_table;
pub mod example_picker;
pub mod file_export;
pub mod gallery_sample;
pub mod instruments_panel;
pub mod length_chart;
pub mod lens_chart;
pub mod loss_chart;
pub mod mode_switch;
pub mod models_panel;
pub mod number_field;
pub mod patching_map;
pub mod probe_chart;
pub mod progress_bar;
pub mod runs_chart;
pub mod runs_table;
pub mod state_summary;
pub mod sweep_chart;
pub mod sweep_panel;
pub mod task_gallery;

pub use ablation_chart::AblationChart;
pub use agreement_curve::AgreementCurve;
pub use agreement_grid::AgreementGrid;
pub use attention_map::AttentionMap;
pub use backend_badge::BackendBadge;
pub use chart::Chart;
pub use claim_card::ClaimCard;
pub use claim_construction::ClaimConstruction;
pub use claim_live::ClaimLive;
pub use claim_plot::ClaimPlot;
pub use claims_panel::ClaimsPanel;
pub use config_panel::ConfigPanel;
pub use cost_meter::CostMeter;
pub use cot_player::CotPlayer;
pub use custom_data::CustomDataInput;
pub use dp_table::DpTable;
pub use example_picker::ExamplePicker;
pub use file_export::FileExport;
pub use gallery_sample::GallerySample;
pub use instruments_panel::InstrumentsPanel;
pub use length_chart::LengthChart;
pub use lens_chart::LensChart;
pub use loss_chart::LossChart;
pub use mode_switch::ModeSwitch;
pub use models_panel::ModelsPanel;
pub use number_field::NumberField;
pub use patching_map::PatchingMap;
pub use probe_chart::ProbeChart;
pub use progress_bar::ProgressBar;
pub use runs_chart::RunsChart;
pub use runs_table::RunsTable;
pub use state_summary::StateSummary;
pub use sweep_chart::SweepChart;
pub use sweep_panel::SweepPanel;
pub use task_gallery::TaskGallery;

use yew::{Callback, Event, TargetCast};

/// A `<select>`'s `onchange`: emits the chosen option's value on `emit` when `parse` accepts it.
pub fn on_select<T: 'static>(
    emit: &Callback<T>,
    parse: impl Fn(&str) -> Option<T> + 'static,
) -> Callback<Event> {
    let emit = emit.clone();
    Callback::from(move |e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        if let Some(value) = parse(&select.value()) {
            emit.emit(value);
        }
    })
}

/// An inline labelled drop-down over `options` (a list of `<option>`s).
pub fn picker(
    id: &'static str,
    label: &'static str,
    options: yew::Html,
    disabled: bool,
    onchange: Callback<Event>,
) -> yew::Html {
    yew::html! {
        <label class="picker" for={id}>
            <span>{label}</span>
            <select {id} {onchange} {disabled}>{options}</select>
        </label>
    }
}
