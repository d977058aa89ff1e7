//! Shared helpers around the crate's `FakeMarathon` and checks of the fake itself.

use std::net::TcpListener;
use std::time::Duration;

pub use marathon_client::test_support::{FakeMarathon, Reply};
use marathon_client::{Auth, Client, ClientBuilder};

/// An apps document with one app and one running task.
pub const ONE_APP: &str = r#"{"apps": [{
    "id": "/web",
    "instances": 1,
    "labels": {"HAPROXY_GROUP": "external"},
    "portDefinitions": [{"port": 10000}],
    "tasks": [{"id": "web.1", "appId": "/web", "host": "10.0.0.1", "ports": [31000],
               "state": "TASK_RUNNING"}]
}]}"#;

/// An apps document with two apps.
pub const TWO_APPS: &str =
    r#"{"apps": [{"id": "/web", "tasks": []}, {"id": "/api", "tasks": []}]}"#;

/// Starts a fake, failing the test if the port cannot be bound.
pub fn start() -> FakeMarathon {
    FakeMarathon::start().expect("fake marathon binds 127.0.0.1")
}

/// A client builder with timeouts short enough for tests.
pub fn quick<I, S>(urls: I) -> ClientBuilder
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Client::builder(urls)
        .connect_timeout(Duration::from_millis(500))
        .request_timeout(Duration::from_secs(2))
}

/// A client with test timeouts and the given auth.
pub fn client(urls: &[String], auth: Auth) -> Client {
    quick(urls.iter().cloned())
        .auth(auth)
        .build()
        .expect("client builds")
}

/// A URL on 127.0.0.1 where nothing listens, so connecting is refused.
pub fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener.local_addr().expect("local address");
    drop(listener);
    format!("http://{addr}")
}

#[test]
fn fake_records_requests_with_headers() {
    let fake = start();
    let client = client(&[fake.url()], Auth::None);
    client.fetch_apps().unwrap();
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/v2/apps?embed=apps.tasks");
    assert_eq!(requests[0].header("Accept"), Some("application/json"));
}

#[test]
fn fake_answers_unknown_routes_with_404() {
    let fake = start();
    let err = client(&[fake.url()], Auth::None)
        .get_bytes("/v2/nothing")
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
}
