//! An incremental parser for server-sent events; pure, it never touches I/O.

use crate::Error;

/// The default upper bound on one event's size. Marathon's deployment
/// events reach about 10 MB on big clusters, so this leaves room while
/// still stopping a runaway stream from eating memory.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 64 * 1024 * 1024;

/// One dispatched server-sent event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, or `None` when the frame had none (older
    /// Marathon versions send only `data:` lines).
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// Turns the bytes of an event stream, fed in chunks of any size, into
/// events.
///
/// Lines end in CRLF, LF or a lone CR. `data:` lines accumulate, `event:`
/// sets the type, lines starting with `:` are comments, and an empty line
/// dispatches the event. An empty line with no data before it (Marathon's
/// bare CRLF keepalive) dispatches nothing. `id:` and `retry:` are ignored:
/// the caller resynchronises from scratch on every reconnect, so there is
/// nothing to resume.
///
/// ```
/// use marathon_client::sse::SseParser;
///
/// let mut parser = SseParser::new();
/// let mut events = parser.feed(b"event: api_post_event\r\ndata: {\"a\"").unwrap();
/// assert!(events.is_empty());
/// events = parser.feed(b":1}\r\n\r\n\r\n").unwrap();
/// assert_eq!(events.len(), 1);
/// assert_eq!(events[0].event.as_deref(), Some("api_post_event"));
/// assert_eq!(events[0].data, "{\"a\":1}");
/// ```
#[derive(Debug)]
pub struct SseParser {
    max_event_bytes: usize,
    line: Vec<u8>,
    data: String,
    has_data: bool,
    event: Option<String>,
    /// The previous chunk ended in CR, so a leading LF in the next one
    /// belongs to the same line end.
    after_cr: bool,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::new()
    }
}

impl SseParser {
    /// A parser with the default event size limit
    /// ([`DEFAULT_MAX_EVENT_BYTES`]).
    #[must_use]
    pub fn new() -> Self {
        Self::with_max_event_bytes(DEFAULT_MAX_EVENT_BYTES)
    }

    /// A parser that refuses events (and lines) larger than `limit` bytes.
    #[must_use]
    pub fn with_max_event_bytes(limit: usize) -> Self {
        SseParser {
            max_event_bytes: limit,
            line: Vec::new(),
            data: String::new(),
            has_data: false,
            event: None,
            after_cr: false,
        }
    }

    /// Feeds the next chunk of the stream and returns the events it
    /// completed, in order.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, Error> {
        let mut events = Vec::new();
        let mut rest = bytes;

        if self.after_cr {
            self.after_cr = false;
            if let Some(after) = rest.strip_prefix(b"\n") {
                rest = after;
            }
        }

        while let Some(end) = rest.iter().position(|b| *b == b'\n' || *b == b'\r') {
            self.line.extend_from_slice(&rest[..end]);
            self.check_size()?;
            if let Some(event) = self.take_line() {
                events.push(event);
            }

            let skip = match (rest[end], rest.get(end + 1)) {
                (b'\r', Some(b'\n')) => 2,
                (b'\r', None) => {
                    self.after_cr = true;
                    1
                }
                _ => 1,
            };
            rest = &rest[end + skip..];
        }

        self.line.extend_from_slice(rest);
        self.check_size()?;
        Ok(events)
    }

    /// Forgets any half-received event, for a fresh connection.
    pub fn reset(&mut self) {
        self.line.clear();
        self.data.clear();
        self.has_data = false;
        self.event = None;
        self.after_cr = false;
    }

    fn check_size(&self) -> Result<(), Error> {
        if self.line.len() + self.data.len() > self.max_event_bytes {
            return Err(Error::EventTooLarge {
                limit: self.max_event_bytes,
            });
        }
        Ok(())
    }

    /// Handles one complete line; returns an event when the line was the
    /// empty line that ends a frame with data.
    fn take_line(&mut self) -> Option<SseEvent> {
        let line = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();

        if line.is_empty() {
            let event = self.event.take();
            if !self.has_data {
                return None;
            }
            self.has_data = false;
            return Some(SseEvent {
                event,
                data: std::mem::take(&mut self.data),
            });
        }
        if line.starts_with(':') {
            return None;
        }

        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_str(), ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_owned()),
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &[u8]) -> Vec<SseEvent> {
        SseParser::new().feed(input).unwrap()
    }

    fn event(kind: Option<&str>, data: &str) -> SseEvent {
        SseEvent {
            event: kind.map(str::to_owned),
            data: data.to_owned(),
        }
    }

    #[test]
    fn crlf_frames_give_type_and_data() {
        let events = parse(b"event: status_update_event\r\ndata: {\"x\":1}\r\n\r\n");
        assert_eq!(events, [event(Some("status_update_event"), "{\"x\":1}")]);
    }

    #[test]
    fn lf_and_lone_cr_line_ends_work_too() {
        assert_eq!(parse(b"event: a\ndata: 1\n\n"), [event(Some("a"), "1")]);
        assert_eq!(parse(b"event: b\rdata: 2\r\r"), [event(Some("b"), "2")]);
    }

    #[test]
    fn multi_line_data_is_joined_with_newline() {
        assert_eq!(
            parse(b"data: one\r\ndata: two\r\ndata:\r\n\r\n"),
            [event(None, "one\ntwo\n")]
        );
    }

    #[test]
    fn bare_keepalive_line_ends_produce_no_event() {
        assert_eq!(parse(b"\r\n\r\n\r\n"), []);
        assert_eq!(
            parse(b"\r\nevent: a\r\ndata: 1\r\n\r\n\r\n\r\n"),
            [event(Some("a"), "1")]
        );
    }

    #[test]
    fn event_line_without_data_is_forgotten_at_the_empty_line() {
        assert_eq!(
            parse(b"event: a\r\n\r\ndata: 1\r\n\r\n"),
            [event(None, "1")]
        );
    }

    #[test]
    fn comments_and_unknown_fields_are_ignored() {
        let events = parse(b": hello\r\nid: 7\r\nretry: 10\r\nfoo\r\ndata: x\r\n\r\n");
        assert_eq!(events, [event(None, "x")]);
    }

    #[test]
    fn data_only_frames_from_old_marathon_have_no_type() {
        let events = parse(b"data: {\"eventType\":\"api_post_event\"}\r\n\r\n");
        assert_eq!(events, [event(None, "{\"eventType\":\"api_post_event\"}")]);
    }

    #[test]
    fn only_one_space_after_colon_is_stripped() {
        assert_eq!(
            parse(b"data:x\n\ndata:  y\n\n"),
            [event(None, "x"), event(None, " y")]
        );
    }

    #[test]
    fn bytes_fed_one_at_a_time_give_the_same_events() {
        let input = b"event: a\r\ndata: 1\r\n\r\n\r\nevent: b\r\ndata: 2\r\ndata: 3\r\n\r\n";
        let mut parser = SseParser::new();
        let mut events = Vec::new();
        for byte in input {
            events.extend(parser.feed(std::slice::from_ref(byte)).unwrap());
        }
        assert_eq!(events, [event(Some("a"), "1"), event(Some("b"), "2\n3")]);
    }

    #[test]
    fn crlf_split_across_chunks_is_one_line_end() {
        let mut parser = SseParser::new();
        assert_eq!(parser.feed(b"data: 1\r").unwrap(), []);
        assert_eq!(parser.feed(b"\n\r").unwrap(), [event(None, "1")]);
        assert_eq!(
            parser.feed(b"\ndata: 2\r\n\r\n").unwrap(),
            [event(None, "2")]
        );
    }

    #[test]
    fn incomplete_frame_is_held_until_its_empty_line() {
        let mut parser = SseParser::new();
        assert_eq!(parser.feed(b"event: a\r\ndata: 1\r\n").unwrap(), []);
        assert_eq!(parser.feed(b"\r\n").unwrap(), [event(Some("a"), "1")]);
    }

    #[test]
    fn reset_drops_a_half_received_event() {
        let mut parser = SseParser::new();
        parser.feed(b"event: a\r\ndata: 1\r\n").unwrap();
        parser.reset();
        assert_eq!(parser.feed(b"data: 2\r\n\r\n").unwrap(), [event(None, "2")]);
    }

    #[test]
    fn oversized_event_is_an_error() {
        let mut parser = SseParser::with_max_event_bytes(16);
        let err = parser
            .feed(b"data: 0123456789\r\ndata: 0123456789\r\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "server-sent event too large: more than 16 bytes"
        );
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        assert_eq!(parse(b"data: \xff\n\n"), [event(None, "\u{fffd}")]);
    }
}
