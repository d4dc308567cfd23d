//! The page and its CPU training worker, built by trunk (CPU only: what the page loads at
//! start). The native CLI lives in `src/bin/lab/`.

expressivity_lab::web_main!();
