//! Hostile input through the real binary: the documents of
//! `fixtures/hostile/` never make mlb panic, never add a line of their own
//! to the config, and leave out only what is at fault.
//!
//! Each case directory holds `apps.json` (the document), optionally `args`
//! (extra flags) and `env` (`NAME=<JSON string>` lines), and `expected.txt`:
//! the exit code, then one line per line mlb prints on standard error,
//! each of which must contain the expected text. The config, from its
//! first `userlist` or `frontend` on, is an insta snapshot. Set
//! `MLB_UPDATE_HOSTILE=1` to rewrite `expected.txt` from what mlb prints.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use haproxy_config::TEMPLATES;

use crate::apply::{TempDir, require_haproxy};

/// What one run of the binary gave.
struct Run {
    code: Option<i32>,
    config: String,
    stderr: String,
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/hostile")
}

/// Renders `dir/apps.json` from `dir` (so that a `templates/` there is the
/// templates directory, and messages name the document `apps.json`) with
/// a clean environment plus `env`.
fn render(dir: &Path, args: &[String], env: &[(String, String)]) -> Run {
    let cert = fixtures().join("cert.pem");
    let out = Command::new(env!("CARGO_BIN_EXE_mlb-cli"))
        .arg("render")
        .args(["--from", "apps.json"])
        .arg("--ssl-certs")
        .arg(&cert)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        config: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The first word of every line of the default templates: the only words
/// a config line may start with when no template override is in play.
fn directives() -> BTreeSet<String> {
    TEMPLATES
        .iter()
        .flat_map(|spec| spec.default.lines())
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// Asserts what holds for every run, whatever the input.
fn assert_sound(case: &str, run: &Run) {
    assert!(
        !run.stderr.contains("panicked"),
        "{case}: mlb panicked:\n{}",
        run.stderr
    );
    assert!(
        !run.config.contains("INJECTED"),
        "{case}: an injected text reached the config:\n{}",
        run.config
    );
    let known = directives();
    for line in run.config.lines() {
        let Some(word) = line.split_whitespace().next() else {
            continue;
        };
        assert!(
            known.contains(word),
            "{case}: line {line:?} starts with no directive of the templates"
        );
    }
}

/// `haproxy -c` accepts the config: what was left in still works.
fn assert_haproxy_accepts(case: &str, config: &str) {
    require_haproxy();
    let dir = TempDir::new();
    let path = dir.path().join("haproxy.cfg");
    std::fs::write(&path, config).unwrap();
    let out = Command::new("haproxy")
        .arg("-c")
        .arg("-f")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{case}: haproxy -c refused the config:\n{}\n{config}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The config from the first userlist or frontend on (the head is the same
/// for every case and belongs to other snapshots), with the certificate's
/// path, which depends on the checkout, as `cert.pem`.
fn body(config: &str) -> String {
    let start = config
        .match_indices('\n')
        .map(|(at, _)| at + 1)
        .find(|at| config[*at..].starts_with("userlist ") || config[*at..].starts_with("frontend "))
        .unwrap_or(config.len());
    let cert = fixtures().join("cert.pem");
    config[start..].replace(&*cert.to_string_lossy(), "cert.pem")
}

fn read_env(dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(dir.join("env")) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| (name.to_owned(), serde_json::from_str(value).unwrap()))
        .collect()
}

/// Runs case `name` and checks it against its expectations.
fn check(name: &str) {
    let dir = fixtures().join(name);
    let args: Vec<String> = std::fs::read_to_string(dir.join("args"))
        .map(|text| text.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let run = render(&dir, &args, &read_env(&dir));
    assert_sound(name, &run);

    let printed: Vec<&str> = run.stderr.lines().collect();
    let expected_path = dir.join("expected.txt");
    if std::env::var_os("MLB_UPDATE_HOSTILE").is_some() {
        let mut text = format!("exit {}\n", run.code.unwrap_or(-1));
        for line in &printed {
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(&expected_path, text).unwrap();
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap();
    let mut lines = expected.lines();
    let code: i32 = lines
        .next()
        .and_then(|line| line.strip_prefix("exit "))
        .and_then(|code| code.parse().ok())
        .unwrap();
    assert_eq!(
        run.code,
        Some(code),
        "{name}: exit code; stderr:\n{}",
        run.stderr
    );
    let fragments: Vec<&str> = lines.collect();
    assert_eq!(
        printed.len(),
        fragments.len(),
        "{name}: expected these messages:\n{}\ngot:\n{}",
        fragments.join("\n"),
        run.stderr
    );
    for (line, fragment) in printed.iter().zip(&fragments) {
        assert!(
            line.contains(fragment),
            "{name}: {line:?} lacks {fragment:?}"
        );
    }

    if code == 0 {
        assert_haproxy_accepts(name, &run.config);
        insta::assert_snapshot!(format!("hostile_{name}"), body(&run.config));
    } else {
        assert_eq!(run.config, "", "{name}: a failed run printed a config");
    }
}

#[test]
fn vhost_with_a_newline_leaves_out_its_service_only() {
    check("vhost-newline");
}

#[test]
fn vhost_with_crlf_or_spaces_is_refused() {
    check("vhost-crlf-and-space");
}

#[test]
fn path_with_a_newline_is_refused() {
    check("path-newline");
}

#[test]
fn path_takes_path_beg_flags_but_no_file_flag_or_quote() {
    check("path-flags-and-quotes");
}

#[test]
fn bind_options_are_known_keywords_on_one_line() {
    check("bind-options-newline");
}

#[test]
fn bind_address_must_be_an_address() {
    check("bind-addr-injection");
}

#[test]
fn auth_realm_with_a_newline_is_refused() {
    check("auth-realm-newline");
}

#[test]
fn auth_realm_cannot_close_its_quotes_or_read_the_environment() {
    check("auth-realm-quote-and-env");
}

#[test]
fn nul_in_a_value_is_refused() {
    check("nul-in-value");
}

#[test]
fn ten_thousand_character_label_is_refused_and_shown_shortened() {
    check("ten-thousand-character-label");
}

#[test]
fn port_label_out_of_range_is_refused() {
    check("port-out-of-range");
}

#[test]
fn port_label_cannot_take_the_load_balancers_or_another_apps_port() {
    check("port-claims");
}

#[test]
fn weight_out_of_range_is_refused() {
    check("weight-out-of-range");
}

#[test]
fn mode_other_than_http_or_tcp_is_refused() {
    check("mode-bogus");
}

#[test]
fn balance_must_be_an_haproxy_algorithm() {
    check("balance-newline");
}

#[test]
fn network_acl_takes_addresses_and_networks_only() {
    check("network-acl-bad");
}

#[test]
fn ssl_cert_with_a_newline_or_comment_is_refused() {
    check("ssl-cert-newline");
}

#[test]
fn http_backend_paths_cannot_use_log_formats_or_regex_syntax() {
    check("http-backend-paths");
}

#[test]
fn healthcheck_port_index_must_name_a_port_of_the_app() {
    check("healthcheck-port-index-out-of-range");
}

#[test]
fn template_label_with_an_unknown_placeholder_names_app_and_label() {
    check("template-unknown-placeholder");
}

#[test]
fn template_label_with_unbalanced_braces_names_app_and_label() {
    check("template-unbalanced-braces");
}

#[test]
fn template_label_with_nul_is_refused() {
    check("template-with-nul");
}

#[test]
fn no_label_templates_ignores_template_labels_with_one_warning_per_app() {
    check("no-label-templates");
}

#[test]
fn broken_global_override_variable_stops_the_render_naming_it() {
    check("global-override-bad-variable");
}

#[test]
fn broken_global_override_file_stops_the_render_naming_it() {
    check("global-override-bad-file");
}

#[test]
fn apps_whose_acl_names_sanitize_alike_are_both_left_out() {
    check("acl-name-clash");
}

#[test]
fn duplicate_app_ids_leave_out_every_copy() {
    check("duplicate-ids");
}

#[test]
fn deployment_group_cannot_take_another_apps_id() {
    check("group-takes-another-apps-id");
}

#[test]
fn app_ids_outside_marathons_characters_are_refused() {
    check("bad-app-ids");
}

#[test]
fn app_wide_labels_with_control_characters_leave_out_the_app() {
    check("deployment-group-bad");
}

#[test]
fn tasks_with_unsafe_hosts_ids_or_addresses_are_left_out_alone() {
    check("task-host-and-address");
}

#[test]
fn servers_that_would_share_a_name_leave_out_their_backend() {
    check("duplicate-server-names");
}

#[test]
fn health_checks_out_of_haproxys_ranges_leave_out_the_app() {
    check("healthcheck-fields");
}

#[test]
fn non_ascii_values_are_refused_where_haproxy_needs_ascii() {
    check("unicode-values");
}

#[test]
fn braces_and_percent_signs_in_values_stay_text() {
    check("braces-and-percent");
}

#[test]
fn truncated_json_is_an_error_with_its_position() {
    check("truncated-json");
}

#[test]
fn html_instead_of_json_is_an_error() {
    check("not-json");
}

#[test]
fn empty_document_is_an_error() {
    check("empty-document");
}

#[test]
fn null_apps_list_is_an_error() {
    check("apps-null");
}

#[test]
fn apps_with_wrong_types_are_left_out_alone() {
    check("wrong-types");
}

#[test]
fn nulls_everywhere_are_defaults_or_a_clean_skip() {
    check("null-everywhere");
}

#[test]
fn huge_numbers_are_refused_without_overflow() {
    check("huge-numbers");
}

#[test]
fn deep_nesting_is_skipped_or_refused_without_a_stack_overflow() {
    check("deep-nesting");
}

#[test]
fn duplicate_json_keys_reject_the_app_or_keep_the_last_label() {
    check("duplicate-keys");
}

/// 100 MB of brackets, in an unknown field (skipped without recursion) and
/// in a label (refused at its first bracket): no stack overflow, and the
/// rest renders.
#[test]
fn a_hundred_megabytes_of_nesting_is_survived() {
    let depth = 25_000_000;
    let mut document = String::with_capacity(4 * depth + 200);
    document.push_str(r#"{"apps": [{"id": "/deep", "x": "#);
    document.extend(std::iter::repeat_n('[', depth));
    document.extend(std::iter::repeat_n(']', depth));
    document.push_str(r#"}, {"id": "/deep-labels", "labels": {"a": "#);
    document.extend(std::iter::repeat_n('[', depth));
    document.extend(std::iter::repeat_n(']', depth));
    document.push_str("}}]}");
    let dir = TempDir::new();
    std::fs::write(dir.path().join("apps.json"), document).unwrap();

    let run = render(dir.path(), &[], &[]);
    assert_sound("deep", &run);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // The second app starts after the first one's 31 characters of text
    // around its brackets, and its label's bracket is 38 characters in.
    let column = 2 * depth + 73;
    assert_eq!(
        run.stderr.lines().collect::<Vec<_>>(),
        [format!(
            "warning: app /deep-labels left out: invalid type: sequence, expected a string at line 1, column {column}"
        )]
    );
}

/// The renderer is a library too: a service built by other code, which
/// the model never checked, still cannot write a line of its own.
#[test]
fn renderer_refuses_a_line_break_in_a_hand_built_service() {
    let mut service = lb_model::Service::default_for("/web", 10000);
    service.app_groups = vec!["external".to_owned()];
    service.bind_addr = "*:81\n  server INJECTED 6.6.6.6:80\n".to_owned();
    service.backends.push(lb_model::Backend {
        host: "10.0.0.1".to_owned(),
        ip: "10.0.0.1".to_owned(),
        port: 31000,
        draining: false,
    });
    let rendered = haproxy_config::render(
        &[service],
        &haproxy_config::RenderOptions::default(),
        &haproxy_config::Templates::default(),
    )
    .unwrap();
    assert!(!rendered.config.contains("INJECTED"), "{}", rendered.config);
    let reasons: Vec<String> = rendered.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        reasons,
        [
            "app /web, service port 10000: default HAPROXY_FRONTEND_HEAD: the value of \
             {bindAddr} has control character '\\n' at byte 4"
        ]
    );
}
