#![allow(clippy::disallowed_methods)] // tests read and write their own files
//! The instruments on models whose inside is known: agreement with the algorithm
//! (`instruments::agreement`) and head ablation (`instruments::ablation`) on the constructions,
//! whose heads read exactly what their algorithm reads, and agreement on a trained gallery
//! model.
//!
//! | construction | head (layer, head) | query position | what its algorithm reads |
//! |---|---|---|---|
//! | index lookup | 0, 0 | the query `@i` | the symbol at position i |
//! | nearest neighbour | 1, 0 | the last query bit | the nearest key's label |
//! | equality | 1, 0 | the token before the answer | the positions it compares |
//! | disjointness | 1, 0 | the token before the answer | the positions it compares |
//! | MAJORITY | 0, 0 | the token before the answer | every bit: uniform, chance by design |
#![cfg(not(target_arch = "wasm32"))]

use burn::prelude::*;
use expressivity_lab::claims::construct;
use expressivity_lab::instruments::ablation::ablate_heads;
use expressivity_lab::instruments::agreement::{Agreement, AgreementError, agreement};
use expressivity_lab::instruments::probe::{ProbeError, probe};
use expressivity_lab::models::Model;
use expressivity_lab::train::checkpoint;
use expressivity_lab::train::eval::held_out_at_size;

fn device() -> Device {
    Device::flex()
}

fn scored(model: &Model, meta: &checkpoint::CheckpointMeta, count: usize) -> Agreement {
    let examples = held_out_at_size(&meta.train, meta.train.task.size, count).unwrap();
    pollster::block_on(agreement(model, &examples, &device())).unwrap()
}

/// `name` built at its default size.
fn construction(name: &str) -> Agreement {
    let c = construct::find(name).unwrap();
    let built = c.build(c.default_size).unwrap();
    let loaded = checkpoint::load(&built.bytes, &device()).unwrap();
    scored(&loaded.model, &loaded.meta, 128)
}

#[test]
fn every_construction_scores_at_least_99_percent_on_the_head_of_its_algorithm() {
    for (name, layer, head) in [
        ("index-lookup", 0, 0),
        ("nearest-neighbor", 1, 0),
        ("equality", 1, 0),
        ("disjointness", 1, 0),
    ] {
        let table = construction(name);
        let h = table
            .heads
            .iter()
            .find(|h| (h.layer, h.head) == (layer, head))
            .unwrap_or_else(|| panic!("{name}: no head {layer}.{head}"));
        assert!(
            h.mass.estimate >= 0.99 && h.argmax.estimate >= 0.99,
            "{name} head {layer}.{head}: {h:?} (chance {:.3})",
            table.chance
        );
        assert!(table.chance < 0.9, "{name}: chance {:.3}", table.chance);
        assert!(
            table.positions >= 128,
            "{name}: {} positions",
            table.positions
        );
    }
}

#[test]
fn majoritys_uniform_head_sits_at_its_chance_level_by_design() {
    let table = construction("majority");
    let h = &table.heads[0];
    assert!(table.chance > 0.9, "{}", table.chance);
    assert!(
        (h.mass.estimate - table.chance).abs() < 0.01,
        "{h:?} vs {}",
        table.chance
    );
}

#[test]
fn a_trained_index_lookup_head_agrees_far_above_chance() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/models/index-lookup-standard.safetensors"
    );
    let bytes = std::fs::read(path).unwrap();
    let loaded = checkpoint::load(&bytes, &device()).unwrap();
    let table = scored(&loaded.model, &loaded.meta, 256);
    let best = table.best().unwrap();
    assert!(
        best.mass.low >= table.chance + 0.20,
        "best head {best:?}, chance {:.3}",
        table.chance
    );
}

#[test]
fn a_recurrent_model_has_no_heads_to_score() {
    let built = construct::find("dyck").unwrap().build(8).unwrap();
    let loaded = checkpoint::load(&built.bytes, &device()).unwrap();
    let examples = held_out_at_size(&loaded.meta.train, 8, 8).unwrap();
    let result = pollster::block_on(agreement(&loaded.model, &examples, &device()));
    assert!(
        matches!(result, Err(AgreementError::NoAttention)),
        "{:?}",
        result.err()
    );
}

#[test]
fn silencing_the_head_that_reads_costs_the_answer_and_an_idle_head_costs_nothing() {
    // Small enough for a debug build: 16 heads silenced in turn, 32 examples each.
    let size = 8;
    let built = construct::find("nearest-neighbor")
        .unwrap()
        .build(size)
        .unwrap();
    let loaded = checkpoint::load(&built.bytes, &device()).unwrap();
    let arch = &loaded.meta.train.model;
    let examples = held_out_at_size(&loaded.meta.train, size, 32).unwrap();
    let table = pollster::block_on(ablate_heads(
        &loaded.model,
        arch.n_layers,
        arch.n_heads,
        &examples,
        &device(),
    ))
    .unwrap()
    .expect("attention heads");
    assert_eq!(table.exact, 1.0);
    assert_eq!(table.heads.len(), arch.n_layers * arch.n_heads);
    let at = |l: usize, h: usize| {
        table
            .heads
            .iter()
            .find(|r| (r.layer, r.head) == (l, h))
            .unwrap()
    };
    // Layer 1 head 0 copies the nearest key's label: without it the answer is lost.
    let reader = at(1, 0);
    assert!(reader.answer_drop.low > 0.5, "{reader:?}");
    // The heads of layer 1 the construction leaves unused change nothing.
    let idle = at(1, arch.n_heads - 1);
    assert!(idle.answer_drop.estimate.abs() < 1e-9, "{idle:?}");
    // Silencing a whole layer's heads loses at least what its most needed head loses.
    assert_eq!(table.layers.len(), arch.n_layers);
    let whole = &table.layers[1];
    assert_eq!(whole.layer, 1);
    assert!(
        whole.answer_drop.estimate >= reader.answer_drop.estimate - 1e-9,
        "{whole:?} vs {reader:?}"
    );
}

#[test]
fn the_dyck_constructions_state_decodes_the_stack_depth_exactly() {
    let size = 16;
    let built = construct::find("dyck").unwrap().build(size).unwrap();
    let loaded = checkpoint::load(&built.bytes, &device()).unwrap();
    let spec = loaded.meta.train.task.at_size(size);
    let examples = held_out_at_size(&loaded.meta.train, size, 128).unwrap();
    let probes = pollster::block_on(probe(&loaded.model, &spec, &examples, &device())).unwrap();
    let layer = &probes.layers[0];
    assert_eq!(layer.exact, 1.0, "{probes:?}");
    assert!(layer.r2 > 0.999 && layer.control_r2 < 0.1, "{probes:?}");
    assert!(probes.score_positions > 500, "{probes:?}");
    // A task whose algorithm keeps no probed variable is refused with the reason.
    let lis = construct::find("index-lookup").unwrap().build(8).unwrap();
    let lis = checkpoint::load(&lis.bytes, &device()).unwrap();
    let examples = held_out_at_size(&lis.meta.train, 8, 8).unwrap();
    let refused = pollster::block_on(probe(
        &lis.model,
        &lis.meta.train.task,
        &examples,
        &device(),
    ));
    assert!(
        matches!(refused, Err(ProbeError::NoVariable(_))),
        "{:?}",
        refused.err()
    );
}

fn gallery(name: &str) -> checkpoint::Checkpoint {
    let path = format!(
        "{}/assets/models/{name}.safetensors",
        env!("CARGO_MANIFEST_DIR")
    );
    checkpoint::load(&std::fs::read(path).unwrap(), &device()).unwrap()
}

#[test]
fn the_logit_lens_of_the_last_layer_is_the_models_own_teacher_forced_accuracy() {
    use expressivity_lab::instruments::lens::logit_lens;
    use expressivity_lab::train::eval::teacher_forced;
    for name in ["index-lookup-standard", "lis-standard", "dyck-lstm"] {
        let loaded = gallery(name);
        let examples =
            held_out_at_size(&loaded.meta.train, loaded.meta.train.task.size, 64).unwrap();
        let lens = pollster::block_on(logit_lens(&loaded.model, &examples, &device())).unwrap();
        let depth = loaded.meta.model.arch.n_layers;
        assert_eq!(
            lens.layers.len(),
            depth + 1,
            "{name}: the embeddings and each layer"
        );
        let report =
            pollster::block_on(teacher_forced(&loaded.model, &examples, &device())).unwrap();
        let out = &lens.layers[depth];
        // One answer token per example: the read-out's top-1 share on it is the answer accuracy.
        assert_eq!(lens.answer_positions, examples.len(), "{name}");
        assert!(
            (out.answer_top1 - f64::from(report.answer)).abs() < 1e-6,
            "{name}: lens {} vs teacher-forced {}",
            out.answer_top1,
            report.answer
        );
        // The trained models' output layer predicts; their embeddings alone do not.
        assert!(out.top1 > 0.95, "{name}: {out:?}");
        assert!(lens.layers[0].top1 < out.top1 - 0.3, "{name}: {lens:?}");
    }
}

#[test]
fn patching_finds_the_query_token_of_index_lookup_and_nothing_else() {
    use expressivity_lab::instruments::patching::{PatchError, patch};
    let loaded = gallery("index-lookup-standard");
    let task = loaded.meta.train.task().unwrap();
    let sequence = |prompt: &str| task.solve_text(prompt).unwrap().tokens;
    let symbols = "a b c d e f g h i j k l m n o p";
    let clean = sequence(&format!("{symbols} <q> @3"));
    let corrupt = sequence(&format!("{symbols} <q> @5"));
    let text = |id: u32| task.vocab().text(id).to_string();
    let found =
        pollster::block_on(patch(&loaded.model, &clean, &corrupt, text, &device())).unwrap();
    assert!(
        found.clean_difference > 0.0 && found.corrupt_difference < 0.0,
        "{found:?}"
    );
    // The embedded input: only the query token (position 17) carries the answer.
    let query = clean.len() - 2;
    for (p, &r) in found.recovered[0].iter().enumerate() {
        let expected = if p == query { 1.0 } else { 0.0 };
        assert!((r - expected).abs() < 1e-3, "position {p}: {r}");
    }
    // The final stream at the answer's position is the whole lead.
    assert!((found.recovered[1][query] - 1.0).abs() < 1e-6);
    let same = sequence(&format!("{symbols} <q> @3"));
    let err = pollster::block_on(patch(&loaded.model, &clean, &same, text, &device())).unwrap_err();
    assert!(matches!(err, PatchError::SameAnswer(_)), "{err}");
    let err =
        pollster::block_on(patch(&loaded.model, &clean, &clean[1..], text, &device())).unwrap_err();
    assert!(matches!(err, PatchError::Lengths { .. }), "{err}");
}
