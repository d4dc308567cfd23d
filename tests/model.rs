//! Native model tests: output shapes, causality, attention rows sum to one.
#![cfg(not(target_arch = "wasm32"))]

use burn::prelude::*;
use expressivity_lab::models::{Model, ModelConfig, SequenceModel, SequenceTooLong};

fn config() -> ModelConfig {
    ModelConfig::transformer(20, 16, 32, 2, 4)
}

fn tokens(rows: &[&[i64]], device: &Device) -> Tensor<2, Int> {
    let t = rows[0].len();
    let flat: Vec<i64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    Tensor::<1, Int>::from_ints(flat.as_slice(), device).reshape([rows.len(), t])
}

#[test]
fn shapes_and_param_count() {
    let device = Device::flex();
    let model = Model::new(&config(), &device).unwrap();
    let (logits, trace) = model
        .forward_with_trace(tokens(&[&[1, 2, 3, 4, 5], &[5, 4, 3, 2, 1]], &device))
        .unwrap();
    assert_eq!(logits.dims(), [2, 5, 20]);
    assert_eq!(trace.attention.len(), 2);
    assert_eq!(trace.attention[0].dims(), [2, 4, 5, 5]);
    assert_eq!(model.num_params(), config().param_count());
}

/// Logits at positions `range` of a `[1, T, 20]` tensor, flattened.
fn logits_at(t: &Tensor<3>, range: std::ops::Range<usize>) -> Vec<f32> {
    t.clone()
        .slice([0..1, range, 0..20])
        .into_data()
        .iter::<f32>()
        .collect()
}

#[test]
fn changing_a_future_token_never_changes_earlier_logits() {
    let device = Device::flex();
    let model = Model::new(&config(), &device).unwrap();
    let a = model
        .forward(tokens(&[&[1, 2, 3, 4, 5, 6, 7, 8]], &device))
        .unwrap();
    for changed in 1..8 {
        let mut row = vec![1i64, 2, 3, 4, 5, 6, 7, 8];
        row[changed] = 19;
        let b = model.forward(tokens(&[&row], &device)).unwrap();
        let max_diff = logits_at(&a, 0..changed)
            .iter()
            .zip(&logits_at(&b, 0..changed))
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(
            max_diff < 1e-5,
            "position < {changed} changed by {max_diff}"
        );
        // ...while the changed position itself does see the change.
        let (a_at, b_at) = (
            logits_at(&a, changed..changed + 1),
            logits_at(&b, changed..changed + 1),
        );
        assert!(a_at.iter().zip(&b_at).any(|(x, y)| (x - y).abs() > 1e-6));
    }
}

#[test]
fn attention_is_causal_and_normalised() {
    let device = Device::flex();
    let model = Model::new(&config(), &device).unwrap();
    let (_, trace) = model
        .forward_with_trace(tokens(&[&[3, 1, 4, 1, 5, 9]], &device))
        .unwrap();
    for layer in trace.attention {
        let w: Vec<f32> = layer.into_data().iter::<f32>().collect();
        for head in 0..4 {
            for q in 0..6 {
                let row = &w[(head * 6 + q) * 6..(head * 6 + q + 1) * 6];
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-4);
                assert!(
                    row[q + 1..].iter().all(|&x| x < 1e-6),
                    "query {q} looks ahead"
                );
            }
        }
    }
}

#[test]
fn impossible_configurations_are_errors() {
    let device = Device::flex();
    let mut bad = config();
    bad.arch.n_heads = 5;
    assert!(Model::new(&bad, &device).is_err());
    let mut bad = config();
    bad.arch.n_layers = 0;
    assert!(Model::new(&bad, &device).is_err());
}

#[test]
fn inputs_beyond_the_context_are_errors_not_panics() {
    let device = Device::flex();
    for architecture in expressivity_lab::models::Architecture::ALL {
        let config = config().with_architecture(architecture);
        let model = Model::new(&config, &device).unwrap();
        let too_long = tokens(&[&[1; 17]], &device);
        let expected = SequenceTooLong {
            tokens: 17,
            context: 16,
        };
        assert_eq!(model.forward(too_long.clone()).unwrap_err(), expected);
        assert_eq!(model.forward_with_trace(too_long).unwrap_err(), expected);
        assert!(model.forward(tokens(&[&[1; 16]], &device)).is_ok());
        // Decoding: 16 positions fit, the 17th is refused and leaves the cache as it was.
        let mut cache = model.init_cache(1, &device);
        let one = || Tensor::<1, Int>::from_ints([1], &device);
        for _ in 0..16 {
            model.step(one(), &mut cache).unwrap();
        }
        assert_eq!(model.step(one(), &mut cache).unwrap_err(), expected);
        assert_eq!(cache.position, 16);
        assert_eq!(
            expected.to_string(),
            "a sequence of 17 tokens exceeds the model's context of 16"
        );
    }
}
