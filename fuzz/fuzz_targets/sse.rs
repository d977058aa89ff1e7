//! Any bytes as a server-sent event stream, fed in chunks whose sizes the
//! input chooses: no panic, and the same events as when fed whole.

#![no_main]

use libfuzzer_sys::fuzz_target;
use marathon_client::sse::{SseEvent, SseParser};

/// The events of `stream` fed `chunk` bytes at a time, or `None` once the
/// parser refuses the stream (an event above the size limit).
fn events(stream: &[u8], chunk: usize) -> Option<Vec<SseEvent>> {
    let mut parser = SseParser::with_max_event_bytes(4096);
    let mut events = Vec::new();
    for piece in stream.chunks(chunk) {
        events.extend(parser.feed(piece).ok()?);
    }
    Some(events)
}

fuzz_target!(|input: &[u8]| {
    let Some((&first, stream)) = input.split_first() else {
        return;
    };
    let chunk = usize::from(first % 16) + 1;
    let whole = events(stream, stream.len().max(1));
    let chunked = events(stream, chunk);
    if let (Some(whole), Some(chunked)) = (whole, chunked) {
        assert_eq!(whole, chunked);
    }
});
