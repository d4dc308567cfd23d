//! What the tests of the CPU backend's fused operations share: reading a tensor's values and
//! comparing them with the tensor form's.

use burn::prelude::*;

/// The tensor's values, row-major.
pub fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// `a` and `b` agree within `tolerance`, relative above 1 and absolute below.
pub fn close(a: &[f32], b: &[f32], tolerance: f32, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tolerance * y.abs().max(1.0),
            "{what} {i}: {x} vs {y}"
        );
    }
}
