//! A deterministic Marathon cluster of any size, for benchmarks.
//!
//! [`generate`] writes the `GET /v2/apps?embed=apps.tasks` answer of a made-up
//! cluster: the same app count and seed always give the same bytes. The mix
//! follows what large clusters run: every networking shape of Marathon 1.4
//! and 1.5+, most `HAPROXY_*` labels, a few template overrides, blue/green
//! pairs, health checks of every protocol, and one to five tasks per app in
//! mostly running states. Each app also carries the fields a load balancer
//! ignores (command, environment, fetch list, resources...) so that an app
//! weighs about 2 KB, as real ones do, and decoders pay for skipping them.
//!
//! The file is shared by the benchmark and by `examples/gen_cluster.rs`
//! through `#[path]`; it depends on nothing outside std.

use std::fmt::Write as _;

/// A tiny, fast, deterministic generator (splitmix64); good enough to pick
/// shapes and never worth a dependency.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator whose stream depends only on `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        let len = u64::try_from(items.len()).unwrap_or(u64::MAX);
        // The index is below `items.len()`, so it fits in usize.
        items[usize::try_from(self.below(len)).unwrap_or(0)]
    }
}

/// How an app's tasks are reached, in the shapes Marathon answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// 1.5+: `networks: [{mode: host}]` and `portDefinitions`.
    Host,
    /// 1.5+: `container/bridge` with `container.portMappings`.
    Bridge,
    /// 1.5+: a `container` network with `container.portMappings`.
    ContainerNetwork,
    /// 1.4: `container.docker.network: BRIDGE` and Docker port mappings.
    DockerBridge,
    /// 1.4: `container.docker.network: USER`, `ipAddress`, Docker port
    /// mappings with service ports.
    DockerUser,
    /// 1.4: IP-per-task with `ipAddress.discovery` and no service port, so
    /// the load balancer makes ports up (rare: the range holds 51).
    Discovery,
}

const TEAMS: &[&str] = &[
    "web",
    "payments",
    "search",
    "data/etl",
    "ads/bidding",
    "platform",
    "mobile/api",
    "ml/serving",
];
const NAMES: &[&str] = &[
    "frontend", "api", "worker", "gateway", "cache", "auth", "catalog", "ledger", "indexer",
];
const STATES_OTHER: &[&str] = &["TASK_STAGING", "TASK_KILLING", "TASK_UNREACHABLE"];
const PROTOCOLS: &[&str] = &[
    "HTTP",
    "HTTP",
    "HTTP",
    "TCP",
    "TCP",
    "HTTPS",
    "COMMAND",
    "MESOS_HTTP",
    "MESOS_HTTPS",
    "MESOS_TCP",
];
const BALANCES: &[&str] = &["leastconn", "source", "roundrobin", "first"];
const TIME: &str = "2026-01-02T03:04:05.678Z";

/// A few operator templates: real clusters reuse a handful of texts.
const SERVER_OVERRIDES: &[&str] = &[
    "  server {serverName} {host_ipv4}:{port}{cookieOptions}{healthCheckOptions}{otherOptions} maxconn 50\n",
    "  server {serverName} {host_ipv4}:{port}{cookieOptions}{healthCheckOptions}{otherOptions} weight 10\n",
];
const BACKEND_HEAD_OVERRIDE: &str =
    "\nbackend {backend}\n  balance {balance}\n  mode {mode}\n  timeout server 60s\n";
const FRONTEND_HEAD_OVERRIDE: &str = "\nfrontend {backend}\n  bind {bindAddr}:{servicePort}{sslCert}{bindOptions}\n  mode {mode}\n  maxconn 2000\n";

/// The apps document of a cluster of `apps` apps, compact as Marathon
/// sends it.
#[must_use]
pub fn generate(apps: usize, seed: u64) -> String {
    let mut out = String::with_capacity(apps * 2200 + 16);
    let agents = (apps / 8).max(16);
    let mut next_port: u32 = 10_000;
    out.push_str("{\"apps\":[");
    let mut index = 0;
    while index < apps {
        // Every fiftieth app starts a blue/green pair when there is room.
        let pair = index % 50 == 7 && index + 1 < apps;
        let group = pair.then(|| format!("/bg/pair-{index:05}"));
        for side in 0..if pair { 2 } else { 1 } {
            if index > 0 {
                out.push(',');
            }
            let mut rng =
                SplitMix64::new(seed ^ (index as u64).wrapping_mul(0xA076_1D64_78BD_642F));
            let app = AppPlan::new(index, &mut rng, group.as_deref(), side);
            app.write(&mut out, &mut rng, agents, &mut next_port);
            index += 1;
        }
    }
    out.push_str("]}");
    out
}

/// The choices made for one app before it is written.
struct AppPlan<'a> {
    id: String,
    shape: Shape,
    ports: usize,
    tasks: usize,
    group: Option<&'a str>,
    side: usize,
    checks: Vec<(&'static str, usize)>,
}

impl<'a> AppPlan<'a> {
    fn new(index: usize, rng: &mut SplitMix64, group: Option<&'a str>, side: usize) -> Self {
        let team = rng.pick(TEAMS);
        let name = rng.pick(NAMES);
        let id = format!("/{team}/{name}-{index:05}");
        let roll = rng.below(1000);
        let shape = match roll {
            0..400 => Shape::Host,
            400..650 => Shape::Bridge,
            650..800 => Shape::ContainerNetwork,
            800..930 => Shape::DockerBridge,
            930..998 => Shape::DockerUser,
            _ => Shape::Discovery,
        };
        let ports = match rng.below(10) {
            0..6 => 1,
            6..9 => 2,
            _ => 3,
        };
        let tasks = match rng.below(20) {
            0..7 => 1,
            7..14 => 2,
            14..18 => 3,
            18 => 4,
            _ => 5,
        };
        let mut checks = Vec::new();
        if rng.chance(80) {
            checks.push((rng.pick(PROTOCOLS), 0));
            if ports > 1 && rng.chance(30) {
                checks.push((rng.pick(PROTOCOLS), 1));
            }
        }
        AppPlan {
            id,
            shape,
            ports,
            tasks,
            group,
            side,
            checks,
        }
    }

    fn write(&self, out: &mut String, rng: &mut SplitMix64, agents: usize, next_port: &mut u32) {
        let service_ports: Vec<u32> = (0..self.ports)
            .map(|_| {
                let port = *next_port;
                *next_port += 1;
                port
            })
            .collect();
        let container_ports: Vec<u32> = (0..self.ports)
            .map(|n| rng.pick(&[80, 8080, 9000, 3000, 5432, 6379]) + u32::try_from(n).unwrap_or(0))
            .collect();
        let id = &self.id;
        let image = format!(
            "registry.example.com{id}:1.{}.{}",
            rng.below(20),
            rng.below(100)
        );

        let _ = write!(
            out,
            "{{\"id\":{},\"cmd\":{},\"args\":null,\"user\":null,\"env\":{{",
            json(id),
            if self.shape == Shape::Host {
                "\"./bin/server --port $PORT0\""
            } else {
                "null"
            }
        );
        write_env(out, rng, id);
        let _ = write!(
            out,
            "}},\"instances\":{},\"cpus\":{}.{},\"mem\":{},\"disk\":0,\"gpus\":0,\"executor\":\"\",\
             \"constraints\":[[\"hostname\",\"UNIQUE\"]],\"uris\":[],\"fetch\":[],\
             \"storeUrls\":[],\"backoffSeconds\":1,\"backoffFactor\":1.15,\
             \"maxLaunchDelaySeconds\":3600,",
            self.tasks,
            rng.below(4),
            rng.below(10),
            128 << rng.below(5)
        );

        self.write_container(out, &image, &service_ports, &container_ports);
        self.write_checks(out, rng);
        out.push_str(
            ",\"readinessChecks\":[],\"dependencies\":[],\"upgradeStrategy\":\
             {\"minimumHealthCapacity\":1,\"maximumOverCapacity\":1},\"labels\":{",
        );
        self.write_labels(out, rng);
        let _ = write!(
            out,
            "}},\"ipAddress\":{},\"version\":\"{TIME}\",\"secrets\":{{}},\"acceptedResourceRoles\":[\"*\"],\"versionInfo\":{{\"lastScalingAt\":\
             \"2026-01-0{}T00:00:00.000Z\",\"lastConfigChangeAt\":\"{TIME}\"}},",
            self.ip_address(&container_ports),
            1 + self.side
        );
        self.write_ports(out, &service_ports);
        let _ = write!(
            out,
            ",\"tasksStaged\":0,\"tasksRunning\":{},\"tasksHealthy\":{},\"tasksUnhealthy\":0,\
             \"deployments\":[],\"tasks\":[",
            self.tasks,
            if self.checks.is_empty() {
                0
            } else {
                self.tasks
            }
        );
        for task in 0..self.tasks {
            if task > 0 {
                out.push(',');
            }
            self.write_task(out, rng, agents, task, &container_ports);
        }
        out.push_str("]}");
    }

    fn write_container(
        &self,
        out: &mut String,
        image: &str,
        service_ports: &[u32],
        container_ports: &[u32],
    ) {
        let mappings = |out: &mut String, host_port: bool| {
            out.push('[');
            for (n, (service, container)) in service_ports.iter().zip(container_ports).enumerate() {
                if n > 0 {
                    out.push(',');
                }
                let _ = write!(
                    out,
                    "{{\"containerPort\":{container},{}\"servicePort\":{service},\
                     \"protocol\":\"tcp\",\"name\":\"p{n}\",\"labels\":{{}}}}",
                    if host_port { "\"hostPort\":0," } else { "" }
                );
            }
            out.push(']');
        };
        let docker = |out: &mut String, network: Option<&str>| {
            let _ = write!(
                out,
                "\"docker\":{{\"image\":{},{}\"privileged\":false,\"parameters\":[],\
                 \"forcePullImage\":false",
                json(image),
                network.map_or(String::new(), |n| format!("\"network\":\"{n}\","))
            );
        };
        out.push_str("\"container\":");
        match self.shape {
            // Host apps are plain commands here, without a container.
            Shape::Host => out.push_str("null"),
            Shape::Bridge | Shape::ContainerNetwork => {
                out.push_str("{\"type\":\"DOCKER\",\"volumes\":[],");
                docker(out, None);
                out.push_str("},\"portMappings\":");
                mappings(out, self.shape == Shape::Bridge);
                out.push('}');
            }
            Shape::DockerBridge | Shape::DockerUser => {
                out.push_str("{\"type\":\"DOCKER\",\"volumes\":[],");
                let network = if self.shape == Shape::DockerBridge {
                    "BRIDGE"
                } else {
                    "USER"
                };
                docker(out, Some(network));
                out.push_str(",\"portMappings\":");
                mappings(out, self.shape == Shape::DockerBridge);
                out.push_str("}}");
            }
            Shape::Discovery => {
                out.push_str("{\"type\":\"DOCKER\",\"volumes\":[],");
                docker(out, Some("USER"));
                out.push_str("}}");
            }
        }
    }

    fn write_checks(&self, out: &mut String, rng: &mut SplitMix64) {
        out.push_str(",\"healthChecks\":[");
        for (n, (protocol, port_index)) in self.checks.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            let _ = write!(
                out,
                "{{\"protocol\":\"{protocol}\",\"gracePeriodSeconds\":{},\"intervalSeconds\":{},\
                 \"timeoutSeconds\":{},\"maxConsecutiveFailures\":{},\"delaySeconds\":15",
                rng.pick(&[60, 300, 600]),
                rng.pick(&[5, 10, 30, 60]),
                rng.pick(&[2, 5, 10, 20]),
                rng.below(6)
            );
            match *protocol {
                "COMMAND" => {
                    out.push_str(",\"command\":{\"value\":\"curl -f http://$HOST:$PORT0/ping\"}");
                }
                _ if rng.chance(10) => {
                    // A fixed port, which marathon-lb applies to every port.
                    let _ = write!(out, ",\"port\":{}", 9000 + rng.below(100));
                }
                _ => {
                    let _ = write!(out, ",\"portIndex\":{port_index}");
                }
            }
            if protocol.contains("HTTP") {
                let path = rng.pick(&["/health", "/ping", "/status?full=1", "/"]);
                let _ = write!(out, ",\"path\":\"{path}\",\"ignoreHttp1xx\":false");
            }
            out.push('}');
        }
        out.push(']');
    }

    fn write_labels(&self, out: &mut String, rng: &mut SplitMix64) {
        let mut labels: Vec<(String, String)> = Vec::new();
        let mut label = |key: String, value: &str| labels.push((key, value.to_owned()));
        label("owner".to_owned(), "team@example.com");
        label("cost-center".to_owned(), &format!("cc-{}", rng.below(40)));
        let group = match rng.below(20) {
            0..12 => Some("external"),
            12..18 => Some("internal"),
            18 => Some("external,internal"),
            _ => None,
        };
        if let Some(group) = group {
            label("HAPROXY_GROUP".to_owned(), group);
        }
        if let Some(dg) = self.group {
            label("HAPROXY_DEPLOYMENT_GROUP".to_owned(), dg);
            let started = format!("2026-01-0{}T00:00:00Z", 1 + self.side);
            label("HAPROXY_DEPLOYMENT_STARTED_AT".to_owned(), &started);
            label(
                "HAPROXY_DEPLOYMENT_COLOUR".to_owned(),
                ["blue", "green"][self.side],
            );
            label("HAPROXY_DEPLOYMENT_ALT_PORT".to_owned(), "10999");
            if self.side == 1 {
                label("HAPROXY_DEPLOYMENT_NEW_INSTANCES".to_owned(), "1");
                label("HAPROXY_DEPLOYMENT_TARGET_INSTANCES".to_owned(), "3");
            }
        }

        let slug = self.id[1..].replace('/', "-");
        for n in 0..self.ports {
            port_labels(&mut labels, rng, n, &slug);
        }

        for (n, (key, value)) in labels.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            let _ = write!(out, "{}:{}", json(key), json(value));
        }
    }

    fn ip_address(&self, container_ports: &[u32]) -> String {
        match self.shape {
            Shape::DockerUser => {
                "{\"groups\":[],\"labels\":{},\"discovery\":{\"ports\":[]},\"networkName\":\"dcos\"}"
                    .to_owned()
            }
            Shape::Discovery => {
                let ports: Vec<String> = container_ports
                    .iter()
                    .enumerate()
                    .map(|(n, p)| {
                        format!("{{\"number\":{p},\"name\":\"p{n}\",\"protocol\":\"tcp\"}}")
                    })
                    .collect();
                format!(
                    "{{\"groups\":[],\"labels\":{{}},\"discovery\":{{\"ports\":[{}]}},\
                     \"networkName\":\"dcos\"}}",
                    ports.join(",")
                )
            }
            _ => "null".to_owned(),
        }
    }

    fn write_ports(&self, out: &mut String, service_ports: &[u32]) {
        let (definitions, networks) = match self.shape {
            Shape::Host => (true, "[{\"mode\":\"host\"}]"),
            Shape::Bridge => (false, "[{\"mode\":\"container/bridge\"}]"),
            Shape::ContainerNetwork => (false, "[{\"mode\":\"container\",\"name\":\"dcos\"}]"),
            // Marathon 1.4 has no `networks`.
            Shape::DockerBridge | Shape::DockerUser | Shape::Discovery => (false, ""),
        };
        out.push_str("\"portDefinitions\":[");
        if definitions {
            for (n, port) in service_ports.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                let _ = write!(
                    out,
                    "{{\"port\":{port},\"protocol\":\"tcp\",\"name\":\"p{n}\",\"labels\":{{}}}}"
                );
            }
        }
        out.push_str("],\"requirePorts\":false");
        if !networks.is_empty() {
            let _ = write!(out, ",\"networks\":{networks}");
        }
    }

    fn write_task(
        &self,
        out: &mut String,
        rng: &mut SplitMix64,
        agents: usize,
        task: usize,
        container_ports: &[u32],
    ) {
        let agent = rng.below(agents as u64);
        let host = format!(
            "10.{}.{}.{}",
            1 + agent / 65536,
            (agent / 256) % 256,
            agent % 256
        );
        let state = if rng.chance(92) {
            "TASK_RUNNING"
        } else {
            rng.pick(STATES_OTHER)
        };
        let task_id = format!(
            "{}.{:08x}-{:04x}-11f0-{:04x}-{:012x}",
            self.id[1..].replace('/', "_"),
            rng.below(1 << 32),
            rng.below(0x10000),
            rng.below(0x10000),
            rng.below(1 << 48)
        );
        // Host and bridge tasks get host ports; IP-per-task ones their own
        // address instead.
        let own_address = matches!(
            self.shape,
            Shape::ContainerNetwork | Shape::DockerUser | Shape::Discovery
        );
        let ports: Vec<String> = if own_address {
            Vec::new()
        } else {
            (0..container_ports.len())
                .map(|_| (20_000 + rng.below(12_000)).to_string())
                .collect()
        };
        let address = if own_address {
            format!("9.{}.{}.{}", agent % 200, task, rng.below(250) + 1)
        } else {
            host.clone()
        };
        let _ = write!(
            out,
            "{{\"ipAddresses\":[{{\"ipAddress\":\"{address}\",\"protocol\":\"IPv4\"}}],\
             \"state\":\"{state}\",\"ports\":[{}],\"startedAt\":\
             \"{TIME}\",\"version\":\"{TIME}\",\"id\":\"{task_id}\",\"appId\":{},\
             \"slaveId\":\"5e2c1e62-{agent:08x}-S{task}\",\"host\":\"{host}\"",
            ports.join(","),
            json(&self.id)
        );
        if !self.checks.is_empty() {
            out.push_str(",\"healthCheckResults\":[");
            for (n, _) in self.checks.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                let alive = rng.chance(95);
                let _ = write!(
                    out,
                    "{{\"alive\":{alive},\"consecutiveFailures\":{},\"firstSuccess\":\"{TIME}\",\
                     \"lastSuccess\":\"{TIME}\"}}",
                    u8::from(!alive)
                );
            }
            out.push(']');
        }
        out.push('}');
    }
}

/// The `HAPROXY_{n}_*` labels of service port `n`.
fn port_labels(labels: &mut Vec<(String, String)>, rng: &mut SplitMix64, n: usize, slug: &str) {
    let mut port = |name: &str, value: &str| {
        labels.push((format!("HAPROXY_{n}_{name}"), value.to_owned()));
    };
    // About half of the services are HTTP behind a vhost.
    if rng.chance(50) {
        let host = format!("{slug}-{n}.example.com");
        let vhost = if rng.chance(10) {
            format!("{host},www.{host}")
        } else if rng.chance(5) {
            host.to_uppercase()
        } else {
            host
        };
        port("VHOST", &vhost);
        if rng.chance(30) {
            port("PATH", rng.pick(&["/api", "/v2", "-i /static /assets"]));
        }
        if rng.chance(5) {
            port("AUTH", "Restricted:admin:$6$rounds=5000$salt$hashhashhash");
        }
        if rng.chance(20) {
            port("REDIRECT_TO_HTTPS", rng.pick(&["true", "yes", "T"]));
        }
        if rng.chance(10) {
            port("STICKY", "true");
        }
        if rng.chance(10) {
            port("USE_HSTS", "true");
        }
        if rng.chance(15) {
            port("BACKEND_WEIGHT", &rng.below(10).to_string());
        }
        if rng.chance(3) {
            port("HTTP_BACKEND_PROXYPASS_PATH", "/api");
            port("HTTP_BACKEND_REVPROXY_PATH", "/");
        }
        if rng.chance(2) {
            port("HTTP_BACKEND_REDIR", "/home");
        }
        if rng.chance(20) {
            port("MODE", "http");
        }
    } else if rng.chance(30) {
        port("MODE", rng.pick(&["tcp", "TCP", "http"]));
    }
    if rng.chance(10) {
        port("BALANCE", rng.pick(BALANCES));
    }
    if rng.chance(3) {
        port("BACKEND_NETWORK_ALLOWED_ACL", "10.0.0.0/8 192.168.0.0/16");
    }
    if rng.chance(3) {
        port("BIND_OPTIONS", "maxconn 500");
    }
    if rng.chance(2) {
        port("SSL_CERT", "/etc/ssl/site.pem");
    }
    if rng.chance(2) {
        port("GROUP", "internal");
    }
    if n > 0 && rng.chance(10) {
        port("BACKEND_HEALTHCHECK_PORT_INDEX", "0");
    }
    if rng.chance(3) {
        port("BACKEND_SERVER_OPTIONS", rng.pick(SERVER_OVERRIDES));
    }
    if rng.chance(1) {
        port("BACKEND_HEAD", BACKEND_HEAD_OVERRIDE);
    }
    if rng.chance(1) {
        port("FRONTEND_HEAD", FRONTEND_HEAD_OVERRIDE);
    }
}

/// The environment of an app: enough variables to weigh what real ones do.
fn write_env(out: &mut String, rng: &mut SplitMix64, id: &str) {
    let vars = [
        ("SERVICE_NAME", id.to_owned()),
        (
            "DATABASE_URL",
            format!("postgres://db-{}.example.com:5432/app", rng.below(16)),
        ),
        (
            "REGION",
            rng.pick(&["eu-west-1", "us-east-1", "ap-south-1"])
                .to_owned(),
        ),
    ];
    for (n, (key, value)) in vars.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"{key}\":{}", json(value));
    }
}

/// `text` as a JSON string.
fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
