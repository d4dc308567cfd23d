//! Output files of `lab` commands, checked before any work through the library's one writer
//! ([`expressivity_lab::files::Output`]): a long run must not end on a path it cannot write, an
//! existing file is replaced only with `--force` (or when the command recognises it as its
//! own), and a companion file (JSON next to a checkpoint, CSV and verdict next to results)
//! never overwrites the main output nor a file of the user's.

use std::path::Path;

use expressivity_lab::files::write::companion;
use expressivity_lab::files::{Existing, Output, read_text_if_exists};

/// The largest companion file read to recognise it as the lab's own.
const COMPANION_CAP: u64 = 64 << 20;

/// `--force`: replace an existing file.
pub fn existing(force: bool) -> Existing {
    if force {
        Existing::Replace
    } else {
        Existing::Refuse
    }
}

/// The main output `path`: checked now; an existing file only with `--force`.
pub fn output(path: &Path, force: bool) -> Result<Output, String> {
    Output::check(path, existing(force), "--force")
}

/// The companion of `main` with `extension`: checked now; an existing file is replaced with
/// `--force` or when `ours` recognises its text as what this command writes there.
pub fn companion_output(
    main: &Path,
    extension: &str,
    force: bool,
    ours: impl Fn(&str) -> bool,
) -> Result<Output, String> {
    let path = companion(main, extension)?;
    let existing = if force {
        Existing::Replace
    } else {
        match read_text_if_exists(&path, COMPANION_CAP) {
            Ok(Some(text)) if ours(&text) => Existing::Replace,
            Ok(_) => Existing::Refuse,
            Err(e) => return Err(e),
        }
    };
    Output::check(&path, existing, "--force")
}
