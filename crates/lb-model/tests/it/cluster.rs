//! Random small Marathon clusters as JSON, and the same clusters reordered.
//!
//! The apps are realistic rather than arbitrary: ids, ports, hosts and
//! label values come from small sets so that apps collide on service ports,
//! share deployment groups and vhosts, and carry both good and bad label
//! values. `mlb-cli`'s render-level properties include this file too, so the
//! model and the whole render path are checked on the same clusters.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lb_model::{APP_LABELS, LABELS};
use proptest::prelude::*;
use proptest::sample::select;

/// A JSON value whose object keys keep the order they are written in, so
/// that the same document can be written with its keys in another order.
#[derive(Debug, Clone)]
pub enum Json {
    Str(String),
    Num(i64),
    Bool(bool),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

fn s(text: &str) -> Json {
    Json::Str(text.to_owned())
}

fn obj(fields: Vec<(&str, Json)>) -> Json {
    Json::Obj(
        fields
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect(),
    )
}

/// A small deterministic shuffler; proptest hands it a seed so that a
/// failing case replays exactly.
struct Shuffler(u64);

impl Shuffler {
    /// splitmix64: enough mixing for test permutations.
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = usize::try_from(self.next() % (i as u64 + 1)).unwrap();
            items.swap(i, j);
        }
    }
}

/// Writes `text` as a JSON string. Written by hand: in debug builds, where
/// these tests usually run, it writes documents a third faster than
/// `serde_json` does.
fn string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => write!(out, "\\u{:04x}", u32::from(c)).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl Json {
    fn write(&self, out: &mut String) {
        match self {
            Json::Str(text) => string(text, out),
            Json::Num(n) => write!(out, "{n}").unwrap(),
            Json::Bool(b) => write!(out, "{b}").unwrap(),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    string(key, out);
                    out.push_str(": ");
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    /// The same value with the keys of every object shuffled, and the
    /// elements of every array named `tasks` or `apps` too: those are the
    /// lists whose order carries no meaning in Marathon's answer.
    fn reordered(&self, shuffler: &mut Shuffler) -> Json {
        match self {
            Json::Arr(items) => Json::Arr(items.iter().map(|i| i.reordered(shuffler)).collect()),
            Json::Obj(fields) => {
                let mut fields: Vec<(String, Json)> = fields
                    .iter()
                    .map(|(key, value)| {
                        let mut value = value.reordered(shuffler);
                        if let (Json::Arr(items), "tasks" | "apps") = (&mut value, key.as_str()) {
                            shuffler.shuffle(items);
                        }
                        (key.clone(), value)
                    })
                    .collect();
                shuffler.shuffle(&mut fields);
                Json::Obj(fields)
            }
            other => other.clone(),
        }
    }
}

/// The configuration of every property over clusters: 10,000 cases, the
/// count CI must run; `PROPTEST_CASES` overrides it for a quicker local
/// run or a longer hunt.
///
/// The random generator is `XorShift` rather than proptest's default
/// `ChaCha`: in debug builds `ChaCha` took more than half the time of
/// generating a cluster, and these tests need spread, not secrecy.
pub fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 10_000,
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

/// The apps document of `apps`, written in the order generated.
pub fn document(apps: &[Json]) -> String {
    let mut out = String::new();
    obj(vec![("apps", Json::Arr(apps.to_vec()))]).write(&mut out);
    out
}

/// The same apps document with apps, tasks and object keys shuffled by
/// `seed`; half the time as a bare array, which must read the same.
pub fn reordered_document(apps: &[Json], seed: u64) -> String {
    let mut shuffler = Shuffler(seed);
    let mut apps = Json::Arr(apps.to_vec()).reordered(&mut shuffler);
    if let Json::Arr(items) = &mut apps {
        shuffler.shuffle(items);
    }
    let mut out = String::new();
    if shuffler.next() % 2 == 0 {
        apps.write(&mut out);
    } else {
        obj(vec![("apps", apps)]).write(&mut out);
    }
    out
}

const APP_IDS: &[&str] = &[
    "/web",
    "/api",
    "/shop/cart",
    "/shop/pay",
    "/db",
    "/blue",
    "/green",
    "/metrics",
];

/// Per-port label names (without `HAPROXY_{n}_`) and values to pick from,
/// good and bad, including template overrides that do not compile.
const PORT_LABELS: &[(&str, &[&str])] = &[
    (
        "VHOST",
        &[
            "web.example.com",
            "Shop.Example.com",
            "a.example.com,b.example.com",
        ],
    ),
    ("PATH", &["/api", "/", "-i /a /b"]),
    ("AUTH", &["realm:admin:$6$hash", "realm:admin"]),
    ("BACKEND_WEIGHT", &["0", "1", "5", "-2", "heavy"]),
    ("REDIRECT_TO_HTTPS", &["true", "false"]),
    ("USE_HSTS", &["true", "no"]),
    ("STICKY", &["yes", "false"]),
    ("MODE", &["http", "tcp", "HTTP"]),
    ("GROUP", &["external", "internal", "external,internal"]),
    ("PORT", &["10010", "10011", "eighty"]),
    (
        "BACKEND_HEALTHCHECK_PORT_INDEX",
        &["0", "1", "2", "-1", "x"],
    ),
    ("BALANCE", &["leastconn"]),
    ("BIND_ADDR", &["127.0.0.1"]),
    ("BIND_OPTIONS", &["alpn h2", "ciphers X"]),
    ("SSL_CERT", &["/etc/ssl/a.pem", "/etc/ssl/b.pem"]),
    ("HTTP_BACKEND_PROXYPASS_PATH", &["/proxy"]),
    ("HTTP_BACKEND_REVPROXY_PATH", &["/rev"]),
    ("HTTP_BACKEND_REDIR", &["/home"]),
    ("BACKEND_NETWORK_ALLOWED_ACL", &["10.0.0.0/8 192.168.1.1"]),
    ("ENABLED", &["true", "false"]),
    (
        "BACKEND_HEAD",
        &[
            "\nbackend {backend}\n  balance {balance}\n  mode {mode}\n  # custom\n",
            "backend {nope}\n",
        ],
    ),
    (
        "FRONTEND_HEAD",
        &[
            "\nfrontend {backend}\n  bind {bindAddr}:{servicePort}\n  mode {mode}\n",
            "frontend {backend\n",
        ],
    ),
    (
        "HTTP_FRONTEND_ACL",
        &[
            "  acl host_{cleanedUpHostname} hdr(host) -i {hostname}\n  use_backend {backend} if host_{cleanedUpHostname}\n",
        ],
    ),
];

const HOSTS: &[&str] = &["10.0.0.1", "10.0.0.2", "10.0.0.3"];
const TIMES: &[&str] = &[
    "2026-01-01T00:00:00Z",
    "2026-01-02T00:00:00.000Z",
    "not a time",
];

/// The most service ports an app gets. Parts of an app are generated for
/// this many ports and cut down to the app's own count, so that no strategy
/// depends on another's value: `prop_flat_map` builds new strategies for
/// every case, and without it clusters are generated faster.
const MAX_PORTS: usize = 3;

/// How an app's tasks are reached: host ports, legacy `ports`, Docker
/// bridge, IP-per-task with service ports, IP-per-task without them.
const NETWORKINGS: usize = 5;

/// The JSON fields that give an app `ports` in networking mode `kind`.
fn networking(kind: usize, ports: &[i64]) -> Vec<(&'static str, Json)> {
    let container_port = |i: usize| 8080 + i64::try_from(i).unwrap();
    let mappings = || {
        let mappings = ports.iter().enumerate().map(|(i, p)| {
            obj(vec![
                ("containerPort", Json::Num(container_port(i))),
                ("hostPort", Json::Num(0)),
                ("servicePort", Json::Num(*p)),
            ])
        });
        Json::Arr(mappings.collect())
    };
    match kind {
        0 => {
            let definitions = ports.iter().map(|p| obj(vec![("port", Json::Num(*p))]));
            vec![("portDefinitions", Json::Arr(definitions.collect()))]
        }
        1 => vec![(
            "ports",
            Json::Arr(ports.iter().map(|p| Json::Num(*p)).collect()),
        )],
        2 => vec![(
            "container",
            obj(vec![(
                "docker",
                obj(vec![("network", s("BRIDGE")), ("portMappings", mappings())]),
            )]),
        )],
        3 => vec![
            (
                "networks",
                Json::Arr(vec![obj(vec![("mode", s("container"))])]),
            ),
            ("container", obj(vec![("portMappings", mappings())])),
        ],
        _ => {
            let discovery =
                (0..ports.len()).map(|i| obj(vec![("number", Json::Num(container_port(i)))]));
            vec![(
                "ipAddress",
                obj(vec![
                    ("networkName", s("overlay")),
                    (
                        "discovery",
                        obj(vec![("ports", Json::Arr(discovery.collect()))]),
                    ),
                ]),
            )]
        }
    }
}

fn health_check() -> impl Strategy<Value = Json> {
    (
        select(&["HTTP", "TCP", "MESOS_HTTP", "HTTPS"][..]),
        prop::option::of(0..3i64),
        prop::option::of(select(&[0i64, 9000][..])),
        prop::option::of(select(&["/health", "/"][..])),
        prop::option::of(1..5i64),
    )
        .prop_map(|(protocol, port_index, port, path, failures)| {
            let mut fields = vec![("protocol", s(protocol))];
            fields.extend(port_index.map(|i| ("portIndex", Json::Num(i))));
            fields.extend(port.map(|p| ("port", Json::Num(p))));
            fields.extend(path.map(|p| ("path", s(p))));
            fields.extend(failures.map(|f| ("maxConsecutiveFailures", Json::Num(f))));
            obj(fields)
        })
}

/// A task, but for its id and the number of its ports, which the app sets.
#[derive(Debug, Clone)]
struct TaskParts {
    host: &'static str,
    ports: Vec<i64>,
    state: &'static str,
    results: Option<Vec<bool>>,
    ip: u8,
}

impl TaskParts {
    fn json(&self, id: String, port_count: usize) -> Json {
        let ports = self.ports[..port_count].iter().map(|p| Json::Num(*p));
        let mut fields = vec![
            ("id", Json::Str(id)),
            ("host", s(self.host)),
            ("ports", Json::Arr(ports.collect())),
            ("state", s(self.state)),
            (
                "ipAddresses",
                Json::Arr(vec![obj(vec![(
                    "ipAddress",
                    s(&format!("172.17.0.{}", self.ip)),
                )])]),
            ),
        ];
        if let Some(results) = &self.results {
            let results = results
                .iter()
                .map(|alive| obj(vec![("alive", Json::Bool(*alive))]))
                .collect();
            fields.push(("healthCheckResults", Json::Arr(results)));
        }
        obj(fields)
    }
}

fn task() -> impl Strategy<Value = TaskParts> {
    (
        select(HOSTS),
        prop::collection::vec(31000..31004i64, MAX_PORTS),
        select(&["TASK_RUNNING", "TASK_RUNNING", "TASK_STAGING", "TASK_LOST"][..]),
        prop::option::of(prop::collection::vec(any::<bool>(), 0..3)),
        1..4u8,
    )
        .prop_map(|(host, ports, state, results, ip)| TaskParts {
            host,
            ports,
            state,
            results,
            ip,
        })
}

/// App-wide labels: groups and blue/green deployment labels.
fn app_labels() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop::option::of(select(&["external", "internal", "external,internal"][..])),
        prop::option::of((
            select(&["web", "/shop"][..]),
            prop::option::of(select(TIMES)),
            any::<bool>(),
            prop::option::of(select(&["1", "2", "x"][..])),
        )),
    )
        .prop_map(|(group, deployment)| {
            let mut labels = Vec::new();
            labels.extend(group.map(|g| ("HAPROXY_GROUP".to_owned(), g.to_owned())));
            if let Some((name, started, new_instances, target)) = deployment {
                labels.push(("HAPROXY_DEPLOYMENT_GROUP".to_owned(), name.to_owned()));
                labels.extend(
                    started.map(|t| ("HAPROXY_DEPLOYMENT_STARTED_AT".to_owned(), t.to_owned())),
                );
                if new_instances {
                    labels.push((
                        "HAPROXY_DEPLOYMENT_NEW_INSTANCES".to_owned(),
                        "1".to_owned(),
                    ));
                }
                labels.extend(target.map(|t| {
                    (
                        "HAPROXY_DEPLOYMENT_TARGET_INSTANCES".to_owned(),
                        t.to_owned(),
                    )
                }));
            }
            labels
        })
}

/// Per-port labels as (port index, name, value); the app drops those past
/// one index beyond its last port (users sometimes write one too many).
fn port_labels() -> impl Strategy<Value = Vec<(usize, &'static str, &'static str)>> {
    let one = (
        0..=MAX_PORTS,
        select(PORT_LABELS),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(n, (name, values), pick)| (n, name, *pick.get(values)));
    prop::collection::vec(one, 0..7)
}

fn app_body() -> impl Strategy<Value = AppParts> {
    (
        (
            1..=MAX_PORTS,
            prop::collection::vec(10000..10006i64, MAX_PORTS),
            0..NETWORKINGS,
        ),
        app_labels(),
        port_labels(),
        prop::collection::vec(health_check(), 0..3),
        prop::collection::vec(task(), 0..4),
        (0..4i64, prop::option::of(select(TIMES))),
    )
        .prop_map(
            |(
                (port_count, ports, networking),
                app_labels,
                port_labels,
                checks,
                tasks,
                (instances, scaled),
            )| {
                AppParts {
                    port_count,
                    ports,
                    networking,
                    app_labels,
                    port_labels,
                    checks,
                    tasks,
                    instances,
                    scaled,
                }
            },
        )
}

/// An app, but for its id, which the cluster gives.
#[derive(Debug, Clone)]
struct AppParts {
    port_count: usize,
    ports: Vec<i64>,
    networking: usize,
    app_labels: Vec<(String, String)>,
    port_labels: Vec<(usize, &'static str, &'static str)>,
    checks: Vec<Json>,
    tasks: Vec<TaskParts>,
    instances: i64,
    scaled: Option<&'static str>,
}

impl AppParts {
    fn json(&self, id: &str) -> Json {
        let port_labels = self
            .port_labels
            .iter()
            .filter(|(n, ..)| *n <= self.port_count)
            .map(|(n, name, value)| (format!("HAPROXY_{n}_{name}"), (*value).to_owned()));
        // One value per label name, as in Marathon: a JSON object with a
        // key twice would read differently once reordered.
        let labels: BTreeMap<String, String> =
            self.app_labels.iter().cloned().chain(port_labels).collect();
        let tasks = self
            .tasks
            .iter()
            .enumerate()
            .map(|(k, task)| task.json(format!("{}.t{k}", &id[1..]), self.port_count));

        let mut fields = vec![
            ("id", s(id)),
            ("instances", Json::Num(self.instances)),
            (
                "labels",
                Json::Obj(labels.into_iter().map(|(k, v)| (k, Json::Str(v))).collect()),
            ),
            ("healthChecks", Json::Arr(self.checks.clone())),
            ("tasks", Json::Arr(tasks.collect())),
        ];
        if let Some(scaled) = self.scaled {
            fields.push(("versionInfo", obj(vec![("lastScalingAt", s(scaled))])));
        }
        fields.extend(networking(self.networking, &self.ports[..self.port_count]));
        obj(fields)
    }
}

/// A cluster of one to six apps with distinct ids, drawn by `seed`.
pub fn cluster() -> impl Strategy<Value = Vec<Json>> {
    (prop::collection::vec(app_body(), 1..=6), any::<u64>()).prop_map(|(bodies, seed)| {
        let mut ids = APP_IDS.to_vec();
        Shuffler(seed).shuffle(&mut ids);
        bodies
            .iter()
            .zip(ids)
            .map(|(body, id)| body.json(id))
            .collect()
    })
}

/// Pieces that label parsers and template compilers find awkward.
const AWKWARD: &[&str] = &[
    "{",
    "}",
    "{{",
    "}}",
    "{backend}",
    "{nope}",
    "\n",
    "\r\n",
    "\\n",
    ":",
    ",",
    "/",
    " ",
    "-1",
    "0",
    "65536",
    "99999999999999999999",
    "é",
    "中",
    "\u{0}",
    "\u{200b}",
    "true",
    "%[",
    "\"",
];

/// Any label value: arbitrary Unicode, or awkward pieces strung together.
pub fn label_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(
            prop_oneof![
                select(AWKWARD).prop_map(str::to_owned),
                any::<char>().prop_map(String::from)
            ],
            0..10
        )
        .prop_map(|pieces| pieces.concat()),
    ]
}

/// Any label mlb reads, with `{0}` replaced by a port index.
pub fn any_label() -> impl Strategy<Value = String> {
    let names: Vec<&'static str> = LABELS.iter().chain(APP_LABELS).map(|l| l.name).collect();
    (select(names), 0..3usize).prop_map(|(name, n)| name.replace("{0}", &n.to_string()))
}

/// Adds `labels` to the first app of `apps`, replacing labels of the same
/// name.
pub fn with_labels(apps: &mut [Json], labels: &[(String, String)]) {
    let Some(Json::Obj(fields)) = apps.first_mut() else {
        return;
    };
    for (key, value) in fields.iter_mut() {
        if let ("labels", Json::Obj(existing)) = (key.as_str(), value) {
            for (name, text) in labels {
                existing.retain(|(known, _)| known != name);
                existing.push((name.clone(), Json::Str(text.clone())));
            }
        }
    }
}
