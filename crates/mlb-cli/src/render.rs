//! The render path shared by every subcommand: flags, input, model, config.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::{Ipv4Addr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;

use haproxy_config::{RenderOptions, Rendered, Staged, Templates};
use lb_model::{HealthMemory, Model, ModelBuilder, Options, Resolver, Service, Warning};
use marathon_client::wire::{
    App, RejectedApp, decode_apps, decode_apps_from_reader, for_each_app_from_reader,
};

/// The flags that shape the config, named as marathon-lb names them so
/// that scripts carry over.
#[derive(Debug, Clone, clap::Args)]
pub struct RenderFlags {
    /// Render only services of these load balancer groups (repeatable);
    /// `*` renders every service, with or without a group.
    #[arg(long = "group", value_name = "GROUP", default_value = "external")]
    pub groups: Vec<String>,

    /// Do not render the shared HTTP (:80) and HTTPS (:443) frontends.
    #[arg(long)]
    pub dont_bind_http_https: bool,

    /// Comma-separated certificates for the HTTPS frontend.
    #[arg(long, value_name = "A,B", default_value = "/etc/ssl/cert.pem")]
    pub ssl_certs: String,

    /// Route vhosts and app ids through domain2backend.map and
    /// app2backend.map, written beside the config.
    #[arg(long)]
    pub haproxy_map: bool,

    /// Terminate TLS in one frontend per vhost, switched by SNI.
    #[arg(long)]
    pub group_https_by_vhost: bool,

    /// Expose only services whose HAPROXY_{n}_ENABLED label is true.
    #[arg(long)]
    pub strict_mode: bool,

    /// Leave out tasks of health-checked apps that Marathon does not
    /// report alive.
    #[arg(long)]
    pub health_check: bool,

    /// Where the live config lives; map paths inside it point to its
    /// directory.
    #[arg(long, value_name = "PATH", default_value = "/etc/haproxy/haproxy.cfg")]
    pub haproxy_config: PathBuf,

    /// Lowest service port made up for IP-per-task apps without one.
    #[arg(long, value_name = "PORT", default_value_t = 10050)]
    pub min_serv_port_ip_per_task: u16,

    /// Highest service port made up for IP-per-task apps without one.
    #[arg(long, value_name = "PORT", default_value_t = 10100)]
    pub max_serv_port_ip_per_task: u16,

    /// Directory of global template overrides, one file per template name.
    #[arg(long, value_name = "DIR", default_value = "templates")]
    pub templates: PathBuf,

    /// Ignore template override labels (`HAPROXY_{n}_BACKEND_HEAD` and the
    /// like), with a warning per app: app owners then cannot write HAProxy
    /// text. Value labels (VHOST, PATH, ...) still apply.
    #[arg(long)]
    pub no_label_templates: bool,
}

impl RenderFlags {
    /// The model options these flags ask for.
    #[must_use]
    pub fn model_options(&self) -> Options {
        Options {
            strict_mode: self.strict_mode,
            health_check: self.health_check,
            min_service_port_ip_per_task: self.min_serv_port_ip_per_task,
            max_service_port_ip_per_task: self.max_serv_port_ip_per_task,
            framework_name: std::env::var("FRAMEWORK_NAME")
                .ok()
                .filter(|name| !name.is_empty()),
            label_templates: !self.no_label_templates,
            // The app-id frontend is always rendered; the HTTP and HTTPS
            // ones unless --dont-bind-http-https.
            reserved_ports: if self.dont_bind_http_https {
                vec![9091]
            } else {
                vec![80, 443, 9091]
            },
        }
    }

    /// The render options these flags ask for.
    pub fn render_options(&self) -> RenderOptions {
        let dir = self.haproxy_config.parent().unwrap_or(Path::new(""));
        RenderOptions {
            groups: self.groups.clone(),
            bind_http_https: !self.dont_bind_http_https,
            ssl_certs: self.ssl_certs.split(',').map(str::to_owned).collect(),
            haproxy_map: self.haproxy_map,
            group_https_by_vhost: self.group_https_by_vhost,
            haproxy_dir: dir.display().to_string(),
        }
    }

    /// Loads the templates: environment variables, then the templates
    /// directory, then the defaults.
    pub fn load_templates(&self) -> Result<Templates, haproxy_config::Error> {
        Templates::load(|name| std::env::var(name).ok(), Some(&self.templates))
    }
}

/// Errors of the render path.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The input file could not be read.
    #[error("reading {path}")]
    Read {
        /// The file, or `-` for standard input.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The input is not an apps document.
    #[error("{path}:{line}:{column}: {message}")]
    Document {
        /// The file, or `-` for standard input.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A global template override does not compile.
    #[error(transparent)]
    Templates(#[from] haproxy_config::Error),
}

/// Reads an apps document from a file, or from standard input for `-`.
pub fn read_apps(path: &str) -> Result<(Vec<App>, Vec<RejectedApp>), RenderError> {
    // A file is decoded as it is read, so that a large document is never
    // held whole next to its apps. A document that does not decode that
    // way is read again and decoded whole, which says what is wrong.
    if path != "-" {
        let read_error = |source| RenderError::Read {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_error)?;
        if let Some(decoded) = decode_apps_from_reader(file).map_err(read_error)? {
            return Ok((decoded.apps, decoded.rejected));
        }
    }
    read_whole(path)
}

/// Reads a whole apps document, from a file or from standard input for
/// `-`, and decodes it: the way that decides which apps are rejected, and
/// says where a document is wrong.
fn read_whole(path: &str) -> Result<(Vec<App>, Vec<RejectedApp>), RenderError> {
    let bytes = if path == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(|source| {
            RenderError::Read {
                path: path.to_owned(),
                source,
            }
        })?;
        bytes
    } else {
        std::fs::read(path).map_err(|source| RenderError::Read {
            path: path.to_owned(),
            source,
        })?
    };
    let decoded = decode_apps(&bytes).map_err(|err| match err {
        marathon_client::Error::Document {
            message,
            line,
            column,
        } => RenderError::Document {
            path: path.to_owned(),
            line,
            column,
            message,
        },
        other => RenderError::Document {
            path: path.to_owned(),
            line: 0,
            column: 0,
            message: other.to_string(),
        },
    })?;
    Ok((decoded.apps, decoded.rejected))
}

/// Decoded apps go to the model in batches of this many: handing over
/// each app alone would wake the other thread for every app.
const APPS_BATCH: usize = 32;

/// How many batches of decoded apps may wait for the model to take them.
const BATCHES_AHEAD: usize = 2;

/// Fewer bytes of an apps document than an app with one service and one
/// task takes, to guess how many services a document holds at most: an
/// app definition with its task is rarely under a kilobyte.
const DOCUMENT_BYTES_PER_SERVICE: usize = 1024;

/// The most services room is made for up front (about 60 MB of address
/// space), whatever the size of the document: past that the list grows
/// as it needs.
const MAX_RESERVED_SERVICES: usize = 100_000;

/// Reads an apps document as [`read_apps`] does and renders it as
/// [`stage_apps`] does, but builds the services of each app while the next
/// ones are decoded, on a thread of its own: the two take about as long,
/// and the apps are never held all at once. Gives the apps the document
/// rejected, and the render.
pub fn stage_file(
    path: &str,
    flags: &RenderFlags,
    templates: &Templates,
    resolver: &dyn Resolver,
    memory: &mut HealthMemory,
) -> Result<(Vec<RejectedApp>, StagedOutcome), RenderError> {
    if path != "-" {
        let read_error = |source| RenderError::Read {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_error)?;
        let options = flags.model_options();
        let mut builder = ModelBuilder::new(&options, resolver, memory);
        if let Ok(metadata) = file.metadata() {
            let size = usize::try_from(metadata.len()).unwrap_or(usize::MAX);
            builder.reserve((size / DOCUMENT_BYTES_PER_SERVICE).min(MAX_RESERVED_SERVICES));
        }
        let plain = std::thread::scope(|scope| {
            let (sender, batches) = sync_channel(BATCHES_AHEAD);
            let decoding = scope.spawn(move || {
                let mut batch = Vec::with_capacity(APPS_BATCH);
                // The model takes every batch until the channel ends.
                let plain = for_each_app_from_reader(file, |app| {
                    batch.push(app);
                    if batch.len() == APPS_BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(APPS_BATCH));
                        let _ = sender.send(full);
                    }
                });
                let _ = sender.send(batch);
                plain
            });
            for app in batches.into_iter().flatten() {
                builder.add(app);
            }
            decoding
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .map_err(read_error)?;
        // A document that is not plain is decoded whole below, which says
        // what is wrong with it; the apps built so far are dropped.
        if plain {
            let staged = stage_model(builder.finish(), flags, templates)?;
            return Ok((Vec::new(), staged));
        }
    }
    let (apps, rejected) = read_whole(path)?;
    let staged = stage_apps(apps, flags, templates, resolver, memory)?;
    Ok((rejected, staged))
}

/// Resolves agent host names with the system resolver, once per name per
/// render.
#[derive(Debug, Default)]
pub struct SystemResolver {
    cache: RefCell<HashMap<String, Option<Ipv4Addr>>>,
}

impl Resolver for SystemResolver {
    fn resolve_ipv4(&self, host: &str) -> Option<Ipv4Addr> {
        if let Ok(ip) = host.parse() {
            return Some(ip);
        }
        self.cache
            .borrow_mut()
            .entry(host.to_owned())
            .or_insert_with(|| {
                (host, 0)
                    .to_socket_addrs()
                    .ok()?
                    .find_map(|addr| match addr.ip() {
                        std::net::IpAddr::V4(ip) => Some(ip),
                        std::net::IpAddr::V6(_) => None,
                    })
            })
            .to_owned()
    }
}

/// What one render produced, with everything that was left out.
#[derive(Debug)]
pub struct Outcome {
    /// The config and map files.
    pub rendered: Rendered,
    /// What the model left out.
    pub model_warnings: Vec<Warning>,
    /// How many services the model built, before group filtering.
    pub services: usize,
}

/// Builds the model of `apps` and renders it.
pub fn render_apps(
    apps: Vec<App>,
    flags: &RenderFlags,
    templates: &Templates,
    resolver: &dyn Resolver,
    memory: &mut HealthMemory,
) -> Result<Outcome, RenderError> {
    let Model { services, warnings } =
        lb_model::build(apps, &flags.model_options(), resolver, memory);
    let rendered = haproxy_config::render(&services, &flags.render_options(), templates)?;
    Ok(Outcome {
        rendered,
        model_warnings: warnings,
        services: services.len(),
    })
}

/// A render whose config is still in parts (see [`haproxy_config::Staged`]),
/// with what the model left out.
#[derive(Debug)]
pub struct StagedOutcome {
    /// The config, in parts, and the map files.
    pub staged: Staged,
    /// What the model left out.
    pub model_warnings: Vec<Warning>,
    /// The model's services, for the caller to free when it likes: a
    /// process about to end need not free them one by one.
    pub services: Vec<Service>,
}

/// Builds the model of `apps` and renders it as [`render_apps`] does, but
/// leaves the config in parts, for `mlb-cli render` to write it out
/// without holding it whole.
pub fn stage_apps(
    apps: Vec<App>,
    flags: &RenderFlags,
    templates: &Templates,
    resolver: &dyn Resolver,
    memory: &mut HealthMemory,
) -> Result<StagedOutcome, RenderError> {
    let model = lb_model::build(apps, &flags.model_options(), resolver, memory);
    stage_model(model, flags, templates)
}

/// Renders `model` as [`stage_apps`] does.
fn stage_model(
    model: Model,
    flags: &RenderFlags,
    templates: &Templates,
) -> Result<StagedOutcome, RenderError> {
    let Model { services, warnings } = model;
    let staged = haproxy_config::stage(&services, &flags.render_options(), templates)?;
    Ok(StagedOutcome {
        staged,
        model_warnings: warnings,
        services,
    })
}
