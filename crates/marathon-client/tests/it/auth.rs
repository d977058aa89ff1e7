//! HTTP Basic and DC/OS service-account login against the fake.

use std::time::Duration;

use marathon_client::{Auth, BasicCredentials, ServiceAccount};

use crate::fake_marathon::{FakeMarathon, client, start};

const TEST_KEY: &str = include_str!("../../testdata/test-only-rsa-key.pem");

fn basic(value: &str) -> Auth {
    Auth::Basic(BasicCredentials::parse(value).unwrap())
}

/// A fake that demands DC/OS tokens lasting `lifetime`, and a client whose
/// service account logs in there.
fn dcos_setup(lifetime: Duration) -> (FakeMarathon, marathon_client::Client) {
    let fake = start();
    let login_endpoint = fake
        .enable_dcos_login("mlb-sa", TEST_KEY, lifetime)
        .unwrap();
    let credential = serde_json::json!({
        "uid": "mlb-sa",
        "private_key": TEST_KEY,
        "login_endpoint": login_endpoint,
    });
    let account = ServiceAccount::from_json(&credential.to_string()).unwrap();
    let client = client(&[fake.url()], Auth::DcosServiceAccount(account));
    (fake, client)
}

#[test]
fn basic_credentials_are_sent_on_every_request() {
    let fake = start();
    fake.require_basic_auth("alice", "wonder:land");
    let client = client(&[fake.url()], basic("alice:wonder:land"));

    client.fetch_apps().unwrap();
    client.fetch_apps().unwrap();
    let sent: Vec<_> = fake
        .requests()
        .iter()
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    let expected = Some("Basic YWxpY2U6d29uZGVyOmxhbmQ=".to_owned());
    assert_eq!(sent, [expected.clone(), expected]);
}

#[test]
fn wrong_basic_password_surfaces_401_without_the_password() {
    let fake = start();
    fake.require_basic_auth("alice", "right");
    let err = client(&[fake.url()], basic("alice:wrong-secret"))
        .fetch_apps()
        .unwrap_err();

    assert_eq!(err.status(), Some(401));
    let text = format!("{err} {err:?}");
    assert!(!text.contains("wrong-secret"), "{text}");
    assert!(text.contains("Invalid username or password."), "{text}");
}

#[test]
fn missing_credentials_get_401() {
    let fake = start();
    fake.require_basic_auth("alice", "right");
    let err = client(&[fake.url()], Auth::None).fetch_apps().unwrap_err();
    assert_eq!(err.status(), Some(401));
}

#[test]
fn dcos_login_signs_a_token_and_sends_the_answer_as_authorization() {
    let (fake, client) = dcos_setup(Duration::from_secs(3600));

    client.fetch_apps().unwrap();
    client.fetch_apps().unwrap();
    assert_eq!(fake.login_count(), 1);

    let apps: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.route() == "/v2/apps")
        .collect();
    assert_eq!(apps.len(), 2);
    for request in apps {
        let auth = request.header("authorization").unwrap();
        // The fake numbers its tokens: both requests used the first one.
        assert!(auth.starts_with("token="), "{auth}");
        assert_eq!(auth.rsplit('.').next(), Some("fake1"));
    }
}

#[test]
fn dcos_token_is_refreshed_when_refused_with_401() {
    let (fake, client) = dcos_setup(Duration::from_secs(3600));
    client.fetch_apps().unwrap();

    fake.revoke_tokens();
    client.fetch_apps().unwrap();
    assert_eq!(fake.login_count(), 2);
    assert_eq!(
        fake.request_count("/v2/apps"),
        3,
        "one refused, then one retried"
    );
}

#[test]
fn dcos_token_is_refreshed_before_it_expires() {
    // Tokens that expire within the client's refresh margin are replaced
    // before each use rather than after Marathon refuses them.
    let (fake, client) = dcos_setup(Duration::from_secs(60));
    client.fetch_apps().unwrap();
    client.fetch_apps().unwrap();
    assert_eq!(fake.login_count(), 2);
    assert_eq!(fake.request_count("/v2/apps"), 2);
}

#[test]
fn dcos_login_refused_names_the_login_endpoint() {
    let fake = start();
    let login_endpoint = fake.enable_dcos_login("someone-else", TEST_KEY, Duration::from_secs(60));
    let credential = serde_json::json!({
        "uid": "mlb-sa",
        "private_key": TEST_KEY,
        "login_endpoint": login_endpoint.unwrap(),
    });
    let account = ServiceAccount::from_json(&credential.to_string()).unwrap();
    let err = client(&[fake.url()], Auth::DcosServiceAccount(account))
        .fetch_apps()
        .unwrap_err();

    assert_eq!(
        err.to_string(),
        format!(
            "unexpected http status 401: {}/acs/api/v1/auth/login (unknown uid)",
            fake.url()
        )
    );
    assert!(!format!("{err:?}").contains("PRIVATE KEY"));
}
