//! Networking modes, service ports and task addresses.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use marathon_client::wire::{App, PortMapping, Task};
use sha1::{Digest, Sha1};

/// How an app's tasks are reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Networking {
    /// The agent's address and the task's host ports.
    Host,
    /// The agent's address and host ports mapped into the container.
    Bridge,
    /// The task's own address (IP-per-task).
    Container,
}

/// The app's networking mode. The 1.4 fields come first and the 1.5
/// `networks` list last, its last entry winning, as marathon-lb reads them.
pub(crate) fn networking(app: &App) -> Networking {
    let mut mode = Networking::Host;
    if app.ip_address.is_some() {
        mode = Networking::Container;
    }
    let docker_network = app
        .container
        .as_ref()
        .and_then(|c| c.docker.as_ref())
        .and_then(|d| d.network.as_deref());
    match docker_network {
        Some("USER") => mode = Networking::Container,
        Some("BRIDGE") => mode = Networking::Bridge,
        _ => {}
    }
    for network in &app.networks {
        mode = match network.mode.as_deref() {
            Some("host") => Networking::Host,
            Some("container/bridge") => Networking::Bridge,
            _ => Networking::Container,
        };
    }
    mode
}

/// The port mappings: Docker's (Marathon 1.4), else the container's.
fn port_mappings(app: &App) -> &[PortMapping] {
    let container = app.container.as_ref();
    container
        .and_then(|c| c.docker.as_ref())
        .and_then(|d| d.port_mappings.as_deref())
        .filter(|mappings| !mappings.is_empty())
        .or_else(|| container.and_then(|c| c.port_mappings.as_deref()))
        .unwrap_or_default()
}

fn definition_ports(app: &App) -> Vec<i64> {
    match &app.port_definitions {
        Some(definitions) => definitions.iter().filter_map(|d| d.port).collect(),
        None => app.ports.iter().flatten().copied().collect(),
    }
}

/// The ports a task serves on, in app port order. Nearly always they are
/// the task's own list, which is then lent rather than copied.
pub(crate) fn task_ports<'a>(app: &App, task: &'a Task, mode: Networking) -> Cow<'a, [i64]> {
    if matches!(mode, Networking::Host | Networking::Bridge) && !task.ports.is_empty() {
        return Cow::Borrowed(&task.ports);
    }
    Cow::Owned(app_ports(app, mode))
}

/// The ports of a task that lists none of its own, from the app.
fn app_ports(app: &App, mode: Networking) -> Vec<i64> {
    let container_ports = || {
        port_mappings(app)
            .iter()
            .filter_map(|m| m.container_port)
            .collect::<Vec<_>>()
    };
    match mode {
        Networking::Host => definition_ports(app),
        Networking::Bridge => {
            let ports = definition_ports(app);
            if ports.is_empty() {
                container_ports()
            } else {
                ports
            }
        }
        Networking::Container => {
            let discovered: Vec<i64> = app
                .ip_address
                .as_ref()
                .and_then(|ip| ip.discovery.as_ref())
                .map(|d| d.ports.iter().filter_map(|p| p.number).collect())
                .unwrap_or_default();
            if discovered.is_empty() {
                container_ports()
            } else {
                discovered
            }
        }
    }
}

/// Service ports made up for IP-per-task apps that Marathon gives none,
/// the same on every load balancer instance for the same apps.
///
/// A port is `min + (H mod size)`, H being the first 8 hex digits of the
/// SHA-1 of `"<app id>-<task port>-<i>"` for the first `i` below 50 that
/// gives a port not yet taken, else the lowest free port; nothing once the
/// range is used up. Apps must be offered in a fixed order (the model uses
/// app id order) for the result to be the same everywhere.
#[derive(Debug)]
pub(crate) struct PortAssigner {
    min: u16,
    max: u16,
    assigned: BTreeMap<(String, i64), u16>,
    taken: BTreeSet<u16>,
}

const MAX_CLASHES: usize = 50;

impl PortAssigner {
    pub(crate) fn new(min: u16, max: u16) -> Self {
        PortAssigner {
            min,
            max,
            assigned: BTreeMap::new(),
            taken: BTreeSet::default(),
        }
    }

    fn size(&self) -> usize {
        usize::from(self.max.saturating_sub(self.min)) + 1
    }

    pub(crate) fn port_for(&mut self, app_id: &str, task_port: i64) -> Option<u16> {
        let key = (app_id.to_owned(), task_port);
        if let Some(port) = self.assigned.get(&key) {
            return Some(*port);
        }
        if self.max < self.min || self.assigned.len() >= self.size() {
            return None;
        }

        let size = u64::try_from(self.size()).ok()?;
        let hashed = (0..MAX_CLASHES).find_map(|attempt| {
            let digest = Sha1::digest(format!("{app_id}-{task_port}-{attempt}").as_bytes());
            let leading = u64::from(u32::from_be_bytes([
                digest[0], digest[1], digest[2], digest[3],
            ]));
            // The offset is below `size`, which fits in u16 by construction.
            let port = self.min + u16::try_from(leading % size).ok()?;
            (!self.taken.contains(&port)).then_some(port)
        });
        let port = hashed.or_else(|| (self.min..=self.max).find(|p| !self.taken.contains(p)))?;

        self.assigned.insert(key, port);
        self.taken.insert(port);
        Some(port)
    }
}

/// The app's service ports, in port index order, when Marathon gives
/// them; `None` when they must be made up by the [`PortAssigner`], whose
/// answer depends on the apps offered before.
pub(crate) fn given_service_ports(app: &App, mode: Networking) -> Option<Vec<i64>> {
    if matches!(mode, Networking::Container | Networking::Bridge) {
        let mapped: Vec<i64> = port_mappings(app)
            .iter()
            .filter_map(|m| m.service_port)
            .collect();
        if !mapped.is_empty() {
            return Some(mapped);
        }
    }

    let defined = definition_ports(app);
    if !defined.is_empty() || mode != Networking::Container || app.tasks.is_empty() {
        return Some(defined);
    }
    None
}

/// The app's service ports, in port index order; `None` for a port that
/// could not be had.
pub(crate) fn service_ports(
    app: &App,
    mode: Networking,
    assigner: &mut PortAssigner,
) -> Vec<Option<i64>> {
    if let Some(given) = given_service_ports(app, mode) {
        return given.into_iter().map(Some).collect();
    }
    let Some(first) = app.tasks.first() else {
        return Vec::new();
    };
    task_ports(app, first, mode)
        .iter()
        .map(|&task_port| assigner.port_for(&app.id, task_port).map(i64::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(json: &str) -> App {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn last_network_decides_the_mode() {
        let bridge =
            app(r#"{"id": "/a", "networks": [{"mode": "host"}, {"mode": "container/bridge"}]}"#);
        assert_eq!(networking(&bridge), Networking::Bridge);
        let user = app(r#"{"id": "/a", "container": {"docker": {"network": "USER"}}}"#);
        assert_eq!(networking(&user), Networking::Container);
        let default_mode = app(r#"{"id": "/a", "networks": [{"name": "overlay"}]}"#);
        assert_eq!(networking(&default_mode), Networking::Container);
    }

    #[test]
    fn assigned_ports_are_stable_and_distinct() {
        let mut first = PortAssigner::new(10050, 10100);
        let a = first.port_for("/a", 80).unwrap();
        let b = first.port_for("/b", 80).unwrap();
        assert_ne!(a, b);
        assert_eq!(first.port_for("/a", 80), Some(a));
        let mut second = PortAssigner::new(10050, 10100);
        assert_eq!(second.port_for("/a", 80), Some(a));
    }

    #[test]
    fn a_full_range_assigns_nothing_more() {
        let mut assigner = PortAssigner::new(10050, 10051);
        assert!(assigner.port_for("/a", 1).is_some());
        assert!(assigner.port_for("/b", 1).is_some());
        assert_eq!(assigner.port_for("/c", 1), None);
    }
}
