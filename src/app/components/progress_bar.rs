//! A labelled progress bar.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub done: usize,
    pub total: usize,
    pub label: String,
    /// Steps per second, once known.
    pub rate: Option<f64>,
}

#[function_component(ProgressBar)]
pub fn progress_bar(props: &Props) -> Html {
    let fraction = if props.total == 0 {
        0.0
    } else {
        (props.done as f64 / props.total as f64).clamp(0.0, 1.0)
    };
    html! {
        <div class="progress" id="progress">
            <div class="progress-track" role="progressbar"
                aria-valuemin="0" aria-valuemax={props.total.to_string()} aria-valuenow={props.done.to_string()}>
                <div class="progress-fill" style={format!("width: {:.1}%", 100.0 * fraction)}></div>
            </div>
            <div class="progress-label">
                <span>{&props.label}</span>
                if let Some(rate) = props.rate {
                    <span id="steps-per-second">{format!("{rate:.1} steps/s")}</span>
                }
                <span>{format!("{} / {} steps", props.done, props.total)}</span>
            </div>
        </div>
    }
}
