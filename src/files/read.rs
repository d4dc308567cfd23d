//! The one reader: a path must name a regular file (a folder, a device such as `/dev/zero`, a
//! pipe with no writer or a socket is refused before it is opened), its size must be within the
//! caller's cap (from its metadata, so a huge sparse file is refused without reading it), and at
//! most cap + 1 bytes are read (a file that grows while read is refused too).

#![allow(clippy::disallowed_methods)] // the one place that opens users' files for reading

use std::io::Read;
use std::path::Path;

use super::size_in_words;

/// The bytes of the regular file `path`, at most `cap` of them.
pub fn read_bytes(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?;
    if meta.is_dir() {
        return Err(format!("{shown} is a folder, not a file"));
    }
    if !meta.is_file() {
        return Err(format!(
            "{shown} is not a regular file (a device, a pipe or a socket): give a file"
        ));
    }
    let too_large = |size: String| {
        format!(
            "{shown} is {size}, more than the {} this reads",
            size_in_words(cap)
        )
    };
    if meta.len() > cap {
        return Err(too_large(size_in_words(meta.len())));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{shown}: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(too_large("growing while read and already larger".into()));
    }
    Ok(bytes)
}

/// The UTF-8 text of `path` (a leading byte-order mark dropped), at most `cap` bytes.
pub fn read_text(path: &Path, cap: u64) -> Result<String, String> {
    let bytes = read_bytes(path, cap)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    std::str::from_utf8(body).map(str::to_string).map_err(|e| {
        format!(
            "{} is not UTF-8 text (byte {})",
            path.display(),
            e.valid_up_to()
        )
    })
}

/// [`read_text`], or `None` when nothing is at `path` (an output that is not written yet).
pub fn read_text_if_exists(path: &Path, cap: u64) -> Result<Option<String>, String> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        _ => read_text(path, cap).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("lab-read-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_within_its_cap_is_read_and_a_larger_one_refused_unread() {
        let dir = temp("cap");
        let path = dir.join("a.txt");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_bytes(&path, 10).unwrap(), b"0123456789");
        let err = read_bytes(&path, 9).unwrap_err();
        assert!(err.contains("10 B, more than the 9 B"), "{err}");
        // A sparse file of 1 GiB: refused from its size, nothing read.
        let sparse = dir.join("sparse.bin");
        std::fs::File::create(&sparse)
            .unwrap()
            .set_len(1 << 30)
            .unwrap();
        let err = read_bytes(&sparse, 1 << 20).unwrap_err();
        assert!(err.contains("1 GiB"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn folders_devices_and_missing_files_are_refused_with_their_name() {
        let dir = temp("kinds");
        let err = read_bytes(&dir, 100).unwrap_err();
        assert!(err.contains("is a folder"), "{err}");
        let err = read_bytes(Path::new("/dev/zero"), 100).unwrap_err();
        assert!(err.contains("/dev/zero is not a regular file"), "{err}");
        let err = read_bytes(&dir.join("none"), 100).unwrap_err();
        assert!(err.contains("none"), "{err}");
        assert_eq!(read_text_if_exists(&dir.join("none"), 100).unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn text_drops_a_byte_order_mark_and_refuses_what_is_not_utf8() {
        let dir = temp("text");
        let path = dir.join("t.txt");
        std::fs::write(&path, b"\xEF\xBB\xBFab").unwrap();
        assert_eq!(read_text(&path, 100).unwrap(), "ab");
        std::fs::write(&path, b"ab\xFF").unwrap();
        let err = read_text(&path, 100).unwrap_err();
        assert!(err.contains("not UTF-8 text (byte 2)"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
