//! The instruments on the kept model, in the worker: probes, head ablation, the logit lens,
//! activation patching on the shown example and the length curve, each on request (none runs
//! after every training run: they cost up to a few seconds on a software adapter). The page
//! draws what they report ([`ModelNews::Measured`]).

use burn::prelude::Device;

use super::runner::{AGREEMENT_EXAMPLES, Runner, test_set, typed_example};
use crate::app::wire::protocol::{InstrumentKind, Measurement, ModelNews, PatchView, Report};
use crate::instruments::ablation::ablate_heads;
use crate::instruments::length::{curve_sizes, length_curve};
use crate::instruments::lens::logit_lens;
use crate::instruments::patching::patch;
use crate::instruments::probe::probe;
use crate::models::{AttentionMode, Model};
use crate::tasks::Example;
use crate::train::checkpoint::CheckpointMeta;
use crate::train::yield_now::yield_now;

/// Examples the probes fit on (half) and score on (half).
const PROBE_EXAMPLES: usize = 128;
/// Sizes of the length curve, and examples per size.
const LENGTH_SIZES: usize = 8;
const LENGTH_EXAMPLES: usize = 64;

/// What a measurement needs of the kept model.
struct Subject {
    model: Model,
    meta: CheckpointMeta,
    shown: Example,
    device: Device,
}

/// Run `kind` on the kept model `handle` under `mode` and report it (or why it cannot run).
pub fn measure(
    runner: &Runner,
    handle: super::model_store::ModelHandle,
    mode: AttentionMode,
    kind: InstrumentKind,
    corrupt: Option<String>,
) {
    let subject = runner.kept(handle, |t| Subject {
        model: t
            .checkpoint
            .model
            .clone()
            .with_mode(mode, t.checkpoint.meta.train.model.softmax_scale),
        meta: t.checkpoint.meta.clone(),
        shown: t.example.clone(),
        device: t.device.clone(),
    });
    let Some(subject) = subject else {
        return runner.send(Report::Model(ModelNews::Measured {
            mode,
            kind,
            result: Err("the model is no longer kept (train or load one first)".into()),
        }));
    };
    let runner = runner.clone();
    wasm_bindgen_futures::spawn_local(async move {
        yield_now().await;
        let result = run(&subject, kind, corrupt.as_deref()).await;
        runner.send(Report::Model(ModelNews::Measured {
            mode,
            kind,
            result: result.map(Box::new),
        }));
    });
}

async fn run(
    s: &Subject,
    kind: InstrumentKind,
    corrupt: Option<&str>,
) -> Result<Measurement, String> {
    let train = &s.meta.train;
    let task = train.task().map_err(|e| e.to_string())?;
    let held = || {
        let mut examples = test_set(train, task.as_ref());
        examples.truncate(match kind {
            InstrumentKind::Probes => PROBE_EXAMPLES,
            _ => AGREEMENT_EXAMPLES,
        });
        examples
    };
    match kind {
        InstrumentKind::Probes => probe(&s.model, &train.task, &held(), &s.device)
            .await
            .map(Measurement::Probes)
            .map_err(|e| e.to_string()),
        InstrumentKind::Ablation => {
            let (layers, heads) = (train.model.n_layers, train.model.n_heads);
            match ablate_heads(&s.model, layers, heads, &held(), &s.device).await {
                Ok(Some(table)) => Ok(Measurement::Ablation(table)),
                Ok(None) => Err(format!(
                    "a {} has no attention heads to silence",
                    train.model.architecture.title()
                )),
                Err(e) => Err(e.to_string()),
            }
        }
        InstrumentKind::Lens => logit_lens(&s.model, &held(), &s.device)
            .await
            .map(Measurement::Lens)
            .map_err(|e| e.to_string()),
        InstrumentKind::Patching => {
            let corrupt = typed_example(&s.meta, task.as_ref(), &s.model, corrupt.unwrap_or(""))
                .map_err(|e| format!("the corrupted prompt: {e}"))?;
            let vocab = task.vocab();
            let text = |ids: &[u32]| ids.iter().map(|&id| vocab.text(id).to_string()).collect();
            let found = patch(
                &s.model,
                &s.shown.tokens,
                &corrupt.tokens,
                |id| vocab.text(id).to_string(),
                &s.device,
            )
            .await
            .map_err(|e| e.to_string())?;
            Ok(Measurement::Patching(PatchView {
                clean_text: text(&found.clean),
                corrupt_text: text(&found.corrupt),
                patching: found,
            }))
        }
        InstrumentKind::Length => {
            let sizes = curve_sizes(&s.meta, LENGTH_SIZES)?;
            let label = format!(
                "{} · {} · seed {}",
                train.summary(),
                train.model.positional.name(),
                train.seed
            );
            let curve =
                length_curve(&s.model, &s.meta, label, &sizes, LENGTH_EXAMPLES, &s.device).await;
            if curve.points.is_empty() {
                let why: Vec<String> = curve
                    .skipped
                    .iter()
                    .map(|(n, e)| format!("N = {n}: {e}"))
                    .collect();
                return Err(format!("no size could be evaluated ({})", why.join("; ")));
            }
            Ok(Measurement::Length(curve))
        }
    }
}
