//! Which apps to leave out of a render, and which apps HAProxy's alerts point at.
//!
//! The renderer names a service's frontend and backend after the app id
//! (`/shop/web` port 80 is `shop_web_80`), but apps of a blue/green
//! deployment group are merged under the group's id first, so the id that
//! names the proxies, and the one to leave out, is `/<group>` for those.
//! [`lb_app_id`] gives that id; [`without`] drops every app that has it.

use std::collections::BTreeSet;

use marathon_client::wire::App;

use crate::apply::Rejection;

/// The label that merges apps into one deployment group.
const DEPLOYMENT_GROUP: &str = "HAPROXY_DEPLOYMENT_GROUP";

/// The id the load balancer knows the app by: `/<group>` for an app of a
/// blue/green deployment group, its own id otherwise.
#[must_use]
pub fn lb_app_id(app: &App) -> String {
    match app.labels.get(DEPLOYMENT_GROUP) {
        Some(group) if group.starts_with('/') => group.to_owned(),
        Some(group) => format!("/{group}"),
        None => app.id.clone(),
    }
}

/// Every load-balancer app id of `apps`, sorted, each once.
#[must_use]
pub fn lb_app_ids(apps: &[App]) -> Vec<String> {
    let ids: BTreeSet<String> = apps.iter().map(lb_app_id).collect();
    ids.into_iter().collect()
}

/// The apps whose load-balancer id is not in `excluded`.
#[must_use]
pub fn without(apps: &[App], excluded: &BTreeSet<String>) -> Vec<App> {
    apps.iter()
        .filter(|app| excluded.is_empty() || !excluded.contains(&lb_app_id(app)))
        .cloned()
        .collect()
}

/// The apps owning a proxy named in one of the rejection's alerts.
///
/// A proxy `shop_web_80` belongs to the app whose id, without the leading
/// `/` and with `/` turned into `_`, is followed by `_<digits>` in the
/// name. Shared frontends such as `marathon_http_in` belong to no app.
#[must_use]
pub fn suspects(rejection: &Rejection, app_ids: &[String]) -> BTreeSet<String> {
    let proxies: BTreeSet<&str> = rejection
        .alerts()
        .filter_map(|alert| alert.proxy.as_deref())
        .collect();
    app_ids
        .iter()
        .filter(|id| proxies.iter().any(|proxy| names_app(proxy, id)))
        .cloned()
        .collect()
}

fn names_app(proxy: &str, app_id: &str) -> bool {
    let stem = app_id.strip_prefix('/').unwrap_or(app_id).replace('/', "_");
    proxy
        .strip_prefix(stem.as_str())
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use marathon_client::wire::decode_apps;

    use super::*;
    use crate::apply::{Diagnostic, Severity};

    fn apps(json: &str) -> Vec<App> {
        decode_apps(json.as_bytes()).unwrap().apps
    }

    fn rejection(proxies: &[&str]) -> Rejection {
        Rejection {
            output: String::new(),
            diagnostics: proxies
                .iter()
                .map(|p| Diagnostic {
                    severity: Severity::Alert,
                    message: "bad".to_owned(),
                    file: None,
                    line: None,
                    source_line: None,
                    proxy: Some((*p).to_owned()),
                })
                .collect(),
        }
    }

    #[test]
    fn deployment_groups_are_known_by_the_group_id() {
        let apps = apps(
            r#"[{"id": "/web-blue", "labels": {"HAPROXY_DEPLOYMENT_GROUP": "web"}},
                {"id": "/web-green", "labels": {"HAPROXY_DEPLOYMENT_GROUP": "/web"}},
                {"id": "/api"}]"#,
        );
        assert_eq!(lb_app_ids(&apps), ["/api", "/web"]);

        let excluded = BTreeSet::from(["/web".to_owned()]);
        let kept: Vec<_> = without(&apps, &excluded)
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(kept, ["/api"]);
    }

    #[test]
    fn proxies_in_alerts_point_at_their_apps_only() {
        let ids = ["/a".to_owned(), "/a_1".to_owned(), "/shop/web".to_owned()];
        let found = suspects(
            &rejection(&["a_1_80", "shop_web_10001", "marathon_http_in"]),
            &ids,
        );
        assert_eq!(
            found,
            BTreeSet::from(["/a_1".to_owned(), "/shop/web".to_owned()])
        );
    }
}
