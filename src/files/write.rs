//! The one writer. [`Output::check`] runs before any work (a long run must not end on a path
//! it cannot write): the target must not be a folder, a device or a pipe; an existing file is
//! replaced only when the caller says so ([`Existing::Replace`], e.g. `--force`) and only if
//! it can be written (its own permissions, not only its folder's); the folder must accept a new
//! file. [`Output::write`] writes a temporary file beside the target and renames it into place,
//! so an interrupted write never leaves half a file and a failed one leaves the old file as it
//! was.

#![allow(clippy::disallowed_methods)] // the one place that writes users' files

use std::io::Write;
use std::path::{Path, PathBuf};

/// What to do when the output already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse: the file is not the lab's to replace (the default of every command).
    Refuse,
    /// Replace it (`--force`, or a file the command has recognised as its own).
    Replace,
}

/// An output path that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    path: PathBuf,
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl Output {
    /// Check that `path` can be written now; `force_flag` names the flag that replaces an
    /// existing file (for the error).
    pub fn check(path: &Path, existing: Existing, force_flag: &str) -> Result<Self, String> {
        let shown = path.display();
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(format!("{shown} is a folder, not a file"));
            }
            Ok(meta) if !meta.is_file() => {
                return Err(format!(
                    "{shown} is not a regular file (a device, a pipe or a socket): write to a file"
                ));
            }
            Ok(_) if existing == Existing::Refuse => {
                return Err(format!(
                    "{shown} already exists and is not replaced: give another name, or \
                     {force_flag} to replace it"
                ));
            }
            Ok(meta) if meta.permissions().readonly() => {
                return Err(format!("cannot replace {shown}: it is read-only"));
            }
            Ok(_) => {
                // Its own permissions (a read-only bit is not the only way to be unwritable).
                std::fs::OpenOptions::new()
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("cannot replace {shown}: {e}"))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{shown}: {e}")),
        }
        let folder = folder_of(path);
        if !folder.is_dir() {
            return Err(format!(
                "cannot write {shown}: the folder {} does not exist",
                folder.display()
            ));
        }
        let probe = folder.join(format!(".lab-write-check-{}", std::process::id()));
        std::fs::write(&probe, b"")
            .map_err(|e| format!("cannot write into {}: {e}", folder.display()))?;
        let _ = std::fs::remove_file(&probe);
        Ok(Self {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write `bytes` as the whole file: beside it first, then renamed into place.
    pub fn write(&self, bytes: &[u8]) -> Result<(), String> {
        let name = self
            .path
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let temp =
            folder_of(&self.path).join(format!(".{name}.lab-partial-{}", std::process::id()));
        let written = std::fs::File::create(&temp)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&temp, &self.path));
        written.map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            format!("{}: {e}", self.path.display())
        })
    }
}

/// The companion file of `path` with `extension` (the JSON beside a checkpoint, the CSV and
/// verdict beside results), which must differ from `path`.
pub fn companion(path: &Path, extension: &str) -> Result<PathBuf, String> {
    let other = path.with_extension(extension);
    if other == path {
        return Err(format!(
            "{} would be overwritten by its own .{extension} companion: give the main output \
             another extension",
            path.display()
        ));
    }
    Ok(other)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lab-write-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn an_existing_file_is_kept_unless_replacing_is_asked_for() {
        let dir = temp("existing");
        let path = dir.join("notes.txt");
        std::fs::write(&path, b"my notes").unwrap();
        let err = Output::check(&path, Existing::Refuse, "--force").unwrap_err();
        assert!(
            err.contains("already exists") && err.contains("--force"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"my notes");
        let out = Output::check(&path, Existing::Replace, "--force").unwrap();
        out.write(b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        // No temporary file is left beside it.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn read_only_files_devices_folders_and_missing_folders_are_refused_up_front() {
        let dir = temp("refused");
        let path = dir.join("ro.txt");
        std::fs::write(&path, b"keep").unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&path, perms).unwrap();
        let err = Output::check(&path, Existing::Replace, "--force").unwrap_err();
        assert!(err.contains("read-only"), "{err}");
        let err = Output::check(Path::new("/dev/full"), Existing::Replace, "--force").unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
        let err = Output::check(&dir, Existing::Replace, "--force").unwrap_err();
        assert!(err.contains("is a folder"), "{err}");
        let err = Output::check(&dir.join("no/such/x"), Existing::Replace, "--force").unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
        // A new file in a writable folder passes and is written whole.
        let fresh = Output::check(&dir.join("new.txt"), Existing::Refuse, "--force").unwrap();
        fresh.write(b"whole").unwrap();
        assert_eq!(std::fs::read(dir.join("new.txt")).unwrap(), b"whole");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_companion_never_replaces_its_main_output() {
        assert_eq!(
            companion(Path::new("a/m.safetensors"), "json").unwrap(),
            Path::new("a/m.json")
        );
        assert!(companion(Path::new("m.json"), "json").is_err());
    }
}
