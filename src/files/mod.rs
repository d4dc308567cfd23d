//! The one door in and the one door out for files a user points the lab at. [`read`] checks
//! what a path is and how large it is before reading it, and never reads more than its cap;
//! [`write`] checks an output before any work and writes it whole or not at all. Every command
//! that reads or writes a user's file goes through them (clippy's `disallowed-methods` keeps it
//! so: `clippy.toml`).

pub mod read;
pub mod write;

pub use read::{read_bytes, read_text, read_text_if_exists};
pub use write::{Existing, Output};

/// `n` bytes in words: `512 B`, `1.5 KiB`, `256 MiB`.
pub fn size_in_words(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_words() {
        assert_eq!(size_in_words(0), "0 B");
        assert_eq!(size_in_words(1023), "1023 B");
        assert_eq!(size_in_words(1536), "1.5 KiB");
        assert_eq!(size_in_words(256 << 20), "256 MiB");
        assert_eq!(size_in_words(3 << 30), "3 GiB");
    }
}
