//! The README's example cluster (`fixtures/apps.json`) under each flag set,
//! and the empty cluster.

use insta::assert_snapshot;

use crate::support::render;

#[test]
fn empty_cluster_renders_the_head_and_the_shared_frontends_only() {
    let out = render("empty.json", &[]);
    assert_snapshot!("empty_default", out.rendered.config);
}

#[test]
fn mixed_cluster_renders_every_kind_of_service() {
    let out = render("apps.json", &[]);
    assert_snapshot!("apps_default", out.body());
}

#[test]
fn map_mode_routes_plain_vhosts_and_app_ids_through_map_files() {
    let out = render("apps.json", &["--haproxy-map"]);
    assert_snapshot!("apps_haproxy_map", out.body());
    assert_snapshot!("apps_haproxy_map_domain2backend", out.rendered.domain_map);
    assert_snapshot!("apps_haproxy_map_app2backend", out.rendered.app_map);
}

#[test]
fn https_grouped_by_vhost_gets_one_tls_frontend_per_vhost() {
    let out = render("apps.json", &["--group-https-by-vhost"]);
    assert_snapshot!("apps_group_https_by_vhost", out.body());
}

#[test]
fn without_http_https_binding_the_vhost_frontends_are_left_out() {
    let out = render("apps.json", &["--dont-bind-http-https"]);
    assert!(!out.body().contains("marathon_http_in"));
    assert!(!out.body().contains("marathon_https_in"));
    assert_snapshot!("apps_dont_bind_http_https", out.body());
}

#[test]
fn strict_mode_exposes_only_services_enabled_by_label() {
    let out = render("apps.json", &["--strict-mode"]);
    assert_snapshot!("apps_strict_mode", out.body());
}

#[test]
fn health_check_flag_drops_tasks_not_reported_alive() {
    let out = render("apps.json", &["--health-check"]);
    assert_snapshot!("apps_health_check", out.body());
}
