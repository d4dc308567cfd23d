//! Printing to stdout without panicking: `println!` panics when stdout is closed (`lab … |
//! head -1`) or full (`> /dev/full`). `outln!` returns the failure from the command instead:
//! a closed pipe ends the command quietly (the reader has what it wanted), any other write
//! error is reported in one line.

use std::io::Write;

/// The error text of a closed stdout; `main` exits quietly on it.
pub const STDOUT_CLOSED: &str = "stdout was closed";

/// Write to stdout (`newline`: end the line).
pub fn write(args: std::fmt::Arguments<'_>, newline: bool) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| {
            if newline {
                out.write_all(b"\n")
            } else {
                out.flush()
            }
        })
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => STDOUT_CLOSED.to_string(),
            _ => format!("cannot write to stdout: {e}"),
        })
}

/// `println!` that returns `Err(String)` from the enclosing function when stdout fails.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::out::write(format_args!(""), true)?
    };
    ($($arg:tt)*) => {
        $crate::out::write(format_args!($($arg)*), true)?
    };
}

/// `print!` that returns `Err(String)` from the enclosing function when stdout fails.
#[macro_export]
macro_rules! outprint {
    ($($arg:tt)*) => {
        $crate::out::write(format_args!($($arg)*), false)?
    };
}

/// `text` with control characters written as escapes (`\u{1b}`), so that an error message
/// echoing user input cannot drive the terminal.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
