//! Unix signals, turned into messages for the daemon's loop.
//!
//! - SIGHUP: fetch everything from Marathon again and apply it.
//! - SIGUSR1: check the config on disk and reload HAProxy with it.
//! - SIGTERM, SIGINT: stop once the running update is finished. A second
//!   one exits at once, for an operator who cannot wait for a slow reload.

use std::sync::mpsc::Sender;
use std::thread;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1};
use signal_hook::iterator::Signals;

use crate::daemon::Trigger;
use crate::warn;

/// Exit status after a second stop signal: 128 + SIGTERM, as a shell
/// reports a process killed by it.
const FORCED_EXIT: i32 = 128 + SIGTERM;

/// Installs the handlers and forwards each signal to `triggers` from a
/// thread of its own.
pub fn forward(triggers: Sender<Trigger>) -> std::io::Result<()> {
    let mut signals = Signals::new([SIGHUP, SIGUSR1, SIGTERM, SIGINT])?;
    thread::Builder::new()
        .name("signals".to_owned())
        .spawn(move || {
            let mut stopping = false;
            for signal in signals.forever() {
                let trigger = match signal {
                    SIGHUP => Trigger::Resync("sighup"),
                    SIGUSR1 => Trigger::ReloadOnDisk("sigusr1"),
                    _ if stopping => {
                        warn!("second stop signal, exiting without finishing the update");
                        std::process::exit(FORCED_EXIT);
                    }
                    other => {
                        stopping = true;
                        Trigger::Stop(if other == SIGINT { "sigint" } else { "sigterm" })
                    }
                };
                if triggers.send(trigger).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}
