//! Turns a fixture and marathon-lb style flags into a rendered config.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use haproxy_config::{RenderOptions, Rendered, Templates};
use lb_model::{HealthMemory, Options, Warning};
use marathon_client::wire::App;

/// The path of a file under the repository's `fixtures/` directory.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

/// The bytes of a fixture.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()))
}

/// Agent host names resolve from this table only, so that the snapshots
/// never depend on the machine's DNS. `localhost` is the one named host in
/// the fixtures; the CLI's system resolver gives it the same address.
pub fn resolve(host: &str) -> Option<Ipv4Addr> {
    match host {
        "localhost" => Some(Ipv4Addr::LOCALHOST),
        literal => literal.parse().ok(),
    }
}

/// Model and render options from the flags `mlb-cli render` takes, so that
/// a test reads like the command line fixtures/README.md gives for it.
pub fn options(flags: &[&str]) -> (Options, RenderOptions) {
    let mut model = Options::default();
    let mut render = RenderOptions::default();
    let mut groups = Vec::new();
    let mut flags = flags.iter();
    while let Some(flag) = flags.next() {
        match *flag {
            "--haproxy-map" => render.haproxy_map = true,
            "--group-https-by-vhost" => render.group_https_by_vhost = true,
            "--dont-bind-http-https" => render.bind_http_https = false,
            "--strict-mode" => model.strict_mode = true,
            "--health-check" => model.health_check = true,
            "--group" => {
                let group = flags.next().expect("--group takes a value");
                groups.push((*group).to_owned());
            }
            other => panic!("flag {other} is not known to this helper"),
        }
    }
    if !groups.is_empty() {
        render.groups = groups;
    }
    (model, render)
}

/// What a render produced, with the warnings of both stages.
#[derive(Debug)]
pub struct Output {
    /// The config and the map files.
    pub rendered: Rendered,
    /// What the model left out.
    pub model_warnings: Vec<Warning>,
}

impl Output {
    /// The config after the default HEAD template. Every snapshot but the
    /// one of the empty cluster leaves the head out: it is the same long
    /// text each time and would hide what differs.
    pub fn body(&self) -> &str {
        let head = haproxy_config::spec("HAPROXY_HEAD")
            .expect("HAPROXY_HEAD is in the catalogue")
            .default;
        self.rendered
            .config
            .strip_prefix(head)
            .expect("the config starts with the default head")
    }
}

/// The apps of an apps document; every app must decode.
pub fn decode(bytes: &[u8]) -> Vec<App> {
    let decoded = marathon_client::wire::decode_apps(bytes).expect("an apps document");
    assert_eq!(decoded.rejected, [], "every fixture app decodes");
    decoded.apps
}

/// Renders the apps document `bytes` with `flags` and `memory`.
pub fn render_bytes(bytes: &[u8], flags: &[&str], memory: &mut HealthMemory) -> Output {
    render_apps(decode(bytes), flags, memory)
}

/// Renders `apps` with `flags` and `memory`.
pub fn render_apps(apps: Vec<App>, flags: &[&str], memory: &mut HealthMemory) -> Output {
    let (model_options, render_options) = options(flags);
    let model = lb_model::build(apps, &model_options, &resolve, memory);
    let rendered = haproxy_config::render(&model.services, &render_options, &Templates::default())
        .expect("the default templates render");
    Output {
        rendered,
        model_warnings: model.warnings,
    }
}

/// Renders fixture `name` with `flags`, as a fresh load balancer would,
/// and checks that nothing was left out with a warning: the fixtures are
/// meant to be clean clusters.
pub fn render(name: &str, flags: &[&str]) -> Output {
    let output = render_bytes(&fixture(name), flags, &mut HealthMemory::default());
    assert_eq!(
        output.model_warnings,
        [],
        "{name} {flags:?}: model warnings"
    );
    assert_eq!(
        output.rendered.warnings,
        [],
        "{name} {flags:?}: renderer warnings"
    );
    output
}
