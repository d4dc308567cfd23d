//! `--device cpu|gpu`: where a command's tensors live. The GPU needs a `lab` built with
//! `--features gpu`; asking for it otherwise is a clear error, never a silent fallback.

use burn::prelude::Device;
use clap::{Args, ValueEnum};
use expressivity_lab::train::backend::{self, BackendInfo};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DeviceName {
    /// The pure-Rust CPU backend on every core.
    #[default]
    Cpu,
    /// burn's wgpu backend on this machine's GPU (needs `--features gpu`).
    Gpu,
}

#[derive(Args, Clone, Debug, Default)]
pub struct DeviceArg {
    /// Where to compute: `cpu`, or `gpu` (burn's wgpu backend; a `lab` built with
    /// `--features gpu`).
    #[arg(long, value_enum, default_value_t = DeviceName::Cpu)]
    pub device: DeviceName,
}

impl DeviceArg {
    /// The device asked for, with what to tell the user about it.
    pub fn resolve(&self) -> Result<(Device, BackendInfo), String> {
        match self.device {
            DeviceName::Cpu => Ok((
                backend::cpu_device(),
                BackendInfo::cpu("the default; --device gpu for burn's wgpu backend"),
            )),
            DeviceName::Gpu => backend::native_gpu(),
        }
    }
}
