//! The architecture zoo, natively on the CPU: cached decoding equals the full forward for every
//! architecture and attention mode, the sparse pattern is exactly Child et al.'s, linear
//! attention's two forms agree, saturated is the large-scale limit of softmax, hard takes the
//! leftmost maximum, every model is causal and every parameter learns.
#![cfg(not(target_arch = "wasm32"))]

use burn::module::{ModuleVisitor, Param};
use burn::optim::{AdamWConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::activation::softmax;
use expressivity_lab::models::ArchSpec;
use expressivity_lab::models::attention::{Pattern, mode};
use expressivity_lab::models::check::{TOLERANCE, check_model};
use expressivity_lab::models::cost::token_cost;
use expressivity_lab::models::{
    Architecture, AttentionMode, Model, ModelConfig, PositionalEncoding, SequenceModel,
};

const LEN: usize = 40;
const BLOCK: usize = 6;

fn config(architecture: Architecture) -> ModelConfig {
    ModelConfig {
        arch: ArchSpec {
            architecture,
            d_model: 24,
            n_layers: 2,
            n_heads: 3,
            block_size: Some(BLOCK),
            state_size: 4,
            ..ArchSpec::default()
        },
        vocab_size: 13,
        max_len: 48,
        index_tokens: None,
        paired: None,
    }
}

/// Every (architecture, mode) pair worth checking.
fn variants() -> Vec<(Architecture, AttentionMode)> {
    let mut v = Vec::new();
    for a in Architecture::ALL {
        if a.has_attention_modes() {
            v.extend(AttentionMode::ALL.map(|m| (a, m)));
        } else {
            v.push((a, AttentionMode::Softmax));
        }
    }
    v
}

fn build(config: &ModelConfig, seed: u64) -> Model {
    let device = Device::flex();
    device.seed(seed);
    Model::new(config, &device).unwrap()
}

#[test]
fn cached_decoding_equals_the_full_forward_and_every_model_is_causal() {
    let device = Device::flex();
    for (architecture, attention) in variants() {
        for positional in PositionalEncoding::ALL {
            if !positional.applies_to(architecture) {
                continue;
            }
            let config = ModelConfig {
                arch: ArchSpec {
                    attention,
                    positional,
                    ..config(architecture).arch
                },
                ..config(architecture)
            };
            let model = build(&config, 11);
            let report = pollster::block_on(check_model(&model, &config, LEN, 5, &device)).unwrap();
            let what = format!("{architecture:?} {attention:?} {positional:?}: {report:?}");
            assert!(report.cached_vs_full <= TOLERANCE, "{what}");
            assert!(report.rows_vs_full <= TOLERANCE, "{what}");
            assert!(report.causality <= TOLERANCE, "{what}");
        }
    }
}

#[test]
fn the_sparse_cache_holds_one_block_plus_one_position_per_earlier_block() {
    let device = Device::flex();
    let config = config(Architecture::Sparse);
    let model = build(&config, 2);
    let report = pollster::block_on(check_model(&model, &config, LEN, 9, &device)).unwrap();
    // The largest number of keys any step reads: B + (L−1)/B.
    let bound = BLOCK + (LEN - 1) / BLOCK;
    assert!(report.max_positions_held <= bound, "{report:?}");
    assert!(report.max_positions_held >= BLOCK, "{report:?}");
    // A dense cache holds every position.
    let dense = ModelConfig {
        arch: ArchSpec {
            architecture: Architecture::Standard,
            ..config.arch
        },
        ..config
    };
    let report =
        pollster::block_on(check_model(&build(&dense, 2), &dense, LEN, 9, &device)).unwrap();
    assert_eq!(report.max_positions_held, LEN);
}

#[test]
fn fixed_size_states_do_not_grow_with_position() {
    let device = Device::flex();
    for architecture in [
        Architecture::Linear,
        Architecture::Lstm,
        Architecture::Gru,
        Architecture::Ssm,
    ] {
        let config = config(architecture);
        let model = build(&config, 3);
        let short = pollster::block_on(check_model(&model, &config, 5, 1, &device)).unwrap();
        let long = pollster::block_on(check_model(&model, &config, LEN, 1, &device)).unwrap();
        assert_eq!(short.cache_bytes, long.cache_bytes, "{architecture:?}");
        // The cost model says the same bytes per sequence (the check decodes 2 sequences).
        assert_eq!(
            long.cache_bytes as u64,
            2 * token_cost(&config, LEN - 1).state_bytes,
            "{architecture:?}"
        );
    }
}

/// The pattern straight from the definition: own block up to i, and the last position of
/// every earlier block.
fn direct_sparse_allowed(i: usize, block: usize) -> Vec<usize> {
    let own = (i / block) * block..=i;
    let ends = (0..i / block).map(|c| c * block + block - 1);
    let mut keys: Vec<usize> = ends.chain(own).collect();
    keys.sort_unstable();
    keys
}

#[test]
fn sparse_mask_matches_the_definition() {
    check_mask(|block| Pattern::Sparse { block }, direct_sparse_allowed);
}

/// A pattern's host table and device mask agree, and allow exactly what `direct` lists.
fn check_mask(pattern: fn(usize) -> Pattern, direct: fn(usize, usize) -> Vec<usize>) {
    for block in [1, 2, 3, 5, 8] {
        let t = 30;
        let pattern = pattern(block);
        let table = pattern.blocked_table(t);
        let tensor: Vec<bool> = pattern
            .blocked(t, &Device::flex())
            .into_data()
            .iter::<bool>()
            .collect();
        assert_eq!(table, tensor);
        for i in 0..t {
            let allowed: Vec<usize> = (0..t).filter(|&j| !table[i * t + j]).collect();
            assert_eq!(allowed, direct(i, block), "{pattern:?} i={i}");
            assert_eq!(pattern.keys_read(i), allowed.len());
        }
    }
}

#[test]
fn traced_weights_follow_the_pattern_and_rows_sum_to_one() {
    let device = Device::flex();
    for (architecture, attention) in variants() {
        if !architecture.has_attention() {
            continue;
        }
        let config = ModelConfig {
            arch: ArchSpec {
                attention,
                ..config(architecture).arch
            },
            ..config(architecture)
        };
        let model = build(&config, 4);
        let ids = expressivity_lab::models::check::random_tokens(1, 20, 13, 8);
        let input = Tensor::<1, Int>::from_ints(ids.as_slice(), &device).reshape([1, 20]);
        let (_, trace) = model.forward_with_trace(input).unwrap();
        assert_eq!(trace.attention.len(), 2);
        let pattern = match architecture {
            Architecture::Sparse => Pattern::Sparse { block: BLOCK },
            _ => Pattern::Dense,
        };
        let w: Vec<f32> = trace.attention[1]
            .clone()
            .into_data()
            .iter::<f32>()
            .collect();
        for head in 0..3 {
            for i in 0..20 {
                let row = &w[(head * 20 + i) * 20..(head * 20 + i + 1) * 20];
                assert!(
                    (row.iter().sum::<f32>() - 1.0).abs() < 1e-4,
                    "{architecture:?}"
                );
                for (j, &x) in row.iter().enumerate() {
                    if !pattern.allows(i, j) {
                        assert_eq!(x, 0.0, "{architecture:?} {attention:?} ({i}, {j})");
                    }
                }
                match attention {
                    AttentionMode::Hard => assert_eq!(row.iter().filter(|&&x| x == 1.0).count(), 1),
                    AttentionMode::Saturated => {
                        let nonzero: Vec<f32> = row.iter().copied().filter(|&x| x > 0.0).collect();
                        let share = 1.0 / nonzero.len() as f32;
                        assert!(nonzero.iter().all(|&x| (x - share).abs() < 1e-6));
                    }
                    AttentionMode::Softmax => {}
                }
            }
        }
    }
}

fn scores_with_ties(seed: u64) -> (Vec<f32>, [usize; 4]) {
    // Distinct scores on a 0.05 grid (no near-ties), plus exact ties copied into some rows.
    let dims = [2, 3, 7, 9];
    let n: usize = dims.iter().product();
    let ids = expressivity_lab::models::check::random_tokens(1, n, 200, seed);
    let mut s: Vec<f32> = ids.iter().map(|&x| x as f32 * 0.05 - 5.0).collect();
    for row in (0..n / 9).step_by(3) {
        let max = s[row * 9..(row + 1) * 9]
            .iter()
            .copied()
            .fold(f32::MIN, f32::max);
        s[row * 9 + 7] = max;
        s[row * 9 + 2] = max;
    }
    (s, dims)
}

#[test]
fn saturated_is_the_limit_of_softmax_and_hard_takes_the_leftmost_maximum() {
    let device = Device::flex();
    for seed in 0..5 {
        let (s, dims) = scores_with_ties(seed);
        let scores = Tensor::<1>::from_floats(s.as_slice(), &device).reshape(dims);
        let limit: Vec<f32> = softmax(scores.clone().mul_scalar(1e4), 3)
            .into_data()
            .iter::<f32>()
            .collect();
        let saturated: Vec<f32> =
            mode::weights(scores.clone(), None, AttentionMode::Saturated, 1.0)
                .into_data()
                .iter::<f32>()
                .collect();
        let diff = limit
            .iter()
            .zip(&saturated)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(diff < 1e-5, "saturated vs softmax(1e4 · a): {diff}");
        let hard: Vec<f32> = mode::weights(scores, None, AttentionMode::Hard, 1.0)
            .into_data()
            .iter::<f32>()
            .collect();
        for (row, weights) in s.chunks(9).zip(hard.chunks(9)) {
            let max = row.iter().copied().fold(f32::MIN, f32::max);
            let leftmost = row.iter().position(|&x| x == max).unwrap();
            let expected: Vec<f32> = (0..9).map(|j| f32::from(u8::from(j == leftmost))).collect();
            assert_eq!(weights, expected.as_slice());
        }
    }
}

/// Every float parameter's values, in visiting order.
struct Snapshot(Vec<Vec<f32>>);

impl ModuleVisitor for Snapshot {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0.push(param.val().into_data().iter::<f32>().collect());
    }
}

fn snapshot(model: &Model) -> Vec<Vec<f32>> {
    let mut s = Snapshot(Vec::new());
    model.visit(&mut s);
    s.0
}

#[test]
fn one_training_step_changes_every_parameter_of_every_architecture() {
    for architecture in Architecture::ALL {
        let config = ModelConfig {
            arch: ArchSpec {
                positional: PositionalEncoding::Learned,
                ..config(architecture).arch
            },
            ..config(architecture)
        };
        let device = Device::flex().autodiff();
        device.seed(1);
        let model = Model::new(&config, &device).unwrap();
        assert_eq!(model.num_params(), config.param_count(), "{architecture:?}");
        let before = snapshot(&model);
        // Every token id and position occurs, so every embedding row gets a gradient.
        let ids: Vec<i64> = (0..2 * 48).map(|i| (i * 5 % 13) as i64).collect();
        let input = Tensor::<1, Int>::from_ints(ids.as_slice(), &device).reshape([2, 48]);
        let loss = model.forward(input).unwrap().powi_scalar(2).mean();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let mut optimizer = AdamWConfig::new().init();
        let model = optimizer.step(1e-2, model, grads);
        let after = snapshot(&model);
        assert_eq!(before.len(), after.len());
        for (i, (a, b)) in before.iter().zip(&after).enumerate() {
            assert!(a != b, "{architecture:?}: parameter {i} did not change");
        }
    }
}

#[test]
fn switching_the_mode_of_a_trained_model_keeps_its_weights() {
    let config = config(Architecture::Standard);
    let model = build(&config, 6);
    let weights = snapshot(&model);
    let hard = model.with_mode(AttentionMode::Hard, 1.0);
    assert_eq!(snapshot(&hard), weights);
    let device = Device::flex();
    let ids = expressivity_lab::models::check::random_tokens(1, 10, 13, 1);
    let input = Tensor::<1, Int>::from_ints(ids.as_slice(), &device).reshape([1, 10]);
    let (_, trace) = hard.forward_with_trace(input).unwrap();
    let w: Vec<f32> = trace.attention[0]
        .clone()
        .into_data()
        .iter::<f32>()
        .collect();
    assert!(w.iter().all(|&x| x == 0.0 || x == 1.0));
}

#[test]
fn impossible_configurations_are_errors_for_every_architecture() {
    let device = Device::flex();
    for architecture in Architecture::ALL {
        let bad = ModelConfig {
            arch: ArchSpec {
                n_layers: 0,
                ..config(architecture).arch
            },
            ..config(architecture)
        };
        assert!(Model::new(&bad, &device).is_err(), "{architecture:?}");
    }
    let bad = ModelConfig {
        arch: ArchSpec {
            block_size: Some(0),
            ..config(Architecture::Sparse).arch
        },
        ..config(Architecture::Sparse)
    };
    assert!(Model::new(&bad, &device).is_err());
    let bad = ModelConfig {
        arch: ArchSpec {
            softmax_scale: f32::NAN,
            ..config(Architecture::Standard).arch
        },
        ..config(Architecture::Standard)
    };
    assert!(Model::new(&bad, &device).is_err());
    // Heads do not matter to an LSTM.
    let fine = ModelConfig {
        arch: ArchSpec {
            n_heads: 5,
            ..config(Architecture::Lstm).arch
        },
        ..config(Architecture::Lstm)
    };
    assert!(Model::new(&fine, &device).is_ok());
}

/// The sparse transformer with its sliding window ([`Pattern::Window`]).
fn window_config() -> ModelConfig {
    let mut config = config(Architecture::Sparse);
    config.arch.sparse_window = true;
    config
}

#[test]
fn the_sliding_window_decodes_like_its_full_forward_and_holds_a_bounded_cache() {
    let device = Device::flex();
    for attention in AttentionMode::ALL {
        for positional in PositionalEncoding::ALL {
            let mut config = window_config();
            config.arch.attention = attention;
            config.arch.positional = positional;
            let model = build(&config, 12);
            let report = pollster::block_on(check_model(&model, &config, LEN, 5, &device)).unwrap();
            let what = format!("{attention:?} {positional:?}: {report:?}");
            assert!(report.cached_vs_full <= TOLERANCE, "{what}");
            assert!(report.rows_vs_full <= TOLERANCE, "{what}");
            assert!(report.causality <= TOLERANCE, "{what}");
            // The window and one position per block that left it: B + (L−1)/B at most.
            assert!(
                report.max_positions_held <= BLOCK + (LEN - 1) / BLOCK,
                "{what}"
            );
            assert!(report.max_positions_held >= BLOCK, "{what}");
        }
    }
    // A window over half the cache's first capacity, decoded far enough that its cache grows
    // while its held range starts late.
    let mut long = window_config();
    long.max_len = 128;
    long.arch.block_size = Some(33);
    let report =
        pollster::block_on(check_model(&build(&long, 13), &long, 100, 2, &device)).unwrap();
    assert!(report.cached_vs_full <= TOLERANCE, "{report:?}");
    assert!(report.max_positions_held <= 33 + 99 / 33, "{report:?}");
    // The fixed pattern and the window differ on the same weights (a query at a block's start
    // reads different keys), so the switch is not a no-op.
    let window = window_config();
    let fixed = config(Architecture::Sparse);
    let ids = expressivity_lab::models::check::random_tokens(1, 20, 13, 8);
    let run = |config: &ModelConfig| {
        let input = Tensor::<1, Int>::from_ints(ids.as_slice(), &device).reshape([1, 20]);
        let (logits, trace) = build(config, 12).forward_with_trace(input).unwrap();
        let weights: Vec<f32> = trace.attention[0]
            .clone()
            .into_data()
            .iter::<f32>()
            .collect();
        (
            logits.into_data().iter::<f32>().collect::<Vec<f32>>(),
            weights,
        )
    };
    let ((a, weights), (b, _)) = (run(&window), run(&fixed));
    assert!(a.iter().zip(&b).any(|(x, y)| (x - y).abs() > 1e-3));
    // The traced weights keep to the window's pattern.
    let pattern = Pattern::Window { block: BLOCK };
    for head in 0..3 {
        for i in 0..20 {
            for j in 0..20 {
                let w = weights[(head * 20 + i) * 20 + j];
                assert_eq!(w > 0.0, pattern.allows(i, j), "head {head} ({i}, {j}): {w}");
            }
        }
    }
}

#[test]
fn window_mask_matches_the_definition() {
    // The last `block` positions up to i, and the ends of the blocks before them.
    check_mask(
        |block| Pattern::Window { block },
        |i, block| {
            let window = (i + 1).saturating_sub(block)..=i;
            let ends = (0..i).filter(|j| j % block == block - 1 && j + block <= i);
            let mut keys: Vec<usize> = ends.chain(window).collect();
            keys.sort_unstable();
            keys.dedup();
            keys
        },
    );
}
