//! A labelled progress bar: a status line, an optional rate and "done / total" in some unit.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    #[prop_or(AttrValue::Static("progress"))]
    pub id: AttrValue,
    pub done: usize,
    pub total: usize,
    pub label: String,
    /// The status line's own id, for readers of the page.
    #[prop_or_default]
    pub label_id: Option<AttrValue>,
    /// Steps per second, once known.
    #[prop_or_default]
    pub rate: Option<f64>,
    /// What `done` and `total` count.
    #[prop_or(AttrValue::Static("steps"))]
    pub unit: AttrValue,
}

#[function_component(ProgressBar)]
pub fn progress_bar(props: &Props) -> Html {
    let fraction = if props.total == 0 {
        0.0
    } else {
        (props.done as f64 / props.total as f64).clamp(0.0, 1.0)
    };
    html! {
        <div class="progress" id={props.id.clone()}>
            <div class="progress-track" role="progressbar" aria-label={format!("{}: {} of {} {}", props.label, props.done, props.total, props.unit)}
                aria-valuemin="0" aria-valuemax={props.total.to_string()} aria-valuenow={props.done.to_string()}>
                // A transform, not a width: the browser animates it on the compositor, so a run's
                // progress repaints nothing on the main thread.
                <div class="progress-fill" style={format!("transform: scaleX({fraction:.4})")}></div>
            </div>
            <div class="progress-label">
                <span id={props.label_id.clone()}>{&props.label}</span>
                if let Some(rate) = props.rate {
                    <span id="steps-per-second">{format!("{rate:.1} steps/s")}</span>
                }
                <span>{format!("{} / {} {}", props.done, props.total, props.unit)}</span>
            </div>
        </div>
    }
}
