//! Every fixture, rendered by the real binary with each flag set its
//! snapshots use, passes `haproxy -c` with no alert and no warning.

use std::fmt::Write as _;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::apply::{TempDir, require_haproxy};

/// A self-signed certificate and its key in one PEM, as HAProxy's `crt`
/// takes them. It is for these tests only.
const TEST_ONLY_CERT: &str = include_str!("../data/test-only-haproxy-cert-and-key.pem");

/// The directory the fixtures' `HAPROXY_{n}_SSL_CERT` labels point into. No
/// machine has it: each check rewrites it to a directory of its own.
const FIXTURE_CERT_DIR: &str = "/etc/ssl/mlb-fixtures/";

/// Every fixture with the flag sets of its snapshots in
/// crates/haproxy-config/tests/it, as fixtures/README.md lists them.
const CASES: &[(&str, &[&[&str]])] = &[
    (
        "apps.json",
        &[
            &[],
            &["--haproxy-map"],
            &["--group-https-by-vhost"],
            &["--dont-bind-http-https"],
            &["--strict-mode"],
            &["--health-check"],
        ],
    ),
    ("blue-green.json", &[&[], &["--health-check"]]),
    ("empty.json", &[&[]]),
    (
        "groups.json",
        &[
            &[],
            &["--group", "internal"],
            &["--group", "external", "--group", "internal"],
            &["--group", "*"],
        ],
    ),
    ("health-checks.json", &[&[], &["--health-check"]]),
    (
        "labels.json",
        &[&[], &["--haproxy-map"], &["--group-https-by-vhost"]],
    ),
    ("networking.json", &[&[]]),
    ("task-states.json", &[&[]]),
    (
        "vhosts.json",
        &[
            &[],
            &["--haproxy-map"],
            &["--group-https-by-vhost"],
            &["--dont-bind-http-https"],
        ],
    ),
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The default head keeps server state in `/var/state/haproxy/global`, and
/// HAProxy warns when that file is missing. CI runs the tests as root, so
/// the file is created when absent; an existing one is never touched.
fn ensure_server_state_file() {
    let path = Path::new("/var/state/haproxy/global");
    let created = fs::create_dir_all("/var/state/haproxy").and_then(|()| {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, b"1\n"))
    });
    match created {
        Ok(()) => {}
        Err(err) if err.kind() == ErrorKind::AlreadyExists => {}
        Err(err) => panic!(
            "cannot create {}: {err}; these tests need it (run them as root, as CI does)",
            path.display()
        ),
    }
}

/// The fixture's text with its certificate paths moved into `dir`, and a
/// copy of the test certificate at each of them.
fn fixture_with_certs_in(name: &str, dir: &Path) -> String {
    let path = fixtures_dir().join(name);
    let text =
        fs::read_to_string(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
    let certs = dir.join("certs");
    fs::create_dir_all(&certs).unwrap();
    for (at, _) in text.match_indices(FIXTURE_CERT_DIR) {
        let rest = &text[at + FIXTURE_CERT_DIR.len()..];
        let file = rest
            .split(|c: char| c == '"' || c == ',' || c.is_whitespace())
            .next()
            .unwrap_or_default();
        fs::write(certs.join(file), TEST_ONLY_CERT).unwrap();
    }
    text.replace(FIXTURE_CERT_DIR, &format!("{}/", certs.display()))
}

/// Renders fixture `name` with `flags` through the real binary into a fresh
/// directory, runs `haproxy -c` on the result, and returns the config.
/// Fails, with HAProxy's output and the numbered config, on any alert or
/// warning.
fn check(name: &str, flags: &[&str]) -> String {
    require_haproxy();
    ensure_server_state_file();
    let dir = TempDir::new();
    let apps = dir.path().join("apps.json");
    let cert = dir.path().join("cert.pem");
    let config = dir.path().join("haproxy.cfg");
    fs::write(&apps, fixture_with_certs_in(name, dir.path())).unwrap();
    fs::write(&cert, TEST_ONLY_CERT).unwrap();

    let mut render = Command::new(env!("CARGO_BIN_EXE_mlb-cli"));
    render
        .arg("render")
        .arg("--from")
        .arg(&apps)
        .arg("--output")
        .arg(&config)
        .arg("--haproxy-config")
        .arg(&config)
        .arg("--ssl-certs")
        .arg(&cert)
        // A directory that does not exist: no template file overrides.
        .arg("--templates")
        .arg(dir.path().join("templates"))
        .args(flags)
        .env_remove("FRAMEWORK_NAME");
    // Template overrides in the environment of whoever runs the tests
    // would change the config under test.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HAPROXY_") {
            render.env_remove(key);
        }
    }
    let rendered = render.output().expect("running mlb-cli");
    let stderr = String::from_utf8_lossy(&rendered.stderr);
    assert!(
        rendered.status.success(),
        "{name} {flags:?}: mlb-cli failed: {stderr}"
    );
    assert_eq!(stderr, "", "{name} {flags:?}: the fixtures render cleanly");

    let checked = Command::new("haproxy")
        .arg("-c")
        .arg("-f")
        .arg(&config)
        .output()
        .expect("running haproxy -c");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    let text = fs::read_to_string(&config).unwrap();
    let complaints = output
        .lines()
        .any(|line| line.contains("[ALERT]") || line.contains("[WARNING]"));
    if !checked.status.success() || complaints {
        let mut numbered = String::new();
        for (i, line) in text.lines().enumerate() {
            let _ = writeln!(numbered, "{:5} {line}", i + 1);
        }
        panic!(
            "{name} {flags:?}: haproxy -c ({}) complained:\n{output}\nconfig:\n{numbered}",
            checked.status
        );
    }
    text
}

/// Checks fixture `name` with every flag set of [`CASES`].
fn check_every_flag_set(name: &str) {
    let (_, flag_sets) = CASES
        .iter()
        .find(|(fixture, _)| *fixture == name)
        .unwrap_or_else(|| panic!("{name} is not in CASES"));
    for flags in *flag_sets {
        check(name, flags);
    }
}

#[test]
fn every_fixture_is_checked() {
    let mut on_disk: Vec<String> = fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let checked: Vec<&str> = CASES.iter().map(|(name, _)| *name).collect();
    assert_eq!(on_disk, checked);
}

#[test]
fn default_head_alone_passes_without_warnings() {
    let config = check("empty.json", &[]);
    // The head's own `backend mlb_admin` forwards the operator paths to
    // mlb's admin listener; no other backend may appear without apps.
    let others = config.replace("\nbackend mlb_admin\n", "\n");
    assert!(!others.contains("\nbackend "), "{config}");
}

#[test]
fn hsts_proxypass_and_revproxy_use_directives_haproxy_2_6_knows() {
    let config = check("apps.json", &[]);
    for modern in [
        "http-response set-header Strict-Transport-Security max-age=15768000",
        "http-request replace-path ^/api/?(.*) /\\1",
        "http-response replace-header Location ",
    ] {
        assert!(config.contains(modern), "missing {modern:?}:\n{config}");
    }
    // The directives marathon-lb's defaults use were removed in 2.1.
    for removed in ["rspadd", "reqirep", "rspirep"] {
        assert!(!config.contains(removed), "found {removed:?}:\n{config}");
    }
}

#[test]
fn apps_fixture_passes_with_every_flag_set() {
    check_every_flag_set("apps.json");
}

#[test]
fn blue_green_fixture_passes_with_every_flag_set() {
    check_every_flag_set("blue-green.json");
}

#[test]
fn groups_fixture_passes_with_every_flag_set() {
    check_every_flag_set("groups.json");
}

#[test]
fn health_checks_fixture_passes_with_every_flag_set() {
    check_every_flag_set("health-checks.json");
}

#[test]
fn labels_fixture_passes_with_every_flag_set() {
    check_every_flag_set("labels.json");
}

#[test]
fn networking_fixture_passes_with_every_flag_set() {
    check_every_flag_set("networking.json");
}

#[test]
fn task_states_fixture_passes_with_every_flag_set() {
    check_every_flag_set("task-states.json");
}

#[test]
fn vhosts_fixture_passes_with_every_flag_set() {
    check_every_flag_set("vhosts.json");
}
