//! The terminal: whether to colour output (a terminal, and no `NO_COLOR`), the ANSI styles, and
//! writing to stdout so that a closed pipe (`casebook search x | head -1`) is an answer, not a
//! panic. The one place that knows escape codes; it knows nothing of casebook's data.

use std::io::{self, IsTerminal, Write};

/// Colour stdout? Only on a terminal, and never when `NO_COLOR` is set (<https://no-color.org>).
pub fn stdout_color() -> bool {
    io::stdout().is_terminal() && no_color_unset()
}

/// Colour stderr? As [`stdout_color`], for diagnostics and notes.
pub fn stderr_color() -> bool {
    io::stderr().is_terminal() && no_color_unset()
}

fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none()
}

/// The ANSI styles casebook uses; all empty when colour is off, so callers write them always.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Styles {
    pub bold: &'static str,
    pub dim: &'static str,
    pub red: &'static str,
    pub yellow: &'static str,
    pub blue: &'static str,
    pub reset: &'static str,
}

impl Styles {
    pub fn new(color: bool) -> Self {
        if color {
            Styles {
                bold: "\x1b[1m",
                dim: "\x1b[2m",
                red: "\x1b[1;31m",
                yellow: "\x1b[1;33m",
                blue: "\x1b[1;34m",
                reset: "\x1b[0m",
            }
        } else {
            Styles { bold: "", dim: "", red: "", yellow: "", blue: "", reset: "" }
        }
    }
}

/// Writes `text` to stdout through one lock and flushes it. Unlike `print!`, which panics when
/// the reader has gone, this returns the error; see [`quiet_if_closed`].
pub fn print(text: &str) -> io::Result<()> {
    write_all(&mut io::stdout().lock(), text)
}

fn write_all(out: &mut impl Write, text: &str) -> io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// A reader that closed the pipe early (`| head -1`) has all it wanted: that is success.
pub fn quiet_if_closed(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pipe whose reader has gone.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_success_and_other_errors_are_not() {
        assert!(write_all(&mut Closed, "hit\n").is_err());
        assert!(quiet_if_closed(write_all(&mut Closed, "hit\n")).is_ok());
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert_eq!(quiet_if_closed(Err(full)).unwrap_err().kind(), io::ErrorKind::StorageFull);
    }

    #[test]
    fn no_colour_means_no_escape_codes() {
        let plain = Styles::new(false);
        assert_eq!([plain.bold, plain.dim, plain.red, plain.yellow, plain.blue, plain.reset].concat(), "");
        assert_eq!(Styles::new(true).reset, "\x1b[0m");
    }
}
