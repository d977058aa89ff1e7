//! `fixtures/health-checks.json`: every Marathon health-check protocol,
//! fixed ports and port indices, and tasks with alive, dead and missing
//! results.

use insta::assert_snapshot;
use lb_model::HealthMemory;

use crate::support::{fixture, render, render_bytes};

#[test]
fn each_health_check_protocol_gets_its_haproxy_check() {
    let out = render("health-checks.json", &[]);
    assert_snapshot!("health_checks_default", out.body());
}

#[test]
fn health_check_flag_keeps_only_tasks_reported_alive() {
    let out = render("health-checks.json", &["--health-check"]);
    assert_snapshot!("health_checks_health_check", out.body());
}

/// The fixture with every `healthCheckResults` removed, as Marathon
/// answers for a while after a leader change.
fn without_results() -> Vec<u8> {
    let mut document: serde_json::Value =
        serde_json::from_slice(&fixture("health-checks.json")).expect("JSON");
    for app in document["apps"].as_array_mut().expect("an apps array") {
        for task in app["tasks"].as_array_mut().expect("a tasks array") {
            task.as_object_mut()
                .expect("a task object")
                .remove("healthCheckResults");
        }
    }
    serde_json::to_vec(&document).expect("JSON")
}

#[test]
fn tasks_keep_their_last_known_health_when_results_vanish() {
    let flags = ["--health-check"];
    let mut memory = HealthMemory::default();
    let before = render_bytes(&fixture("health-checks.json"), &flags, &mut memory);
    let after = render_bytes(&without_results(), &flags, &mut memory);
    assert_eq!(after.rendered.config, before.rendered.config);

    // A load balancer that never saw the results has nothing to remember,
    // and every app of the fixture has Marathon health checks: no task is
    // left to serve.
    let fresh = render_bytes(&without_results(), &flags, &mut HealthMemory::default());
    assert_eq!(
        fresh.body().matches("\n  server ").count(),
        0,
        "{}",
        fresh.body()
    );
}
