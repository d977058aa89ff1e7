//! Service ports claimed through `HAPROXY_{n}_PORT`: a label may not take a
//! port that another service or the load balancer itself binds.
//!
//! Marathon hands out service ports and keeps them apart; the PORT label
//! bypasses that. Without this check an app could bind the port of another
//! app, or `:443` beside the shared HTTPS frontend, and HAProxy would split
//! those connections between the two.

use std::collections::BTreeMap;

use crate::build::Options;
use crate::service::{Service, Warning};

/// Leaves out the services whose PORT label claims a reserved port or a
/// port another service binds. A port from Marathon always keeps its
/// service; two labels claiming one port both lose it, so the result does
/// not depend on which app comes first.
pub(crate) fn claim_ports(
    mut services: Vec<Service>,
    options: &Options,
    warnings: &mut Vec<Warning>,
) -> Vec<Service> {
    // Only the ports that a label claims are in question, and few services
    // have such a label: the others are grouped by port only when they
    // share one of those, and a cluster without any is left as it is.
    let mut claimed: Vec<u16> = services
        .iter()
        .filter(|service| service.service_port_from_label)
        .map(|service| service.service_port)
        .collect();
    if claimed.is_empty() {
        return services;
    }
    claimed.sort_unstable();
    claimed.dedup();
    let mut users: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
    for (at, service) in services.iter().enumerate() {
        if claimed.binary_search(&service.service_port).is_ok() {
            users.entry(service.service_port).or_default().push(at);
        }
    }

    let mut refused: BTreeMap<usize, String> = BTreeMap::new();
    for (port, at) in &users {
        for &this in at {
            let service = &services[this];
            if !service.service_port_from_label {
                continue;
            }
            let others = at
                .iter()
                .filter(|&&other| other != this)
                .map(|&other| &services[other]);
            let reason = if options.reserved_ports.contains(port) {
                Some(format!(
                    "port {port} is bound by the load balancer's own frontends"
                ))
            } else {
                others
                    .min_by_key(|other| (&other.app_id, other.port_index))
                    .map(|other| {
                        format!(
                            "port {port} is also bound by service port index {} of app {}",
                            other.port_index, other.app_id
                        )
                    })
            };
            if let Some(reason) = reason {
                refused.insert(this, reason);
            }
        }
    }

    let mut at = 0;
    services.retain(|service| {
        let reason = refused.remove(&at);
        at += 1;
        let Some(reason) = reason else {
            return true;
        };
        warnings.push(Warning {
            app_id: service.app_id.clone(),
            label: Some(format!("HAPROXY_{}_PORT", service.port_index)),
            value: Some(service.service_port.to_string()),
            reason: format!(
                "{reason}; service port index {} left out",
                service.port_index
            ),
        });
        false
    });
    services
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(app_id: &str, port: u16, from_label: bool) -> Service {
        let mut service = Service::default_for(app_id, port);
        service.service_port_from_label = from_label;
        service
    }

    fn kept(services: Vec<Service>) -> Vec<String> {
        claim_ports(services, &Options::default(), &mut Vec::new())
            .iter()
            .map(|service| format!("{}:{}", service.app_id, service.service_port))
            .collect()
    }

    #[test]
    fn a_label_loses_to_marathons_port_and_to_the_load_balancers() {
        let services = vec![
            service("/victim", 10000, false),
            service("/thief", 10000, true),
            service("/https", 443, true),
            service("/own", 12000, true),
        ];
        assert_eq!(kept(services), ["/victim:10000", "/own:12000"]);
    }

    #[test]
    fn two_labels_claiming_one_port_both_lose() {
        let services = vec![service("/a", 12000, true), service("/b", 12000, true)];
        assert_eq!(kept(services), Vec::<String>::new());
    }

    #[test]
    fn marathons_own_ports_are_never_questioned() {
        // Marathon keeps service ports apart; when a document says
        // otherwise, mlb renders what marathon-lb rendered.
        let services = vec![service("/a", 10000, false), service("/b", 10000, false)];
        assert_eq!(kept(services), ["/a:10000", "/b:10000"]);
    }
}
