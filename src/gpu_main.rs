//! The page built with burn's WebGPU backend (`--features webgpu`), built by trunk as a worker:
//! only the worker of a run on WebGPU loads it (see `app::flavor`).

expressivity_lab::web_main!();
