//! `fixtures/groups.json`: which services a load balancer takes, by its
//! `--group` flags and the apps' `HAPROXY_GROUP` and `HAPROXY_{n}_GROUP`.

use insta::assert_snapshot;

use crate::support::render;

#[test]
fn default_group_is_external() {
    let out = render("groups.json", &[]);
    assert_snapshot!("groups_default", out.body());
}

#[test]
fn internal_group_takes_internal_apps_and_ports() {
    let out = render("groups.json", &["--group", "internal"]);
    assert_snapshot!("groups_internal", out.body());
}

#[test]
fn two_groups_take_the_union() {
    let out = render(
        "groups.json",
        &["--group", "external", "--group", "internal"],
    );
    assert_snapshot!("groups_external_and_internal", out.body());
}

#[test]
fn star_takes_every_service_even_without_a_group() {
    let out = render("groups.json", &["--group", "*"]);
    assert_snapshot!("groups_star", out.body());
}
