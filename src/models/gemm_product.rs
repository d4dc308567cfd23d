//! One matrix product on plain slices with `gemm` (the crate burn's CPU backend multiplies
//! with), for the CPU backend's own operations ([`super::recurrent`]'s LSTM scan, the fused
//! linear layer).

/// `dst[m × n] (+)= lhs[m × k] · rhs[k × n]`, every operand given by its row and column
/// strides (in elements).
///
/// # Safety
/// Every index the strides reach must lie inside the slices the pointers come from.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn product(
    (m, n, k): (usize, usize, usize),
    dst: *mut f32,
    (dst_rs, dst_cs): (usize, usize),
    accumulate: bool,
    lhs: *const f32,
    (lhs_rs, lhs_cs): (usize, usize),
    rhs: *const f32,
    (rhs_rs, rhs_cs): (usize, usize),
) {
    // SAFETY: the caller keeps every strided index inside its buffer.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            dst_cs as isize,
            dst_rs as isize,
            accumulate,
            lhs,
            lhs_cs as isize,
            lhs_rs as isize,
            rhs,
            rhs_cs as isize,
            rhs_rs as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism(m * n * k),
        );
    }
}

/// Products of at least this many multiply-adds are split over rayon's threads natively (the
/// CPU backend's own rule, burn-flex's `PARALLEL_THRESHOLD`); smaller ones, and every one on
/// wasm32, run on the calling thread.
#[cfg(not(target_arch = "wasm32"))]
const PARALLEL_THRESHOLD: usize = 192 * 192 * 192;

fn parallelism(ops: usize) -> gemm::Parallelism {
    #[cfg(not(target_arch = "wasm32"))]
    if ops >= PARALLEL_THRESHOLD {
        return gemm::Parallelism::Rayon(0);
    }
    #[cfg(target_arch = "wasm32")]
    let _ = ops;
    gemm::Parallelism::None
}
