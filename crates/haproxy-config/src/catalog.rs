//! The catalogue of templates: names, placeholders and default texts.
//!
//! The names, placeholders and default texts are marathon-lb's interface:
//! operators' overrides are written against them. Four defaults differ,
//! each said in [`TemplateSpec::replaces`] and in docs/compatibility.md.

/// One template of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateSpec {
    /// The name, such as `HAPROXY_BACKEND_HEAD`; also the environment
    /// variable and the file name that override it.
    pub name: &'static str,
    /// Whether the label `HAPROXY_{n}_<NAME without HAPROXY_>` overrides it
    /// for one service port.
    pub per_service_port: bool,
    /// The placeholders an override may use, each written `{name}`.
    pub placeholders: &'static [&'static str],
    /// The default text, in marathon-lb's syntax.
    pub default: &'static str,
    /// marathon-lb's default, where mlb's differs, and why.
    pub replaces: Option<(&'static str, &'static str)>,
}

/// Every template, sorted by name.
pub const TEMPLATES: &[TemplateSpec] = &[
    TemplateSpec {
        name: "HAPROXY_BACKEND_HEAD",
        per_service_port: true,
        placeholders: &["backend", "balance", "mode"],
        default: r"
backend {backend}
  balance {balance}
  mode {mode}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_BACKEND_HSTS_OPTIONS",
        per_service_port: true,
        placeholders: &[],
        default: r"  http-response set-header Strict-Transport-Security max-age=15768000
",
        replaces: Some((
            r"  rspadd  Strict-Transport-Security:\ max-age=15768000
",
            "`rspadd` was removed in HAProxy 2.1; `http-response set-header` has the same effect",
        )),
    },
    TemplateSpec {
        name: "HAPROXY_BACKEND_HTTP_HEALTHCHECK_OPTIONS",
        per_service_port: true,
        placeholders: &[
            "healthCheckFalls",
            "healthCheckGracePeriodSeconds",
            "healthCheckIntervalSeconds",
            "healthCheckMaxConsecutiveFailures",
            "healthCheckPath",
            "healthCheckPort",
            "healthCheckPortIndex",
            "healthCheckPortOptions",
            "healthCheckProtocol",
            "healthCheckTimeoutSeconds",
        ],
        default: r"  option  httpchk GET {healthCheckPath}
  timeout check {healthCheckTimeoutSeconds}s
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_BACKEND_HTTP_OPTIONS",
        per_service_port: true,
        placeholders: &[],
        default: r"  option forwardfor
  http-request set-header X-Forwarded-Port %[dst_port]
  http-request add-header X-Forwarded-Proto https if { ssl_fc }
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_BACKEND_REDIRECT_HTTP_TO_HTTPS",
        per_service_port: true,
        placeholders: &["cleanedUpHostname"],
        default: r"  redirect scheme https code 301 if !{{ ssl_fc }} host_{cleanedUpHostname}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname"],
        default: r"  redirect scheme https code 301 if !{{ ssl_fc }} host_{cleanedUpHostname} path_{backend}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS",
        per_service_port: true,
        placeholders: &[
            "healthCheckFalls",
            "healthCheckGracePeriodSeconds",
            "healthCheckIntervalSeconds",
            "healthCheckMaxConsecutiveFailures",
            "healthCheckPath",
            "healthCheckPort",
            "healthCheckPortIndex",
            "healthCheckPortOptions",
            "healthCheckProtocol",
            "healthCheckTimeoutSeconds",
        ],
        default: r"  check inter {healthCheckIntervalSeconds}s fall {healthCheckFalls}{healthCheckPortOptions}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_BACKEND_SERVER_OPTIONS",
        per_service_port: true,
        placeholders: &[
            "cookieOptions",
            "healthCheckOptions",
            "host",
            "host_ipv4",
            "otherOptions",
            "port",
            "serverId",
            "serverName",
        ],
        default: r"  server {serverName} {host_ipv4}:{port} id {serverId}{cookieOptions}{healthCheckOptions}{otherOptions}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS",
        per_service_port: true,
        placeholders: &[
            "healthCheckFalls",
            "healthCheckGracePeriodSeconds",
            "healthCheckIntervalSeconds",
            "healthCheckMaxConsecutiveFailures",
            "healthCheckPath",
            "healthCheckPort",
            "healthCheckPortIndex",
            "healthCheckPortOptions",
            "healthCheckProtocol",
            "healthCheckTimeoutSeconds",
        ],
        default: r"  check inter {healthCheckIntervalSeconds}s fall {healthCheckFalls}{healthCheckPortOptions}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_BACKEND_STICKY_OPTIONS",
        per_service_port: true,
        placeholders: &[],
        default: r"  cookie mesosphere_server_id insert indirect nocache
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_BACKEND_TCP_HEALTHCHECK_OPTIONS",
        per_service_port: true,
        placeholders: &[
            "healthCheckFalls",
            "healthCheckGracePeriodSeconds",
            "healthCheckIntervalSeconds",
            "healthCheckMaxConsecutiveFailures",
            "healthCheckPath",
            "healthCheckPort",
            "healthCheckPortIndex",
            "healthCheckPortOptions",
            "healthCheckProtocol",
            "healthCheckTimeoutSeconds",
        ],
        default: r"",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_FRONTEND_BACKEND_GLUE",
        per_service_port: true,
        placeholders: &["backend"],
        default: r"  use_backend {backend}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_FRONTEND_HEAD",
        per_service_port: true,
        placeholders: &[
            "backend",
            "bindAddr",
            "bindOptions",
            "mode",
            "servicePort",
            "sslCert",
        ],
        default: r"
frontend {backend}
  bind {bindAddr}:{servicePort}{sslCert}{bindOptions}
  mode {mode}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HEAD",
        per_service_port: false,
        placeholders: &[],
        default: r"global
  log /dev/log local0
  log /dev/log local1 notice
  spread-checks 5
  max-spread-checks 15000
  maxconn 50000
  tune.ssl.default-dh-param 2048
  ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:!aNULL:!MD5:!DSS
  ssl-default-bind-options no-sslv3 no-tlsv10 no-tls-tickets
  ssl-default-server-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:!aNULL:!MD5:!DSS
  ssl-default-server-options no-sslv3 no-tlsv10 no-tls-tickets
  stats socket /var/run/haproxy/socket expose-fd listeners
  server-state-file global
  server-state-base /var/state/haproxy/
defaults
  load-server-state-from-file global
  log               global
  retries                   3
  backlog               10000
  maxconn               10000
  timeout connect          3s
  timeout client          30s
  timeout server          30s
  timeout tunnel        3600s
  timeout http-keep-alive  1s
  timeout http-request    15s
  timeout queue           30s
  timeout tarpit          60s
  option            dontlognull
  option            http-server-close
  option            redispatch
listen stats
  bind 0.0.0.0:9090
  balance
  mode http
  stats enable
  http-request use-service prometheus-exporter if { path /metrics }
  monitor-uri /_haproxy_health_check
  use_backend mlb_admin if { path /_haproxy_getconfig /_haproxy_getvhostmap /_haproxy_getappmap /_haproxy_getpids } || { path_beg /_mlb_signal/ }
backend mlb_admin
  mode http
  server mlb 127.0.0.1:9092
",
        replaces: Some((
            r"global
  log /dev/log local0
  log /dev/log local1 notice
  spread-checks 5
  max-spread-checks 15000
  maxconn 50000
  tune.ssl.default-dh-param 2048
  ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:!aNULL:!MD5:!DSS
  ssl-default-bind-options no-sslv3 no-tlsv10 no-tls-tickets
  ssl-default-server-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:!aNULL:!MD5:!DSS
  ssl-default-server-options no-sslv3 no-tlsv10 no-tls-tickets
  stats socket /var/run/haproxy/socket expose-fd listeners
  server-state-file global
  server-state-base /var/state/haproxy/
  lua-load /marathon-lb/getpids.lua
  lua-load /marathon-lb/getconfig.lua
  lua-load /marathon-lb/getmaps.lua
  lua-load /marathon-lb/signalmlb.lua
defaults
  load-server-state-from-file global
  log               global
  retries                   3
  backlog               10000
  maxconn               10000
  timeout connect          3s
  timeout client          30s
  timeout server          30s
  timeout tunnel        3600s
  timeout http-keep-alive  1s
  timeout http-request    15s
  timeout queue           30s
  timeout tarpit          60s
  option            dontlognull
  option            http-server-close
  option            redispatch
listen stats
  bind 0.0.0.0:9090
  balance
  mode http
  stats enable
  http-request use-service prometheus-exporter if { path /metrics }
  monitor-uri /_haproxy_health_check
  acl getpid path /_haproxy_getpids
  http-request use-service lua.getpids if getpid
  acl getvhostmap path /_haproxy_getvhostmap
  http-request use-service lua.getvhostmap if getvhostmap
  acl getappmap path /_haproxy_getappmap
  http-request use-service lua.getappmap if getappmap
  acl getconfig path /_haproxy_getconfig
  http-request use-service lua.getconfig if getconfig

  acl signalmlbhup path /_mlb_signal/hup
  http-request use-service lua.signalmlbhup if signalmlbhup
  acl signalmlbusr1 path /_mlb_signal/usr1
  http-request use-service lua.signalmlbusr1 if signalmlbusr1
",
            "marathon-lb's head loads four Lua files that only its container image ships; HAProxy refuses to start without them. The operator paths they served (/_haproxy_getconfig, the maps, /_haproxy_getpids, /_mlb_signal/*) are forwarded to mlb's admin listener (`--admin-address`, 127.0.0.1:9092) instead",
        )),
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_FRONTEND_ACL",
        per_service_port: true,
        placeholders: &["backend", "hostname"],
        default: r"  use_backend {backend} if {{ ssl_fc_sni {hostname} }}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_FRONTEND_ACL_ONLY_WITH_PATH",
        per_service_port: true,
        placeholders: &["backend", "path"],
        default: r"  acl path_{backend} path_beg {path}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_FRONTEND_ACL_WITH_AUTH",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname", "hostname", "realm"],
        default: r#"  acl auth_{cleanedUpHostname} http_auth(user_{backend})
  http-request auth realm "{realm}" if {{ ssl_fc_sni {hostname} }} !auth_{cleanedUpHostname}
  use_backend {backend} if {{ ssl_fc_sni {hostname} }}
"#,
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname", "hostname", "realm"],
        default: r#"  acl auth_{cleanedUpHostname} http_auth(user_{backend})
  http-request auth realm "{realm}" if {{ ssl_fc_sni {hostname} }} path_{backend} !auth_{cleanedUpHostname}
  use_backend {backend} if {{ ssl_fc_sni {hostname} }} path_{backend}
"#,
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_FRONTEND_ACL_WITH_PATH",
        per_service_port: true,
        placeholders: &["backend", "hostname"],
        default: r"  use_backend {backend} if {{ ssl_fc_sni {hostname} }} path_{backend}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_FRONTEND_AUTH_ACL_ONLY",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname"],
        default: r"  acl auth_{cleanedUpHostname} http_auth(user_{backend})
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_FRONTEND_AUTH_REQUEST_ONLY",
        per_service_port: true,
        placeholders: &["cleanedUpHostname", "hostname", "realm"],
        default: r#"  http-request auth realm "{realm}" if {{ ssl_fc_sni {hostname} }} !auth_{cleanedUpHostname}
"#,
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_FRONTEND_HEAD",
        per_service_port: false,
        placeholders: &["sslCerts"],
        default: r"
frontend marathon_https_in
  bind *:443 ssl {sslCerts}
  mode http
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname", "realm"],
        default: r#"  http-request auth realm "{realm}" if host_{cleanedUpHostname} path_{backend} !auth_{cleanedUpHostname}
  use_backend {backend} if host_{cleanedUpHostname} path_{backend}
"#,
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_GROUPED_FRONTEND_HEAD",
        per_service_port: false,
        placeholders: &[],
        default: r"
frontend marathon_https_in
  bind *:443
  mode tcp
  tcp-request inspect-delay 5s
  tcp-request content accept if { req_ssl_hello_type 1 }
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_GROUPED_VHOST_BACKEND_HEAD",
        per_service_port: false,
        placeholders: &["name"],
        default: r"
backend {name}
  server loopback-for-tls abns@{name} send-proxy-v2
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_GROUPED_VHOST_FRONTEND_ACL",
        per_service_port: false,
        placeholders: &["backend", "host"],
        default: r"  use_backend {backend} if {{ req_ssl_sni -i {host} }}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTPS_GROUPED_VHOST_FRONTEND_HEAD",
        per_service_port: false,
        placeholders: &["bindOpts", "name", "sslCerts"],
        default: r"
frontend {name}
  mode http
  bind abns@{name} accept-proxy ssl {sslCerts}{bindOpts}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_BACKEND_ACL_ALLOW_DENY",
        per_service_port: false,
        placeholders: &[],
        default: r"  http-request allow if network_allowed
  http-request deny
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_BACKEND_NETWORK_ALLOWED_ACL",
        per_service_port: true,
        placeholders: &["network_allowed"],
        default: r"  acl network_allowed src {network_allowed}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_BACKEND_PROXYPASS_GLUE",
        per_service_port: true,
        placeholders: &["hostname", "proxypath"],
        default: r"  http-request set-header Host {hostname}
  http-request replace-path ^{proxypath}/?(.*) /\1
",
        replaces: Some((
            r#"  http-request set-header Host {hostname}
  reqirep  "^([^ :]*)\ {proxypath}/?(.*)" "\1\ /\2"
"#,
            "`reqirep` was removed in HAProxy 2.1; `http-request replace-path` strips the same prefix",
        )),
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_BACKEND_REDIR",
        per_service_port: true,
        placeholders: &["hostname", "redirpath"],
        default: r"  acl is_root path -i /
  acl is_domain hdr(host) -i {hostname}
  redirect code 301 location {redirpath} if is_domain is_root
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_BACKEND_REVPROXY_GLUE",
        per_service_port: true,
        placeholders: &["hostname", "rootpath"],
        default: r"  acl hdr_location res.hdr(Location) -m found
  http-response replace-header Location ^(https?://{hostname}(:[0-9]+)?)?(/.*) {rootpath} if hdr_location
",
        replaces: Some((
            r#"  acl hdr_location res.hdr(Location) -m found
  rspirep "^Location: (https?://{hostname}(:[0-9]+)?)?(/.*)" "Location:   {rootpath}" if hdr_location
"#,
            "`rspirep` was removed in HAProxy 2.1; `http-response replace-header` rewrites the same header",
        )),
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_ACL",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname", "hostname"],
        default: r"  acl host_{cleanedUpHostname} hdr(host) -i {hostname}
  use_backend {backend} if host_{cleanedUpHostname}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_ACL_ONLY",
        per_service_port: true,
        placeholders: &["cleanedUpHostname", "hostname"],
        default: r"  acl host_{cleanedUpHostname} hdr(host) -i {hostname}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_ACL_ONLY_WITH_PATH",
        per_service_port: true,
        placeholders: &["backend", "path"],
        default: r"  acl path_{backend} path_beg {path}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname", "path"],
        default: r"  acl path_{backend} path_beg {path}
  acl auth_{cleanedUpHostname} http_auth(user_{backend})
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_ACL_WITH_AUTH",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname", "hostname", "realm"],
        default: r#"  acl host_{cleanedUpHostname} hdr(host) -i {hostname}
  acl auth_{cleanedUpHostname} http_auth(user_{backend})
  http-request auth realm "{realm}" if host_{cleanedUpHostname} !auth_{cleanedUpHostname}
  use_backend {backend} if host_{cleanedUpHostname}
"#,
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname", "hostname", "path", "realm"],
        default: r#"  acl host_{cleanedUpHostname} hdr(host) -i {hostname}
  acl auth_{cleanedUpHostname} http_auth(user_{backend})
  acl path_{backend} path_beg {path}
  http-request auth realm "{realm}" if host_{cleanedUpHostname} path_{backend} !auth_{cleanedUpHostname}
  use_backend {backend} if host_{cleanedUpHostname} path_{backend}
"#,
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_ACL_WITH_PATH",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname", "hostname", "path"],
        default: r"  acl host_{cleanedUpHostname} hdr(host) -i {hostname}
  acl path_{backend} path_beg {path}
  use_backend {backend} if host_{cleanedUpHostname} path_{backend}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_APPID_ACL",
        per_service_port: true,
        placeholders: &["appId", "backend", "cleanedUpAppId"],
        default: r"  acl app_{cleanedUpAppId} hdr(x-marathon-app-id) -i {appId}
  use_backend {backend} if app_{cleanedUpAppId}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_APPID_HEAD",
        per_service_port: false,
        placeholders: &[],
        default: r"
frontend marathon_http_appid_in
  bind *:9091
  mode http
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_HEAD",
        per_service_port: false,
        placeholders: &[],
        default: r"
frontend marathon_http_in
  bind *:80
  mode http
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_ROUTING_ONLY",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname"],
        default: r"  use_backend {backend} if host_{cleanedUpHostname}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname", "realm"],
        default: r#"  acl auth_{cleanedUpHostname} http_auth(user_{backend})
  http-request auth realm "{realm}" if host_{cleanedUpHostname} !auth_{cleanedUpHostname}
  use_backend {backend} if host_{cleanedUpHostname}
"#,
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname"],
        default: r"  use_backend {backend} if host_{cleanedUpHostname} path_{backend}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH",
        per_service_port: true,
        placeholders: &["backend", "cleanedUpHostname", "realm"],
        default: r#"  http-request auth realm "{realm}" if host_{cleanedUpHostname} path_{backend} !auth_{cleanedUpHostname}
  use_backend {backend} if host_{cleanedUpHostname} path_{backend}
"#,
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_MAP_HTTPS_FRONTEND_ACL",
        per_service_port: true,
        placeholders: &["haproxy_dir"],
        default: r"  use_backend %[ssl_fc_sni,lower,map({haproxy_dir}/domain2backend.map)]
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_MAP_HTTP_FRONTEND_ACL",
        per_service_port: true,
        placeholders: &["haproxy_dir"],
        default: r"  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map({haproxy_dir}/domain2backend.map)]
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_MAP_HTTP_FRONTEND_ACL_ONLY",
        per_service_port: true,
        placeholders: &["haproxy_dir"],
        default: r"  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map({haproxy_dir}/domain2backend.map)]
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_MAP_HTTP_FRONTEND_APPID_ACL",
        per_service_port: true,
        placeholders: &["haproxy_dir"],
        default: r"  use_backend %[req.hdr(x-marathon-app-id),lower,map({haproxy_dir}/app2backend.map)]
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_TCP_BACKEND_ACL_ALLOW_DENY",
        per_service_port: false,
        placeholders: &[],
        default: r"  tcp-request content accept if network_allowed
  tcp-request content reject
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_TCP_BACKEND_NETWORK_ALLOWED_ACL",
        per_service_port: true,
        placeholders: &["network_allowed"],
        default: r"  acl network_allowed src {network_allowed}
",
        replaces: None,
    },
    TemplateSpec {
        name: "HAPROXY_USERLIST_HEAD",
        per_service_port: true,
        placeholders: &["backend", "passwd", "user"],
        default: r"
userlist user_{backend}
  user {user} password {passwd}
",
        replaces: None,
    },
];

/// The template called `name`, if there is one.
#[must_use]
pub fn spec(name: &str) -> Option<&'static TemplateSpec> {
    TEMPLATES
        .binary_search_by(|spec| spec.name.cmp(name))
        .ok()
        .map(|i| &TEMPLATES[i])
}
