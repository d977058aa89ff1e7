//! Fetching and decoding `/v2/apps`, and how bad answers are reported.

use marathon_client::{Auth, Error};

use crate::fake_marathon::{ONE_APP, Reply, TWO_APPS, client, start};

#[test]
fn fetch_apps_returns_the_body_as_served() {
    let fake = start();
    fake.set_apps(ONE_APP);
    let body = client(&[fake.url()], Auth::None).fetch_apps().unwrap();
    assert_eq!(body, ONE_APP.as_bytes());
}

#[test]
fn decoded_apps_follow_changes_on_the_server() {
    let fake = start();
    let client = client(&[fake.url()], Auth::None);

    fake.set_apps(ONE_APP);
    let first = client.fetch_decoded_apps().unwrap();
    assert_eq!(first.apps.len(), 1);
    assert_eq!(first.apps[0].tasks[0].ports, [31000]);

    fake.set_apps(TWO_APPS);
    let ids: Vec<String> = client
        .fetch_decoded_apps()
        .unwrap()
        .apps
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, ["/web", "/api"]);
}

#[test]
fn garbage_body_is_an_invalid_answer_naming_the_url() {
    let fake = start();
    fake.set_apps_reply(Reply::Garbage);
    let err = client(&[fake.url()], Auth::None)
        .fetch_decoded_apps()
        .unwrap_err();

    let url = format!("{}/v2/apps?embed=apps.tasks", fake.url());
    assert_eq!(err.to_string(), format!("invalid answer: {url}"));
    let Error::InvalidAnswer { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(
            **source,
            Error::Document {
                line: 1,
                column: 1,
                ..
            }
        ),
        "{source:?}"
    );
    assert_eq!(
        source.to_string(),
        "invalid apps document: expected value at line 1, column 1"
    );
}

#[test]
fn server_error_names_url_status_and_marathon_message() {
    let fake = start();
    fake.set_apps_reply(Reply::Status(500));
    let err = client(&[fake.url()], Auth::None).fetch_apps().unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        err.to_string(),
        format!(
            "unexpected http status 500: {}/v2/apps?embed=apps.tasks (fake failure)",
            fake.url()
        )
    );
}

#[test]
fn forbidden_is_reported_with_its_status() {
    let fake = start();
    fake.set_apps_reply(Reply::Status(403));
    let err = client(&[fake.url()], Auth::None)
        .fetch_decoded_apps()
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
}

#[test]
fn body_over_the_limit_is_refused() {
    let fake = start();
    fake.set_apps(ONE_APP);
    let client = crate::fake_marathon::quick([fake.url()])
        .max_body_bytes(16)
        .build()
        .unwrap();
    let err = client.fetch_apps().unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}
