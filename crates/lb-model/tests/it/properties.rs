//! Properties of the model on random clusters: order never matters, any
//! label value is survived, and the same input gives the same model.

use lb_model::{HealthMemory, IpLiteralResolver, Model, Options};
use marathon_client::wire::decode_apps;
use proptest::prelude::*;

use crate::cluster::{
    any_label, cluster, config, document, label_value, reordered_document, with_labels,
};

fn options() -> impl Strategy<Value = Options> {
    (any::<bool>(), any::<bool>()).prop_map(|(strict_mode, health_check)| Options {
        strict_mode,
        health_check,
        ..Options::default()
    })
}

/// Decodes a document that must be a valid one, and builds its model with
/// a fresh health memory.
fn model(document: &str, options: &Options) -> Model {
    let decoded = decode_apps(document.as_bytes()).unwrap();
    assert_eq!(decoded.rejected, [], "{document}");
    lb_model::build(
        decoded.apps,
        options,
        &IpLiteralResolver,
        &mut HealthMemory::default(),
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn model_does_not_depend_on_the_order_of_apps_tasks_or_keys(
        apps in cluster(),
        seed in any::<u64>(),
        options in options(),
    ) {
        let first = model(&document(&apps), &options);
        let second = model(&reordered_document(&apps, seed), &options);
        prop_assert_eq!(first.services, second.services);
        prop_assert_eq!(first.warnings, second.warnings);
    }

    #[test]
    fn building_twice_gives_the_same_model(apps in cluster(), options in options()) {
        let text = document(&apps);
        let first = model(&text, &options);
        let second = model(&text, &options);
        prop_assert_eq!(first.services, second.services);
        prop_assert_eq!(first.warnings, second.warnings);
    }

    #[test]
    fn any_value_of_any_label_builds_a_model(
        mut apps in cluster(),
        labels in prop::collection::vec((any_label(), label_value()), 1..5),
        options in options(),
    ) {
        with_labels(&mut apps, &labels);
        let built = model(&document(&apps), &options);

        // What the renderer relies on holds whatever the labels said.
        for service in &built.services {
            prop_assert!(!service.backends.is_empty(), "{service:?}");
        }
        let keys: Vec<_> = built.services.iter().map(|s| (&s.app_id, s.service_port)).collect();
        prop_assert!(keys.is_sorted(), "{keys:?}");
    }
}
