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
//!
//! Every shown service is checked on every render, and clashes are rare:
//! the names are written once into one buffer and looked up by hash, and
//! the meanings are compared in place. Only the names found clashing get
//! their meanings written out, for the warnings.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use lb_model::Service;

use crate::names::{push_app_path, push_sanitized};
use crate::render::{RenderOptions, SkippedService};

/// What an ACL name stands for. Its text, [`Meaning::text`], is what the
/// warning shows and what two declarations of one name are compared by.
#[derive(Debug, Clone, Copy)]
enum Meaning<'a> {
    /// `vhost <host> of app <app id>`.
    Vhost { host: &'a str, app_id: &'a str },
    /// `app id <app id>`.
    App { app_id: &'a str },
}

impl<'a> Meaning<'a> {
    /// The pieces of the text, in order.
    fn pieces(self) -> [&'a str; 4] {
        match self {
            Meaning::Vhost { host, app_id } => ["vhost ", host, " of app ", app_id],
            Meaning::App { app_id } => ["app id ", app_id, "", ""],
        }
    }

    fn text(self) -> String {
        self.pieces().concat()
    }

    /// Whether both have the same text, without writing either out. The
    /// same parts give the same text; other parts almost never do, and are
    /// then compared byte by byte, as their texts would be.
    fn same_text(self, other: Meaning<'_>) -> bool {
        let parts_equal = match (self, other) {
            (
                Meaning::Vhost { host, app_id },
                Meaning::Vhost {
                    host: other_host,
                    app_id: other_app,
                },
            ) => host == other_host && app_id == other_app,
            (Meaning::App { app_id }, Meaning::App { app_id: other_app }) => app_id == other_app,
            _ => false,
        };
        parts_equal || bytes(self).eq(bytes(other))
    }
}

/// The bytes of a meaning's text.
fn bytes(meaning: Meaning<'_>) -> impl Iterator<Item = u8> + '_ {
    meaning.pieces().into_iter().flat_map(str::bytes)
}

/// One ACL that a shown service declares in the shared frontends.
struct Acl<'a> {
    service: &'a Service,
    /// Where its name is in the buffer of names.
    name: Range<usize>,
    meaning: Meaning<'a>,
}

/// Adds the ACLs `service` declares in the shared frontends to `acls`,
/// writing their names at the end of `names`.
fn declare<'a>(
    service: &'a Service,
    options: &RenderOptions,
    names: &mut String,
    acls: &mut Vec<Acl<'a>>,
) {
    if let (true, Some(hostname)) = (options.bind_http_https, &service.hostname) {
        // With map files, plain vhosts are looked up in the map and declare
        // no host ACL; paths, auth and redirects still do.
        let mapped = options.haproxy_map
            && service.path.is_none()
            && service.auth.is_none()
            && !service.redirect_http_to_https;
        if !mapped {
            let first = hostname.split(',').next().unwrap_or_default();
            let start = names.len();
            names.push_str("host_");
            push_sanitized(names, first);
            names.push('_');
            push_app_path(names, &service.app_id);
            acls.push(Acl {
                service,
                name: start..names.len(),
                meaning: Meaning::Vhost {
                    host: first,
                    app_id: &service.app_id,
                },
            });
        }
    }
    let http = match service.mode.as_deref() {
        Some(mode) => mode == "http",
        None => service.hostname.is_some(),
    };
    if http && !options.haproxy_map {
        let start = names.len();
        names.push_str("app_");
        push_sanitized(names, &service.app_id);
        acls.push(Acl {
            service,
            name: start..names.len(),
            meaning: Meaning::App {
                app_id: &service.app_id,
            },
        });
    }
}

/// For each service of `services` that `shown` keeps (by app id and
/// service port) whose ACL name stands for something else in another, the
/// warning that leaves it out.
pub(crate) fn clashing<'a>(
    services: &[&'a Service],
    options: &RenderOptions,
    shown: impl Fn(&Service) -> bool,
) -> BTreeMap<(&'a str, u16), SkippedService> {
    let mut names = String::new();
    let mut acls = Vec::new();
    for service in services.iter().copied().filter(|service| shown(service)) {
        declare(service, options, &mut names, &mut acls);
    }
    let name = |acl: &Acl<'_>| &names[acl.name.clone()];

    // Each name with its first meaning and whether another meaning comes
    // later. The map is only looked up: its order reaches nothing.
    let mut first: HashMap<&str, (Meaning<'a>, bool)> = HashMap::with_capacity(acls.len());
    let mut any_clash = false;
    for acl in &acls {
        match first.entry(name(acl)) {
            Entry::Vacant(entry) => {
                entry.insert((acl.meaning, false));
            }
            Entry::Occupied(mut entry) => {
                let (meaning, clash) = entry.get_mut();
                if !*clash && !meaning.same_text(acl.meaning) {
                    *clash = true;
                    any_clash = true;
                }
            }
        }
    }
    if !any_clash {
        return BTreeMap::new();
    }

    // Every meaning of each clashing name, in the order of their texts:
    // a warning names the first that is not the service's own.
    let mut meanings: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for acl in acls.iter().filter(|acl| first[name(acl)].1) {
        meanings
            .entry(name(acl))
            .or_default()
            .insert(acl.meaning.text());
    }
    let mut clashing = BTreeMap::new();
    for acl in &acls {
        let Some(all) = meanings.get(name(acl)) else {
            continue;
        };
        let meaning = acl.meaning.text();
        let Some(other) = all.iter().find(|other| **other != meaning) else {
            continue;
        };
        let service = acl.service;
        clashing
            .entry((service.app_id.as_str(), service.service_port))
            .or_insert_with(|| SkippedService {
                app_id: service.app_id.clone(),
                service_port: service.service_port,
                reason: format!(
                    "its ACL {} ({meaning}) is also that of {other}, so HAProxy would \
                     route both alike; the other is left out too",
                    name(acl)
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
