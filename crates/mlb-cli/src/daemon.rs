//! `poll` and `sse`: follow Marathon and keep a running HAProxy's config current.
//!
//! One loop on the main thread runs every update, so at most one runs at a
//! time. Everything else only sends it a [`Trigger`] over a channel:
//!
//! - the signal thread (SIGHUP, SIGUSR1, SIGTERM, SIGINT; see
//!   [`crate::signals`]);
//! - the admin listener's `/_mlb_signal/*` endpoints ([`crate::admin`]);
//! - with `sse`, the event stream thread: every (re)connection asks for a
//!   full resync, every event opens or extends a burst that is served by
//!   one update once Marathon has been quiet for `--event-quiet-period`
//!   ([`crate::schedule`]).
//!
//! Besides, `poll` updates every `--interval` seconds and `sse` every
//! `--resync-interval` seconds without events. Triggers that arrive during
//! an update wait in the channel and are served together by the next one.
//! A stop request is honoured between updates, never in the middle of one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use marathon_client::{Backoff, Client, DEFAULT_BACKOFF_INITIAL, EventStreamConfig, StreamItem};

use crate::admin::{self, Endpoints};
use crate::apply::{self, ApplyOptions, Check, RenderedFiles};
use crate::log::{self, Level, Logger};
use crate::marathon::{MarathonFlags, MarathonFlagsError};
use crate::render::RenderFlags;
use crate::schedule::Schedule;
use crate::update::{Status, Updater, chain, describe, seconds};
use crate::{debug, error, info, signals, warn};

/// Where marathon-lb sent syslog lines on Linux.
const DEFAULT_SYSLOG_SOCKET: &str = "/dev/log";

/// The flags `poll` and `sse` share, named as marathon-lb names them.
/// The event-stream flags are accepted by `poll` too, and ignored there,
/// so that one set of flags serves both.
#[derive(Debug, Clone, clap::Args)]
pub struct LiveFlags {
    #[command(flatten)]
    render: RenderFlags,

    #[command(flatten)]
    marathon: MarathonFlags,

    /// The command that reloads HAProxy, run with `sh -c` after a new
    /// config is in place, for example `kill -USR2 $(cat /run/haproxy.pid)`.
    /// Without it configs are written but HAProxy is not reloaded.
    #[arg(
        short = 'c',
        long = "command",
        value_name = "COMMAND",
        default_value = "",
        hide_default_value = true
    )]
    command: String,

    /// How many more times a failing reload command is run.
    #[arg(long, value_name = "N", default_value_t = 10)]
    max_reload_retries: u32,

    /// Seconds between two runs of a failing reload command.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    reload_interval: Duration,

    /// How many previous configs to keep as `<config>.1` .. `<config>.N`.
    #[arg(long, value_name = "N", default_value_t = 5)]
    archive_versions: usize,

    /// Do not run `haproxy -c` before a config goes live.
    #[arg(long)]
    skip_validation: bool,

    /// When HAProxy refuses a config, do not search for the apps that break
    /// it: keep the current config instead of applying one without them.
    #[arg(long)]
    skip_config_cleanup: bool,

    /// Render and check, but write nothing and reload nothing.
    #[arg(long)]
    dry: bool,

    /// The least important lines logged.
    #[arg(
        long,
        value_name = "LEVEL",
        value_enum,
        ignore_case = true,
        default_value = "info"
    )]
    log_level: Level,

    /// A syslog datagram socket that gets a copy of every line
    /// [default: /dev/log, when it exists]; `/dev/null` turns it off.
    #[arg(long, value_name = "PATH")]
    syslog_socket: Option<PathBuf>,

    /// Where the operator endpoints listen for HAProxy's stats port to
    /// forward to; `off` turns them off.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:9092")]
    admin_address: String,

    /// sse: seconds of silence (not even Marathon's keepalive) after which
    /// the event stream is dropped and opened again.
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = parse_seconds)]
    sse_idle_timeout: Duration,

    /// sse: the longest pause, in seconds, between attempts to reach
    /// Marathon again.
    #[arg(long, value_name = "SECONDS", default_value = "300", value_parser = parse_seconds)]
    max_backoff: Duration,

    /// sse: after an event, wait until Marathon has been quiet this many
    /// seconds, then run one update for all events so far.
    #[arg(long, value_name = "SECONDS", default_value = "0.5", value_parser = parse_seconds)]
    event_quiet_period: Duration,

    /// sse: a full resync after this many seconds without any update.
    #[arg(long, value_name = "SECONDS", default_value = "300", value_parser = parse_seconds)]
    resync_interval: Duration,
}

/// `mlb-cli poll`.
#[derive(Debug, Clone, clap::Args)]
pub struct PollCommand {
    /// Seconds between two updates.
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = parse_seconds)]
    interval: Duration,

    /// Run one update and exit: status 0 when the config was applied or
    /// already current, 1 when it could not be applied.
    #[arg(long)]
    once: bool,

    #[command(flatten)]
    live: LiveFlags,
}

/// `mlb-cli sse`.
#[derive(Debug, Clone, clap::Args)]
pub struct SseCommand {
    #[command(flatten)]
    live: LiveFlags,
}

/// Why the daemon asks for something; sent to the loop over a channel.
#[derive(Debug)]
pub enum Trigger {
    /// Fetch everything from Marathon and apply it now; says who asked.
    Resync(&'static str),
    /// Check the config on disk and reload HAProxy with it; says who asked.
    ReloadOnDisk(&'static str),
    /// Finish and exit; names the signal.
    Stop(&'static str),
    /// A Marathon event of this type arrived.
    Event(Option<String>),
    /// The event stream is open at this URL.
    StreamConnected(String),
    /// The event stream broke; it reconnects by itself.
    StreamLost(String),
    /// Marathon refused the event stream in a way waiting will not cure
    /// (bad credentials); it is tried again after the backoff anyway.
    StreamRefused(String),
}

/// Why the daemon could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The Marathon flags do not make a client.
    #[error(transparent)]
    Marathon(#[from] MarathonFlagsError),

    /// The signal handlers could not be installed.
    #[error("cannot install signal handlers")]
    Signals(#[source] std::io::Error),

    /// The admin listener could not bind its address.
    #[error("cannot listen for operator endpoints: {address}")]
    Admin {
        /// The address from --admin-address.
        address: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Runs `poll`; the exit status follows `--once`'s rules.
pub fn poll(command: &PollCommand) -> Result<ExitCode, StartError> {
    let live = &command.live;
    init_logging(live);
    let client = live.marathon.client()?;
    let (triggers, rx) = mpsc::channel();
    signals::forward(triggers.clone()).map_err(StartError::Signals)?;

    let mut updater = updater(live, client);
    if command.once {
        let status = updater.update();
        return Ok(if status == Status::Failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        });
    }

    start_admin(live, &triggers)?;
    info!(
        "following marathon at {} by polling every {}",
        live.marathon.marathon.join(" "),
        seconds(command.interval)
    );
    let schedule = Schedule::new(Instant::now(), Duration::ZERO, command.interval);
    run(&mut updater, live, schedule, &rx, None);
    Ok(ExitCode::SUCCESS)
}

/// Runs `sse` until a stop signal.
pub fn sse(command: &SseCommand) -> Result<ExitCode, StartError> {
    let live = &command.live;
    init_logging(live);
    let client = live.marathon.client()?;
    let (triggers, rx) = mpsc::channel();
    signals::forward(triggers.clone()).map_err(StartError::Signals)?;
    start_admin(live, &triggers)?;

    let config = EventStreamConfig::default()
        .idle_timeout(live.sse_idle_timeout)
        .backoff(DEFAULT_BACKOFF_INITIAL, live.max_backoff);
    follow_events(&client, &config, triggers.clone());
    info!(
        "following marathon's events at {}",
        live.marathon.marathon.join(" ")
    );

    // The stream's connection asks for an update, which must come after
    // it so that no change falls between the listing and the stream. The
    // first update waits for it, a moment at most, so that one listing of
    // every app serves both.
    let mut updater = updater(live, client);
    let now = Instant::now();
    let mut schedule = Schedule::new(now, live.event_quiet_period, live.resync_interval);
    schedule.defer_first(now + FIRST_UPDATE_WAITS_FOR_STREAM);
    let retries = Backoff::new(DEFAULT_BACKOFF_INITIAL, live.max_backoff);
    run(&mut updater, live, schedule, &rx, Some(retries));
    Ok(ExitCode::SUCCESS)
}

/// How long `sse` waits for the event stream before its first update
/// goes ahead without it.
const FIRST_UPDATE_WAITS_FOR_STREAM: Duration = Duration::from_secs(2);

/// The loop: runs updates when the schedule says so, and handles triggers
/// in between, until a stop. `retries` paces the retries of failed
/// updates; without it they wait for the next regular update.
fn run(
    updater: &mut Updater,
    live: &LiveFlags,
    mut schedule: Schedule,
    rx: &Receiver<Trigger>,
    mut retries: Option<Backoff>,
) {
    let mut stream_down = None;
    let mut first_done = false;
    loop {
        if schedule.is_due(Instant::now()) {
            let status = updater.update();
            first_done = true;
            let retry_in = match (&mut retries, status) {
                (Some(backoff), Status::Failed) => Some(backoff.next_delay(random_unit())),
                (Some(backoff), _) => {
                    backoff.reset();
                    None
                }
                (None, _) => None,
            };
            if let Some(delay) = retry_in {
                debug!("next attempt in {}", seconds(delay));
            }
            schedule.done(Instant::now(), retry_in);
        }

        let wait = schedule.due_at().saturating_duration_since(Instant::now());
        let trigger = match rx.recv_timeout(wait) {
            Ok(trigger) => trigger,
            Err(RecvTimeoutError::Timeout) => continue,
            // The loop holds no sender, but the signal thread does for the
            // life of the process; should it ever end, stop cleanly.
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let now = Instant::now();
        if !first_done && matches!(trigger, Trigger::StreamLost(_) | Trigger::StreamRefused(_)) {
            // The first update was waiting for the stream: it need not.
            schedule.request_now(now);
        }
        match trigger {
            Trigger::Resync(by) => {
                info!("resync from marathon requested by {by}");
                schedule.request_now(now);
            }
            Trigger::ReloadOnDisk(by) => {
                info!("reload of the config on disk requested by {by}");
                reload_on_disk(updater.options(), live.render.haproxy_map);
            }
            Trigger::Stop(by) => {
                info!("stopping on {by}");
                return;
            }
            Trigger::Event(kind) => {
                debug!(
                    "marathon event {}",
                    kind.as_deref().unwrap_or("without a type")
                );
                schedule.event(now);
            }
            Trigger::StreamConnected(url) => {
                match stream_down.take() {
                    Some(since) => info!(
                        "event stream connected to {url} again after {}; resyncing",
                        seconds(now.duration_since(since))
                    ),
                    None => info!("event stream connected to {url}; resyncing"),
                }
                schedule.request_now(now);
            }
            Trigger::StreamLost(cause) | Trigger::StreamRefused(cause) if stream_down.is_some() => {
                debug!("event stream still down: {cause}");
            }
            Trigger::StreamLost(cause) => {
                warn!("event stream lost, reconnecting with backoff: {cause}");
                stream_down = Some(now);
            }
            Trigger::StreamRefused(cause) => {
                error!("marathon refuses the event stream, retrying with backoff: {cause}");
                stream_down = Some(now);
            }
        }
    }
}

/// Reads the event stream on a thread of its own and forwards what
/// happens; the thread ends with the process.
fn follow_events(client: &Client, config: &EventStreamConfig, triggers: Sender<Trigger>) {
    let mut stream = client.events(config);
    let spawned = thread::Builder::new()
        .name("events".to_owned())
        .spawn(move || {
            loop {
                let trigger = match stream.next_item() {
                    Ok(StreamItem::Connected { url }) => Trigger::StreamConnected(url),
                    Ok(StreamItem::Event(event)) => Trigger::Event(event.event_type),
                    Ok(StreamItem::Disconnected { cause, retry_in }) => Trigger::StreamLost(
                        format!("{}; next attempt in {}", chain(&cause), seconds(retry_in)),
                    ),
                    Err(err) => Trigger::StreamRefused(chain(&err)),
                };
                if triggers.send(trigger).is_err() {
                    return;
                }
            }
        });
    if let Err(err) = spawned {
        // Without the stream the periodic resync still keeps the config
        // current, only later.
        error!("cannot start the event stream thread, relying on resyncs only: {err}");
    }
}

/// SIGUSR1: checks the config on disk and reloads HAProxy with it.
fn reload_on_disk(options: &ApplyOptions, haproxy_map: bool) {
    if options.dry_run {
        info!("dry run: not reloading");
        return;
    }
    let config = match std::fs::read_to_string(&options.config_path) {
        Ok(config) => config,
        Err(err) => {
            error!(
                "cannot reload: reading {}: {err}",
                options.config_path.display()
            );
            return;
        }
    };
    let dir = options.config_path.parent().unwrap_or(Path::new(""));
    let mut maps = Vec::new();
    if haproxy_map {
        for name in ["domain2backend.map", "app2backend.map"] {
            if let Ok(content) = std::fs::read_to_string(dir.join(name)) {
                maps.push((name.to_owned(), content));
            }
        }
    }
    let files = RenderedFiles { config, maps };

    if !options.skip_validation {
        match apply::check(&files, options) {
            Ok(Check::Passed { .. }) => {}
            Ok(Check::Failed(rejection)) => {
                let alert = rejection.alerts().next().map(describe).unwrap_or_default();
                error!("the config on disk fails haproxy -c, not reloading: {alert}");
                return;
            }
            Err(err) => {
                error!(
                    "cannot check the config on disk, not reloading: {}",
                    chain(&err)
                );
                return;
            }
        }
    }
    match apply::reload(options) {
        Ok(Some(reload)) => info!(
            "reloaded haproxy with the config on disk in {}",
            seconds(reload.took)
        ),
        Ok(None) => warn!("no reload command (--command) given, nothing to reload"),
        Err(err) => error!("reloading the config on disk failed: {}", chain(&err)),
    }
}

fn updater(live: &LiveFlags, client: Client) -> Updater {
    let mut options = ApplyOptions::new(&live.render.haproxy_config);
    options.reload_command.clone_from(&live.command);
    options.max_reload_retries = live.max_reload_retries;
    options.reload_interval = live.reload_interval;
    options.archive_versions = live.archive_versions;
    options.skip_validation = live.skip_validation;
    options.dry_run = live.dry;
    if options.reload_command.trim().is_empty() && !live.dry {
        warn!(
            "no reload command (--command) given: new configs are written but haproxy is not reloaded"
        );
    }
    Updater::new(
        client,
        live.render.clone(),
        options,
        !live.skip_config_cleanup,
    )
}

fn start_admin(live: &LiveFlags, triggers: &Sender<Trigger>) -> Result<(), StartError> {
    if live.admin_address == "off" {
        return Ok(());
    }
    let endpoints = Endpoints {
        config_path: live.render.haproxy_config.clone(),
        haproxy_map: live.render.haproxy_map,
        triggers: triggers.clone(),
    };
    admin::start(&live.admin_address, endpoints).map_err(|source| StartError::Admin {
        address: live.admin_address.clone(),
        source,
    })?;
    Ok(())
}

fn init_logging(live: &LiveFlags) {
    let explicit = live.syslog_socket.is_some();
    let path = live
        .syslog_socket
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SYSLOG_SOCKET));
    if path == Path::new("/dev/null") {
        log::init(Logger::new(live.log_level));
        return;
    }
    match Logger::new(live.log_level).with_syslog(&path) {
        Ok(logger) => log::init(logger),
        Err(err) => {
            log::init(Logger::new(live.log_level));
            if explicit {
                warn!(
                    "syslog socket {} unusable, logging to stderr only: {err}",
                    path.display()
                );
            } else {
                debug!(
                    "no syslog at {}, logging to stderr only: {err}",
                    path.display()
                );
            }
        }
    }
}

/// A number in `[0, 1)` for jitter; the clock's nanoseconds are random
/// enough to keep many load balancers from retrying in step.
fn random_unit() -> f64 {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    f64::from(nanos) / 1e9
}

/// Parses a number of seconds such as `10` or `0.5`.
pub(crate) fn parse_seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("not a number of seconds: {text:?}"))?;
    Duration::try_from_secs_f64(value).map_err(|_| format!("not a number of seconds: {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_may_be_fractional_but_not_negative() {
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_seconds("10"), Ok(Duration::from_secs(10)));
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("soon").is_err());
    }
}
