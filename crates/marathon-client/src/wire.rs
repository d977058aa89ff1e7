//! Serde types for Marathon's apps document, and its forgiving decoder.
//!
//! Only the fields a load balancer reads are declared; serde skips the rest
//! without building them. Where Marathon may send `null` for a list, the
//! list is empty.

use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::Error;

mod labels;
mod reader;

pub use labels::Labels;
pub use reader::{decode_apps_from_reader, for_each_app_from_reader};

/// The answer of `GET /v2/apps?embed=apps.tasks`, decoded app by app.
#[derive(Debug, Default)]
pub struct DecodedApps {
    /// The apps that decoded, in document order.
    pub apps: Vec<App>,
    /// The apps that did not, with the reason.
    pub rejected: Vec<RejectedApp>,
}

/// An app of the document that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedApp {
    /// The app's `id` when it could be read, else its position as `#N`.
    pub app: String,
    /// What was wrong, in serde's words, with the position inside the app.
    pub reason: String,
}

/// Decodes an apps document: `{"apps": [...]}` or a bare array of apps.
///
/// The document must be JSON and hold a list of objects; an app that is an
/// object but has a field of the wrong type lands in
/// [`DecodedApps::rejected`] and the others still decode.
pub fn decode_apps(bytes: &[u8]) -> Result<DecodedApps, Error> {
    #[derive(Deserialize)]
    struct Wrapped<T> {
        apps: Vec<T>,
    }

    // The first byte tells the two accepted shapes apart without buffering.
    let bare = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');

    // Marathon's answers are nearly always whole and well typed: then one
    // pass over the document decodes every app, and nothing else is
    // needed. Any failure, however small, falls back to the app by app
    // decoding below, which alone decides what is rejected and why, so the
    // result is the same either way; that way costs a second pass only
    // for documents with a bad app. The app by app way checks that each
    // app's text is UTF-8, strings it ignores included, which one typed
    // pass does not: the text is checked as a whole first (which also
    // spares checking each string the pass keeps).
    if let Ok(text) = std::str::from_utf8(bytes) {
        let whole = if bare {
            serde_json::from_str::<Vec<App>>(text)
        } else {
            serde_json::from_str::<Wrapped<App>>(text).map(|doc| doc.apps)
        };
        if let Ok(apps) = whole {
            return Ok(DecodedApps {
                apps,
                rejected: Vec::new(),
            });
        }
    }

    // First find each app's bytes; the document as a whole must be valid
    // JSON for that, and its error carries the line and column.
    let raw: Result<Vec<&RawValue>, _> = if bare {
        serde_json::from_slice(bytes)
    } else {
        serde_json::from_slice::<Wrapped<&RawValue>>(bytes).map(|doc| doc.apps)
    };
    let raw = raw.map_err(|err| Error::document(&err))?;

    let mut decoded = DecodedApps {
        apps: Vec::with_capacity(raw.len()),
        rejected: Vec::new(),
    };
    for (index, app) in raw.into_iter().enumerate() {
        match serde_json::from_str::<App>(app.get()) {
            Ok(app) => decoded.apps.push(app),
            Err(err) => decoded.rejected.push(RejectedApp {
                app: app_name(app.get()).unwrap_or_else(|| format!("#{index}")),
                reason: shortened(in_document(&err, bytes, app.get())),
            }),
        }
    }
    Ok(decoded)
}

/// serde's message for an app that failed to decode, with its position
/// counted in the whole document rather than in the app's own text, so
/// that an operator can go straight to the line.
#[expect(
    clippy::naive_bytecount,
    reason = "runs only for a rejected app; not worth a dependency"
)]
fn in_document(err: &serde_json::Error, document: &[u8], app: &str) -> String {
    let text = err.to_string();
    let message = text
        .rfind(" at line ")
        .map_or(text.as_str(), |cut| &text[..cut]);

    // The app's text is a slice of the document: its address tells where
    // it starts.
    let start = (app.as_ptr() as usize).wrapping_sub(document.as_ptr() as usize);
    let Some(before) = document.get(..start) else {
        return text;
    };
    let app_line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let app_column = start
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |nl| nl + 1)
        + 1;
    let (line, column) = if err.line() <= 1 {
        (app_line, app_column + err.column().saturating_sub(1))
    } else {
        (app_line + err.line() - 1, err.column())
    };
    format!("{message} at line {line}, column {column}")
}

/// Reads just the `id` of an app that failed to decode, for the message.
fn app_name(app: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: String,
    }
    // The name goes into log lines: an id with a line break in it is
    // quoted and escaped so that it cannot forge a line of its own.
    serde_json::from_str::<IdOnly>(app).ok().map(|app| {
        if app.id.chars().any(char::is_control) {
            format!("{:?}", app.id)
        } else {
            app.id
        }
    })
}

/// serde quotes the offending value in its message; a huge one is cut
/// so that one bad app cannot flood the log.
fn shortened(mut reason: String) -> String {
    const LIMIT: usize = 400;
    if let Some((cut, _)) = reason.char_indices().nth(LIMIT) {
        let total = reason.len();
        reason.truncate(cut);
        reason.push_str("... (");
        reason.push_str(&total.to_string());
        reason.push_str(" bytes in all)");
    }
    reason
}

/// One Marathon app with its tasks.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    /// The app id, such as `/web/frontend`.
    pub id: String,
    /// The app's labels; `HAPROXY_*` ones configure the load balancer.
    #[serde(default, deserialize_with = "nullable")]
    pub labels: Labels,
    /// How many instances Marathon should run. Default 1.
    #[serde(default = "one")]
    pub instances: i64,
    /// Marathon's health checks, in definition order.
    #[serde(default, deserialize_with = "nullable_list")]
    pub health_checks: Vec<HealthCheck>,
    /// When the app was last scaled or changed.
    #[serde(default, deserialize_with = "nullable")]
    pub version_info: VersionInfo,
    /// The app's tasks (present with `embed=apps.tasks`).
    #[serde(default, deserialize_with = "nullable_list")]
    pub tasks: Vec<Task>,
    /// Deployments in progress; only their count matters here.
    #[serde(default, deserialize_with = "nullable_list")]
    pub deployments: Vec<serde::de::IgnoredAny>,
    /// Port definitions (host and bridge networking, Marathon 1.0+).
    #[serde(default, deserialize_with = "nullable_some_list")]
    pub port_definitions: Option<Vec<PortDefinition>>,
    /// Legacy service ports (before port definitions).
    #[serde(default, deserialize_with = "nullable_list")]
    pub ports: Vec<Option<i64>>,
    /// The container, with its port mappings.
    #[serde(default)]
    pub container: Option<Container>,
    /// IP-per-task settings (Marathon 1.4 and older).
    #[serde(default)]
    pub ip_address: Option<IpAddress>,
    /// Networks the app joins (Marathon 1.5 and newer).
    #[serde(default, deserialize_with = "nullable_list")]
    pub networks: Vec<Network>,
}

fn one() -> i64 {
    1
}

/// `versionInfo` of an app.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    /// ISO-8601 time of the last scale or restart.
    #[serde(default)]
    pub last_scaling_at: Option<String>,
    /// ISO-8601 time of the last change of the definition.
    #[serde(default)]
    pub last_config_change_at: Option<String>,
}

/// A Marathon health check. Missing fields take Marathon's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    /// HTTP, HTTPS, TCP, COMMAND, `MESOS_HTTP`, `MESOS_HTTPS` or `MESOS_TCP`. Default HTTP.
    #[serde(default = "HealthCheck::default_protocol")]
    pub protocol: String,
    /// Index of the port the check targets. Marathon's default is 0.
    #[serde(default)]
    pub port_index: Option<i64>,
    /// A fixed port the check targets; wins over `portIndex`.
    #[serde(default)]
    pub port: Option<i64>,
    /// The HTTP path. Default `/`.
    #[serde(default)]
    pub path: Option<String>,
    /// Seconds before failures count. Default 300.
    #[serde(default = "HealthCheck::default_grace")]
    pub grace_period_seconds: i64,
    /// Seconds between checks. Default 60.
    #[serde(default = "HealthCheck::default_interval")]
    pub interval_seconds: i64,
    /// Seconds a check may take. Default 20.
    #[serde(default = "HealthCheck::default_timeout")]
    pub timeout_seconds: i64,
    /// Failures in a row before the task is killed. Default 3.
    #[serde(default = "HealthCheck::default_failures")]
    pub max_consecutive_failures: i64,
}

impl HealthCheck {
    fn default_protocol() -> String {
        "HTTP".to_owned()
    }
    fn default_grace() -> i64 {
        300
    }
    fn default_interval() -> i64 {
        60
    }
    fn default_timeout() -> i64 {
        20
    }
    fn default_failures() -> i64 {
        3
    }
}

/// An entry of `portDefinitions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortDefinition {
    /// The service port (Marathon fills in 0 with a free one).
    #[serde(default)]
    pub port: Option<i64>,
}

/// An app's container.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Docker settings (Marathon 1.4 keeps network and port mappings here).
    #[serde(default)]
    pub docker: Option<Docker>,
    /// Port mappings (Marathon 1.5 and newer).
    #[serde(default, deserialize_with = "nullable_some_list")]
    pub port_mappings: Option<Vec<PortMapping>>,
}

/// `container.docker`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Docker {
    /// HOST, BRIDGE or USER (Marathon 1.4 and older).
    #[serde(default)]
    pub network: Option<String>,
    /// Port mappings (Marathon 1.4 and older).
    #[serde(default, deserialize_with = "nullable_some_list")]
    pub port_mappings: Option<Vec<PortMapping>>,
}

/// A container port mapping.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    /// The port inside the container.
    #[serde(default)]
    pub container_port: Option<i64>,
    /// The port on the agent (bridge networking).
    #[serde(default)]
    pub host_port: Option<i64>,
    /// The cluster-wide service port.
    #[serde(default)]
    pub service_port: Option<i64>,
}

/// `ipAddress` of an app (IP-per-task, Marathon 1.4 and older).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpAddress {
    /// The virtual network's name.
    #[serde(default)]
    pub network_name: Option<String>,
    /// The ports the task exposes on its own address.
    #[serde(default)]
    pub discovery: Option<Discovery>,
}

/// `ipAddress.discovery`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Discovery {
    /// The discovered ports.
    #[serde(default, deserialize_with = "nullable_list")]
    pub ports: Vec<DiscoveryPort>,
}

/// An entry of `ipAddress.discovery.ports`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DiscoveryPort {
    /// The port number on the task's address.
    #[serde(default)]
    pub number: Option<i64>,
}

/// An entry of `networks` (Marathon 1.5 and newer).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Network {
    /// `host`, `container/bridge` or `container`; Marathon's default is `container`.
    #[serde(default)]
    pub mode: Option<String>,
}

/// A task of an app.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The task id.
    #[serde(default)]
    pub id: String,
    /// The agent's host name or address.
    #[serde(default)]
    pub host: Option<String>,
    /// Host ports, one per app port.
    #[serde(default, deserialize_with = "nullable_list")]
    pub ports: Vec<i64>,
    /// The task's own addresses (IP-per-task).
    #[serde(default, deserialize_with = "nullable_list")]
    pub ip_addresses: Vec<TaskIpAddress>,
    /// The Mesos task state, such as `TASK_RUNNING`.
    #[serde(default)]
    pub state: Option<String>,
    /// Health check results; Marathon 1.4 omits an empty list.
    #[serde(default, deserialize_with = "nullable_some_list")]
    pub health_check_results: Option<Vec<HealthCheckResult>>,
}

/// An entry of a task's `ipAddresses`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskIpAddress {
    /// The address.
    #[serde(default)]
    pub ip_address: Option<String>,
}

/// An entry of a task's `healthCheckResults`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HealthCheckResult {
    /// Whether the last check passed.
    #[serde(default)]
    pub alive: bool,
}

/// Reads `null` as the type's default.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Reads a list, `null` as an empty one. Lists of apps are mostly short
/// (a few tasks, one health check) while a growing `Vec` reserves room for
/// four: the room left over is given back, which for 20,000 apps is
/// several megabytes.
fn nullable_list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut list = Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default();
    list.shrink_to_fit();
    Ok(list)
}

/// Reads a list as [`nullable_list`] does, keeping "absent" (`None`)
/// apart from a present `null` (`Some` of an empty list).
fn nullable_some_list<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    nullable_list(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_array_and_wrapped_document_decode_alike() {
        let wrapped = decode_apps(br#"{"apps": [{"id": "/a"}]}"#).unwrap();
        let bare = decode_apps(br#"[{"id": "/a"}]"#).unwrap();
        assert_eq!(wrapped.apps[0].id, bare.apps[0].id);
    }

    #[test]
    fn missing_fields_take_marathon_defaults() {
        let doc = decode_apps(br#"[{"id": "/a", "healthChecks": [{}], "labels": null}]"#).unwrap();
        let app = &doc.apps[0];
        assert_eq!(app.instances, 1);
        assert!(app.labels.is_empty());
        let check = &app.health_checks[0];
        assert_eq!(check.protocol, "HTTP");
        assert_eq!(
            (
                check.grace_period_seconds,
                check.interval_seconds,
                check.timeout_seconds
            ),
            (300, 60, 20)
        );
        assert_eq!(check.max_consecutive_failures, 3);
    }

    #[test]
    fn a_rejected_app_is_placed_in_the_whole_document() {
        let doc = decode_apps(b"{\"apps\": [\n  {\"id\": \"/good\"},\n  {\"id\": \"/bad\",\n   \"instances\": \"many\"}\n]}")
            .unwrap();
        assert_eq!(doc.rejected[0].app, "/bad");
        assert!(
            doc.rejected[0].reason.ends_with("at line 4, column 22"),
            "{}",
            doc.rejected[0].reason
        );
    }

    #[test]
    fn an_app_of_the_wrong_shape_is_rejected_alone() {
        let doc =
            decode_apps(br#"[{"id": "/good"}, {"id": "/bad", "instances": "many"}, 3]"#).unwrap();
        assert_eq!(doc.apps.len(), 1);
        assert_eq!(doc.rejected[0].app, "/bad");
        assert!(
            doc.rejected[0].reason.contains("invalid type"),
            "{}",
            doc.rejected[0].reason
        );
        assert_eq!(doc.rejected[1].app, "#2");
    }

    #[test]
    fn a_bad_app_leaves_the_others_as_a_clean_document_has_them() {
        // A clean document decodes in one pass, one with a bad app app by
        // app: the good apps must come out the same either way.
        let good = r#"{"id": "/a", "labels": {"HAPROXY_GROUP": "x"}, "ports": [1, null],
            "tasks": [{"id": "t", "ports": [1], "healthCheckResults": null}]},
            {"id": "/b", "healthChecks": [{"portIndex": 1}], "container": {"portMappings": null}}"#;
        let clean = decode_apps(format!("[{good}]").as_bytes()).unwrap();
        let spoiled = decode_apps(
            format!(r#"{{"apps": [{good}, {{"id": "/bad", "tasks": 1}}]}}"#).as_bytes(),
        )
        .unwrap();
        assert!(clean.rejected.is_empty());
        assert_eq!(spoiled.rejected.len(), 1);
        assert_eq!(format!("{:?}", clean.apps), format!("{:?}", spoiled.apps));
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_even_where_it_is_ignored() {
        let doc = decode_apps(b"[{\"id\": \"/a\", \"cmd\": \"\xff\"}]");
        assert!(matches!(doc, Err(Error::Document { .. })), "{doc:?}");
    }

    #[test]
    fn invalid_json_reports_line_and_column() {
        let err = decode_apps(b"{\"apps\": [\n  {\"id\": }\n]}").unwrap_err();
        let Error::Document { line, column, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!((line, column), (2, 10));
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let doc =
            decode_apps(br#"[{"id": "/a", "fetch": [1, 2], "tasks": [{"id": "t", "new": {}}]}]"#)
                .unwrap();
        assert_eq!(doc.apps[0].tasks[0].id, "t");
    }
}
