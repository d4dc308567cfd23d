//! Run the kept weights under another attention rule: one button per mode.

use yew::prelude::*;

use crate::models::AttentionMode;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The mode the inspection on screen was made with.
    pub current: AttentionMode,
    pub disabled: bool,
    pub on_mode: Callback<AttentionMode>,
}

#[function_component(ModeSwitch)]
pub fn mode_switch(props: &Props) -> Html {
    html! {
        <div class="mode-switch" id="mode-switch" title="Run the trained weights with another attention rule">
            <span>{"Inference attention:"}</span>
            { for AttentionMode::ALL.iter().map(|&m| html! {
                <button id={format!("mode-{}", m.name())}
                    class={classes!((props.current == m).then_some("on"))}
                    disabled={props.disabled}
                    onclick={props.on_mode.reform(move |_: MouseEvent| m)}>{m.name()}</button>
            }) }
        </div>
    }
}
