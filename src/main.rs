//! Web entry point, built by trunk. The native CLI lives in `src/bin/lab.rs`.

#[cfg(target_arch = "wasm32")]
fn main() {
    expressivity_lab::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "The web app is built for wasm32 by trunk (`scripts/serve`); use the `lab` binary natively."
    );
}
