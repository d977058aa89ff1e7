//! The rules that route virtual hosts (and paths) of the HTTP and HTTPS
//! frontends to a service's backend.

use std::collections::BTreeMap;

use lb_model::Service;

use crate::Error;
use crate::names::{push_app_path, push_sanitized};
use crate::render::{Emitter, Flags};
use crate::templates::template_id;

/// What one service adds to the shared frontends.
#[derive(Debug, Default)]
pub(crate) struct VhostParts {
    /// Appended to `marathon_http_in`.
    pub(crate) http: String,
    /// Appended to `marathon_https_in`.
    pub(crate) https: String,
    /// Per vhost, appended to that vhost's own frontend when HTTPS is
    /// grouped by vhost; empty otherwise.
    pub(crate) https_by_vhost: BTreeMap<String, String>,
    /// `vhost backend` entries for `domain2backend.map`.
    pub(crate) domain_map: Vec<(String, String)>,
    /// The service emitted the shared map lookup line(s); its rules sort
    /// last (weight -1).
    pub(crate) took_map_line: bool,
    /// The HTTPS rule of one vhost, while it is rendered.
    line: String,
}

impl VhostParts {
    /// Empties the parts for the next service, keeping their buffers.
    pub(crate) fn clear(&mut self) {
        self.http.clear();
        self.https.clear();
        self.https_by_vhost.clear();
        self.domain_map.clear();
        self.took_map_line = false;
    }
}

/// Renders the vhost rules of `service` (whose `hostname` is set) into
/// `parts`, cleared. The buffers of `parts` are reused from service to
/// service: a fresh `String` per rule, grown line by line, cost more than
/// rendering the rules.
#[expect(
    clippy::too_many_lines,
    reason = "one decision table, kept whole so it reads against its specification"
)]
pub(crate) fn vhost_rules(
    em: &mut Emitter<'_>,
    service: &Service,
    hostname: &str,
    backend: &str,
    flags: &mut Flags,
    parts: &mut VhostParts,
) -> Result<(), Error> {
    let vhosts: Vec<&str> = hostname.split(',').collect();
    let mut acl_name = String::with_capacity(vhosts[0].len() + service.app_id.len() + 1);
    push_sanitized(&mut acl_name, vhosts[0]);
    acl_name.push('_');
    push_app_path(&mut acl_name, &service.app_id);
    let path = service.path.as_deref();
    let auth = service.auth.as_ref();
    let realm = auth.map_or("", |auth| auth.realm.as_str());
    let map = em.options().haproxy_map;
    let haproxy_dir = em.options().haproxy_dir.as_str();
    let redirect = service.redirect_http_to_https;
    // Only HTTPS grouped by vhost reads the rules vhost by vhost.
    let grouped = em.options().group_https_by_vhost;

    let vars = |host| -> [(&'static str, &str); 7] {
        [
            ("backend", backend),
            ("cleanedUpHostname", &acl_name),
            ("hostname", host),
            ("path", path.unwrap_or_default()),
            ("realm", realm),
            ("appId", &service.app_id),
            ("haproxy_dir", haproxy_dir),
        ]
    };

    parts.clear();
    let mut http = std::mem::take(&mut parts.http);
    let mut https = std::mem::take(&mut parts.https);
    let mut line = std::mem::take(&mut parts.line);
    let mut https_prefix = String::new();

    if vhosts.len() == 1 {
        let host = vhosts[0];
        let v = vars(host);
        if path.is_some() {
            if redirect {
                em.emit(
                    service,
                    template_id!("HAPROXY_HTTP_FRONTEND_ACL_ONLY"),
                    &v,
                    &mut http,
                )?;
                em.emit(
                    service,
                    template_id!("HAPROXY_HTTP_FRONTEND_ACL_ONLY_WITH_PATH"),
                    &v,
                    &mut http,
                )?;
                em.emit(
                    service,
                    template_id!("HAPROXY_BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH"),
                    &v,
                    &mut http,
                )?;
            } else if auth.is_some() {
                em.emit(
                    service,
                    template_id!("HAPROXY_HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH"),
                    &v,
                    &mut http,
                )?;
            } else {
                em.emit(
                    service,
                    template_id!("HAPROXY_HTTP_FRONTEND_ACL_WITH_PATH"),
                    &v,
                    &mut http,
                )?;
            }
            em.emit(
                service,
                template_id!("HAPROXY_HTTPS_FRONTEND_ACL_ONLY_WITH_PATH"),
                &v,
                &mut https_prefix,
            )?;
        } else if redirect {
            em.emit(
                service,
                template_id!("HAPROXY_HTTP_FRONTEND_ACL"),
                &v,
                &mut http,
            )?;
            em.emit(
                service,
                template_id!("HAPROXY_BACKEND_REDIRECT_HTTP_TO_HTTPS"),
                &v,
                &mut http,
            )?;
        } else if auth.is_some() {
            em.emit(
                service,
                template_id!("HAPROXY_HTTP_FRONTEND_ACL_WITH_AUTH"),
                &v,
                &mut http,
            )?;
        } else if map {
            if !flags.map_http {
                em.emit(
                    service,
                    template_id!("HAPROXY_MAP_HTTP_FRONTEND_ACL"),
                    &v,
                    &mut http,
                )?;
                flags.map_http = true;
                parts.took_map_line = true;
            }
            parts.domain_map.push((host.to_owned(), backend.to_owned()));
        } else {
            em.emit(
                service,
                template_id!("HAPROXY_HTTP_FRONTEND_ACL"),
                &v,
                &mut http,
            )?;
        }
        line.clear();
        https_rule(em, service, &v, map, flags, parts, host, backend, &mut line)?;
        if grouped {
            parts
                .https_by_vhost
                .insert(host.to_owned(), format!("{https_prefix}{line}"));
        }
        https.push_str(&https_prefix);
        https.push_str(&line);
        parts.http = http;
        parts.https = https;
        parts.line = line;
        return Ok(());
    }

    // Several vhosts share one set of ACLs named after the first.
    let first = vars(vhosts[0]);
    if path.is_some() {
        let name = if auth.is_some() {
            template_id!("HAPROXY_HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH")
        } else {
            template_id!("HAPROXY_HTTP_FRONTEND_ACL_ONLY_WITH_PATH")
        };
        em.emit(service, name, &first, &mut http)?;
        em.emit(
            service,
            template_id!("HAPROXY_HTTPS_FRONTEND_ACL_ONLY_WITH_PATH"),
            &first,
            &mut https_prefix,
        )?;
    }

    https.push_str(&https_prefix);
    for host in &vhosts {
        let v = vars(host);
        if map && path.is_none() && auth.is_none() && !redirect {
            if !flags.map_http {
                em.emit(
                    service,
                    template_id!("HAPROXY_MAP_HTTP_FRONTEND_ACL_ONLY"),
                    &v,
                    &mut http,
                )?;
                flags.map_http = true;
                parts.took_map_line = true;
            }
            parts
                .domain_map
                .push(((*host).to_owned(), backend.to_owned()));
        } else {
            em.emit(
                service,
                template_id!("HAPROXY_HTTP_FRONTEND_ACL_ONLY"),
                &v,
                &mut http,
            )?;
        }

        line.clear();
        https_rule(em, service, &v, map, flags, parts, host, backend, &mut line)?;
        https.push_str(&line);
        if grouped {
            parts
                .https_by_vhost
                .insert((*host).to_owned(), format!("{https_prefix}{line}"));
        }
    }

    let closing = match (redirect, path.is_some(), auth.is_some()) {
        (true, true, _) => Some(template_id!(
            "HAPROXY_BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH"
        )),
        (true, false, _) => Some(template_id!("HAPROXY_BACKEND_REDIRECT_HTTP_TO_HTTPS")),
        (false, true, true) => Some(template_id!(
            "HAPROXY_HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH"
        )),
        (false, true, false) => Some(template_id!("HAPROXY_HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH")),
        (false, false, true) => Some(template_id!("HAPROXY_HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH")),
        (false, false, false) if !map => Some(template_id!("HAPROXY_HTTP_FRONTEND_ROUTING_ONLY")),
        (false, false, false) => None,
    };
    if let Some(name) = closing {
        em.emit(service, name, &first, &mut http)?;
    }

    parts.http = http;
    parts.https = https;
    parts.line = line;
    Ok(())
}

/// Appends the HTTPS rule of one vhost to `out`: by SNI and path when the
/// service has a path, else by SNI alone, with auth, or through the map
/// file.
#[expect(clippy::too_many_arguments, reason = "the pieces of one rule decision")]
fn https_rule(
    em: &mut Emitter<'_>,
    service: &Service,
    vars: &[(&'static str, &str)],
    map: bool,
    flags: &mut Flags,
    parts: &mut VhostParts,
    host: &str,
    backend: &str,
    out: &mut String,
) -> Result<(), Error> {
    let auth = service.auth.is_some();
    if service.path.is_some() {
        let name = if auth {
            template_id!("HAPROXY_HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH")
        } else {
            template_id!("HAPROXY_HTTPS_FRONTEND_ACL_WITH_PATH")
        };
        em.emit(service, name, vars, out)?;
    } else if auth {
        em.emit(
            service,
            template_id!("HAPROXY_HTTPS_FRONTEND_ACL_WITH_AUTH"),
            vars,
            out,
        )?;
    } else if map {
        if !flags.map_https {
            em.emit(
                service,
                template_id!("HAPROXY_MAP_HTTPS_FRONTEND_ACL"),
                vars,
                out,
            )?;
            flags.map_https = true;
            parts.took_map_line = true;
        }
        parts.domain_map.push((host.to_owned(), backend.to_owned()));
    } else {
        em.emit(
            service,
            template_id!("HAPROXY_HTTPS_FRONTEND_ACL"),
            vars,
            out,
        )?;
    }
    Ok(())
}
