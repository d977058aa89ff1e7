//! `fixtures/labels.json`: every label of the model's table, template
//! overrides included, in combinations a cluster would use.

use std::collections::BTreeSet;

use insta::assert_snapshot;

use crate::support::{decode, fixture, render};

/// The label names of the fixture, with per-port indices written `{0}`
/// as the model's table writes them.
fn fixture_label_names() -> BTreeSet<String> {
    decode(&fixture("labels.json"))
        .iter()
        .flat_map(|app| app.labels.keys())
        .map(|key| {
            let rest = key.strip_prefix("HAPROXY_").unwrap_or(key);
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 && rest[digits..].starts_with('_') {
                format!("HAPROXY_{{0}}{}", &rest[digits..])
            } else {
                key.to_owned()
            }
        })
        .collect()
}

#[test]
fn every_label_of_the_model_is_used_by_the_labels_fixture() {
    let used = fixture_label_names();
    let missing: Vec<&str> = lb_model::LABELS
        .iter()
        .chain(lb_model::APP_LABELS)
        .map(|label| label.name)
        .filter(|name| !used.contains(*name))
        .collect();
    assert_eq!(
        missing,
        Vec::<&str>::new(),
        "labels.json lacks these labels"
    );
}

#[test]
fn labels_and_template_overrides_shape_the_config() {
    let out = render("labels.json", &[]);
    assert_snapshot!("labels_default", out.body());
}

#[test]
fn labels_in_map_mode_use_the_map_template_overrides() {
    let out = render("labels.json", &["--haproxy-map"]);
    assert_snapshot!("labels_haproxy_map", out.body());
    assert_snapshot!("labels_haproxy_map_domain2backend", out.rendered.domain_map);
    assert_snapshot!("labels_haproxy_map_app2backend", out.rendered.app_map);
}

#[test]
fn labels_with_https_grouped_by_vhost_carry_certificates_and_bind_options() {
    let out = render("labels.json", &["--group-https-by-vhost"]);
    assert_snapshot!("labels_group_https_by_vhost", out.body());
}
