//! The whole config: services visited in order, each adding its parts to
//! the shared frontends and its own frontend and backend.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use indexmap::IndexSet;
use lb_model::{Backend, Service};

use crate::Error;
use crate::clashes::clashing;
use crate::names::{backend_name, push_number, sanitize, server_cookie, server_id, server_name};
use crate::staged::{Chunks, Staged, StagedConfig};
use crate::templates::{OverrideCache, TemplateId, Templates, template_id};
use crate::vhost::{VhostParts, vhost_rules};

/// How the config is rendered. The defaults are marathon-lb's.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The load balancer's groups: a service is rendered when one of its
    /// groups is here; `*` takes every service. Default `external`.
    pub groups: Vec<String>,
    /// Render the shared HTTP (:80) and HTTPS (:443) frontends. Default on.
    pub bind_http_https: bool,
    /// Certificates of the HTTPS frontend. Default `/etc/ssl/cert.pem`.
    pub ssl_certs: Vec<String>,
    /// Route vhosts and app ids through map files. Default off.
    pub haproxy_map: bool,
    /// One TLS frontend per vhost behind an SNI switch. Default off.
    pub group_https_by_vhost: bool,
    /// The directory of the live config, where the map files are read
    /// from. Default `/etc/haproxy`.
    pub haproxy_dir: String,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            groups: vec!["external".to_owned()],
            bind_http_https: true,
            ssl_certs: vec!["/etc/ssl/cert.pem".to_owned()],
            haproxy_map: false,
            group_https_by_vhost: false,
            haproxy_dir: "/etc/haproxy".to_owned(),
        }
    }
}

/// A rendered config and its map files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The HAProxy config.
    pub config: String,
    /// `domain2backend.map`: `vhost backend` lines (with map mode).
    pub domain_map: String,
    /// `app2backend.map`: `app-id backend` lines (with map mode).
    pub app_map: String,
    /// Services left out, and why.
    pub warnings: Vec<SkippedService>,
}

/// A service the renderer left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedService {
    /// The app id.
    pub app_id: String,
    /// The service port.
    pub service_port: u16,
    /// Why, naming the label or template at fault.
    pub reason: String,
}

impl std::fmt::Display for SkippedService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "app {}, service port {}: {}",
            self.app_id, self.service_port, self.reason
        )
    }
}

/// Which shared lines have been emitted once already.
#[derive(Debug, Clone, Default)]
pub(crate) struct Flags {
    pub(crate) map_http: bool,
    pub(crate) map_https: bool,
    pub(crate) map_appid: bool,
}

/// Renders templates, taking each service's label overrides into account.
pub(crate) struct Emitter<'a> {
    templates: &'a Templates,
    options: &'a RenderOptions,
    overrides: OverrideCache,
}

impl<'a> Emitter<'a> {
    pub(crate) fn options(&self) -> &'a RenderOptions {
        self.options
    }

    /// Renders template `id` for `service` into `out`.
    pub(crate) fn emit<V: AsRef<str>>(
        &mut self,
        service: &Service,
        id: TemplateId,
        vars: &[(&str, V)],
        out: &mut String,
    ) -> Result<(), Error> {
        let spec = id.spec();
        if spec.per_service_port && !service.templates.is_empty() {
            let short = spec.name.trim_start_matches("HAPROXY_");
            let label = || format!("label HAPROXY_{}_{short}", service.port_index);
            match self.overrides.get(spec, &service.templates, label) {
                Some(Ok(template)) => {
                    return template.render(self.templates.registry(), vars, out);
                }
                // The compiled override is shared by every service with the
                // same text: name this service's label and value, not the
                // first one's.
                Some(Err(Error::Template { reason, .. })) => {
                    let value = service.templates.get(short).map_or("", String::as_str);
                    let shown: String = value.chars().take(120).collect();
                    return Err(Error::Template {
                        origin: format!("{} = {shown:?}", label()),
                        reason: reason.clone(),
                    });
                }
                Some(Err(err)) => return Err(err.clone()),
                None => {}
            }
        }
        self.templates
            .global(id)
            .render(self.templates.registry(), vars, out)
    }

    /// Renders a global template (no per-service override).
    fn global<V: AsRef<str>>(
        &self,
        id: TemplateId,
        vars: &[(&str, V)],
        out: &mut String,
    ) -> Result<(), Error> {
        self.templates
            .global(id)
            .render(self.templates.registry(), vars, out)
    }
}

/// Everything one service contributes, kept apart until it rendered whole.
/// One is reused from service to service, so that its buffers are
/// allocated once for the whole render.
#[derive(Debug, Default)]
struct ServiceParts {
    userlist: String,
    frontend: String,
    backend: String,
    weight: i64,
    /// Whether the service has vhost rules, in `vhost`.
    has_vhost: bool,
    vhost: VhostParts,
    /// Whether the service routes its app in the app-id frontend, with
    /// `appid` and its `app_map` entry.
    has_appid: bool,
    appid: String,
    app_map: Option<(String, String)>,
    servers: ServerBuffers,
}

impl ServiceParts {
    fn clear(&mut self, weight: i64) {
        self.userlist.clear();
        self.frontend.clear();
        self.backend.clear();
        self.weight = weight;
        self.has_vhost = false;
        self.has_appid = false;
        self.appid.clear();
        self.app_map = None;
    }
}

/// Renders the config of `services`.
///
/// A service whose label override does not compile or whose labels do not
/// fit together is left out and reported in [`Rendered::warnings`]; the
/// rest renders. The output depends only on the arguments.
pub fn render(
    services: &[Service],
    options: &RenderOptions,
    templates: &Templates,
) -> Result<Rendered, Error> {
    let Staged {
        config,
        domain_map,
        app_map,
        warnings,
    } = stage(services, options, templates)?;
    Ok(Rendered {
        config: config.into_string(),
        domain_map,
        app_map,
        warnings,
    })
}

/// Renders the config of `services` as [`render`] does, but keeps it in
/// parts, for [`StagedConfig::write_to`] to write out without joining it.
///
/// A large cluster is rendered by several threads, each taking a run of
/// whole apps; their parts are joined in the visiting order, so the
/// config is the same whatever the number of threads.
pub fn stage(
    services: &[Service],
    options: &RenderOptions,
    templates: &Templates,
) -> Result<Staged, Error> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let worth = services.len() / SERVICES_PER_THREAD;
    stage_in(services, options, templates, threads.min(worth))
}

/// Below this many services per thread, another thread is not worth it.
const SERVICES_PER_THREAD: usize = 2_000;

/// [`stage`] with at most `threads` threads.
pub(crate) fn stage_in(
    services: &[Service],
    options: &RenderOptions,
    templates: &Templates,
    threads: usize,
) -> Result<Staged, Error> {
    let em = Emitter {
        templates,
        options,
        overrides: OverrideCache::default(),
    };
    let (by_app, visiting) = visiting_order(services);

    // Apps whose ACL names sanitize alike are left out (see clashes.rs).
    let clashes = clashing(&visiting, options, |s| {
        in_groups(s.groups(), &options.groups) && s.enabled
    });
    let context = Context {
        options,
        templates,
        by_app: &by_app,
        clashes: &clashes,
    };

    // With map files, the first service to route through a map emits the
    // lines that read it: which one that is depends on every service
    // before it, so one thread renders them all.
    let threads = if options.haproxy_map {
        1
    } else {
        threads.max(1)
    };
    let none: &[(&str, &str)] = &[];
    let mut appid_head = String::new();
    em.global(
        template_id!("HAPROXY_HTTP_FRONTEND_APPID_HEAD"),
        none,
        &mut appid_head,
    )?;
    // The first run's parts are the base the others are appended to, so
    // that a render on one thread joins nothing.
    let mut runs = stage_runs(&context, &whole_apps(&visiting, threads)).into_iter();
    let (mut collected, mut warnings) = runs.next().unwrap_or_default();
    collected.appid.insert_str(0, &appid_head);
    for (run, skipped) in runs {
        collected.append(run);
        warnings.extend(skipped);
    }

    let domain_map = map_file(std::mem::take(&mut collected.domain_map));
    let app_map = map_file(std::mem::take(&mut collected.app_map));
    Ok(Staged {
        config: collected.into_config(&em)?,
        domain_map,
        app_map,
        warnings,
    })
}

/// Renders each run, the first on this thread and each other on a
/// thread of its own; their results in the order of the runs.
fn stage_runs<'s>(
    context: &Context<'_, 's>,
    runs: &[&[&'s Service]],
) -> Vec<(Collected<'s>, Vec<SkippedService>)> {
    let Some((first, others)) = runs.split_first() else {
        return Vec::new();
    };
    std::thread::scope(|scope| {
        let others: Vec<_> = others
            .iter()
            .map(|run| scope.spawn(|| context.stage_run(run)))
            .collect();
        let mut done = vec![context.stage_run(first)];
        for other in others {
            let run = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            done.push(run);
        }
        done
    })
}

/// `visiting` cut into at most `count` runs of about the same length,
/// each ending with the last service of an app: the services of one app
/// must be rendered by one thread, which knows whether the app's id
/// route has been written already.
fn whole_apps<'v, 's>(visiting: &'v [&'s Service], count: usize) -> Vec<&'v [&'s Service]> {
    let mut runs = Vec::with_capacity(count);
    let mut rest = visiting;
    for left in (1..=count).rev() {
        if left == 1 || rest.is_empty() {
            runs.push(rest);
            break;
        }
        let mut cut = rest.len() / left;
        while cut < rest.len() && cut > 0 && rest[cut].app_id == rest[cut - 1].app_id {
            cut += 1;
        }
        let (run, after) = rest.split_at(cut);
        runs.push(run);
        rest = after;
    }
    runs
}

/// What every thread of a render reads.
struct Context<'a, 's> {
    options: &'a RenderOptions,
    templates: &'a Templates,
    /// Every service, grouped by app (see [`visiting_order`]).
    by_app: &'a [&'s Service],
    /// The services left out for their ACL names (see clashes.rs).
    clashes: &'a BTreeMap<(&'s str, u16), SkippedService>,
}

impl<'s> Context<'_, 's> {
    /// Renders `run`, services in visiting order: what they add to the
    /// config, and the services left out.
    fn stage_run(&self, run: &[&'s Service]) -> (Collected<'s>, Vec<SkippedService>) {
        let options = self.options;
        let mut em = Emitter {
            templates: self.templates,
            options,
            overrides: OverrideCache::default(),
        };
        let mut flags = Flags::default();
        let mut warnings = Vec::new();
        let mut collected = Collected::default();
        let mut parts = ServiceParts::default();
        let mut apps = self.by_app.chunk_by(|a, b| a.app_id == b.app_id);
        let mut siblings: &[&Service] = &[];
        for &service in run {
            if !in_groups(service.groups(), &options.groups) || !service.enabled {
                continue;
            }
            if let Some(skipped) = self
                .clashes
                .get(&(service.app_id.as_str(), service.service_port))
            {
                warnings.push(skipped.clone());
                continue;
            }
            advance_to(&mut apps, &mut siblings, &service.app_id);
            let saved = flags.clone();
            parts.clear(service.backend_weight);
            if let Err(err) = render_service(
                &mut em,
                service,
                siblings,
                &mut flags,
                collected.appid_last,
                &mut parts,
            ) {
                flags = saved;
                warnings.push(SkippedService {
                    app_id: service.app_id.clone(),
                    service_port: service.service_port,
                    reason: err.to_string(),
                });
                continue;
            }
            collected.add(service, &mut parts, options);
        }
        (collected, warnings)
    }
}

/// What the services rendered so far add to each part of the config.
#[derive(Debug, Default)]
struct Collected<'s> {
    userlists: String,
    frontends: Chunks,
    backends: Chunks,
    http_parts: Vec<(i64, String)>,
    tls_parts: Vec<(i64, String)>,
    grouped: BTreeMap<String, GroupedVhost>,
    appid: String,
    /// The app of the last service routed in the app-id frontend: only
    /// the first HTTP service of an app is, and the services of an app are
    /// visited one after another.
    appid_last: Option<&'s str>,
    domain_map: Vec<(String, String)>,
    app_map: Vec<(String, String)>,
}

impl<'s> Collected<'s> {
    /// Adds what the services of `later` added, after what these did.
    fn append(&mut self, later: Collected<'s>) {
        self.userlists.push_str(&later.userlists);
        self.frontends.append(later.frontends);
        self.backends.append(later.backends);
        self.http_parts.extend(later.http_parts);
        self.tls_parts.extend(later.tls_parts);
        for (host, group) in later.grouped {
            let mine = self.grouped.entry(host).or_default();
            mine.parts.extend(group.parts);
            mine.certs.extend(group.certs);
            mine.bind_options.extend(group.bind_options);
        }
        self.appid.push_str(&later.appid);
        self.domain_map.extend(later.domain_map);
        self.app_map.extend(later.app_map);
    }

    /// Adds what `service` rendered whole into `parts`.
    fn add(&mut self, service: &'s Service, parts: &mut ServiceParts, options: &RenderOptions) {
        self.userlists.push_str(&parts.userlist);
        self.frontends.push_str(&parts.frontend);
        self.backends.push_str(&parts.backend);
        if parts.has_vhost {
            // Copies of the reused buffers, each allocated at its size.
            let vhost = &mut parts.vhost;
            self.http_parts.push((parts.weight, vhost.http.clone()));
            self.tls_parts.push((parts.weight, vhost.https.clone()));
            if options.group_https_by_vhost {
                for (host, text) in std::mem::take(&mut vhost.https_by_vhost) {
                    let group = self.grouped.entry(host).or_default();
                    group.parts.push((parts.weight, text));
                    group.certs.extend(service.ssl_cert.clone());
                    group.bind_options.extend(service.bind_options.clone());
                }
            }
            self.domain_map.append(&mut vhost.domain_map);
        }
        if parts.has_appid {
            self.appid_last = Some(service.app_id.as_str());
            self.appid.push_str(&parts.appid);
            self.app_map.extend(parts.app_map.take());
        }
    }

    /// The parts of the config in order, with the heads of the shared
    /// frontends.
    fn into_config(self, em: &Emitter<'_>) -> Result<StagedConfig, Error> {
        let options = em.options();
        let Collected {
            userlists,
            frontends,
            backends,
            mut http_parts,
            mut tls_parts,
            grouped,
            appid,
            ..
        } = self;
        // Higher weights first; equal weights keep the visiting order.
        http_parts.sort_by_key(|(weight, _)| std::cmp::Reverse(*weight));
        tls_parts.sort_by_key(|(weight, _)| std::cmp::Reverse(*weight));

        let none: &[(&str, &str)] = &[];
        let mut config = StagedConfig::default();
        let mut head = String::new();
        em.global(template_id!("HAPROXY_HEAD"), none, &mut head)?;
        config.push(head);
        config.push(userlists);
        if options.bind_http_https {
            let mut http_head = String::new();
            em.global(
                template_id!("HAPROXY_HTTP_FRONTEND_HEAD"),
                none,
                &mut http_head,
            )?;
            config.push(http_head);
            for (_, part) in http_parts {
                config.push(part);
            }
        }
        config.push(appid);
        if options.bind_http_https {
            let mut https = String::new();
            https_frontend(em, options, &tls_parts, &grouped, &mut https)?;
            config.push(https);
        }
        config.extend(frontends);
        config.extend(backends);
        Ok(config)
    }
}

/// The services grouped by app id, each app's in their given order, which
/// the health-check port index label refers to; and every service in the
/// order they are rendered, by app id and service port. Both sorts are
/// stable and take one pass over services that are in order already, as
/// the model gives them.
fn visiting_order(services: &[Service]) -> (Vec<&Service>, Vec<&Service>) {
    let mut by_app: Vec<&Service> = services.iter().collect();
    by_app.sort_by(|a, b| a.app_id.cmp(&b.app_id));
    let mut visiting = by_app.clone();
    visiting.sort_by(|a, b| (&a.app_id, a.service_port).cmp(&(&b.app_id, b.service_port)));
    (by_app, visiting)
}

/// Moves `current` to the services of `app_id` in `apps`, the services
/// grouped by app. The visiting order meets the apps in the same order.
fn advance_to<'s>(
    apps: &mut impl Iterator<Item = &'s [&'s Service]>,
    current: &mut &'s [&'s Service],
    app_id: &str,
) {
    while current.first().is_none_or(|s| s.app_id != app_id) {
        match apps.next() {
            Some(next) => *current = next,
            None => return,
        }
    }
}

/// The TLS certificates and bind options of one vhost's own frontend.
#[derive(Debug, Default)]
struct GroupedVhost {
    parts: Vec<(i64, String)>,
    certs: BTreeSet<String>,
    bind_options: BTreeSet<String>,
}

fn https_frontend(
    em: &Emitter<'_>,
    options: &RenderOptions,
    https_parts: &[(i64, String)],
    grouped: &BTreeMap<String, GroupedVhost>,
    config: &mut String,
) -> Result<(), Error> {
    let certs = |certs: &mut dyn Iterator<Item = &String>| {
        certs
            .map(|cert| format!("crt {cert}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !options.group_https_by_vhost {
        let ssl_certs = certs(&mut options.ssl_certs.iter());
        em.global(
            template_id!("HAPROXY_HTTPS_FRONTEND_HEAD"),
            &[("sslCerts", ssl_certs)],
            config,
        )?;
        for (_, part) in https_parts {
            config.push_str(part);
        }
        return Ok(());
    }

    em.global(
        template_id!("HAPROXY_HTTPS_GROUPED_FRONTEND_HEAD"),
        &[] as &[(&str, &str)],
        config,
    )?;
    for host in grouped.keys() {
        let vars = [("backend", sanitize(host)), ("host", host.clone())];
        em.global(
            template_id!("HAPROXY_HTTPS_GROUPED_VHOST_FRONTEND_ACL"),
            &vars,
            config,
        )?;
    }
    let default_certs: BTreeSet<String> = options.ssl_certs.iter().cloned().collect();
    for (host, group) in grouped {
        let name = sanitize(host);
        em.global(
            template_id!("HAPROXY_HTTPS_GROUPED_VHOST_BACKEND_HEAD"),
            &[("name", name.clone())],
            config,
        )?;
        let chosen = if group.certs.is_empty() {
            &default_certs
        } else {
            &group.certs
        };
        let bind_opts = group
            .bind_options
            .iter()
            .map(|o| format!(" {o}"))
            .collect::<Vec<_>>()
            .join(" ");
        let vars = [
            ("name", name),
            ("sslCerts", certs(&mut chosen.iter())),
            ("bindOpts", bind_opts),
        ];
        em.global(
            template_id!("HAPROXY_HTTPS_GROUPED_VHOST_FRONTEND_HEAD"),
            &vars,
            config,
        )?;
        let mut parts: Vec<&(i64, String)> = group.parts.iter().collect();
        parts.sort_by_key(|(weight, _)| std::cmp::Reverse(*weight));
        for (_, part) in parts {
            config.push_str(part);
        }
    }
    Ok(())
}

/// A map file: one `key backend` line per distinct pair, in the order the
/// pairs were first produced.
fn map_file(entries: Vec<(String, String)>) -> String {
    let distinct: IndexSet<(String, String)> = entries.into_iter().collect();
    let mut out = String::new();
    for (key, backend) in distinct {
        out.push_str(&key);
        out.push(' ');
        out.push_str(&backend);
        out.push('\n');
    }
    out
}

/// Whether a service with `groups` belongs to a load balancer of `lb`.
fn in_groups(groups: &[String], lb: &[String]) -> bool {
    lb.iter().any(|group| group == "*") || groups.iter().any(|group| lb.contains(group))
}

fn render_service(
    em: &mut Emitter<'_>,
    service: &Service,
    siblings: &[&Service],
    flags: &mut Flags,
    appid_last: Option<&str>,
    parts: &mut ServiceParts,
) -> Result<(), Error> {
    let options = em.options();
    let backend = backend_name(&service.app_id, service.service_port);
    let mode = service
        .mode
        .as_deref()
        .unwrap_or(if service.hostname.is_some() {
            "http"
        } else {
            "tcp"
        });
    let port = service.service_port.to_string();

    if let Some(auth) = &service.auth {
        let vars = [
            ("backend", &backend),
            ("user", &auth.user),
            ("passwd", &auth.password),
        ];
        em.emit(
            service,
            template_id!("HAPROXY_USERLIST_HEAD"),
            &vars,
            &mut parts.userlist,
        )?;
    }

    let ssl_cert = service
        .ssl_cert
        .as_ref()
        .map(|c| format!(" ssl crt {c}"))
        .unwrap_or_default();
    let bind_options = service
        .bind_options
        .as_ref()
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    let vars = [
        ("bindAddr", service.bind_addr.as_str()),
        ("backend", &backend),
        ("servicePort", &port),
        ("mode", mode),
        ("sslCert", &ssl_cert),
        ("bindOptions", &bind_options),
    ];
    em.emit(
        service,
        template_id!("HAPROXY_FRONTEND_HEAD"),
        &vars,
        &mut parts.frontend,
    )?;
    let vars = [
        ("backend", backend.as_str()),
        ("balance", &service.balance),
        ("mode", mode),
    ];
    em.emit(
        service,
        template_id!("HAPROXY_BACKEND_HEAD"),
        &vars,
        &mut parts.backend,
    )?;

    if options.bind_http_https {
        if let Some(hostname) = &service.hostname {
            vhost_rules(em, service, hostname, &backend, flags, &mut parts.vhost)?;
            if parts.vhost.took_map_line {
                parts.weight = -1;
            }
            parts.has_vhost = true;
        }
    }

    if mode == "http" && appid_last != Some(service.app_id.as_str()) {
        parts.app_map = appid_rule(em, service, &backend, flags, &mut parts.appid)?;
        parts.has_appid = true;
    }

    backend_body(em, service, mode, siblings, &mut parts.backend)?;
    em.emit(
        service,
        template_id!("HAPROXY_FRONTEND_BACKEND_GLUE"),
        &[("backend", &backend)],
        &mut parts.frontend,
    )?;
    servers(
        em,
        service,
        mode,
        siblings,
        &mut parts.backend,
        &mut parts.servers,
    )?;
    Ok(())
}

/// Appends to `text` the rule of the app-id frontend routing `service`
/// (the first HTTP service of its app) to `backend`; gives its map file
/// entry when the app ids are looked up in a map.
fn appid_rule(
    em: &mut Emitter<'_>,
    service: &Service,
    backend: &str,
    flags: &mut Flags,
    text: &mut String,
) -> Result<Option<(String, String)>, Error> {
    let options = em.options();
    if options.haproxy_map {
        if !flags.map_appid {
            let vars = [("haproxy_dir", options.haproxy_dir.as_str())];
            em.emit(
                service,
                template_id!("HAPROXY_MAP_HTTP_FRONTEND_APPID_ACL"),
                &vars,
                text,
            )?;
            flags.map_appid = true;
        }
        return Ok(Some((service.app_id.clone(), backend.to_owned())));
    }
    let cleaned = sanitize(&service.app_id);
    let vars = [
        ("cleanedUpAppId", cleaned.as_str()),
        ("hostname", service.hostname.as_deref().unwrap_or_default()),
        ("appId", &service.app_id),
        ("backend", backend),
    ];
    em.emit(
        service,
        template_id!("HAPROXY_HTTP_FRONTEND_APPID_ACL"),
        &vars,
        text,
    )?;
    Ok(None)
}

/// The backend's options between its head and its servers.
fn backend_body(
    em: &mut Emitter<'_>,
    service: &Service,
    mode: &str,
    _siblings: &[&Service],
    out: &mut String,
) -> Result<(), Error> {
    let none: &[(&str, &str)] = &[];
    let hostname = service.hostname.as_deref().unwrap_or_default();
    if mode == "http" {
        if service.use_hsts {
            em.emit(
                service,
                template_id!("HAPROXY_BACKEND_HSTS_OPTIONS"),
                none,
                out,
            )?;
        }
        em.emit(
            service,
            template_id!("HAPROXY_BACKEND_HTTP_OPTIONS"),
            none,
            out,
        )?;
        if let Some(path) = &service.proxy_path {
            let vars = [("hostname", hostname), ("proxypath", path)];
            em.emit(
                service,
                template_id!("HAPROXY_HTTP_BACKEND_PROXYPASS_GLUE"),
                &vars,
                out,
            )?;
        }
        if let Some(path) = &service.revproxy_path {
            let vars = [("hostname", hostname), ("rootpath", path)];
            em.emit(
                service,
                template_id!("HAPROXY_HTTP_BACKEND_REVPROXY_GLUE"),
                &vars,
                out,
            )?;
        }
        if let Some(path) = &service.redirect_path {
            let vars = [("hostname", hostname), ("redirpath", path)];
            em.emit(
                service,
                template_id!("HAPROXY_HTTP_BACKEND_REDIR"),
                &vars,
                out,
            )?;
        }
    }

    if let Some(networks) = &service.network_allowed {
        let templates = match mode {
            "http" => Some((
                template_id!("HAPROXY_HTTP_BACKEND_NETWORK_ALLOWED_ACL"),
                template_id!("HAPROXY_HTTP_BACKEND_ACL_ALLOW_DENY"),
            )),
            "tcp" => Some((
                template_id!("HAPROXY_TCP_BACKEND_NETWORK_ALLOWED_ACL"),
                template_id!("HAPROXY_TCP_BACKEND_ACL_ALLOW_DENY"),
            )),
            _ => None,
        };
        if let Some((acl, allow_deny)) = templates {
            for network in networks.split_whitespace() {
                em.emit(service, acl, &[("network_allowed", network)], out)?;
            }
            em.emit(service, allow_deny, none, out)?;
        }
    }

    if service.sticky {
        em.emit(
            service,
            template_id!("HAPROXY_BACKEND_STICKY_OPTIONS"),
            none,
            out,
        )?;
    }
    Ok(())
}

/// Which flavour of health-check templates a service uses, if any.
fn check_flavour(service: &Service, mode: &str) -> Option<(TemplateId, TemplateId)> {
    let check = service.health_check.as_ref()?;
    if mode == "tcp" || check.protocol == "TCP" || check.protocol == "MESOS_TCP" {
        Some((
            template_id!("HAPROXY_BACKEND_TCP_HEALTHCHECK_OPTIONS"),
            template_id!("HAPROXY_BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS"),
        ))
    } else if mode == "http" {
        Some((
            template_id!("HAPROXY_BACKEND_HTTP_HEALTHCHECK_OPTIONS"),
            template_id!("HAPROXY_BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS"),
        ))
    } else {
        None
    }
}

/// The port HAProxy checks for server `index`: with the health-check port
/// index label, the port of the same server of that sibling service;
/// otherwise the server's own.
fn check_port(service: &Service, siblings: &[&Service], index: usize) -> Result<u16, Error> {
    let own = service.backends[index].port;
    let Some(k) = service.healthcheck_port_index else {
        return Ok(own);
    };
    let count = i64::try_from(siblings.len()).unwrap_or(i64::MAX);
    if k.unsigned_abs() > count.unsigned_abs() {
        return Ok(own);
    }
    let position = if k < 0 { count + k } else { k };
    let Some(sibling) = usize::try_from(position).ok().and_then(|p| siblings.get(p)) else {
        return Err(Error::Label {
            label: format!(
                "HAPROXY_{}_BACKEND_HEALTHCHECK_PORT_INDEX",
                service.port_index
            ),
            reason: format!("port index {k} is past the app's {count} service ports"),
        });
    };
    // FIXME: marathon-lb crashes when the sibling has fewer servers; mlb
    // checks the server's own port then, which is right once both sides
    // have scaled alike.
    Ok(sibling
        .backends
        .get(index)
        .map_or(own, |backend| backend.port))
}

/// The numbers of a health check that are the same for every server of a
/// backend, formatted once per backend rather than once per server.
#[derive(Debug, Default)]
struct CheckValues {
    port_index: String,
    timeout: String,
    interval: String,
    grace: String,
    failures: String,
    falls: String,
}

impl CheckValues {
    fn set(&mut self, check: &lb_model::HealthCheck) {
        self.port_index.clear();
        self.timeout.clear();
        self.interval.clear();
        self.grace.clear();
        self.failures.clear();
        self.falls.clear();
        let failures = check.max_consecutive_failures;
        // Writing to a String cannot fail.
        if let Some(index) = check.port_index {
            let _ = write!(self.port_index, "{index}");
        }
        let _ = write!(self.timeout, "{}", check.timeout_seconds);
        let _ = write!(self.interval, "{}", check.interval_seconds);
        let _ = write!(self.grace, "{}", check.grace_period_seconds);
        let _ = write!(self.failures, "{failures}");
        let _ = write!(self.falls, "{}", failures.saturating_add(1));
    }

    /// Every health-check placeholder of `check`, for port `port`.
    fn vars<'v>(
        &'v self,
        check: &'v lb_model::HealthCheck,
        port: &'v HealthCheckPort,
    ) -> [(&'static str, &'v str); 10] {
        // The ones the default templates use first, in their order (see
        // `Template::value`).
        [
            ("healthCheckIntervalSeconds", &self.interval),
            ("healthCheckFalls", &self.falls),
            ("healthCheckPortOptions", &port.options),
            ("healthCheckPath", &check.path),
            ("healthCheckTimeoutSeconds", &self.timeout),
            ("healthCheckPortIndex", &self.port_index),
            ("healthCheckPort", &port.number),
            ("healthCheckProtocol", &check.protocol),
            ("healthCheckGracePeriodSeconds", &self.grace),
            ("healthCheckMaxConsecutiveFailures", &self.failures),
        ]
    }
}

/// The port placeholders of a health check: `healthCheckPort` and
/// `healthCheckPortOptions` (` port <p>`), both empty without a port.
#[derive(Debug, Default)]
struct HealthCheckPort {
    number: String,
    options: String,
}

impl HealthCheckPort {
    fn set(&mut self, port: Option<u16>) {
        self.number.clear();
        self.options.clear();
        if let Some(port) = port {
            // Writing to a String cannot fail.
            let _ = write!(self.number, "{port}");
            let _ = write!(self.options, " port {port}");
        }
    }
}

/// The buffers of [`servers`], reused from backend to backend.
#[derive(Debug, Default)]
struct ServerBuffers {
    check_values: CheckValues,
    check_port: HealthCheckPort,
    check_options: String,
    port: String,
    id: String,
}

fn servers(
    em: &mut Emitter<'_>,
    service: &Service,
    mode: &str,
    siblings: &[&Service],
    out: &mut String,
    buffers: &mut ServerBuffers,
) -> Result<(), Error> {
    let flavour = check_flavour(service, mode);
    let ServerBuffers {
        check_values,
        check_port: check_port_text,
        check_options,
        port: port_text,
        id: id_text,
    } = buffers;
    let check = service.health_check.as_ref();
    if let Some(check) = check {
        check_values.set(check);
    }
    let mut taken = BTreeSet::new();
    let mut taken_names = BTreeSet::new();
    for (
        index,
        Backend {
            host,
            ip,
            port,
            draining,
        },
    ) in service.backends.iter().enumerate()
    {
        if index == 0 {
            if let (Some((backend_template, _)), Some(check)) = (flavour, check) {
                check_port_text.set(Some(check_port(service, siblings, 0)?));
                em.emit(
                    service,
                    backend_template,
                    &check_values.vars(check, check_port_text),
                    out,
                )?;
            }
        }

        let name = server_name(host, ip, *port);
        // HAProxy refuses a backend with two servers of one name, which
        // agent host names differing only in punctuation would give.
        if taken_names.contains(&name) {
            return Err(Error::DuplicateServer {
                backend: backend_name(&service.app_id, service.service_port),
                server: name,
            });
        }
        check_options.clear();
        if let (Some((_, server_template)), Some(check)) = (flavour, check) {
            let check_port = if service.healthcheck_port_index.is_some() {
                Some(check_port(service, siblings, index)?)
            } else {
                service
                    .health_check
                    .as_ref()
                    .and_then(|c| c.port)
                    .and_then(|p| u16::try_from(p).ok())
            };
            check_port_text.set(check_port.filter(|port| *port != 0));
            em.emit(
                service,
                server_template,
                &check_values.vars(check, check_port_text),
                check_options,
            )?;
        }
        let cookie = if service.sticky {
            format!(" check cookie {}", server_cookie(&name))
        } else {
            String::new()
        };
        port_text.clear();
        id_text.clear();
        push_number(port_text, u32::from(*port));
        push_number(id_text, server_id(&name, &mut taken));
        // In the order the default template uses them (see
        // `Template::value`).
        let vars = [
            ("serverName", name.as_str()),
            ("host_ipv4", ip),
            ("port", port_text),
            ("serverId", id_text),
            ("cookieOptions", &cookie),
            ("healthCheckOptions", check_options),
            ("otherOptions", if *draining { " disabled" } else { "" }),
            ("host", host.as_str()),
        ];
        em.emit(
            service,
            template_id!("HAPROXY_BACKEND_SERVER_OPTIONS"),
            &vars,
            out,
        )?;
        taken_names.insert(name);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use lb_model::{Auth, HealthCheck};

    use super::*;

    /// Services of every kind the threads must agree on: apps with several
    /// service ports, vhosts with weights (sorted across threads), auth,
    /// grouped HTTPS vhosts shared by apps, ACL clashes and overrides that
    /// fail.
    fn cluster(apps: usize) -> Vec<Service> {
        let mut services = Vec::new();
        for n in 0..apps {
            let id = format!("/team{}/app{n:04}", n % 7);
            for port in 0..=(n % 3) {
                let port = u16::try_from(10_000 + 3 * n + port).unwrap();
                let mut service = Service::default_for(&id, port);
                if n % 2 == 0 {
                    service.hostname = Some(format!("app{}.example.com", n % 50));
                    service.backend_weight = i64::try_from(n % 5).unwrap();
                }
                if n % 11 == 0 {
                    service.auth = Some(Auth {
                        realm: "realm".to_owned(),
                        user: "user".to_owned(),
                        password: "hash".to_owned(),
                    });
                }
                if n % 13 == 0 {
                    service.ssl_cert = Some(format!("/etc/ssl/{n}.pem"));
                }
                if n % 17 == 0 {
                    service
                        .templates
                        .insert("BACKEND_HEAD".to_owned(), "backend {backend\n".to_owned());
                }
                if n % 5 == 0 {
                    service.mode = Some("http".to_owned());
                    service.health_check = Some(HealthCheck {
                        protocol: "HTTP".to_owned(),
                        port_index: Some(0),
                        port: None,
                        path: "/health".to_owned(),
                        timeout_seconds: 20,
                        interval_seconds: 60,
                        grace_period_seconds: 300,
                        max_consecutive_failures: 3,
                    });
                }
                for task in 0..=(n % 4) {
                    service.backends.push(Backend {
                        host: format!("agent{}", (n + task) % 40),
                        ip: format!("10.0.{}.{}", task, n % 250),
                        port: u16::try_from(31_000 + task).unwrap(),
                        draining: task == 3,
                    });
                }
                services.push(service);
            }
        }
        // Two apps whose vhost ACL names clash, one in each half.
        let mut store = Service::default_for("/store", 9_000);
        store.hostname = Some("shop.example.com".to_owned());
        let mut thief = Service::default_for("/zz/example/com/store", 9_001);
        thief.hostname = Some("shop".to_owned());
        for service in [&mut store, &mut thief] {
            service.backends.push(Backend {
                host: "agent1".to_owned(),
                ip: "10.0.0.1".to_owned(),
                port: 31_000,
                draining: false,
            });
        }
        services.extend([store, thief]);
        services.sort_by(|a, b| (&a.app_id, a.service_port).cmp(&(&b.app_id, b.service_port)));
        services
    }

    #[test]
    fn the_config_does_not_depend_on_the_number_of_threads() {
        let services = cluster(300);
        let templates = Templates::default();
        let grouped = RenderOptions {
            groups: vec!["*".to_owned()],
            group_https_by_vhost: true,
            ..RenderOptions::default()
        };
        let plain = RenderOptions {
            groups: vec!["*".to_owned()],
            ..RenderOptions::default()
        };
        for options in [plain, grouped] {
            let written = |threads| {
                let staged = stage_in(&services, &options, &templates, threads).unwrap();
                (staged.config.into_string(), staged.warnings)
            };
            let (alone, warnings) = written(1);
            assert!(warnings.len() > 10, "{warnings:?}");
            for threads in 2..=5 {
                assert_eq!(
                    written(threads),
                    (alone.clone(), warnings.clone()),
                    "{threads}"
                );
            }
        }
    }

    #[test]
    fn runs_end_with_whole_apps() {
        let services = cluster(50);
        let visiting: Vec<&Service> = services.iter().collect();
        for count in 1..=7 {
            let runs = whole_apps(&visiting, count);
            assert!(runs.len() <= count);
            assert_eq!(runs.concat(), visiting);
            for pair in runs.windows(2) {
                if let (Some(last), Some(next)) = (pair[0].last(), pair[1].first()) {
                    assert_ne!(last.app_id, next.app_id);
                }
            }
        }
    }
}
