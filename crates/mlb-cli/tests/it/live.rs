//! `poll` and `sse` end to end: fake Marathon, real HAProxy, real backends, real signals.

use std::thread;
use std::time::Duration;

use marathon_client::test_support::Reply;

use crate::rig::{
    Backend, Rig, app, apps, free_port, http_get, names_served, set_arg, wait_served_by, wait_until,
};

/// A label template HAProxy refuses: an unknown balance algorithm.
const BROKEN_BACKEND_HEAD: &str =
    r#""HAPROXY_0_BACKEND_HEAD": "\nbackend {backend}\n  balance nosuchalgo\n  mode {mode}\n""#;

fn status_update(rig: &Rig) {
    rig.marathon.push_event(
        "status_update_event",
        r#"{"eventType": "status_update_event", "taskStatus": "TASK_RUNNING"}"#,
    );
}

#[test]
fn an_app_scaled_from_one_to_three_tasks_by_an_event_is_served_by_all_three() {
    let mut rig = Rig::new();
    let (a, b, c) = (
        Backend::start("a"),
        Backend::start("b"),
        Backend::start("c"),
    );
    let port = rig.serve_web(&[&a]);
    rig.start_haproxy();
    let mlb = rig.sse(&[]);
    wait_served_by(port, &["a"], 2);

    rig.marathon
        .set_apps(&apps(&[app("/web", port, &[&a, &b, &c], "")]));
    status_update(&rig);

    wait_served_by(port, &["a", "b", "c"], 6);
    mlb.wait_log("applied new config: 1 services");
}

#[test]
fn a_killed_task_stops_receiving_traffic() {
    let mut rig = Rig::new();
    let (a, b, c) = (
        Backend::start("a"),
        Backend::start("b"),
        Backend::start("c"),
    );
    let port = rig.serve_web(&[&a, &b, &c]);
    rig.start_haproxy();
    let _mlb = rig.sse(&[]);
    wait_served_by(port, &["a", "b", "c"], 6);

    rig.marathon
        .set_apps(&apps(&[app("/web", port, &[&a, &b], "")]));
    status_update(&rig);
    wait_served_by(port, &["a", "b"], 6);

    // Once the reload has landed, c gets nothing more.
    let before = c.hits();
    let names = names_served(port, 10).unwrap();
    assert!(!names.contains(&"c".to_owned()), "{names:?}");
    assert_eq!(c.hits(), before);
}

#[test]
fn an_app_haproxy_refuses_is_left_out_while_a_good_apps_change_lands() {
    let mut rig = Rig::new();
    let (a, b, x) = (
        Backend::start("a"),
        Backend::start("b"),
        Backend::start("x"),
    );
    let (good_port, bad_port) = (free_port(), free_port());
    let bad = app("/bad", bad_port, &[&x], BROKEN_BACKEND_HEAD);
    rig.marathon
        .set_apps(&apps(&[app("/good", good_port, &[&a], ""), bad.clone()]));
    rig.start_haproxy();
    let mlb = rig.sse(&[]);
    wait_served_by(good_port, &["a"], 2);
    mlb.wait_log("app /bad left out: haproxy refuses its part of the config");
    assert!(!rig.config().contains("nosuchalgo"));

    rig.marathon
        .set_apps(&apps(&[app("/good", good_port, &[&a, &b], ""), bad]));
    status_update(&rig);
    wait_served_by(good_port, &["a", "b"], 4);
    assert!(
        http_get(bad_port, "/").is_err(),
        "the bad app must not be served"
    );

    // The warning is logged when it appears, not on every update.
    assert_eq!(mlb.count("app /bad left out"), 1, "{:#?}", mlb.logs());
    let warn = mlb
        .logs()
        .into_iter()
        .find(|l| l.contains("app /bad left out"))
        .unwrap();
    assert!(
        warn.contains(" warn ") && warn.contains("balance only supports"),
        "{warn}"
    );
}

#[test]
fn with_the_first_marathon_down_the_second_is_used() {
    let mut rig = Rig::new();
    let a = Backend::start("a");
    let port = rig.serve_web(&[&a]);
    rig.start_haproxy();
    let down = format!("http://127.0.0.1:{}", free_port());
    let mut args = rig.args("sse", &[]);
    set_arg(
        &mut args,
        "--marathon",
        &format!("{down} {}", rig.marathon.url()),
    );
    let _mlb = rig.spawn_mlb(&args);

    wait_served_by(port, &["a"], 2);
}

#[test]
fn a_stop_signal_lets_the_running_update_finish() {
    let mut rig = Rig::new();
    let (a, b) = (Backend::start("a"), Backend::start("b"));
    let port = rig.serve_web(&[&a]);
    rig.start_haproxy();
    // A slow reload: it notes its start, and needs a second to finish.
    let starts = rig.path("starts");
    let slow = format!(
        "echo start >> '{}'; sleep 1; {}",
        starts.display(),
        rig.reload_command()
    );
    let mut args = rig.args("sse", &[]);
    set_arg(&mut args, "--command", &slow);
    let mut mlb = rig.spawn_mlb(&args);
    wait_served_by(port, &["a"], 2);

    rig.marathon
        .set_apps(&apps(&[app("/web", port, &[&a, &b], "")]));
    status_update(&rig);
    wait_until("the second reload to start", || {
        let count = std::fs::read_to_string(&starts).map_or(0, |s| s.lines().count());
        if count >= 2 {
            Ok(())
        } else {
            Err(format!("{count} starts"))
        }
    });
    mlb.signal("TERM");

    let status = mlb.wait_exit();
    assert!(status.success(), "{status:?}\n{:#?}", mlb.logs());
    assert_eq!(rig.reloads(), 2, "the running reload finished");
    wait_served_by(port, &["a", "b"], 4);
}

#[test]
fn a_dropped_stream_reconnects_and_converges() {
    let mut rig = Rig::new();
    let (a, b) = (Backend::start("a"), Backend::start("b"));
    let port = rig.serve_web(&[&a]);
    rig.start_haproxy();
    let mlb = rig.sse(&[]);
    wait_served_by(port, &["a"], 2);
    assert!(
        rig.marathon
            .wait_for_open_streams(1, Duration::from_secs(5))
    );

    // The change comes with no event: only the resync after reconnecting
    // can pick it up.
    rig.marathon
        .set_apps(&apps(&[app("/web", port, &[&a, &b], "")]));
    rig.marathon.drop_streams();

    wait_served_by(port, &["a", "b"], 4);
    mlb.wait_log("event stream lost");
    mlb.wait_log("again after");
}

/// At start-up the first update waits for the event stream, whose
/// connection asks for one: a single listing of every app serves both.
#[test]
fn sse_lists_the_apps_once_at_start_up() {
    let mut rig = Rig::new();
    let a = Backend::start("a");
    let port = rig.serve_web(&[&a]);
    rig.start_haproxy();

    let mlb = rig.sse(&[]);
    wait_served_by(port, &["a"], 2);
    mlb.wait_log("event stream connected");

    assert_eq!(rig.settled_fetches(), 1, "{:#?}", mlb.logs());
}

/// Without an event stream the first update goes ahead all the same.
#[test]
fn sse_updates_when_the_event_stream_fails_at_start_up() {
    let mut rig = Rig::new();
    let a = Backend::start("a");
    let port = rig.serve_web(&[&a]);
    rig.marathon.set_events_reply(Reply::Status(500));
    rig.start_haproxy();

    let mlb = rig.sse(&[]);
    wait_served_by(port, &["a"], 2);
    mlb.wait_log("event stream lost");
    assert_eq!(rig.settled_fetches(), 1, "{:#?}", mlb.logs());
}

#[test]
fn a_burst_of_events_causes_one_update() {
    let mut rig = Rig::new();
    let (a, b) = (Backend::start("a"), Backend::start("b"));
    let port = rig.serve_web(&[&a]);
    rig.start_haproxy();
    // A generous quiet period: a loaded machine must not split the burst.
    let mut args = rig.args("sse", &[]);
    set_arg(&mut args, "--event-quiet-period", "1");
    let mlb = rig.spawn_mlb(&args);
    wait_served_by(port, &["a"], 2);
    mlb.wait_log("event stream connected");
    let fetches = rig.settled_fetches();

    rig.marathon
        .set_apps(&apps(&[app("/web", port, &[&a, &b], "")]));
    for _ in 0..30 {
        status_update(&rig);
    }
    wait_served_by(port, &["a", "b"], 4);

    assert_eq!(rig.settled_fetches() - fetches, 1, "{:#?}", mlb.logs());
}

#[test]
fn operator_endpoints_answer_through_haproxy() {
    let mut rig = Rig::new();
    let a = Backend::start("a");
    let port = rig.serve_web(&[&a]);
    rig.start_haproxy();
    let _mlb = rig.sse(&["--haproxy-map"]);
    wait_served_by(port, &["a"], 2);
    let stats_port = rig.stats_port;
    let get = |path: &str| {
        let (status, body) = http_get(stats_port, path).unwrap();
        assert_eq!(status, 200, "{path}: {body}");
        body
    };

    assert_eq!(get("/_haproxy_getconfig"), rig.config());
    assert_eq!(get("/_haproxy_getappmap"), format!("/web web_{port}\n"));
    let vhosts = std::fs::read_to_string(rig.path("domain2backend.map")).unwrap();
    assert_eq!(get("/_haproxy_getvhostmap"), vhosts);

    let pids = get("/_haproxy_getpids");
    let pids: Vec<u32> = pids
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert!(pids.contains(&rig.master_pid()), "{pids:?}");
    assert!(pids.len() >= 2, "master and at least one worker: {pids:?}");

    let fetches = rig.marathon.request_count("/v2/apps");
    assert_eq!(get("/_mlb_signal/hup"), "resync requested\n");
    wait_until("a resync after /_mlb_signal/hup", || {
        let now = rig.marathon.request_count("/v2/apps");
        if now > fetches {
            Ok(())
        } else {
            Err(format!("{now} fetches"))
        }
    });

    let reloads = rig.reloads();
    assert_eq!(get("/_mlb_signal/usr1"), "reload requested\n");
    wait_until("a reload after /_mlb_signal/usr1", || {
        let now = rig.reloads();
        if now > reloads {
            Ok(())
        } else {
            Err(format!("{now} reloads"))
        }
    });
}

#[test]
fn signals_resync_reload_and_stop_cleanly() {
    let mut rig = Rig::new();
    let a = Backend::start("a");
    let port = rig.serve_web(&[&a]);
    rig.start_haproxy();
    let mut mlb = rig.sse(&[]);
    wait_served_by(port, &["a"], 2);
    mlb.wait_log("event stream connected");

    let fetches = rig.marathon.request_count("/v2/apps");
    mlb.signal("HUP");
    wait_until("a resync after SIGHUP", || {
        let now = rig.marathon.request_count("/v2/apps");
        if now > fetches {
            Ok(())
        } else {
            Err(format!("{now} fetches"))
        }
    });

    let reloads = rig.reloads();
    mlb.signal("USR1");
    wait_until("a reload after SIGUSR1", || {
        let now = rig.reloads();
        if now > reloads {
            Ok(())
        } else {
            Err(format!("{now} reloads"))
        }
    });
    mlb.wait_log("reloaded haproxy with the config on disk");

    mlb.signal("TERM");
    let status = mlb.wait_exit();
    assert!(status.success(), "{status:?}\n{:#?}", mlb.logs());
    mlb.wait_log("stopping on sigterm");
}

#[test]
fn poll_once_applies_then_finds_the_config_unchanged() {
    let mut rig = Rig::new();
    let a = Backend::start("a");
    let port = rig.serve_web(&[&a]);
    rig.start_haproxy();

    let (status, logs) = rig.poll_once(&[]);
    assert!(status.success(), "{logs:#?}");
    wait_served_by(port, &["a"], 2);
    assert_eq!(rig.reloads(), 1);

    let (status, logs) = rig.poll_once(&[]);
    assert!(status.success(), "{logs:#?}");
    assert!(
        logs.iter().any(|l| l.contains("config unchanged")),
        "{logs:#?}"
    );
    assert_eq!(rig.reloads(), 1);
}

#[test]
fn poll_once_fails_and_keeps_the_config_when_haproxy_refuses_and_cleanup_is_off() {
    let rig = Rig::new();
    let x = Backend::start("x");
    rig.marathon.set_apps(&apps(&[app(
        "/bad",
        free_port(),
        &[&x],
        BROKEN_BACKEND_HEAD,
    )]));
    let before = rig.config();

    let (status, logs) = rig.poll_once(&["--skip-config-cleanup"]);

    assert_eq!(status.code(), Some(1), "{logs:#?}");
    assert_eq!(rig.config(), before);
    assert!(
        logs.iter()
            .any(|l| l.contains(" error haproxy refuses the new config")),
        "{logs:#?}"
    );
}

#[test]
fn marathon_down_at_start_keeps_the_existing_config_and_recovers_by_itself() {
    let mut rig = Rig::new();
    let a = Backend::start("a");
    let port = rig.serve_web(&[&a]);
    rig.marathon.set_apps_reply(Reply::Status(503));
    rig.marathon.set_events_reply(Reply::Garbage);
    rig.start_haproxy();
    let before = rig.config();

    let (status, logs) = rig.poll_once(&[]);
    assert_eq!(status.code(), Some(1), "{logs:#?}");
    assert_eq!(rig.config(), before);

    let mlb = rig.sse(&[]);
    mlb.wait_log("marathon unreachable, keeping the current config");
    // Retries back off from one second; give them time to repeat.
    thread::sleep(Duration::from_millis(2500));
    assert_eq!(rig.config(), before);
    assert_eq!(
        mlb.count(" warn marathon unreachable"),
        1,
        "{:#?}",
        mlb.logs()
    );
    assert_eq!(mlb.count("event stream lost"), 1, "{:#?}", mlb.logs());

    rig.marathon.set_apps_reply(Reply::Normal);
    rig.marathon.set_events_reply(Reply::Normal);
    wait_served_by(port, &["a"], 2);
    mlb.wait_log("marathon answers again");
}

/// A Marathon that takes the request and then says nothing: the update
/// gives up at `--marathon-request-timeout`, not at the default minute
/// (the fake would hang up after 30 s, which reads as a broken connection,
/// not a timeout).
#[test]
fn a_marathon_that_stalls_fails_the_update_at_the_request_timeout() {
    let rig = Rig::new();
    rig.marathon.set_apps_reply(Reply::Stall);
    let before = rig.config();

    let (status, logs) = rig.poll_once(&["--marathon-request-timeout", "0.5"]);

    assert_eq!(status.code(), Some(1), "{logs:#?}");
    assert_eq!(rig.config(), before);
    assert!(
        logs.iter().any(
            |l| l.contains(" warn marathon unreachable, keeping the current config")
                && l.contains("timeout")
        ),
        "{logs:#?}"
    );
}

#[test]
fn a_dry_run_checks_but_writes_and_reloads_nothing() {
    let rig = Rig::new();
    let a = Backend::start("a");
    rig.marathon
        .set_apps(&apps(&[app("/web", free_port(), &[&a], "")]));
    let before = rig.config();

    let (status, logs) = rig.poll_once(&["--dry"]);

    assert!(status.success(), "{logs:#?}");
    assert!(
        logs.iter()
            .any(|l| l.contains("dry run: the config would change")),
        "{logs:#?}"
    );
    assert_eq!(rig.config(), before);
    assert_eq!(rig.reloads(), 0);
}
