//! Properties of hostile input, over generated label values, template
//! texts and documents: no value label adds a line of its own, turned-off
//! template labels change nothing, and no document makes mlb panic or
//! render differently from one run, or one app order, to the next.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use clap::Parser;
use haproxy_config::{TEMPLATES, Templates};
use lb_model::{APP_LABELS, HealthMemory, IpLiteralResolver, LABELS};
use marathon_client::wire::decode_apps;
use mlb_cli::render::{Outcome, RenderFlags, render_apps};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

/// The default templates, compiled once for every case.
fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(Templates::default)
}

/// The flags `mlb-cli render` would get, every group taken.
fn parse_flags(extra: &[&str]) -> RenderFlags {
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        flags: RenderFlags,
    }
    let mut args = vec!["mlb-cli", "--group", "*"];
    args.extend(extra);
    Cli::parse_from(args).flags
}

/// [`parse_flags`] without extra flags, parsed once.
fn flags() -> &'static RenderFlags {
    static FLAGS: OnceLock<RenderFlags> = OnceLock::new();
    FLAGS.get_or_init(|| parse_flags(&[]))
}

/// [`parse_flags`] with `--no-label-templates`, parsed once.
fn flags_without_label_templates() -> &'static RenderFlags {
    static FLAGS: OnceLock<RenderFlags> = OnceLock::new();
    FLAGS.get_or_init(|| parse_flags(&["--no-label-templates"]))
}

/// The config of the bystander alone, rendered once.
fn bystander_alone() -> &'static str {
    static CONFIG: OnceLock<String> = OnceLock::new();
    CONFIG.get_or_init(|| render(&json!([bystander()]), flags()).rendered.config)
}

/// Decodes and renders `apps` as `mlb-cli render` does.
fn render(apps: &Value, flags: &RenderFlags) -> Outcome {
    let decoded = decode_apps(apps.to_string().as_bytes()).unwrap();
    render_apps(
        decoded.apps,
        flags,
        templates(),
        &IpLiteralResolver,
        &mut HealthMemory::default(),
    )
    .unwrap()
}

/// The first word of every line of the default templates.
fn directives() -> &'static BTreeSet<&'static str> {
    static WORDS: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        TEMPLATES
            .iter()
            .flat_map(|spec| spec.default.lines())
            .filter_map(|line| line.split_whitespace().next())
            .collect()
    })
}

/// Every line of `config` starts with a directive of the templates.
fn lines_are_directives(config: &str) -> Result<(), TestCaseError> {
    for line in config.lines() {
        if let Some(word) = line.split_whitespace().next() {
            prop_assert!(
                directives().contains(word),
                "line {:?} starts with no directive",
                line
            );
        }
    }
    Ok(())
}

/// One app with one task; `labels` on top of the group.
fn app(id: &str, port: u16, labels: &[(&str, &str)]) -> Value {
    let mut all = serde_json::Map::new();
    all.insert("HAPROXY_GROUP".to_owned(), json!("external"));
    for (name, value) in labels {
        all.insert((*name).to_owned(), json!(value));
    }
    json!({
        "id": id,
        "labels": all,
        "portDefinitions": [{"port": port}],
        "tasks": [{"id": format!("{}.1", &id[1..]), "host": "10.0.0.1", "ports": [31000 + port % 1000],
                   "state": "TASK_RUNNING"}],
    })
}

/// The app every case keeps: it must render whatever its neighbour does.
fn bystander() -> Value {
    app(
        "/ok",
        10001,
        &[
            ("HAPROXY_0_VHOST", "ok.example.com"),
            ("HAPROXY_0_PATH", "-i /a /b"),
        ],
    )
}

/// The labels under test on `/evil`, which has a vhost (so that the HTTP
/// templates render) and a health check (so that the check templates do).
fn evil(label: &str, value: &str) -> Value {
    let mut evil = app(
        "/evil",
        10000,
        &[
            ("HAPROXY_0_VHOST", "evil.example.com"),
            ("HAPROXY_0_AUTH", "realm:user:$6$salt$hash"),
            (label, value),
        ],
    );
    evil["healthChecks"] = json!([{"protocol": "HTTP", "path": "/health"}]);
    evil
}

/// Value labels, with `{0}` as port 0.
fn value_label() -> impl Strategy<Value = String> {
    let names: Vec<String> = LABELS
        .iter()
        .chain(APP_LABELS)
        .filter(|label| label.template.is_none())
        .map(|label| label.name.replace("{0}", "0"))
        .collect();
    select(names)
}

/// Template labels, with `{0}` as port 0.
fn template_label() -> impl Strategy<Value = String> {
    let names: Vec<String> = LABELS
        .iter()
        .filter(|label| label.template.is_some())
        .map(|label| label.name.replace("{0}", "0"))
        .collect();
    select(names)
}

/// Pieces of text attackers and accidents put in labels.
const PIECES: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    "\0",
    "\t",
    "\u{2028}",
    "\u{85}",
    "  server INJECTED 6.6.6.6:80",
    "backend INJECTED",
    "{",
    "}",
    "{{",
    "{backend}",
    "\"",
    "'",
    "\\",
    "%[src]",
    "#",
    " ",
    ",",
    ":",
    "$",
    "/api",
    "-i",
    "-m beg",
    "web.example.com",
    "*.example.com",
    "10.0.0.0/8",
    "fd00::1",
    "realm",
    "user",
    "$6$salt$hash",
    "roundrobin",
    "hdr(host)",
    "http",
    "TCP",
    "maxconn 5",
    "80",
    "-1",
    "99999",
    "é",
];

/// Any string, or hostile pieces strung together.
fn label_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(select(PIECES), 0..8).prop_map(|pieces| pieces.concat()),
    ]
}

/// A harmless value of `label` that gives the config the same lines as
/// the accepted `value`: as many hosts or networks, the same flags.
fn benign(label: &str, value: &str) -> String {
    let yes = ["true", "t", "yes", "y"]
        .iter()
        .any(|yes| value.eq_ignore_ascii_case(yes));
    let name = label
        .trim_start_matches("HAPROXY_")
        .trim_start_matches("0_");
    match name {
        "VHOST" => (0..value.split(',').count())
            .map(|n| format!("h{n}.example.com"))
            .collect::<Vec<_>>()
            .join(","),
        "BACKEND_NETWORK_ALLOWED_ACL" => (0..value.split_ascii_whitespace().count())
            .map(|n| format!("10.0.0.{n}"))
            .collect::<Vec<_>>()
            .join(" "),
        "ENABLED" | "STICKY" | "REDIRECT_TO_HTTPS" | "USE_HSTS" => {
            if yes { "true" } else { "false" }.to_owned()
        }
        "MODE" => value.trim().to_ascii_lowercase(),
        "AUTH" => "r:u:h".to_owned(),
        "PATH" => "/x".to_owned(),
        "PORT" => "12345".to_owned(),
        "BIND_ADDR" => "127.0.0.1".to_owned(),
        "BIND_OPTIONS" => "maxconn 5".to_owned(),
        "SSL_CERT" => "/etc/ssl/x.pem".to_owned(),
        "HTTP_BACKEND_REDIR" | "HTTP_BACKEND_PROXYPASS_PATH" | "HTTP_BACKEND_REVPROXY_PATH" => {
            "/p".to_owned()
        }
        _ => value.to_owned(),
    }
}

/// Every property here runs 10,000 cases, the count CI must run;
/// `PROPTEST_CASES` overrides it for a quicker local run or a longer hunt.
const CASES: u32 = 10_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// Whatever a value label holds, each line of the config comes from a
    /// template: accepted, the value gives the same lines as a harmless
    /// one of its shape; refused, it costs its service and nothing else.
    #[test]
    fn value_labels_never_add_a_line(label in value_label(), value in label_value()) {
        let flags = flags();
        let hostile = render(&json!([evil(&label, &value), bystander()]), flags);
        let config = &hostile.rendered.config;
        lines_are_directives(config)?;
        prop_assert!(config.contains("\nbackend ok_10001\n"), "the bystander is gone");

        let refused = hostile.model_warnings.iter().any(|w| w.app_id == "/evil")
            || hostile.rendered.warnings.iter().any(|w| w.app_id == "/evil");
        if refused {
            prop_assert_eq!(config, bystander_alone());
        } else {
            prop_assert!(!value.chars().any(char::is_control), "accepted {:?}", value);
            let harmless = render(&json!([evil(&label, &benign(&label, &value)), bystander()]), flags);
            prop_assert_eq!(
                config.lines().count(),
                harmless.rendered.config.lines().count(),
                "{:?} gave other lines than {:?}:\n{}",
                value,
                benign(&label, &value),
                config
            );
        }
    }

    /// With --no-label-templates, a template label changes nothing but
    /// one warning naming it.
    #[test]
    fn turned_off_template_labels_change_nothing(label in template_label(), text in label_value()) {
        static PLAIN: OnceLock<String> = OnceLock::new();
        let flags = flags_without_label_templates();
        let with = render(&json!([evil(&label, &text), bystander()]), flags);
        let plain = PLAIN.get_or_init(|| {
            render(&json!([evil("HAPROXY_0_STICKY", "false"), bystander()]), flags).rendered.config
        });
        prop_assert_eq!(&with.rendered.config, plain);
        let named: Vec<_> = with
            .model_warnings
            .iter()
            .filter(|w| w.label.as_deref() == Some(label.as_str()))
            .collect();
        prop_assert_eq!(named.len(), 1);
    }

    /// A template label of any text renders, or costs its own service
    /// with a warning naming the label; never the bystander's.
    #[test]
    fn template_labels_fail_alone(label in template_label(), text in label_value()) {
        let outcome = render(&json!([evil(&label, &text), bystander()]), flags());
        prop_assert!(outcome.rendered.config.contains("\nbackend ok_10001\n"));
        for skipped in &outcome.rendered.warnings {
            prop_assert_eq!(&skipped.app_id, "/evil");
            prop_assert!(skipped.reason.contains(&label), "{}", skipped.reason);
        }
    }
}

/// Field names of Marathon's apps document, so that generated documents
/// reach the decoder's and the model's corners, not only serde's errors.
const FIELDS: &[&str] = &[
    "id",
    "labels",
    "instances",
    "healthChecks",
    "tasks",
    "portDefinitions",
    "ports",
    "port",
    "container",
    "docker",
    "network",
    "portMappings",
    "containerPort",
    "servicePort",
    "ipAddress",
    "ipAddresses",
    "discovery",
    "number",
    "networks",
    "mode",
    "host",
    "state",
    "healthCheckResults",
    "alive",
    "protocol",
    "path",
    "portIndex",
    "versionInfo",
    "lastScalingAt",
    "HAPROXY_GROUP",
    "HAPROXY_0_VHOST",
    "HAPROXY_0_PORT",
    "HAPROXY_0_MODE",
    "HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX",
    "HAPROXY_DEPLOYMENT_GROUP",
    "HAPROXY_DEPLOYMENT_STARTED_AT",
];

/// JSON of any shape, its keys mostly Marathon's.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (0..70_000_i64).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        select(
            &[
                "/a",
                "/b",
                "/a",
                "external",
                "10.0.0.1",
                "TASK_RUNNING",
                "HTTP",
                "USER",
                "BRIDGE",
                "host",
                "container/bridge",
                "a.example.com",
                "2026-01-01T00:00:00Z",
                "/a_b",
                "x\ny"
            ][..]
        )
        .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((select(FIELDS), inner), 0..6).prop_map(|fields| {
                Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// Label names the generated apps use: value labels, a template label,
/// and the ones that make apps interact (groups, ports).
const APP_LABEL_NAMES: &[&str] = &[
    "HAPROXY_GROUP",
    "HAPROXY_0_VHOST",
    "HAPROXY_0_PATH",
    "HAPROXY_0_PORT",
    "HAPROXY_1_PORT",
    "HAPROXY_0_MODE",
    "HAPROXY_0_AUTH",
    "HAPROXY_0_BALANCE",
    "HAPROXY_0_BIND_OPTIONS",
    "HAPROXY_0_BACKEND_WEIGHT",
    "HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX",
    "HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL",
    "HAPROXY_0_BACKEND_HEAD",
    "HAPROXY_DEPLOYMENT_GROUP",
    "HAPROXY_DEPLOYMENT_STARTED_AT",
];

/// Values for [`APP_LABEL_NAMES`]: good ones that collide, and bad ones.
const APP_LABEL_VALUES: &[&str] = &[
    "a",
    "b",
    "/b",
    "ok",
    "a.example.com",
    "a.example.com,b.example.com",
    "-i /a /b",
    "10001",
    "12000",
    "443",
    "http",
    "tcp",
    "r:u:$6$s$h",
    "leastconn",
    "maxconn 5",
    "-1",
    "1",
    "10.0.0.0/8 fd00::1",
    "\nbackend {backend}\n",
    "{nope}",
    "2026-01-01T00:00:00Z",
    "2026-01-02T00:00:00Z",
    "x\n  server INJECTED 6.6.6.6:80",
];

/// One task, on agents whose names may clash once sanitized.
fn any_task() -> impl Strategy<Value = Value> {
    (
        select(&["t1", "t2", "t3", "t\n4"][..]),
        select(
            &[
                "10.0.0.1",
                "10.0.0.2",
                "agent.one",
                "agent_one",
                "bad host",
                "",
            ][..],
        ),
        prop::collection::vec(31000..31003_i64, 0..3),
        select(&["TASK_RUNNING", "TASK_STAGING", "TASK_LOST"][..]),
        prop::option::of(select(
            &["10.1.0.1", "10.1.0.1", "fd00::2", "1.2.3.4 x"][..],
        )),
        any::<bool>(),
    )
        .prop_map(|(id, host, ports, state, own, alive)| {
            let mut task = json!({"id": id, "host": host, "ports": ports, "state": state,
                                  "healthCheckResults": [{"alive": alive}]});
            if let Some(ip) = own {
                task["ipAddresses"] = json!([{"ipAddress": ip}]);
            }
            task
        })
}

/// An app of few ids, ports, labels and tasks, so that generated apps meet:
/// duplicate ids, blue/green pairs, clashing ports, shared agents; now and
/// then an extra field of any shape.
fn any_app() -> impl Strategy<Value = Value> {
    let app = (
        select(&["/a", "/b", "/c", "/a/b", "/a_b", "/ok"][..]),
        prop::collection::vec((select(APP_LABEL_NAMES), select(APP_LABEL_VALUES)), 0..6),
        prop::collection::vec(10000..10003_i64, 0..3),
        prop::collection::vec(any_task(), 0..4),
        any::<bool>(),
        prop::option::weighted(0.1, json_value()),
    )
        .prop_map(|(id, labels, ports, tasks, checked, extra)| {
            let labels: serde_json::Map<String, Value> = labels
                .into_iter()
                .map(|(k, v)| (k.to_owned(), json!(v)))
                .collect();
            let definitions: Vec<Value> = ports.iter().map(|p| json!({"port": p})).collect();
            let mut app = json!({"id": id, "labels": labels, "portDefinitions": definitions,
                                 "tasks": tasks});
            if checked {
                app["healthChecks"] = json!([{"protocol": "HTTP", "path": "/health"}]);
            }
            if let Some(extra) = extra {
                app["container"] = extra;
            }
            app
        });
    prop_oneof![4 => app, 1 => json_value()]
}

/// Renders raw bytes the way `mlb-cli render` does; `None` when the
/// document as a whole is refused.
fn render_bytes(bytes: &[u8], flags: &RenderFlags) -> Option<Outcome> {
    let decoded = decode_apps(bytes).ok()?;
    Some(
        render_apps(
            decoded.apps,
            flags,
            templates(),
            &IpLiteralResolver,
            &mut HealthMemory::default(),
        )
        .unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// Any document of apps renders without a panic, twice alike, and the
    /// same whatever the order of its apps (duplicates and clashes
    /// included); without template labels, every line is a directive.
    #[test]
    fn any_document_renders_alike_in_any_order(apps in prop::collection::vec(any_app(), 0..6)) {
        let flags = flags();
        let text = Value::Array(apps.clone()).to_string();
        let Some(first) = render_bytes(text.as_bytes(), flags) else {
            return Ok(());
        };
        // Template labels write what they like; without them, every line
        // comes from a template.
        let plain = render_bytes(text.as_bytes(), flags_without_label_templates()).unwrap();
        lines_are_directives(&plain.rendered.config)?;
        let again = render_bytes(text.as_bytes(), flags).unwrap();
        prop_assert_eq!(&first.rendered, &again.rendered);

        let mut reversed = apps;
        reversed.reverse();
        let reversed = render_bytes(Value::Array(reversed).to_string().as_bytes(), flags).unwrap();
        prop_assert_eq!(&first.rendered.config, &reversed.rendered.config);
        prop_assert_eq!(&first.model_warnings, &reversed.model_warnings);
    }

    /// Bytes of any kind are refused or rendered, never a panic.
    #[test]
    fn any_bytes_are_refused_or_rendered(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = render_bytes(&bytes, flags());
    }
}
