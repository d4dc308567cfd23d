//! Choosing where tensors live: WebGPU when a real adapter exists, else the pure-Rust CPU
//! backend (flex). The choice and the reason for it are reported to the user.

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BackendChoice {
    /// WebGPU on a hardware adapter, CPU otherwise (also when only a software adapter exists:
    /// for small models the CPU backend is much faster than an emulated GPU).
    #[default]
    Auto,
    /// WebGPU on whatever adapter exists (software included); CPU only if there is none.
    WebGpu,
    /// The CPU backend.
    Cpu,
}

impl BackendChoice {
    pub const ALL: [BackendChoice; 3] = [Self::Auto, Self::WebGpu, Self::Cpu];

    pub fn key(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::WebGpu => "webgpu",
            Self::Cpu => "cpu",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Auto => "Auto",
            Self::WebGpu => "WebGPU",
            Self::Cpu => "CPU",
        }
    }
}

/// The backend actually in use, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendInfo {
    /// `"WebGPU"` or `"CPU"`.
    pub name: String,
    /// The adapter, when WebGPU is used (e.g. "google / swiftshader").
    pub adapter: Option<String>,
    /// One sentence on why this backend was chosen.
    pub reason: String,
    pub is_webgpu: bool,
}

impl BackendInfo {
    pub fn cpu(reason: impl Into<String>) -> Self {
        Self {
            name: "CPU".into(),
            adapter: None,
            reason: reason.into(),
            is_webgpu: false,
        }
    }
}

/// The pure-Rust CPU device with autodiff off (callers add it).
pub fn cpu_device() -> Device {
    Device::flex()
}

/// Resolve a choice to a device. Native builds use the CPU backend unless a GPU is asked for
/// explicitly ([`native_gpu`], `lab --device gpu`).
#[cfg(not(target_arch = "wasm32"))]
pub async fn select(choice: BackendChoice) -> (Device, BackendInfo) {
    let reason = match choice {
        BackendChoice::Cpu => "CPU requested",
        _ => "the native build trains on the CPU backend unless a GPU is asked for",
    };
    (cpu_device(), BackendInfo::cpu(reason))
}

/// burn's wgpu runtime on this machine's GPU (Vulkan, Metal or DX12, whichever wgpu finds):
/// `lab --device gpu`. An error names why there is none; a build without the `gpu` feature
/// says how to get one. Never falls back silently: a user who asks for the GPU is told.
#[cfg(not(target_arch = "wasm32"))]
pub fn native_gpu() -> Result<(Device, BackendInfo), String> {
    #[cfg(feature = "gpu")]
    {
        let (device, setup) = Device::wgpu_options()
            .init_with_setup()
            .map_err(|e| format!("no usable GPU through wgpu: {e}"))?;
        let adapter = setup.adapter.get_info();
        let description = format!("{} ({:?})", adapter.name, setup.backend);
        // llvmpipe / lavapipe / SwiftShader: a GPU API emulated on the CPU, slower than our CPU
        // backend; asking for the GPU there is answered, not silently honoured.
        if format!("{:?}", adapter.device_type) == "Cpu" {
            return Err(format!(
                "wgpu found only a software adapter ({description}), no GPU: use --device cpu"
            ));
        }
        Ok((
            device,
            BackendInfo {
                name: "GPU (wgpu)".into(),
                reason: format!("GPU requested; adapter {description}"),
                adapter: Some(description),
                is_webgpu: true,
            },
        ))
    }
    #[cfg(not(feature = "gpu"))]
    {
        Err("this `lab` was built without GPU support: rebuild it with \
             `cargo build --release --features gpu --bin lab` (burn's wgpu backend)"
            .into())
    }
}

/// Resolve a choice to a device: probe the browser's adapter, then initialise burn's WebGPU
/// runtime once per page and reuse it.
#[cfg(target_arch = "wasm32")]
pub async fn select(choice: BackendChoice) -> (Device, BackendInfo) {
    if choice == BackendChoice::Cpu {
        return (cpu_device(), BackendInfo::cpu("CPU requested"));
    }
    let adapter = match web::probe_adapter().await {
        Ok(adapter) => adapter,
        Err(why) => return (cpu_device(), BackendInfo::cpu(format!("{why} → CPU"))),
    };
    if adapter.is_fallback && choice == BackendChoice::Auto {
        return (
            cpu_device(),
            BackendInfo::cpu(format!(
                "only a software WebGPU adapter ({}) → CPU, faster for small models; choose WebGPU to use it anyway",
                adapter.description
            )),
        );
    }
    match web::webgpu_device().await {
        Ok(device) => (
            device,
            BackendInfo {
                name: "WebGPU".into(),
                adapter: Some(adapter.description.clone()),
                reason: if adapter.is_fallback {
                    format!("WebGPU requested; software adapter {}", adapter.description)
                } else {
                    format!("hardware WebGPU adapter {}", adapter.description)
                },
                is_webgpu: true,
            },
        ),
        Err(why) => (
            cpu_device(),
            BackendInfo::cpu(format!("WebGPU initialisation failed ({why}) → CPU")),
        ),
    }
}

/// Browser-side probing of WebGPU.
#[cfg(target_arch = "wasm32")]
pub mod web {
    #[cfg(feature = "webgpu")]
    use std::cell::RefCell;

    use burn::prelude::Device;
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    /// What the browser says about its WebGPU adapter.
    #[derive(Debug, Clone)]
    pub struct AdapterProbe {
        pub description: String,
        pub is_fallback: bool,
    }

    fn get(target: &JsValue, key: &str) -> JsValue {
        Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn text(target: &JsValue, key: &str) -> String {
        get(target, key).as_string().unwrap_or_default()
    }

    /// Ask `navigator.gpu` for an adapter and describe it.
    pub async fn probe_adapter() -> Result<AdapterProbe, String> {
        let global = js_sys::global();
        let gpu = get(&get(&global, "navigator"), "gpu");
        if gpu.is_undefined() || gpu.is_null() {
            return Err("this browser exposes no WebGPU (navigator.gpu is missing)".into());
        }
        let request: Function = get(&gpu, "requestAdapter")
            .dyn_into()
            .map_err(|_| "navigator.gpu.requestAdapter is not a function".to_string())?;
        let promise: Promise = request
            .call0(&gpu)
            .map_err(|e| format!("requestAdapter threw {e:?}"))?
            .dyn_into()
            .map_err(|_| "requestAdapter did not return a promise".to_string())?;
        let adapter = JsFuture::from(promise)
            .await
            .map_err(|e| format!("requestAdapter failed: {e:?}"))?;
        if adapter.is_null() || adapter.is_undefined() {
            return Err("no WebGPU adapter".into());
        }
        let info = get(&adapter, "info");
        let vendor = text(&info, "vendor");
        let architecture = text(&info, "architecture");
        let description = text(&info, "description");
        let is_fallback = get(&info, "isFallbackAdapter").as_bool().unwrap_or(false)
            || get(&adapter, "isFallbackAdapter")
                .as_bool()
                .unwrap_or(false)
            || format!("{vendor} {architecture} {description}")
                .to_lowercase()
                .contains("swiftshader");
        let mut parts: Vec<String> = [vendor, architecture, description]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        parts.dedup();
        Ok(AdapterProbe {
            description: if parts.is_empty() {
                "unnamed adapter".into()
            } else {
                parts.join(" / ")
            },
            is_fallback,
        })
    }

    #[cfg(feature = "webgpu")]
    thread_local! {
        static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
    }

    /// burn's WebGPU device, initialised on first use and reused afterwards.
    #[cfg(feature = "webgpu")]
    pub async fn webgpu_device() -> Result<Device, String> {
        if let Some(device) = WEBGPU.with(|d| d.borrow().clone()) {
            return Ok(device);
        }
        let device = Device::wgpu_options()
            .init_async()
            .await
            .map_err(|e| e.to_string())?;
        WEBGPU.with(|d| *d.borrow_mut() = Some(device.clone()));
        Ok(device)
    }

    /// This build has no WebGPU backend: the page's own bundle, which trains on the CPU and
    /// starts the WebGPU worker bundle for WebGPU runs.
    #[cfg(not(feature = "webgpu"))]
    pub async fn webgpu_device() -> Result<Device, String> {
        Err(
            "this worker runs the page's CPU build; the WebGPU build loads for runs that ask \
             for WebGPU once the page knows the adapter"
                .into(),
        )
    }
}
