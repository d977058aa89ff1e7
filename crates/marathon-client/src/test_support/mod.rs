//! A fake Marathon on 127.0.0.1 for integration tests (feature `test-support`).
//!
//! [`FakeMarathon`] serves `/v2/apps`, streams `/v2/events` with CRLF frames
//! and bare-CRLF keepalives, and can be told to change its apps, push,
//! drop or stall streams, answer with an error status or garbage, redirect
//! like a standby, and demand HTTP Basic or a DC/OS login. It uses only std
//! threads and hand-written HTTP/1.1, and is meant for tests only.
//!
//! ```
//! use marathon_client::{Client, test_support::FakeMarathon};
//!
//! let fake = FakeMarathon::start()?;
//! fake.set_apps(r#"{"apps": [{"id": "/web"}]}"#);
//! let client = Client::builder([fake.url()]).build()?;
//! assert_eq!(client.fetch_decoded_apps()?.apps[0].id, "/web");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod http1;
mod login;

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

pub use http1::RecordedRequest;
use login::DcosLogin;

/// How long a socket waits for a client that went quiet; keeps test
/// threads from hanging on forever.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a stalled answer holds its connection at most.
const STALL_LIMIT: Duration = Duration::from_secs(30);

/// How the fake answers a route.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reply {
    /// The normal answer: the apps document, or an event stream.
    Normal,
    /// This status, with a Marathon-style `{"message": ...}` body.
    Status(u16),
    /// Status 200 with a body that is not JSON.
    Garbage,
    /// Read the request, then say nothing until the client gives up.
    Stall,
}

/// A fake Marathon server; stops when dropped.
pub struct FakeMarathon {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    stopping: AtomicBool,
    apps: Mutex<String>,
    apps_reply: Mutex<Option<Reply>>,
    events_reply: Mutex<Option<Reply>>,
    redirect_to: Mutex<Option<String>>,
    basic: Mutex<Option<String>>,
    dcos: Mutex<Option<DcosLogin>>,
    requests: Mutex<Vec<RecordedRequest>>,
    streams: Mutex<Vec<Sender<StreamCommand>>>,
    open_streams: AtomicUsize,
    keepalive_ms: AtomicU64,
}

enum StreamCommand {
    Send(Vec<u8>),
    Stall,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not take the whole fake down with it.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FakeMarathon {
    /// Binds 127.0.0.1 on a free port and starts serving an empty apps
    /// list, with keepalives every 10 s as Marathon does.
    pub fn start() -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        r#"{"apps": []}"#.clone_into(&mut lock(&shared.apps));
        shared.keepalive_ms.store(10_000, Ordering::Relaxed);

        let accept_shared = Arc::clone(&shared);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_shared.stopping.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&accept_shared);
                thread::spawn(move || serve(&shared, &stream));
            }
        });
        Ok(FakeMarathon { addr, shared })
    }

    /// The base URL, such as `http://127.0.0.1:40123`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the apps document served by `/v2/apps`.
    pub fn set_apps(&self, json: &str) {
        json.clone_into(&mut lock(&self.shared.apps));
    }

    /// How `/v2/apps` answers from now on.
    pub fn set_apps_reply(&self, reply: Reply) {
        *lock(&self.shared.apps_reply) = Some(reply);
    }

    /// How `/v2/events` answers new connections from now on.
    pub fn set_events_reply(&self, reply: Reply) {
        *lock(&self.shared.events_reply) = Some(reply);
    }

    /// Acts as a standby: answers every request with a 302 to the same path
    /// on `leader_url`; `None` serves normally again.
    pub fn redirect_to(&self, leader_url: Option<&str>) {
        *lock(&self.shared.redirect_to) = leader_url.map(str::to_owned);
    }

    /// Demands HTTP Basic with these credentials on every `/v2` request.
    pub fn require_basic_auth(&self, user: &str, password: &str) {
        let creds = crate::BasicCredentials::parse(&format!("{user}:{password}"));
        *lock(&self.shared.basic) = creds.ok().map(|c| c.header_value().expose().to_owned());
    }

    /// Demands DC/OS tokens on every `/v2` request and serves the login
    /// endpoint (returned) for the service account `uid` whose private key
    /// is `private_key_pem`. Issued tokens are JWTs expiring after
    /// `token_lifetime`; login tokens are checked against the public key.
    pub fn enable_dcos_login(
        &self,
        uid: &str,
        private_key_pem: &str,
        token_lifetime: Duration,
    ) -> Result<String, crate::Error> {
        *lock(&self.shared.dcos) = Some(DcosLogin::new(uid, private_key_pem, token_lifetime)?);
        Ok(format!("{}{}", self.url(), login::LOGIN_PATH))
    }

    /// Makes every token issued so far invalid, as if it had expired.
    pub fn revoke_tokens(&self) {
        if let Some(dcos) = lock(&self.shared.dcos).as_mut() {
            dcos.revoke_all();
        }
    }

    /// How many successful DC/OS logins there were.
    #[must_use]
    pub fn login_count(&self) -> usize {
        lock(&self.shared.dcos)
            .as_ref()
            .map_or(0, DcosLogin::issued)
    }

    /// How often open streams send a bare CRLF keepalive. Default: 10 s.
    pub fn set_keepalive(&self, every: Duration) {
        let ms = u64::try_from(every.as_millis()).unwrap_or(u64::MAX).max(1);
        self.shared.keepalive_ms.store(ms, Ordering::Relaxed);
    }

    /// Sends an `event:`/`data:` frame with CRLF line ends to every open
    /// stream.
    pub fn push_event(&self, event_type: &str, data: &str) {
        self.push_raw(format!("event: {event_type}\r\ndata: {data}\r\n\r\n").as_bytes());
    }

    /// Sends raw bytes to every open stream, for frames in other shapes.
    pub fn push_raw(&self, bytes: &[u8]) {
        self.broadcast(|| StreamCommand::Send(bytes.to_vec()));
    }

    /// Closes every open stream abruptly, as a restarting Marathon would.
    pub fn drop_streams(&self) {
        // Dropping the senders ends each stream thread, which drops its
        // socket without the final chunk.
        lock(&self.shared.streams).clear();
    }

    /// Keeps every open stream connected but silent: no events and no
    /// keepalives.
    pub fn stall_streams(&self) {
        self.broadcast(|| StreamCommand::Stall);
    }

    /// How many event streams are open right now.
    #[must_use]
    pub fn open_streams(&self) -> usize {
        self.shared.open_streams.load(Ordering::SeqCst)
    }

    /// Waits until exactly `count` streams are open; false on timeout.
    #[must_use]
    pub fn wait_for_open_streams(&self, count: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.open_streams() == count {
                return true;
            }
            thread::sleep(Duration::from_millis(5));
        }
        false
    }

    /// Every request received so far, in order.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests went to this route (path without query).
    #[must_use]
    pub fn request_count(&self, route: &str) -> usize {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.route() == route)
            .count()
    }

    fn broadcast(&self, command: impl Fn() -> StreamCommand) {
        lock(&self.shared.streams).retain(|tx| tx.send(command()).is_ok());
    }
}

impl Drop for FakeMarathon {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Relaxed);
        lock(&self.shared.streams).clear();
        // The accept loop only looks at the flag when a connection comes
        // in, so make one.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

fn serve(shared: &Shared, stream: &TcpStream) {
    // Errors here mean the client went away; there is nobody to tell.
    let _ = stream.set_read_timeout(Some(SOCKET_TIMEOUT));
    let _ = stream.set_write_timeout(Some(SOCKET_TIMEOUT));
    let Ok(request) = http1::read_request(stream) else {
        return;
    };
    lock(&shared.requests).push(request.clone());
    let _ = route(shared, stream, &request);
}

fn route(shared: &Shared, stream: &TcpStream, request: &RecordedRequest) -> io::Result<()> {
    if let Some(leader) = lock(&shared.redirect_to).clone() {
        let location = format!("{leader}{}", request.path);
        return http1::write_response(stream, 302, &[("Location", &location)], b"");
    }

    if request.route() == login::LOGIN_PATH {
        let answer = lock(&shared.dcos)
            .as_mut()
            .map(|dcos| dcos.login(&request.body));
        return match answer {
            Some(Ok(body)) => json(stream, 200, &body),
            Some(Err(reason)) => json(stream, 401, &message(reason)),
            None => json(stream, 404, &message("no login here")),
        };
    }

    if !authorized(shared, request) {
        let challenge = if lock(&shared.dcos).is_some() {
            "acsjwt"
        } else {
            "Basic realm=\"m\""
        };
        let body = message("Invalid username or password.");
        return http1::write_response(
            stream,
            401,
            &[
                ("WWW-Authenticate", challenge),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        );
    }

    match request.route() {
        "/v2/apps" => {
            let reply = lock(&shared.apps_reply).clone().unwrap_or(Reply::Normal);
            let apps = lock(&shared.apps).clone();
            answer(shared, stream, &reply, || json(stream, 200, &apps))
        }
        "/v2/events" => {
            if !request
                .header("accept")
                .is_some_and(|a| a.contains("text/event-stream"))
            {
                return json(stream, 405, &message("use Accept: text/event-stream"));
            }
            let reply = lock(&shared.events_reply).clone().unwrap_or(Reply::Normal);
            answer(shared, stream, &reply, || event_stream(shared, stream))
        }
        _ => json(stream, 404, &message("not found")),
    }
}

fn answer(
    shared: &Shared,
    stream: &TcpStream,
    reply: &Reply,
    normal: impl FnOnce() -> io::Result<()>,
) -> io::Result<()> {
    match reply {
        Reply::Normal => normal(),
        Reply::Status(status) => json(stream, *status, &message("fake failure")),
        Reply::Garbage => http1::write_response(stream, 200, &[], b"<html>oops</html>"),
        Reply::Stall => {
            let deadline = Instant::now() + STALL_LIMIT;
            while Instant::now() < deadline && !shared.stopping.load(Ordering::Relaxed) {
                thread::sleep(Duration::from_millis(20));
            }
            Ok(())
        }
    }
}

fn authorized(shared: &Shared, request: &RecordedRequest) -> bool {
    let given = request.header("authorization");
    if let Some(expected) = lock(&shared.basic).as_deref() {
        if given != Some(expected) {
            return false;
        }
    }
    if let Some(dcos) = lock(&shared.dcos).as_ref() {
        let token = given.and_then(|g| g.strip_prefix("token="));
        if !token.is_some_and(|t| dcos.accepts(t)) {
            return false;
        }
    }
    true
}

fn event_stream(shared: &Shared, stream: &TcpStream) -> io::Result<()> {
    let (tx, rx) = mpsc::channel();
    http1::write_stream_head(stream)?;
    lock(&shared.streams).push(tx);
    shared.open_streams.fetch_add(1, Ordering::SeqCst);

    let mut stalled = false;
    let result = loop {
        let every = Duration::from_millis(shared.keepalive_ms.load(Ordering::Relaxed));
        let written = match rx.recv_timeout(every) {
            Ok(StreamCommand::Send(bytes)) if !stalled => http1::write_chunk(stream, &bytes),
            Err(RecvTimeoutError::Timeout) if !stalled => http1::write_chunk(stream, b"\r\n"),
            Ok(StreamCommand::Stall) => {
                stalled = true;
                Ok(())
            }
            Ok(StreamCommand::Send(_)) | Err(RecvTimeoutError::Timeout) => Ok(()),
            Err(RecvTimeoutError::Disconnected) => break Ok(()),
        };
        if written.is_err() || shared.stopping.load(Ordering::Relaxed) || peer_closed(stream) {
            break written;
        }
    };
    shared.open_streams.fetch_sub(1, Ordering::SeqCst);
    result
}

/// Whether the client hung up, which a silent (stalled) stream would
/// otherwise never notice.
fn peer_closed(stream: &TcpStream) -> bool {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(1)));
    let closed = match stream.peek(&mut [0u8; 1]) {
        Ok(n) => n == 0,
        Err(err) => !matches!(
            err.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ),
    };
    let _ = stream.set_read_timeout(Some(SOCKET_TIMEOUT));
    closed
}

fn json(stream: &TcpStream, status: u16, body: &str) -> io::Result<()> {
    http1::write_response(
        stream,
        status,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

fn message(text: &str) -> String {
    serde_json::json!({ "message": text }).to_string()
}
