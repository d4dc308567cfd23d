//! Every run of this browser, newest first: what it trained (task, architecture, key settings,
//! what changed against the run before it), how far it got and how well. A row selects the run
//! for inspection; its checkbox overlays its curves ([`super::RunsChart`]); it can be renamed
//! in place, exported, shared by link or deleted. "Clear all" asks in place before it emits.

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::prelude::*;

use crate::runs::config_diff::{config_diff, diff_summary};
use crate::runs::record::{RunId, RunRecord, RunStatus};

/// How many changed settings the "vs previous" column names before "+N more".
const DIFF_SHOWN: usize = 3;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The readable runs, newest first.
    pub runs: Rc<Vec<RunRecord>>,
    /// Stored records that cannot be read: id and why (each gets a delete button).
    #[prop_or_default]
    pub unreadable: Rc<Vec<(RunId, String)>>,
    /// The run being inspected (highlighted).
    #[prop_or_default]
    pub selected: Option<RunId>,
    /// The runs whose curves are overlaid.
    #[prop_or_default]
    pub checked: Rc<BTreeSet<RunId>>,
    /// A run in training: it cannot be deleted, and "clear all" waits for it.
    #[prop_or_default]
    pub training: Option<RunId>,
    /// A line about storage ("12 MB of 2 GB used"), or why runs are not kept.
    #[prop_or_default]
    pub storage: Option<Result<AttrValue, AttrValue>>,
    pub on_select: Callback<RunId>,
    /// A checkbox changed: the run and whether it is now checked.
    pub on_check: Callback<(RunId, bool)>,
    pub on_rename: Callback<(RunId, String)>,
    pub on_delete: Callback<RunId>,
    pub on_export: Callback<RunId>,
    /// Continue a stopped or interrupted run from its stored checkpoint.
    pub on_resume: Callback<RunId>,
    pub on_export_all: Callback<()>,
    pub on_share: Callback<RunId>,
    /// Emitted only once the user confirmed.
    pub on_clear_all: Callback<()>,
}

/// The "vs previous" text of every run: its config against the next older run's.
fn diff_texts(runs: &[RunRecord]) -> Vec<String> {
    runs.iter()
        .enumerate()
        .map(|(i, run)| match runs.get(i + 1) {
            Some(previous) => diff_summary(&config_diff(&previous.config, &run.config), DIFF_SHOWN),
            None => "first run".into(),
        })
        .collect()
}

fn status_class(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Running => "status running",
        RunStatus::Finished => "status finished",
        RunStatus::Stopped => "status stopped",
        RunStatus::Diverged | RunStatus::Failed => "status failed",
    }
}

/// A button inside a row that does `emit` without also selecting the row.
fn row_button(
    label: &'static str,
    title: &'static str,
    class: &'static str,
    disabled: bool,
    emit: Callback<()>,
) -> Html {
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        emit.emit(());
    });
    html! { <button class={classes!("small-button", class)} {title} {disabled} {onclick}>{label}</button> }
}

#[function_component(RunsTable)]
pub fn runs_table(props: &Props) -> Html {
    let diffs = use_memo(props.runs.clone(), |runs| diff_texts(runs));
    // The run whose name is being edited, with the text typed so far.
    let editing = use_state(|| None::<(RunId, String)>);
    let confirming = use_state(|| false);
    // Focus the name field when editing starts (`autofocus` only works once per document).
    let name_input = use_node_ref();
    {
        let name_input = name_input.clone();
        use_effect_with((*editing).as_ref().map(|(id, _)| id.clone()), move |_| {
            if let Some(input) = name_input.cast::<web_sys::HtmlInputElement>() {
                let _ = input.focus();
                input.select();
            }
        });
    }

    let rows = props.runs.iter().zip(diffs.iter()).map(|(run, diff)| {
        let id = run.id.clone();
        let selected = props.selected.as_ref() == Some(&id);
        let training = props.training.as_ref() == Some(&id);
        let checked = props.checked.contains(&id);
        let with_id = |cb: &Callback<RunId>| {
            let (cb, id) = (cb.clone(), id.clone());
            Callback::from(move |()| cb.emit(id.clone()))
        };
        let onclick = {
            let (on_select, id) = (props.on_select.clone(), id.clone());
            Callback::from(move |_: MouseEvent| on_select.emit(id.clone()))
        };
        let on_check = {
            let (on_check, id) = (props.on_check.clone(), id.clone());
            Callback::from(move |e: Event| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                on_check.emit((id.clone(), input.checked()));
            })
        };
        let name = match &*editing {
            Some((editing_id, text)) if *editing_id == id => {
                let commit = {
                    let (editing, on_rename, id) = (editing.clone(), props.on_rename.clone(), id.clone());
                    move |text: String| {
                        let text = text.trim().to_string();
                        if !text.is_empty() {
                            on_rename.emit((id.clone(), text));
                        }
                        editing.set(None);
                    }
                };
                let onkeydown = {
                    let (editing, commit) = (editing.clone(), commit.clone());
                    Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                        "Enter" => {
                            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                            commit(input.value());
                        }
                        "Escape" => editing.set(None),
                        _ => {}
                    })
                };
                let onblur = Callback::from(move |e: FocusEvent| {
                    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                    commit(input.value());
                });
                html! {
                    <input ref={name_input.clone()} class="run-name-input" aria-label="run name" value={text.clone()}
                        onclick={Callback::from(|e: MouseEvent| e.stop_propagation())} {onkeydown} {onblur} />
                }
            }
            _ => {
                let start_edit = {
                    let (editing, id, name) = (editing.clone(), id.clone(), run.name.clone());
                    Callback::from(move |e: MouseEvent| {
                        e.stop_propagation();
                        editing.set(Some((id.clone(), name.clone())));
                    })
                };
                html! {
                    <>
                        <span class="run-name">{&run.name}</span>
                        <button class="icon-button" title="Rename" aria-label="rename" onclick={start_edit}>{"✎"}</button>
                    </>
                }
            }
        };
        html! {
            <tr class={classes!("run-row", selected.then_some("selected"))} data-run={id.0.clone()}
                {onclick} title="Select to inspect (attention map, CoT player)">
                <td class="check">
                    <input type="checkbox" aria-label="overlay curves" {checked}
                        onclick={Callback::from(|e: MouseEvent| e.stop_propagation())} onchange={on_check} />
                </td>
                <td class="name">{name}</td>
                <td>{run.task_label()}</td>
                <td>{run.config.model.architecture.title()}</td>
                <td class="settings">{run.settings_label()}</td>
                <td class="diff" title={diff.clone()}>{diff.clone()}</td>
                <td class="num">{run.steps_label()}</td>
                <td class="num">{run.accuracy_label()}</td>
                <td class="num">{run.elapsed_label()}</td>
                <td>{&run.backend}</td>
                <td class={status_class(run.status)} title={run.message.clone()}>{run.status.label()}</td>
                <td class="actions">
                    if run.resumable && run.steps_done < run.config.steps && run.status != RunStatus::Running {
                        {row_button("Resume", "Continue this run from its last saved evaluation (weights, optimizer state and data stream restored): the same result as if it had not stopped", "resume", props.training.is_some(), with_id(&props.on_resume))}
                    }
                    {row_button("Export", "Download the latest checkpoint (.safetensors, config in its metadata)", "export", false, with_id(&props.on_export))}
                    {row_button("Link", "Copy a link that reproduces this run's config", "share", false, with_id(&props.on_share))}
                    {row_button("Delete", "Delete this run and its weights", "delete", training, with_id(&props.on_delete))}
                </td>
            </tr>
        }
    });
    let unreadable = props.unreadable.iter().map(|(id, why)| {
        let on_delete = props.on_delete.clone();
        let id2 = id.clone();
        html! {
            <tr class="run-row unreadable" data-run={id.0.clone()}>
                <td></td>
                <td class="name">{id.0.clone()}</td>
                <td colspan="9" class="error-text">{why.clone()}</td>
                <td class="actions">
                    {row_button("Delete", "Delete this unreadable record", "delete", false, Callback::from(move |()| on_delete.emit(id2.clone())))}
                </td>
            </tr>
        }
    });
    let count = props.runs.len() + props.unreadable.len();
    let clear = if *confirming {
        let yes = {
            let (confirming, on_clear_all) = (confirming.clone(), props.on_clear_all.clone());
            Callback::from(move |_: MouseEvent| {
                confirming.set(false);
                on_clear_all.emit(());
            })
        };
        let no = {
            let confirming = confirming.clone();
            Callback::from(move |_: MouseEvent| confirming.set(false))
        };
        html! {
            <span class="confirm" role="alertdialog" aria-label="confirm clear all">
                {format!("Delete all {count} runs and their weights? This cannot be undone.")}
                <button id="runs-clear-confirm" class="small-button danger" onclick={yes}>{"Delete all"}</button>
                <button id="runs-clear-cancel" class="small-button" onclick={no}>{"Cancel"}</button>
            </span>
        }
    } else {
        let ask = {
            let confirming = confirming.clone();
            Callback::from(move |_: MouseEvent| confirming.set(true))
        };
        html! {
            <button id="runs-clear" class="small-button" disabled={count == 0 || props.training.is_some()}
                onclick={ask}>{"Clear all…"}</button>
        }
    };
    let export_all = props.on_export_all.reform(|_: MouseEvent| ());
    html! {
        <div class="runs-table" id="runs-table">
            <div class="runs-actions">
                <button id="runs-export-all" class="small-button" disabled={props.runs.is_empty()}
                    onclick={export_all} title="A zip with every run's checkpoint, config and curves">{"Export all (.zip)"}</button>
                {clear}
                { match &props.storage {
                    Some(Ok(line)) => html! { <span class="hint storage">{line.clone()}</span> },
                    Some(Err(why)) => html! { <span class="error storage" role="alert">{why.clone()}</span> },
                    None => html! {},
                } }
            </div>
            if count == 0 {
                <div class="empty">{"No runs yet: every run you train is listed here and kept across reloads."}</div>
            } else {
                <div class="runs-scroll">
                    <table>
                        <thead>
                            <tr>
                                <th title="Overlay curves">{"⧉"}</th><th>{"Name"}</th><th>{"Task"}</th><th>{"Architecture"}</th>
                                <th>{"Settings"}</th><th>{"vs previous"}</th><th>{"Steps"}</th><th title="Free generation (the model reads back its own tokens) at the last evaluation; t-f: teacher-forced">{"Accuracy"}</th>
                                <th>{"Time"}</th><th>{"Backend"}</th><th>{"Status"}</th><th></th>
                            </tr>
                        </thead>
                        <tbody>{ for rows }{ for unreadable }</tbody>
                    </table>
                </div>
            }
        </div>
    }
}
