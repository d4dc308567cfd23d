//! The CPU backend's fused loops (the LSTM's gates, attention's softmax rows), compiled twice:
//! for the target's baseline (SSE2 on x86-64, SIMD128 on wasm) and, on x86-64, for AVX-512,
//! picked at run time where the CPU has it. Both versions do the same IEEE operations in the
//! same order (no fused multiply-adds: Rust does not contract `a * b + c`), so they give the
//! same bits; only the vector width differs.

/// `widest_vectors!(fn name(arg: Type, …) => body);` defines `name`, which calls `body` (an
/// `#[inline(always)]` function with the same arguments) compiled for AVX-512 when the CPU has
/// it, for the baseline otherwise.
macro_rules! widest_vectors {
    ($(#[$meta:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) => $body:ident) => {
        $(#[$meta])*
        #[inline(never)]
        fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                /// `body` compiled with AVX-512F.
                ///
                /// # Safety
                /// Only on a CPU with AVX-512F.
                #[target_feature(enable = "avx512f")]
                unsafe fn wide($($arg: $ty),*) {
                    $body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: this CPU has AVX-512F (checked just above).
                    return unsafe { wide($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}

pub(crate) use widest_vectors;
