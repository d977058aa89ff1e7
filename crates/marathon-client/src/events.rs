//! Marathon's event stream as a blocking sequence of items that reconnects by itself.

use std::collections::VecDeque;
use std::io::Read as _;
use std::time::{Duration, Instant};

use serde::Deserialize;
use ureq::BodyReader;

use crate::Error;
use crate::backoff::{Backoff, Jitter};
use crate::http::{Client, Timing};
use crate::sse::{DEFAULT_MAX_EVENT_BYTES, SseParser};

/// The event types a load balancer subscribes to by default.
///
/// - `status_update_event`: a task started, stopped or changed state.
/// - `health_status_changed_event`: a task's health check flipped.
/// - `api_post_event`: an app definition was created or changed.
/// - `deployment_success`, `deployment_failed`, `deployment_step_success`:
///   a deployment moved on, which changes the `deployments` of apps and,
///   with it, which tasks should receive traffic.
/// - `app_terminated_event`: an app was removed.
///
/// Marathon before 1.3.7 ignores the filter and sends everything, which is
/// harmless: the caller treats every event as a reason to resynchronise.
pub const DEFAULT_EVENT_TYPES: &[&str] = &[
    "status_update_event",
    "health_status_changed_event",
    "api_post_event",
    "deployment_success",
    "deployment_failed",
    "deployment_step_success",
    "app_terminated_event",
];

/// Marathon sends a keepalive every 10 s; six missed ones mean the
/// connection is dead even if TCP has not noticed.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The first delay before reconnecting.
pub const DEFAULT_BACKOFF_INITIAL: Duration = Duration::from_secs(1);

/// The longest delay before reconnecting.
pub const DEFAULT_BACKOFF_MAX: Duration = Duration::from_secs(300);

/// Settings for an [`EventStream`].
#[derive(Clone, Debug)]
#[must_use]
pub struct EventStreamConfig {
    event_types: Vec<String>,
    idle_timeout: Duration,
    backoff_initial: Duration,
    backoff_max: Duration,
    max_event_bytes: usize,
}

impl Default for EventStreamConfig {
    fn default() -> Self {
        EventStreamConfig {
            event_types: DEFAULT_EVENT_TYPES
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            backoff_initial: DEFAULT_BACKOFF_INITIAL,
            backoff_max: DEFAULT_BACKOFF_MAX,
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
        }
    }
}

impl EventStreamConfig {
    /// The event types asked for with `event_type=`; an empty list asks for
    /// every event. Default: [`DEFAULT_EVENT_TYPES`].
    pub fn event_types<I, S>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.event_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// How long the stream may stay silent before it is dropped and opened
    /// again. Default: [`DEFAULT_IDLE_TIMEOUT`].
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = idle;
        self
    }

    /// The first and the longest delay between reconnection attempts.
    /// Default: [`DEFAULT_BACKOFF_INITIAL`] and [`DEFAULT_BACKOFF_MAX`].
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.backoff_initial = initial;
        self.backoff_max = max;
        self
    }

    /// The largest single event accepted. Default:
    /// [`DEFAULT_MAX_EVENT_BYTES`].
    pub fn max_event_bytes(mut self, limit: usize) -> Self {
        self.max_event_bytes = limit;
        self
    }

    /// The request path with its query: light plans, and one `event_type`
    /// per subscribed type.
    fn path(&self) -> String {
        let mut path = String::from("/v2/events?plan-format=light");
        for event_type in &self.event_types {
            path.push_str("&event_type=");
            path.push_str(event_type);
        }
        path
    }
}

/// One event from Marathon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarathonEvent {
    /// The `event:` line of the frame or, for older Marathon versions that
    /// send only `data:`, the `eventType` field of the JSON; `None` when
    /// neither is there.
    pub event_type: Option<String>,
    /// The event's JSON, as sent.
    pub data: String,
}

/// What [`EventStream::next_item`] hands back.
#[derive(Debug)]
pub enum StreamItem {
    /// A stream is open. Events may have been missed since the last one,
    /// so the caller should resynchronise fully now.
    Connected {
        /// The URL that is streaming (after redirects), without
        /// credentials.
        url: String,
    },
    /// An event arrived.
    Event(MarathonEvent),
    /// The stream broke or could not be opened; the next call waits
    /// `retry_in` and tries again. Worth a log line.
    Disconnected {
        /// Why.
        cause: Error,
        /// How long the next call will wait before reconnecting.
        retry_in: Duration,
    },
}

/// Marathon's event stream, read synchronously.
///
/// Each call to [`EventStream::next_item`] blocks until something happens:
/// a (re)connection, an event, or a disconnection. Reconnecting is done
/// inside, with jittered exponential backoff, so a caller's loop is just:
///
/// ```no_run
/// use marathon_client::{Client, EventStreamConfig, StreamItem};
///
/// let client = Client::builder(["http://marathon.mesos:8080"]).build()?;
/// let mut events = client.events(&EventStreamConfig::default());
/// loop {
///     match events.next_item()? {
///         StreamItem::Connected { .. } => { /* fetch all apps, render */ }
///         StreamItem::Event(event) => { /* mark dirty, maybe refetch */ }
///         StreamItem::Disconnected { cause, retry_in } => {
///             eprintln!("event stream: {cause}; retrying in {retry_in:?}");
///         }
///     }
/// }
/// # Ok::<(), marathon_client::Error>(())
/// ```
///
/// `next_item` returns `Err` only for failures that waiting will not fix:
/// a 4xx answer other than 408 and 429 (bad credentials, a path Marathon
/// does not know) or a bad local setting. Calling it again after such an
/// error tries again after the backoff delay.
pub struct EventStream {
    client: Client,
    path: String,
    idle_timeout: Duration,
    parser: SseParser,
    backoff: Backoff,
    jitter: Jitter,
    pending: VecDeque<MarathonEvent>,
    state: State,
}

enum State {
    /// Not connected; connect once `until` has passed (at once if `None`).
    Waiting { until: Option<Instant> },
    /// Reading from an open stream.
    Streaming {
        url: String,
        reader: BodyReader<'static>,
        seen_bytes: bool,
    },
}

impl Client {
    /// An event stream over this client's URLs, auth and timeouts. Nothing
    /// is sent until the first [`EventStream::next_item`].
    #[must_use]
    pub fn events(&self, config: &EventStreamConfig) -> EventStream {
        EventStream {
            client: self.clone(),
            path: config.path(),
            idle_timeout: config.idle_timeout,
            parser: SseParser::with_max_event_bytes(config.max_event_bytes),
            backoff: Backoff::new(config.backoff_initial, config.backoff_max),
            jitter: Jitter::from_entropy(),
            pending: VecDeque::new(),
            state: State::Waiting { until: None },
        }
    }
}

impl EventStream {
    /// Blocks until the next connection, event or disconnection.
    pub fn next_item(&mut self) -> Result<StreamItem, Error> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Ok(StreamItem::Event(event));
            }
            match &mut self.state {
                State::Waiting { until } => {
                    if let Some(wake) = until.take() {
                        std::thread::sleep(wake.saturating_duration_since(Instant::now()));
                    }
                    return self.connect();
                }
                State::Streaming {
                    url,
                    reader,
                    seen_bytes,
                } => {
                    let mut buf = [0u8; 16 * 1024];
                    let read = reader.read(&mut buf);
                    let cause = match read {
                        Ok(0) => Error::StreamClosed { url: url.clone() },
                        Ok(n) => {
                            if !*seen_bytes {
                                // Bytes, even a keepalive, prove the
                                // stream works; a server that accepts and
                                // hangs up at once keeps backing off.
                                *seen_bytes = true;
                                self.backoff.reset();
                            }
                            match self.parser.feed(&buf[..n]) {
                                Ok(events) => {
                                    self.pending.extend(events.into_iter().map(into_event));
                                    continue;
                                }
                                Err(err) => err,
                            }
                        }
                        Err(err) => read_error(url, err, self.idle_timeout),
                    };
                    return Ok(self.disconnect(cause));
                }
            }
        }
    }

    fn connect(&mut self) -> Result<StreamItem, Error> {
        let timing = Timing::Stream {
            idle: self.idle_timeout,
        };
        let opened =
            self.client
                .request(&self.path, "text/event-stream", timing, |url, response| {
                    let content_type = response.body().mime_type().unwrap_or_default().to_owned();
                    if content_type != "text/event-stream" {
                        let reason = format!("expected text/event-stream, got {content_type:?}");
                        let source = Box::new(Error::Body { reason });
                        return Err(Error::InvalidAnswer {
                            url: url.to_owned(),
                            source,
                        });
                    }
                    Ok((url.to_owned(), response.into_body().into_reader()))
                });

        match opened {
            Ok((url, reader)) => {
                self.parser.reset();
                self.state = State::Streaming {
                    url: url.clone(),
                    reader,
                    seen_bytes: false,
                };
                Ok(StreamItem::Connected { url })
            }
            Err(err) if is_permanent(&err) => {
                let retry_in = self.backoff.next_delay(self.jitter.next_unit());
                self.state = State::Waiting {
                    until: Some(Instant::now() + retry_in),
                };
                Err(err)
            }
            Err(err) => Ok(self.disconnect(err)),
        }
    }

    fn disconnect(&mut self, cause: Error) -> StreamItem {
        let retry_in = self.backoff.next_delay(self.jitter.next_unit());
        self.state = State::Waiting {
            until: Some(Instant::now() + retry_in),
        };
        self.pending.clear();
        StreamItem::Disconnected { cause, retry_in }
    }
}

impl Iterator for EventStream {
    type Item = Result<StreamItem, Error>;

    /// Never ends; see [`EventStream::next_item`].
    fn next(&mut self) -> Option<Self::Item> {
        Some(self.next_item())
    }
}

/// Errors that reconnecting will not cure.
fn is_permanent(err: &Error) -> bool {
    match err {
        Error::Status { status, .. } => (400..500).contains(status) && ![408, 429].contains(status),
        Error::Transport { .. }
        | Error::StreamIdle { .. }
        | Error::StreamClosed { .. }
        | Error::InvalidAnswer { .. }
        | Error::Redirect { .. } => false,
        _ => true,
    }
}

fn read_error(url: &str, err: std::io::Error, idle: Duration) -> Error {
    // ureq wraps its own errors, timeouts included, in io::Error for the
    // Read trait; unwrapping it tells an idle stream from a broken one.
    match ureq::Error::from(err) {
        ureq::Error::Timeout(_) => Error::StreamIdle {
            url: url.to_owned(),
            idle,
        },
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Error::StreamIdle {
            url: url.to_owned(),
            idle,
        },
        source => Error::Transport {
            url: url.to_owned(),
            source,
        },
    }
}

fn into_event(event: crate::sse::SseEvent) -> MarathonEvent {
    #[derive(Deserialize)]
    struct Typed {
        #[serde(rename = "eventType")]
        event_type: Option<String>,
    }
    let event_type = event.event.or_else(|| {
        serde_json::from_str::<Typed>(&event.data)
            .ok()
            .and_then(|typed| typed.event_type)
    });
    MarathonEvent {
        event_type,
        data: event.data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::SseEvent;

    #[test]
    fn stream_and_client_can_move_to_another_thread() {
        fn send<T: Send>() {}
        fn shared<T: Send + Sync>() {}
        send::<EventStream>();
        shared::<Client>();
    }

    #[test]
    fn default_path_asks_for_light_plans_and_each_event_type() {
        let path = EventStreamConfig::default().path();
        assert!(path.starts_with("/v2/events?plan-format=light&event_type=status_update_event&"));
        assert_eq!(
            path.matches("&event_type=").count(),
            DEFAULT_EVENT_TYPES.len()
        );
    }

    #[test]
    fn empty_event_type_list_asks_for_everything() {
        let path = EventStreamConfig::default()
            .event_types(Vec::<String>::new())
            .path();
        assert_eq!(path, "/v2/events?plan-format=light");
    }

    #[test]
    fn event_type_falls_back_to_json_event_type() {
        let event = into_event(SseEvent {
            event: None,
            data: r#"{"eventType":"api_post_event","x":1}"#.to_owned(),
        });
        assert_eq!(event.event_type.as_deref(), Some("api_post_event"));
    }

    #[test]
    fn event_line_wins_over_json_and_garbage_has_no_type() {
        let typed = into_event(SseEvent {
            event: Some("a".to_owned()),
            data: r#"{"eventType":"b"}"#.to_owned(),
        });
        assert_eq!(typed.event_type.as_deref(), Some("a"));
        let garbage = into_event(SseEvent {
            event: None,
            data: "nope".to_owned(),
        });
        assert_eq!(garbage.event_type, None);
    }

    #[test]
    fn client_errors_are_permanent_but_outages_are_not() {
        let status = |status| Error::Status {
            url: String::new(),
            status,
            message: None,
        };
        assert!(is_permanent(&status(401)));
        assert!(is_permanent(&status(405)));
        assert!(!is_permanent(&status(429)));
        assert!(!is_permanent(&status(503)));
        assert!(!is_permanent(&Error::StreamClosed { url: String::new() }));
    }
}
