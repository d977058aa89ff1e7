//! Apps screened before the model reads them: what could break a config or
//! make the output depend on input order is left out here, with a warning.
//!
//! Labels of single service ports are checked later, where they are
//! applied ([`crate::labels`]); this module checks what belongs to the app
//! as a whole (its id, app-wide labels, health checks) and its tasks.

use marathon_client::wire::{App, HealthCheck, Task};

use crate::build::Options;
use crate::labels::{APP_WIDE_NAMES, LABELS, per_port_label};
use crate::service::Warning;
use crate::validate;

const DEPLOYMENT_GROUP: &str = "HAPROXY_DEPLOYMENT_GROUP";

/// The apps fit to build services from, by their positions in the list
/// [`choose`] was given, each list in app id order. Their ids are unique,
/// and no deployment group is exposed under the id of a plain app.
#[derive(Debug, Default)]
pub(crate) struct Screened {
    /// The apps of no deployment group.
    pub(crate) plain: Vec<usize>,
    /// The apps of a deployment group (`HAPROXY_DEPLOYMENT_GROUP`).
    pub(crate) grouped: Vec<usize>,
}

/// Checks `app` on its own: gives `false` when it is refused as a whole;
/// otherwise leaves out its refused tasks, and its template labels when
/// they are turned off. Every warning goes to `warnings`.
pub(crate) fn check(app: &mut App, options: &Options, warnings: &mut Vec<Warning>) -> bool {
    if let Err(warning) = check_app(app) {
        warnings.push(warning);
        return false;
    }
    app.tasks.retain(|task| match check_task(task) {
        Ok(()) => true,
        Err(reason) => {
            warnings.push(Warning::app(&app.id, reason));
            false
        }
    });
    if !options.label_templates {
        drop_template_labels(app, warnings);
    }
    true
}

/// The deployment group an app belongs to, if any.
pub(crate) fn deployment_group(app: &App) -> Option<&str> {
    app.labels.get(DEPLOYMENT_GROUP)
}

/// Chooses, among apps that passed [`check`], given by their ids and
/// deployment groups, those that can be exposed. The answer does not
/// depend on the order of `apps`.
pub(crate) fn choose(apps: &[(&str, Option<&str>)], warnings: &mut Vec<Warning>) -> Screened {
    // Everything that marathon-lb decides by the order Marathon lists apps
    // in (blue/green ties, made-up service ports) is decided by app id.
    let mut ids: Vec<(&str, usize)> = apps
        .iter()
        .enumerate()
        .map(|(at, (id, _))| (*id, at))
        .collect();
    ids.sort_unstable();

    // Two apps with one id cannot both be exposed (their backends would
    // share a name), and keeping either would depend on the order Marathon
    // lists them in; so neither is. Sorted, they are next to each other.
    let mut unique = Vec::with_capacity(ids.len());
    for same_id in ids.chunk_by(|a, b| a.0 == b.0) {
        match same_id {
            [one] => unique.push(*one),
            [(id, _), ..] => warnings.push(Warning::app(
                id,
                format!(
                    "{} apps have this id; all of them are left out",
                    same_id.len()
                ),
            )),
            [] => {}
        }
    }

    // A deployment group is exposed under the id `/<group>`; when a plain
    // app already has that id, the group would take over its backend.
    let mut screened = Screened {
        plain: Vec::with_capacity(unique.len()),
        grouped: Vec::new(),
    };
    for &(app_id, at) in &unique {
        let Some(group) = apps[at].1 else {
            screened.plain.push(at);
            continue;
        };
        let id = group_id(group);
        let taken = unique
            .binary_search_by(|(other, _)| (*other).cmp(id.as_str()))
            .is_ok_and(|found| apps[unique[found].1].1.is_none());
        if !taken {
            screened.grouped.push(at);
            continue;
        }
        warnings.push(Warning {
            app_id: app_id.to_owned(),
            label: Some(DEPLOYMENT_GROUP.to_owned()),
            value: Some(group.to_owned()),
            reason: format!(
                "the group would be exposed as {id}, the id of another app; app left out"
            ),
        });
    }
    screened
}

/// The id a deployment group is exposed under.
fn group_id(group: &str) -> String {
    if group.starts_with('/') {
        group.to_owned()
    } else {
        format!("/{group}")
    }
}

/// Checks the app's id, its app-wide labels and its health checks.
fn check_app(app: &App) -> Result<(), Warning> {
    validate::app_id(&app.id).map_err(|reason| Warning {
        app_id: app.id.clone(),
        label: None,
        value: None,
        reason: format!("the app id is refused: {reason}; app left out"),
    })?;

    // The labels are read in one pass rather than looked up once per
    // app-wide name. Of the refused ones, the first in the order of
    // APP_WIDE_NAMES is reported, whatever order the labels come in.
    let mut refused: Option<(usize, &str, &str, String)> = None;
    for (key, value) in app.labels.iter() {
        let Some(position) = app_wide_position(key) else {
            continue;
        };
        if refused
            .as_ref()
            .is_some_and(|(first, ..)| *first < position)
        {
            continue;
        }
        if let Err(reason) = check_app_wide(key, value) {
            refused = Some((position, key, value, reason));
        }
    }
    if let Some((_, name, value, reason)) = refused {
        return Err(Warning {
            app_id: app.id.clone(),
            label: Some(name.to_owned()),
            value: Some(value.to_owned()),
            reason: format!("{reason}; app left out"),
        });
    }

    for (index, check) in app.health_checks.iter().enumerate() {
        check_health_check(check).map_err(|(field, value, reason)| Warning {
            app_id: app.id.clone(),
            label: Some(format!("healthChecks[{index}].{field}")),
            value: Some(value),
            reason: format!("{reason}; app left out"),
        })?;
    }
    Ok(())
}

/// The position of `key` in [`APP_WIDE_NAMES`], if it is one of them.
fn app_wide_position(key: &str) -> Option<usize> {
    // Most keys are not HAPROXY_ ones, or are per-port ones
    // (`HAPROXY_<n>_...`); both are told at their first bytes.
    let rest = key.strip_prefix("HAPROXY_")?;
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    APP_WIDE_NAMES.iter().position(|name| *name == key)
}

/// Checks the value of the app-wide label `name`.
fn check_app_wide(name: &str, value: &str) -> Result<(), String> {
    validate::plain_text(value)?;
    if name == DEPLOYMENT_GROUP {
        validate::app_id(value)?;
    }
    Ok(())
}

/// The longest time HAProxy takes, in seconds (2^31 - 1 milliseconds).
const MAX_SECONDS: i64 = 2_147_483;

/// Checks what of a health check reaches the config: the path, the
/// protocol and the numbers, within what HAProxy accepts.
fn check_health_check(check: &HealthCheck) -> Result<(), (&'static str, String, String)> {
    if let Some(path) = &check.path {
        validate::check_path(path).map_err(|reason| ("path", path.clone(), reason))?;
    }
    let protocol_ok = !check.protocol.is_empty()
        && check.protocol.len() <= 32
        && check
            .protocol
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !protocol_ok {
        return Err((
            "protocol",
            check.protocol.clone(),
            "expected a protocol name such as HTTP or MESOS_TCP".to_owned(),
        ));
    }
    let numbers = [
        ("timeoutSeconds", check.timeout_seconds, 0, MAX_SECONDS),
        ("intervalSeconds", check.interval_seconds, 1, MAX_SECONDS),
        (
            "gracePeriodSeconds",
            check.grace_period_seconds,
            0,
            MAX_SECONDS,
        ),
        (
            "maxConsecutiveFailures",
            check.max_consecutive_failures,
            0,
            MAX_SECONDS,
        ),
        ("port", check.port.unwrap_or(0), 0, 65535),
        ("portIndex", check.port_index.unwrap_or(0), 0, 65535),
    ];
    for (field, number, min, max) in numbers {
        if !(min..=max).contains(&number) {
            return Err((
                field,
                number.to_string(),
                format!("out of range: expected {min} to {max}"),
            ));
        }
    }
    Ok(())
}

/// Checks what of a task reaches the config or the log: its id, its agent
/// host and the address it has of its own.
fn check_task(task: &Task) -> Result<(), String> {
    validate::plain_text(&task.id)
        .map_err(|reason| format!("a task id is refused: {reason}; task left out"))?;
    if let Some(host) = &task.host {
        validate::agent_host(host).map_err(|reason| {
            format!(
                "task {:?}: agent host {host:?} is refused: {reason}; task left out",
                task.id
            )
        })?;
    }
    let own = task
        .ip_addresses
        .first()
        .and_then(|a| a.ip_address.as_ref());
    if let Some(ip) = own {
        if ip.parse::<std::net::IpAddr>().is_err() {
            return Err(format!(
                "task {:?}: address {ip:?} is not an IP address; task left out",
                task.id
            ));
        }
    }
    Ok(())
}

/// Removes the template override labels of `app`, with one warning naming
/// them (`--no-label-templates`).
fn drop_template_labels(app: &mut App, warnings: &mut Vec<Warning>) {
    let mut dropped = Vec::new();
    app.labels.retain(|key, _| {
        let template = per_port_label(key).is_some_and(|(_, at)| LABELS[at].template.is_some());
        if template {
            dropped.push(key.to_owned());
        }
        !template
    });
    if !dropped.is_empty() {
        warnings.push(Warning {
            app_id: app.id.clone(),
            label: Some(dropped.join(", ")),
            value: None,
            reason: "template labels are turned off (--no-label-templates); ignored, the \
                     global templates apply"
                .to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apps(json: &str) -> Vec<App> {
        marathon_client::wire::decode_apps(json.as_bytes())
            .unwrap()
            .apps
    }

    /// Checks every app, then chooses among those that pass.
    fn screen(apps: &mut Vec<App>, options: &Options, warnings: &mut Vec<Warning>) -> Screened {
        apps.retain_mut(|app| check(app, options, warnings));
        let ids: Vec<(&str, Option<&str>)> = apps
            .iter()
            .map(|app| (app.id.as_str(), deployment_group(app)))
            .collect();
        choose(&ids, warnings)
    }

    /// The ids of the apps that `screen` keeps, in the order it answers.
    fn kept_ids(mut apps: Vec<App>, options: &Options, warnings: &mut Vec<Warning>) -> Vec<String> {
        let kept = screen(&mut apps, options, warnings);
        let mut ids: Vec<String> = (kept.plain.iter().chain(&kept.grouped))
            .map(|&at| apps[at].id.clone())
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn duplicate_ids_leave_out_every_copy_whatever_the_order() {
        let text = r#"[{"id": "/a", "instances": 1}, {"id": "/b"}, {"id": "/a", "instances": 2}]"#;
        let mut warnings = Vec::new();
        let kept = kept_ids(apps(text), &Options::default(), &mut warnings);
        assert_eq!(kept, ["/b"]);
        assert_eq!(
            warnings[0].reason,
            "2 apps have this id; all of them are left out"
        );

        let mut reversed = apps(text);
        reversed.reverse();
        let kept = kept_ids(reversed, &Options::default(), &mut Vec::new());
        assert_eq!(kept, ["/b"]);
    }

    #[test]
    fn a_deployment_group_cannot_take_a_plain_apps_id() {
        let text = r#"[{"id": "/web"},
            {"id": "/web-blue", "labels": {"HAPROXY_DEPLOYMENT_GROUP": "web"}},
            {"id": "/api-blue", "labels": {"HAPROXY_DEPLOYMENT_GROUP": "api"}}]"#;
        let mut warnings = Vec::new();
        let kept = kept_ids(apps(text), &Options::default(), &mut warnings);
        assert_eq!(kept, ["/api-blue", "/web"]);
        assert_eq!(warnings[0].app_id, "/web-blue");
    }

    #[test]
    fn turned_off_template_labels_go_with_one_warning_per_app() {
        let text = r#"[{"id": "/a", "labels": {"HAPROXY_0_BACKEND_HEAD": "x",
            "HAPROXY_1_FRONTEND_HEAD": "y", "HAPROXY_0_VHOST": "a.example.com"}}]"#;
        let options = Options {
            label_templates: false,
            ..Options::default()
        };
        let mut warnings = Vec::new();
        let mut apps = apps(text);
        let kept = screen(&mut apps, &options, &mut warnings);
        let labels: Vec<&str> = apps[kept.plain[0]].labels.keys().collect();
        assert_eq!(labels, ["HAPROXY_0_VHOST"]);
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].label.as_deref(),
            Some("HAPROXY_0_BACKEND_HEAD, HAPROXY_1_FRONTEND_HEAD")
        );
    }

    #[test]
    fn unsafe_tasks_are_left_out_alone() {
        let text = r#"[{"id": "/a", "tasks": [{"id": "t1", "host": "bad host"},
            {"id": "t2", "host": "10.0.0.2", "ipAddresses": [{"ipAddress": "not an ip"}]},
            {"id": "t3", "host": "10.0.0.3"}]}]"#;
        let mut warnings = Vec::new();
        let mut apps = apps(text);
        let kept = screen(&mut apps, &Options::default(), &mut warnings);
        let tasks: Vec<&str> = apps[kept.plain[0]]
            .tasks
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(tasks, ["t3"]);
        assert_eq!(warnings.len(), 2);
    }
}
