//! The training engine across tasks: padded batches, grading of examples of different
//! lengths, training on every task, your own grid on the claims' engine.
#![cfg(not(target_arch = "wasm32"))]

use burn::prelude::*;
use expressivity_lab::models::ArchSpec;
use expressivity_lab::models::{Architecture, AttentionMode};
use expressivity_lab::tasks::{TaskKind, TaskRng, TaskSpec};
use expressivity_lab::train::batch::make_batch;
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
fn custom_grids_plan_every_run_and_refuse_bad_ones() {
    use expressivity_lab::claims::Metric;
    use expressivity_lab::claims::custom::{CustomGrid, CustomGridError, MAX_CUSTOM_RUNS};
    let grid = CustomGrid {
        task: TaskKind::Parity,
        sizes: vec![8, 16],
        widths: vec![16, 32],
        architectures: vec![Architecture::Standard, Architecture::Gru],
        layers: 1,
        steps: 50,
    };
    let plan = grid.plan().unwrap();
    assert_eq!(plan.runs.len(), 8);
    assert_eq!(plan.metric, Metric::Accuracy);
    for run in &plan.runs {
        let config = grid.config(run);
        assert_eq!(config.steps, 50);
        assert_eq!(config.model.d_model, run.width);
        config.validate().unwrap();
    }
    let series: std::collections::BTreeSet<_> = plan.runs.iter().map(|r| r.series.name).collect();
    assert_eq!(series.into_iter().collect::<Vec<_>>(), ["gru", "standard"]);
    // A task with a chain of thought is judged on greedy whole-CoT exact match.
    let lis = CustomGrid {
        task: TaskKind::Lis,
        sizes: vec![4],
        ..grid.clone()
    };
    assert_eq!(lis.plan().unwrap().metric, Metric::GreedyCot);
    let too_many = CustomGrid {
        sizes: (1..=MAX_CUSTOM_RUNS).collect(),
        ..grid.clone()
    };
    assert_eq!(
        too_many.plan().unwrap_err(),
        CustomGridError::TooManyRuns(MAX_CUSTOM_RUNS * 4)
    );
    let bad_size = CustomGrid {
        sizes: vec![8, 5000],
        ..grid.clone()
    };
    assert!(
        bad_size
            .plan()
            .unwrap_err()
            .to_string()
            .contains("size 5000")
    );
    let empty = CustomGrid {
        architectures: vec![],
        ..grid
    };
    assert_eq!(empty.plan().unwrap_err(), CustomGridError::Empty);
}

#[test]
fn a_custom_grid_runs_on_the_claims_engine_and_is_surveyed_like_a_claim() {
    use expressivity_lab::claims::custom::{CustomGrid, EXAMPLES, ID};
    use expressivity_lab::claims::stats::WStar;
    // MAJORITY at size 5 is learnt in a few hundred steps; width 4 with 1 step is not.
    let grid = CustomGrid {
        task: TaskKind::Majority,
        sizes: vec![5],
        widths: vec![16],
        architectures: vec![Architecture::Lstm],
        layers: 1,
        steps: 300,
    };
    let plan = grid.plan().unwrap();
    let device = Device::flex();
    let records: Vec<_> = plan
        .runs
        .iter()
        .map(|r| pollster::block_on(plan.execute(r, &device, |_| true)).unwrap())
        .collect();
    let r = &records[0];
    assert_eq!((r.claim.as_str(), r.series.as_str()), (ID, "lstm"));
    assert_eq!(r.correct.len(), EXAMPLES);
    r.validate().unwrap();
    assert!(r.validation.is_some(), "{r:?}");
    let survey = plan.survey(&records);
    assert_eq!(survey.cells.len(), 1);
    assert!((survey.cells[0].accuracy.estimate - r.accuracy).abs() < 1e-9);
    assert_eq!(survey.w_star.len(), 1);
    // The constant predictor is measured on the same examples, and is far below the run.
    let (size, floor) = survey.constant_floor[0];
    assert_eq!(size, 5);
    assert!(floor < 0.8, "{floor}");
    let reached = r.accuracy >= survey.threshold;
    assert_eq!(
        survey.w_star[0].w_star.estimate == WStar::Width(16),
        reached,
        "{survey:?}"
    );
    assert!(
        survey.summary().contains("lstm N = 5"),
        "{}",
        survey.summary()
    );
    // Cancelling stops a run.
    let cancelled = pollster::block_on(plan.execute(&plan.runs[0], &device, |step| step < 3));
    assert!(cancelled.is_err());
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
