//! The task gallery: pick any task of the three papers, read what it tests and which claim it
//! illustrates, and look at a generated example. Bad sizes or parameters show an error and keep
//! the last good sample on screen. "Your own data" reads a file (or pasted lines) and shows
//! lines of it the same way.

use yew::prelude::*;

use super::{CustomDataInput, GallerySample, NumberField, on_select};
use crate::tasks::{TaskKind, TaskSpec};
use crate::train::TrainConfig;

/// What the gallery asks for: the spec as typed, the seed, and why the spec is refused.
#[derive(Clone, PartialEq)]
struct View {
    spec: TaskSpec,
    seed: u64,
    error: Option<String>,
}

/// Writes a typed number into a spec.
type SetNumber = Box<dyn Fn(&mut TaskSpec, usize)>;

#[function_component(TaskGallery)]
pub fn task_gallery() -> Html {
    let view = use_state(|| View {
        spec: TaskSpec::default_for(TaskKind::Arithmetic),
        seed: 1,
        error: None,
    });
    // The sample on screen: changed only to a spec that builds.
    let shown = use_state(|| view.spec.clone());

    let set_spec = {
        let (view, shown) = (view.clone(), shown.clone());
        Callback::from(move |spec: TaskSpec| {
            let error = spec.build().err().map(|e| e.to_string());
            if error.is_none() {
                shown.set(spec.clone());
            }
            view.set(View {
                spec,
                error,
                ..(*view).clone()
            });
        })
    };
    // Your own data has nothing to show until data is read: no error, the sample stays.
    let pick_spec = {
        let (view, set_spec) = (view.clone(), set_spec.clone());
        Callback::from(move |spec: TaskSpec| {
            if spec.task == TaskKind::Custom {
                view.set(View {
                    spec,
                    error: None,
                    ..(*view).clone()
                });
            } else {
                set_spec.emit(spec);
            }
        })
    };
    let on_task = on_select(&pick_spec, |name| {
        TaskKind::from_name(name).ok().map(TaskSpec::default_for)
    });
    let on_data = set_spec.reform(TaskSpec::custom);
    // One numeric field: `apply` writes the typed number into a copy of the spec.
    let number = |id: String, label: String, value: usize, apply: SetNumber| {
        let (view, set_spec) = (view.clone(), set_spec.clone());
        let field = label.clone();
        let onchange = Callback::from(move |text: String| match text.trim().parse::<usize>() {
            Ok(v) => {
                let mut spec = view.spec.clone();
                apply(&mut spec, v);
                set_spec.emit(spec);
            }
            Err(_) => view.set(View {
                error: Some(format!("{field}: `{text}` is not a whole number")),
                ..(*view).clone()
            }),
        });
        html! { <NumberField {id} {label} value={value.to_string()} min="0" {onchange} /> }
    };
    let next = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| {
            view.set(View {
                seed: view.seed.wrapping_add(1),
                ..(*view).clone()
            })
        })
    };

    let info = view.spec.task.info();
    let custom = view.spec.task == TaskKind::Custom;
    let size_field = number(
        "gallery-size".into(),
        format!(
            "{} ({}..{})",
            info.size_meaning, info.min_size, info.max_size
        ),
        view.spec.size,
        Box::new(|s: &mut TaskSpec, v: usize| s.size = v),
    );
    let param_fields = info.params.iter().map(|p| {
        let name = p.name;
        number(
            format!("gallery-{name}"),
            format!("{} ({}..{})", p.meaning, p.min, p.max),
            view.spec.params.get(name).unwrap_or(p.default),
            Box::new(move |s: &mut TaskSpec, v: usize| s.params.set(name, Some(v))),
        )
    });

    html! {
        <div class="task-gallery" id="task-gallery">
            <div class="gallery-controls">
                <label class="field" for="gallery-task">
                    <span>{"Task"}</span>
                    <select id="gallery-task" onchange={on_task}>
                        { for TaskKind::all().iter().chain([&TaskKind::Custom]).map(|k| html! {
                            <option value={k.name()} selected={*k == view.spec.task}>{k.info().title}</option>
                        }) }
                    </select>
                </label>
                if !custom {
                    { size_field }
                }
                { for param_fields }
                <button id="gallery-next" class="small-button" onclick={next}>{"Another sample"}</button>
            </div>
            <p class="gallery-claim" id="gallery-claim">{info.claim}</p>
            if custom {
                <CustomDataInput id="gallery-custom" eval_examples={TrainConfig::default().eval_examples}
                    current={view.spec.data.clone()} {on_data} />
            }
            <p class="hint">{format!("Tests {} · {} · {}", info.tests, info.paper.citation(), info.locality.describe())}</p>
            if let Some(e) = &view.error {
                <div class="error" role="alert" id="gallery-error">{e}</div>
            }
            <GallerySample spec={(*shown).clone()} seed={view.seed} />
        </div>
    }
}
