//! Any bytes as a Marathon apps document, through the decoder, the model
//! and the renderer: no panic, the same config twice, and (template labels
//! off) every line starting with a directive of the default templates.

#![no_main]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use haproxy_config::{RenderOptions, TEMPLATES, Templates, render};
use lb_model::{HealthMemory, IpLiteralResolver, Options, build};
use libfuzzer_sys::fuzz_target;
use marathon_client::wire::decode_apps;

fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(Templates::default)
}

fn directives() -> &'static BTreeSet<&'static str> {
    static WORDS: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        TEMPLATES
            .iter()
            .flat_map(|spec| spec.default.lines())
            .filter_map(|line| line.split_whitespace().next())
            .collect()
    })
}

/// Decodes, builds and renders `bytes`; `None` when the document as a
/// whole is refused.
fn config(bytes: &[u8], options: &Options) -> Option<String> {
    let decoded = decode_apps(bytes).ok()?;
    let model = build(
        decoded.apps,
        options,
        &IpLiteralResolver,
        &mut HealthMemory::default(),
    );
    let render_options = RenderOptions {
        groups: vec!["*".to_owned()],
        ..RenderOptions::default()
    };
    let rendered = render(&model.services, &render_options, templates())
        .expect("only global templates fail a render, and the defaults compile");
    Some(rendered.config)
}

fuzz_target!(|bytes: &[u8]| {
    let with_labels = config(bytes, &Options::default());
    assert_eq!(with_labels, config(bytes, &Options::default()));

    let options = Options {
        label_templates: false,
        ..Options::default()
    };
    if let Some(config) = config(bytes, &options) {
        for line in config.lines() {
            if let Some(word) = line.split_whitespace().next() {
                assert!(directives().contains(word), "line {line:?}");
            }
        }
    }
});
