//! From Marathon apps to services: the steps of the model, in order.

use std::collections::BTreeSet;
use std::iter::Peekable;
use std::net::Ipv4Addr;
use std::ops::Range;

use marathon_client::wire::{App, HealthCheck as WireCheck, Task};

use crate::bluegreen::{PreparedApp, merge_groups};
use crate::health::HealthMemory;
use crate::labels::{LABELS, apply, check_port_index, per_port_label};
use crate::ports::{
    Networking, PortAssigner, given_service_ports, networking, service_ports, task_ports,
};
use crate::resolve::Resolver;
use crate::screen::{self, Screened};
use crate::service::{Backend, HealthCheck, Service, Warning};

/// How the model is built.
#[derive(Debug, Clone)]
pub struct Options {
    /// Services are disabled unless `HAPROXY_{n}_ENABLED` is true. Default off.
    pub strict_mode: bool,
    /// Leave out tasks of health-checked apps that Marathon does not report
    /// alive (`--health-check`). Default off.
    pub health_check: bool,
    /// The lowest service port made up for IP-per-task apps. Default 10050.
    pub min_service_port_ip_per_task: u16,
    /// The highest service port made up for IP-per-task apps. Default 10100.
    pub max_service_port_ip_per_task: u16,
    /// The app id (without the leading `/`) of mlb itself, which is never
    /// exposed; marathon-lb reads it from `FRAMEWORK_NAME`. Default none.
    pub framework_name: Option<String>,
    /// Apply template override labels (`HAPROXY_{n}_BACKEND_HEAD` and the
    /// like). When off, they are ignored with one warning per app
    /// (`--no-label-templates`). Default on.
    pub label_templates: bool,
    /// Ports the load balancer binds for itself; a `HAPROXY_{n}_PORT`
    /// label may not claim them. Default 80, 443 and 9091.
    pub reserved_ports: Vec<u16>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            strict_mode: false,
            health_check: false,
            min_service_port_ip_per_task: 10050,
            max_service_port_ip_per_task: 10100,
            framework_name: None,
            label_templates: true,
            reserved_ports: vec![80, 443, 9091],
        }
    }
}

/// The services of a cluster, and what was left out.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Every service with at least one backend, sorted by app id and
    /// service port.
    pub services: Vec<Service>,
    /// Apps, labels and tasks that were left out, with the reason.
    pub warnings: Vec<Warning>,
}

/// Task states that get no traffic. `TASK_RUNNING`, `TASK_LOST` and
/// `TASK_UNREACHABLE` keep theirs: such a task may well still serve.
const IDLE_STATES: &[&str] = &[
    "TASK_STAGING",
    "TASK_STARTING",
    "TASK_KILLING",
    "TASK_FINISHED",
    "TASK_FAILED",
    "TASK_KILLED",
    "TASK_ERROR",
    "TASK_DROPPED",
    "TASK_GONE",
    "TASK_GONE_BY_OPERATOR",
    "TASK_UNKNOWN",
];

/// Builds the services of `apps`.
///
/// The result depends only on the apps, the options, the resolver and the
/// health memory, never on the order of the apps or of their tasks.
pub fn build(
    apps: Vec<App>,
    options: &Options,
    resolver: &dyn Resolver,
    memory: &mut HealthMemory,
) -> Model {
    let mut builder = ModelBuilder::new(options, resolver, memory);
    for app in apps {
        builder.add(app);
    }
    builder.finish()
}

/// Builds a model from apps handed over one at a time, in any order, as
/// [`build`] does from a list: the same apps give the same model.
///
/// Most of an app's services are built as soon as it comes, and the app is
/// freed then; so apps can be built while the next ones are still being
/// decoded, and a large cluster is never held whole as apps. What depends
/// on other apps waits for [`finish`](Self::finish): whether an id is
/// unique, the merging of deployment groups, and the service ports made
/// up for IP-per-task apps, which depend on the apps before in id order.
///
/// The health memory is read while apps come and written only by
/// `finish`: a builder dropped before it leaves the memory as it was.
pub struct ModelBuilder<'a> {
    options: &'a Options,
    /// Builds the services of one app at a time.
    apps: AppBuilder<'a>,
    /// Warnings that stand whatever the other apps are: apps, tasks and
    /// labels refused on their own.
    warnings: Vec<Warning>,
    /// The apps built as they came, in that order.
    built: Vec<Built>,
    /// Apps whose services depend on other apps, kept whole until
    /// `finish`: those of deployment groups, and those whose service ports
    /// are made up.
    waiting: Vec<App>,
}

/// One app whose services were built, and where in the [`AppBuilder`]'s
/// lists what it gave lies.
#[derive(Debug)]
struct Built {
    id: String,
    /// Its services, in port order.
    services: Range<usize>,
    /// What was left out of it.
    warnings: Range<usize>,
    /// The health check results of its tasks, to be remembered.
    health: Range<usize>,
    /// Its tasks' ids, for the health memory to forget the others.
    tasks: Range<usize>,
}

impl std::fmt::Debug for ModelBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelBuilder")
            .field("built", &self.built.len())
            .field("waiting", &self.waiting.len())
            .finish_non_exhaustive()
    }
}

impl<'a> ModelBuilder<'a> {
    /// A builder with no apps yet.
    #[must_use]
    pub fn new(
        options: &'a Options,
        resolver: &'a dyn Resolver,
        memory: &'a mut HealthMemory,
    ) -> Self {
        // Tasks that were remembered before this build and are gone now are
        // forgotten at the end. A memory empty at the start holds only tasks
        // seen in this build at the end, and then nothing is to be forgotten.
        let track_tasks = !memory.is_empty();
        ModelBuilder {
            options,
            apps: AppBuilder {
                options,
                resolver,
                memory,
                track_tasks,
                services: Vec::new(),
                warnings: Vec::new(),
                health: Vec::new(),
                tasks: Vec::new(),
                slots: Vec::new(),
            },
            warnings: Vec::new(),
            built: Vec::new(),
            waiting: Vec::new(),
        }
    }

    /// Makes room for at least `services` more services. The list of
    /// services grows by doubling otherwise, each time copying a large
    /// cluster's megabytes of services; room never used costs only address
    /// space, so an estimate on the high side is cheap.
    pub fn reserve(&mut self, services: usize) {
        self.apps.services.reserve(services);
    }

    /// Adds one app.
    pub fn add(&mut self, mut app: App) {
        if !screen::check(&mut app, self.options, &mut self.warnings) {
            return;
        }
        let mode = networking(&app);
        let ports = given_service_ports(&app, mode);
        match ports {
            Some(ports) if screen::deployment_group(&app).is_none() => {
                let ports: Vec<Option<i64>> = ports.into_iter().map(Some).collect();
                let built = if self.apps.is_framework(&app) {
                    self.apps.nothing(app.id)
                } else {
                    self.apps.add_app(&mut app, &[], &ports)
                };
                self.built.push(built);
            }
            _ => self.waiting.push(app),
        }
    }

    /// The model of every app added.
    #[must_use]
    pub fn finish(self) -> Model {
        let ModelBuilder {
            options,
            apps: mut builder,
            mut warnings,
            mut built,
            mut waiting,
        } = self;

        let Exposed {
            mut kept,
            plain_waiting,
            grouped,
        } = exposed(&built, &waiting, &mut warnings);

        // The waiting apps, in id order: service ports are made up for them
        // in that order, so that every instance makes up the same.
        let mut groups = merge_groups(&mut waiting, &grouped, &mut warnings)
            .into_iter()
            .peekable();
        let mut plain_waiting = plain_waiting.into_iter();
        let mut assigner = PortAssigner::new(
            options.min_service_port_ip_per_task,
            options.max_service_port_ip_per_task,
        );
        while let Some((mut app, draining)) =
            next_app(&mut waiting, &mut plain_waiting, &mut groups)
        {
            let finished = if builder.is_framework(&app) {
                builder.nothing(app.id)
            } else {
                let ports = service_ports(&app, networking(&app), &mut assigner);
                builder.add_app(&mut app, &draining, &ports)
            };
            kept.push(built.len());
            built.push(finished);
        }
        drop(waiting);

        // Two runs in id order, the plain apps built as they came and the
        // waiting ones: a stable sort merges them in one pass.
        kept.sort_by(|&a, &b| built[a].id.cmp(&built[b].id));
        let AppBuilder {
            memory,
            track_tasks,
            services,
            warnings: app_warnings,
            health,
            tasks,
            ..
        } = builder;
        let mut services = in_order(services, &built, &kept);
        for app in kept.iter().map(|&at| &built[at]) {
            warnings.extend_from_slice(&app_warnings[app.warnings.clone()]);
            for (task, alive) in &health[app.health.clone()] {
                memory.remember(task, *alive);
            }
        }
        if track_tasks {
            let seen: BTreeSet<&str> = (kept.iter())
                .flat_map(|&at| &tasks[built[at].tasks.clone()])
                .map(String::as_str)
                .collect();
            memory.retain_seen(&seen);
        }

        // The apps are in id order, each with its services in port order:
        // the whole list is in order. Only should that ever fail are they
        // sorted.
        if !services.is_sorted_by(|a, b| order(a) <= order(b)) {
            services.sort_by(|a, b| order(a).cmp(&order(b)));
        }
        let services = crate::claims::claim_ports(services, options, &mut warnings);
        warnings.sort();
        warnings.dedup();
        Model { services, warnings }
    }
}

/// The apps that can be exposed, among the built ones and the waiting
/// ones (see [`screen::choose`]), each list in app id order.
struct Exposed {
    /// Built apps, by position.
    kept: Vec<usize>,
    /// Waiting apps of no deployment group, by position.
    plain_waiting: Vec<usize>,
    /// Waiting apps of a deployment group, by position.
    grouped: Vec<usize>,
}

fn exposed(built: &[Built], waiting: &[App], warnings: &mut Vec<Warning>) -> Exposed {
    // The built apps come first, then the waiting ones.
    let ids: Vec<(&str, Option<&str>)> = (built.iter().map(|app| (app.id.as_str(), None)))
        .chain((waiting.iter()).map(|app| (app.id.as_str(), screen::deployment_group(app))))
        .collect();
    let Screened { plain, grouped } = screen::choose(&ids, warnings);
    let first_waiting = built.len();
    let (kept, plain_waiting): (Vec<usize>, Vec<usize>) =
        plain.into_iter().partition(|&at| at < first_waiting);
    Exposed {
        kept,
        plain_waiting: plain_waiting.iter().map(|&at| at - first_waiting).collect(),
        grouped: grouped.iter().map(|&at| at - first_waiting).collect(),
    }
}

/// The services of the `kept` apps, in that order. They are moved in
/// place, each once, and the others dropped: a large cluster's services
/// are tens of megabytes, not to be held twice.
fn in_order(mut services: Vec<Service>, built: &[Built], kept: &[usize]) -> Vec<Service> {
    let mut wanted: Vec<usize> = (kept.iter())
        .flat_map(|&at| built[at].services.clone())
        .collect();
    let len = wanted.len();
    if len == services.len() && wanted.iter().enumerate().all(|(to, &from)| to == from) {
        return services;
    }
    // The services of apps left out go after the kept ones, to be cut off.
    let mut is_wanted = vec![false; services.len()];
    for &at in &wanted {
        is_wanted[at] = true;
    }
    wanted.extend((0..services.len()).filter(|&at| !is_wanted[at]));
    permute(&mut services, wanted);
    services.truncate(len);
    services
}

/// Puts the item at `from[to]` at `to`, for every `to`, moving each item
/// once. `from` must hold every position of `items` once.
fn permute<T>(items: &mut [T], mut from: Vec<usize>) {
    for start in 0..items.len() {
        // Follow the cycle through `start`: each swap puts one item where
        // it belongs and carries the item first at `start` along.
        let mut at = start;
        while from[at] != start {
            let next = from[at];
            items.swap(at, next);
            from[at] = at;
            at = next;
        }
        from[at] = at;
    }
}

/// The next waiting app in app id order, taken out of `apps` or out of the
/// merged deployment groups, with the draining flags of its tasks (none
/// for a plain app, whose tasks do not drain).
///
/// The plain apps and the groups are each in id order, and no group has
/// the id of a plain app: taking the lower of the two next ones reads
/// them all in id order.
fn next_app(
    apps: &mut [App],
    plain: &mut std::vec::IntoIter<usize>,
    groups: &mut Peekable<std::vec::IntoIter<PreparedApp>>,
) -> Option<(App, Vec<bool>)> {
    let next_plain = plain.as_slice().first().map(|&at| apps[at].id.as_str());
    if let Some(group) =
        groups.next_if(|group| next_plain.is_none_or(|id| group.app.id.as_str() < id))
    {
        return Some((group.app, group.draining));
    }
    let at = plain.next()?;
    Some((std::mem::take(&mut apps[at]), Vec::new()))
}

/// The order of the model's services: by app id, service port and port
/// index.
fn order(service: &Service) -> (&str, u16, usize) {
    (&service.app_id, service.service_port, service.port_index)
}

/// Builds the services of apps one by one, into lists shared by all of
/// them.
struct AppBuilder<'a> {
    options: &'a Options,
    resolver: &'a dyn Resolver,
    /// Read while building; written by [`ModelBuilder::finish`].
    memory: &'a mut HealthMemory,
    /// Whether the apps' task ids are kept, for the memory to forget the
    /// tasks that are gone.
    track_tasks: bool,
    services: Vec<Service>,
    warnings: Vec<Warning>,
    /// Health check results seen: the task's id, and whether it is alive.
    health: Vec<(String, bool)>,
    /// Task ids, when `track_tasks`.
    tasks: Vec<String>,
    /// The current app's service ports, each with the position of its
    /// service in `services`, if it has one. Kept from one app to the next
    /// so that its memory serves every app.
    slots: Vec<(i64, Option<usize>)>,
}

impl AppBuilder<'_> {
    /// An app that gets no services: it only takes its id.
    fn nothing(&self, id: String) -> Built {
        Built {
            id,
            services: self.services.len()..self.services.len(),
            warnings: self.warnings.len()..self.warnings.len(),
            health: self.health.len()..self.health.len(),
            tasks: self.tasks.len()..self.tasks.len(),
        }
    }

    /// Whether `app` is mlb itself, which is never exposed.
    fn is_framework(&self, app: &App) -> bool {
        self.options
            .framework_name
            .as_deref()
            .is_some_and(|name| app.id.get(1..) == Some(name))
    }

    /// Adds the services of one app, each with its backends, in port order,
    /// on the service ports `ports`. `draining` says which tasks drain, by
    /// position; tasks past its end do not.
    fn add_app(&mut self, app: &mut App, draining: &[bool], ports: &[Option<i64>]) -> Built {
        let start = self.nothing(app.id.clone());
        let mode = networking(app);

        // Per-port labels, grouped by port index and in the order of LABELS.
        let mut port_labels: Vec<(usize, usize, &str, &str)> = app
            .labels
            .iter()
            .filter_map(|(key, value)| {
                per_port_label(key).map(|(index, label)| (index, label, key, value))
            })
            .collect();
        port_labels.sort_unstable();
        let app_groups = groups_of(app);

        // Services are built in place, at the end of the list, and found
        // by Marathon's service port. A port listed twice keeps its last
        // service; the one it replaces gets no backends and goes with the
        // services that have none.
        let first = self.services.len();
        self.slots.clear();
        for (index, port) in ports.iter().enumerate() {
            let Some(port) = *port else {
                self.warnings.push(Warning::app(
                    &app.id,
                    format!("no service port could be assigned to port index {index}; left out"),
                ));
                continue;
            };
            let service = new_service(
                app,
                port,
                index,
                &port_labels,
                &app_groups,
                self.options,
                &mut self.warnings,
            );
            let service = service.filter(|service| {
                let checked = check_port_index(service, ports.len());
                checked
                    .map_err(|warning| self.warnings.push(warning))
                    .is_ok()
            });
            let at = service.map(|service| {
                self.services.push(service);
                self.services.len() - 1
            });
            match self.slots.iter_mut().find(|(known, _)| *known == port) {
                Some(slot) => slot.1 = at,
                None => self.slots.push((port, at)),
            }
        }

        // The app is done with once built: its tasks give their strings to
        // the backends rather than copies.
        let mut tasks = std::mem::take(&mut app.tasks);
        for (at, task) in tasks.iter_mut().enumerate() {
            let draining = draining.get(at).copied().unwrap_or(false);
            self.add_task(app, task, mode, ports, draining);
        }
        if self.track_tasks {
            self.tasks.extend(tasks.into_iter().map(|task| task.id));
        }

        // Servers are listed by (host, port) in marathon-lb; the address
        // breaks ties so that the order never depends on the input. The
        // same task seen twice is one server. Services without servers go.
        let mut kept = first;
        for at in first..self.services.len() {
            let backends = &mut self.services[at].backends;
            backends.sort();
            backends.dedup();
            if !backends.is_empty() {
                self.services.swap(kept, at);
                kept += 1;
            }
        }
        self.services.truncate(kept);
        self.services[first..].sort_by(|a, b| order(a).cmp(&order(b)));
        Built {
            id: start.id,
            services: first..self.services.len(),
            warnings: start.warnings.start..self.warnings.len(),
            health: start.health.start..self.health.len(),
            tasks: start.tasks.start..self.tasks.len(),
        }
    }

    /// Adds a task of `app` to the services of the ports it serves, if it
    /// should get traffic.
    fn add_task(
        &mut self,
        app: &App,
        task: &mut Task,
        mode: Networking,
        ports: &[Option<i64>],
        draining: bool,
    ) {
        let Some((host, ip)) = self.serving_task(app, task, mode) else {
            return;
        };
        let task_ports = task_ports(app, task, mode);
        // Each backend owns its host and address. A task's backend waits
        // here until the next one is found, so that the last of them takes
        // the task's strings instead of copies: one task nearly always
        // serves one port.
        let mut pending: Option<(usize, u16)> = None;
        for (task_port, service_port) in task_ports.iter().zip(ports) {
            let Some(service_port) = service_port else {
                continue;
            };
            let Ok(task_port) = u16::try_from(*task_port) else {
                self.warnings.push(Warning::app(
                    &app.id,
                    format!(
                        "task {} has port {task_port}, not a port number; left out",
                        task.id
                    ),
                ));
                continue;
            };
            let slot = self.slots.iter().find(|(known, _)| known == service_port);
            let Some(at) = slot.and_then(|(_, at)| *at) else {
                continue;
            };
            if let Some((at, port)) = pending.replace((at, task_port)) {
                let backend = backend(host.clone(), ip.clone(), port, draining);
                self.services[at].backends.push(backend);
            }
        }
        if let Some((at, port)) = pending {
            let backend = backend(host, ip, port, draining);
            self.services[at].backends.push(backend);
        }
    }

    /// The host and address of a task that should get traffic, taken out
    /// of the task for its backends.
    fn serving_task(
        &mut self,
        app: &App,
        task: &mut Task,
        mode: Networking,
    ) -> Option<(String, String)> {
        let host = task.host.as_deref().filter(|host| !host.is_empty())?;
        if task
            .state
            .as_deref()
            .is_some_and(|state| IDLE_STATES.contains(&state))
        {
            return None;
        }

        if self.options.health_check && !app.health_checks.is_empty() {
            match &task.health_check_results {
                Some(results) if !results.is_empty() => {
                    let alive = results.iter().any(|result| result.alive);
                    self.health.push((task.id.clone(), alive));
                    if !alive {
                        return None;
                    }
                }
                // No answer yet, or none since a Marathon failover: keep the
                // last one known.
                _ => {
                    if self.memory.get(&task.id) != Some(true) {
                        return None;
                    }
                }
            }
        }

        let ip = if mode == Networking::Container {
            task.ip_addresses
                .first_mut()
                .and_then(|address| address.ip_address.take())?
        } else if let Some(ip) = self.resolver.resolve_ipv4(host) {
            dotted(ip)
        } else {
            self.warnings.push(Warning::app(
                &app.id,
                format!(
                    "agent host {host:?} of task {} has no IPv4 address; task left out",
                    task.id
                ),
            ));
            return None;
        };
        Some((task.host.take().unwrap_or_default(), ip))
    }
}

fn backend(host: String, ip: String, port: u16, draining: bool) -> Backend {
    Backend {
        host,
        ip,
        port,
        draining,
    }
}

/// A service from its port and labels, or `None` when a label is bad.
fn new_service(
    app: &App,
    port: i64,
    index: usize,
    port_labels: &[(usize, usize, &str, &str)],
    app_groups: &[String],
    options: &Options,
    warnings: &mut Vec<Warning>,
) -> Option<Service> {
    let Ok(port16) = u16::try_from(port) else {
        warnings.push(Warning::app(
            &app.id,
            format!("service port {port} at index {index} is not a port number; left out"),
        ));
        return None;
    };
    let mut service = Service::new(&app.id, port16, index, options.strict_mode);
    service.health_check = health_check(app, i64::try_from(index).ok()?).map(HealthCheck::from);
    if service
        .health_check
        .as_ref()
        .is_some_and(|check| check.protocol == "HTTP")
    {
        service.mode = Some("http".to_owned());
    }

    for &(_, label, key, value) in port_labels.iter().filter(|(n, ..)| *n == index) {
        if let Err(warning) = apply(&mut service, &LABELS[label], key, value) {
            warnings.push(warning);
            return None;
        }
    }

    // A port without a check of its own may borrow another port's check.
    if service.health_check.is_none() {
        if let Some(other) = service.healthcheck_port_index {
            service.health_check = health_check(app, other).map(HealthCheck::from);
            let protocol = service
                .health_check
                .as_ref()
                .map(|check| check.protocol.as_str());
            if matches!(
                protocol,
                Some("HTTP" | "HTTPS" | "MESOS_HTTP" | "MESOS_HTTPS")
            ) {
                service.mode = Some("http".to_owned());
            }
        }
    }

    service.app_groups = app_groups.to_vec();
    Some(service)
}

fn groups_of(app: &App) -> Vec<String> {
    app.labels
        .get("HAPROXY_GROUP")
        .map(|groups| groups.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The health check of port `index`: the first that names a fixed port, or
/// whose port index is `index`.
fn health_check(app: &App, index: i64) -> Option<&WireCheck> {
    app.health_checks
        .iter()
        .find(|check| check.port.is_some_and(|port| port != 0) || check.port_index == Some(index))
}

/// `ip` in dotted decimal, as its `Display` writes it.
///
/// Every task of the cluster gets its address written here, and the
/// formatting machinery costs several times what writing four numbers by
/// hand does.
fn dotted(ip: Ipv4Addr) -> String {
    let mut text = String::with_capacity(15);
    for (at, octet) in ip.octets().into_iter().enumerate() {
        if at > 0 {
            text.push('.');
        }
        if octet >= 100 {
            text.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            text.push(char::from(b'0' + octet / 10 % 10));
        }
        text.push(char::from(b'0' + octet % 10));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::IpLiteralResolver;

    #[test]
    fn permute_moves_every_item_to_its_place() {
        let orders: [&[usize]; 5] = [&[], &[0], &[1, 0], &[2, 0, 1], &[3, 4, 0, 2, 1, 5]];
        for from in orders {
            let mut items: Vec<usize> = (0..from.len()).map(|n| n * 10).collect();
            permute(&mut items, from.to_vec());
            let expected: Vec<usize> = from.iter().map(|n| n * 10).collect();
            assert_eq!(items, expected, "{from:?}");
        }
    }

    #[test]
    fn health_answers_are_remembered_only_when_the_build_finishes() {
        let document = br#"[{"id": "/a", "portDefinitions": [{"port": 10000}],
            "healthChecks": [{"protocol": "HTTP", "portIndex": 0}],
            "tasks": [{"id": "t1", "host": "10.0.0.1", "ports": [31000],
                       "healthCheckResults": [{"alive": true}]}]}]"#;
        let apps = marathon_client::wire::decode_apps(document).unwrap().apps;
        let options = Options {
            health_check: true,
            ..Options::default()
        };
        let mut memory = HealthMemory::default();
        let mut dropped = ModelBuilder::new(&options, &IpLiteralResolver, &mut memory);
        for app in apps.clone() {
            dropped.add(app);
        }
        drop(dropped);
        assert!(memory.is_empty());

        let model = build(apps, &options, &IpLiteralResolver, &mut memory);
        assert_eq!(model.services.len(), 1, "{:?}", model.warnings);
        assert_eq!(memory.get("t1"), Some(true));
    }

    #[test]
    fn dotted_addresses_are_written_as_display_writes_them() {
        for octet in 0..=255 {
            let ip = Ipv4Addr::from([octet, 10, octet, 255 - octet]);
            assert_eq!(dotted(ip), ip.to_string());
        }
    }
}
