//! `fixtures/blue-green.json`: deployment groups merged into one service,
//! with the old side's first tasks marked draining.

use insta::assert_snapshot;

use crate::support::render;

#[test]
fn deployment_groups_merge_and_drain_old_tasks() {
    let out = render("blue-green.json", &[]);
    assert_snapshot!("blue_green_default", out.body());
}

#[test]
fn health_check_flag_leaves_out_the_new_task_without_results() {
    let out = render("blue-green.json", &["--health-check"]);
    assert_snapshot!("blue_green_health_check", out.body());
}
