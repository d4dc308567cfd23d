//! The training engine across tasks: padded batches, grading of examples of different
//! lengths, training on every task, sweeps and their outputs.
#![cfg(not(target_arch = "wasm32"))]

use burn::prelude::*;
use expressivity_lab::models::ArchSpec;
use expressivity_lab::models::{Architecture, AttentionMode};
use expressivity_lab::tasks::{TaskKind, TaskRng, TaskSpec};
use expressivity_lab::train::batch::make_batch;
use expressivity_lab::train::sweep::{
    PresetName, SweepError, SweepResults, preset, run_one, to_csv,
};
use expressivity_lab::train::{Session, TrainConfig, TrainError, Trainer};

#[test]
fn padded_batches_mask_exactly_the_cot_and_answer_of_each_example() {
    let task = TaskSpec::new(TaskKind::Arithmetic, 3).build().unwrap();
    let mut rng = TaskRng::new(3, 0);
    let examples: Vec<_> = (0..16).map(|_| task.generate(&mut rng)).collect();
    let lengths: Vec<usize> = examples.iter().map(|e| e.len()).collect();
    assert!(
        lengths.iter().min() != lengths.iter().max(),
        "arithmetic lengths vary"
    );
    let batch = make_batch(&examples, &Device::flex());
    let t = lengths.iter().max().unwrap() - 1;
    assert_eq!(batch.inputs.dims(), [16, t]);
    let mask: Vec<f32> = batch.mask.into_data().iter::<f32>().collect();
    let targets: Vec<i64> = batch.targets.into_data().iter::<i64>().collect();
    for (row, ex) in examples.iter().enumerate() {
        let graded: f32 = mask[row * t..(row + 1) * t].iter().sum();
        assert_eq!(graded as usize, ex.len() - ex.prompt_len);
        for p in 1..ex.len() {
            assert_eq!(targets[row * t + p - 1], i64::from(ex.tokens[p]));
        }
    }
}

#[test]
fn every_task_trains_a_few_steps_with_finite_loss_and_real_grading() {
    for &kind in TaskKind::all() {
        let config = TrainConfig {
            task: TaskSpec::default_for(kind),
            steps: 3,
            eval_every: 3,
            eval_examples: 16,
            batch_size: 8,
            model: ArchSpec {
                architecture: Architecture::Standard,
                d_model: 16,
                n_layers: 1,
                n_heads: 2,
                ..TrainConfig::default().model
            },
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::new(config, &Device::flex()).unwrap();
        while !trainer.is_finished() {
            trainer.step().unwrap();
        }
        let m = pollster::block_on(trainer.checkpoint()).unwrap();
        assert!(m.loss.is_finite(), "{kind:?}");
        // An exact match includes the answer, so it can never beat answer accuracy.
        assert!((0.0..=1.0).contains(&m.answer_accuracy), "{kind:?} {m:?}");
        assert!(m.accuracy <= m.answer_accuracy + 1e-6, "{kind:?} {m:?}");
        if !kind.info().chain_of_thought {
            assert_eq!(m.accuracy, m.answer_accuracy, "{kind:?}");
        }
    }
}

#[test]
fn every_preset_builds_and_an_unknown_one_is_an_error() {
    for name in PresetName::PRESETS {
        let p = preset(name.name(), 1.0).unwrap();
        assert_eq!(p.name, name);
        assert!(p.runs.len() >= 9, "{name}");
        for run in &p.runs {
            run.config.validate().unwrap();
        }
    }
    assert_eq!(
        preset("mamba-vs-everything", 1.0).unwrap_err(),
        SweepError::UnknownPreset("mamba-vs-everything".into())
    );
    assert!(matches!(preset("dyck", 0.0), Err(SweepError::BadScale(_))));
    assert!(matches!(
        preset("dyck", 101.0),
        Err(SweepError::BadScale(_))
    ));
    // A budget larger than the preset's: every run's steps grow, and stay valid.
    let (one, ten) = (preset("dyck", 1.0).unwrap(), preset("dyck", 10.0).unwrap());
    for (a, b) in one.runs.iter().zip(&ten.runs) {
        assert_eq!(b.config.steps, 10 * a.config.steps);
        b.config.validate().unwrap();
    }
}

#[test]
fn a_sweep_run_evaluates_at_longer_sizes_and_in_switched_modes() {
    let mut p = preset("majority", 0.02).unwrap();
    let run = p
        .runs
        .iter_mut()
        .find(|r| r.config.model.attention == AttentionMode::Softmax)
        .unwrap();
    run.config.eval_examples = 32;
    let result = pollster::block_on(run_one(run, &Device::flex(), |_| true)).unwrap();
    assert_eq!(
        result.by_size.iter().map(|x| x.0).collect::<Vec<_>>(),
        vec![31, 63]
    );
    assert_eq!(result.switched.len(), 2 * 3);
    let results = SweepResults {
        preset: "majority".into(),
        claim: p.claim.clone(),
        verdict: p.judge(std::slice::from_ref(&result)),
        runs: vec![result],
    };
    let csv = to_csv(&results);
    assert_eq!(csv.lines().count(), 1 + 3, "{csv}");
    let back: SweepResults =
        serde_json::from_str(&serde_json::to_string(&results).unwrap()).unwrap();
    assert_eq!(back, results);
}

#[test]
fn custom_grids_build_every_run_and_refuse_bad_ones() {
    use expressivity_lab::models::Architecture;
    use expressivity_lab::train::sweep::{CustomGrid, MAX_CUSTOM_RUNS, custom};
    let grid = CustomGrid {
        task: TaskKind::Parity,
        sizes: vec![8, 16],
        widths: vec![16, 32],
        architectures: vec![Architecture::Standard, Architecture::Gru],
        layers: 1,
        steps: 50,
    };
    let p = custom(&grid).unwrap();
    assert_eq!(p.runs.len(), 8);
    assert!(!p.tests_claim);
    assert!(
        p.runs
            .iter()
            .all(|r| r.config.steps == 50 && r.config.validate().is_ok())
    );
    let series: std::collections::BTreeSet<_> = p.runs.iter().map(|r| r.series.as_str()).collect();
    assert_eq!(series.into_iter().collect::<Vec<_>>(), ["gru", "standard"]);
    let too_many = CustomGrid {
        sizes: (1..=MAX_CUSTOM_RUNS).collect(),
        ..grid.clone()
    };
    assert_eq!(
        custom(&too_many).unwrap_err(),
        SweepError::TooManyRuns(MAX_CUSTOM_RUNS * 4)
    );
    let bad_size = CustomGrid {
        sizes: vec![8, 5000],
        ..grid.clone()
    };
    assert!(
        custom(&bad_size)
            .unwrap_err()
            .to_string()
            .contains("size 5000")
    );
    let empty = CustomGrid {
        architectures: vec![],
        ..grid
    };
    assert!(custom(&empty).is_err());
}

fn scale_run(from: Option<f32>) -> TrainConfig {
    TrainConfig {
        task: TaskSpec::new(TaskKind::Majority, 9),
        model: ArchSpec {
            d_model: 16,
            n_layers: 1,
            n_heads: 2,
            softmax_scale: 16.0,
            ..ArchSpec::default()
        },
        steps: 6,
        batch_size: 8,
        eval_every: 3,
        eval_examples: 16,
        softmax_scale_from: from,
        ..TrainConfig::default()
    }
}

fn train(config: TrainConfig) -> Session {
    let mut session = Session::new(&Device::flex());
    session.start(config).unwrap();
    pollster::block_on(session.run_to_end(|_| true)).unwrap();
    session
}

#[test]
fn softmax_attention_trains_under_a_growing_scale_and_ends_at_its_target() {
    let fixed = train(scale_run(None));
    // Growing from 16 to 16 is the fixed scale, step for step.
    assert_eq!(train(scale_run(Some(16.0))).history(), fixed.history());
    // Growing from 1 trains differently.
    let growing = train(scale_run(Some(1.0)));
    assert_ne!(growing.history()[0].loss, fixed.history()[0].loss);
    // The trained model is the final one: saved and loaded (scale 16) it computes the same.
    let (bytes, _) = pollster::block_on(growing.export()).unwrap();
    let loaded = expressivity_lab::train::checkpoint::load(&bytes, &Device::flex()).unwrap();
    assert_eq!(loaded.meta.train.softmax_scale_from, Some(1.0));
    let task = growing.config().unwrap().task().unwrap();
    let ids: Vec<i64> = task.sample(3, 1)[0]
        .tokens
        .iter()
        .map(|&t| i64::from(t))
        .collect();
    let input =
        Tensor::<1, Int>::from_ints(ids.as_slice(), &Device::flex()).reshape([1, ids.len()]);
    let out = |m: &expressivity_lab::models::Model| -> Vec<f32> {
        use expressivity_lab::models::SequenceModel;
        m.forward(input.clone())
            .unwrap()
            .into_data()
            .iter()
            .collect()
    };
    assert_eq!(out(&loaded.model), out(&growing.inference_model().unwrap()));
}

#[test]
fn a_growing_scale_needs_softmax_attention_and_a_start_below_the_target() {
    for bad in [
        scale_run(Some(32.0)),
        scale_run(Some(0.0)),
        scale_run(Some(f32::NAN)),
        TrainConfig {
            model: ArchSpec {
                attention: AttentionMode::Hard,
                ..scale_run(None).model
            },
            ..scale_run(Some(1.0))
        },
        TrainConfig {
            model: ArchSpec {
                architecture: Architecture::Lstm,
                ..scale_run(None).model
            },
            ..scale_run(Some(1.0))
        },
    ] {
        assert!(
            matches!(bad.validate(), Err(TrainError::ScaleSchedule(_))),
            "{:?}",
            bad.validate()
        );
    }
}

/// The first step of a growing scale trains at the starting scale, not at the target: its
/// loss equals a run at that fixed scale.
#[test]
fn a_growing_scale_starts_at_its_start() {
    // Two steps (the last step of a run is at the target), the first one evaluated alone.
    let one_step = |config: TrainConfig| TrainConfig {
        steps: 2,
        eval_every: 1,
        ..config
    };
    let growing = train(one_step(scale_run(Some(1.0))));
    let fixed_at_start = train(one_step(TrainConfig {
        model: ArchSpec {
            softmax_scale: 1.0,
            ..scale_run(None).model
        },
        ..scale_run(None)
    }));
    let at_target = train(one_step(scale_run(None)));
    let first = |t: &Session| t.history()[0].loss;
    assert_eq!(first(&growing), first(&fixed_at_start));
    assert_ne!(first(&growing), first(&at_target));
}
