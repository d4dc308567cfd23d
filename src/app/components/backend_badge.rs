//! Shows the backend in use and why it was chosen.

use yew::prelude::*;

use crate::train::{BackendChoice, BackendInfo};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub info: Option<BackendInfo>,
    pub choice: BackendChoice,
}

#[function_component(BackendBadge)]
pub fn backend_badge(props: &Props) -> Html {
    match &props.info {
        Some(info) => html! {
            <div class={classes!("backend", info.is_webgpu.then_some("gpu"))} id="backend" title={info.reason.clone()}>
                <span class="backend-name">{info.name.clone()}</span>
                <span class="backend-reason">{&info.reason}</span>
            </div>
        },
        None => html! {
            <div class="backend" id="backend">
                <span class="backend-name">{props.choice.label()}</span>
                <span class="backend-reason">{"backend chosen when training starts"}</span>
            </div>
        },
    }
}
