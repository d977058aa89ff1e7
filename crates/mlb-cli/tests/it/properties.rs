//! Properties of the whole render path on random clusters: the bytes never
//! depend on input order, any label value is survived, output is repeatable.

use std::sync::OnceLock;

use haproxy_config::Templates;
use lb_model::{HealthMemory, IpLiteralResolver};
use marathon_client::wire::decode_apps;
use mlb_cli::render::{Outcome, RenderFlags, render_apps};
use proptest::prelude::*;

// The model's tests generate the same clusters; one generator keeps the two
// levels checking the same kinds of input.
#[path = "../../../lb-model/tests/it/cluster.rs"]
mod cluster;

use cluster::{any_label, cluster, config, document, label_value, reordered_document, with_labels};

/// The default templates, compiled once: they are the same for every case.
fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(Templates::default)
}

/// Flags of a load balancer that takes every group, in each of the modes
/// that change how services share frontends and map files. They are parsed
/// as the binary parses them, so every other flag keeps its default.
fn flags() -> impl Strategy<Value = RenderFlags> {
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        flags: RenderFlags,
    }

    let switches = [
        "--haproxy-map",
        "--group-https-by-vhost",
        "--strict-mode",
        "--health-check",
        "--no-label-templates",
    ];
    prop::sample::subsequence(switches.to_vec(), 0..=switches.len()).prop_map(|on| {
        let mut args = vec![
            "mlb-cli",
            "--group",
            "*",
            "--ssl-certs",
            "/etc/ssl/a.pem,/etc/ssl/b.pem",
        ];
        args.extend(on);
        <Cli as clap::Parser>::parse_from(args).flags
    })
}

/// Renders a document that must decode whole, with a fresh health memory.
fn render(document: &str, flags: &RenderFlags) -> Outcome {
    let decoded = decode_apps(document.as_bytes()).unwrap();
    assert_eq!(decoded.rejected, [], "{document}");
    render_apps(
        decoded.apps,
        flags,
        templates(),
        &IpLiteralResolver,
        &mut HealthMemory::default(),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rendered_bytes_do_not_depend_on_the_order_of_apps_tasks_or_keys(
        apps in cluster(),
        seed in any::<u64>(),
        flags in flags(),
    ) {
        let first = render(&document(&apps), &flags);
        let second = render(&reordered_document(&apps, seed), &flags);
        prop_assert_eq!(first.rendered, second.rendered);
        prop_assert_eq!(first.model_warnings, second.model_warnings);
    }

    #[test]
    fn rendering_twice_gives_the_same_bytes(apps in cluster(), flags in flags()) {
        let text = document(&apps);
        let first = render(&text, &flags);
        let second = render(&text, &flags);
        prop_assert_eq!(first.rendered, second.rendered);
        prop_assert_eq!(first.model_warnings, second.model_warnings);
    }

    #[test]
    fn any_value_of_any_label_renders_the_cluster(
        mut apps in cluster(),
        labels in prop::collection::vec((any_label(), label_value()), 1..5),
        flags in flags(),
    ) {
        with_labels(&mut apps, &labels);

        // `render` itself asserts that the render succeeds: a label value
        // may cost its service, never the whole config.
        let outcome = render(&document(&apps), &flags);
        prop_assert!(outcome.rendered.config.starts_with("global\n"));
    }
}
