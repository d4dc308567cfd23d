//! Your grid's form: one task, lists of sizes and widths, the architectures, the
//! layers and the steps per run, as typed (parsed on every render, refused with a message).

use yew::prelude::*;

use super::{NumberField, on_select};
use crate::claims::custom::CustomGrid;
use crate::models::Architecture;
use crate::tasks::TaskKind;

/// The custom grid as typed (lists as text).
#[derive(Clone, PartialEq)]
pub struct CustomForm {
    task: TaskKind,
    sizes: String,
    widths: String,
    archs: Vec<Architecture>,
    layers: String,
    steps: String,
}

impl Default for CustomForm {
    fn default() -> Self {
        Self {
            task: TaskKind::Parity,
            sizes: "8, 16".into(),
            widths: "16, 32".into(),
            archs: vec![Architecture::Standard, Architecture::Lstm],
            layers: "1".into(),
            steps: "100".into(),
        }
    }
}

fn parse_list(field: &str, text: &str) -> Result<Vec<usize>, String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<usize>()
                .map_err(|_| format!("{field}: `{t}` is not a whole number"))
        })
        .collect()
}

impl CustomForm {
    pub fn parse(&self) -> Result<CustomGrid, String> {
        let one = |field: &str, text: &str| match parse_list(field, text)?.as_slice() {
            [v] => Ok(*v),
            _ => Err(format!("{field}: enter one whole number")),
        };
        Ok(CustomGrid {
            task: self.task,
            sizes: parse_list("sizes", &self.sizes)?,
            widths: parse_list("widths", &self.widths)?,
            architectures: self.archs.clone(),
            layers: one("layers", &self.layers)?,
            steps: one("steps", &self.steps)?,
        })
    }

    /// With `arch` switched on or off (kept in the zoo's order).
    fn toggled(&self, arch: Architecture) -> Self {
        let mut next = self.clone();
        if next.archs.contains(&arch) {
            next.archs.retain(|a| *a != arch);
        } else {
            next.archs.push(arch);
            next.archs
                .sort_by_key(|a| Architecture::ALL.iter().position(|b| b == a));
        }
        next
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub form: CustomForm,
    pub disabled: bool,
    pub on_change: Callback<CustomForm>,
}

#[function_component(CustomGridFields)]
pub fn custom_grid_fields(props: &Props) -> Html {
    let form = &props.form;
    let disabled = props.disabled;
    // A list field: `apply` writes the text into a copy of the form.
    let list_field = |id: &'static str,
                      label: &'static str,
                      value: &str,
                      apply: fn(&mut CustomForm, String)| {
        let form = form.clone();
        let onchange = props.on_change.reform(move |text: String| {
            let mut next = form.clone();
            apply(&mut next, text);
            next
        });
        html! {
            <NumberField {id} {label} value={value.to_string()} list={true} class="picker" {disabled} {onchange} />
        }
    };
    let on_task = {
        let form = form.clone();
        on_select(&props.on_change, move |name| {
            let task = TaskKind::from_name(name).ok()?;
            Some(CustomForm {
                task,
                ..form.clone()
            })
        })
    };
    let arch_box = |arch: Architecture| {
        let next = form.toggled(arch);
        let onchange = props.on_change.reform(move |_: Event| next.clone());
        html! {
            <label class="check">
                <input type="checkbox" id={format!("custom-arch-{}", arch.name())}
                    checked={form.archs.contains(&arch)} {onchange} {disabled} />
                {arch.name()}
            </label>
        }
    };
    html! {
        <div class="pickers custom-grid" id="custom-grid">
            <label class="picker" for="custom-task">
                <span>{"Task"}</span>
                <select id="custom-task" onchange={on_task} {disabled}>
                    { for TaskKind::all().iter().map(|k| html! {
                        <option value={k.name()} selected={*k == form.task}>{k.name()}</option>
                    }) }
                </select>
            </label>
            { list_field("custom-sizes", "Sizes", &form.sizes, |f, v| f.sizes = v) }
            { list_field("custom-widths", "Widths", &form.widths, |f, v| f.widths = v) }
            { list_field("custom-layers", "Layers", &form.layers, |f, v| f.layers = v) }
            { list_field("custom-steps", "Steps per run", &form.steps, |f, v| f.steps = v) }
            <div class="archs">{ for Architecture::ALL.iter().map(|&a| arch_box(a)) }</div>
        </div>
    }
}
