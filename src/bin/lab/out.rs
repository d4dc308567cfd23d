//! Printing to stdout without panicking: `println!` panics when stdout is closed (`lab … |
//! head -1`) or full (`> /dev/full`). `outln!` returns the failure from the command instead:
//! a closed pipe ends the command quietly (the reader has what it wanted), any other write
//! error is reported in one line.

use std::io::Write;

/// The error text of a closed stdout; `main` exits quietly on it.
pub const STDOUT_CLOSED: &str = "stdout was closed";

/// Write one line to stdout.
pub fn line(args: std::fmt::Arguments<'_>) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => STDOUT_CLOSED.to_string(),
            _ => format!("cannot write to stdout: {e}"),
        })
}

/// `println!` that returns `Err(String)` from the enclosing function when stdout fails.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))?
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
