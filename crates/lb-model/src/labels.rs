//! The `HAPROXY_*` labels: their names, what they accept, and how they
//! configure a service.
//!
//! [`LABELS`] is the one list of label names. The model reads labels from
//! it, and `docs/labels.md` is generated from it, so the two cannot drift.

use std::sync::LazyLock;

use crate::service::{Auth, Service, Warning};
use crate::validate;

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
        accepts: "HAProxy text in marathon-lb's template syntax, which may span lines; it goes \
                  into the config as written, so only trusted app owners should have it (turn \
                  these labels off with `--no-label-templates`)",
        template: Some(template),
    }
}

/// Every label mlb reads, in the order they are applied to a service: an
/// explicit `BACKEND_WEIGHT` is applied before `PATH`, which only raises a
/// weight that is still 0.
pub const LABELS: &[Label] = &[
    value(
        "HAPROXY_{0}_AUTH",
        "`realm:user:password-hash`: HTTP basic auth on the vhost routes. The realm is any text \
         without `\"`, `\\` or `$` (it goes between double quotes); the user is made of letters, \
         digits, `-`, `.`, `_` and `@`; the hash is a crypt(3) hash (letters, digits and \
         `./$=,+_-`), such as `$6$salt$hash`",
    ),
    template("HAPROXY_{0}_BACKEND_HEAD", "HAPROXY_BACKEND_HEAD"),
    value(
        "HAPROXY_{0}_BACKEND_HEALTHCHECK_PORT_INDEX",
        "an integer from -n to n-1, n being the app's number of service ports (a negative one \
         counts from the end): use the health check (and the ports) of that service port index",
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
        "space-separated IPv4 and IPv6 addresses and networks (such as `10.0.0.0/8 192.168.1.1`, \
         `10.0.0.0/255.0.0.0` or `fd00::/8`): only they reach the backend",
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
        "an integer from -2147483648 to 2147483647 (default 0): vhost rules of higher weight \
         come first",
    ),
    value(
        "HAPROXY_{0}_BALANCE",
        "the backend's `balance` algorithm (default `roundrobin`): `roundrobin`, `static-rr`, \
         `leastconn`, `first`, `source`, `random`, `random(<draws>)`, `rdp-cookie`, \
         `rdp-cookie(<name>)`, `uri` followed by any of `whole`, `path-only`, `len <n>` and \
         `depth <n>`, `url_param <name>` optionally followed by `check_post`, `hdr(<name>)` \
         optionally followed by `use_domain_only`, or `hash <expression>` (fetches and converters \
         such as `path,lower`, whose existence HAProxy checks); names are made of letters, \
         digits, `-`, `_` and `.`",
    ),
    value(
        "HAPROXY_{0}_BIND_ADDR",
        "the frontend's bind address (default `*`): `*`, an empty value (every address), an \
         IPv4 or IPv6 address (brackets allowed) or a host name made of letters, digits, `-`, \
         `.` and `_`",
    ),
    value(
        "HAPROXY_{0}_BIND_OPTIONS",
        "extra options appended to the frontend's `bind` line, chosen by the app's owner: \
         HAProxy 2.6 bind options (`accept-proxy`, `alpn <list>`, `maxconn <n>`, `ssl`, \
         `crt <path>`, ... but none of UNIX sockets or QUIC), each followed by its value when it \
         takes one; up to 32 words of printable ASCII without quotes, `\\` or `#`",
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
        "a name made of letters, digits, `-`, `.` and `/`: apps sharing it are one blue/green \
         pair, exposed as app id `/<name>` (left out when another app already has that id)",
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
        "comma-separated load balancer groups for this port (any text without control \
         characters); they replace `HAPROXY_GROUP`",
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
        "a path prefix stripped from requests before they reach the backend: `/` followed by \
         letters, digits, `-`, `.`, `_`, `~` and `/`",
    ),
    value(
        "HAPROXY_{0}_HTTP_BACKEND_REDIR",
        "a path or URL made of letters, digits and `-._~:/?@!$&()*+,;=[]` (no `%`: HAProxy reads \
         the target as a log format): requests for `/` on the vhost are redirected there (this \
         label is the target, not a template override, as in marathon-lb)",
    ),
    template(
        "HAPROXY_{0}_HTTP_BACKEND_REVPROXY_GLUE",
        "HAPROXY_HTTP_BACKEND_REVPROXY_GLUE",
    ),
    value(
        "HAPROXY_{0}_HTTP_BACKEND_REVPROXY_PATH",
        "a path, `/` followed by letters, digits, `-`, `.`, `_`, `~` and `/`: `Location` headers \
         pointing at the vhost are rewritten under it",
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
        "`http` or `tcp` (any case, surrounding spaces ignored): the proxy mode",
    ),
    value(
        "HAPROXY_{0}_PATH",
        "the arguments of `path_beg` for vhost routing, such as `/api` or `-i /a /b`: paths \
         starting with `/` made of letters, digits and `-._~/!$&()*+,;=:@%?[]`, which the flags \
         `-i`, `-n`, `-m <beg|str|sub|dir|dom|end>` and `--` may precede; at most 32 words",
    ),
    value(
        "HAPROXY_{0}_PORT",
        "a port number from 1 to 65535: the service port to bind instead of Marathon's; refused \
         when the load balancer's own frontends (80, 443 and 9091; only 9091 with \
         `--dont-bind-http-https`) or another app's service bind it",
    ),
    value(
        "HAPROXY_{0}_REDIRECT_TO_HTTPS",
        "`true`, `t`, `yes` or `y` (any case): redirect plain HTTP on the vhosts to HTTPS",
    ),
    value(
        "HAPROXY_{0}_SSL_CERT",
        "a certificate path for the frontend's `bind` line (`ssl crt <path>`): printable ASCII \
         without quotes, `\\` or `#`; bind options may follow it, as for \
         `HAPROXY_{n}_BIND_OPTIONS`",
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
        "comma-separated virtual host names (lower-cased), each made of letters, digits, `-`, \
         `.`, `_`, `*` and `:`",
    ),
];

/// Labels of the app as a whole that are not in marathon-lb's list of
/// per-port labels but that it reads all the same.
pub const APP_LABELS: &[Label] = &[
    value(
        "HAPROXY_GROUP",
        "comma-separated load balancer groups for every port of the app (any text without \
         control characters)",
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

/// The names of the per-port labels without their `HAPROXY_{0}_` prefix,
/// sorted, each with its position in [`LABELS`].
///
/// Every label of every app is looked up by name; a binary search in this
/// table, built once, spares a walk through the whole of [`LABELS`] for
/// each of them.
static PER_PORT_NAMES: LazyLock<Vec<(&'static str, usize)>> = LazyLock::new(|| {
    let mut names: Vec<(&'static str, usize)> = LABELS
        .iter()
        .enumerate()
        .filter_map(|(position, label)| {
            let name = label.name.strip_prefix("HAPROXY_{0}_")?;
            Some((name, position))
        })
        .collect();
    names.sort_unstable();
    names
});

/// The names of the labels that belong to the app as a whole, in the order
/// the screening of apps checks them: [`APP_LABELS`], then the app-wide
/// labels of [`LABELS`]. Built once rather than filtered out of [`LABELS`]
/// for every app.
pub(crate) static APP_WIDE_NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    APP_LABELS
        .iter()
        .chain(LABELS.iter().filter(|label| !label.per_service_port()))
        .map(|label| label.name)
        .collect()
});

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
    let names = &*PER_PORT_NAMES;
    let found = names
        .binary_search_by(|(known, _)| (*known).cmp(name))
        .ok()?;
    Some((index, names[found].1))
}

/// Applies one per-port label to a service. A value that does not parse,
/// or that could not be put in a config safely, is returned as a warning
/// and the service must be left out.
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

/// Checks `HAPROXY_{n}_BACKEND_HEALTHCHECK_PORT_INDEX` against the number
/// of service ports of the app, counting from the end when negative as
/// marathon-lb does.
pub(crate) fn check_port_index(service: &Service, port_count: usize) -> Result<(), Warning> {
    let Some(index) = service.healthcheck_port_index else {
        return Ok(());
    };
    let count = i64::try_from(port_count).unwrap_or(i64::MAX);
    if (-count..count).contains(&index) {
        return Ok(());
    }
    Err(Warning {
        app_id: service.app_id.clone(),
        label: Some(format!(
            "HAPROXY_{}_BACKEND_HEALTHCHECK_PORT_INDEX",
            service.port_index
        )),
        value: Some(index.to_string()),
        reason: format!(
            "the app has {port_count} service port{}: expected {} to {}; service port index {} \
             left out",
            if port_count == 1 { "" } else { "s" },
            -count,
            count - 1,
            service.port_index
        ),
    })
}

fn set(service: &mut Service, label: &Label, value: &str) -> Result<(), String> {
    if let Some(template) = label.template {
        validate::template_text(value)?;
        let name = template
            .strip_prefix("HAPROXY_")
            .unwrap_or(template)
            .to_owned();
        service.templates.insert(name, value.replace("\r\n", "\n"));
        return Ok(());
    }

    validate::plain_text(value)?;
    // `strip_prefix`, not `trim_start_matches`: the names hold the prefix
    // once, and trimming searches for it again and again.
    match label
        .name
        .strip_prefix("HAPROXY_{0}_")
        .unwrap_or(label.name)
    {
        "AUTH" => {
            let (realm, user, password) = validate::auth(value)?;
            service.auth = Some(Auth {
                realm: realm.to_owned(),
                user: user.to_owned(),
                password: password.to_owned(),
            });
        }
        "BACKEND_HEALTHCHECK_PORT_INDEX" => {
            // The range is checked once the app's port count is known.
            service.healthcheck_port_index = Some(validate::integer(value, -65535, 65535)?);
        }
        "BACKEND_NETWORK_ALLOWED_ACL" => {
            validate::networks(value)?;
            service.network_allowed = Some(value.to_owned());
        }
        "BACKEND_WEIGHT" => {
            service.backend_weight =
                validate::integer(value, i64::from(i32::MIN), i64::from(i32::MAX))?;
        }
        "BALANCE" => {
            validate::balance(value)?;
            value.clone_into(&mut service.balance);
        }
        "BIND_ADDR" => {
            validate::bind_addr(value)?;
            value.clone_into(&mut service.bind_addr);
        }
        "BIND_OPTIONS" => {
            validate::bind_options(value)?;
            service.bind_options = Some(value.to_owned());
        }
        "ENABLED" => service.enabled = is_true(value),
        "GROUP" => service.port_groups = value.split(',').map(str::to_owned).collect(),
        "HTTP_BACKEND_PROXYPASS_PATH" => {
            validate::simple_path(value)?;
            service.proxy_path = Some(value.to_owned());
        }
        "HTTP_BACKEND_REDIR" => {
            validate::redirect(value)?;
            service.redirect_path = Some(value.to_owned());
        }
        "HTTP_BACKEND_REVPROXY_PATH" => {
            validate::simple_path(value)?;
            service.revproxy_path = Some(value.to_owned());
        }
        "MODE" => service.mode = Some(validate::mode(value)?),
        "PATH" => {
            validate::paths(value)?;
            service.path = Some(value.to_owned());
            if service.backend_weight == 0 {
                service.backend_weight = 1;
            }
        }
        "PORT" => {
            let port = u16::try_from(validate::integer(value, 1, 65535)?)
                .map_err(|_| "expected a port number from 1 to 65535".to_owned())?;
            service.service_port_from_label = port != service.service_port;
            service.service_port = port;
        }
        "REDIRECT_TO_HTTPS" => service.redirect_http_to_https = is_true(value),
        "SSL_CERT" => {
            validate::certificate(value)?;
            service.ssl_cert = Some(value.to_owned());
        }
        "STICKY" => service.sticky = is_true(value),
        "USE_HSTS" => service.use_hsts = is_true(value),
        "VHOST" => {
            validate::hostnames(value)?;
            service.hostname = Some(value.to_lowercase());
        }
        // Deployment labels are app-wide; the blue/green merge reads them
        // and the screening of apps checks them.
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
    fn per_port_names_are_unique_so_a_lookup_finds_the_one_label() {
        let mut names: Vec<&str> = PER_PORT_NAMES.iter().map(|(name, _)| *name).collect();
        names.dedup();
        assert_eq!(names.len(), PER_PORT_NAMES.len());
        assert_eq!(
            names.len(),
            LABELS
                .iter()
                .filter(|label| label.per_service_port())
                .count()
        );
    }

    #[test]
    fn app_wide_names_are_the_app_labels_then_the_deployment_labels() {
        assert_eq!(
            APP_WIDE_NAMES[..],
            [
                "HAPROXY_GROUP",
                "HAPROXY_DEPLOYMENT_NEW_INSTANCES",
                "HAPROXY_DEPLOYMENT_ALT_PORT",
                "HAPROXY_DEPLOYMENT_COLOUR",
                "HAPROXY_DEPLOYMENT_GROUP",
                "HAPROXY_DEPLOYMENT_STARTED_AT",
                "HAPROXY_DEPLOYMENT_TARGET_INSTANCES",
            ]
        );
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
