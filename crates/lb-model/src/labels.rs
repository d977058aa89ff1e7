//! The `HAPROXY_*` labels: their names, what they accept, and how they
//! configure a service.
//!
//! [`LABELS`] is the one list of label names. The model reads labels from
//! it, and `docs/labels.md` is generated from it, so the two cannot drift.

use crate::service::{Auth, Service, Warning};

/// A label users put on Marathon apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    /// The name; `{0}` stands for the service port index.
    pub name: &'static str,
    /// What the value means and which values are accepted.
    pub accepts: &'static str,
    /// The template this label overrides for one service, if it does.
    pub template: Option<&'static str>,
}

impl Label {
    /// Whether the label applies to one service port (`HAPROXY_{n}_...`).
    #[must_use]
    pub fn per_service_port(&self) -> bool {
        self.name.contains("{0}")
    }
}

const fn value(name: &'static str, accepts: &'static str) -> Label {
    Label {
        name,
        accepts,
        template: None,
    }
}

const fn template(name: &'static str, template: &'static str) -> Label {
    Label {
        name,
        accepts: "a template in marathon-lb's syntax",
        template: Some(template),
    }
}

/// Every label mlb reads, in the order they are applied to a service: an
/// explicit `BACKEND_WEIGHT` is applied before `PATH`, which only raises a
/// weight that is still 0.
pub const LABELS: &[Label] = &[
    value(
        "HAPROXY_{0}_AUTH",
        "`realm:user:password-hash`: HTTP basic auth on the vhost routes",
    ),
    template("HAPROXY_{0}_BACKEND_HEAD", "HAPROXY_BACKEND_HEAD"),
    value(
        "HAPROXY_{0}_BACKEND_HEALTHCHECK_PORT_INDEX",
        "an integer: use the health check (and the ports) of that service port index",
    ),
    template(
        "HAPROXY_{0}_BACKEND_HSTS_OPTIONS",
        "HAPROXY_BACKEND_HSTS_OPTIONS",
    ),
    template(
        "HAPROXY_{0}_BACKEND_HTTP_HEALTHCHECK_OPTIONS",
        "HAPROXY_BACKEND_HTTP_HEALTHCHECK_OPTIONS",
    ),
    template(
        "HAPROXY_{0}_BACKEND_HTTP_OPTIONS",
        "HAPROXY_BACKEND_HTTP_OPTIONS",
    ),
    value(
        "HAPROXY_{0}_BACKEND_NETWORK_ALLOWED_ACL",
        "space-separated networks (such as `10.0.0.0/8 192.168.1.1`): only they reach the backend",
    ),
    template(
        "HAPROXY_{0}_BACKEND_REDIRECT_HTTP_TO_HTTPS",
        "HAPROXY_BACKEND_REDIRECT_HTTP_TO_HTTPS",
    ),
    template(
        "HAPROXY_{0}_BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH",
        "HAPROXY_BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH",
    ),
    template(
        "HAPROXY_{0}_BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS",
        "HAPROXY_BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS",
    ),
    template(
        "HAPROXY_{0}_BACKEND_SERVER_OPTIONS",
        "HAPROXY_BACKEND_SERVER_OPTIONS",
    ),
    template(
        "HAPROXY_{0}_BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS",
        "HAPROXY_BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS",
    ),
    template(
        "HAPROXY_{0}_BACKEND_STICKY_OPTIONS",
        "HAPROXY_BACKEND_STICKY_OPTIONS",
    ),
    template(
        "HAPROXY_{0}_BACKEND_TCP_HEALTHCHECK_OPTIONS",
        "HAPROXY_BACKEND_TCP_HEALTHCHECK_OPTIONS",
    ),
    value(
        "HAPROXY_{0}_BACKEND_WEIGHT",
        "an integer (default 0): vhost rules of higher weight come first",
    ),
    value(
        "HAPROXY_{0}_BALANCE",
        "the backend's `balance` algorithm (default `roundrobin`)",
    ),
    value(
        "HAPROXY_{0}_BIND_ADDR",
        "the frontend's bind address (default `*`)",
    ),
    value(
        "HAPROXY_{0}_BIND_OPTIONS",
        "extra options appended to the frontend's `bind` line",
    ),
    value(
        "HAPROXY_DEPLOYMENT_ALT_PORT",
        "set by blue/green deployment tools; not read by mlb",
    ),
    value(
        "HAPROXY_DEPLOYMENT_COLOUR",
        "set by blue/green deployment tools; not read by mlb",
    ),
    value(
        "HAPROXY_DEPLOYMENT_GROUP",
        "a name: apps sharing it are one blue/green pair, exposed as app id `/<name>`",
    ),
    value(
        "HAPROXY_DEPLOYMENT_STARTED_AT",
        "an ISO-8601 time: the later of a blue/green pair is the new side",
    ),
    value(
        "HAPROXY_DEPLOYMENT_TARGET_INSTANCES",
        "an integer: how many instances the new side ends with (read when `HAPROXY_DEPLOYMENT_NEW_INSTANCES` is set)",
    ),
    value(
        "HAPROXY_{0}_ENABLED",
        "`true`, `t`, `yes` or `y` (any case) enables the service, anything else disables it; \
         absent: enabled, or disabled with `--strict-mode`",
    ),
    template(
        "HAPROXY_{0}_FRONTEND_BACKEND_GLUE",
        "HAPROXY_FRONTEND_BACKEND_GLUE",
    ),
    template("HAPROXY_{0}_FRONTEND_HEAD", "HAPROXY_FRONTEND_HEAD"),
    value(
        "HAPROXY_{0}_GROUP",
        "comma-separated load balancer groups for this port; they replace `HAPROXY_GROUP`",
    ),
    template(
        "HAPROXY_{0}_HTTPS_FRONTEND_ACL",
        "HAPROXY_HTTPS_FRONTEND_ACL",
    ),
    template(
        "HAPROXY_{0}_HTTPS_FRONTEND_ACL_ONLY_WITH_PATH",
        "HAPROXY_HTTPS_FRONTEND_ACL_ONLY_WITH_PATH",
    ),
    template(
        "HAPROXY_{0}_HTTPS_FRONTEND_ACL_WITH_AUTH",
        "HAPROXY_HTTPS_FRONTEND_ACL_WITH_AUTH",
    ),
    template(
        "HAPROXY_{0}_HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH",
        "HAPROXY_HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH",
    ),
    template(
        "HAPROXY_{0}_HTTPS_FRONTEND_ACL_WITH_PATH",
        "HAPROXY_HTTPS_FRONTEND_ACL_WITH_PATH",
    ),
    template(
        "HAPROXY_{0}_HTTP_BACKEND_NETWORK_ALLOWED_ACL",
        "HAPROXY_HTTP_BACKEND_NETWORK_ALLOWED_ACL",
    ),
    template(
        "HAPROXY_{0}_HTTP_BACKEND_PROXYPASS_GLUE",
        "HAPROXY_HTTP_BACKEND_PROXYPASS_GLUE",
    ),
    value(
        "HAPROXY_{0}_HTTP_BACKEND_PROXYPASS_PATH",
        "a path prefix stripped from requests before they reach the backend",
    ),
    value(
        "HAPROXY_{0}_HTTP_BACKEND_REDIR",
        "a path or URL: requests for `/` on the vhost are redirected there (this label is the \
         target, not a template override, as in marathon-lb)",
    ),
    template(
        "HAPROXY_{0}_HTTP_BACKEND_REVPROXY_GLUE",
        "HAPROXY_HTTP_BACKEND_REVPROXY_GLUE",
    ),
    value(
        "HAPROXY_{0}_HTTP_BACKEND_REVPROXY_PATH",
        "a path: `Location` headers pointing at the vhost are rewritten under it",
    ),
    template("HAPROXY_{0}_HTTP_FRONTEND_ACL", "HAPROXY_HTTP_FRONTEND_ACL"),
    template(
        "HAPROXY_{0}_HTTP_FRONTEND_ACL_ONLY",
        "HAPROXY_HTTP_FRONTEND_ACL_ONLY",
    ),
    template(
        "HAPROXY_{0}_HTTP_FRONTEND_ACL_ONLY_WITH_PATH",
        "HAPROXY_HTTP_FRONTEND_ACL_ONLY_WITH_PATH",
    ),
    template(
        "HAPROXY_{0}_HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH",
        "HAPROXY_HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH",
    ),
    template(
        "HAPROXY_{0}_HTTP_FRONTEND_ACL_WITH_AUTH",
        "HAPROXY_HTTP_FRONTEND_ACL_WITH_AUTH",
    ),
    template(
        "HAPROXY_{0}_HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH",
        "HAPROXY_HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH",
    ),
    template(
        "HAPROXY_{0}_HTTP_FRONTEND_ACL_WITH_PATH",
        "HAPROXY_HTTP_FRONTEND_ACL_WITH_PATH",
    ),
    template(
        "HAPROXY_{0}_HTTP_FRONTEND_APPID_ACL",
        "HAPROXY_HTTP_FRONTEND_APPID_ACL",
    ),
    template(
        "HAPROXY_{0}_HTTP_FRONTEND_ROUTING_ONLY",
        "HAPROXY_HTTP_FRONTEND_ROUTING_ONLY",
    ),
    template(
        "HAPROXY_{0}_HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH",
        "HAPROXY_HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH",
    ),
    template(
        "HAPROXY_{0}_HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH",
        "HAPROXY_HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH",
    ),
    template(
        "HAPROXY_{0}_HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH",
        "HAPROXY_HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH",
    ),
    template(
        "HAPROXY_{0}_MAP_HTTPS_FRONTEND_ACL",
        "HAPROXY_MAP_HTTPS_FRONTEND_ACL",
    ),
    template(
        "HAPROXY_{0}_MAP_HTTP_FRONTEND_ACL",
        "HAPROXY_MAP_HTTP_FRONTEND_ACL",
    ),
    template(
        "HAPROXY_{0}_MAP_HTTP_FRONTEND_ACL_ONLY",
        "HAPROXY_MAP_HTTP_FRONTEND_ACL_ONLY",
    ),
    template(
        "HAPROXY_{0}_MAP_HTTP_FRONTEND_APPID_ACL",
        "HAPROXY_MAP_HTTP_FRONTEND_APPID_ACL",
    ),
    value(
        "HAPROXY_{0}_MODE",
        "`http` or `tcp` (any case): the proxy mode",
    ),
    value(
        "HAPROXY_{0}_PATH",
        "the argument of `path_beg` for vhost routing, such as `/api` or `-i /a /b`",
    ),
    value(
        "HAPROXY_{0}_PORT",
        "a port number: the service port to bind instead of Marathon's",
    ),
    value(
        "HAPROXY_{0}_REDIRECT_TO_HTTPS",
        "`true`, `t`, `yes` or `y` (any case): redirect plain HTTP on the vhosts to HTTPS",
    ),
    value(
        "HAPROXY_{0}_SSL_CERT",
        "a certificate path for the frontend's `bind` line",
    ),
    value(
        "HAPROXY_{0}_STICKY",
        "`true`, `t`, `yes` or `y` (any case): sticky sessions by cookie",
    ),
    template(
        "HAPROXY_{0}_TCP_BACKEND_NETWORK_ALLOWED_ACL",
        "HAPROXY_TCP_BACKEND_NETWORK_ALLOWED_ACL",
    ),
    template("HAPROXY_{0}_USERLIST_HEAD", "HAPROXY_USERLIST_HEAD"),
    value(
        "HAPROXY_{0}_USE_HSTS",
        "`true`, `t`, `yes` or `y` (any case): send `Strict-Transport-Security`",
    ),
    value(
        "HAPROXY_{0}_VHOST",
        "comma-separated virtual host names (lower-cased)",
    ),
];

/// Labels of the app as a whole that are not in marathon-lb's list of
/// per-port labels but that it reads all the same.
pub const APP_LABELS: &[Label] = &[
    value(
        "HAPROXY_GROUP",
        "comma-separated load balancer groups for every port of the app",
    ),
    value(
        "HAPROXY_DEPLOYMENT_NEW_INSTANCES",
        "set by blue/green deployment tools while they scale: when present, the side scaled last \
         is the new one",
    ),
];

/// Whether a flag label's value means yes.
pub(crate) fn is_true(value: &str) -> bool {
    ["true", "t", "yes", "y"]
        .iter()
        .any(|yes| value.eq_ignore_ascii_case(yes))
}

/// Splits `HAPROXY_<n>_<NAME>` into `n` and the position of
/// `HAPROXY_{0}_<NAME>` in [`LABELS`].
pub(crate) fn per_port_label(key: &str) -> Option<(usize, usize)> {
    let rest = key.strip_prefix("HAPROXY_")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || rest.as_bytes().get(digits) != Some(&b'_') {
        return None;
    }
    let index: usize = rest[..digits].parse().ok()?;
    let name = &rest[digits + 1..];
    let position = LABELS.iter().position(|label| {
        label
            .name
            .strip_prefix("HAPROXY_{0}_")
            .is_some_and(|known| known == name)
    })?;
    Some((index, position))
}

/// Applies one per-port label to a service. A value that does not parse is
/// returned as a warning and the service must be left out.
pub(crate) fn apply(
    service: &mut Service,
    label: &Label,
    key: &str,
    value: &str,
) -> Result<(), Warning> {
    set(service, label, value).map_err(|reason| Warning {
        app_id: service.app_id.clone(),
        label: Some(key.to_owned()),
        value: Some(value.to_owned()),
        reason: format!(
            "{reason}; service port index {} left out",
            service.port_index
        ),
    })
}

fn set(service: &mut Service, label: &Label, value: &str) -> Result<(), &'static str> {
    if let Some(template) = label.template {
        let name = template.trim_start_matches("HAPROXY_").to_owned();
        service.templates.insert(name, value.replace("\r\n", "\n"));
        return Ok(());
    }

    match label.name.trim_start_matches("HAPROXY_{0}_") {
        "AUTH" => {
            let parts: Vec<&str> = value.split(':').collect();
            let [realm, user, password] = parts[..] else {
                return Err("expected realm:user:password-hash");
            };
            service.auth = Some(Auth {
                realm: realm.to_owned(),
                user: user.to_owned(),
                password: password.to_owned(),
            });
        }
        "BACKEND_HEALTHCHECK_PORT_INDEX" => {
            service.healthcheck_port_index =
                Some(value.trim().parse().map_err(|_| "expected an integer")?);
        }
        "BACKEND_NETWORK_ALLOWED_ACL" => service.network_allowed = Some(value.to_owned()),
        "BACKEND_WEIGHT" => {
            service.backend_weight = value.trim().parse().map_err(|_| "expected an integer")?;
        }
        "BALANCE" => value.clone_into(&mut service.balance),
        "BIND_ADDR" => value.clone_into(&mut service.bind_addr),
        "BIND_OPTIONS" => service.bind_options = Some(value.to_owned()),
        "ENABLED" => service.enabled = is_true(value),
        "GROUP" => service.port_groups = value.split(',').map(str::to_owned).collect(),
        "HTTP_BACKEND_PROXYPASS_PATH" => service.proxy_path = Some(value.to_owned()),
        "HTTP_BACKEND_REDIR" => service.redirect_path = Some(value.to_owned()),
        "HTTP_BACKEND_REVPROXY_PATH" => service.revproxy_path = Some(value.to_owned()),
        "MODE" => service.mode = Some(value.to_lowercase()),
        "PATH" => {
            service.path = Some(value.to_owned());
            if service.backend_weight == 0 {
                service.backend_weight = 1;
            }
        }
        "PORT" => {
            service.service_port = value
                .trim()
                .parse()
                .map_err(|_| "expected a port number from 0 to 65535")?;
        }
        "REDIRECT_TO_HTTPS" => service.redirect_http_to_https = is_true(value),
        "SSL_CERT" => service.ssl_cert = Some(value.to_owned()),
        "STICKY" => service.sticky = is_true(value),
        "USE_HSTS" => service.use_hsts = is_true(value),
        "VHOST" => service.hostname = Some(value.to_lowercase()),
        // Deployment labels are app-wide; the blue/green merge reads them.
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_port_keys_split_into_index_and_label() {
        let (index, position) = per_port_label("HAPROXY_12_VHOST").unwrap();
        assert_eq!((index, LABELS[position].name), (12, "HAPROXY_{0}_VHOST"));
        assert_eq!(per_port_label("HAPROXY_GROUP"), None);
        assert_eq!(per_port_label("HAPROXY_0_NOT_A_LABEL"), None);
        assert_eq!(per_port_label("HAPROXY_x_VHOST"), None);
    }

    #[test]
    fn flags_accept_marathon_lb_spellings_only() {
        for yes in ["true", "T", "Yes", "y"] {
            assert!(is_true(yes), "{yes}");
        }
        for no in ["false", "1", "on", ""] {
            assert!(!is_true(no), "{no}");
        }
    }

    #[test]
    fn auth_without_three_parts_is_refused() {
        let label = LABELS
            .iter()
            .find(|l| l.name == "HAPROXY_{0}_AUTH")
            .unwrap();
        let mut service = Service::new("/a", 10000, 0, false);
        let warning = apply(&mut service, label, "HAPROXY_0_AUTH", "realm:user").unwrap_err();
        assert_eq!(warning.label.as_deref(), Some("HAPROXY_0_AUTH"));
        assert!(warning.reason.contains("realm:user:password-hash"));
    }

    #[test]
    fn path_gives_weight_one_unless_weight_is_set() {
        let path = LABELS
            .iter()
            .find(|l| l.name == "HAPROXY_{0}_PATH")
            .unwrap();
        let mut service = Service::new("/a", 10000, 0, false);
        apply(&mut service, path, "HAPROXY_0_PATH", "/api").unwrap();
        assert_eq!(service.backend_weight, 1);
    }
}
