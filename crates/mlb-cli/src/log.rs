//! The daemon's logger: four levels, lines on stderr, and a copy to syslog.
//!
//! Every line goes to stderr as `<time> <level> <message>`. The time is
//! left out when stderr is the systemd journal (`JOURNAL_STREAM` is set),
//! which stamps lines itself. With a syslog socket, each line is also sent
//! as one RFC 3164-style datagram `<PRI>mlb[PID]: message`, facility
//! `user`; the local daemon (journald, rsyslog) stamps the time on
//! receipt, so the datagram carries none.
//!
//! Messages are lowercase and name the app they are about, for example
//! `app /web left out: ...`. The macros [`error!`](crate::error),
//! [`warn!`](crate::warn), [`info!`](crate::info) and
//! [`debug!`](crate::debug) format like `format!`.

use std::fmt;
use std::io::Write as _;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

/// How important a line is; a logger set to one level prints it and every
/// level above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Level {
    /// Something failed and needs an operator: the config could not be
    /// applied.
    #[value(alias = "critical")]
    Error,
    /// Something was left out or is unreachable, and mlb carries on.
    #[value(alias = "warning")]
    Warn,
    /// What mlb decided: an applied config, a reconnection.
    Info,
    /// Everything else: unchanged configs, retries.
    Debug,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }

    /// The syslog severity: err, warning, info, debug.
    fn syslog_severity(self) -> u8 {
        match self {
            Level::Error => 3,
            Level::Warn => 4,
            Level::Info => 6,
            Level::Debug => 7,
        }
    }
}

/// Where lines go and which are kept.
#[derive(Debug)]
pub struct Logger {
    max: Level,
    timestamps: bool,
    syslog: Option<Syslog>,
}

impl Logger {
    /// A logger printing `max` and more important lines to stderr, with
    /// timestamps unless stderr is the systemd journal.
    #[must_use]
    pub fn new(max: Level) -> Self {
        Logger {
            max,
            timestamps: std::env::var_os("JOURNAL_STREAM").is_none(),
            syslog: None,
        }
    }

    /// Also sends every kept line to the syslog socket at `path`. Fails
    /// when nothing listens there, and the logger stays stderr-only.
    pub fn with_syslog(mut self, path: &Path) -> std::io::Result<Self> {
        self.syslog = Some(Syslog::connect(path)?);
        Ok(self)
    }

    fn log(&self, level: Level, message: fmt::Arguments<'_>) {
        if level > self.max {
            return;
        }
        let message = message.to_string();
        let line = if self.timestamps {
            format!(
                "{} {} {message}\n",
                utc_timestamp(SystemTime::now()),
                level.name()
            )
        } else {
            format!("{} {message}\n", level.name())
        };
        // Nothing sensible is left to do when stderr itself fails.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
        if let Some(syslog) = &self.syslog {
            syslog.send(level, &message);
        }
    }
}

/// The process-wide logger; the first [`init`] wins.
static LOGGER: OnceLock<Logger> = OnceLock::new();

/// Installs `logger` for the whole process. Lines logged before go to
/// stderr at level info; a second call is ignored.
pub fn init(logger: Logger) {
    let _ = LOGGER.set(logger);
}

/// Logs one line; the macros call this.
pub fn log(level: Level, message: fmt::Arguments<'_>) {
    LOGGER
        .get_or_init(|| Logger::new(Level::Info))
        .log(level, message);
}

/// Logs at [`Level::Error`].
#[macro_export]
macro_rules! error {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Error, format_args!($($arg)*)) };
}

/// Logs at [`Level::Warn`].
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Warn, format_args!($($arg)*)) };
}

/// Logs at [`Level::Info`].
#[macro_export]
macro_rules! info {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Info, format_args!($($arg)*)) };
}

/// Logs at [`Level::Debug`].
#[macro_export]
macro_rules! debug {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Debug, format_args!($($arg)*)) };
}

/// A connected syslog datagram socket.
#[derive(Debug)]
struct Syslog {
    path: PathBuf,
    socket: Mutex<UnixDatagram>,
    pid: u32,
}

/// Facility `user`, as in RFC 3164.
const FACILITY_USER: u8 = 1;

impl Syslog {
    fn connect(path: &Path) -> std::io::Result<Self> {
        let socket = UnixDatagram::unbound()?;
        socket.connect(path)?;
        Ok(Syslog {
            path: path.to_owned(),
            socket: Mutex::new(socket),
            pid: std::process::id(),
        })
    }

    fn send(&self, level: Level, message: &str) {
        let datagram = syslog_datagram(level, self.pid, message);
        let mut socket = self.socket.lock().unwrap_or_else(PoisonError::into_inner);
        if socket.send(datagram.as_bytes()).is_ok() {
            return;
        }
        // A restarted syslog daemon has a new socket at the same path:
        // connect once more and try again. stderr has the line anyway, so
        // a second failure is dropped.
        if let Ok(fresh) = UnixDatagram::unbound() {
            if fresh.connect(&self.path).is_ok() {
                let _ = fresh.send(datagram.as_bytes());
                *socket = fresh;
            }
        }
    }
}

/// `<PRI>mlb[PID]: message`, PRI = facility * 8 + severity.
fn syslog_datagram(level: Level, pid: u32, message: &str) -> String {
    let pri = FACILITY_USER * 8 + level.syslog_severity();
    format!("<{pri}>mlb[{pid}]: {message}")
}

/// `2026-01-31T23:59:59.123Z` for a point in time.
fn utc_timestamp(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX);
    let (year, month, day) = civil_from_days(days);
    let rest = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01, counting
/// in 400-year eras that start on 1 March so that leap days fall last.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both are small by construction: day in 1..=31, month in 1..=12.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn timestamps_are_utc_with_milliseconds() {
        let at =
            |secs, millis| UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis);
        assert_eq!(utc_timestamp(at(0, 0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            utc_timestamp(at(951_782_400, 5)),
            "2000-02-29T00:00:00.005Z"
        );
        assert_eq!(
            utc_timestamp(at(1_767_225_599, 999)),
            "2025-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn syslog_datagrams_carry_user_facility_and_severity() {
        assert_eq!(
            syslog_datagram(Level::Warn, 42, "app /x left out"),
            "<12>mlb[42]: app /x left out"
        );
        assert_eq!(syslog_datagram(Level::Error, 1, "e"), "<11>mlb[1]: e");
        assert_eq!(syslog_datagram(Level::Debug, 1, "d"), "<15>mlb[1]: d");
    }

    #[test]
    fn lines_reach_the_syslog_socket() {
        let dir = std::env::temp_dir().join(format!("mlb-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("log.sock");
        let _ = std::fs::remove_file(&path);
        let server = UnixDatagram::bind(&path).unwrap();
        server
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();

        let logger = Logger::new(Level::Info).with_syslog(&path).unwrap();
        logger.log(Level::Debug, format_args!("dropped"));
        logger.log(Level::Info, format_args!("applied {}", 3));

        let mut buf = [0u8; 256];
        let n = server.recv(&mut buf).unwrap();
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        assert_eq!(text, format!("<14>mlb[{}]: applied 3", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_syslog_socket_is_an_error() {
        assert!(
            Logger::new(Level::Info)
                .with_syslog(Path::new("/nonexistent/log"))
                .is_err()
        );
    }

    #[test]
    fn levels_order_from_error_to_debug() {
        assert!(
            Level::Error < Level::Warn && Level::Warn < Level::Info && Level::Info < Level::Debug
        );
    }
}
