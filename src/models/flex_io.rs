//! Moving values between the CPU backend's tensors and plain slices, for the operations that
//! run their own loops on it ([`super::recurrent`]'s LSTM scan, attention's fused softmax).

use burn::backend::flex::FlexTensor;
use burn::tensor::TensorData;

/// The tensor's values, row-major, in one copy; `None` if not `f32`. (Not `into_data`: for a
/// buffer shared with another tensor it copies the bytes twice, once into an aligned
/// allocation, and `try_to_vec` a third time.)
pub fn values(tensor: FlexTensor) -> Option<Vec<f32>> {
    match tensor.as_slice::<f32>() {
        Some(s) => Some(s.to_vec()),
        None => tensor.into_data().try_to_vec::<f32>().ok(),
    }
}

/// `f` over the tensor's values, row-major: borrowed where the buffer already is, copied
/// otherwise; `None` if not `f32`.
pub fn with_values<R>(tensor: &FlexTensor, f: impl FnOnce(&[f32]) -> R) -> Option<R> {
    match tensor.as_slice::<f32>() {
        Some(s) => Some(f(s)),
        None => Some(f(&values(tensor.clone())?)),
    }
}

/// A tensor of `shape` over `values` (row-major).
pub fn tensor(values: Vec<f32>, shape: &[usize]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape.to_vec()))
}
