//! Running the reload command, retrying while it fails.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::{ApplyError, ApplyOptions};

/// A reload that succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reload {
    /// From the first attempt's start to the successful attempt's end,
    /// pauses between retries included.
    pub took: Duration,
    /// How many times the command ran; 1 when it worked at once.
    pub attempts: u32,
}

/// Runs [`ApplyOptions::reload_command`] with `sh -c`, again after
/// [`ApplyOptions::reload_interval`] while it exits non-zero, at most
/// [`ApplyOptions::max_reload_retries`] more times.
///
/// Returns `None` without running anything when the command is empty. The
/// command's output is captured, not passed through: stdout belongs to
/// data meant for a pipe. The last failing attempt's output is in the
/// error.
pub fn reload(options: &ApplyOptions) -> Result<Option<Reload>, ApplyError> {
    let command = &options.reload_command;
    if command.trim().is_empty() {
        return Ok(None);
    }

    let started = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let output = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::null())
            .output()
            .map_err(|source| ApplyError::Spawn {
                program: PathBuf::from("sh"),
                source,
            })?;

        if output.status.success() {
            return Ok(Some(Reload {
                took: started.elapsed(),
                attempts,
            }));
        }

        if attempts > options.max_reload_retries {
            let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
            text.push_str(&String::from_utf8_lossy(&output.stdout));
            return Err(ApplyError::Reload {
                command: command.clone(),
                attempts,
                status: output.status,
                output: text,
            });
        }

        thread::sleep(options.reload_interval);
    }
}
