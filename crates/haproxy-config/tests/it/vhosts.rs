//! `fixtures/vhosts.json`: one and several virtual hosts, with and without
//! path, auth and redirect, under each way of binding HTTP and HTTPS.

use insta::assert_snapshot;

use crate::support::render;

#[test]
fn vhost_rules_route_by_host_path_and_auth() {
    let out = render("vhosts.json", &[]);
    assert_snapshot!("vhosts_default", out.body());
}

#[test]
fn map_mode_moves_plain_vhosts_into_the_domain_map() {
    let out = render("vhosts.json", &["--haproxy-map"]);
    assert_snapshot!("vhosts_haproxy_map", out.body());
    assert_snapshot!("vhosts_haproxy_map_domain2backend", out.rendered.domain_map);
    assert_snapshot!("vhosts_haproxy_map_app2backend", out.rendered.app_map);
}

#[test]
fn https_grouped_by_vhost_uses_each_vhosts_certificates() {
    let out = render("vhosts.json", &["--group-https-by-vhost"]);
    assert_snapshot!("vhosts_group_https_by_vhost", out.body());
}

#[test]
fn without_http_https_binding_vhosts_keep_only_their_own_frontends() {
    let out = render("vhosts.json", &["--dont-bind-http-https"]);
    assert_snapshot!("vhosts_dont_bind_http_https", out.body());
}
