//! The agreement grid over training: at each evaluation of a run, the attention mass of the
//! head that agrees most with the task's algorithm, beside uniform attention's chance level —
//! when the model starts to look where the algorithm reads.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, Export, Frame, Tick, polyline_points};
use super::probe_chart::unit_ticks;
use crate::app::figure::{csv, number};
use crate::train::Metrics;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub history: Rc<Vec<Metrics>>,
    pub total_steps: usize,
    pub about: AttrValue,
}

const FRAME: Frame = Frame {
    width: 520.0,
    height: 160.0,
    left: 44.0,
    right: 16.0,
    top: 10.0,
    bottom: 26.0,
};

fn table(history: &[Metrics], about: &str) -> String {
    let rows: Vec<Vec<String>> = history
        .iter()
        .filter_map(|m| {
            let a = m.agreement?;
            Some(vec![
                m.step.to_string(),
                (a.layer + 1).to_string(),
                (a.head + 1).to_string(),
                number(Some(f64::from(a.mass))),
                number(Some(f64::from(a.chance))),
            ])
        })
        .collect();
    csv(about, &["step", "layer", "head", "mass", "chance"], &rows)
}

#[function_component(AgreementCurve)]
pub fn agreement_curve(props: &Props) -> Html {
    let points: Vec<(usize, crate::train::AgreementPoint)> = props
        .history
        .iter()
        .filter_map(|m| m.agreement.map(|a| (m.step, a)))
        .collect();
    if points.is_empty() {
        return html! {};
    }
    let total = props.total_steps.max(1) as f64;
    let x = |step: usize| FRAME.x(step as f64 / total);
    let n = |v: f64| format!("{v:.1}");
    let best = polyline_points(
        points
            .iter()
            .map(|(s, a)| (x(*s), FRAME.y(f64::from(a.mass)))),
    );
    let chance = polyline_points(
        points
            .iter()
            .map(|(s, a)| (x(*s), FRAME.y(f64::from(a.chance)))),
    );
    let bottom = vec![vec![
        Tick::new(0.0, "0"),
        Tick::new(1.0, format!("{} steps", props.total_steps)),
    ]];
    let export = Export::with_table(
        "agreement-over-training",
        &props.about,
        props.history.clone(),
        |h, about| table(h, about),
    );
    let (last_step, last) = points[points.len() - 1];
    html! {
        <div class="agreement-curve" id="agreement-curve">
            <Chart frame={FRAME} label="the best head's agreement with the algorithm over training" area={true} grid={true}
                left={unit_ticks()} {bottom} export={Some(export)}>
                <polyline points={chance} class="line chance" />
                <polyline points={best} class="line agreement" />
                { for points.iter().map(|(s, a)| html! {
                    <circle class="point agreement" r="3" cx={n(x(*s))} cy={n(FRAME.y(f64::from(a.mass)))}>
                        <title>{format!("step {s}: layer {} head {}, {:.1} % (chance {:.1} %)", a.layer + 1, a.head + 1, 100.0 * a.mass, 100.0 * a.chance)}</title>
                    </circle>
                }) }
            </Chart>
            <div class="legend">
                <span class="key agreement">{"best head: attention on what the algorithm reads"}</span>
                <span class="key chance">{"chance (uniform attention)"}</span>
            </div>
            <p class="note">{ format!("At step {last_step}: layer {} head {}, {:.1} % (chance {:.1} %), on the first held-out examples at each evaluation.",
                last.layer + 1, last.head + 1, 100.0 * last.mass, 100.0 * last.chance) }</p>
        </div>
    }
}
