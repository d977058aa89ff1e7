//! The operator endpoints marathon-lb users script against, served to HAProxy on loopback.
//!
//! marathon-lb answered these paths from Lua scripts inside HAProxy. mlb
//! answers them itself on a small listener (`--admin-address`, by default
//! `127.0.0.1:9092`), and the default `HAPROXY_HEAD` routes them there from
//! the stats port 9090, so `curl http://lb:9090/_haproxy_getconfig` works
//! as before:
//!
//! | path | answer |
//! |---|---|
//! | `/_haproxy_getconfig` | the live config file |
//! | `/_haproxy_getvhostmap` | `domain2backend.map` (empty without `--haproxy-map`) |
//! | `/_haproxy_getappmap` | `app2backend.map` (empty without `--haproxy-map`) |
//! | `/_haproxy_getpids` | the pids of every `haproxy` process, as `pidof` prints them |
//! | `/_mlb_signal/hup` | asks for a resync from Marathon, like SIGHUP |
//! | `/_mlb_signal/usr1` | asks for a reload of the config on disk, like SIGUSR1 |
//!
//! GET (and HEAD) only, as marathon-lb had it, so that existing scripts
//! keep working. The signal endpoints only ask: the daemon's loop runs
//! at most one update at a time and serves many asks with one update.
//!
//! One thread serves one connection at a time. Requests are read up to
//! [`MAX_REQUEST_BYTES`] and within [`IO_TIMEOUT`], so a slow or hostile
//! client can hold the listener for a few seconds at most.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::thread;
use std::time::Duration;

use crate::daemon::Trigger;
use crate::{debug, info};

/// The largest request head read; longer ones get 431.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;

/// How long a connection may take to send its request or read the answer.
pub const IO_TIMEOUT: Duration = Duration::from_secs(2);

/// What the endpoints read from.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// The live config file.
    pub config_path: PathBuf,
    /// Whether the map files are in use (`--haproxy-map`).
    pub haproxy_map: bool,
    /// Where the signal endpoints send their asks.
    pub triggers: Sender<Trigger>,
}

/// An answer: status, reason and body.
#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: &'static str,
    /// The body, text.
    pub body: String,
}

impl Response {
    fn ok(body: String) -> Self {
        Response {
            status: 200,
            reason: "OK",
            body,
        }
    }

    fn error(status: u16, reason: &'static str) -> Self {
        Response {
            status,
            reason,
            body: format!("{}\n", reason.to_ascii_lowercase()),
        }
    }
}

/// Binds `address` and serves the endpoints from a thread of their own;
/// returns the address actually bound.
pub fn start(address: &str, endpoints: Endpoints) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(address)?;
    let bound = listener.local_addr()?;
    thread::Builder::new()
        .name("admin".to_owned())
        .spawn(move || {
            for stream in listener.incoming() {
                match stream {
                    Ok(stream) => serve(&stream, &endpoints),
                    Err(err) => debug!("admin listener: accepting a connection failed: {err}"),
                }
            }
        })?;
    info!("operator endpoints listening on {bound}");
    Ok(bound)
}

fn serve(stream: &TcpStream, endpoints: &Endpoints) {
    // A client that vanishes mid-request has nobody left to answer to.
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let (head_only, response) = match read_head(stream) {
        Ok(head) => match parse_request_line(&head) {
            Some((method, target)) => (method == "HEAD", answer(method, target, endpoints)),
            None => (false, Response::error(400, "Bad Request")),
        },
        Err(response) => (false, response),
    };
    let _ = write_response(stream, &response, head_only);
    linger(stream);
}

/// Closes gently: a close with unread request bytes makes the kernel send
/// a reset, which can destroy the answer before the client reads it. So
/// the writing side is shut first and a bounded rest of the request is
/// read and dropped.
fn linger(mut stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 4096];
    for _ in 0..16 {
        match stream.read(&mut buf) {
            Ok(n) if n > 0 => {}
            _ => return,
        }
    }
}

/// Reads up to the blank line that ends the request head.
fn read_head(mut stream: &TcpStream) -> Result<String, Response> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && !head.windows(2).any(|w| w == b"\n\n") {
        if head.len() > MAX_REQUEST_BYTES {
            return Err(Response::error(431, "Request Header Fields Too Large"));
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(_) => return Err(Response::error(408, "Request Timeout")),
        }
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// The method and target of `GET /path HTTP/1.1`.
fn parse_request_line(head: &str) -> Option<(&str, &str)> {
    let mut words = head.lines().next()?.split_whitespace();
    let method = words.next()?;
    let target = words.next()?;
    words.next()?.strip_prefix("HTTP/")?;
    Some((method, target))
}

/// The answer to one request; signal endpoints send their ask on the way.
#[must_use]
pub fn answer(method: &str, target: &str, endpoints: &Endpoints) -> Response {
    if method != "GET" && method != "HEAD" {
        return Response::error(405, "Method Not Allowed");
    }
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let map = |name: &str| {
        if endpoints.haproxy_map {
            read_or_empty(&sibling(&endpoints.config_path, name))
        } else {
            Response::ok(String::new())
        }
    };
    match path {
        "/_haproxy_getconfig" => match std::fs::read_to_string(&endpoints.config_path) {
            Ok(text) => Response::ok(text),
            Err(_) => Response::error(404, "Not Found"),
        },
        "/_haproxy_getvhostmap" => map("domain2backend.map"),
        "/_haproxy_getappmap" => map("app2backend.map"),
        "/_haproxy_getpids" => Response::ok(pidof("haproxy")),
        "/_mlb_signal/hup" => ask(endpoints, Trigger::Resync("/_mlb_signal/hup"), "resync"),
        "/_mlb_signal/usr1" => ask(
            endpoints,
            Trigger::ReloadOnDisk("/_mlb_signal/usr1"),
            "reload",
        ),
        _ => Response::error(404, "Not Found"),
    }
}

fn ask(endpoints: &Endpoints, trigger: Trigger, what: &str) -> Response {
    match endpoints.triggers.send(trigger) {
        Ok(()) => Response::ok(format!("{what} requested\n")),
        Err(_) => Response::error(503, "Service Unavailable"),
    }
}

fn read_or_empty(path: &Path) -> Response {
    match std::fs::read_to_string(path) {
        Ok(text) => Response::ok(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Response::ok(String::new()),
        Err(_) => Response::error(500, "Internal Server Error"),
    }
}

fn sibling(config: &Path, name: &str) -> PathBuf {
    config.parent().unwrap_or(Path::new("")).join(name)
}

/// The pids of the processes named `name`, newest first and separated by
/// spaces, as `pidof` prints them; empty when there is none.
#[must_use]
pub fn pidof(name: &str) -> String {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return String::new();
    };
    let mut pids: Vec<u32> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim_end() == name)
        })
        .collect();
    if pids.is_empty() {
        return String::new();
    }
    pids.sort_unstable_by(|a, b| b.cmp(a));
    let list: Vec<String> = pids.iter().map(u32::to_string).collect();
    format!("{}\n", list.join(" "))
}

fn write_response(
    mut stream: &TcpStream,
    response: &Response,
    head_only: bool,
) -> std::io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n",
        response.status,
        response.reason,
        response.body.len()
    );
    if response.status == 405 {
        out.push_str("Allow: GET, HEAD\r\n");
    }
    out.push_str("\r\n");
    if !head_only {
        out.push_str(&response.body);
    }
    stream.write_all(out.as_bytes())?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{self, Receiver};

    use super::*;

    fn endpoints(haproxy_map: bool) -> (Endpoints, Receiver<Trigger>, PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("mlb-admin-{}-{haproxy_map}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("haproxy.cfg"), "global\n").unwrap();
        std::fs::write(dir.join("domain2backend.map"), "a.example a_80\n").unwrap();
        let (triggers, rx) = mpsc::channel();
        let endpoints = Endpoints {
            config_path: dir.join("haproxy.cfg"),
            haproxy_map,
            triggers,
        };
        (endpoints, rx, dir)
    }

    #[test]
    fn files_are_served_and_maps_only_in_map_mode() {
        let (with_maps, _rx, dir) = endpoints(true);
        assert_eq!(
            answer("GET", "/_haproxy_getconfig", &with_maps).body,
            "global\n"
        );
        assert_eq!(
            answer("GET", "/_haproxy_getvhostmap?x=1", &with_maps).body,
            "a.example a_80\n"
        );
        assert_eq!(
            answer("GET", "/_haproxy_getappmap", &with_maps),
            Response::ok(String::new())
        );

        let (plain, _rx, _) = endpoints(false);
        assert_eq!(answer("GET", "/_haproxy_getvhostmap", &plain).body, "");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn signal_endpoints_ask_the_daemon() {
        let (endpoints, rx, _) = endpoints(false);
        assert_eq!(answer("GET", "/_mlb_signal/hup", &endpoints).status, 200);
        assert_eq!(answer("GET", "/_mlb_signal/usr1", &endpoints).status, 200);
        assert!(matches!(rx.try_recv(), Ok(Trigger::Resync(_))));
        assert!(matches!(rx.try_recv(), Ok(Trigger::ReloadOnDisk(_))));
    }

    #[test]
    fn other_methods_and_paths_are_refused() {
        let (endpoints, rx, _) = endpoints(false);
        assert_eq!(answer("POST", "/_mlb_signal/hup", &endpoints).status, 405);
        assert_eq!(answer("GET", "/_mlb_signal/kill", &endpoints).status, 404);
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn request_lines_need_a_method_a_target_and_a_version() {
        assert_eq!(
            parse_request_line("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"),
            Some(("GET", "/x"))
        );
        assert_eq!(parse_request_line("GET /x\r\n\r\n"), None);
        assert_eq!(parse_request_line(""), None);
    }

    #[test]
    fn pidof_lists_newest_first_and_finds_nothing_for_unknown_names() {
        assert_eq!(pidof("no-such-process-name"), "");
        let own = std::fs::read_to_string("/proc/self/comm").unwrap();
        let listed = pidof(own.trim_end());
        assert!(listed.ends_with('\n'));
        let pids: Vec<u32> = listed
            .split_whitespace()
            .map(|p| p.parse().unwrap())
            .collect();
        assert!(pids.contains(&std::process::id()));
        assert!(pids.windows(2).all(|w| w[0] > w[1]));
    }

    #[test]
    fn oversized_requests_get_431_over_a_real_socket() {
        let (endpoints, _rx, _) = endpoints(false);
        let addr = start("127.0.0.1:0", endpoints).unwrap();
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(MAX_REQUEST_BYTES * 2));
        let _ = stream.write_all(long.as_bytes());
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    }
}
