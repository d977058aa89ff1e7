//! The event stream: connecting, events, keepalives, redirects and reconnection.

use std::time::{Duration, Instant};

use marathon_client::{
    Auth, BasicCredentials, Error, EventStream, EventStreamConfig, MarathonEvent, StreamItem,
};

use crate::fake_marathon::{FakeMarathon, Reply, client, start};

const WAIT: Duration = Duration::from_secs(2);

/// A stream with short idle time and backoff, so that tests run fast.
fn stream(urls: &[String], auth: Auth) -> EventStream {
    let config = EventStreamConfig::default()
        .idle_timeout(Duration::from_millis(400))
        .backoff(Duration::from_millis(10), Duration::from_millis(40));
    client(urls, auth).events(&config)
}

fn expect_connected(stream: &mut EventStream) -> String {
    match stream.next_item().unwrap() {
        StreamItem::Connected { url } => url,
        other => panic!("expected a connection, got {other:?}"),
    }
}

fn expect_event(stream: &mut EventStream) -> MarathonEvent {
    match stream.next_item().unwrap() {
        StreamItem::Event(event) => event,
        other => panic!("expected an event, got {other:?}"),
    }
}

fn expect_disconnected(stream: &mut EventStream) -> Error {
    match stream.next_item().unwrap() {
        StreamItem::Disconnected { cause, .. } => cause,
        other => panic!("expected a disconnection, got {other:?}"),
    }
}

fn connected_pair(auth: Auth) -> (FakeMarathon, EventStream) {
    let fake = start();
    let mut events = stream(&[fake.url()], auth);
    expect_connected(&mut events);
    assert!(fake.wait_for_open_streams(1, WAIT));
    (fake, events)
}

#[test]
fn stream_asks_for_event_stream_with_filters_and_light_plans() {
    let (fake, _events) = connected_pair(Auth::None);
    let request = fake.requests().pop().unwrap();
    assert_eq!(request.header("accept"), Some("text/event-stream"));
    assert!(
        request
            .path
            .starts_with("/v2/events?plan-format=light&event_type="),
        "{}",
        request.path
    );
    assert!(
        request.path.contains("event_type=api_post_event"),
        "{}",
        request.path
    );
}

#[test]
fn events_arrive_in_order_and_keepalives_are_silent() {
    let (fake, mut events) = connected_pair(Auth::None);
    fake.set_keepalive(Duration::from_millis(10));
    std::thread::sleep(Duration::from_millis(50));

    fake.push_event("api_post_event", r#"{"eventType":"api_post_event","n":1}"#);
    fake.push_event("status_update_event", r#"{"n":2}"#);

    let first = expect_event(&mut events);
    assert_eq!(first.event_type.as_deref(), Some("api_post_event"));
    assert_eq!(first.data, r#"{"eventType":"api_post_event","n":1}"#);
    let second = expect_event(&mut events);
    assert_eq!(second.event_type.as_deref(), Some("status_update_event"));
}

#[test]
fn data_only_frames_take_their_type_from_the_json() {
    let (fake, mut events) = connected_pair(Auth::None);
    fake.push_raw(b"data: {\"eventType\":\"status_update_event\"}\r\n\r\n");
    let event = expect_event(&mut events);
    assert_eq!(event.event_type.as_deref(), Some("status_update_event"));
}

#[test]
fn dropped_stream_reconnects_and_says_so() {
    let (fake, mut events) = connected_pair(Auth::None);
    fake.drop_streams();

    let cause = expect_disconnected(&mut events);
    assert!(
        matches!(cause, Error::StreamClosed { .. } | Error::Transport { .. }),
        "{cause:?}"
    );
    expect_connected(&mut events);
    assert!(fake.wait_for_open_streams(1, WAIT));
    assert_eq!(fake.request_count("/v2/events"), 2);

    fake.push_event("api_post_event", "{}");
    assert_eq!(expect_event(&mut events).data, "{}");
}

#[test]
fn idle_stream_is_dropped_and_reopened() {
    let (fake, mut events) = connected_pair(Auth::None);
    fake.stall_streams();

    let started = Instant::now();
    let cause = expect_disconnected(&mut events);
    assert!(matches!(cause, Error::StreamIdle { .. }), "{cause:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    expect_connected(&mut events);
    assert_eq!(fake.request_count("/v2/events"), 2);
}

#[test]
fn keepalives_keep_an_idle_stream_open() {
    let (fake, mut events) = connected_pair(Auth::None);
    fake.set_keepalive(Duration::from_millis(50));
    // Longer than the idle timeout: only keepalives flow meanwhile.
    std::thread::sleep(Duration::from_millis(700));
    fake.push_event("api_post_event", "{}");
    expect_event(&mut events);
    assert_eq!(fake.request_count("/v2/events"), 1);
}

#[test]
fn standby_redirect_is_followed_to_the_leader_with_credentials() {
    let leader = start();
    leader.require_basic_auth("u", "p");
    let standby = start();
    standby.redirect_to(Some(&leader.url()));
    let auth = Auth::Basic(BasicCredentials::parse("u:p").unwrap());
    let mut events = stream(&[standby.url()], auth);

    let url = expect_connected(&mut events);
    assert!(
        url.starts_with(&format!("{}/v2/events?", leader.url())),
        "{url}"
    );
    assert!(leader.wait_for_open_streams(1, WAIT));
    leader.push_event("api_post_event", "{}");
    expect_event(&mut events);
    assert_eq!(standby.request_count("/v2/events"), 1);
}

#[test]
fn unreachable_marathon_keeps_retrying_with_growing_delays() {
    let dead = crate::fake_marathon::refused_url();
    let mut events = stream(&[dead], Auth::None);
    let mut delays = Vec::new();
    for _ in 0..4 {
        match events.next_item().unwrap() {
            StreamItem::Disconnected { cause, retry_in } => {
                assert!(matches!(cause, Error::Transport { .. }), "{cause:?}");
                delays.push(retry_in);
            }
            other => panic!("expected a disconnection, got {other:?}"),
        }
    }
    assert!(
        delays.iter().all(|d| *d <= Duration::from_millis(40)),
        "{delays:?}"
    );
    assert!(delays[3] >= Duration::from_millis(20), "{delays:?}");
}

#[test]
fn server_error_on_connect_is_retried() {
    let fake = start();
    fake.set_events_reply(Reply::Status(503));
    let mut events = stream(&[fake.url()], Auth::None);

    let cause = expect_disconnected(&mut events);
    assert_eq!(cause.status(), Some(503));
    fake.set_events_reply(Reply::Normal);
    expect_connected(&mut events);
}

#[test]
fn refused_credentials_are_returned_as_an_error() {
    let fake = start();
    fake.require_basic_auth("u", "p");
    let mut events = stream(&[fake.url()], Auth::None);
    let err = events.next_item().unwrap_err();
    assert_eq!(err.status(), Some(401));
}

#[test]
fn answer_that_is_not_an_event_stream_is_refused() {
    let fake = start();
    fake.set_events_reply(Reply::Garbage);
    let mut events = stream(&[fake.url()], Auth::None);
    let cause = expect_disconnected(&mut events);
    assert!(matches!(cause, Error::InvalidAnswer { .. }), "{cause:?}");
    assert!(cause.to_string().starts_with("invalid answer: "), "{cause}");
}
