//! A blocking HTTP client over several Marathon URLs, with failover, auth and redirects.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use ureq::http::Response;
use ureq::tls::{PemItem, RootCerts, TlsConfig};
use ureq::{Agent, Body};

use crate::auth::{Auth, Secret};
use crate::dcos::Token;
use crate::wire::{self, DecodedApps};
use crate::{Error, urls};

/// The path that lists every app with its tasks.
pub const APPS_PATH: &str = "/v2/apps?embed=apps.tasks";

/// How long to wait for a TCP (and TLS) connection by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one request may take by default, body included. Generous
/// because `GET /v2/apps?embed=apps.tasks` takes many seconds on large
/// clusters.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The largest answer body read by default.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 256 * 1024 * 1024;

/// How long before a DC/OS token expires the client logs in again.
const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A standby redirects once to the leader; more than a few hops is a loop.
const MAX_REDIRECTS: usize = 5;

/// How much of an error body is read to find Marathon's `message`.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// Settings for a [`Client`]; made by [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    urls: Vec<String>,
    auth: Auth,
    ca_cert: Option<PathBuf>,
    connect_timeout: Duration,
    request_timeout: Duration,
    max_body_bytes: u64,
}

impl ClientBuilder {
    /// How the client authenticates. Default: [`Auth::None`].
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Trusts only the CA certificates in this PEM file for HTTPS, instead
    /// of the bundled Mozilla roots. Default: the Mozilla roots.
    pub fn ca_cert_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_cert = Some(path.into());
        self
    }

    /// How long to wait for a connection to one URL before trying the next.
    /// Default: [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one request may take, body included; for the event stream,
    /// how long to wait for the answer's headers. Default:
    /// [`DEFAULT_REQUEST_TIMEOUT`].
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The largest answer body accepted. Default: [`DEFAULT_MAX_BODY_BYTES`].
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Checks the URLs, loads the CA file and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        if self.urls.is_empty() {
            return Err(Error::NoUrls);
        }
        let urls = self
            .urls
            .iter()
            .map(|u| urls::parse_base(u))
            .collect::<Result<Vec<_>, _>>()?;

        let mut config = Agent::config_builder()
            // Statuses, redirects and failover are this module's decisions,
            // so ureq hands every answer back as it is.
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("mlb/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &self.ca_cert {
            let roots = load_ca_file(path)?;
            config = config.tls_config(TlsConfig::builder().root_certs(roots).build());
        }

        Ok(Client {
            inner: Arc::new(Inner {
                urls,
                current: AtomicUsize::new(0),
                agent: config.build().new_agent(),
                auth: self.auth,
                token: Mutex::new(None),
                connect_timeout: self.connect_timeout,
                request_timeout: self.request_timeout,
                max_body_bytes: self.max_body_bytes,
            }),
        })
    }
}

/// A blocking client for one Marathon cluster reached through several URLs.
///
/// Each request goes first to the URL that answered last and moves on to
/// the next one when a URL cannot be reached, times out or answers 5xx. A
/// 4xx answer is returned at once: another Marathon would say the same.
/// Cloning is cheap and clones share the sticky URL and the DC/OS token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    urls: Vec<String>,
    current: AtomicUsize,
    agent: Agent,
    auth: Auth,
    token: Mutex<Option<Token>>,
    connect_timeout: Duration,
    request_timeout: Duration,
    max_body_bytes: u64,
}

/// How a request's time limits are set.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Timing {
    /// A bounded request: the whole exchange within the request timeout.
    Bounded,
    /// A stream: headers within the request timeout, then no limit on the
    /// total but at most `idle` between two reads.
    Stream { idle: Duration },
}

impl Client {
    /// Starts building a client for these base URLs (for example
    /// `http://marathon.mesos:8080`), tried in the given order.
    pub fn builder<I, S>(urls: I) -> ClientBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ClientBuilder {
            urls: urls.into_iter().map(Into::into).collect(),
            auth: Auth::None,
            ca_cert: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// The base URLs, in the order they are tried.
    #[must_use]
    pub fn urls(&self) -> &[String] {
        &self.inner.urls
    }

    /// The base URL the next request goes to first: the last one that
    /// answered.
    #[must_use]
    pub fn current_url(&self) -> &str {
        let index = self.inner.current.load(Ordering::Relaxed);
        &self.inner.urls[index % self.inner.urls.len()]
    }

    /// `GET /v2/apps?embed=apps.tasks`, returning the body as it came.
    pub fn fetch_apps(&self) -> Result<Vec<u8>, Error> {
        self.get_bytes(APPS_PATH)
    }

    /// `GET /v2/apps?embed=apps.tasks`, decoded with
    /// [`wire::decode_apps`]. A body that is not an apps document is an
    /// [`Error::InvalidAnswer`] naming the URL.
    pub fn fetch_decoded_apps(&self) -> Result<DecodedApps, Error> {
        self.request(
            APPS_PATH,
            "application/json",
            Timing::Bounded,
            |url, response| {
                let body = self.read_body(url, response)?;
                wire::decode_apps(&body).map_err(|err| Error::InvalidAnswer {
                    url: url.to_owned(),
                    source: Box::new(err),
                })
            },
        )
    }

    /// A GET of any API path (such as `/v2/leader`), returning the body.
    pub fn get_bytes(&self, path_and_query: &str) -> Result<Vec<u8>, Error> {
        self.request(
            path_and_query,
            "application/json",
            Timing::Bounded,
            |url, response| self.read_body(url, response),
        )
    }

    /// Runs a GET with failover: starts at the sticky URL, moves on after
    /// errors that another URL might not have, and hands the successful
    /// answer with its (redacted) final URL to `finish`.
    pub(crate) fn request<T>(
        &self,
        path_and_query: &str,
        accept: &str,
        timing: Timing,
        finish: impl Fn(&str, Response<Body>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let urls = &self.inner.urls;
        let start = self.inner.current.load(Ordering::Relaxed);
        let mut last_error = Error::NoUrls;

        for step in 0..urls.len() {
            let index = (start + step) % urls.len();
            let url = urls::join(&urls[index], path_and_query);
            let result = self.get_following(&url, accept, timing);
            match result {
                Err(err) if fails_over(&err) => last_error = err,
                Err(err) => {
                    // The URL answered, even if with a refusal.
                    self.inner.current.store(index, Ordering::Relaxed);
                    return Err(err);
                }
                Ok((final_url, response)) => {
                    self.inner.current.store(index, Ordering::Relaxed);
                    return finish(&final_url, response);
                }
            }
        }
        Err(last_error)
    }

    /// One GET against one URL, following redirects and retrying once with
    /// a fresh DC/OS token after a 401.
    fn get_following(
        &self,
        url: &str,
        accept: &str,
        timing: Timing,
    ) -> Result<(String, Response<Body>), Error> {
        let mut url = url.to_owned();
        let mut send_credentials = true;
        let mut relogged = false;
        let mut redirects = 0;

        loop {
            let auth = if send_credentials {
                self.auth_header()?
            } else {
                None
            };
            let response = self.call_get(&url, accept, timing, auth.as_ref())?;
            let status = response.status().as_u16();

            if response.status().is_redirection() {
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return Err(Error::Redirect {
                        url: urls::redact(&url),
                        reason: "too many",
                    });
                }
                let next = redirect_target(&url, &response)?;
                // A standby only redirects to its leader, which wants the
                // same credentials; but they never go out over plain HTTP
                // once they were meant for HTTPS.
                if urls::is_https(&url) && !urls::is_https(&next) {
                    send_credentials = false;
                }
                url = next;
                continue;
            }

            if status == 401 && !relogged && matches!(self.inner.auth, Auth::DcosServiceAccount(_))
            {
                relogged = true;
                self.forget_token();
                continue;
            }

            if response.status().is_success() {
                return Ok((urls::redact(&url), response));
            }
            return Err(Self::status_error(&url, response));
        }
    }

    fn call_get(
        &self,
        url: &str,
        accept: &str,
        timing: Timing,
        auth: Option<&Secret>,
    ) -> Result<Response<Body>, Error> {
        let mut request = self.inner.agent.get(url).header("accept", accept);
        if let Some(auth) = auth {
            request = request.header("authorization", auth.expose());
        }
        let config = request
            .config()
            .timeout_connect(Some(self.inner.connect_timeout));
        let config = match timing {
            Timing::Bounded => config.timeout_per_call(Some(self.inner.request_timeout)),
            Timing::Stream { idle } => config
                .timeout_recv_response(Some(self.inner.request_timeout))
                .timeout_per_read(Some(idle)),
        };
        config.build().call().map_err(|source| Error::Transport {
            url: urls::redact(url),
            source,
        })
    }

    /// Reads a successful answer's body within the size limit.
    fn read_body(&self, url: &str, mut response: Response<Body>) -> Result<Vec<u8>, Error> {
        response
            .body_mut()
            .with_config()
            .limit(self.inner.max_body_bytes)
            .read_to_vec()
            .map_err(|source| Error::Transport {
                url: url.to_owned(),
                source,
            })
    }

    fn status_error(url: &str, mut response: Response<Body>) -> Error {
        let status = response.status().as_u16();
        // The body is only a hint; a body that cannot be read still leaves
        // the status, which is the real news.
        let body = response
            .body_mut()
            .with_config()
            .limit(ERROR_BODY_LIMIT)
            .read_to_vec();
        let message = body.ok().and_then(|body| error_message(&body));
        Error::Status {
            url: urls::redact(url),
            status,
            message,
        }
    }

    /// The `Authorization` value for the next request, logging in to DC/OS
    /// first when there is no token or it is about to expire.
    fn auth_header(&self) -> Result<Option<Secret>, Error> {
        match &self.inner.auth {
            Auth::None => Ok(None),
            Auth::Basic(credentials) => Ok(Some(credentials.header_value())),
            Auth::DcosServiceAccount(account) => {
                // Holding the lock through the login keeps two threads from
                // logging in at once.
                let mut token = self
                    .inner
                    .token
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let now = SystemTime::now();
                let fresh = match token.take() {
                    Some(current) if !current.needs_refresh(now, TOKEN_REFRESH_MARGIN) => current,
                    _ => self.login(account, now)?,
                };
                let header = Secret::new(format!("token={}", fresh.value.expose()));
                *token = Some(fresh);
                Ok(Some(header))
            }
        }
    }

    fn forget_token(&self) {
        *self
            .inner
            .token
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn login(
        &self,
        account: &crate::dcos::ServiceAccount,
        now: SystemTime,
    ) -> Result<Token, Error> {
        let url = account.login_endpoint();
        let body = account.login_body(now)?;
        let mut response = self
            .inner
            .agent
            .post(url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .config()
            .timeout_connect(Some(self.inner.connect_timeout))
            .timeout_per_call(Some(self.inner.request_timeout))
            .build()
            .send(body.expose())
            .map_err(|source| Error::Transport {
                url: urls::redact(url),
                source,
            })?;

        if !response.status().is_success() {
            return Err(Self::status_error(url, response));
        }
        let answer = response
            .body_mut()
            .with_config()
            .limit(ERROR_BODY_LIMIT)
            .read_to_vec()
            .map_err(|source| Error::Transport {
                url: urls::redact(url),
                source,
            })?;
        Token::from_login_answer(&answer).map_err(|err| Error::InvalidAnswer {
            url: urls::redact(url),
            source: Box::new(err),
        })
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("urls", &self.inner.urls)
            .field("current_url", &self.current_url())
            .field("auth", &self.inner.auth)
            .field("connect_timeout", &self.inner.connect_timeout)
            .field("request_timeout", &self.inner.request_timeout)
            .finish_non_exhaustive()
    }
}

/// Whether another URL is worth trying after this error: the URL could not
/// be reached or timed out, or Marathon there had a server-side failure
/// (such as 503 while it has no leader).
fn fails_over(err: &Error) -> bool {
    match err {
        Error::Transport { .. } => true,
        Error::Status { status, .. } => *status >= 500,
        _ => false,
    }
}

fn redirect_target(url: &str, response: &Response<Body>) -> Result<String, Error> {
    let bad = |reason| Error::Redirect {
        url: urls::redact(url),
        reason,
    };
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| bad("no location header"))?;
    let target = urls::resolve_location(url, location).ok_or_else(|| bad("unusable location"))?;
    urls::check_target(&target).map_err(|_| bad("unusable location"))?;
    Ok(target)
}

/// Marathon's JSON error bodies carry a `message`; it is kept short since it
/// only decorates the status.
fn error_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let message = value.get("message")?.as_str()?;
    Some(message.chars().take(200).collect())
}

fn load_ca_file(path: &Path) -> Result<RootCerts, Error> {
    let pem = std::fs::read(path).map_err(|source| Error::File {
        path: path.to_owned(),
        source,
    })?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(err) => {
                return Err(Error::CaCertificate {
                    path: path.to_owned(),
                    reason: err.to_string(),
                });
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::CaCertificate {
            path: path.to_owned(),
            reason: "no certificate found".to_owned(),
        });
    }
    Ok(RootCerts::new_with_certs(&certs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_without_urls_is_an_error() {
        let err = Client::builder(Vec::<String>::new()).build().unwrap_err();
        assert_eq!(err.to_string(), "no marathon url given");
    }

    #[test]
    fn builder_checks_every_url() {
        let err = Client::builder(["http://a:8080", "nope"])
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid marathon url: nope: scheme must be http or https"
        );
    }

    #[test]
    fn client_debug_shows_urls_but_no_password() {
        let creds = crate::BasicCredentials::parse("user:hunter2").unwrap();
        let client = Client::builder(["http://a:8080/"])
            .auth(Auth::Basic(creds))
            .build()
            .unwrap();
        let debug = format!("{client:?}");
        assert!(debug.contains("http://a:8080"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn only_unreachable_urls_and_server_errors_fail_over() {
        let status = |status| Error::Status {
            url: String::new(),
            status,
            message: None,
        };
        assert!(fails_over(&status(503)));
        assert!(fails_over(&status(500)));
        assert!(!fails_over(&status(401)));
        assert!(!fails_over(&status(404)));
        assert!(!fails_over(&Error::NoUrls));
    }

    #[test]
    fn error_message_is_taken_from_marathon_json_and_shortened() {
        assert_eq!(
            error_message(br#"{"message": "no leader"}"#).as_deref(),
            Some("no leader")
        );
        assert_eq!(error_message(b"<html>"), None);
        let long = format!(r#"{{"message": "{}"}}"#, "x".repeat(500));
        assert_eq!(error_message(long.as_bytes()).map(|m| m.len()), Some(200));
    }

    #[test]
    fn ca_file_without_certificates_is_refused() {
        let path = std::env::temp_dir().join(format!("mlb-ca-{}.pem", std::process::id()));
        std::fs::write(&path, "not a certificate\n").unwrap();
        let err = Client::builder(["https://m"])
            .ca_cert_file(&path)
            .build()
            .unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(err.to_string().ends_with(": no certificate found"), "{err}");
    }
}
