//! The model's output types: services, their backends and warnings.

use std::collections::BTreeMap;
use std::fmt;

/// What the load balancer exposes for one service port of one app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The app id (for blue/green pairs, `/` + the deployment group).
    pub app_id: String,
    /// The service port: Marathon's, or the `HAPROXY_{n}_PORT` label's.
    pub service_port: u16,
    /// The service's index `n` among the app's service ports.
    pub port_index: usize,
    /// Whether `service_port` comes from the `HAPROXY_{n}_PORT` label
    /// rather than from Marathon, which keeps its own ports apart.
    pub service_port_from_label: bool,
    /// The app's groups (`HAPROXY_GROUP`, split on `,`).
    pub app_groups: Vec<String>,
    /// The port's own groups (`HAPROXY_{n}_GROUP`); they replace the app's.
    pub port_groups: Vec<String>,
    /// Whether the service is exposed; see `HAPROXY_{n}_ENABLED`.
    pub enabled: bool,
    /// `http` or `tcp` when the labels or the health check decide it.
    pub mode: Option<String>,
    /// Virtual hosts, lower-cased, comma-separated as written.
    pub hostname: Option<String>,
    /// The `path_beg` argument for vhost routing.
    pub path: Option<String>,
    /// Basic auth for the vhost routes.
    pub auth: Option<Auth>,
    /// The frontend's bind address. Default `*`.
    pub bind_addr: String,
    /// Extra options for the frontend's `bind` line.
    pub bind_options: Option<String>,
    /// A certificate for the frontend's `bind` line.
    pub ssl_cert: Option<String>,
    /// The balance algorithm. Default `roundrobin`.
    pub balance: String,
    /// Sticky sessions by cookie.
    pub sticky: bool,
    /// Redirect plain HTTP to HTTPS for the vhosts.
    pub redirect_http_to_https: bool,
    /// Send `Strict-Transport-Security`.
    pub use_hsts: bool,
    /// Orders the vhost rules: higher weights come first. Default 0.
    pub backend_weight: i64,
    /// Space-separated networks allowed to reach the backend.
    pub network_allowed: Option<String>,
    /// `HAPROXY_{n}_BACKEND_HEALTHCHECK_PORT_INDEX`.
    pub healthcheck_port_index: Option<i64>,
    /// The path prefix to strip before proxying.
    pub proxy_path: Option<String>,
    /// The path to put in rewritten `Location` headers.
    pub revproxy_path: Option<String>,
    /// Where requests for `/` on the vhost are redirected.
    pub redirect_path: Option<String>,
    /// The Marathon health check that applies to this port.
    pub health_check: Option<HealthCheck>,
    /// Per-service template overrides, by template name without the
    /// `HAPROXY_` prefix (such as `BACKEND_HEAD`), in marathon-lb's syntax.
    pub templates: BTreeMap<String, String>,
    /// The tasks serving this port, sorted by (host, port, address).
    pub backends: Vec<Backend>,
}

impl Service {
    /// A service with marathon-lb's defaults and no backends, as an app
    /// without labels gets for its first service port.
    #[must_use]
    pub fn default_for(app_id: &str, service_port: u16) -> Self {
        Service::new(app_id, service_port, 0, false)
    }

    pub(crate) fn new(app_id: &str, service_port: u16, port_index: usize, strict: bool) -> Self {
        Service {
            app_id: app_id.to_owned(),
            service_port,
            port_index,
            service_port_from_label: false,
            app_groups: Vec::new(),
            port_groups: Vec::new(),
            enabled: !strict,
            mode: None,
            hostname: None,
            path: None,
            auth: None,
            bind_addr: "*".to_owned(),
            bind_options: None,
            ssl_cert: None,
            balance: "roundrobin".to_owned(),
            sticky: false,
            redirect_http_to_https: false,
            use_hsts: false,
            backend_weight: 0,
            network_allowed: None,
            healthcheck_port_index: None,
            proxy_path: None,
            revproxy_path: None,
            redirect_path: None,
            health_check: None,
            templates: BTreeMap::new(),
            backends: Vec::new(),
        }
    }

    /// The groups that decide whether a load balancer takes this service:
    /// the port's own when set, else the app's.
    #[must_use]
    pub fn groups(&self) -> &[String] {
        if self.port_groups.is_empty() {
            &self.app_groups
        } else {
            &self.port_groups
        }
    }
}

/// `HAPROXY_{n}_AUTH`, `realm:user:password-hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth {
    /// The realm shown by the browser.
    pub realm: String,
    /// The user name.
    pub user: String,
    /// The password hash, as HAProxy's `password` keyword takes it.
    pub password: String,
}

/// One server of a service: a task's address and port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Backend {
    /// The agent's host name, as Marathon reports it.
    pub host: String,
    /// The task's address: the agent's IPv4 address, or the task's own
    /// address with IP-per-task networking.
    pub ip: String,
    /// The task port.
    pub port: u16,
    /// Whether the task belongs to the old side of a blue/green deployment
    /// and should get no new connections.
    pub draining: bool,
}

/// The Marathon health check a service uses, with defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    /// HTTP, HTTPS, TCP, COMMAND, `MESOS_HTTP`, `MESOS_HTTPS` or `MESOS_TCP`.
    pub protocol: String,
    /// The port index the check targets, when it names one.
    pub port_index: Option<i64>,
    /// The fixed port the check targets, when it names one.
    pub port: Option<i64>,
    /// The HTTP path. Default `/`.
    pub path: String,
    /// Seconds a check may take.
    pub timeout_seconds: i64,
    /// Seconds between checks.
    pub interval_seconds: i64,
    /// Seconds before failures count.
    pub grace_period_seconds: i64,
    /// Failures in a row before Marathon kills the task.
    pub max_consecutive_failures: i64,
}

impl From<&marathon_client::wire::HealthCheck> for HealthCheck {
    fn from(check: &marathon_client::wire::HealthCheck) -> Self {
        HealthCheck {
            protocol: check.protocol.clone(),
            port_index: check.port_index,
            port: check.port,
            path: check.path.clone().unwrap_or_else(|| "/".to_owned()),
            timeout_seconds: check.timeout_seconds,
            interval_seconds: check.interval_seconds,
            grace_period_seconds: check.grace_period_seconds,
            max_consecutive_failures: check.max_consecutive_failures,
        }
    }
}

/// Something the model left out, and why. The rest of the cluster is
/// still built.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// The app (its id as Marathon has it).
    pub app_id: String,
    /// The label at fault, when a label is.
    pub label: Option<String>,
    /// The offending value, when there is one.
    pub value: Option<String>,
    /// What was wrong and what was left out.
    pub reason: String,
}

impl Warning {
    pub(crate) fn app(app_id: &str, reason: impl Into<String>) -> Self {
        Warning {
            app_id: app_id.to_owned(),
            label: None,
            value: None,
            reason: reason.into(),
        }
    }
}

/// How much of an offending value a warning shows: enough to recognise
/// it, not a megabyte of log line.
const SHOWN_VALUE_CHARS: usize = 200;

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An app id that failed its check may be empty or hold line breaks:
        // quoted and escaped, it shows, and cannot forge a log line.
        if self.app_id.is_empty() || self.app_id.chars().any(char::is_control) {
            write!(f, "app {:?}", self.app_id)?;
        } else {
            write!(f, "app {}", self.app_id)?;
        }
        if let Some(label) = &self.label {
            write!(f, ", label {label}")?;
        }
        if let Some(value) = &self.value {
            match value.char_indices().nth(SHOWN_VALUE_CHARS) {
                Some((cut, _)) => write!(f, " = {:?}... ({} bytes)", &value[..cut], value.len())?,
                None => write!(f, " = {value:?}")?,
            }
        }
        write!(f, ": {}", self.reason)
    }
}
