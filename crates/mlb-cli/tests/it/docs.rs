//! The generated documents on disk match what their generators write now.

use std::path::PathBuf;

use mlb_cli::docs::{REGENERATE, labels_md, templates_md};

/// Compares `docs/<name>` with `generated`; with `MLB_UPDATE_DOCS` set,
/// writes it instead, so that a changed table is one command away from
/// its documentation.
fn check(name: &str, generated: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(name);
    if std::env::var_os("MLB_UPDATE_DOCS").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/{name} is not what crates/mlb-cli/src/docs.rs generates from the code's tables; \
         regenerate it with `{REGENERATE}` and commit the result"
    );
}

#[test]
fn labels_md_is_generated_from_the_label_tables() {
    check("labels.md", &labels_md());
}

#[test]
fn templates_md_is_generated_from_the_template_catalogue() {
    check("templates.md", &templates_md());
}
