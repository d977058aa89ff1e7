//! The `mlb-cli` binary as operators run it: documents in, config and
//! messages out, exit codes.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use haproxy_config::TEMPLATES;

use crate::apply::TempDir;

/// What one run of the binary printed and returned.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `mlb-cli` in `dir` with only the environment in `env`, so that no
/// `HAPROXY_*` or `FRAMEWORK_NAME` variable of the caller changes the
/// result, and feeds it `stdin`.
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlb-cli"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Renders `document`, written to `apps.json` in a fresh directory.
fn render(document: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = TempDir::new();
    std::fs::write(dir.path().join("apps.json"), document).unwrap();
    let mut args = vec!["render", "--from", "apps.json"];
    args.extend(extra);
    run(dir.path(), &args, env, "")
}

/// One app of the external group with one task on port `port`, and extra
/// labels, as JSON.
fn app(id: &str, port: u16, labels: &[(&str, &str)]) -> String {
    let mut all = vec![("HAPROXY_GROUP", "external")];
    all.extend(labels);
    let labels: Vec<String> = all
        .iter()
        .map(|(k, v)| format!("{}: {}", json(k), json(v)))
        .collect();
    format!(
        r#"{{"id": {id}, "labels": {{{labels}}}, "portDefinitions": [{{"port": {port}}}],
           "tasks": [{{"id": "{task}.1", "host": "10.0.0.1", "ports": [{task_port}],
                       "state": "TASK_RUNNING"}}]}}"#,
        id = json(id),
        labels = labels.join(", "),
        task = id.trim_start_matches('/'),
        task_port = u32::from(port) + 21000,
    )
}

fn json(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

fn apps(apps: &[String]) -> String {
    format!("{{\"apps\": [\n{}\n]}}\n", apps.join(",\n"))
}

fn assert_success(run: &Run) {
    assert_eq!(run.code, Some(0), "{run:#?}");
}

fn assert_failure(run: &Run) {
    assert_ne!(run.code, Some(0), "{run:#?}");
}

#[test]
fn invalid_json_fails_naming_the_file_line_and_column() {
    let run = render("{\"apps\": [\n  {\"id\": \"/a\",\n   \"x\": ]}\n", &[], &[]);
    assert_failure(&run);
    assert!(run.stderr.contains("apps.json:3:9:"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn a_bad_label_value_leaves_out_its_service_and_names_app_label_and_value() {
    // (app, label, value, what the warning must also say)
    let bad: &[(&str, &str, &str, &str)] = &[
        ("/port", "HAPROXY_0_PORT", "eighty", "\"eighty\""),
        ("/auth", "HAPROXY_0_AUTH", "realm:user", "\"realm:user\""),
        ("/weight", "HAPROXY_0_BACKEND_WEIGHT", "heavy", "\"heavy\""),
        (
            "/hcindex",
            "HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX",
            "one",
            "\"one\"",
        ),
        (
            "/placeholder",
            "HAPROXY_0_BACKEND_HEAD",
            "backend {nope}\n",
            "{nope}",
        ),
        (
            "/brace",
            "HAPROXY_0_FRONTEND_HEAD",
            "frontend {backend\n",
            "never closed",
        ),
    ];
    let mut all = vec![app("/good", 10000, &[])];
    for (i, (id, label, value, _)) in bad.iter().enumerate() {
        all.push(app(
            id,
            10001 + u16::try_from(i).unwrap(),
            &[(label, value)],
        ));
    }

    let run = render(&apps(&all), &[], &[]);

    assert_success(&run);
    assert!(
        run.stdout.contains("\nbackend good_10000\n"),
        "{}",
        run.stdout
    );
    for (id, label, _, detail) in bad {
        let name = id.trim_start_matches('/');
        assert!(!run.stdout.contains(&format!("backend {name}_")), "{id}");
        let warned = run.stderr.lines().any(|line| {
            line.starts_with("warning: ")
                && line.contains(&format!("app {id}"))
                && line.contains(label)
                && line.contains(detail)
        });
        assert!(
            warned,
            "no warning naming {id}, {label} and {detail}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn an_app_of_the_wrong_shape_is_left_out_and_named() {
    let wrong = r#"{"id": "/shape", "instances": "x"}"#.to_owned();
    let run = render(&apps(&[app("/good", 10000, &[]), wrong]), &[], &[]);

    assert_success(&run);
    assert!(run.stdout.contains("\nbackend good_10000\n"));
    assert!(
        run.stderr.contains("warning: app /shape left out"),
        "{}",
        run.stderr
    );
}

#[test]
fn dash_reads_standard_input_and_a_bare_array_reads_like_an_apps_document() {
    let one = app("/web", 10000, &[("HAPROXY_0_VHOST", "web.example.com")]);
    let from_file = render(&apps(std::slice::from_ref(&one)), &[], &[]);

    let dir = TempDir::new();
    let from_stdin = run(
        dir.path(),
        &["render", "--from", "-"],
        &[],
        &format!("[{one}]"),
    );

    assert_success(&from_stdin);
    assert!(from_stdin.stdout.contains("\nbackend web_10000\n"));
    assert_eq!(from_stdin.stdout, from_file.stdout);
}

/// A path that names a pipe, as `--from /dev/stdin` or a shell's
/// `<(...)` do, is read as it comes, like any file.
#[test]
fn a_pipe_named_as_a_file_is_read_as_it_comes() {
    let one = app("/web", 10000, &[]);
    let dir = TempDir::new();
    let from_pipe = run(
        dir.path(),
        &["render", "--from", "/dev/stdin"],
        &[],
        &apps(std::slice::from_ref(&one)),
    );
    assert_success(&from_pipe);
    assert!(from_pipe.stdout.contains("\nbackend web_10000\n"));
}

/// A file is decoded on one thread while the model is built on another,
/// standard input read whole and built afterwards: both must give the same
/// config and the same warnings, for a document of many batches of apps
/// in no id order, with what the model can only settle at the end (an id
/// given twice, far apart; a blue/green pair; an IP-per-task app whose
/// service port is made up).
#[test]
fn a_file_renders_as_standard_input_does_whatever_waits_for_the_whole_cluster() {
    let mut all: Vec<String> = (0..300)
        .rev()
        .map(|n| app(&format!("/team{}/app{n:03}", n % 7), 10_000 + n, &[]))
        .collect();
    all[5] = app("/twice", 12_000, &[]);
    all[250] = app("/twice", 12_001, &[]);
    let colours = [
        (10, "blue", "2026-01-01T00:00:00Z", "10.0.0.1"),
        (200, "green", "2026-02-01T00:00:00Z", "10.0.0.2"),
    ];
    for (at, colour, started, host) in colours {
        let labels = [
            ("HAPROXY_DEPLOYMENT_GROUP", "shop"),
            ("HAPROXY_DEPLOYMENT_ALT_PORT", "13001"),
            ("HAPROXY_DEPLOYMENT_STARTED_AT", started),
        ];
        all[at] = app(&format!("/shop-{colour}"), 13_000, &labels).replace("10.0.0.1", host);
    }
    all[150] = r#"{"id": "/overlay", "labels": {"HAPROXY_GROUP": "external"},
        "ipAddress": {"networkName": "dcos", "discovery": {"ports": [{"number": 8080}]}},
        "tasks": [{"id": "overlay.1", "host": "10.0.0.3", "ports": [],
                   "ipAddresses": [{"ipAddress": "9.0.0.3"}],
                   "state": "TASK_RUNNING"}]}"#
        .to_owned();
    let document = apps(&all);

    let from_file = render(&document, &[], &[]);
    let dir = TempDir::new();
    let from_stdin = run(dir.path(), &["render", "--from", "-"], &[], &document);

    assert_success(&from_file);
    assert_eq!(from_file.stdout, from_stdin.stdout);
    assert_eq!(from_file.stderr, from_stdin.stderr);
    assert!(
        from_file.stderr.contains("app /twice: 2 apps have this id"),
        "{}",
        from_file.stderr
    );
    let shop = from_file
        .stdout
        .split("\nbackend shop_13000\n")
        .nth(1)
        .unwrap();
    assert!(
        shop.contains("server 10_0_0_2_34000 10.0.0.2:34000"),
        "{shop}"
    );
    // Its service port is made up, from the range 10050 to 10100.
    assert!(from_file.stdout.contains("\nbackend overlay_10068\n"));
    assert!(from_file.stdout.contains("\nbackend team3_app297_10297\n"));
    // 295 apps of the teams, the group, the overlay app and mlb's own.
    assert_eq!(from_file.stdout.matches("\nbackend ").count(), 298);
}

#[test]
fn haproxy_map_without_output_fails_and_says_to_give_output() {
    let run = render(&apps(&[app("/web", 10000, &[])]), &["--haproxy-map"], &[]);
    assert_failure(&run);
    assert!(run.stderr.contains("--output"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn haproxy_map_writes_both_map_files_beside_the_output() {
    let dir = TempDir::new();
    let document = apps(&[app(
        "/web",
        10000,
        &[("HAPROXY_0_VHOST", "web.example.com")],
    )]);
    std::fs::write(dir.path().join("apps.json"), document).unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();

    let run = run(
        dir.path(),
        &[
            "render",
            "--from",
            "apps.json",
            "--haproxy-map",
            "--output",
            "out/haproxy.cfg",
        ],
        &[],
        "",
    );

    assert_success(&run);
    let read = |name: &str| std::fs::read_to_string(dir.path().join("out").join(name)).unwrap();
    assert!(read("haproxy.cfg").contains("\nbackend web_10000\n"));
    assert_eq!(read("domain2backend.map"), "web.example.com web_10000\n");
    assert_eq!(read("app2backend.map"), "/web web_10000\n");
}

#[test]
fn a_global_override_comes_from_the_environment_with_backslash_n_escapes() {
    let head =
        r"\nbackend {backend}\n  # from the environment\n  balance {balance}\n  mode {mode}\n";
    let run = render(
        &apps(&[app("/web", 10000, &[])]),
        &[],
        &[("HAPROXY_BACKEND_HEAD", head)],
    );
    assert_success(&run);
    assert!(
        run.stdout
            .contains("\nbackend web_10000\n  # from the environment\n  balance roundrobin\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_global_override_comes_from_the_templates_directory() {
    let dir = TempDir::new();
    std::fs::write(
        dir.path().join("apps.json"),
        apps(&[app("/web", 10000, &[])]),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("mine")).unwrap();
    std::fs::write(
        dir.path().join("mine/HAPROXY_BACKEND_HEAD"),
        "\nbackend {backend}\n  # from a file\n  balance {balance}\n  mode {mode}\n",
    )
    .unwrap();

    let run = run(
        dir.path(),
        &["render", "--from", "apps.json", "--templates", "mine"],
        &[],
        "",
    );

    assert_success(&run);
    assert!(
        run.stdout
            .contains("\nbackend web_10000\n  # from a file\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_broken_global_override_fails_naming_the_variable() {
    let run = render(
        &apps(&[app("/web", 10000, &[])]),
        &[],
        &[("HAPROXY_BACKEND_HEAD", "backend {oops}")],
    );
    assert_failure(&run);
    assert!(
        run.stderr
            .contains("environment variable HAPROXY_BACKEND_HEAD: unknown placeholder {oops}"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn a_broken_global_override_fails_naming_the_file() {
    let dir = TempDir::new();
    std::fs::write(
        dir.path().join("apps.json"),
        apps(&[app("/web", 10000, &[])]),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("mine")).unwrap();
    std::fs::write(dir.path().join("mine/HAPROXY_FRONTEND_HEAD"), "frontend {").unwrap();

    let run = run(
        dir.path(),
        &["render", "--from", "apps.json", "--templates", "mine"],
        &[],
        "",
    );

    assert_failure(&run);
    let file = Path::new("mine").join("HAPROXY_FRONTEND_HEAD");
    assert!(
        run.stderr.contains(&format!("file {}:", file.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn templates_lists_all_53_templates_with_their_placeholders() {
    let dir = TempDir::new();
    let run = run(dir.path(), &["templates"], &[], "");

    assert_success(&run);
    let names: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.starts_with("HAPROXY_"))
        .collect();
    assert_eq!(names.len(), 53);
    assert_eq!(names.len(), TEMPLATES.len());
    for spec in TEMPLATES {
        let entry = template_entry(&run.stdout, spec.name);
        let listed = entry
            .lines()
            .find_map(|line| line.strip_prefix("  placeholders: "))
            .unwrap_or_else(|| panic!("{} has no placeholders line", spec.name));
        if spec.placeholders.is_empty() {
            assert!(!listed.contains('{'), "{}: {listed}", spec.name);
        } else {
            let expected: Vec<String> = spec
                .placeholders
                .iter()
                .map(|p| format!("{{{p}}}"))
                .collect();
            assert_eq!(listed, expected.join(" "), "{}", spec.name);
        }
    }
}

/// The entry of template `name` in the output of `mlb-cli templates`.
fn template_entry<'a>(listing: &'a str, name: &str) -> &'a str {
    listing
        .split("\n\n")
        .find(|entry| entry.trim_start().starts_with(&format!("{name}\n")))
        .unwrap_or_else(|| panic!("{name} is not listed"))
}

#[test]
fn templates_name_a_replacing_label_only_where_the_model_reads_one() {
    let dir = TempDir::new();
    let run = run(dir.path(), &["templates"], &[], "");

    assert_success(&run);
    assert!(
        template_entry(&run.stdout, "HAPROXY_BACKEND_HEAD")
            .contains("scope: global, or per service port with label HAPROXY_{n}_BACKEND_HEAD\n")
    );
    // HAPROXY_{n}_HTTP_BACKEND_REDIR is the redirect target, not a template.
    assert!(
        template_entry(&run.stdout, "HAPROXY_HTTP_BACKEND_REDIR").contains("scope: global only\n")
    );
}

#[test]
fn framework_name_hides_the_load_balancers_own_app() {
    let document = apps(&[app("/web", 10000, &[]), app("/mlb", 10001, &[])]);
    let run = render(&document, &[], &[("FRAMEWORK_NAME", "mlb")]);

    assert_success(&run);
    assert!(run.stdout.contains("\nbackend web_10000\n"));
    assert!(!run.stdout.contains("mlb_10001"), "{}", run.stdout);
}
