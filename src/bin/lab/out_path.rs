//! Output files of `lab` commands, checked before any work: a long run must not end on a
//! path it cannot write, and a companion file (JSON next to a checkpoint, CSV next to sweep
//! results) must never overwrite the main output.

use std::path::{Path, PathBuf};

/// Fail now if `path` cannot be written: its folder must exist and accept a new file, and the
/// path itself must not be a folder. Nothing is left behind.
pub fn check_writable(path: &Path) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!("{} is a folder, not a file", path.display()));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(format!(
            "cannot write {}: the folder {} does not exist",
            path.display(),
            parent.display()
        ));
    }
    let probe = parent.join(format!(".lab-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .map_err(|e| format!("cannot write into {}: {e}", parent.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The companion file of `path` with extension `extension`, which must differ from `path`.
pub fn companion(path: &Path, extension: &str) -> Result<PathBuf, String> {
    let other = path.with_extension(extension);
    if other == path {
        return Err(format!(
            "{} would be overwritten by its own .{extension} companion: give the main output another extension",
            path.display()
        ));
    }
    Ok(other)
}

/// Both checks for a main output and its companion; returns the companion's path.
pub fn check_outputs(path: &Path, extension: &str) -> Result<PathBuf, String> {
    let other = companion(path, extension)?;
    check_writable(path)?;
    check_writable(&other)?;
    Ok(other)
}
