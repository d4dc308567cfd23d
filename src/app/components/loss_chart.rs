//! Live loss and accuracy curves: loss on the left scale, accuracies on the right. Free
//! generation (the model reads back its own tokens: what it can really do) is drawn solid;
//! teacher-forced figures (each token predicted from the reference prefix, which flatters a
//! chain of thought) thin and dashed, and say so.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, Export, Frame, Tick, loss_label, polyline_points};
use crate::app::figure::{METRICS_HEADER, csv, metrics_cells};
use crate::train::{GreedyReport, Metrics};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub history: Rc<Vec<Metrics>>,
    /// Free-generation accuracy once the run (or a loaded model) is done.
    #[prop_or_default]
    pub greedy: Option<GreedyReport>,
    pub total_steps: usize,
    /// The task writes a chain of thought before its answer (the legend's words follow it).
    pub chain_of_thought: bool,
    /// The shown run's config (JSON), written into exported files.
    #[prop_or_default]
    pub about: AttrValue,
}

/// The curves' data: a row per evaluation.
fn table(history: &[Metrics], about: &str) -> String {
    let rows: Vec<Vec<String>> = history.iter().map(metrics_cells).collect();
    csv(about, &METRICS_HEADER, &rows)
}

const FRAME: Frame = Frame {
    width: 520.0,
    height: 220.0,
    left: 56.0,
    right: 50.0,
    top: 12.0,
    bottom: 28.0,
};
const LEVELS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];

#[function_component(LossChart)]
pub fn loss_chart(props: &Props) -> Html {
    let history = &props.history;
    let total = props.total_steps.max(1);
    let max_loss = history
        .iter()
        .map(|m| f64::from(m.loss))
        .filter(|l| l.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-3);
    // One curve: a value of every checkpoint that has it, as a fraction of its scale.
    let curve = |value: fn(&Metrics) -> Option<f32>, max: f64| {
        polyline_points(history.iter().filter_map(|m| {
            value(m).map(|v| {
                (
                    FRAME.x(m.step as f64 / total as f64),
                    FRAME.y(f64::from(v) / max),
                )
            })
        }))
    };
    let has_free = history.iter().any(|m| m.free.is_some());
    let whole = if props.chain_of_thought {
        "whole CoT + answer"
    } else {
        "whole output"
    };
    // No loss yet: the grid without numbers (a scale of 0.00 five times says nothing).
    let left: Vec<Tick> = LEVELS
        .iter()
        .map(|f| {
            let label = if history.is_empty() {
                String::new()
            } else {
                loss_label(f * max_loss, max_loss)
            };
            Tick::new(*f, label)
        })
        .collect();
    let right: Vec<Tick> = LEVELS
        .iter()
        .map(|f| Tick::new(*f, format!("{:.0}%", f * 100.0)))
        .collect();
    let bottom = vec![vec![
        Tick::new(0.0, "0"),
        Tick::new(1.0, format!("{total} steps")),
    ]];
    let last = history.last();
    let export = {
        let (history, about) = (history.clone(), props.about.clone());
        Export {
            stem: "training-curves".into(),
            about: props.about.clone(),
            csv: Some(Callback::from(move |()| table(&history, &about))),
        }
    };
    html! {
        <div class="loss-chart" id="loss-chart">
            <Chart frame={FRAME} label="training loss and accuracy" area={true} grid={true} {left} {right} {bottom} export={Some(export)}>
                <polyline points={curve(|m| Some(m.loss), max_loss)} class="line loss" />
                <polyline points={curve(|m| Some(m.accuracy), 1.0)} class="line accuracy forced" />
                <polyline points={curve(|m| Some(m.answer_accuracy), 1.0)} class="line answer forced" />
                if has_free {
                    <polyline points={curve(|m| m.free.map(|f| f.full), 1.0)} class="line accuracy free" />
                    <polyline points={curve(|m| m.free.map(|f| f.answer), 1.0)} class="line answer free" />
                    // A dot at each evaluation: a run with one evaluation has no line to draw.
                    { for history.iter().filter_map(|m| m.free.map(|f| (m.step, f.full))).map(|(step, full)| html! {
                        <circle class="point accuracy free" r="3"
                            cx={format!("{:.1}", FRAME.x(step as f64 / total as f64))}
                            cy={format!("{:.1}", FRAME.y(f64::from(full)))} />
                    }) }
                }
            </Chart>
            <div class="legend">
                <span class="key loss">{"loss"}</span>
                if has_free {
                    <span class="key accuracy free">{format!("free generation: {whole} right")}</span>
                    <span class="key answer free">{"free generation: answer right"}</span>
                }
                <span class="key accuracy forced">{format!("teacher-forced: {whole} exact")}</span>
                <span class="key answer forced">{"teacher-forced: answer"}</span>
            </div>
            <div class="readout" id="metrics-readout">
                { match last {
                    Some(m) => format!("step {} · loss {:.4}{} · teacher-forced: {whole} exact {:.1}% · answer {:.1}%",
                        m.step, m.loss,
                        m.free.map_or(String::new(), |f| format!(" · free generation: {whole} {:.1}% · answer {:.1}%", 100.0 * f.full, 100.0 * f.answer)),
                        100.0 * m.accuracy, 100.0 * m.answer_accuracy),
                    None => "Press Train: the curves fill in as the model learns.".to_string(),
                } }
            </div>
            if let Some(g) = &props.greedy {
                <div class="readout" id="greedy-readout" title="The model continues each held-out prompt on its own (greedy, cached decoder), reading back its own tokens">
                    {format!("free generation on {} held-out prompts: {whole} right {:.1}% · answer right {:.1}%",
                        g.examples, 100.0 * g.full, 100.0 * g.answer)}
                </div>
            }
        </div>
    }
}
