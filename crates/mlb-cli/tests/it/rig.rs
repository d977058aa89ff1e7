//! A live test rig on 127.0.0.1: fake Marathon, real HAProxy, real backends, the real binary.
//!
//! Every port is picked free by binding port 0 and letting go of it.
//! HAProxy runs in master-worker mode (`-W`) and is reloaded by the
//! `--command` the rig gives mlb, `kill -USR2 <master>`, which also
//! appends to a log so tests can count reloads. Every wait is bounded:
//! [`wait_until`] polls a condition and fails the test with the last state
//! it saw.

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use marathon_client::test_support::FakeMarathon;

use crate::apply::{TempDir, require_haproxy};

/// How long a test waits for anything before it fails.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// How often a waiting test looks again.
const POLL: Duration = Duration::from_millis(80);

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Polls `check` until it returns `Ok`, at most [`PATIENCE`]; then fails
/// with what `check` said last.
pub fn wait_until<T>(what: &str, mut check: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match check() {
            Ok(value) => return value,
            Err(last) if Instant::now() >= deadline => {
                panic!("timed out after {PATIENCE:?} waiting for {what}; last state: {last}")
            }
            Err(_) => thread::sleep(POLL),
        }
    }
}

/// `GET path` on 127.0.0.1:port over a fresh connection: status and body.
pub fn http_get(port: u16, path: &str) -> Result<(u16, String), String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect {port}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: test.invalid\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("send: {e}"))?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .map_err(|e| format!("read: {e}"))?;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no head in {answer:?}"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status in {head:?}"))?;
    Ok((status, body.to_owned()))
}

/// The backend names that answer `count` requests on a port; an error
/// names the first failure.
pub fn names_served(port: u16, count: usize) -> Result<Vec<String>, String> {
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        match http_get(port, "/")? {
            (200, body) => names.push(body),
            (status, body) => return Err(format!("status {status}: {body:?}")),
        }
    }
    Ok(names)
}

/// Waits until `count` requests on `port` reach exactly the backends in
/// `expected`, each at least once.
pub fn wait_served_by(port: u16, expected: &[&str], count: usize) {
    let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    wait_until(&format!("port {port} served by {expected:?}"), || {
        let names = names_served(port, count)?;
        let seen: BTreeSet<String> = names.iter().cloned().collect();
        if seen == expected {
            Ok(())
        } else {
            Err(format!("served by {names:?}"))
        }
    });
}

/// Replaces the value of `flag` in `args`, which must hold it.
pub fn set_arg(args: &mut [String], flag: &str, value: &str) {
    let at = args.iter().position(|arg| arg == flag).unwrap();
    value.clone_into(&mut args[at + 1]);
}

/// A tiny HTTP server on loopback answering every request with its name.
pub struct Backend {
    pub port: u16,
    hits: Arc<AtomicUsize>,
    stopping: Arc<AtomicBool>,
}

impl Backend {
    pub fn start(name: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let stopping = Arc::new(AtomicBool::new(false));
        let (name, counter, stop) = (name.to_owned(), Arc::clone(&hits), Arc::clone(&stopping));
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(mut stream) = stream else { continue };
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                // Read the request head, bounded, then answer and close.
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while head.len() < 16 * 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{name}",
                    name.len()
                );
                let _ = stream.shutdown(Shutdown::Write);
            }
        });
        Backend {
            port,
            hits,
            stopping,
        }
    }

    /// How many connections reached this backend.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// A Marathon app serving on `service_port` with one task per backend,
/// bound to 127.0.0.1 in http mode; `extra` adds labels (JSON members).
pub fn app(id: &str, service_port: u16, backends: &[&Backend], extra: &str) -> String {
    let tasks: Vec<String> = backends
        .iter()
        .map(|b| {
            format!(
                r#"{{"id": "{}.{}", "host": "127.0.0.1", "ports": [{}], "state": "TASK_RUNNING"}}"#,
                id.trim_start_matches('/'),
                b.port,
                b.port
            )
        })
        .collect();
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(", {extra}")
    };
    format!(
        r#"{{"id": "{id}", "labels": {{"HAPROXY_GROUP": "external", "HAPROXY_0_BIND_ADDR": "127.0.0.1",
             "HAPROXY_0_MODE": "http"{extra}}},
            "portDefinitions": [{{"port": {service_port}}}], "tasks": [{}]}}"#,
        tasks.join(", ")
    )
}

/// An apps document of these apps.
pub fn apps(apps: &[String]) -> String {
    format!(r#"{{"apps": [{}]}}"#, apps.join(", "))
}

/// A running HAProxy in master-worker mode; stopped when dropped.
pub struct Haproxy {
    child: Child,
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        // SIGTERM lets the master take its workers down; SIGKILL after a
        // bounded wait in case it does not.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `mlb-cli`, its stderr collected line by line.
pub struct Mlb {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Mlb {
    /// Every line logged so far.
    pub fn logs(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// How many lines logged so far contain `text`.
    pub fn count(&self, text: &str) -> usize {
        self.logs()
            .iter()
            .filter(|line| line.contains(text))
            .count()
    }

    /// Waits until a logged line contains `text`.
    pub fn wait_log(&self, text: &str) {
        wait_until(&format!("a log line with {text:?}"), || {
            if self.count(text) > 0 {
                Ok(())
            } else {
                Err(self.logs().join("\n"))
            }
        });
    }

    /// Sends a signal, such as `HUP`.
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{name} failed");
    }

    /// Waits for the process to exit on its own.
    pub fn wait_exit(&mut self) -> ExitStatus {
        wait_until("mlb-cli to exit", || match self.child.try_wait() {
            Ok(Some(status)) => Ok(status),
            _ => Err(self.logs().join("\n")),
        })
    }
}

impl Drop for Mlb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Everything a live test needs, in one temporary directory.
pub struct Rig {
    pub dir: TempDir,
    pub marathon: FakeMarathon,
    pub stats_port: u16,
    pub admin_port: u16,
    appid_port: u16,
    haproxy: Option<Haproxy>,
}

impl Rig {
    /// A fake Marathon serving no apps, and an initial config; HAProxy is
    /// not started yet.
    pub fn new() -> Self {
        require_haproxy();
        let dir = TempDir::new();
        let marathon = FakeMarathon::start().unwrap();
        // Keepalives well within the idle timeout the rig gives mlb.
        marathon.set_keepalive(Duration::from_millis(500));
        let rig = Rig {
            dir,
            marathon,
            stats_port: free_port(),
            admin_port: free_port(),
            appid_port: free_port(),
            haproxy: None,
        };
        let initial = format!("{}{}", rig.head(), rig.appid_frontend());
        fs::write(rig.config_path(), initial).unwrap();
        rig
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn config_path(&self) -> PathBuf {
        self.path("haproxy.cfg")
    }

    pub fn config(&self) -> String {
        fs::read_to_string(self.config_path()).unwrap_or_default()
    }

    /// How often the reload command ran.
    pub fn reloads(&self) -> usize {
        fs::read_to_string(self.path("reloads")).map_or(0, |log| log.lines().count())
    }

    /// The HAProxy master's pid.
    pub fn master_pid(&self) -> u32 {
        fs::read_to_string(self.path("haproxy.pid"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    /// A minimal head: a stats socket in the rig's directory for seamless
    /// reloads, and the stats listener routing the operator paths to mlb.
    fn head(&self) -> String {
        format!(
            "global\n  maxconn 1000\n  stats socket {sock} mode 600 level admin expose-fd listeners\n\
             defaults\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n\
             listen stats\n  bind 127.0.0.1:{stats}\n  mode http\n  stats enable\n\
             \x20 monitor-uri /_haproxy_health_check\n\
             \x20 use_backend mlb_admin if {{ path /_haproxy_getconfig /_haproxy_getvhostmap \
             /_haproxy_getappmap /_haproxy_getpids }} || {{ path_beg /_mlb_signal/ }}\n\
             backend mlb_admin\n  mode http\n  server mlb 127.0.0.1:{admin}\n",
            sock = self.path("haproxy.sock").display(),
            stats = self.stats_port,
            admin = self.admin_port,
        )
    }

    fn appid_frontend(&self) -> String {
        format!(
            "\nfrontend marathon_http_appid_in\n  bind 127.0.0.1:{}\n  mode http\n",
            self.appid_port
        )
    }

    /// Starts HAProxy on the current config and waits until it answers.
    pub fn start_haproxy(&mut self) {
        let log = fs::File::create(self.path("haproxy.out")).unwrap();
        let child = Command::new("haproxy")
            .arg("-W")
            .arg("-f")
            .arg(self.config_path())
            .arg("-p")
            .arg(self.path("haproxy.pid"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting haproxy");
        self.haproxy = Some(Haproxy { child });
        let port = self.stats_port;
        wait_until("haproxy to answer on its stats port", || {
            http_get(port, "/_haproxy_health_check").and_then(|(status, _)| {
                if status == 200 {
                    Ok(())
                } else {
                    Err(format!("status {status}"))
                }
            })
        });
        wait_until("haproxy's pid file", || {
            fs::read_to_string(self.path("haproxy.pid"))
                .ok()
                .filter(|pid| !pid.trim().is_empty())
                .ok_or_else(|| "no pid file yet".to_owned())
        });
    }

    /// The arguments of a live run against this rig, before `extra`.
    pub fn args(&self, subcommand: &str, extra: &[&str]) -> Vec<String> {
        let reload = self.reload_command();
        let mut args: Vec<String> = [
            subcommand,
            "--marathon",
            &self.marathon.url(),
            "--haproxy-config",
            &self.config_path().display().to_string(),
            "--dont-bind-http-https",
            "--command",
            &reload,
            "--reload-interval",
            "0.2",
            "--max-reload-retries",
            "3",
            "--admin-address",
            &format!("127.0.0.1:{}", self.admin_port),
            "--syslog-socket",
            "/dev/null",
            "--log-level",
            "debug",
            "--sse-idle-timeout",
            "5",
            "--event-quiet-period",
            "0.2",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    }

    /// Starts `mlb-cli` with these arguments, and the rig's head and app-id
    /// frontend as global template overrides.
    pub fn spawn_mlb(&self, args: &[String]) -> Mlb {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlb-cli"))
            .args(args)
            .current_dir(self.dir.path())
            .env("HAPROXY_HEAD", self.head())
            .env("HAPROXY_HTTP_FRONTEND_APPID_HEAD", self.appid_frontend())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting mlb-cli");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&lines);
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                sink.lock().unwrap().push(line);
            }
        });
        Mlb { child, lines }
    }

    /// Has Marathon list one app, `/web`, on a free service port, its
    /// tasks served by `backends`. Gives the port.
    pub fn serve_web(&self, backends: &[&Backend]) -> u16 {
        let port = free_port();
        self.marathon
            .set_apps(&apps(&[app("/web", port, backends, "")]));
        port
    }

    /// Waits until mlb has stopped fetching: the fetch count stays the same
    /// for half a second. Returns that count.
    pub fn settled_fetches(&self) -> usize {
        let mut last = self.marathon.request_count("/v2/apps");
        wait_until("fetches to settle", || {
            thread::sleep(Duration::from_millis(500));
            let now = self.marathon.request_count("/v2/apps");
            if now == last {
                Ok(now)
            } else {
                let moved = format!("{last} -> {now} fetches");
                last = now;
                Err(moved)
            }
        })
    }

    /// The reload command the rig gives mlb: log, then `kill -USR2`.
    pub fn reload_command(&self) -> String {
        format!(
            "echo reload >> '{}' && kill -USR2 $(cat '{}')",
            self.path("reloads").display(),
            self.path("haproxy.pid").display()
        )
    }

    /// Starts `mlb-cli sse` against the rig.
    pub fn sse(&self, extra: &[&str]) -> Mlb {
        self.spawn_mlb(&self.args("sse", extra))
    }

    /// Runs `mlb-cli poll --once` to the end: its exit status and logs.
    pub fn poll_once(&self, extra: &[&str]) -> (ExitStatus, Vec<String>) {
        let mut args = self.args("poll", extra);
        args.push("--once".to_owned());
        let mut mlb = self.spawn_mlb(&args);
        let status = mlb.wait_exit();
        // The reader thread may still hold the last lines.
        thread::sleep(Duration::from_millis(50));
        (status, mlb.logs())
    }
}
