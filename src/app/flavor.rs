//! Which build of the page a worker runs. The page ships two: its own module (CPU only, what
//! loads at start) and a WebGPU build (burn's cubecl runtime, about two thirds of the code)
//! that only a worker training on WebGPU loads. `index.html` declares both; trunk names the
//! second after its binary, unhashed, next to the page.

use std::cell::Cell;
use std::rc::Rc;

use crate::train::BackendChoice;
use crate::train::backend::web::probe_adapter;

/// The two builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// The page's own module: CPU only.
    Cpu,
    /// The WebGPU build (it trains on the CPU too).
    WebGpu,
}

impl Flavor {
    pub fn index(self) -> usize {
        self as usize
    }

    /// The WebGPU build's JavaScript module and wasm, relative to the page (see `index.html`).
    pub const WEBGPU_FILES: (&'static str, &'static str) =
        ("expressivity-lab-gpu.js", "expressivity-lab-gpu_bg.wasm");
}

/// What the page knows of the browser's WebGPU adapter, probed once in the background at
/// start (a request for an adapter: no wasm is loaded for it).
#[derive(Clone, Default)]
pub struct AdapterKnowledge {
    /// `None` until the probe answers; then whether a hardware adapter exists.
    hardware: Rc<Cell<Option<bool>>>,
    /// Whether any adapter (software included) exists, once known.
    any: Rc<Cell<Option<bool>>>,
    /// The probe did not answer within [`PROBE_WAIT_MS`]: stop waiting for it.
    gave_up: Rc<Cell<bool>>,
}

/// How long a job that depends on the adapter waits for the probe (it usually answers in
/// milliseconds, long before anyone clicks).
const PROBE_WAIT_MS: u32 = 3_000;

impl AdapterKnowledge {
    /// Start the probe; the answer lands in the returned value when it comes.
    pub fn probe() -> Self {
        let knowledge = Self::default();
        let (hardware, any) = (knowledge.hardware.clone(), knowledge.any.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let probe = probe_adapter().await;
            any.set(Some(probe.is_ok()));
            hardware.set(Some(probe.is_ok_and(|p| !p.is_fallback)));
        });
        knowledge
    }

    /// Whether a job with this choice should wait for the probe before picking its build.
    pub fn must_wait(&self, choice: BackendChoice) -> bool {
        choice != BackendChoice::Cpu && self.any.get().is_none() && !self.gave_up.get()
    }

    /// Resolves when the probe has answered, or after [`PROBE_WAIT_MS`].
    pub async fn settled(&self) {
        let mut waited = 0;
        while self.any.get().is_none() && waited < PROBE_WAIT_MS {
            gloo::timers::future::TimeoutFuture::new(20).await;
            waited += 20;
        }
        if self.any.get().is_none() {
            self.gave_up.set(true);
        }
    }

    /// The build a job with this backend choice needs: the WebGPU one only where WebGPU would
    /// be chosen (the worker still decides, and says why). If the probe never answered, an
    /// explicit WebGPU choice gets the WebGPU build and Auto the CPU one.
    pub fn flavor_for(&self, choice: BackendChoice) -> Flavor {
        let webgpu = match choice {
            BackendChoice::Cpu => false,
            BackendChoice::WebGpu => self.any.get().unwrap_or(true),
            BackendChoice::Auto => self.hardware.get().unwrap_or(false),
        };
        if webgpu { Flavor::WebGpu } else { Flavor::Cpu }
    }
}
