//! `docs/labels.md` and `docs/templates.md`, generated from the tables the code reads.
//!
//! The label and template tables of `lb-model` and `haproxy-config` are the
//! only lists of names mlb has; these functions turn them into Markdown so
//! that the documentation cannot drift from them. A test in
//! `tests/it/docs.rs` compares the files on disk with this output.

use std::fmt::Write as _;

use haproxy_config::{TEMPLATES, TemplateSpec};
use lb_model::{APP_LABELS, LABELS, Label};

/// The command that rewrites both documents.
pub const REGENERATE: &str = "MLB_UPDATE_DOCS=1 cargo test -p mlb-cli --test it docs";

/// How template texts are chosen and written, one paragraph per entry;
/// both documents need it.
const OVERRIDES: &[&str] = &[
    "**Which text a template uses.** For each template, the first of these that exists \
     wins: the environment variable named after the template (`HAPROXY_<NAME>`, where \
     the two characters `\\n` stand for a newline), else the file \
     `<templates dir>/HAPROXY_<NAME>` (the directory is `--templates`, by default \
     `templates` in the working directory), else its default. A template marked per service port can also be \
     replaced for one service port only, by the label \
     `HAPROXY_{n}_<NAME without HAPROXY_>` (for `HAPROXY_BACKEND_HEAD`, the label \
     `HAPROXY_0_BACKEND_HEAD` on the first port); that label wins over the global text, \
     unless `--no-label-templates` has such labels ignored (with a warning per app). A \
     global override that does not compile stops the render with a message naming the \
     variable or the file; a label override that does not compile leaves out that one \
     service, with a warning naming the app and the label.",
    "**Syntax.** Templates are written as marathon-lb wrote them, so existing overrides \
     keep working: `{placeholder}` is replaced by its value, `{{` and `}}` are a literal \
     `{` and `}`, and a lone brace or a placeholder the template does not offer is an \
     error. A template that offers no placeholders is used exactly as written, braces \
     and all.",
    "`mlb-cli templates` prints the same catalogue of templates: names, scopes, \
     placeholders and default texts.",
];

/// Prose lines stay short enough to read in a terminal and in diffs.
const WIDTH: usize = 76;

/// Writing into a `String` cannot fail, so the `fmt::Result` is dropped.
fn line(out: &mut String, text: std::fmt::Arguments<'_>) {
    let _ = out.write_fmt(text);
    out.push('\n');
}

/// Appends `text` wrapped at [`WIDTH`] columns, then a blank line. Code
/// spans are never broken, and a word or span longer than the width gets a
/// line of its own.
fn paragraph(out: &mut String, text: &str) {
    let mut width = 0;
    for word in words(text) {
        let len = word.chars().count();
        if width > 0 && width + 1 + len > WIDTH {
            out.push('\n');
            width = 0;
        } else if width > 0 {
            out.push(' ');
            width += 1;
        }
        out.push_str(&word);
        width += len;
    }
    out.push_str("\n\n");
}

/// The words of `text`, a `code span` with spaces counting as one word.
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_code = false;
    for c in text.chars() {
        if c == '`' {
            in_code = !in_code;
        }
        if c.is_whitespace() && !in_code {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

fn header(out: &mut String, title: &str, source: &str) {
    line(out, format_args!("# {title}\n"));
    out.push_str("<!--\n");
    paragraph(
        out,
        &format!(
            "Generated from {source} by crates/mlb-cli/src/docs.rs: edit those, not this \
             file. Regenerate with `{REGENERATE}`."
        ),
    );
    out.truncate(out.len() - 1);
    out.push_str("-->\n\n");
}

/// A label name as users write it: `{n}` for the service port index.
fn display_name(label: &Label) -> String {
    label.name.replace("{0}", "{n}")
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The anchor of a template's section in templates.md.
fn anchor(template: &str) -> String {
    template.to_lowercase()
}

/// The label that replaces `spec` for one service port, if mlb reads one.
///
/// marathon-lb's catalogue marks a few templates per service port for
/// which no label replaces them: `HAPROXY_{n}_HTTP_BACKEND_REDIR` is the
/// redirect target, and three HTTPS auth templates have no label at all.
#[must_use]
pub fn override_label(spec: &TemplateSpec) -> Option<&'static Label> {
    LABELS
        .iter()
        .find(|label| label.template == Some(spec.name))
}

/// The Markdown of `docs/labels.md`.
#[must_use]
pub fn labels_md() -> String {
    let mut out = String::new();
    header(
        &mut out,
        "Labels",
        "`lb_model::LABELS` and `lb_model::APP_LABELS`",
    );
    paragraph(
        &mut out,
        "mlb is configured app by app through Marathon labels, under the names marathon-lb \
         reads, so apps move over without relabelling. This page lists every label mlb \
         knows, what value it accepts and, for a label that replaces a template for one \
         service port, which template.",
    );
    paragraph(
        &mut out,
        "**Numbering.** A label written `HAPROXY_{n}_<NAME>` applies to one service port of \
         the app: `n` is that port's index among the app's service ports, counting from 0, \
         so `HAPROXY_0_VHOST` names the virtual host of the first port and `HAPROXY_1_VHOST` \
         that of the second. A label without `{n}` applies to the whole app. The labels of \
         the first table are applied in its order, which is why an explicit \
         `HAPROXY_{n}_BACKEND_WEIGHT` wins over the weight `HAPROXY_{n}_PATH` implies. A \
         value mlb cannot read leaves out that one service, with a warning naming the app, \
         the label and the value; the rest of the config still renders.",
    );
    paragraph(
        &mut out,
        "**Safe values.** Label values end up in the load balancer of the whole cluster, so \
         each label below accepts only what its row says, and no value label may hold a \
         control character (a line break, a tab, NUL, ...) or be longer than 4096 bytes: a \
         value can never add a line of its own to the config. A refused value leaves out its \
         service (for a label of the whole app, the app), with one warning.",
    );
    for text in OVERRIDES {
        paragraph(&mut out, text);
    }

    let per_port = LABELS.iter().filter(|label| label.per_service_port());
    let (templates, values): (Vec<&Label>, Vec<&Label>) =
        per_port.partition(|label| label.template.is_some());

    out.push_str("## Labels of one service port\n\n");
    out.push_str("| Label | Accepts |\n|---|---|\n");
    for label in values {
        line(
            &mut out,
            format_args!("| `{}` | {} |", display_name(label), cell(label.accepts)),
        );
    }

    out.push_str("\n## Labels that replace a template for one service port\n\n");
    // The template labels all accept the same kind of text: said once, the
    // table stays readable. Should one ever differ, each row says its own.
    let shared = templates
        .first()
        .map(|first| first.accepts)
        .filter(|accepts| templates.iter().all(|label| label.accepts == *accepts));
    if let Some(accepts) = shared {
        paragraph(&mut out, &format!("Each of these labels takes {accepts}."));
        out.push_str("| Label | Replaces template |\n|---|---|\n");
    } else {
        out.push_str("| Label | Replaces template | Accepts |\n|---|---|---|\n");
    }
    for label in templates {
        let name = label.template.unwrap_or_default();
        let accepts = if shared.is_some() {
            String::new()
        } else {
            format!(" {} |", cell(label.accepts))
        };
        line(
            &mut out,
            format_args!(
                "| `{}` | [`{name}`](templates.md#{}) |{accepts}",
                display_name(label),
                anchor(name),
            ),
        );
    }

    out.push_str("\n## Labels of the whole app\n\n");
    out.push_str("| Label | Accepts |\n|---|---|\n");
    let app_wide = LABELS.iter().filter(|label| !label.per_service_port());
    for label in app_wide.chain(APP_LABELS) {
        line(
            &mut out,
            format_args!("| `{}` | {} |", display_name(label), cell(label.accepts)),
        );
    }
    out
}

/// The Markdown of `docs/templates.md`.
#[must_use]
pub fn templates_md() -> String {
    let mut out = String::new();
    header(&mut out, "Templates", "`haproxy_config::TEMPLATES`");
    paragraph(
        &mut out,
        &format!(
            "mlb writes the HAProxy config from {count} templates, under marathon-lb's names, \
             placeholders and, except for the {changed} marked below, default texts. This \
             page gives, for each template, whether it applies to the whole config or can also \
             be replaced for one service port, the placeholders it offers and its default \
             text.",
            count = TEMPLATES.len(),
            changed = TEMPLATES.iter().filter(|t| t.replaces.is_some()).count(),
        ),
    );
    paragraph(
        &mut out,
        "Per-port labels are numbered by service port: in `HAPROXY_{n}_<NAME>`, `n` is the \
         index of the port among the app's service ports, counting from 0; \
         [labels.md](labels.md) lists every label.",
    );
    for text in OVERRIDES {
        paragraph(&mut out, text);
    }

    out.push_str("## Summary\n\n| Template | Scope | Placeholders |\n|---|---|---|\n");
    for spec in TEMPLATES {
        let placeholders = if spec.placeholders.is_empty() {
            "none".to_owned()
        } else {
            placeholder_list(spec)
        };
        let scope = override_label(spec).map_or("global".to_owned(), |label| {
            format!("global, or `{}`", display_name(label))
        });
        line(
            &mut out,
            format_args!(
                "| [`{}`](#{}) | {scope} | {placeholders} |",
                spec.name,
                anchor(spec.name),
            ),
        );
    }

    for spec in TEMPLATES {
        section(&mut out, spec);
    }
    out
}

fn placeholder_list(spec: &TemplateSpec) -> String {
    spec.placeholders
        .iter()
        .map(|p| format!("`{{{p}}}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn section(out: &mut String, spec: &TemplateSpec) {
    line(out, format_args!("\n## {}\n", spec.name));
    let scope = match override_label(spec) {
        Some(label) => format!(
            "Scope: global, or one service port with the label `{}`.",
            display_name(label)
        ),
        None if spec.per_service_port => {
            let name = format!("HAPROXY_{{0}}_{}", spec.name.trim_start_matches("HAPROXY_"));
            let taken =
                LABELS
                    .iter()
                    .find(|label| label.name == name)
                    .map_or(String::new(), |label| {
                        format!(
                            " (`{}` is a label of its own, see [labels.md](labels.md))",
                            display_name(label)
                        )
                    });
            format!(
                "Scope: global only. marathon-lb's catalogue marks it per service port, but no \
                 label replaces it{taken}."
            )
        }
        None => "Scope: global only.".to_owned(),
    };
    paragraph(out, &scope);
    if spec.placeholders.is_empty() {
        paragraph(
            out,
            "Placeholders: none; the text is used exactly as written.",
        );
    } else {
        paragraph(out, &format!("Placeholders: {}.", placeholder_list(spec)));
    }
    out.push_str("Default:\n\n");
    block(out, spec.default);
    if let Some((theirs, why)) = spec.replaces {
        out.push('\n');
        paragraph(
            out,
            &format!("This default differs from marathon-lb's, because {why}. marathon-lb's:"),
        );
        block(out, theirs);
    }
}

/// A fenced block holding `text` exactly: a leading newline shows as an
/// empty first line, and an empty text says so, since templates are
/// concatenated and their line breaks matter.
fn block(out: &mut String, text: &str) {
    if text.is_empty() {
        out.push_str("(empty)\n");
        return;
    }
    // A fence longer than any run of backticks in the text cannot close early.
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    line(out, format_args!("{fence}text"));
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    line(out, format_args!("{fence}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_md_lists_every_label_once_with_n_for_the_port_index() {
        let md = labels_md();
        for label in LABELS.iter().chain(APP_LABELS) {
            let row = format!("| `{}` |", display_name(label));
            assert_eq!(md.matches(&row).count(), 1, "{row}");
        }
        assert!(!md.contains("{0}"));
    }

    #[test]
    fn template_labels_link_to_their_template_section() {
        let md = labels_md();
        assert!(md.contains(
            "| `HAPROXY_{n}_BACKEND_HEAD` | \
             [`HAPROXY_BACKEND_HEAD`](templates.md#haproxy_backend_head) |"
        ));
    }

    #[test]
    fn templates_md_gives_every_template_a_section_with_its_placeholders() {
        let md = templates_md();
        for spec in TEMPLATES {
            let heading = format!("\n## {}\n", spec.name);
            assert_eq!(md.matches(&heading).count(), 1, "{}", spec.name);
            for placeholder in spec.placeholders {
                assert!(
                    md.contains(&format!("`{{{placeholder}}}`")),
                    "{placeholder}"
                );
            }
        }
    }

    #[test]
    fn changed_defaults_show_marathon_lbs_text_and_the_reason() {
        let md = templates_md();
        let changed: Vec<_> = TEMPLATES.iter().filter(|t| t.replaces.is_some()).collect();
        assert_eq!(changed.len(), 4);
        for spec in changed {
            let (theirs, why) = spec.replaces.unwrap_or_default();
            assert!(md.contains(theirs), "{}", spec.name);
            assert!(flat(&md).contains(why), "{}", spec.name);
        }
        assert_eq!(flat(&md).matches("differs from marathon-lb's").count(), 4);
    }

    #[test]
    fn templates_without_a_replacing_label_are_documented_as_global() {
        let md = templates_md();
        let redir = flat(spec_section(&md, "HAPROXY_HTTP_BACKEND_REDIR"));
        assert!(redir.contains("Scope: global only."), "{redir}");
        assert!(redir.contains("`HAPROXY_{n}_HTTP_BACKEND_REDIR` is a label of its own"));
        let backend_head = flat(spec_section(&md, "HAPROXY_BACKEND_HEAD"));
        assert!(backend_head.contains("with the label `HAPROXY_{n}_BACKEND_HEAD`"));
    }

    /// Prose with its line breaks undone, for looking up sentences.
    fn flat(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn spec_section<'a>(md: &'a str, name: &str) -> &'a str {
        md.split("\n## ")
            .find(|section| section.starts_with(&format!("{name}\n")))
            .unwrap_or_default()
    }

    #[test]
    fn paragraphs_wrap_between_words_at_the_width() {
        let mut out = String::new();
        let words = ["word"; 30].join(" ");
        paragraph(&mut out, &words);
        assert!(out.lines().all(|line| line.len() <= WIDTH), "{out}");
        assert_eq!(out.split_whitespace().count(), 30);
        assert!(out.ends_with("word\n\n"));

        let mut out = String::new();
        let code = format!("{} `a code span with spaces` end", ["w"; 35].join(" "));
        paragraph(&mut out, &code);
        assert!(out.contains("\n`a code span with spaces` end\n"), "{out}");
    }

    #[test]
    fn blocks_keep_leading_newlines_and_outlast_backticks_in_the_text() {
        let mut out = String::new();
        block(&mut out, "\nbackend {backend}\n");
        assert_eq!(out, "```text\n\nbackend {backend}\n```\n");

        let mut out = String::new();
        block(&mut out, "a ```` b");
        assert_eq!(out, "`````text\na ```` b\n`````\n");

        let mut out = String::new();
        block(&mut out, "");
        assert_eq!(out, "(empty)\n");
    }
}
