//! One labelled numeric input (or a comma-separated list of numbers). It only reports the text
//! typed; the parent parses, validates and shows any error.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    #[prop_or_default]
    pub min: Option<AttrValue>,
    #[prop_or_default]
    pub max: Option<AttrValue>,
    #[prop_or_default]
    pub step: Option<AttrValue>,
    /// Several numbers separated by commas or spaces (a text input) rather than one.
    #[prop_or_default]
    pub list: bool,
    #[prop_or_default]
    pub disabled: bool,
    /// The label's class: `field` (a settings row) or `picker` (inline).
    #[prop_or(AttrValue::Static("field"))]
    pub class: AttrValue,
    /// The text as typed, when it changes.
    pub onchange: Callback<String>,
}

#[function_component(NumberField)]
pub fn number_field(props: &Props) -> Html {
    let onchange = props.onchange.reform(|e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        input.value()
    });
    html! {
        <label class={props.class.clone()} for={props.id.clone()}>
            <span>{props.label.clone()}</span>
            <input id={props.id.clone()} type={if props.list { "text" } else { "number" }}
                min={props.min.clone()} max={props.max.clone()} step={props.step.clone()}
                value={props.value.clone()} disabled={props.disabled} {onchange} />
        </label>
    }
}
