//! A small selective state-space layer in the style of Mamba (Gu & Dao): input-dependent step
//! Δ, input and output maps B and C, a diagonal negative A, a skip D and a SiLU output gate.
//! No short convolution. The training scan is the plain sequential recurrence (correct first);
//! decoding runs the same recurrence one step at a time.
//!
//! `h_t = exp(Δ_t A) ⊙ h_{t-1} + (Δ_t x_t) B_tᵀ`, `y_t = h_t C_t + D x_t`,
//! `out_t = W_out (y_t ⊙ silu(z_t))`, with `[x, z] = W_in u_t`.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{silu, softplus};

use super::{at, join_steps, norm, steps};
use crate::models::cache::LayerCache;

#[derive(Module, Debug)]
pub struct SsmLayer {
    in_proj: Linear,
    dt_proj: Linear,
    b_proj: Linear,
    c_proj: Linear,
    /// `A = −exp(a_log)`, `[d_inner, N]`.
    a_log: Param<Tensor<2>>,
    /// Skip connection D, `[d_inner]`.
    d_skip: Param<Tensor<1>>,
    out_proj: Linear,
    #[module(skip)]
    inner: usize,
    #[module(skip)]
    state: usize,
}

/// The scan's inputs at one position, each `[B, ·]`.
struct Step {
    x: Tensor<2>,
    dt: Tensor<2>,
    b: Tensor<2>,
    c: Tensor<2>,
}

/// Everything the scan needs at one position, computed for all positions at once.
struct Inputs {
    x: Tensor<3>,
    z: Tensor<3>,
    dt: Tensor<3>,
    b: Tensor<3>,
    c: Tensor<3>,
}

impl SsmLayer {
    pub fn new(d_model: usize, inner: usize, state: usize, device: &Device) -> Self {
        // S4D-real initialisation: A_n = −(n + 1) for every channel.
        let a: Vec<f32> = (0..inner)
            .flat_map(|_| (1..=state).map(|n| (n as f32).ln()))
            .collect();
        Self {
            in_proj: LinearConfig::new(d_model, 2 * inner).init(device),
            dt_proj: LinearConfig::new(inner, inner).init(device),
            b_proj: LinearConfig::new(inner, state).init(device),
            c_proj: LinearConfig::new(inner, state).init(device),
            a_log: Param::from_tensor(
                Tensor::<1>::from_floats(a.as_slice(), device).reshape([inner, state]),
            ),
            d_skip: Param::from_tensor(Tensor::ones([inner], device)),
            out_proj: LinearConfig::new(inner, d_model).init(device),
            inner,
            state,
        }
    }

    fn inputs(&self, u: Tensor<3>) -> Inputs {
        let [b, t, _] = u.dims();
        let xz = self.in_proj.forward(u);
        let x = xz.clone().slice([0..b, 0..t, 0..self.inner]);
        let z = xz.slice([0..b, 0..t, self.inner..2 * self.inner]);
        Inputs {
            dt: softplus(self.dt_proj.forward(x.clone()), 1.0),
            b: self.b_proj.forward(x.clone()),
            c: self.c_proj.forward(x.clone()),
            x,
            z,
        }
    }

    /// `A = −exp(a_log)` as `[1, di, N]`, computed once per scan.
    fn a(&self) -> Tensor<3> {
        self.a_log.val().exp().neg().unsqueeze::<3>()
    }

    /// One recurrence step: new state `[B, di, N]` and `y_t` `[B, di]`.
    fn recur(&self, step: Step, a: Tensor<3>, h: Tensor<3>) -> (Tensor<3>, Tensor<2>) {
        let Step {
            x,
            dt,
            b: bt,
            c: ct,
        } = step;
        let decay = (dt.clone().unsqueeze_dim::<3>(2) * a).exp();
        let drive = (dt * x.clone()).unsqueeze_dim::<3>(2) * bt.unsqueeze_dim::<3>(1);
        let h = decay * h + drive;
        let [b, di, _] = h.dims();
        let y = (h.clone() * ct.unsqueeze_dim::<3>(1))
            .sum_dim(2)
            .reshape([b, di])
            + x * self.d_skip.val().unsqueeze::<2>();
        (h, y)
    }

    fn output(&self, y: Tensor<3>, z: Tensor<3>) -> Tensor<3> {
        self.out_proj.forward(y * silu(z))
    }

    /// `u: [B, T, d]` → (`[B, T, d]`, state norms `[B, T]`).
    pub fn forward(&self, u: Tensor<3>) -> (Tensor<3>, Tensor<2>) {
        let [b, t, _] = u.dims();
        let device = u.device();
        let inputs = self.inputs(u);
        let mut h = Tensor::zeros([b, self.inner, self.state], &device);
        let mut ys = Vec::with_capacity(t);
        let mut norms = Vec::with_capacity(t);
        let a = self.a();
        let Inputs {
            x,
            z,
            dt,
            b: bs,
            c: cs,
        } = inputs;
        let scan = steps(x)
            .into_iter()
            .zip(steps(dt))
            .zip(steps(bs))
            .zip(steps(cs));
        for (((x, dt), b), c) in scan {
            let (next, y) = self.recur(Step { x, dt, b, c }, a.clone(), h);
            h = next;
            norms.push(norm(&h));
            ys.push(y);
        }
        (self.output(join_steps(ys), z), Tensor::cat(norms, 1))
    }

    pub fn empty_cache(&self, batch: usize, device: &Device) -> LayerCache {
        LayerCache::Ssm {
            state: Tensor::zeros([batch, self.inner, self.state], device),
        }
    }

    /// `u: [B, 1, d]` → `[B, 1, d]`.
    pub fn step(&self, u: Tensor<3>, cache: &mut LayerCache) -> Tensor<3> {
        let LayerCache::Ssm { state } = cache else {
            panic!("SSM layer was given a cache of another layer type");
        };
        let inputs = self.inputs(u);
        let step = Step {
            x: at(&inputs.x, 0),
            dt: at(&inputs.dt, 0),
            b: at(&inputs.b, 0),
            c: at(&inputs.c, 0),
        };
        let (h, y) = self.recur(step, self.a(), state.clone());
        *state = h;
        let z = inputs.z;
        self.output(y.unsqueeze_dim(1), z)
    }
}
