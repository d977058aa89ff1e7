//! Several Marathon URLs: which one is asked, and when the client moves on.

use std::time::{Duration, Instant};

use marathon_client::{Auth, Error};

use crate::fake_marathon::{ONE_APP, Reply, client, quick, refused_url, start};

#[test]
fn refused_connection_moves_on_and_the_client_sticks_to_the_answering_url() {
    let fake = start();
    fake.set_apps(ONE_APP);
    let dead = refused_url();
    let client = client(&[dead.clone(), fake.url()], Auth::None);
    assert_eq!(client.current_url(), dead);

    assert_eq!(client.fetch_decoded_apps().unwrap().apps.len(), 1);
    assert_eq!(client.current_url(), fake.url());

    client.fetch_apps().unwrap();
    assert_eq!(fake.request_count("/v2/apps"), 2);
}

#[test]
fn sticky_url_moves_back_when_it_stops_answering() {
    let first = start();
    let second = start();
    let client = client(&[first.url(), second.url()], Auth::None);

    first.set_apps_reply(Reply::Status(503));
    client.fetch_apps().unwrap();
    assert_eq!(client.current_url(), second.url());

    second.set_apps_reply(Reply::Status(503));
    first.set_apps_reply(Reply::Normal);
    client.fetch_apps().unwrap();
    assert_eq!(client.current_url(), first.url());
}

#[test]
fn timeout_moves_on_to_the_next_url() {
    let stalled = start();
    stalled.set_apps_reply(Reply::Stall);
    let fake = start();
    let client = quick([stalled.url(), fake.url()])
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let started = Instant::now();
    client.fetch_apps().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(client.current_url(), fake.url());
}

#[test]
fn server_error_moves_on_to_the_next_url() {
    let broken = start();
    broken.set_apps_reply(Reply::Status(503));
    let fake = start();
    client(&[broken.url(), fake.url()], Auth::None)
        .fetch_apps()
        .unwrap();
    assert_eq!(fake.request_count("/v2/apps"), 1);
}

#[test]
fn client_error_does_not_move_on() {
    let refusing = start();
    refusing.set_apps_reply(Reply::Status(403));
    let fake = start();
    let client = client(&[refusing.url(), fake.url()], Auth::None);

    assert_eq!(client.fetch_apps().unwrap_err().status(), Some(403));
    assert_eq!(fake.request_count("/v2/apps"), 0);
    assert_eq!(client.current_url(), refusing.url());
}

#[test]
fn all_urls_down_reports_the_last_failure() {
    let first = refused_url();
    let last = refused_url();
    let err = client(&[first, last.clone()], Auth::None)
        .fetch_apps()
        .unwrap_err();
    let Error::Transport { url, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*url, format!("{last}/v2/apps?embed=apps.tasks"));
}
