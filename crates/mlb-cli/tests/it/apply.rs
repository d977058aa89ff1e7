//! Applying configs against a real `haproxy -c` and a real reload command.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mlb_cli::apply::{
    self, ApplyError, ApplyOptions, CheckedFile, Outcome, RenderedFiles, Severity, archive_path,
};

/// A fresh directory under the system temporary directory, removed when
/// dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("mlb-it-{}-{n}", std::process::id()));
        fs::create_dir(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Fails the calling test, with a hint, when HAProxy is not installed:
/// these tests are about HAProxy's verdict, so skipping would hide that
/// nothing was checked.
pub fn require_haproxy() {
    let works = Command::new("haproxy")
        .arg("-v")
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        works,
        "this test needs HAProxy 2.6 on the PATH; install it: apt-get install -y haproxy"
    );
}

/// A config dir with a log file the reload command appends to.
struct Setup {
    dir: TempDir,
    options: ApplyOptions,
}

impl Setup {
    fn new() -> Self {
        require_haproxy();
        let dir = TempDir::new();
        let mut options = ApplyOptions::new(dir.path().join("haproxy.cfg"));
        options.reload_command = format!("echo reloaded >> '{}'", dir.path().join("log").display());
        options.reload_interval = Duration::ZERO;
        Setup { dir, options }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn read(&self, name: &str) -> Option<String> {
        fs::read_to_string(self.path(name)).ok()
    }

    fn reloads(&self) -> usize {
        self.read("log").map_or(0, |log| log.lines().count())
    }

    /// The directory's file names, sorted.
    fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A valid config routing by the domain map, with `extra` appended to
    /// its backend (an invalid line makes HAProxy refuse it).
    fn files(&self, port: u16, extra: &str) -> RenderedFiles {
        let map = self.path("domain2backend.map");
        let config = format!(
            "global\n  maxconn 100\n\
             defaults\n  mode http\n  timeout connect 5s\n  timeout client 5s\n  timeout server 5s\n\
             frontend http_in\n  bind 127.0.0.1:18080\n\
             \x20 use_backend %[req.hdr(host),lower,map({})]\n\
             backend web_{port}\n  server s1 127.0.0.1:{port}\n{extra}",
            map.display()
        );
        RenderedFiles {
            config,
            maps: vec![(
                "domain2backend.map".to_owned(),
                format!("web.example web_{port}\n"),
            )],
        }
    }
}

fn applied(outcome: Outcome) -> apply::Applied {
    match outcome {
        Outcome::Applied(applied) => applied,
        other => panic!("expected the config to be applied, got {other:?}"),
    }
}

#[test]
fn good_config_goes_live_and_reload_runs() {
    let setup = Setup::new();
    let files = setup.files(9000, "");

    let done = applied(apply::apply(&files, &setup.options).unwrap());

    assert_eq!(setup.read("haproxy.cfg"), Some(files.config.clone()));
    assert_eq!(
        setup.read("domain2backend.map"),
        Some(files.maps[0].1.clone())
    );
    assert_eq!(setup.reloads(), 1);
    assert_eq!(done.reload.map(|r| r.attempts), Some(1));
    assert_eq!(done.warnings, []);
    // Nothing staged is left behind, and the first version has nothing
    // to archive.
    assert_eq!(
        setup.listing(),
        ["domain2backend.map", "haproxy.cfg", "log"]
    );
}

#[test]
fn refused_config_leaves_live_files_byte_identical() {
    let setup = Setup::new();
    let good = setup.files(9000, "");
    apply::apply(&good, &setup.options).unwrap();
    let before = setup.listing();

    let bad = setup.files(9001, "  bogus_directive on\n");
    let Outcome::Rejected(rejection) = apply::apply(&bad, &setup.options).unwrap() else {
        panic!("a config with an unknown keyword must be refused");
    };

    assert_eq!(setup.read("haproxy.cfg"), Some(good.config));
    assert_eq!(
        setup.read("domain2backend.map"),
        Some(good.maps[0].1.clone())
    );
    assert_eq!(setup.listing(), before);
    assert_eq!(setup.reloads(), 1);

    assert!(
        rejection
            .output
            .contains("unknown keyword 'bogus_directive'"),
        "{}",
        rejection.output
    );
    let alert = rejection.alerts().next().expect("an alert");
    assert_eq!(alert.file, Some(CheckedFile::Config));
    assert_eq!(alert.line, Some(bad.config.lines().count()));
    assert_eq!(alert.source_line.as_deref(), Some("  bogus_directive on"));
    assert_eq!(alert.proxy.as_deref(), Some("web_9001"));
}

#[test]
fn maps_are_checked_before_they_go_live() {
    let setup = Setup::new();
    let good = setup.files(9000, "");
    apply::apply(&good, &setup.options).unwrap();

    // map_ip refuses a key that is not an address, so the broken map only
    // shows up if HAProxy reads the candidate map, not the live one.
    let mut bad = setup.files(9000, "");
    write!(
        bad.config,
        "backend by_ip\n  http-request set-var(txn.x) src,map_ip({})\n  server s1 127.0.0.1:9002\n",
        setup.path("ip.map").display()
    )
    .unwrap();
    bad.maps.push((
        "ip.map".to_owned(),
        "10.0.0.1 web_9000\nnot-an-ip web_9000\n".to_owned(),
    ));

    let Outcome::Rejected(rejection) = apply::apply(&bad, &setup.options).unwrap() else {
        panic!("a map with an invalid address must be refused");
    };
    let alert = rejection.alerts().next().expect("an alert");
    assert_eq!(alert.file, Some(CheckedFile::Map("ip.map".to_owned())));
    assert_eq!(alert.line, Some(2));
    assert_eq!(setup.read("ip.map"), None);
    assert_eq!(setup.read("haproxy.cfg"), Some(good.config));
}

#[test]
fn unchanged_files_do_nothing_and_skip_the_reload() {
    let setup = Setup::new();
    let files = setup.files(9000, "");
    applied(apply::apply(&files, &setup.options).unwrap());
    let before = setup.listing();

    assert_eq!(
        apply::apply(&files, &setup.options).unwrap(),
        Outcome::Unchanged
    );
    assert_eq!(setup.reloads(), 1);
    assert_eq!(setup.listing(), before);
}

#[test]
fn a_changed_map_alone_is_applied_and_reloaded() {
    let setup = Setup::new();
    let mut files = setup.files(9000, "");
    apply::apply(&files, &setup.options).unwrap();

    files.maps[0].1.push_str("www.example web_9000\n");
    applied(apply::apply(&files, &setup.options).unwrap());

    assert_eq!(
        setup.read("domain2backend.map"),
        Some(files.maps[0].1.clone())
    );
    assert_eq!(setup.reloads(), 2);
}

#[test]
fn archive_keeps_the_configured_number_of_versions() {
    let mut setup = Setup::new();
    setup.options.archive_versions = 2;
    let config = setup.options.config_path.clone();
    for port in [9001, 9002, 9003, 9004] {
        applied(apply::apply(&setup.files(port, ""), &setup.options).unwrap());
    }

    let version = |path: &Path| fs::read_to_string(path).ok();
    assert_eq!(
        version(&archive_path(&config, 1)),
        Some(setup.files(9003, "").config)
    );
    assert_eq!(
        version(&archive_path(&config, 2)),
        Some(setup.files(9002, "").config)
    );
    assert_eq!(version(&archive_path(&config, 3)), None);
    let map = setup.path("domain2backend.map");
    assert_eq!(
        version(&archive_path(&map, 1)),
        Some("web.example web_9003\n".to_owned())
    );
    assert_eq!(
        setup.listing(),
        [
            "domain2backend.map",
            "domain2backend.map.1",
            "domain2backend.map.2",
            "haproxy.cfg",
            "haproxy.cfg.1",
            "haproxy.cfg.2",
            "log"
        ]
    );
}

#[test]
fn archive_of_zero_versions_keeps_none() {
    let mut setup = Setup::new();
    setup.options.archive_versions = 0;
    for port in [9001, 9002] {
        applied(apply::apply(&setup.files(port, ""), &setup.options).unwrap());
    }
    assert_eq!(
        setup.listing(),
        ["domain2backend.map", "haproxy.cfg", "log"]
    );
}

#[test]
fn failing_reload_runs_once_plus_max_retries_then_errors() {
    let mut setup = Setup::new();
    let log = setup.path("log");
    setup.options.reload_command = format!("echo attempt >> '{}'; exit 3", log.display());
    setup.options.max_reload_retries = 2;

    let err = apply::apply(&setup.files(9000, ""), &setup.options).unwrap_err();

    assert_eq!(setup.reloads(), 3);
    let ApplyError::Reload {
        attempts, status, ..
    } = &err
    else {
        panic!("expected a reload error, got {err:?}");
    };
    assert_eq!((*attempts, status.code()), (3, Some(3)));
    assert!(
        err.to_string()
            .starts_with("reload command failed after 3 attempts"),
        "{err}"
    );
    // The files went live before the reload, so they stay.
    assert_eq!(
        setup.read("haproxy.cfg"),
        Some(setup.files(9000, "").config)
    );
}

#[test]
fn reload_that_recovers_reports_its_attempts() {
    let mut setup = Setup::new();
    let log = setup.path("log");
    // Fails until the log has two lines, so the third attempt succeeds.
    setup.options.reload_command = format!(
        "echo attempt >> '{0}'; test $(wc -l < '{0}') -ge 3",
        log.display()
    );
    setup.options.reload_interval = Duration::from_millis(20);

    let done = applied(apply::apply(&setup.files(9000, ""), &setup.options).unwrap());

    let reload = done.reload.expect("a reload");
    assert_eq!(reload.attempts, 3);
    assert!(
        reload.took >= Duration::from_millis(40),
        "{:?}",
        reload.took
    );
}

#[test]
fn empty_reload_command_reloads_nothing() {
    let mut setup = Setup::new();
    setup.options.reload_command = " ".to_owned();
    let done = applied(apply::apply(&setup.files(9000, ""), &setup.options).unwrap());
    assert_eq!(done.reload, None);
}

#[test]
fn dry_run_writes_nothing_but_still_checks() {
    let mut setup = Setup::new();
    setup.options.dry_run = true;

    let outcome = apply::apply(&setup.files(9000, ""), &setup.options).unwrap();
    assert_eq!(
        outcome,
        Outcome::WouldApply {
            warnings: Vec::new()
        }
    );

    let outcome = apply::apply(&setup.files(9000, "  bogus_directive on\n"), &setup.options);
    assert!(matches!(outcome, Ok(Outcome::Rejected(_))), "{outcome:?}");

    assert_eq!(setup.listing(), Vec::<String>::new());
}

#[test]
fn skipped_validation_installs_even_a_refusable_config() {
    let mut setup = Setup::new();
    setup.options.skip_validation = true;
    let files = setup.files(9000, "  bogus_directive on\n");

    applied(apply::apply(&files, &setup.options).unwrap());
    assert_eq!(setup.read("haproxy.cfg"), Some(files.config));
}

#[test]
fn warnings_do_not_stop_a_config() {
    let setup = Setup::new();
    let mut files = setup.files(9000, "");
    // Rules that only work in http mode are ignored in a tcp backend, and
    // HAProxy warns about it.
    files
        .config
        .push_str("backend raw\n  mode tcp\n  http-request deny\n");

    let done = applied(apply::apply(&files, &setup.options).unwrap());

    let warning = &done.warnings[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.proxy.as_deref(), Some("raw"));
}

#[test]
fn a_config_without_listeners_is_refused_with_haproxys_reason() {
    let setup = Setup::new();
    let files = RenderedFiles {
        config: "global\n  maxconn 100\nbackend lonely\n  server s1 127.0.0.1:9000\n".to_owned(),
        maps: Vec::new(),
    };

    let Outcome::Rejected(rejection) = apply::apply(&files, &setup.options).unwrap() else {
        panic!("HAProxy would not start without a listener");
    };

    let alert = rejection.alerts().next().expect("a stand-in alert");
    assert!(
        alert.message.contains("will not start (no listener)"),
        "{}",
        alert.message
    );
    assert_eq!(setup.read("haproxy.cfg"), None);
}

#[test]
fn missing_haproxy_binary_is_an_error_naming_it() {
    let mut setup = Setup::new();
    setup.options.haproxy = PathBuf::from("/nonexistent/haproxy");

    let err = apply::apply(&setup.files(9000, ""), &setup.options).unwrap_err();

    assert_eq!(err.to_string(), "cannot run program: /nonexistent/haproxy");
    assert_eq!(setup.listing(), Vec::<String>::new());
}

#[test]
fn map_names_that_leave_the_directory_are_refused() {
    let setup = Setup::new();
    let mut files = setup.files(9000, "");
    files.maps.push(("../escape.map".to_owned(), String::new()));

    let err = apply::apply(&files, &setup.options).unwrap_err();

    assert_eq!(err.to_string(), "invalid map file name: \"../escape.map\"");
}

#[test]
fn a_map_rendered_twice_is_refused() {
    let setup = Setup::new();
    let mut files = setup.files(9000, "");
    files.maps.push(files.maps[0].clone());

    let err = apply::apply(&files, &setup.options).unwrap_err();

    assert_eq!(
        err.to_string(),
        "invalid map file name: \"domain2backend.map\""
    );
    assert_eq!(setup.listing(), Vec::<String>::new());
}
