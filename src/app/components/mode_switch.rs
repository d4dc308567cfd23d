//! Run the kept weights under another attention rule: one button per mode.

use yew::prelude::*;

use crate::models::AttentionMode;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The mode the inspection on screen was made with.
    pub current: AttentionMode,
    pub disabled: bool,
    pub on_mode: Callback<AttentionMode>,
    /// Prefix of the element ids (`PREFIX-switch`, `PREFIX-hard`, …): the page shows the switch
    /// in more than one place.
    #[prop_or(AttrValue::Static("mode"))]
    pub id_prefix: AttrValue,
}

#[function_component(ModeSwitch)]
pub fn mode_switch(props: &Props) -> Html {
    let prefix = &props.id_prefix;
    html! {
        <div class="mode-switch" id={format!("{prefix}-switch")} title="Run the weights with another attention rule">
            <span>{"Inference attention:"}</span>
            { for AttentionMode::ALL.iter().map(|&m| html! {
                <button id={format!("{prefix}-{}", m.name())}
                    class={classes!((props.current == m).then_some("on"))}
                    disabled={props.disabled}
                    onclick={props.on_mode.reform(move |_: MouseEvent| m)}>{m.name()}</button>
            }) }
        </div>
    }
}
