//! Blue/green deployment groups: two apps that serve as one.
//!
//! Deployment tools run the new version of an app next to the old one, both
//! labelled `HAPROXY_DEPLOYMENT_GROUP=G`. The load balancer exposes them as
//! one app `/G` whose servers are the tasks of both, with as many old tasks
//! marked draining as the new side has healthy instances to replace them.

use std::collections::BTreeMap;

use marathon_client::wire::App;

use crate::service::Warning;
use crate::time::{Instant, parse_iso8601};

/// An app ready for the model, with the draining flag of each task.
#[derive(Debug)]
pub(crate) struct PreparedApp {
    pub(crate) app: App,
    /// One entry per task of `app.tasks`.
    pub(crate) draining: Vec<bool>,
}

impl PreparedApp {
    fn plain(app: App) -> Self {
        let draining = vec![false; app.tasks.len()];
        PreparedApp { app, draining }
    }
}

const GROUP: &str = "HAPROXY_DEPLOYMENT_GROUP";
const STARTED_AT: &str = "HAPROXY_DEPLOYMENT_STARTED_AT";
const NEW_INSTANCES: &str = "HAPROXY_DEPLOYMENT_NEW_INSTANCES";
const TARGET_INSTANCES: &str = "HAPROXY_DEPLOYMENT_TARGET_INSTANCES";

/// Merges the apps of each deployment group, taking them out of `apps`.
/// `grouped` holds their positions in app id order: on a tie of start
/// times, the app that comes first is the new one. The result is in the
/// order of the ids `/<group>` the groups are exposed under.
pub(crate) fn merge_groups(
    apps: &mut [App],
    grouped: &[usize],
    warnings: &mut Vec<Warning>,
) -> Vec<PreparedApp> {
    let mut groups: BTreeMap<String, PreparedApp> = BTreeMap::new();

    for &at in grouped {
        let Some(group) = apps[at].labels.get(GROUP) else {
            continue;
        };
        let group = if group.starts_with('/') {
            group.to_owned()
        } else {
            format!("/{group}")
        };
        let mut app = std::mem::take(&mut apps[at]);
        let original_id = std::mem::replace(&mut app.id, group.clone());

        match groups.remove(&group) {
            None => {
                groups.insert(group, PreparedApp::plain(app));
            }
            Some(previous) => {
                let merged = merge(previous, PreparedApp::plain(app), &original_id, warnings);
                groups.insert(group, merged);
            }
        }
    }
    groups.into_values().collect()
}

fn started_at(app: &App, original_id: &str, warnings: &mut Vec<Warning>) -> Option<Instant> {
    let text = app.labels.get(STARTED_AT)?;
    let parsed = parse_iso8601(text);
    if parsed.is_none() {
        warnings.push(Warning {
            app_id: original_id.to_owned(),
            label: Some(STARTED_AT.to_owned()),
            value: Some(text.to_owned()),
            reason: "not an ISO-8601 time; taken as the earliest time".to_owned(),
        });
    }
    parsed
}

/// Merges `current` (just read) into `previous` (seen earlier).
fn merge(
    previous: PreparedApp,
    current: PreparedApp,
    current_id: &str,
    warnings: &mut Vec<Warning>,
) -> PreparedApp {
    // A missing time sorts before every real one, like `None < Some(_)`.
    let previous_date = started_at(&previous.app, &previous.app.id.clone(), warnings);
    let current_date = started_at(&current.app, current_id, warnings);
    let merged_has_checks = !current.app.health_checks.is_empty();
    let (mut old, mut new) = if previous_date < current_date {
        (previous, current)
    } else {
        (current, previous)
    };

    // While a deployment tool scales the two sides, the one scaled last is
    // the new one.
    let mut target = 1;
    if new.app.labels.contains_key(NEW_INSTANCES) {
        let scaled = |app: &App| {
            app.version_info
                .last_scaling_at
                .as_deref()
                .and_then(parse_iso8601)
        };
        if scaled(&old.app) > scaled(&new.app) {
            std::mem::swap(&mut old, &mut new);
        }
        target = match new
            .app
            .labels
            .get(TARGET_INSTANCES)
            .map(|t| t.trim().parse::<i64>())
        {
            Some(Ok(target)) => target,
            other => {
                warnings.push(Warning {
                    app_id: new.app.id.clone(),
                    label: Some(TARGET_INSTANCES.to_owned()),
                    value: new.app.labels.get(TARGET_INSTANCES).map(str::to_owned),
                    reason: format!(
                        "{}; no old task is drained",
                        if other.is_none() {
                            "missing"
                        } else {
                            "expected an integer"
                        }
                    ),
                });
                i64::MAX
            }
        };
    }

    let healthy_new = if merged_has_checks {
        new.app
            .tasks
            .iter()
            .filter(|task| {
                task.health_check_results
                    .as_ref()
                    .is_some_and(|r| r.iter().any(|r| r.alive))
            })
            .count()
    } else {
        usize::try_from(new.app.instances).unwrap_or(0)
    };
    let healthy = i64::try_from(healthy_new).unwrap_or(i64::MAX);
    let drainable = healthy
        .saturating_add(old.app.instances)
        .saturating_sub(target)
        .max(0);
    let drain = old
        .app
        .tasks
        .len()
        .min(healthy_new)
        .min(usize::try_from(drainable).unwrap_or(0));

    // The same old tasks are drained on every instance: the first by id.
    let mut old_tasks: Vec<_> = old.app.tasks.drain(..).zip(old.draining).collect();
    old_tasks.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    for (_, draining) in old_tasks.iter_mut().take(drain) {
        *draining = true;
    }

    let (mut tasks, mut draining): (Vec<_>, Vec<_>) = old_tasks.into_iter().unzip();
    tasks.extend(new.app.tasks);
    draining.extend(new.draining);
    old.app.tasks = tasks;
    PreparedApp {
        app: old.app,
        draining,
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

    /// The merged groups of `apps`, read in app id order.
    fn merged(mut apps: Vec<App>) -> Vec<PreparedApp> {
        let mut grouped: Vec<usize> = (0..apps.len()).collect();
        grouped.sort_by(|&a, &b| apps[a].id.cmp(&apps[b].id));
        merge_groups(&mut apps, &grouped, &mut Vec::new())
    }

    #[test]
    fn later_start_is_new_and_drains_old_tasks_by_id() {
        let merged = merged(apps(
            r#"[
                {"id": "/blue", "instances": 2, "labels": {"HAPROXY_DEPLOYMENT_GROUP": "web",
                 "HAPROXY_DEPLOYMENT_STARTED_AT": "2026-01-01T00:00:00Z"},
                 "tasks": [{"id": "b2"}, {"id": "b1"}]},
                {"id": "/green", "instances": 1, "labels": {"HAPROXY_DEPLOYMENT_GROUP": "web",
                 "HAPROXY_DEPLOYMENT_STARTED_AT": "2026-01-02T00:00:00Z"},
                 "tasks": [{"id": "g1"}]}
            ]"#,
        ));
        assert_eq!(merged.len(), 1);
        let ids: Vec<_> = merged[0].app.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(merged[0].app.id, "/web");
        assert_eq!(ids, ["b1", "b2", "g1"]);
        // target 1, healthy new 1, old 2: drainable = 2, so min(2, 1, 2) = 1.
        assert_eq!(merged[0].draining, [true, false, false]);
    }
}
