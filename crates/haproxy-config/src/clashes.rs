//! Services whose ACL names would clash with another app's: left out.
//!
//! The shared frontends name their ACLs as marathon-lb does: `host_` +
//! the sanitized first vhost + the app path, and `app_` + the sanitized app
//! id. Sanitizing loses characters, so two apps can get one name: vhost
//! `shop.example.com` of app `/store` and vhost `shop` of app
//! `/example/com/store` both declare `host_shop_example_com_store`. HAProxy
//! joins ACLs declared twice, and the first `use_backend` naming it then
//! takes the traffic of both, so one app could route another's requests to
//! itself. Neither is rendered: keeping one would depend on which came
//! first, and the warning tells both owners why.

use std::collections::{BTreeMap, BTreeSet};

use lb_model::Service;

use crate::names::{app_path, sanitize};
use crate::render::{RenderOptions, SkippedService};

/// The ACLs `service` declares in the shared frontends: each name with
/// what it stands for.
fn acls(service: &Service, options: &RenderOptions) -> Vec<(String, String)> {
    let mut acls = Vec::new();
    if let (true, Some(hostname)) = (options.bind_http_https, &service.hostname) {
        // With map files, plain vhosts are looked up in the map and declare
        // no host ACL; paths, auth and redirects still do.
        let mapped = options.haproxy_map
            && service.path.is_none()
            && service.auth.is_none()
            && !service.redirect_http_to_https;
        if !mapped {
            let first = hostname.split(',').next().unwrap_or_default();
            acls.push((
                format!("host_{}_{}", sanitize(first), app_path(&service.app_id)),
                format!("vhost {first} of app {}", service.app_id),
            ));
        }
    }
    let http = match service.mode.as_deref() {
        Some(mode) => mode == "http",
        None => service.hostname.is_some(),
    };
    if http && !options.haproxy_map {
        acls.push((
            format!("app_{}", sanitize(&service.app_id)),
            format!("app id {}", service.app_id),
        ));
    }
    acls
}

/// For each service of `services` that `shown` keeps (by app id and
/// service port) whose ACL name stands for something else in another, the
/// warning that leaves it out.
pub(crate) fn clashing<'a>(
    services: &[&'a Service],
    options: &RenderOptions,
    shown: impl Fn(&Service) -> bool,
) -> BTreeMap<(&'a str, u16), SkippedService> {
    let mut meanings: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut users: Vec<(&'a Service, String, String)> = Vec::new();
    for service in services.iter().copied().filter(|service| shown(service)) {
        for (name, meaning) in acls(service, options) {
            meanings
                .entry(name.clone())
                .or_default()
                .insert(meaning.clone());
            users.push((service, name, meaning));
        }
    }

    let mut clashing = BTreeMap::new();
    for (service, name, meaning) in users {
        let Some(other) = meanings[&name].iter().find(|other| **other != meaning) else {
            continue;
        };
        clashing
            .entry((service.app_id.as_str(), service.service_port))
            .or_insert_with(|| SkippedService {
                app_id: service.app_id.clone(),
                service_port: service.service_port,
                reason: format!(
                    "its ACL {name} ({meaning}) is also that of {other}, so HAProxy would \
                     route both alike; the other is left out too"
                ),
            });
    }
    clashing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(app_id: &str, port: u16, vhost: &str) -> Service {
        let mut service = Service::default_for(app_id, port);
        service.hostname = Some(vhost.to_owned());
        service
    }

    #[test]
    fn vhost_and_app_path_that_sanitize_alike_clash() {
        let store = service("/store", 10000, "shop.example.com");
        let thief = service("/example/com/store", 10001, "shop");
        let same_app = service("/store", 10002, "shop.example.com");
        let options = RenderOptions::default();
        let clashing = clashing(&[&store, &thief, &same_app], &options, |_| true);
        let keys: Vec<_> = clashing.keys().copied().collect();
        assert_eq!(
            keys,
            [
                ("/example/com/store", 10001),
                ("/store", 10000),
                ("/store", 10002)
            ]
        );
        assert!(
            clashing[&("/store", 10000)]
                .reason
                .contains("host_shop_example_com_store")
        );
    }

    #[test]
    fn app_ids_that_sanitize_alike_clash_only_without_map_files() {
        let dotted = service("/a.b", 10000, "x.example.com");
        let nested = service("/a/b", 10001, "y.example.com");
        let options = RenderOptions::default();
        assert_eq!(clashing(&[&dotted, &nested], &options, |_| true).len(), 2);
        let map = RenderOptions {
            haproxy_map: true,
            ..RenderOptions::default()
        };
        assert!(clashing(&[&dotted, &nested], &map, |_| true).is_empty());
    }

    #[test]
    fn services_of_one_app_and_vhost_share_their_acls() {
        let first = service("/web", 10000, "web.example.com");
        let second = service("/web", 10001, "web.example.com");
        let options = RenderOptions::default();
        assert!(clashing(&[&first, &second], &options, |_| true).is_empty());
    }
}
