//! `fixtures/task-states.json`: which Mesos task states get traffic.

use insta::assert_snapshot;

use crate::support::render;

#[test]
fn only_running_unreachable_and_lost_tasks_get_traffic() {
    let out = render("task-states.json", &[]);
    assert_snapshot!("task_states_default", out.body());
}
